"""Hand-written question/answer logs with no message list.

Keys seen: `question`/`query`/`user_query`/`user_prompt` for the prompt,
`answer`/`response`/`output` for the answer, and sometimes `context`,
`search_results` and `tool_used`. The parser rebuilds a request and a
response from them so that the timeline shows what the log holds. When
`tool_used` names a tool (or a list of tools), the log records that the agent
called it: the timeline gets a response with that tool call, then a request with the
context as its return, then the answer.
"""

from logs_app.ingest.formats import pydantic_ai
from logs_app.ingest.formats.common import (
    as_list,
    clean_text,
    fill_totals,
    json_text,
    parse_timestamp,
    read_usage,
    render_readable,
    text_field,
)
from logs_app.ingest.run import (
    REQUEST,
    RESPONSE,
    SYSTEM_PROMPT,
    TEXT,
    TOOL_CALL,
    TOOL_RETURN,
    USER_PROMPT,
    Message,
    Part,
    Run,
)

LOG_FORMAT = "question-answer"

ANSWER_KEYS = ("answer", "response", "output", "result", "assistant_answer")
CONTEXT_KEYS = ("context", "search_results", "retrieved_context", "sources")


def is_question_answer(document):
    has_prompt = any(isinstance(document.get(key), str) for key in pydantic_ai.PROMPT_KEYS)
    has_answer = any(document.get(key) not in (None, "") for key in ANSWER_KEYS)
    return has_prompt or has_answer


def read_run(document):
    run = Run(log_format=LOG_FORMAT)
    run.agent_name = text_field(document, "agent_name", "agent", "name")
    run.user_prompt = text_field(document, *pydantic_ai.PROMPT_KEYS)
    run.instructions = pydantic_ai.read_system_prompt(document)
    answer = next((document[key] for key in ANSWER_KEYS if document.get(key) not in (None, "")), "")
    run.answer = render_readable(answer) if isinstance(answer, (dict, list)) else clean_text(answer)
    pydantic_ai.fill_model(run, document)

    used = used_tools(document)
    run.tools = used or pydantic_ai.read_tool_names(document.get("tools"), run)
    timestamp = parse_timestamp(document.get("timestamp") or document.get("created_at") or document.get("logged_at"))
    run.messages = build_messages(document, run, used)

    fill_totals(run, read_usage(document.get("usage")) or read_usage(document))
    run.started_at = run.finished_at = timestamp
    return run


def used_tools(document):
    """Return the tools that `tool_used` (or `tool`) names: one name or a list of names."""
    for key in ("tool_used", "tool"):
        value = document.get(key)
        names = [value] if isinstance(value, str) else as_list(value)
        names = [clean_text(name) for name in names if isinstance(name, str) and name.strip()]
        if names:
            return list(dict.fromkeys(names))
    return []


def build_messages(document, run, tools):
    """Return the request and response messages; with tools, their calls and returns sit in between."""
    request = Message(kind=REQUEST)
    if run.instructions:
        request.parts.append(Part(kind=SYSTEM_PROMPT, content=run.instructions))
    request.parts.append(Part(kind=USER_PROMPT, content=run.user_prompt))

    returns = []
    for key in CONTEXT_KEYS:
        value = document.get(key)
        if value not in (None, "", []):
            content = clean_text(value) if isinstance(value, str) else json_text(value, indent=2)
            returns.append(Part(kind=TOOL_RETURN, tool_name=tools[0] if tools else key, content=content))
    answer = Message(kind=RESPONSE, model_name=run.model, parts=[Part(kind=TEXT, content=run.answer)])
    if not tools:
        request.parts.extend(returns)
        return [request, answer]

    calls = [Part(kind=TOOL_CALL, tool_name=name, args={}) for name in tools]
    if not returns:
        answer.parts[:0] = calls
        return [request, answer]
    call = Message(kind=RESPONSE, model_name=run.model, parts=calls)
    return [request, call, Message(kind=REQUEST, parts=returns), answer]
