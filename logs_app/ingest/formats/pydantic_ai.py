"""Runs dumped from pydantic-ai: a JSON object with `messages` (ModelRequest and ModelResponse dicts).

Most loggers write `{agent_name, system_prompt, provider, model, tools, messages}`
with the messages from `result.all_messages()`; some add run-level `usage` and
`output`. Per-response usage, model names and timestamps live in the messages.
"""

from collections import Counter

from logs_app.ingest.formats.common import (
    as_dict,
    as_list,
    clean_json_value,
    clean_text,
    fill_times,
    fill_totals,
    is_placeholder_prompt,
    json_text,
    load_json_value,
    parse_timestamp,
    read_usage,
    render_readable,
    text_field,
)
from logs_app.ingest.run import (
    BINARY,
    REQUEST,
    RESPONSE,
    RETRY_PROMPT,
    SYSTEM_PROMPT,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RETURN,
    UNKNOWN,
    USER_PROMPT,
    Message,
    Part,
    Run,
)

LOG_FORMAT = "pydantic-ai"

# Message kinds as pydantic-ai writes them, plus spellings seen in hand-written samples.
REQUEST_KINDS = {"request", "user", "system"}
RESPONSE_KINDS = {"response", "assistant", "model"}

# Tools through which pydantic-ai returns a structured output (ToolOutput names them final_result by default).
FINAL_RESULT_PREFIX = "final_result"

# Provider prefixes of pydantic-ai model strings such as "google-gla:gemini-2.0-flash-lite".
KNOWN_PROVIDER_PREFIXES = {
    "anthropic",
    "azure",
    "bedrock",
    "cerebras",
    "cohere",
    "deepseek",
    "fireworks",
    "gateway",
    "github",
    "google",
    "google-gla",
    "google-vertex",
    "grok",
    "groq",
    "heroku",
    "huggingface",
    "litellm",
    "mistral",
    "moonshotai",
    "nebius",
    "ollama",
    "openai",
    "openai-chat",
    "openai-responses",
    "openrouter",
    "together",
    "vercel",
    "xai",
}

# Keys in which hand-written loggers put the question when no user-prompt part exists.
PROMPT_KEYS = ("user_prompt", "question", "query", "user_query", "prompt", "input")
ANSWER_KEYS = ("response", "answer", "assistant_answer", "result")


def is_pydantic_ai_run(document):
    messages = document.get("messages")
    return isinstance(messages, list) and not any(
        isinstance(message, dict) and "role" in message and "parts" not in message for message in messages
    )


def is_message_list(document):
    """True for the JSON array that ModelMessagesTypeAdapter.dump_json writes: the messages alone."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(message, dict) and message.get("kind") in ("request", "response") and "parts" in message
            for message in document
        )
    )


def read_run(document, log_format=LOG_FORMAT):
    """Return the Run of a pydantic-ai dump (a dict with a `messages` list)."""
    messages = [read_message(raw) for raw in as_list(document.get("messages"))]
    history, current = split_history(messages)
    run = Run(log_format=log_format, messages=current, history_messages=history)

    run.agent_name = text_field(document, "agent_name", "agent", "name")
    run.tools = read_tool_names(document.get("tools"), run)
    run.user_prompt = find_prompt(current) or text_field(document, *PROMPT_KEYS)
    run.instructions = find_instructions(messages, current) or read_system_prompt(document)
    run.answer = find_answer(document, current)
    fill_model(run, document)

    fill_totals(run, read_usage(document.get("usage")))
    fallback_time = parse_timestamp(document.get("timestamp") or document.get("created_at"))
    fill_times(run, fallback_time)
    return run


def read_message(raw):
    if not isinstance(raw, dict):
        return Message(kind=UNKNOWN, parts=[Part(kind=UNKNOWN, content=json_text(raw))])

    raw_kind = text_field(raw, "kind")
    if raw_kind in RESPONSE_KINDS or (raw_kind not in REQUEST_KINDS and "model_name" in raw):
        kind = RESPONSE
    elif raw_kind in REQUEST_KINDS or isinstance(raw.get("parts"), list):
        kind = REQUEST
    else:
        kind = UNKNOWN

    message = Message(kind=kind, timestamp=parse_timestamp(raw.get("timestamp")))
    for raw_part in as_list(raw.get("parts")):
        message.parts.extend(read_part(raw_part))
    if kind == UNKNOWN and not message.parts:
        message.parts.append(Part(kind=UNKNOWN, content=json_text(raw)))

    message.run_id = text_field(raw, "run_id")
    message.instructions = text_field(raw, "instructions")
    if kind == RESPONSE:
        message.model_name = text_field(raw, "model_name")
        message.provider_name = text_field(raw, "provider_name")
        message.provider_url = text_field(raw, "provider_url")
        message.finish_reason = text_field(raw, "finish_reason") or text_field(
            as_dict(raw.get("provider_details")), "finish_reason"
        )
        message.usage = read_usage(raw.get("usage"))
    if message.timestamp is None:
        stamps = [part.timestamp for part in message.parts if part.timestamp is not None]
        message.timestamp = min(stamps) if stamps else None
    return message


def read_part(raw):
    """Return the Parts of one raw part; a user prompt with images gives one Part per binary item."""
    if not isinstance(raw, dict):
        return [Part(kind=UNKNOWN, content=json_text(raw))]

    part_kind = text_field(raw, "part_kind")
    timestamp = parse_timestamp(raw.get("timestamp"))
    if part_kind == USER_PROMPT:
        return read_user_prompt(raw.get("content"), timestamp)
    if part_kind in (SYSTEM_PROMPT, TEXT, THINKING):
        return [Part(kind=part_kind, content=content_text(raw.get("content")), timestamp=timestamp)]
    if part_kind in (TOOL_CALL, "builtin-tool-call"):
        return [read_tool_call(raw)]
    if part_kind in (TOOL_RETURN, "builtin-tool-return", RETRY_PROMPT):
        is_retry = part_kind == RETRY_PROMPT
        return [
            Part(
                kind=RETRY_PROMPT if is_retry else TOOL_RETURN,
                content=content_text(raw.get("content")),
                tool_name=text_field(raw, "tool_name"),
                tool_call_id=text_field(raw, "tool_call_id"),
                timestamp=timestamp,
                is_error=is_retry or raw.get("outcome") in ("failed", "error", "denied"),
            )
        ]
    if part_kind == "file" and isinstance(raw.get("content"), dict):
        return [read_binary(raw["content"], timestamp)]
    return [Part(kind=UNKNOWN, content=json_text(raw), timestamp=timestamp)]


def content_text(content):
    """Return a part's content as text: strings as written, anything else as indented JSON."""
    if isinstance(content, str):
        return clean_text(content)
    if content is None:
        return ""
    return json_text(content, indent=2)


