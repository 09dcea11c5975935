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
    join_problems,
    read_cost,
    read_usage,
    sum_usages,
    text_field,
    to_count,
)
from logs_app.ingest.run import RESPONSE, TEXT, Message, Part, Run, Usage

LOG_FORMAT = "claude-agent-sdk"

# Thirty days: a longer run duration is a typing error.
MAX_DURATION_MS = 30 * 24 * 3600 * 1000


def is_claude_result(document):
    return document.get("type") == "result" and ("modelUsage" in document or "total_cost_usd" in document)


def read_run(document):
    run = Run(log_format=LOG_FORMAT, provider="anthropic", answer=text_field(document, "result"))
    run.agent_name = text_field(document, "agent_name")
    run.reported_cost, cost_problem = read_cost(document.get("total_cost_usd"), label="total_cost_usd")
    duration = to_count(document.get("duration_ms"))
    run.reported_duration_ms = duration if duration is not None and 0 <= duration <= MAX_DURATION_MS else None

    per_model = {clean_text(name): model_usage(counts) for name, counts in as_dict(document.get("modelUsage")).items()}
    if per_model:
        tokens = Counter(
            {name: (usage.input_tokens or 0) + (usage.output_tokens or 0) for name, usage in per_model.items()}
        )
        run.model = tokens.most_common(1)[0][0]
        run.usage = sum_usages(per_model.values())
    else:
        run.usage = read_usage(document.get("usage"), cache_in_input=False) or Usage()
    run.usage.reported_cost = run.reported_cost
    run.usage.cost_problem = join_problems([cost_problem, run.usage.cost_problem])
    run.usage_complete = not run.usage.is_empty and not run.usage.counts_dropped

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
        read_usage(
            {
                "input_tokens": counts.get("inputTokens"),
                "output_tokens": counts.get("outputTokens"),
                "cache_read_input_tokens": counts.get("cacheReadInputTokens"),
                "cache_creation_input_tokens": counts.get("cacheCreationInputTokens"),
            },
            cache_in_input=False,
        )
        or Usage()
    )
