"""Print the results files that bench/run.py wrote as Markdown tables, for docs/benchmarks.md.

python bench/report.py bench/out/results-postgres-*.json
"""

import json
import sys
from pathlib import Path

PAGE_TARGETS_MS = {"list": 50, "filter": 50, "search": 50, "detail": 100, "dashboard": 500}


def ingest_table(ingest):
    lines = [
        "| case | files | MB | ingest files/s | floor files/s | ratio (wall) | ingest CPU ms/file | floor CPU ms/file "
        "| ratio (CPU) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case, row in ingest.items():
        if not isinstance(row, dict) or "files" not in row:
            continue
        cells = [case, row["files"], row["megabytes"], row["ingest_files_per_s"], row["floor_files_per_s"]]
        cells += [row["ratio"], row["ingest_cpu_ms_per_file"], row["floor_cpu_ms_per_file"], row["cpu_ratio"]]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return lines


def pages_table(pages):
    lines = []
    for runs, block in pages.items():
        lines += [
            "",
            f"{int(runs):,} seeded runs (database {block['db_megabytes']:,} MB):",
            "",
            "| page | median ms | p95 ms | target | CPU ms (Django) | SQL ms | queries | slowest query ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for page in block["pages"]:
            if page.get("status") != 200:
                lines.append(f"| {page['page']} | HTTP {page.get('status')} | | | | | | |")
                continue
            target = PAGE_TARGETS_MS[page["kind"]]
            mark = "" if page["median_ms"] < target else " (over)"
            cells = [page["page"], f"{page['median_ms']}{mark}", page["p95_ms"], f"< {target}"]
            cells += [page.get("cpu_median_ms", ""), page["sql_ms"], page["queries"], page["slowest_query_ms"]]
            lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return lines


def main():
    for name in sys.argv[1:]:
        report = json.loads(Path(name).read_text())
        lines = [f"## {report['database']} ({report['date']})", "", f"`{report['command']}`", ""]
        if "ingest" in report:
            lines += ingest_table(report["ingest"]) + [""]
        for section in ("watch", "idle", "image"):
            if section in report:
                data = {key: value for key, value in report[section].items() if key != "trace"}
                lines += [f"{section}: `{json.dumps(data)}`", ""]
        if "pages" in report:
            lines += pages_table(report["pages"])
        sys.stdout.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
