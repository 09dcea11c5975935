"""OpenAI-style chat logs: `messages: [{role, content, timestamp}, ...]`, with optional `tool_calls`."""

from logs_app.ingest.formats import pydantic_ai
from logs_app.ingest.formats.common import (
    as_dict,
    as_list,
    clean_text,
    fill_times,
    fill_totals,
    parse_timestamp,
    read_usage,
    text_field,
)
from logs_app.ingest.run import (
    REQUEST,
    RESPONSE,
    SYSTEM_PROMPT,
    TEXT,
    TOOL_RETURN,
    UNKNOWN,
    USER_PROMPT,
    Message,
    Part,
    Run,
)

LOG_FORMAT = "chat-messages"

ROLE_PART_KINDS = {"user": USER_PROMPT, "system": SYSTEM_PROMPT, "developer": SYSTEM_PROMPT, "tool": TOOL_RETURN}


def is_chat_log(document):
    messages = document.get("messages")
    return (
        isinstance(messages, list)
        and bool(messages)
        and all(isinstance(message, dict) and "role" in message and "parts" not in message for message in messages)
    )


def read_run(document):
    messages = [read_message(raw) for raw in document["messages"]]
    run = Run(log_format=LOG_FORMAT, messages=messages)

    run.agent_name = text_field(document, "agent_name", "agent", "name")
    run.tools = pydantic_ai.read_tool_names(document.get("tools"), run)
    run.user_prompt = pydantic_ai.find_prompt(messages) or text_field(document, *pydantic_ai.PROMPT_KEYS)
    run.instructions = pydantic_ai.find_instructions(messages, messages) or pydantic_ai.read_system_prompt(document)
    run.answer = pydantic_ai.find_answer(document, messages)
    pydantic_ai.fill_model(run, document)

    fill_totals(run, read_usage(document.get("usage")))
    fill_times(run, parse_timestamp(document.get("timestamp") or document.get("created_at")))
    return run


def read_message(raw):
    role = text_field(raw, "role")
    timestamp = parse_timestamp(raw.get("timestamp") or raw.get("created_at"))
    if role == "assistant":
        message = Message(kind=RESPONSE, timestamp=timestamp, model_name=text_field(raw, "model"))
        message.usage = read_usage(raw.get("usage"))
        text = content_text(raw.get("content"))
        if text:
            message.parts.append(Part(kind=TEXT, content=text))
        message.parts.extend(read_tool_call(call) for call in as_list(raw.get("tool_calls")))
        return message

    kind = ROLE_PART_KINDS.get(role, UNKNOWN)
    part = Part(kind=kind, content=content_text(raw.get("content")), timestamp=timestamp)
    if kind == TOOL_RETURN:
        part.tool_name = text_field(raw, "name", "tool_name")
        part.tool_call_id = text_field(raw, "tool_call_id")
    return Message(kind=REQUEST, parts=[part], timestamp=timestamp)


def content_text(content):
    """Return chat content as text; a list of content blocks keeps its text blocks."""
    if isinstance(content, list):
        texts = [
            clean_text(block.get("text")) if isinstance(block, dict) else pydantic_ai.content_text(block)
            for block in content
            if not isinstance(block, dict) or isinstance(block.get("text"), str)
        ]
        return "\n".join(texts)
    return pydantic_ai.content_text(content)


def read_tool_call(raw):
    call = as_dict(raw)
    function = as_dict(call.get("function"))
    part = pydantic_ai.read_tool_call({"tool_name": function.get("name"), "args": function.get("arguments")})
    part.tool_call_id = text_field(call, "id")
    return part
