app_name = "logs_app"
urlpatterns = []
