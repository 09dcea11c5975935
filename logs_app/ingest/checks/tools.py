"""Checks on tool use: a search was made, tools did not fail, the model needed no retries."""

from collections import Counter

from ..run import RETRY_PROMPT, TOOL_RETURN
from .registry import check, failed, not_applicable, passed
from .run_tools import call_counts, search_tools


@check("tool_call_search")
def tool_call_search(run):
    tools = search_tools(run)
    if not tools:
        return not_applicable("the agent has no search tool")

    counts = call_counts(run)
    called = {name: counts[name] for name in sorted(tools) if counts[name]}
    if not called:
        return failed(f"no call to {', '.join(sorted(tools))}")
    calls = ", ".join(f"{name} {count}x" for name, count in called.items())
    return passed(f"search calls: {calls}")


@check("tool_errors")
def tool_errors(run):
    """Fail a run in which a tool returned an error or the model was asked to retry a tool call."""
    returns = [part for part in run.parts if part.kind == TOOL_RETURN]
    retries = [part for part in run.parts if part.kind == RETRY_PROMPT and part.tool_name]
    if not run.tool_calls and not returns and not retries:
        return not_applicable("the run made no tool calls")

    errors = [part for part in returns if part.is_error] + retries
    total = len(returns) + len(retries)
    score = 1 - len(errors) / total if total else 1.0
    if not errors:
        return passed(f"{len(returns)} tool returns, none an error", score=score)

    first = errors[0]
    excerpt = " ".join(first.content.split())[:160]
    return failed(f"{len(errors)} of {total} tool results are errors; first, from {first.tool_name}: {excerpt}", score)


@check("model_retries")
def model_retries(run):
    """Fail a run in which the model was sent retry prompts (invalid tool arguments or output)."""
    if not run.messages:
        return not_applicable("the log has no message history")

    retries = [part for part in run.parts if part.kind == RETRY_PROMPT]
    if not retries:
        return passed("no retry prompts")
    targets = Counter(part.tool_name or "output" for part in retries)
    listed = ", ".join(f"{name} {count}x" for name, count in sorted(targets.items()))
    return failed(f"{len(retries)} retry prompts: {listed}")
