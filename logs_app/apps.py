from django.apps import AppConfig


class LogsAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "logs_app"
    verbose_name = "Agent logs"

    def ready(self):
        from django.db.models.signals import post_migrate

        from logs_app.dashboard import signals
        from logs_app.search import repair_sqlite_index

        post_migrate.connect(repair_sqlite_index, sender=self)
        signals.connect()
