"""Turn a parsed, priced and checked run into llm_logs and eval_checks rows.

The caller owns the transaction: a file's runs are saved together or not at all.
"""

from datetime import UTC

from django.utils import timezone

from logs_app.ingest.run import RETRY_PROMPT, TOOL_RETURN, timeline_json
from logs_app.models import EvalCheck, LLMLog


def identity(file_hash, run, run_count):
    """The content_hash of a run: the file's SHA-256, with ':<run index>' when the file contains several runs."""
    if run_count == 1:
        return file_hash
    return f"{file_hash}:{run.run_index}"


def build_log(run, *, content_hash, filepath, cost, ingested_at):
    """Return an unsaved LLMLog for one run."""
    started_at = _aware(run.started_at)
    finished_at = _aware(run.finished_at)
    usage = run.usage
    return LLMLog(
        created_at=started_at or ingested_at,
        created_at_from_log=started_at is not None,
        ingested_at=ingested_at,
        finished_at=finished_at,
        duration_ms=duration_ms(started_at, finished_at, run.reported_duration_ms),
        filepath=_fit(filepath, LLMLog, "filepath"),
        run_index=run.run_index,
        content_hash=content_hash,
        log_format=_fit(run.log_format, LLMLog, "log_format"),
        agent_name=_fit(run.agent_name, LLMLog, "agent_name"),
        provider=_fit(run.provider, LLMLog, "provider"),
        model=_fit(run.model, LLMLog, "model"),
        provider_url=_fit(run.provider_url, LLMLog, "provider_url"),
        user_prompt=run.user_prompt,
        instructions=run.instructions,
        assistant_answer=run.answer,
        total_input_tokens=usage.input_tokens,
        total_output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        usage_complete=run.usage_complete,
        request_count=len(run.responses),
        tool_call_count=len(run.tool_calls),
        tool_error_count=tool_error_count(run),
        retry_count=sum(1 for part in run.parts if part.kind == RETRY_PROMPT),
        input_cost=cost.input_cost,
        output_cost=cost.output_cost,
        total_cost=cost.total_cost,
        cost_unknown_reason=cost.unknown_reason,
        reported_cost=cost.reported_cost,
        cost_source=_fit(cost.source, LLMLog, "cost_source"),
        raw_json=run.raw_json,
        timeline=timeline_json(run),
    )


def save_runs(items):
    """Save (log, check_results) pairs; returns the saved logs. Call inside transaction.atomic()."""
    saved = []
    for log, results in items:
        log.save(force_insert=True)
        EvalCheck.objects.bulk_create(
            EvalCheck(
                log=log,
                check_name=_fit(result.name, EvalCheck, "check_name"),
                passed=result.passed,
                score=result.score,
                details=result.details or "",
                created_at=log.ingested_at,
            )
            for result in results
        )
        saved.append(log)
    return saved


def tool_error_count(run):
    """Tool returns that report an error, plus retry prompts sent back for a tool call."""
    return sum(
        1
        for part in run.parts
        if (part.kind == TOOL_RETURN and part.is_error) or (part.kind == RETRY_PROMPT and part.tool_name)
    )


def duration_ms(started_at, finished_at, reported_ms=None):
    """Milliseconds from start to finish, else what the log reports; never negative, None when unknown."""
    # Whole-second response timestamps can put the end before the start; a run never takes negative time.
    if started_at is not None and finished_at is not None:
        return max(0, round((finished_at - started_at).total_seconds() * 1000))
    if reported_ms is not None:
        return max(0, int(reported_ms))
    return None


def _aware(moment):
    # The parser converts to UTC; a naive value that slips through is read as UTC, like the parser does.
    if moment is not None and timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    return moment


def _fit(value, model, field_name):
    """Cut a value to its column's length: PostgreSQL rejects longer strings, SQLite would keep them."""
    limit = model._meta.get_field(field_name).max_length
    return (value or "")[:limit]
