"""The ingestion pipeline, one file and one pass at a time, in-process on the test database."""

import codecs
import hashlib
import json
import logging
import os
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from logs_app.ingest import store
from logs_app.ingest.parsing import parse_log
from logs_app.ingest.pipeline import DUPLICATE, FAILED, GONE, INGESTED, NOT_READY, Ingester, retry_failed
from logs_app.ingest.pricing import Cost, price_run
from logs_app.ingest.sources import LocalFolderSource
from logs_app.models import EvalCheck, FailedFile, LLMLog
from tests.ingest_support import log_bytes, make_source, names, one_pass, run_log, write_file

pytestmark = pytest.mark.django_db


def statuses(summary):
    return {result.name: result.status for result in summary.results}


class TestOneFile:
    def test_run_stored_and_file_renamed(self, tmp_path):
        write_file(tmp_path, "run.json", run_log(prompt="Capital of Peru?", answer="Lima."))

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"run.json": INGESTED}
        assert names(tmp_path) == ["_run.json"]
        log = LLMLog.objects.get()
        assert log.user_prompt == "Capital of Peru?"
        assert log.assistant_answer == "Lima."
        assert log.filepath == str(tmp_path / "run.json")
        assert log.agent_name == "geo_agent"
        assert log.total_input_tokens == 40
        assert log.total_output_tokens == 6
        assert log.request_count == 1
        assert log.created_at_from_log is True
        assert log.created_at.isoformat() == "2026-11-30T09:00:00.100000+00:00"
        assert log.duration_ms == 1500
        assert log.raw_json == (tmp_path / "_run.json").read_text()
        assert log.timeline
        assert log.timeline[0]["kind"] == "request"
        assert log.content_hash
        assert ":" not in log.content_hash
        assert log.checks.count() >= 1
        assert EvalCheck.objects.filter(log=log).count() == log.checks.count()

    def test_known_model_is_priced_in_decimal(self, tmp_path):
        write_file(tmp_path, "run.json", run_log())

        one_pass(tmp_path)

        log = LLMLog.objects.get()
        assert isinstance(log.total_cost, Decimal)
        assert log.total_cost > 0
        assert log.input_cost + log.output_cost == log.total_cost
        assert log.cost_unknown_reason == ""

    def test_unknown_usage_stays_null_not_zero(self, tmp_path):
        document = run_log()
        del document["messages"][1]["usage"]
        write_file(tmp_path, "run.json", document)

        one_pass(tmp_path)

        log = LLMLog.objects.get()
        assert log.total_input_tokens is None
        assert log.total_output_tokens is None
        assert log.total_cost is None
        assert log.cost_unknown_reason

    def test_log_without_timestamps_is_dated_at_ingest_time(self, tmp_path):
        document = run_log()
        del document["messages"][0]["parts"][0]["timestamp"]
        del document["messages"][1]["timestamp"]
        write_file(tmp_path, "run.json", document)
        before = time.time()

        one_pass(tmp_path)

        log = LLMLog.objects.get()
        assert log.created_at_from_log is False
        assert log.created_at.timestamp() >= before - 1
        assert log.duration_ms is None

    def test_duration_is_never_negative(self):
        start = datetime(2026, 11, 30, 9, 0, 1, tzinfo=UTC)

        assert store.duration_ms(start, start - timedelta(milliseconds=900)) == 0
        assert store.duration_ms(start, start + timedelta(milliseconds=1500)) == 1500
        assert store.duration_ms(None, start) is None
        assert store.duration_ms(None, None, reported_ms=-5) == 0

    def test_bundle_entries_are_known_by_their_canonical_json(self, tmp_path):
        bundle = [run_log(prompt=f"question {number}") for number in range(3)]
        write_file(tmp_path, "bundle.json", log_bytes(bundle))

        summary = one_pass(tmp_path)

        assert summary.runs == 3
        assert summary.files == 1
        canonical = [json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for entry in bundle]
        assert sorted(LLMLog.objects.values_list("content_hash", flat=True)) == sorted(
            hashlib.sha256(text.encode()).hexdigest() for text in canonical
        )
        assert sorted(LLMLog.objects.values_list("run_index", flat=True)) == [0, 1, 2]
        assert json.loads(LLMLog.objects.get(run_index=1).raw_json)["messages"][0]["parts"][0]["content"] == (
            "question 1"
        )

    def test_nul_in_text_is_stored_on_every_database(self, tmp_path):
        write_file(tmp_path, "nul.json", run_log(prompt="before\u0000after"))

        one_pass(tmp_path)

        log = LLMLog.objects.get()
        assert "\x00" not in log.user_prompt
        assert log.user_prompt.startswith("before")
        assert log.user_prompt.endswith("after")
        assert "\\u0000" in log.raw_json

    def test_nul_and_lone_surrogates_everywhere_are_storable(self, tmp_path):
        document = run_log(agent="agent\u0000x", prompt="lone \ud83d half")
        document["messages"][1]["parts"] = [
            {"tool_name": "search", "args": '{"q": "a\\u0000b"}', "tool_call_id": "c1", "part_kind": "tool-call"}
        ]
        document["messages"].append(
            {
                "parts": [
                    {
                        "tool_name": "search",
                        "content": {"hit": "x\u0000y", "bad": "\udc80"},
                        "tool_call_id": "c1",
                        "part_kind": "tool-return",
                    }
                ],
                "kind": "request",
            }
        )
        write_file(tmp_path, "odd.json", json.dumps(document).encode())

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"odd.json": INGESTED}
        log = LLMLog.objects.get()
        assert "\x00" not in log.agent_name
        assert log.user_prompt.startswith("lone ")
        assert "\x00" not in json.dumps(log.timeline, ensure_ascii=False)
        assert "\\ud83d" in log.raw_json

    def test_file_name_that_is_not_utf8_is_storable(self, tmp_path):
        good = os.path.join(os.fsencode(tmp_path), b"run-\xff.json")
        bad = os.path.join(os.fsencode(tmp_path), b"cut-\xfe.json")
        with open(good, "wb") as handle:
            handle.write(log_bytes(run_log()))
        with open(bad, "wb") as handle:
            handle.write(b"{")
        old = time.time() - 3600
        os.utime(bad, (old, old))

        summary = one_pass(tmp_path)

        assert summary.runs == 1
        assert summary.failed == 1
        assert LLMLog.objects.get().filepath == str(tmp_path / "run-\ufffd.json")
        assert FailedFile.objects.get().original_path == str(tmp_path / "cut-\ufffd.json")
        assert os.path.exists(os.path.join(os.fsencode(tmp_path), b"failed", b"cut-\xfe.json"))


