"""Ingest agent-run logs from the logs folder, once or in a watch loop."""

import logging
import math
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection

from logs_app.dashboard import rollups
from logs_app.ingest.pipeline import DATABASE_OUTAGE, Ingester, PassSummary, retry_failed, source_from_settings
from logs_app.ingest.sources import SourceUnavailable

logger = logging.getLogger("logs_app.ingest.command")

# Sleeps are cut into slices this long so a signal is acted on quickly.
SLEEP_SLICE_SECONDS = 0.1
# Show progress on a terminal when a pass has at least this many files.
PROGRESS_MIN_FILES = 50
# The shortest poll interval: anything shorter is a busy loop.
MIN_POLL_SECONDS = 0.001


class Command(BaseCommand):
    help = (
        "Ingest agent-run log files from LOGS_DIR: store each run with its cost and check results, then rename "
        "the file with PROCESSED_PREFIX. Files that cannot be ingested are moved to LOGS_DIR/failed/. "
        "Runs one pass and exits, or keeps polling with --watch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--logs-dir", help="Folder to read (default: LOGS_DIR).")
        parser.add_argument("--glob", help="File name pattern to ingest (default: LOG_FILE_GLOB).")
        parser.add_argument("--prefix", help="Prefix added to processed files (default: PROCESSED_PREFIX).")
        parser.add_argument(
            "--poll-seconds", type=float, help="Seconds between passes with --watch (default: POLL_SECONDS)."
        )
        parser.add_argument(
            "--settle-seconds",
            type=float,
            help="Seconds a file must stay unchanged before a parse failure sets it aside (default: SETTLE_SECONDS).",
        )
        parser.add_argument("--watch", action="store_true", help="Keep polling until SIGTERM or SIGINT.")
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Log every file's outcome at DEBUG level, as MONITORING_DEBUG=1 does; Django's DEBUG is unchanged.",
        )
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="First move every set-aside file back from failed/ so this pass reads it again.",
        )

    def handle(self, *args, **options):
        if options["debug"] or settings.INGEST_DEBUG:
            # Only the ingester's loggers: Django's DEBUG stays as configured.
            logging.getLogger("logs_app.ingest").setLevel(logging.DEBUG)
        for name, minimum in (("poll_seconds", MIN_POLL_SECONDS), ("settle_seconds", 0)):
            value = options[name]
            if value is not None and not (math.isfinite(value) and value >= minimum):
                raise CommandError(
                    f"--{name.replace('_', '-')} must be a finite number of at least {minimum}, not {value}."
                )
        if options["prefix"] is not None and (not options["prefix"] or "/" in options["prefix"]):
            raise CommandError(f"--prefix {options['prefix']!r} must be a non-empty file name prefix without '/'.")
        check_glob(
            settings.LOG_FILE_GLOB if options["glob"] is None else options["glob"],
            "LOG_FILE_GLOB" if options["glob"] is None else "--glob",
            settings.PROCESSED_PREFIX if options["prefix"] is None else options["prefix"],
        )

        source = source_from_settings(
            folder=options["logs_dir"],
            glob=options["glob"],
            processed_prefix=options["prefix"],
            settle_seconds=options["settle_seconds"],
        )
        try:
            source.check()
        except SourceUnavailable as error:
            raise CommandError(
                f"Cannot ingest: {error}. Set LOGS_DIR or pass --logs-dir with the folder your agents write logs to."
            )

        self.verbosity = options["verbosity"]
        self.stopping = False
        previous_handlers = self._install_signal_handlers()
        try:
            if options["retry_failed"]:
                self._retry_failed(source)
            ingester = Ingester(source)
            poll_seconds = settings.POLL_SECONDS if options["poll_seconds"] is None else options["poll_seconds"]
            if options["watch"]:
                summary = self._watch(ingester, poll_seconds)
            else:
                summary = self._one_pass(ingester)
        finally:
            self._restore_signal_handlers(previous_handlers)

        if self.verbosity >= 1:
            self.stdout.write(summary.line())

    def _one_pass(self, ingester):
        try:
            return self._run_pass(ingester)
        except SourceUnavailable as error:
            raise CommandError(f"Cannot ingest: {error}. Check LOGS_DIR or --logs-dir.")
        except DATABASE_OUTAGE as error:
            raise CommandError(
                f"The database is unavailable ({error}). Nothing was marked processed; check DATABASE_URL and run "
                "the command again, or use --watch to keep retrying."
            )

    def _watch(self, ingester, poll_seconds):
        """Poll until a signal arrives; a database outage is retried with back-off."""
        total = PassSummary()
        delay = settings.DB_RETRY_INITIAL_SECONDS
        outage_since = None
        folder_missing = False
        logger.info("Watching %s every %ss", ingester.source.describe(), poll_seconds)
        while not self.stopping:
            try:
                close_old_connections()
                summary = self._run_pass(ingester)
            except DATABASE_OUTAGE as error:
                if outage_since is None:
                    outage_since = time.monotonic()
                logger.error("Database unavailable (%s); nothing marked processed, retrying in %.2fs", error, delay)
                connection.close()
                self._sleep(delay)
                delay = min(max(delay * 2, 0.01), settings.DB_RETRY_MAX_SECONDS)
                continue
            except SourceUnavailable as error:
                if not folder_missing:
                    logger.error("Cannot list the logs: %s; retrying every %ss", error, poll_seconds)
                folder_missing = True
                self._sleep(max(poll_seconds, SLEEP_SLICE_SECONDS))
                continue

            if folder_missing:
                logger.info("The logs folder is readable again; resuming")
                folder_missing = False
            if outage_since is not None:
                logger.info("Database reachable again after %.1fs; resuming", time.monotonic() - outage_since)
                outage_since = None
                delay = settings.DB_RETRY_INITIAL_SECONDS
            total.merge(summary)
            self._sleep(poll_seconds)
        logger.info("Stopping on signal; %s", total.line())
        return total

    def _run_pass(self, ingester):
        summary = ingester.run_pass(should_stop=self._should_stop, progress=self._progress_reporter())
        if summary.runs:
            # The dashboard would roll up new runs on its next view; doing it here keeps that view fast.
            # The runs are committed and renamed already, so a rollup failure must not stop ingestion or lose
            # this pass's counts. The dirty marks stay, so the next call or dashboard view catches up.
            try:
                rollups.catch_up()
            except (ArithmeticError, ValueError, DatabaseError) as error:
                logger.error(
                    "Stored the runs, but the dashboard rollups could not be updated (%s: %s); ingestion goes on. "
                    "Run `manage.py rebuild_dashboard_rollups` once the cause is fixed.",
                    type(error).__name__,
                    error,
                )
        return summary

    def _retry_failed(self, source):
        try:
            outcome = retry_failed(source=source)
        except DATABASE_OUTAGE as error:
            raise CommandError(f"The database is unavailable ({error}); check DATABASE_URL and run the command again.")
        for problem in outcome.problems:
            self.stderr.write(problem)
        if self.verbosity >= 1:
            self.stdout.write(f"Moved {len(outcome.restored)} set-aside file(s) back for another try.")

    def _should_stop(self):
        return self.stopping

    def _sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, SLEEP_SLICE_SECONDS))

    def _progress_reporter(self):
        if self.verbosity < 1 or not self.stdout.isatty():
            return None

        def report(done, total):
            if total >= PROGRESS_MIN_FILES and (done % 10 == 0 or done == total):
                self.stdout.write(f"\r{done}/{total} files", ending="\n" if done == total else "")
                self.stdout.flush()

        return report

    def _install_signal_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for number in (signal.SIGTERM, signal.SIGINT):
            previous[number] = signal.signal(number, self._on_signal)
        return previous

    def _restore_signal_handlers(self, previous):
        for number, handler in previous.items():
            signal.signal(number, handler)

    def _on_signal(self, number, frame):
        # Only a flag: the loop finishes the file in hand and stops at the next check.
        self.stopping = True


def check_glob(glob, origin, prefix):
    """Raise CommandError when the glob can never match a file the ingester would read."""
    if not glob:
        raise CommandError(f"{origin} is empty; set it to a file name pattern such as '*.json'.")
    if "/" in glob:
        raise CommandError(f"{origin} {glob!r} matches file names inside the folder, so it cannot contain '/'.")
    if glob.startswith(prefix):
        raise CommandError(
            f"{origin} {glob!r} starts with the processed prefix {prefix!r}, so it only matches files that are "
            "already processed and nothing is ever ingested; use a pattern such as '*.json' or another prefix."
        )
