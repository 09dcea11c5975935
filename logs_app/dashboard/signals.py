"""Mark the hours whose rollups a change to runs or check rows makes stale.

A mark commits with the change it reports, or after it, never before.
The ingest store's save_runs() saves inside its per-file transaction, and
Model.delete() and QuerySet.delete() (the admin's delete action too) send their
signals inside the deletion's transaction. A bare save() outside a transaction
commits the row first and the mark right after. bulk_create(), QuerySet.update()
and raw SQL send no signals. See logs_app.dashboard.rollups for what to do then.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_delete, pre_save

from logs_app.dashboard import rollups
from logs_app.models import EvalCheck, LLMLog


def connect():
    pre_save.connect(remember_stored_time, sender=LLMLog, dispatch_uid="rollups_log_pre_save")
    post_save.connect(mark_saved_run, sender=LLMLog, dispatch_uid="rollups_log_post_save")
    pre_delete.connect(mark_deleted_run, sender=LLMLog, dispatch_uid="rollups_log_pre_delete")
    post_save.connect(mark_check_run, sender=EvalCheck, dispatch_uid="rollups_check_post_save")
    pre_delete.connect(mark_deleted_check, sender=EvalCheck, dispatch_uid="rollups_check_pre_delete")


def remember_stored_time(sender, instance, **kwargs):
    """Record the stored created_at of an existing run, so that moving the run to another hour marks both hours."""
    instance._rollup_stored_at = None
    if not instance._state.adding and instance.pk is not None:
        instance._rollup_stored_at = LLMLog.objects.filter(pk=instance.pk).values_list("created_at", flat=True).first()


def mark_saved_run(sender, instance, **kwargs):
    rollups.mark_dirty([instance.created_at, getattr(instance, "_rollup_stored_at", None)])


def mark_deleted_run(sender, instance, **kwargs):
    # pre_delete rather than post_delete: a deferred created_at can still be read from the row.
    rollups.mark_dirty([instance.created_at])


def mark_check_run(sender, instance, **kwargs):
    rollups.mark_dirty([_run_time(instance.log_id)])


def mark_deleted_check(sender, instance, origin=None, **kwargs):
    if _deletes_runs(origin):
        return  # the run's own pre_delete marks the hour, with no query per check row
    rollups.mark_dirty([_run_time(instance.log_id)])


def _run_time(log_id):
    return LLMLog.objects.filter(pk=log_id).values_list("created_at", flat=True).first()


def _deletes_runs(origin):
    if isinstance(origin, QuerySet):
        return origin.model is LLMLog
    return isinstance(origin, LLMLog)