class TestNotReadyAndSetAside:
    def test_partial_file_waits_until_complete(self, tmp_path):
        data = log_bytes(run_log())
        path = write_file(tmp_path, "slow.json", data[: len(data) // 2], age=0)
        source = make_source(tmp_path, settle_seconds=30)
        ingester = Ingester(source, rename_retry_seconds=0)

        first = ingester.run_pass()
        path.write_bytes(data)
        second = ingester.run_pass()

        assert statuses(first) == {"slow.json": NOT_READY}
        assert statuses(second) == {"slow.json": INGESTED}
        assert LLMLog.objects.count() == 1
        assert not FailedFile.objects.exists()

    def test_file_growing_during_read_waits(self, tmp_path):
        class GrowingSource(LocalFolderSource):
            def read_bytes(self, file, limit=None):
                data = super().read_bytes(file, limit)
                with open(file.location, "ab") as handle:
                    handle.write(b"\n")  # the writer appends while the ingester parses
                return data

        write_file(tmp_path, "run.json", run_log(), age=0)
        ingester = Ingester(GrowingSource(tmp_path, settle_seconds=30), rename_retry_seconds=0)

        summary = ingester.run_pass()

        assert statuses(summary) == {"run.json": NOT_READY}
        assert not LLMLog.objects.exists()

    def test_truncated_file_set_aside_when_settled(self, tmp_path):
        data = log_bytes(run_log())
        path = write_file(tmp_path, "cut.json", data[:-25], age=0)
        ingester = Ingester(make_source(tmp_path, settle_seconds=30), rename_retry_seconds=0)

        young = ingester.run_pass()
        old = time.time() - 60
        os.utime(path, (old, old))
        settled = ingester.run_pass()
        later = ingester.run_pass()

        assert statuses(young) == {"cut.json": NOT_READY}
        assert statuses(settled) == {"cut.json": FAILED}
        assert later.results == []
        failed = FailedFile.objects.get()
        assert failed.original_path == str(path)
        assert failed.set_aside_path == str(tmp_path / "failed" / "cut.json")
        assert "line 1, column" in failed.reason
        assert "char" in failed.reason
        assert failed.size_bytes == len(data) - 25
        assert len(failed.content_hash) == 64
        assert names(tmp_path) == ["failed"]
        assert (tmp_path / "failed" / "cut.json").read_bytes() == data[:-25]

    def test_set_aside_logged_once(self, tmp_path, caplog):
        write_file(tmp_path, "cut.json", b'{"messages": [')

        with caplog.at_level(logging.INFO, logger="logs_app.ingest"):
            one_pass(tmp_path)
            one_pass(tmp_path)

        lines = [record.getMessage() for record in caplog.records if "cut.json" in record.getMessage()]
        assert len(lines) == 1
        assert "set aside" in lines[0]

    def test_same_name_failing_twice_keeps_both_copies(self, tmp_path):
        write_file(tmp_path, "cut.json", b'{"messages": [')
        one_pass(tmp_path)
        write_file(tmp_path, "cut.json", b'{"messages": [{')

        one_pass(tmp_path)

        assert names(tmp_path / "failed") == ["cut.2.json", "cut.json"]
        assert sorted(FailedFile.objects.values_list("set_aside_path", flat=True)) == [
            str(tmp_path / "failed" / "cut.2.json"),
            str(tmp_path / "failed" / "cut.json"),
        ]

    def test_non_run_json_set_aside(self, tmp_path):
        write_file(tmp_path, "summary.json", {"total": 3, "passed": 2})

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"summary.json": FAILED}
        assert "no agent run found" in FailedFile.objects.get().reason

    def test_parser_bug_sets_only_that_file_aside(self, tmp_path, monkeypatch, caplog):
        from logs_app.ingest import pipeline

        real_parse = pipeline.parse_log_entries

        def parse_or_crash(data, source_name=""):
            if source_name == "crash.json":
                raise KeyError("messages")
            return real_parse(data, source_name)

        monkeypatch.setattr(pipeline, "parse_log_entries", parse_or_crash)
        write_file(tmp_path, "crash.json", run_log(prompt="crash"), age=20)
        write_file(tmp_path, "fine.json", run_log(prompt="fine"), age=10)

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"crash.json": FAILED, "fine.json": INGESTED}
        reason = FailedFile.objects.get().reason
        assert "unexpected error during parsing (KeyError" in reason
        assert "bug" in reason
        assert any(record.exc_info for record in caplog.records)

    def test_retry_failed_restores_file(self, tmp_path):
        write_file(tmp_path, "cut.json", b'{"messages": [')
        one_pass(tmp_path)
        source = make_source(tmp_path)

        outcome = retry_failed(source=source)

        assert [record.original_path for record in outcome.restored] == [str(tmp_path / "cut.json")]
        assert names(tmp_path) == ["cut.json", "failed"]
        assert FailedFile.objects.get().retried_at is not None

        (tmp_path / "cut.json").write_bytes(log_bytes(run_log()))
        assert statuses(one_pass(tmp_path, settle_seconds=0)) == {"cut.json": INGESTED}
        assert retry_failed(source=source).restored == []

    def test_retry_failed_stays_inside_the_logs_folder(self, tmp_path):
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        write_file(outside, "secret.json", b"{}")
        FailedFile.objects.create(
            original_path=str(tmp_path / "logs" / "x.json"), set_aside_path=str(outside / "secret.json"), reason="r"
        )
        (tmp_path / "logs").mkdir()

        outcome = retry_failed(source=make_source(tmp_path / "logs"))

        assert outcome.restored == []
        assert "is not in" in outcome.problems[0]
        assert names(outside) == ["secret.json"]

    def test_retry_failed_keeps_newer_file(self, tmp_path):
        write_file(tmp_path, "cut.json", b'{"messages": [')
        one_pass(tmp_path)
        write_file(tmp_path, "cut.json", b"new content")

        outcome = retry_failed(source=make_source(tmp_path))

        assert outcome.restored == []
        assert "already" in outcome.problems[0]
        assert (tmp_path / "cut.json").read_bytes() == b"new content"
        assert FailedFile.objects.get().retried_at is None


