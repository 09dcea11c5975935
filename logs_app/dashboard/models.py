"""Hourly rollups of runs and check results, so that long dashboard ranges read hours instead of runs.

Rows are derived data: logs_app.dashboard.rollups keeps them up to date and
can rebuild them from llm_logs and eval_checks at any time. Feedback is not
rolled up, because reviewers change it after ingest and it has few rows.
"""

from django.db import models

ROLLUP_MONEY = {"max_digits": 24, "decimal_places": 10, "default": 0}


class RunHour(models.Model):
    """Run figures for one UTC hour and one provider, model and agent."""

    hour = models.DateTimeField(help_text="Start of the UTC hour.")
    provider = models.CharField(max_length=255)
    model = models.CharField(max_length=255)
    agent_name = models.CharField(max_length=255)
    runs = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(**ROLLUP_MONEY, help_text="Sum of the known run costs.")
    unknown_cost_runs = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    failed_runs = models.PositiveIntegerField(default=0, help_text="Runs with at least one failed check.")

    class Meta:
        db_table = "dashboard_run_hours"
        constraints = [
            models.UniqueConstraint(fields=["hour", "provider", "model", "agent_name"], name="dashboard_run_hours_key")
        ]


class CheckHour(models.Model):
    """Results of one check for one UTC hour and one provider, model and agent."""

    hour = models.DateTimeField(help_text="Start of the UTC hour.")
    provider = models.CharField(max_length=255)
    model = models.CharField(max_length=255)
    agent_name = models.CharField(max_length=255)
    check_name = models.CharField(max_length=100)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "dashboard_check_hours"
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "provider", "model", "agent_name", "check_name"], name="dashboard_check_hours_key"
            )
        ]


class DirtyHour(models.Model):
    """A mark saying that the rollup rows of one UTC hour may be stale.

    Whatever stores, changes or deletes a run adds a mark for the run's hour in
    the same transaction. ``rollups.catch_up()`` deletes the marks and
    recomputes their hours. The hour is deliberately not unique, so an hour may
    have several marks. With a unique hour, an insert-if-absent that finds a
    committed mark adds nothing. A catch-up could then delete that mark and
    recompute the hour before the writer commits, and miss the writer's run.
    Separate rows keep each writer's mark until a catch-up finds it committed,
    and writers never wait for each other's marks.
    """

    hour = models.DateTimeField(help_text="Start of the UTC hour.")

    class Meta:
        db_table = "dashboard_dirty_hours"
