"""Server time of the main pages, through Django's test client with a logged-in user.

Each URL is requested a few times to warm caches, then `--repeat` times; the
median and 95th percentile of the time spent in Django (view, queries,
template) are reported, with the number of SQL queries and the slowest query of
one extra request. No network or web server is involved.

    python bench/pages.py --detail-id 123 [--repeat 20]
      (DATABASE_URL names a seeded scratch database; DJANGO_SETTINGS_MODULE=bench.settings)
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WARMUP = 2


def page_urls(detail_ids, check_name):
    week_ago = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    urls = [
        ("list", "list", "/logs/"),
        ("list page 50", "list", "/logs/?page=50"),
        ("filter provider", "filter", "/logs/?provider=groq"),
        ("filter model", "filter", "/logs/?model=llama-3.3-70b-versatile"),
        ("filter agent", "filter", "/logs/?agent=gh_agent"),
        ("filter date range", "filter", f"/logs/?created_after={week_ago}&created_before={today}"),
        ("filter failed check", "filter", f"/logs/?failed_check={check_name}"),
        ("filter feedback good", "filter", "/logs/?feedback=good"),
        ("filter feedback bad", "filter", "/logs/?feedback=bad"),
        ("filter no feedback", "filter", "/logs/?feedback=none"),
        ("filter reference answer", "filter", "/logs/?reference=yes"),
        ("filter unknown cost", "filter", "/logs/?unknown_cost=yes"),
        ("filter combined", "filter", f"/logs/?provider=openai&failed_check={check_name}&feedback=none"),
        ("sort by cost", "list", "/logs/?sort=-total_cost"),
        ("search common word", "search", "/logs/?q=kubernetes"),
        ("search rare word", "search", "/logs/?q=quokka"),
        ("search no match", "search", "/logs/?q=xylophonic"),
        ("search + filter", "search", "/logs/?q=pod+service&provider=openai"),
    ]
    for label, log_id in detail_ids.items():
        urls.append((f"detail {label}", "detail", f"/logs/{log_id}/"))
    urls.append(("dashboard", "dashboard", "/dashboard/"))
    return urls


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
    if response.status_code != 200:
        return {"status": response.status_code}
    times, cpu_times = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]), default=None)

    from bench.harness import summary_ms

    return {
        "status": 200,
        **summary_ms(times),
        # Time this process spent on the CPU (Python: view, ORM, template), without waits for the database.
        "cpu_median_ms": summary_ms(cpu_times)["median_ms"],
        "queries": len(queries.captured_queries),
        "sql_ms": round(sum(float(query["time"]) for query in queries.captured_queries) * 1000, 1),
        "bytes": len(response.content),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_query": slowest["sql"][:400] if slowest else None,
    }


def run_pages(detail_ids, repeat, only=None):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.seed import check_names

    user, _created = get_user_model().objects.get_or_create(username="bench")
    client = Client()
    client.force_login(user)
    results = []
    for name, kind, url in page_urls(detail_ids, check_names()[0]):
        if only and kind not in only:
            continue
        result = {"page": name, "kind": kind, "url": url, **measure(client, url, repeat)}
        sys.stderr.write(f"{name:28} {result.get('median_ms', '-'):>8} ms  {result.get('p95_ms', '-'):>8} ms p95\n")
        results.append(result)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--detail", action="append", default=[], help="LABEL=ID of a run to time the detail page of")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="comma-separated kinds: list, filter, search, detail, dashboard")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    detail_ids = dict(item.split("=", 1) for item in args.detail)
    only = set(args.only.split(",")) if args.only else None
    sys.stdout.write(json.dumps(run_pages(detail_ids, args.repeat, only)) + "\n")


if __name__ == "__main__":
    main()