class TestDuplicates:
    def test_second_pass_changes_nothing(self, tmp_path):
        write_file(tmp_path, "a.json", run_log(prompt="a"))
        write_file(tmp_path, "b.json", b"not json")
        one_pass(tmp_path)
        before = (names(tmp_path), list(LLMLog.objects.values_list("id", "content_hash")), FailedFile.objects.count())

        summary = one_pass(tmp_path)

        assert summary.results == []
        assert (
            names(tmp_path),
            list(LLMLog.objects.values_list("id", "content_hash")),
            FailedFile.objects.count(),
        ) == (before)

    def test_byte_identical_second_file_is_a_duplicate(self, tmp_path):
        write_file(tmp_path, "first.json", run_log(), age=20)
        write_file(tmp_path, "second.json", run_log(), age=10)

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"first.json": INGESTED, "second.json": DUPLICATE}
        assert LLMLog.objects.count() == 1
        assert names(tmp_path) == ["_first.json", "_second.json"]
        assert summary.line() == "Ingested 1 run from 1 file, 1 duplicate skipped, 0 failed."

    def test_files_sharing_a_long_prefix_are_two_runs(self, tmp_path):
        shared = "x" * 200_000
        write_file(tmp_path, "one.json", run_log(prompt=shared, answer="first"))
        write_file(tmp_path, "two.json", run_log(prompt=shared, answer="second"))

        one_pass(tmp_path)

        assert sorted(LLMLog.objects.values_list("assistant_answer", flat=True)) == ["first", "second"]

    def test_unrenamed_stored_file_is_duplicate(self, tmp_path):
        write_file(tmp_path, "run.json", run_log())
        one_pass(tmp_path)
        os.rename(tmp_path / "_run.json", tmp_path / "run.json")

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"run.json": DUPLICATE}
        assert names(tmp_path) == ["_run.json"]
        assert LLMLog.objects.count() == 1

    def test_processed_name_already_taken_is_not_overwritten(self, tmp_path):
        write_file(tmp_path, "_run.json", b"an older processed file")
        write_file(tmp_path, "run.json", run_log())

        one_pass(tmp_path)

        assert names(tmp_path) == ["_run.2.json", "_run.json"]
        assert (tmp_path / "_run.json").read_bytes() == b"an older processed file"

    def test_empty_file_is_reported_as_empty(self, tmp_path):
        write_file(tmp_path, "empty.json", b"")

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"empty.json": FAILED}
        assert FailedFile.objects.get().reason == "empty file (0 bytes)"

    def test_young_empty_file_waits(self, tmp_path):
        write_file(tmp_path, "empty.json", b"", age=0)

        summary = one_pass(tmp_path, settle_seconds=30)

        assert statuses(summary) == {"empty.json": NOT_READY}
        assert not FailedFile.objects.exists()


