from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

# Only log in, log out and password change: the site sends no mail, so the
# password-reset pages would promise an email that never arrives.
# Admins reset a password with `manage.py changepassword NAME`.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("logs_app.urls")),
]
