"""Write synthetic agent-run logs shaped like the ones pydantic-ai apps write.

The shapes follow what real log folders hold: most files come from the course
helper that writes {agent_name, system_prompt, provider, model, tools, messages,
source} with per-response usage and no run totals; the rest are full
pydantic-ai dumps with run-level usage and an output string. Runs alternate
search tool calls with long tool returns (lists of document chunks) and end
with a text answer. File sizes follow a log-normal curve with a median of
16 KB, cut to the 0.5 KB .. 177 KB range seen in real folders.

The output is deterministic for a given seed, and every file has different
content (so that content hashes never collide).

    python bench/generate.py OUT_DIR --count 1000 [--seed 1] [--size-kb 100] [--image-mb 8]
"""

import argparse
import base64
import json
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

MEDIAN_BYTES = 16_000
SIZE_SIGMA = 1.1
MIN_BYTES = 500
MAX_BYTES = 177_000

# (provider as the log writes it, top-level model alias, response model name, weight)
MODELS = [
    ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", 60),
    ("google-gla", "gemini-2.5-flash", "gemini-2.5-flash", 15),
    ("groq", "openai/gpt-oss-120b", "openai/gpt-oss-120b", 10),
    ("groq", "llama-3.3-70b-versatile", "llama-3.3-70b-versatile", 5),
    ("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", 5),
    ("openai", "google/gemma-3-27b-it:free", "google/gemma-3-27b-it:free", 5),
]
AGENTS = ["gh_agent", "faq_agent", "faq_agent_v2", "wikiagent", "search_agent", "docs_assistant", "kubernetes_agent"]
TOPICS = ["kubernetes", "dbt", "pydantic", "capybaras", "ethereum", "HIV guidelines", "data engineering", "math"]
WORDS = (
    "the a of to and in is for that with on as it by this be are from or an at agent tool model "
    "search result query document course module lesson data pipeline cluster node pod service "
    "deployment config value default example function return type field schema index vector "
    "embedding chunk score text answer question user system prompt run step error retry "
    "request response token cost usage timestamp provider evaluation check feedback dataset "
    "python docker container volume network secret key table column row join filter group "
    "order limit window partition stream batch job task worker queue message event log file"
).split()
# Real tool returns sometimes carry non-Latin text; a few chunks do here as well.
NON_LATIN = ["数据管道", "데이터", "データ", "данные", "δεδομένα", "🙂"]


def pick_size(rng):
    size = int(rng.lognormvariate(math.log(MEDIAN_BYTES), SIZE_SIGMA))
    return max(MIN_BYTES, min(MAX_BYTES, size))


def words(rng, count):
    text = " ".join(rng.choices(WORDS, k=count))
    if rng.random() < 0.05:
        text += " " + rng.choice(NON_LATIN)
    return text


def stamp(moment):
    return moment.isoformat()


