"""Turn a parsed, priced and checked run into llm_logs and eval_checks rows.

The caller owns the transaction: a file's runs are saved together or not at all.

A run's identity (llm_logs.content_hash, unique) is:

- for a file that contains one run, the SHA-256 of the file's bytes: byte-identical
  copies are one run, and two files that differ anywhere are two runs;
- for an entry of a bundle (a JSON array or an export's `logs` list), the SHA-256
  of the entry's canonical JSON (keys sorted, no spaces, UTF-8), so a bundle
  rewritten with more entries stores only the new ones.

A single-run file and the same run inside a bundle are two identities.

Every number is checked against its column before the insert, so both databases
store the same thing: a token count or duration outside the BIGINT range becomes
NULL (the usage is then unreadable and the cost unknown, with the reason), and a
cost outside numeric(20,10) becomes NULL with the reason in cost_unknown_reason.
"""

import hashlib
import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils import timezone

from logs_app.ingest.run import RETRY_PROMPT, TOOL_RETURN, timeline_json
from logs_app.models import EvalCheck, LLMLog

# BIGINT, the type of the token and duration columns.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
# numeric(20,10), the type of the money columns: at most 10 digits before the point.
MONEY_PLACES = Decimal(1).scaleb(-10)
MONEY_LIMIT = Decimal(10) ** 10
# Run times outside this range would overflow the dashboard's hour arithmetic; they are taken as unknown.
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens")


def identity(file_hash, run, in_bundle):
    """Return the content_hash of a run, as the module docstring describes."""
    if not in_bundle:
        return file_hash
    return entry_hash(json.loads(run.raw_json))


def entry_hash(entry):
    """Return the SHA-256 of one bundle entry's canonical JSON."""
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def fit_usage(run):
    """Drop token counts that no BIGINT column can hold, noting why; call before pricing.

    The run's usage is then unreadable, so pricing gives an unknown cost with the reason.
    """
    usages = [run.usage, *(message.usage for message in run.messages if message.usage is not None)]
    for usage in usages:
        for name in TOKEN_FIELDS:
            value = getattr(usage, name)
            if value is not None and not BIGINT_MIN <= value <= BIGINT_MAX:
                setattr(usage, name, None)
                problem = f"{name} has {len(str(abs(value)))} digits, too many to store"
                usage.problem = f"{usage.problem}; {problem}" if usage.problem else problem
                run.usage_complete = False


def build_log(run, *, content_hash, filepath, cost, ingested_at):
    """Return an unsaved LLMLog for one run."""
    started_at = _sane_time(_aware(run.started_at))
    finished_at = _sane_time(_aware(run.finished_at))
    usage = run.usage
    money, unknown_reason, cost_note = _fit_cost(cost)
    return LLMLog(
        created_at=started_at or ingested_at,
        created_at_from_log=started_at is not None,
        ingested_at=ingested_at,
        finished_at=finished_at,
        duration_ms=_bigint(duration_ms(started_at, finished_at, run.reported_duration_ms)),
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
        input_cost=money["input_cost"],
        output_cost=money["output_cost"],
        total_cost=money["total_cost"],
        cost_unknown_reason=unknown_reason,
        reported_cost=money["reported_cost"],
        cost_source=_fit(cost.source if money["total_cost"] is not None else "", LLMLog, "cost_source"),
        cost_note=cost_note,
        raw_json=run.raw_json,
        timeline=timeline_json(run),
    )


def save_runs(items):
    """Save (log, check_results) pairs; returns the saved logs. Call inside transaction.atomic()."""
    saved = []
    for log, results in items:
        # Saving the log marks its hour dirty for the dashboard rollups (logs_app.dashboard.signals),
        # in this same transaction, so a committed run always has its mark.
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


def _fit_cost(cost):
    """Return the money columns, the unknown reason and the note, with amounts numeric(20,10) cannot hold dropped."""
    money = {name: _money(getattr(cost, name)) for name in ("input_cost", "output_cost", "total_cost", "reported_cost")}
    unknown_reason, note = cost.unknown_reason, getattr(cost, "note", "") or ""
    too_large = [name for name in ("input_cost", "output_cost", "total_cost") if money[name] is _TOO_LARGE]
    if too_large:
        amount = getattr(cost, too_large[-1])
        money.update(input_cost=None, output_cost=None, total_cost=None)
        unknown_reason = (
            f"the computed {too_large[-1].replace('_', ' ')} ({amount:.6E} USD) is too large to store; "
            "the token counts in the log are probably wrong"
        )
    if money["reported_cost"] is _TOO_LARGE:
        money["reported_cost"] = None
        extra = f"The log reports a cost of {cost.reported_cost:.6E} USD, too large to store, so it was dropped."
        note = f"{note} {extra}".strip()
    return money, unknown_reason, note


# Marks an amount that does not fit numeric(20,10).
_TOO_LARGE = object()


def _money(amount):
    if amount is None:
        return None
    try:
        amount = Decimal(amount).quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # infinite, NaN, or too many digits for the quantize context
        return _TOO_LARGE
    return amount if abs(amount) < MONEY_LIMIT else _TOO_LARGE


def _bigint(value):
    return value if value is None or BIGINT_MIN <= value <= BIGINT_MAX else None


def _sane_time(moment):
    if moment is not None and not EARLIEST <= moment <= LATEST:
        return None
    return moment


def _aware(moment):
    # The parser converts to UTC; a naive value that slips through is read as UTC, like the parser does.
    if moment is not None and timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    return moment


def _fit(value, model, field_name):
    """Cut a value to its column's length: PostgreSQL rejects longer strings, SQLite would keep them."""
    limit = model._meta.get_field(field_name).max_length
    return (value or "")[:limit]
