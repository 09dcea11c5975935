"""Shapes that appear in log folders but contain no run; each raises ParseError with the reason and the fix."""

from logs_app.ingest.formats.common import as_list
from logs_app.ingest.run import ParseError

REPR_PREFIXES = ("ModelRequest(", "ModelResponse(")


def reject_known_non_runs(document):
    """Raise ParseError for a known shape that contains no readable run; return None for anything else."""
    messages = as_list(document.get("messages"))
    if any(isinstance(message, str) and message.lstrip().startswith(REPR_PREFIXES) for message in messages):
        raise ParseError(
            "the messages are Python repr strings (ModelRequest(...)), not JSON, because the logger "
            "serialised them with default=str; fix the logger to write "
            "pydantic_ai.messages.ModelMessagesTypeAdapter.dump_json(result.all_messages()) or "
            "pydantic_core.to_jsonable_python(result.all_messages()), then log the run again"
        )

    if "agent_trace" in document and "messages" not in document:
        raise ParseError(
            "this is a custom multi-agent trace (keys agent_trace and output) with no model messages, "
            "prompt or token usage; log each agent's pydantic-ai messages to ingest it"
        )

    if "evaluation_summary" in document or ("individual_results" in document and "messages" not in document):
        raise ParseError(
            "this is an evaluation summary, not an agent run; expected a JSON object with a `messages` "
            "list or `question`/`answer` keys, so move the summary out of the logs folder"
        )