def read_user_prompt(content, timestamp):
    if not isinstance(content, list):
        return [Part(kind=USER_PROMPT, content=content_text(content), timestamp=timestamp)]

    texts, media = [], []
    for item in content:
        if isinstance(item, str):
            texts.append(clean_text(item))
        elif isinstance(item, dict) and ("data" in item or "url" in item or str(item.get("kind", "")).endswith("-url")):
            media.append(read_binary(item, timestamp))
        else:
            texts.append(content_text(item))
    return [Part(kind=USER_PROMPT, content="\n".join(texts), timestamp=timestamp), *media]


def read_binary(item, timestamp):
    """Return a BINARY part for inline data or a URL; only the media type and size are kept, never the bytes."""
    part = Part(kind=BINARY, media_type=text_field(item, "media_type", "mime_type"), timestamp=timestamp)
    data = item.get("data")
    url = item.get("url")
    if isinstance(data, str):
        part.size_bytes = base64_size(data)
    elif isinstance(url, str) and url.startswith("data:"):
        comma = url.find(",")
        header = url[:comma] if comma >= 0 else url
        part.media_type = part.media_type or clean_text(header[5:].split(";")[0])
        part.size_bytes = base64_size(url, comma + 1) if ";base64" in header else len(url) - comma - 1
    elif isinstance(url, str):
        part.content = clean_text(url)
    return part


