"""Rows exported from an llm_logs table (`{exported_at, total_logs, logs: [row, ...]}`).

Each row has the table's columns (user_prompt, instructions, assistant_answer,
total_input_tokens, ...) and `raw_json`, the run dump it was made from, as an
object or JSON text. The run is read from raw_json when it can be; the columns
fill what it lacks.
"""

from logs_app.ingest.formats import pydantic_ai, question_answer
from logs_app.ingest.formats.common import load_json_value, parse_timestamp, read_usage, text_field
from logs_app.ingest.run import Run

LOG_FORMAT = "llm-logs-export"


def is_export_row(document):
    return "raw_json" in document and ("assistant_answer" in document or "user_prompt" in document)


def read_run(document):
    inner = document.get("raw_json")
    if isinstance(inner, str):
        try:
            inner = load_json_value(inner)
        except (ValueError, RecursionError):
            inner = None

    if isinstance(inner, dict) and pydantic_ai.is_pydantic_ai_run(inner):
        run = pydantic_ai.read_run(inner, log_format=LOG_FORMAT)
    else:
        run = Run(log_format=LOG_FORMAT)

    run.agent_name = run.agent_name or text_field(document, "agent_name")
    run.provider = run.provider or text_field(document, "provider")
    run.model = run.model or text_field(document, "model")
    run.user_prompt = run.user_prompt or text_field(document, "user_prompt")
    run.instructions = run.instructions or text_field(document, "instructions")
    run.answer = run.answer or text_field(document, "assistant_answer")

    if run.usage.is_empty:
        usage = read_usage(document)
        if usage is not None:
            run.usage = usage
            run.usage_complete = not usage.is_empty and not usage.counts_dropped
    if run.started_at is None:
        run.started_at = run.finished_at = parse_timestamp(document.get("created_at"))
    if not run.messages:
        run.messages = question_answer.build_messages(document, run, tools=[])
    return run