class FlakyRenameSource(LocalFolderSource):
    """A folder whose first `failures` renames to the processed name fail, as in a read-only folder."""

    def __init__(self, *args, failures=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.failures = failures

    def mark_processed(self, file):
        if self.failures:
            self.failures -= 1
            raise PermissionError(13, "Permission denied", file.location)
        return super().mark_processed(file)


class TestRenameFailure:
    def test_failed_rename_completes_next_pass(self, tmp_path, caplog):
        write_file(tmp_path, "run.json", run_log())
        source = FlakyRenameSource(tmp_path, settle_seconds=0.5, failures=3)
        ingester = Ingester(source, rename_retry_seconds=0)

        with caplog.at_level(logging.INFO, logger="logs_app.ingest"):
            passes = [ingester.run_pass() for _ in range(5)]

        assert [statuses(summary) for summary in passes] == [
            {"run.json": INGESTED},
            {"run.json": DUPLICATE},
            {"run.json": DUPLICATE},
            {"run.json": DUPLICATE},
            {},
        ]
        assert LLMLog.objects.count() == 1
        assert names(tmp_path) == ["_run.json"]
        errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert "cannot be renamed" in errors[0].getMessage()
        assert str(tmp_path / "run.json") in errors[0].getMessage()

    def test_rename_is_not_retried_before_the_retry_interval(self, tmp_path):
        write_file(tmp_path, "run.json", run_log())
        ingester = Ingester(FlakyRenameSource(tmp_path, failures=1), rename_retry_seconds=3600)

        first = ingester.run_pass()
        second = ingester.run_pass()

        assert statuses(first) == {"run.json": INGESTED}
        assert second.results == []
        assert names(tmp_path) == ["run.json"]


class TestEncodings:
    def stored_prompt(self, tmp_path, data):
        write_file(tmp_path, "run.json", data)
        summary = one_pass(tmp_path)
        return summary, LLMLog.objects.first()

    def test_utf8_with_bom(self, tmp_path):
        summary, log = self.stored_prompt(tmp_path, codecs.BOM_UTF8 + log_bytes(prompt="café au lait"))

        assert statuses(summary) == {"run.json": INGESTED}
        log.refresh_from_db()
        assert log.user_prompt == "café au lait"
        assert not log.raw_json.startswith("\ufeff")

    def test_utf16_with_bom_is_decoded(self, tmp_path):
        text = json.dumps(run_log(prompt="Grüße aus Köln"), ensure_ascii=False)
        summary, log = self.stored_prompt(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

        assert statuses(summary) == {"run.json": INGESTED}
        assert LLMLog.objects.get().user_prompt == "Grüße aus Köln"

    def test_crlf_line_endings(self, tmp_path):
        text = json.dumps(run_log(prompt="line one\r\nline two"), indent=2).replace("\n", "\r\n")
        summary, log = self.stored_prompt(tmp_path, text.encode())

        assert statuses(summary) == {"run.json": INGESTED}
        assert LLMLog.objects.get().user_prompt == "line one\r\nline two"

    def test_non_latin_and_emoji_stored(self, tmp_path):
        prompt = "北京的天气怎么样？ Погода в Москве? 서울 날씨 🌧️👍"
        summary, log = self.stored_prompt(tmp_path, log_bytes(prompt=prompt, answer="晴れ ☀️"))

        log = LLMLog.objects.get()
        assert log.user_prompt == prompt
        assert log.assistant_answer == "晴れ ☀️"
        assert prompt in log.raw_json

    def test_escaped_text_decoded_raw_kept(self, tmp_path):
        data = json.dumps(run_log(prompt="Ελληνικά 🎉")).encode()  # ensure_ascii: \u escapes
        self.stored_prompt(tmp_path, data)

        log = LLMLog.objects.get()
        assert log.user_prompt == "Ελληνικά 🎉"
        assert log.raw_json == data.decode()

    def test_invalid_utf8_is_set_aside_with_a_reason(self, tmp_path):
        summary, _ = self.stored_prompt(tmp_path, log_bytes(prompt="ok").replace(b"ok", b"\xff\xfe\xfa"))

        assert statuses(summary) == {"run.json": FAILED}
        assert "UTF-8" in FailedFile.objects.get().reason


class TestSizeLimit:
    def test_large_file_set_aside_unread(self, tmp_path):
        path = tmp_path / "huge.json"
        with open(path, "wb") as handle:
            handle.truncate(300 * 1024 * 1024)  # sparse: costs no disk
        old = time.time() - 3600
        os.utime(path, (old, old))

        tracemalloc.start()
        try:
            summary = one_pass(tmp_path, max_file_bytes=1000)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

        assert statuses(summary) == {"huge.json": FAILED}
        assert peak < 20 * 1024 * 1024
        failed = FailedFile.objects.get()
        assert "MAX_LOG_FILE_BYTES=1000" in failed.reason
        assert failed.size_bytes == 300 * 1024 * 1024
        assert Path(failed.set_aside_path).exists()

    def test_file_at_the_limit_is_read(self, tmp_path):
        data = log_bytes(run_log())
        write_file(tmp_path, "run.json", data)

        summary = one_pass(tmp_path, max_file_bytes=len(data))

        assert statuses(summary) == {"run.json": INGESTED}


class TestBundleIdentity:
    def test_rewritten_bundle_stores_only_the_new_entry(self, tmp_path):
        first = [run_log(prompt="one"), run_log(prompt="two")]
        write_file(tmp_path, "logs.json", log_bytes(first))
        one_pass(tmp_path)
        # The logger writes the whole bundle again, with one more run and other spacing.
        grown = json.dumps([*first, run_log(prompt="three")], indent=2).encode()
        write_file(tmp_path, "logs.json", grown)

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"logs.json": INGESTED}
        assert summary.runs == 1
        assert sorted(LLMLog.objects.values_list("user_prompt", flat=True)) == ["one", "three", "two"]

    def test_bundle_rewritten_unchanged_is_a_duplicate(self, tmp_path):
        entries = [run_log(prompt="one"), run_log(prompt="two")]
        write_file(tmp_path, "logs.json", log_bytes(entries))
        one_pass(tmp_path)
        write_file(tmp_path, "logs.json", json.dumps(list(entries), sort_keys=True).encode())

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"logs.json": DUPLICATE}
        assert LLMLog.objects.count() == 2

    def test_one_entry_bundle_grows_without_storing_twice(self, tmp_path):
        write_file(tmp_path, "logs.json", log_bytes([run_log(prompt="one")]))
        one_pass(tmp_path)
        write_file(tmp_path, "logs.json", log_bytes([run_log(prompt="one"), run_log(prompt="two")]))

        summary = one_pass(tmp_path)

        assert summary.runs == 1
        assert sorted(LLMLog.objects.values_list("user_prompt", flat=True)) == ["one", "two"]

    def test_identical_entries_in_one_bundle_are_one_run(self, tmp_path):
        write_file(tmp_path, "logs.json", log_bytes([run_log(prompt="same"), run_log(prompt="same")]))

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"logs.json": INGESTED}
        assert LLMLog.objects.count() == 1

    def test_single_run_files_keep_the_hash_of_their_bytes(self, tmp_path):
        data = log_bytes(run_log())
        write_file(tmp_path, "run.json", data)

        one_pass(tmp_path)

        assert LLMLog.objects.get().content_hash == hashlib.sha256(data).hexdigest()