def usage(rng, input_tokens, output_tokens):
    return {
        "input_tokens": input_tokens,
        "cache_write_tokens": 0,
        "cache_read_tokens": rng.choice([0, 0, 0, input_tokens // 2]),
        "output_tokens": output_tokens,
        "input_audio_tokens": 0,
        "cache_audio_read_tokens": 0,
        "output_audio_tokens": 0,
        "details": {
            "accepted_prediction_tokens": 0,
            "audio_tokens": 0,
            "reasoning_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def response(rng, parts, model, moment, usage_data, finish_reason):
    provider, _alias, model_name, _weight = model
    return {
        "parts": parts,
        "usage": usage_data,
        "model_name": model_name,
        "timestamp": stamp(moment.replace(microsecond=0)),
        "kind": "response",
        "provider_name": provider,
        "provider_details": {"finish_reason": "tool_calls" if finish_reason == "tool_call" else "stop"},
        "provider_response_id": f"chatcmpl-{rng.getrandbits(96):024x}",
        "finish_reason": finish_reason,
    }


def tool_return_chunks(rng, budget):
    """Search results: document chunks of about 1-2.5 KB each, filling about `budget` bytes."""
    chunks = []
    used = 0
    while used < budget or not chunks:
        content = words(rng, rng.randint(150, 400))
        chunks.append(
            {
                "start": rng.randrange(0, 40_000, 1000),
                "content": content,
                "filename": f"docs/{rng.choice(WORDS)}/{rng.choice(WORDS)}.md",
                "final_rrf_score": rng.random() / 20,
                "search_type": "hybrid",
            }
        )
        used += len(content) + 260
    return chunks


def user_prompt_content(rng, topic, image_bytes):
    question = f"How do I {words(rng, rng.randint(6, 18))} in {topic}?"
    if not image_bytes:
        return question
    return [
        question,
        {
            "data": base64.b64encode(rng.randbytes(image_bytes)).decode("ascii"),
            "media_type": "image/png",
            "identifier": f"{rng.getrandbits(24):06x}",
            "vendor_metadata": None,
            "kind": "binary",
        },
    ]


def make_run(rng, index, target_bytes, image_bytes=0, base_time=None):
    """Return one run as a JSON-ready dict whose encoded size is close to target_bytes."""
    model = rng.choices(MODELS, weights=[m[3] for m in MODELS])[0]
    topic = rng.choice(TOPICS)
    instructions = f"You are a helpful assistant that answers questions about {topic}.\n\n" + words(rng, 40)
    moment = (base_time or datetime(2026, 1, 1, tzinfo=UTC)) + timedelta(minutes=7 * index, seconds=rng.randint(0, 59))
    full_dump = rng.random() < 0.3

    messages = [
        {
            "parts": [
                {
                    "content": user_prompt_content(rng, topic, image_bytes),
                    "timestamp": stamp(moment),
                    "part_kind": "user-prompt",
                }
            ],
            "instructions": instructions,
            "kind": "request",
        }
    ]
    # Each tool round is one call and one return; the return fills the size budget.
    rounds = max(0, min(12, round((target_bytes - 3_000) / 12_000))) if target_bytes > 3_500 else 0
    budget = max(0, int((target_bytes - 3_000 - rounds * 1_500) * 0.9))
    total_in = total_out = 0
    for round_index in range(rounds):
        moment += timedelta(seconds=rng.uniform(0.5, 3))
        call_id = f"call_{rng.getrandbits(96):024x}"
        args = json.dumps({"query": words(rng, rng.randint(3, 9)), "num_results": 5})
        tokens_in = 300 + 900 * round_index + rng.randint(0, 400)
        tokens_out = rng.randint(15, 60)
        total_in += tokens_in
        total_out += tokens_out
        part = {"tool_name": "search", "args": args, "tool_call_id": call_id, "id": None, "part_kind": "tool-call"}
        messages.append(response(rng, [part], model, moment, usage(rng, tokens_in, tokens_out), "tool_call"))
        moment += timedelta(seconds=rng.uniform(0.2, 1.5))
        returned = {
            "tool_name": "search",
            "content": tool_return_chunks(rng, budget // rounds),
            "tool_call_id": call_id,
            "metadata": None,
            "timestamp": stamp(moment),
            "part_kind": "tool-return",
        }
        messages.append({"parts": [returned], "instructions": instructions, "kind": "request"})

    moment += timedelta(seconds=rng.uniform(1, 8))
    answer = words(rng, rng.randint(60, 300))
    tokens_in = 400 + 1500 * rounds + rng.randint(0, 400)
    tokens_out = rng.randint(100, 700)
    total_in += tokens_in
    total_out += tokens_out
    text_part = {"content": answer, "id": None, "part_kind": "text"}
    messages.append(response(rng, [text_part], model, moment, usage(rng, tokens_in, tokens_out), "stop"))

    run = {
        "agent_name": rng.choice(AGENTS),
        "system_prompt": [instructions],
        "provider": model[0],
        "model": model[1],
        "tools": ["search"],
        "messages": messages,
    }
    if full_dump:
        run["usage"] = usage(rng, total_in, total_out) | {"requests": rounds + 1, "tool_calls": rounds}
        run["output"] = answer
    else:
        run["source"] = "user"
    return run


def write_logs(out_dir, count, seed=1, size_bytes=None, image_bytes=0, prefix="run", start=0):
    """Write `count` log files into out_dir and return their paths.

    size_bytes fixes every file's size target (the large case); otherwise sizes
    follow the real distribution. image_bytes puts a binary image of that many
    bytes in each user prompt.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        rng = random.Random(f"{seed}:{index}")
        target = size_bytes or pick_size(rng)
        run = make_run(rng, index, target, image_bytes=image_bytes)
        path = out_dir / f"{prefix}_{index:07d}.json"
        path.write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size-kb", type=float, help="fixed size target per file, in KB (default: real distribution)")
    parser.add_argument("--image-mb", type=float, default=0, help="put a binary image of this size in each prompt")
    args = parser.parse_args(argv)

    size = int(args.size_kb * 1000) if args.size_kb else None
    image = int(args.image_mb * 1_000_000)
    paths = write_logs(args.out_dir, args.count, seed=args.seed, size_bytes=size, image_bytes=image)
    total = sum(path.stat().st_size for path in paths)
    sys.stdout.write(f"wrote {len(paths)} files, {total / 1e6:.1f} MB, into {args.out_dir}\n")


if __name__ == "__main__":
    main()
