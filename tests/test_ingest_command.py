"""The ingest_logs command: one pass in-process, and the watch loop as a subprocess stopped by a signal."""

import io
import logging
import os
import signal
import socket
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from logs_app.dashboard import rollups
from logs_app.dashboard.models import DirtyHour, RunHour
from logs_app.models import FailedFile, LLMLog
from tests.ingest_support import CommandProcess, log_bytes, names, run_command, run_log, wait_for, write_file


@pytest.fixture
def logs_dir(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


@pytest.fixture
def restore_ingest_log_level():
    logger = logging.getLogger("logs_app.ingest")
    level = logger.level
    yield
    logger.setLevel(level)


def ingest(*args, **options):
    stdout = io.StringIO()
    call_command("ingest_logs", *args, stdout=stdout, stderr=io.StringIO(), **options)
    return stdout.getvalue()


@pytest.mark.django_db
class TestOnePass:
    def test_summary_line_counts_runs_files_duplicates_and_failures(self, logs_dir):
        write_file(logs_dir, "a.json", run_log(prompt="a"), age=30)
        write_file(logs_dir, "b.json", log_bytes([run_log(prompt="b1"), run_log(prompt="b2")]), age=20)
        write_file(logs_dir, "a-copy.json", run_log(prompt="a"), age=10)
        write_file(logs_dir, "broken.json", b'{"agent_name": "x", "messa')

        output = ingest(logs_dir=str(logs_dir))

        assert output.strip().splitlines()[-1] == "Ingested 3 runs from 2 files, 1 duplicate skipped, 1 failed."
        assert LLMLog.objects.count() == 3
        assert names(logs_dir) == ["_a-copy.json", "_a.json", "_b.json", "failed"]

    def test_new_runs_are_rolled_up_for_the_dashboard(self, logs_dir):
        write_file(logs_dir, "a.json", run_log())

        ingest(logs_dir=str(logs_dir))

        assert not DirtyHour.objects.exists()
        assert RunHour.objects.get().runs == 1

    def test_rollup_failure_after_the_commit_is_logged_and_ingestion_goes_on(self, logs_dir, monkeypatch, caplog):
        def overflow():
            raise OverflowError("date value out of range")

        monkeypatch.setattr(rollups, "catch_up", overflow)
        write_file(logs_dir, "a.json", run_log())

        output = ingest(logs_dir=str(logs_dir))

        assert "Ingested 1 run from 1 file" in output
        assert names(logs_dir) == ["_a.json"]
        assert "dashboard rollups could not be updated (OverflowError: date value out of range)" in caplog.text

    def test_run_dated_at_the_end_of_the_calendar_is_ingested(self, logs_dir):
        document = run_log()
        for message in document["messages"]:
            for part in message["parts"]:
                part["timestamp"] = "9999-12-31T23:59:59+00:00"
            message["timestamp"] = "9999-12-31T23:59:59+00:00"
        write_file(logs_dir, "late.json", document)

        output = ingest(logs_dir=str(logs_dir))

        assert "Ingested 1 run from 1 file" in output
        assert LLMLog.objects.get().created_at_from_log is False

    @pytest.mark.parametrize(
        ("glob", "expected"),
        [("", "is empty"), ("sub/*.json", "cannot contain '/'"), ("_*.json", "starts with the processed prefix")],
    )
    def test_glob_setting_that_can_never_match_is_refused(self, logs_dir, settings, glob, expected):
        settings.LOG_FILE_GLOB = glob

        with pytest.raises(CommandError, match=expected) as raised:
            ingest(logs_dir=str(logs_dir))

        assert "LOG_FILE_GLOB" in str(raised.value)

    def test_glob_option_starting_with_the_prefix_is_refused(self, logs_dir):
        with pytest.raises(CommandError, match="--glob '_\\*.json' starts with the processed prefix"):
            ingest(logs_dir=str(logs_dir), glob="_*.json")

    @pytest.mark.parametrize("value", [0, float("inf"), float("nan")])
    def test_poll_interval_must_be_positive_and_finite(self, logs_dir, value):
        with pytest.raises(CommandError, match="--poll-seconds must be a finite number of at least 0.001"):
            ingest(logs_dir=str(logs_dir), poll_seconds=value)

    def test_second_run_changes_nothing(self, logs_dir):
        write_file(logs_dir, "a.json", run_log())
        write_file(logs_dir, "broken.json", b"{")
        ingest(logs_dir=str(logs_dir))
        before = names(logs_dir), LLMLog.objects.count(), FailedFile.objects.count()

        output = ingest(logs_dir=str(logs_dir))

        assert output.strip() == "Ingested 0 runs from 0 files, 0 duplicates skipped, 0 failed."
        assert (names(logs_dir), LLMLog.objects.count(), FailedFile.objects.count()) == before

    def test_options_override_glob_and_prefix(self, logs_dir):
        write_file(logs_dir, "run.log", run_log())
        write_file(logs_dir, "run.json", run_log(prompt="other"))

        ingest(logs_dir=str(logs_dir), glob="*.log", prefix="done-")

        assert names(logs_dir) == ["done-run.log", "run.json"]
        assert LLMLog.objects.get().filepath == str(logs_dir / "run.log")

    def test_settle_option_keeps_fresh_file(self, logs_dir):
        write_file(logs_dir, "fresh.json", b'{"messages": [', age=0)

        output = ingest(logs_dir=str(logs_dir), settle_seconds=60)

        assert "0 failed, 1 still being written" in output
        assert names(logs_dir) == ["fresh.json"]
        assert not FailedFile.objects.exists()

    def test_missing_folder_says_what_to_set(self, tmp_path):
        with pytest.raises(CommandError) as error:
            ingest(logs_dir=str(tmp_path / "nowhere"))

        message = str(error.value)
        assert str(tmp_path / "nowhere") in message
        assert "LOGS_DIR" in message
        assert "--logs-dir" in message

    def test_logs_dir_file_rejected(self, tmp_path):
        (tmp_path / "logs").write_text("not a folder")

        with pytest.raises(CommandError, match="LOGS_DIR"):
            ingest(logs_dir=str(tmp_path / "logs"))

    def test_negative_interval_is_refused(self, logs_dir):
        with pytest.raises(CommandError, match="--poll-seconds"):
            ingest(logs_dir=str(logs_dir), poll_seconds=-1)

    def test_verbosity_zero_prints_nothing(self, logs_dir):
        write_file(logs_dir, "a.json", run_log())

        assert ingest(logs_dir=str(logs_dir), verbosity=0) == ""
        assert LLMLog.objects.count() == 1

    def test_debug_option_keeps_django_debug_off(self, logs_dir, caplog, restore_ingest_log_level):
        write_file(logs_dir, "a.json", run_log())
        write_file(logs_dir, "a-again.json", run_log())

        with caplog.at_level(logging.NOTSET):
            ingest(logs_dir=str(logs_dir), debug=True)

        debug_lines = [record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG]
        assert any("a-again.json" in line and "duplicate" in line for line in debug_lines)
        assert settings.DEBUG is False

    def test_retry_failed_option_reads_set_aside_files_again(self, logs_dir):
        write_file(logs_dir, "late.json", b'{"messages": [')
        ingest(logs_dir=str(logs_dir))
        write_file(logs_dir / "failed", "late.json", run_log())

        output = ingest(logs_dir=str(logs_dir), retry_failed=True)

        assert "Moved 1 set-aside file(s) back" in output
        assert "Ingested 1 run from 1 file" in output
        assert names(logs_dir) == ["_late.json", "failed"]
        assert FailedFile.objects.get().retried_at is not None

    def test_progress_is_shown_on_a_terminal(self, logs_dir):
        for number in range(60):
            write_file(logs_dir, f"run{number:02}.json", run_log(prompt=f"question {number}"))

        class Terminal(io.StringIO):
            def isatty(self):
                return True

        stdout = Terminal()
        call_command("ingest_logs", logs_dir=str(logs_dir), stdout=stdout)

        assert "\r60/60 files" in stdout.getvalue()
        assert "Ingested 60 runs from 60 files" in stdout.getvalue()

    def test_no_progress_when_not_a_terminal(self, logs_dir):
        for number in range(60):
            write_file(logs_dir, f"run{number:02}.json", run_log(prompt=f"question {number}"))

        output = ingest(logs_dir=str(logs_dir))

        assert "/60 files" not in output


@pytest.mark.django_db(transaction=True)
class TestSubprocess:
    """The command as users run it: a separate process that shares the test database."""

    @pytest.mark.parametrize("variable", ["MONITORING_DEBUG", "DEBUG"])
    def test_debug_variables_give_per_file_debug_lines(self, logs_dir, variable):
        write_file(logs_dir, "a.json", run_log())

        code, stdout, stderr = run_command(logs_dir, **{variable: "1"})

        assert code == 0, stderr
        assert "DEBUG logs_app.ingest" in stdout
        assert "a.json" in stdout
        assert "Ingested 1 run from 1 file" in stdout

    def test_without_debug_there_are_no_debug_lines(self, logs_dir):
        write_file(logs_dir, "a.json", run_log())

        code, stdout, stderr = run_command(logs_dir)

        assert code == 0, stderr
        assert " DEBUG " not in stdout

    def test_missing_folder_exits_with_an_error(self, tmp_path):
        code, stdout, stderr = run_command(tmp_path / "nowhere")

        assert code == 1
        assert "Set LOGS_DIR or pass --logs-dir" in stderr

    def test_unreachable_database_fails_the_pass_and_marks_nothing(self, logs_dir):
        write_file(logs_dir, "a.json", run_log())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]

        code, stdout, stderr = run_command(logs_dir, url=f"postgresql://postgres@127.0.0.1:{closed_port}/nothing")

        assert code == 1
        assert "The database is unavailable" in stderr
        assert "Nothing was marked processed" in stderr
        assert names(logs_dir) == ["a.json"]

    def test_watch_ingests_slow_and_tmp_writes_once(self, logs_dir):
        data = log_bytes(run_log(prompt="slow"))
        tmp_data = log_bytes(run_log(prompt="via tmp"))
        watcher = CommandProcess(logs_dir, "--watch", "--debug", SETTLE_SECONDS="1.5")
        try:
            wait_for(lambda: "Watching" in watcher.stdout, message="the watch loop to start")
            with open(logs_dir / "slow.json", "wb") as slow, open(logs_dir / "other.json.tmp", "wb") as tmp:
                slow.write(data[:300])
                slow.flush()
                tmp.write(tmp_data[:300])
                tmp.flush()
                time.sleep(0.6)  # several polls see the partial files
                slow.write(data[300:])
                tmp.write(tmp_data[300:])
            os.rename(logs_dir / "other.json.tmp", logs_dir / "other.json")

            wait_for(lambda: names(logs_dir) == ["_other.json", "_slow.json"], message="both files processed")
            time.sleep(0.3)  # a few more polls must change nothing
            watcher.signal(signal.SIGTERM)
            code = watcher.wait()
        finally:
            watcher.stop()

        assert code == 0, watcher.output
        assert sorted(LLMLog.objects.values_list("user_prompt", flat=True)) == ["slow", "via tmp"]
        assert not FailedFile.objects.exists()
        assert "not ready yet" in watcher.stdout  # the partial file was seen and left alone
        assert ".tmp" not in watcher.stdout
        assert (
            watcher.stdout.strip().splitlines()[-1] == "Ingested 2 runs from 2 files, 0 duplicates skipped, 0 failed."
        )

    def test_truncated_file_is_set_aside_once_after_settling(self, logs_dir):
        write_file(logs_dir, "cut.json", log_bytes(run_log())[:-40], age=0)
        watcher = CommandProcess(logs_dir, "--watch", SETTLE_SECONDS="0.4")
        try:
            wait_for(lambda: names(logs_dir) == ["failed"], message="the truncated file set aside")
            time.sleep(0.3)
            watcher.signal(signal.SIGINT)
            code = watcher.wait()
        finally:
            watcher.stop()

        assert code == 0, watcher.output
        failed = FailedFile.objects.get()
        assert "invalid JSON" in failed.reason
        assert "line 1, column" in failed.reason
        assert watcher.stdout.count("set aside") == 1
        assert "1 failed" in watcher.stdout.strip().splitlines()[-1]

    @pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
    def test_signal_finishes_file_in_hand(self, logs_dir, signal_number):
        write_file(logs_dir, "first.json", run_log(prompt="first"), age=20)
        write_file(logs_dir, "second.json", run_log(prompt="second"), age=10)
        watcher = CommandProcess(
            logs_dir, "--watch", INGEST_TEST_PAUSE_AT="before_commit", INGEST_TEST_PAUSE_SECONDS="0.5"
        )
        try:
            wait_for(lambda: "paused at before_commit" in watcher.stderr, message="the pause before the commit")
            watcher.signal(signal_number)
            code = watcher.wait()
        finally:
            watcher.stop()

        assert code == 0, watcher.output
        assert list(LLMLog.objects.values_list("user_prompt", flat=True)) == ["first"]
        assert names(logs_dir) == ["_first.json", "second.json"]
        assert watcher.stdout.strip().splitlines()[-1] == "Ingested 1 run from 1 file, 0 duplicates skipped, 0 failed."

    def test_idle_watch_stops_promptly_on_sigterm(self, logs_dir):
        watcher = CommandProcess(logs_dir, "--watch", "--poll-seconds", "30")
        try:
            wait_for(lambda: "Watching" in watcher.stdout, message="the watch loop to start")
            started = time.monotonic()
            watcher.signal(signal.SIGTERM)
            code = watcher.wait()
        finally:
            watcher.stop()

        assert code == 0
        assert time.monotonic() - started < 2
        assert "Ingested 0 runs from 0 files" in watcher.stdout