class TestBundleWithBadEntries:
    def test_good_entries_stored_and_each_bad_entry_recorded(self, tmp_path, caplog):
        entries = [run_log(prompt="good one"), {"no": "run"}, run_log(prompt="good two"), 42]
        write_file(tmp_path, "logs.json", log_bytes(entries))

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"logs.json": INGESTED}
        assert (summary.runs, summary.files, summary.failed) == (2, 1, 2)
        assert "2 failed" in summary.line()
        assert sorted(LLMLog.objects.values_list("user_prompt", flat=True)) == ["good one", "good two"]
        assert names(tmp_path) == ["_logs.json"]
        records = FailedFile.objects.order_by("reason")
        assert [record.reason.split(":")[0] for record in records] == ["entry 2 of 4", "entry 4 of 4"]
        assert {record.original_path for record in records} == {str(tmp_path / "logs.json")}
        assert {record.set_aside_path for record in records} == {""}
        assert "entry 2 of 4" in caplog.text

    def test_bad_entry_is_recorded_once_when_the_bundle_grows(self, tmp_path):
        entries = [run_log(prompt="good"), {"no": "run"}]
        write_file(tmp_path, "logs.json", log_bytes(entries))
        one_pass(tmp_path)
        write_file(tmp_path, "logs.json", log_bytes([*entries, run_log(prompt="later")]))

        summary = one_pass(tmp_path)

        assert summary.runs == 1
        assert FailedFile.objects.count() == 1

    def test_bundle_without_a_readable_entry_is_set_aside(self, tmp_path):
        write_file(tmp_path, "logs.json", log_bytes([{"no": "run"}, 7]))

        summary = one_pass(tmp_path)

        assert statuses(summary) == {"logs.json": FAILED}
        assert names(tmp_path / "failed") == ["logs.json"]
        assert FailedFile.objects.get().set_aside_path == str(tmp_path / "failed" / "logs.json")