def base64_size(text, start=0):
    """Return the decoded size of the base64 in text[start:] without decoding or copying it (it may be megabytes)."""
    length = len(text) - start - sum(text.count(space, start) for space in ("\n", "\r", " "))
    tail = text[max(start, len(text) - 8) :].rstrip()
    padding = len(tail) - len(tail.rstrip("="))
    return max(length * 3 // 4 - padding, 0)


def read_tool_call(raw):
    part = Part(
        kind=TOOL_CALL,
        tool_name=text_field(raw, "tool_name"),
        tool_call_id=text_field(raw, "tool_call_id"),
    )
    args = raw.get("args")
    if isinstance(args, str):
        part.args_text = clean_text(args)
        if not args.strip():
            part.args = {}
            return part
        try:
            part.args = clean_json_value(load_json_value(args))
        except (ValueError, RecursionError):
            part.args_valid = False
    elif args is None:
        part.args = {}
    else:
        part.args = clean_json_value(args)
        part.args_text = json_text(args)
    return part


def split_history(messages):
    """Split a dump into (earlier runs' messages, this run's messages).

    pydantic-ai's all_messages() includes the history that was passed to the
    run. With run_id fields (pydantic-ai 1.x) the run is the run_id of the last
    message. Without them, a new run starts at a request with a user prompt and
    no tool return or retry prompt. So a notice that an app injects next to tool
    returns does not start a run.
    """
    run_ids = [message.run_id for message in messages if message.run_id]
    if run_ids:
        current_id = run_ids[-1]
        start = next(index for index, message in enumerate(messages) if message.run_id == current_id)
    else:
        start = 0
        for index, message in enumerate(messages):
            if index and starts_run(message) and any(earlier.kind == RESPONSE for earlier in messages[:index]):
                start = index

    history = messages[:start]
    for message in history:
        message.earlier_run = True
    return history, messages[start:]


def starts_run(message):
    kinds = {part.kind for part in message.parts}
    return message.kind == REQUEST and USER_PROMPT in kinds and not kinds & {TOOL_RETURN, RETRY_PROMPT}


def find_prompt(messages):
    """Return the user prompt that started the run: the first one outside tool-return requests."""
    prompts = [
        (starts_run(message), part.content)
        for message in messages
        if message.kind == REQUEST
        for part in message.parts
        if part.kind == USER_PROMPT and part.content.strip()
    ]
    for starts, content in prompts:
        if starts:
            return content
    return prompts[0][1] if prompts else ""


def find_instructions(all_messages, current):
    """Return system-prompt parts (first request of the conversation) and request instructions, each once."""
    texts = []
    for message in all_messages:
        texts.extend(part.content for part in message.parts if part.kind == SYSTEM_PROMPT)
    texts.extend(message.instructions for message in current)
    unique = [text for text in dict.fromkeys(texts) if text.strip() and not is_placeholder_prompt(text)]
    return "\n\n".join(unique)


def read_system_prompt(document):
    value = document.get("system_prompt")
    if value is None:
        value = document.get("instructions")
    items = value if isinstance(value, list) else [value]
    texts = [clean_text(item) for item in items if isinstance(item, str)]
    return "\n\n".join(text for text in texts if text.strip() and not is_placeholder_prompt(text))


def find_answer(document, messages):
    """Return the answer a reader would see.

    A structured `output` object is rendered as Markdown; otherwise the arguments
    of a final_result call in the last response, then a string `output`, then the
    text of the last response, then a top-level answer field. final_result
    arguments that are not valid JSON are shown as written, after a note that
    says so, as the timeline shows them.
    """
    output = document.get("output")
    if isinstance(output, (dict, list)) and output:
        return render_readable(output)

    responses = [message for message in messages if message.kind == RESPONSE]
    last = responses[-1] if responses else None
    final_call = None
    if last is not None:
        final_call = next(
            (
                part
                for part in last.parts
                if part.kind == TOOL_CALL
                and part.tool_name.startswith(FINAL_RESULT_PREFIX)
                and (part.args or not part.args_valid)
            ),
            None,
        )
    if final_call is not None:
        return final_result_answer(final_call)
    if isinstance(output, str) and output.strip():
        return clean_text(output)

    if last is not None:
        text = "\n\n".join(part.content for part in last.parts if part.kind == TEXT and part.content.strip())
        if text:
            return text
    value = next((document.get(key) for key in ANSWER_KEYS if document.get(key)), None)
    return render_readable(value) if isinstance(value, (str, dict, list)) else ""


def final_result_answer(call):
    if call.args_valid:
        return render_readable(call.args)
    return f"({call.tool_name} arguments are not valid JSON; shown as written)\n\n{call.args_text}"


def fill_model(run, document):
    """Set model, provider and provider_url from the responses, falling back to the top-level fields."""
    responses = run.responses
    top_provider, top_model = split_model_string(text_field(document, "model", "model_name"))

    names = [message.model_name for message in responses if message.model_name]
    if names:
        counts = Counter(names)
        best = max(counts.values())
        # The most used model wins; on a tie, the one used last.
        run.model = next(name for name in reversed(names) if counts[name] == best)
    else:
        run.model = top_model

    providers = [message.provider_name for message in responses if message.provider_name]
    run.provider = text_field(document, "provider") or (Counter(providers).most_common(1)[0][0] if providers else "")
    run.provider = run.provider or top_provider
    urls = [message.provider_url for message in responses if message.provider_url]
    run.provider_url = urls[-1] if urls else text_field(document, "provider_url", "base_url")


def split_model_string(model):
    """Split pydantic-ai's "provider:model" strings; vendor/model names such as "google/gemma:free" stay whole."""
    prefix, colon, rest = model.partition(":")
    if colon and rest and prefix in KNOWN_PROVIDER_PREFIXES:
        return prefix, rest
    return "", model


def read_tool_names(tools, run):
    names = []
    for tool in as_list(tools):
        if isinstance(tool, str):
            names.append(clean_text(tool))
        elif isinstance(tool, dict):
            name = text_field(tool, "name", "tool_name") or text_field(as_dict(tool.get("function")), "name")
            if name:
                names.append(name)
    if not names:
        names = [part.tool_name for part in run.tool_calls if part.tool_name]
        names = [name for name in names if not name.startswith(FINAL_RESULT_PREFIX)]
    return list(dict.fromkeys(names))
