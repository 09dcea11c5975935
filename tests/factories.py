"""Build runs, checks and feedback straight through the ORM, shaped like what ingestion stores.

The timeline dicts follow logs_app.ingest.run.timeline_json: Message fields with their parts.
"""

import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logs_app.models import EvalCheck, Feedback, LLMLog

_sequence = itertools.count(1)
BASE_TIME = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

INSTRUCTIONS = "You answer questions about the course FAQ. Use the search tool and cite the file you used."


def part(kind, content="", **fields):
    data = {
        "kind": kind,
        "content": content,
        "tool_name": "",
        "tool_call_id": "",
        "args_text": "",
        "args_valid": True,
        "timestamp": None,
        "media_type": "",
        "size_bytes": None,
        "is_error": False,
    }
    data.update(fields)
    return data


def usage(input_tokens=None, output_tokens=None, **fields):
    data = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": fields.pop("cache_read_tokens", 0),
        "cache_write_tokens": fields.pop("cache_write_tokens", 0),
        "reasoning_tokens": fields.pop("reasoning_tokens", 0),
        "reported_cost": None,
        "problem": "",
    }
    data.update(fields)
    return data


def message(kind, parts, at=None, **fields):
    data = {
        "kind": kind,
        "parts": parts,
        "timestamp": at.isoformat() if at else None,
        "instructions": "",
        "model_name": "",
        "provider_name": "",
        "provider_url": "",
        "finish_reason": "",
        "usage": None,
    }
    data.update(fields)
    return data


def search_timeline(prompt, answer, start=BASE_TIME, tool_return="Result: lesson 3 covers joins.", args=None):
    """A two-step run: the model searches, reads the result, then answers."""
    args_text = json.dumps(args if args is not None else {"query": prompt[:40]})
    return [
        message(
            "request",
            [
                part("system-prompt", INSTRUCTIONS),
                part("user-prompt", prompt, timestamp=start.isoformat()),
            ],
            at=start,
            instructions=INSTRUCTIONS,
        ),
        message(
            "response",
            [part("tool-call", tool_name="search", tool_call_id="call_1", args_text=args_text)],
            at=start + timedelta(seconds=2),
            model_name="gpt-4o-mini-2024-07-18",
            provider_name="openai",
            finish_reason="tool_call",
            usage=usage(234, 29),
        ),
        message(
            "request",
            [part("tool-return", tool_return, tool_name="search", tool_call_id="call_1")],
            at=start + timedelta(seconds=3),
        ),
        message(
            "response",
            [part("text", answer)],
            at=start + timedelta(seconds=6),
            model_name="gpt-4o-mini-2024-07-18",
            provider_name="openai",
            finish_reason="stop",
            usage=usage(612, 158),
        ),
    ]


def make_log(**fields):
    """Create one LLMLog; every field has a realistic default that fields overrides."""
    number = next(_sequence)
    created_at = fields.pop("created_at", BASE_TIME + timedelta(minutes=number))
    prompt = fields.pop("user_prompt", f"How do I join two tables in lesson {number}?")
    answer = fields.pop(
        "assistant_answer",
        "Use a `JOIN`:\n\n```sql\nSELECT * FROM a JOIN b ON a.id = b.a_id;\n```\n\nSee [lesson 3](https://example.org/3).",
    )
    timeline = fields.pop("timeline", None)
    if timeline is None:
        timeline = search_timeline(prompt, answer, start=created_at)
    raw = {"agent_name": fields.get("agent_name", "faq_agent"), "messages": timeline, "n": number}
    data = {
        "created_at": created_at,
        "created_at_from_log": True,
        "finished_at": created_at + timedelta(seconds=6),
        "duration_ms": 6000,
        "filepath": f"logs/faq_agent_{number:04d}.json",
        "content_hash": hashlib.sha256(f"run-{number}".encode()).hexdigest(),
        "log_format": "pydantic-ai",
        "agent_name": "faq_agent",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "user_prompt": prompt,
        "instructions": INSTRUCTIONS,
        "assistant_answer": answer,
        "total_input_tokens": 846,
        "total_output_tokens": 187,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
        "request_count": 2,
        "tool_call_count": 1,
        "input_cost": Decimal("0.0001269"),
        "output_cost": Decimal("0.0001122"),
        "total_cost": Decimal("0.0002391"),
        "cost_source": "genai-prices",
        "raw_json": json.dumps(raw),
        "timeline": timeline,
    }
    data.update(fields)
    return LLMLog.objects.create(**data)


def make_check(log, check_name="tool_call_search", passed=True, score=None, details=""):
    if score is None and passed is not None:
        score = 1.0 if passed else 0.0
    return EvalCheck.objects.create(log=log, check_name=check_name, passed=passed, score=score, details=details)


def make_feedback(log, is_good=False, comments="", reference_answer="", user=None, created_at=None):
    extra = {"created_at": created_at} if created_at else {}
    return Feedback.objects.create(
        log=log, is_good=is_good, comments=comments, reference_answer=reference_answer, user=user, **extra
    )