def usage_log(prompt="huge", **usage):
    document = run_log(prompt=prompt)
    document["messages"][1]["usage"] = {"input_tokens": 40, "output_tokens": 6, **usage}
    return document


class TestNumberLimits:
    """Every database stores the same thing, and no value fails the file."""

    def test_token_count_beyond_bigint_is_stored_as_unknown(self):
        # The parser already drops implausible counts; the store is the last guard for any other source of runs.
        run = parse_log(log_bytes(run_log()))[0]
        run.usage.output_tokens = run.responses[0].usage.output_tokens = 2**63

        store.fit_usage(run)
        log = store.build_log(run, content_hash="x", filepath="f", cost=price_run(run), ingested_at=datetime.now(UTC))
        log.save()

        log.refresh_from_db()
        assert log.total_output_tokens is None
        assert log.total_input_tokens == 40
        assert log.total_cost is None
        assert "output_tokens" in log.cost_unknown_reason

    def test_largest_bigint_token_count_is_kept(self):
        run = parse_log(log_bytes(run_log()))[0]
        run.usage.input_tokens = 2**63 - 1

        store.fit_usage(run)
        log = store.build_log(run, content_hash="x", filepath="f", cost=Cost(), ingested_at=datetime.now(UTC))
        log.save()

        log.refresh_from_db()
        assert log.total_input_tokens == 2**63 - 1

    def test_cost_beyond_the_money_column_is_unknown_with_the_reason(self):
        run = parse_log(log_bytes(run_log()))[0]
        cost = Cost(input_cost=Decimal("1E+12"), output_cost=Decimal(1), total_cost=Decimal("1E+12") + 1, source="x")

        log = store.build_log(run, content_hash="x", filepath="f", cost=cost, ingested_at=datetime.now(UTC))
        log.save()

        log.refresh_from_db()
        assert (log.input_cost, log.output_cost, log.total_cost) == (None, None, None)
        assert "too large to store" in log.cost_unknown_reason

    def test_cost_with_many_decimals_is_rounded_to_the_column(self):
        run = parse_log(log_bytes(run_log()))[0]
        amount = Decimal("0.123456789012345")
        cost = Cost(input_cost=amount, output_cost=amount, total_cost=amount * 2, reported_cost=Decimal("1E+30"))

        log = store.build_log(run, content_hash="x", filepath="f", cost=cost, ingested_at=datetime.now(UTC))
        log.save()

        log.refresh_from_db()
        assert log.input_cost == Decimal("0.1234567890")
        assert log.reported_cost is None
        assert "too large to store" in log.cost_note

    def test_cost_note_is_stored(self, tmp_path):
        run = parse_log(log_bytes(run_log()))[0]
        cost = Cost(total_cost=Decimal(1), note="The total is what the log reports.")

        log = store.build_log(run, content_hash="x", filepath="f", cost=cost, ingested_at=datetime.now(UTC))

        assert log.cost_note == "The total is what the log reports."

    def test_run_time_at_the_end_of_the_calendar_is_unknown(self):
        run = parse_log(log_bytes(run_log()))[0]
        run.started_at = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
        run.finished_at = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
        now = datetime.now(UTC)

        log = store.build_log(run, content_hash="x", filepath="f", cost=Cost(), ingested_at=now)
        log.save()

        assert (log.created_at, log.created_at_from_log, log.finished_at) == (now, False, None)

    def test_duration_beyond_bigint_is_unknown(self):
        run = parse_log(log_bytes(run_log()))[0]
        run.started_at = run.finished_at = None
        run.reported_duration_ms = 2**64

        log = store.build_log(run, content_hash="x", filepath="f", cost=Cost(), ingested_at=datetime.now(UTC))

        assert log.duration_ms is None


