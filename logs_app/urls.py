from django.urls import path
from django.views.generic import RedirectView

from logs_app import views
from logs_app.dashboard import views as dashboard_views

app_name = "logs_app"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="logs_app:list"), name="home"),
    path("logs/", views.LogListView.as_view(), name="list"),
    path("logs/<int:pk>/", views.log_detail, name="detail"),
    path("logs/<int:pk>/feedback/", views.log_feedback, name="feedback"),
    path("logs/<int:pk>/raw.json", views.log_raw_json, name="raw_json"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
]
