"""The ingest floor: the least work that stores the same files as rows.

It reads each file, parses the JSON, takes the columns that the list and
detail pages show (agent, provider, model, prompt, instructions, answer, token
totals, time, raw JSON and the messages), and writes them all with one bulk
insert in one transaction. It skips what the real pipeline adds on top:
content hashing, pricing, checks, per-file transactions and renames. The
benchmark compares ingest_logs with this on the same files and database.

    python bench/floor.py LOG_DIR      (DATABASE_URL names the database, already migrated)
"""

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BATCH_SIZE = 500


def _text(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(item for item in content if isinstance(item, str))
    return ""


def extract(data, raw_text, path):
    """Return the llm_logs column values of one parsed single-run log."""
    messages = data.get("messages") or []
    prompt = answer = instructions = ""
    started = None
    input_tokens = output_tokens = 0
    for message in messages:
        if not instructions and message.get("instructions"):
            instructions = message["instructions"]
        if message.get("kind") == "response":
            usage = message.get("usage") or {}
            input_tokens += usage.get("input_tokens") or 0
            output_tokens += usage.get("output_tokens") or 0
        for part in message.get("parts", []):
            kind = part.get("part_kind")
            if kind == "user-prompt" and not prompt:
                prompt = _text(part.get("content"))
                started = part.get("timestamp")
            elif kind == "text":
                answer = part.get("content") or ""
    return {
        "created_at": datetime.fromisoformat(started) if started else datetime.now().astimezone(),
        "created_at_from_log": started is not None,
        "filepath": str(path),
        "content_hash": f"{path.parent.name}/{path.name}"[-80:],
        "log_format": "pydantic-ai",
        "agent_name": data.get("agent_name") or "",
        "provider": data.get("provider") or "",
        "model": data.get("model") or "",
        "user_prompt": prompt,
        "instructions": instructions,
        "assistant_answer": answer,
        "total_input_tokens": input_tokens,
        "total_output_tokens": output_tokens,
        "request_count": sum(1 for message in messages if message.get("kind") == "response"),
        "raw_json": raw_text,
        "timeline": messages,
    }


def read_rows(paths):
    rows = []
    for path in paths:
        raw_text = path.read_bytes().decode("utf-8")
        rows.append(extract(json.loads(raw_text), raw_text, path))
    return rows


def insert_rows(rows):
    from django.db import transaction

    from logs_app.models import LLMLog

    with transaction.atomic():
        LLMLog.objects.bulk_create([LLMLog(**row) for row in rows], batch_size=BATCH_SIZE)
    return len(rows)


def run_floor(log_dir):
    """Store every *.json file of log_dir; return (file count, seconds spent reading, seconds spent inserting)."""
    started = time.perf_counter()
    rows = read_rows(sorted(Path(log_dir).glob("*.json")))
    parsed = time.perf_counter()
    count = insert_rows(rows)
    return count, parsed - started, time.perf_counter() - parsed


def main():
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    count, read_seconds, insert_seconds = run_floor(sys.argv[1])
    sys.stdout.write(json.dumps({"files": count, "read_s": read_seconds, "insert_s": insert_seconds}) + "\n")


if __name__ == "__main__":
    main()