class TestLongNames:
    def name_max(self, folder):
        return os.pathconf(folder, "PC_NAME_MAX")

    def test_name_at_the_limit_is_renamed_to_a_short_processed_name(self, tmp_path):
        name = "r" * (self.name_max(tmp_path) - len(".json")) + ".json"
        write_file(tmp_path, name, run_log())

        summary = one_pass(tmp_path)
        again = one_pass(tmp_path)

        assert statuses(summary) == {name: INGESTED}
        [processed] = names(tmp_path)
        assert processed.startswith("_rrr")
        assert processed.endswith(".json")
        assert len(processed.encode()) <= self.name_max(tmp_path)
        assert again.results == []

    def test_two_long_names_get_two_processed_names(self, tmp_path):
        stem = "é" * ((self.name_max(tmp_path) - len(".json")) // 2)
        write_file(tmp_path, stem + ".json", run_log(prompt="a"))
        write_file(tmp_path, stem[:-1] + "x.json", run_log(prompt="b"))

        one_pass(tmp_path)

        processed = names(tmp_path)
        assert len(processed) == 2 and all(name.startswith("_é") for name in processed)
        assert LLMLog.objects.count() == 2

    def test_long_name_that_fails_is_set_aside(self, tmp_path):
        name = "b" * (self.name_max(tmp_path) - len(".json")) + ".json"
        write_file(tmp_path, name, b"{")
        one_pass(tmp_path)
        write_file(tmp_path, name, b"[")  # the same name again: the numbered variant must fit too

        one_pass(tmp_path)

        assert names(tmp_path) == ["failed"]
        assert len(names(tmp_path / "failed")) == 2
        assert FailedFile.objects.count() == 2


class TestClockSkew:
    def test_broken_file_dated_tomorrow_is_set_aside_now(self, tmp_path, caplog):
        path = write_file(tmp_path, "future.json", b'{"messages": [')
        tomorrow = time.time() + 86400
        os.utime(path, (tomorrow, tomorrow))

        with caplog.at_level(logging.INFO, logger="logs_app.ingest"):
            summary = one_pass(tmp_path)

        assert statuses(summary) == {"future.json": FAILED}
        assert "in the future" in caplog.text


class TestSkippedFiles:
    def test_links_pipes_and_folders_are_logged_once_with_the_reason(self, tmp_path, caplog):
        write_file(tmp_path, "real.txt", run_log())
        (tmp_path / "link.json").symlink_to(tmp_path / "real.txt")
        os.mkfifo(tmp_path / "pipe.json")
        (tmp_path / "folder.json").mkdir()
        source = make_source(tmp_path)

        with caplog.at_level(logging.INFO, logger="logs_app.ingest"):
            source.list_files()
            source.list_files()

        lines = [record.getMessage() for record in caplog.records]
        assert len(lines) == 3
        assert any("link.json: skipped because it is a symbolic link" in line for line in lines)
        assert any("pipe.json: skipped because it is a named pipe" in line for line in lines)
        assert any("folder.json: skipped because it is a folder" in line for line in lines)

    def test_prefixed_names_are_counted_at_debug(self, tmp_path, caplog):
        write_file(tmp_path, "_done.json", run_log())

        with caplog.at_level(logging.DEBUG, logger="logs_app.ingest"):
            make_source(tmp_path).list_files()

        assert "1 name(s) skipped" in caplog.text


class RivalSource(LocalFolderSource):
    """A source whose files another poller takes right after this one reads them."""

    def read_bytes(self, file, limit=None):
        data = super().read_bytes(file, limit)
        taken = Path(self.folder) / "rival"
        taken.mkdir(exist_ok=True)
        os.rename(file.location, taken / file.name)
        return data


class TestAnotherPoller:
    def test_files_taken_by_another_poller_are_not_counted(self, tmp_path):
        write_file(tmp_path, "stored.json", run_log(prompt="stored"), age=20)
        one_pass(tmp_path)
        # The other poller has committed this file's run but not renamed it yet.
        os.rename(tmp_path / "_stored.json", tmp_path / "stored.json")
        write_file(tmp_path, "young.json", b'{"messages": [', age=0)

        summary = Ingester(RivalSource(tmp_path, settle_seconds=60), rename_retry_seconds=0).run_pass()

        assert [result.status for result in summary.results] == [GONE, GONE]
        assert (summary.duplicates, summary.not_ready, summary.failed) == (0, 0, 0)
        assert "0 duplicates" in summary.line()
        assert "still being written" not in summary.line()
