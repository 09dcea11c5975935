"""Checks on the model responses: how they finished and whether their token usage is there and plausible."""

from ..run import TEXT, TOOL_CALL
from .registry import check, failed, not_applicable, passed

BAD_FINISH_REASONS = {"error", "length", "content_filter"}

# Added to a usage_present result when usage is there but has a fault that usage_consistent reports.
DEFERRED = "; usage_consistent reports what is wrong with it"


@check("finish_reason_ok")
def finish_reason_ok(run):
    """Fail a run with a response cut off by the token limit, a content filter or an error."""
    reasons = [(number, message.finish_reason) for number, message in enumerate(run.responses, 1)]
    known = [(number, reason) for number, reason in reasons if reason]
    if not known:
        return not_applicable("no response records a finish reason")

    bad = [f"response {number}: {reason}" for number, reason in known if reason.lower() in BAD_FINISH_REASONS]
    if bad:
        return failed(f"{len(bad)} of {len(known)} responses did not finish normally; " + ", ".join(bad))
    finishes = sorted({reason for _, reason in known})
    return passed(f"{len(known)} responses finished with {', '.join(finishes)}")


@check("usage_present")
def usage_present(run):
    """Fail a run whose log lacks token usage for some or all of its responses.

    Usage that the log gives but that cannot be used (an unreadable, negative or contradictory count)
    is present: this check passes it and leaves the fault to usage_consistent, so that one fault fails one check.
    """
    responses = run.responses
    with_usage = [message for message in responses if message.usage is not None and not message.usage.is_empty]
    if responses and len(with_usage) == len(responses):
        faulty = any(message.usage.problem for message in with_usage)
        return passed(f"all {len(responses)} responses have token usage" + (DEFERRED if faulty else ""))
    if not run.usage.is_empty and run.usage_complete:
        return passed("the log has run-level token usage" + (DEFERRED if run.usage.problem else ""))
    if with_usage:
        missing = len(responses) - len(with_usage)
        score = len(with_usage) / len(responses)
        return failed(f"usage missing on {missing} of {len(responses)} responses", score=score)
    if run.usage.problem:
        # No response carries usage, so this is the log's run-level usage, with a count that could not be used.
        return passed("the log has run-level token usage" + DEFERRED)
    return failed("the log has no token usage")


@check("usage_consistent")
def usage_consistent(run):
    """Fail usage whose counts contradict each other or are zero for a response that produced output."""
    records = [(f"response {number}", message) for number, message in enumerate(run.responses, 1)]
    usages = [(label, message.usage) for label, message in records if message.usage and not message.usage.is_empty]
    if not run.usage.is_empty:
        usages.append(("run total", run.usage))
    if not usages:
        return not_applicable("the log has no token usage")

    issues = [f"{label}: {usage.problem}" for label, usage in usages if usage.problem]
    for label, message in records:
        if message.usage and not message.usage.is_empty and message.usage.output_tokens == 0 and _has_output(message):
            issues.append(f"{label}: 0 output tokens for a response with content")
    if not run.responses and _all_zero(run.usage) and (run.answer or "").strip():
        issues.append("run total: all-zero usage for a non-empty answer")

    if issues:
        return failed(f"{len(issues)} usage problems; " + "; ".join(issues))
    return passed(f"{len(usages)} usage records look consistent")


def _has_output(message):
    return any((part.kind == TEXT and part.content.strip()) or part.kind == TOOL_CALL for part in message.parts)


def _all_zero(usage):
    return not usage.input_tokens and not usage.output_tokens
