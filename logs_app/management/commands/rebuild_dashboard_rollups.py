from django.core.management.base import BaseCommand

from logs_app.dashboard import rollups


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's hourly rollups from the stored runs and check results. "
        "Run it after deleting runs; new runs are rolled up without it."
    )

    def handle(self, *args, **options):
        runs = rollups.rebuild()
        self.stdout.write(f"Rebuilt the dashboard rollups from {runs} runs.")
