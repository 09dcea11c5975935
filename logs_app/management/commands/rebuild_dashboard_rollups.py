from django.core.management.base import BaseCommand

from logs_app.dashboard import rollups


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's hourly rollups from the stored runs and check results. "
        "Runs stored by ingest_logs, and runs changed or deleted in the admin, are rolled up without it. "
        "Run it after inserting or updating runs outside Django's save() and delete() (bulk inserts, "
        "QuerySet.update(), SQL, database restores), after changing TIME_ZONE, and once after upgrading "
        "to the version that tracks dirty hours."
    )

    def handle(self, *args, **options):
        runs = rollups.rebuild()
        self.stdout.write(f"Rebuilt the dashboard rollups from {runs} runs.")
