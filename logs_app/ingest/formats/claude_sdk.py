"""The final result message of the Claude Agent SDK (`{"type": "result", "result": ..., "modelUsage": ...}`).

It contains the answer, the cost the SDK computed and token counts per model, but
neither the prompt nor the conversation. Anthropic counts cache reads and cache
writes apart from input_tokens; here they are added in, because Usage.input_tokens
is the whole input.
"""

from collections import Counter

from logs_app.ingest.formats.common import (
    as_dict,
    clean_text,
    first_count,
    read_usage,
    sum_usages,
    text_field,
    to_count,
    to_decimal,
    usage_contradictions,
)
from logs_app.ingest.run import RESPONSE, TEXT, Message, Part, Run, Usage

LOG_FORMAT = "claude-agent-sdk"


def is_claude_result(document):
    return document.get("type") == "result" and ("modelUsage" in document or "total_cost_usd" in document)


def read_run(document):
    run = Run(log_format=LOG_FORMAT, provider="anthropic", answer=text_field(document, "result"))
    run.agent_name = text_field(document, "agent_name")
    run.reported_cost = to_decimal(document.get("total_cost_usd"))
    run.reported_duration_ms = to_count(document.get("duration_ms"))

    per_model = {clean_text(name): model_usage(counts) for name, counts in as_dict(document.get("modelUsage")).items()}
    if per_model:
        tokens = Counter(
            {name: (usage.input_tokens or 0) + (usage.output_tokens or 0) for name, usage in per_model.items()}
        )
        run.model = tokens.most_common(1)[0][0]
        run.usage = sum_usages(per_model.values())
    else:
        run.usage = anthropic_usage(as_dict(document.get("usage"))) or Usage()
    run.usage.reported_cost = run.reported_cost
    run.usage_complete = not run.usage.is_empty

    finish_reason = text_field(document, "subtype", "stop_reason")
    run.messages = [
        Message(
            kind=RESPONSE,
            model_name=run.model,
            provider_name=run.provider,
            finish_reason=finish_reason,
            usage=run.usage,
            parts=[Part(kind=TEXT, content=run.answer, is_error=document.get("is_error") is True)],
        )
    ]
    return run


def model_usage(counts):
    counts = as_dict(counts)
    return (
        anthropic_usage(
            {
                "input_tokens": counts.get("inputTokens"),
                "output_tokens": counts.get("outputTokens"),
                "cache_read_input_tokens": counts.get("cacheReadInputTokens"),
                "cache_creation_input_tokens": counts.get("cacheCreationInputTokens"),
            }
        )
        or Usage()
    )


def anthropic_usage(raw):
    usage = read_usage(raw)
    if usage is None:
        return None
    if usage.input_tokens is not None:
        _, cache_read = first_count(raw, ("cache_read_input_tokens",))
        _, cache_write = first_count(raw, ("cache_creation_input_tokens",))
        usage.input_tokens += max(cache_read or 0, 0) + max(cache_write or 0, 0)
        usage.problem = "; ".join(usage_contradictions(usage)) if not usage.problem else usage.problem
    return usage
