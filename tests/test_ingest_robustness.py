"""Ingestion under crashes, concurrency and database outages; the command runs as real subprocesses."""

import os
import re
import signal
import socket
import threading
import time

import pytest
from django.db import connection, transaction

from logs_app.ingest.pipeline import PAUSE_ENV
from logs_app.models import FailedFile, Feedback, LLMLog
from tests.ingest_support import (
    CommandProcess,
    database_url,
    is_sqlite,
    log_bytes,
    make_source,
    names,
    one_pass,
    run_log,
    wait_for,
    write_file,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logs_dir(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


def assert_each_run_stored_once(expected_prompts):
    prompts = sorted(LLMLog.objects.values_list("user_prompt", flat=True))
    assert prompts == sorted(expected_prompts)
    assert LLMLog.objects.values("content_hash").distinct().count() == len(expected_prompts)


class TestKilledMidFile:
    """SIGKILL at each step of a file's handling, then a restart: every run once, every file dealt with."""

    @pytest.mark.parametrize("point", ["read", "before_commit", "after_commit", "after_rename", "failure_recorded"])
    def test_restart_after_sigkill_stores_each_run_once(self, logs_dir, point):
        write_file(logs_dir, "bundle.json", log_bytes([run_log(prompt=f"bundled {n}") for n in range(3)]), age=30)
        write_file(logs_dir, "single.json", run_log(prompt="single"), age=20)
        write_file(logs_dir, "broken.json", b'{"agent_name": "cut', age=10)

        crashed = CommandProcess(logs_dir, **{PAUSE_ENV: point})
        try:
            wait_for(lambda: f"paused at {point}" in crashed.stderr, message=f"the pause at {point}")
            crashed.signal(signal.SIGKILL)
            crashed.wait()
        finally:
            crashed.stop()
        one_pass(logs_dir)

        assert_each_run_stored_once(["bundled 0", "bundled 1", "bundled 2", "single"])
        assert names(logs_dir) == ["_bundle.json", "_single.json", "failed"]
        assert names(logs_dir / "failed") == ["broken.json"]
        failed = FailedFile.objects.get()
        assert failed.set_aside_path == str(logs_dir / "failed" / "broken.json")
        assert "invalid JSON" in failed.reason


class TestTwoPollers:
    def make_backlog(self, folder):
        prompts = []
        for number in range(24):
            write_file(folder, f"run{number:02}.json", run_log(prompt=f"run {number}"))
            prompts.append(f"run {number}")
        for number in range(4):
            bundle = [run_log(prompt=f"bundle {number}.{entry}") for entry in range(2)]
            write_file(folder, f"bundle{number}.json", log_bytes(bundle))
            prompts += [f"bundle {number}.0", f"bundle {number}.1"]
        for number in range(4):
            write_file(folder, f"broken{number}.json", b'{"messages": [' + str(number).encode())
        return prompts

    def test_two_pollers_ingest_each_file_once(self, logs_dir):
        # Each poller keeps its transaction open a moment before committing, so their work overlaps.
        pause = {PAUSE_ENV: "before_commit", "INGEST_TEST_PAUSE_SECONDS": "0.01"}
        pollers = [CommandProcess(logs_dir, "--watch", "--debug", **pause) for _ in range(2)]
        try:
            for poller in pollers:
                wait_for(lambda poller=poller: "Watching" in poller.stdout, message="both pollers to start")
            prompts = self.make_backlog(logs_dir)
            wait_for(lambda: all(name.startswith("_") for name in names(logs_dir) if name != "failed"), timeout=60)
            for poller in pollers:
                poller.signal(signal.SIGTERM)
            codes = [poller.wait() for poller in pollers]
        finally:
            for poller in pollers:
                poller.stop()

        output = "".join(poller.output for poller in pollers)
        assert codes == [0, 0], output
        assert "locked" not in output
        assert "Traceback" not in output
        assert_each_run_stored_once(prompts)
        processed = [f"_run{n:02}.json" for n in range(24)] + [f"_bundle{n}.json" for n in range(4)]
        assert names(logs_dir) == sorted(["failed", *processed])
        assert names(logs_dir / "failed") == [f"broken{n}.json" for n in range(4)]
        assert FailedFile.objects.count() == 4
        pattern = r"Ingested (\d+) runs? from \d+ files?, (\d+) duplicates? skipped, (\d+) failed"
        totals = [[int(count) for count in re.search(pattern, poller.stdout).groups()] for poller in pollers]
        assert sum(runs for runs, _, _ in totals) == len(prompts)
        assert sum(failed for _, _, failed in totals) == 4
        # Which poller handles which file is a race: one may trail the other and find every file
        # gone, which leaves it nothing to count. The totals above hold either way.

    def test_ingest_while_feedback_is_written(self, logs_dir):
        target = LLMLog.objects.create(
            created_at="2026-11-30T09:00:00Z", filepath="seed", content_hash="seed", raw_json="{}"
        )
        prompts = self.make_backlog(logs_dir)
        errors, written = [], []
        stop = threading.Event()

        def write_feedback():
            try:
                while not stop.is_set():
                    try:
                        with transaction.atomic():
                            Feedback.objects.create(log=target, is_good=True, comments="looks right")
                            time.sleep(0.002)  # hold the write lock a moment, as a slow request would
                        written.append(1)
                        time.sleep(0.01)
                    except Exception as error:  # noqa: BLE001 - the test reports any failure below
                        errors.append(repr(error))
            finally:
                connection.close()

        writer = threading.Thread(target=write_feedback)
        writer.start()
        try:
            poller = CommandProcess(logs_dir)
            code = poller.wait(timeout=60)
        finally:
            stop.set()
            writer.join()
            poller.stop()

        assert code == 0, poller.output
        assert "locked" not in poller.output
        assert errors == []
        assert len(written) > 10
        assert Feedback.objects.count() == len(written)
        assert sorted(LLMLog.objects.exclude(pk=target.pk).values_list("user_prompt", flat=True)) == sorted(prompts)


class TcpProxy:
    """A loopback TCP forwarder the test can cut and restore, standing in for a database outage."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.sockets = []
        self.running = threading.Event()
        self.thread = None

    def start(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.server.settimeout(0.05)
        self.running.set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self):
        self.running.clear()
        self.thread.join()
        self.server.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets = []

    def _accept(self):
        while self.running.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class TestDatabaseOutage:
    def test_watch_retries_with_backoff_marks_nothing_and_resumes(self, logs_dir):
        if is_sqlite():
            pytest.skip("simulates a PostgreSQL server going away; SQLite has no server")
        settings_dict = connection.settings_dict
        proxy = TcpProxy(int(settings_dict["PORT"] or 5432))
        proxy.start()
        url = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.port}/", database_url())
        watcher = CommandProcess(
            logs_dir, "--watch", url=url, DB_RETRY_INITIAL_SECONDS="0.05", DB_RETRY_MAX_SECONDS="0.4"
        )
        try:
            write_file(logs_dir, "before.json", run_log(prompt="before the outage"))
            wait_for(lambda: "_before.json" in names(logs_dir), message="the first file ingested")

            proxy.stop()
            write_file(logs_dir, "during.json", run_log(prompt="during the outage"))
            wait_for(lambda: watcher.stdout.count("Database unavailable") >= 6, message="several retries")
            assert "during.json" in names(logs_dir)
            assert not LLMLog.objects.filter(user_prompt="during the outage").exists()

            proxy.start()
            wait_for(lambda: "_during.json" in names(logs_dir), message="ingestion to resume")
            watcher.signal(signal.SIGTERM)
            code = watcher.wait()
        finally:
            watcher.stop()
            if proxy.running.is_set():
                proxy.stop()

        assert code == 0, watcher.output
        assert_each_run_stored_once(["before the outage", "during the outage"])
        assert not FailedFile.objects.exists()
        delays = [float(delay) for delay in re.findall(r"retrying in ([\d.]+)s", watcher.stdout)]
        assert delays[:4] == [0.05, 0.1, 0.2, 0.4]
        assert max(delays) == 0.4
        assert "Database reachable again" in watcher.stdout
        assert (
            watcher.stdout.strip().splitlines()[-1] == "Ingested 2 runs from 2 files, 0 duplicates skipped, 0 failed."
        )


@pytest.mark.django_db
class TestFolderScan:
    def test_skipped_names_never_read(self, logs_dir):
        for name in ["_done.json", ".hidden.json", "writing.json.tmp", "notes.txt", "run.json"]:
            write_file(logs_dir, name, b"{")
        (logs_dir / "sub").mkdir()
        write_file(logs_dir / "sub", "nested.json", b"{")
        (logs_dir / "link.json").symlink_to(logs_dir / "run.json")
        os.mkfifo(logs_dir / "pipe.json")

        listed = [file.name for file in make_source(logs_dir).list_files()]

        assert listed == ["run.json"]

    def test_set_aside_never_matched_again(self, logs_dir):
        write_file(logs_dir, "bad", b"{")

        one_pass(logs_dir, glob="*", processed_prefix="x")
        again = one_pass(logs_dir, glob="*", processed_prefix="x")

        assert names(logs_dir) == ["failed"]
        assert again.results == []
        assert FailedFile.objects.count() == 1

    def test_listing_many_processed_files_is_cheap(self, logs_dir):
        for number in range(20_000):
            (logs_dir / f"_run{number}.json").touch()
        write_file(logs_dir, "new.json", run_log())
        source = make_source(logs_dir)

        started = time.perf_counter()
        listed = source.list_files()
        elapsed = time.perf_counter() - started

        assert [file.name for file in listed] == ["new.json"]
        assert elapsed < 0.5


class TestFileReplacedAfterRead:
    """A writer replaces the file after the ingester has read its old bytes: the new content is never lost."""

    @pytest.mark.parametrize("replace", ["rename", "rewrite"])
    def test_replaced_file_is_not_renamed_and_is_read_next_pass(self, logs_dir, replace):
        path = write_file(logs_dir, "run.json", run_log(prompt="old"), age=30)

        paused = CommandProcess(logs_dir, **{PAUSE_ENV: "read", "INGEST_TEST_PAUSE_SECONDS": "1"})
        try:
            wait_for(lambda: "paused at read" in paused.stderr, message="the pause at read")
            if replace == "rename":
                write_file(logs_dir, "run.json.tmp", run_log(prompt="new"), age=0)
                os.rename(logs_dir / "run.json.tmp", path)
            else:
                path.write_bytes(log_bytes(run_log(prompt="new")))
            code = paused.wait()
        finally:
            paused.stop()

        assert code == 0, paused.output
        assert names(logs_dir) == ["run.json"]
        assert "changed after it was read" in paused.output
        assert list(LLMLog.objects.values_list("user_prompt", flat=True)) == ["old"]

        os.utime(path, (time.time() - 30, time.time() - 30))
        one_pass(logs_dir)

        assert names(logs_dir) == ["_run.json"]
        assert sorted(LLMLog.objects.values_list("user_prompt", flat=True)) == ["new", "old"]
