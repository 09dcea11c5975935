"""Ingest log files from a source: read, hash, parse, price, check, store, then mark processed.

Identity: a single-run file is known by the SHA-256 of its bytes, a bundle
entry by the SHA-256 of its canonical JSON (store.identity()). So a bundle
rewritten with one more entry stores only that entry.

Error policy:

- A file's runs and their check rows are saved in one transaction; the file is
  renamed only after the commit. Each run's content_hash is unique, so a crash
  between the commit and the rename finds the runs stored on the next pass:
  the file is reported as a duplicate and renamed then.
- The file is renamed only if it is still the file that was read; one that a
  writer replaced in the meantime stays for the next pass.
- A bundle entry that cannot be read gets its own FailedFile row ("entry N of
  M: ..."), with no set-aside path; the other entries are stored and the file
  is renamed as usual. A bundle with no readable entry is set aside whole.
- A file that does not parse while it is still changing (younger than the
  source's settle time) is left for a later pass. Once settled, it is set aside
  and a FailedFile row keeps the reason; it is not read again until someone
  retries it (retry_failed()).
- One bad file never stops the others. Only a database outage stops a pass:
  OperationalError or InterfaceError propagate, nothing is marked processed,
  and the caller retries later.
"""

import errno
import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone

from logs_app.ingest import store
from logs_app.ingest.checks import run_checks
from logs_app.ingest.decoding import decode_log
from logs_app.ingest.parsing import load_json, parse_log_entries
from logs_app.ingest.pricing import price_run
from logs_app.ingest.run import NUL_REPLACEMENT, ParseError
from logs_app.ingest.sources import FileChanged, FileTooLarge, LocalFolderSource
from logs_app.models import FailedFile, LLMLog

logger = logging.getLogger(__name__)

INGESTED = "ingested"
DUPLICATE = "duplicate"
FAILED = "failed"
NOT_READY = "not ready"
# Taken by another poller between the listing and the read.
GONE = "gone"

# A database that cannot be reached; the caller waits and retries the pass.
DATABASE_OUTAGE = (OperationalError, InterfaceError)

# Test-only hook: INGEST_TEST_PAUSE_AT=<point> makes the process print a line to
# stderr and sleep at that point (INGEST_TEST_PAUSE_SECONDS, default an hour) so
# a test can kill or signal it there. Points, in order: read, before_commit
# (rows written, transaction open), after_commit (before the rename),
# after_rename, failure_recorded (FailedFile saved, file not yet moved).
PAUSE_ENV = "INGEST_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "INGEST_TEST_PAUSE_SECONDS"


@dataclass
class FileResult:
    status: str
    name: str
    runs: int = 0
    reason: str = ""
    # Bundle entries that could not be read; each counts as one failure in the summary.
    failed_entries: int = 0


@dataclass
class PassSummary:
    files: int = 0
    runs: int = 0
    duplicates: int = 0
    failed: int = 0
    not_ready: int = 0
    results: list = field(default_factory=list, repr=False)

    def add(self, result):
        self.results.append(result)
        self.failed += result.failed_entries
        if result.status == INGESTED:
            self.files += 1
            self.runs += result.runs
        elif result.status == DUPLICATE:
            self.duplicates += 1
        elif result.status == FAILED:
            self.failed += 1
        elif result.status == NOT_READY:
            self.not_ready += 1

    def merge(self, other):
        """Add another pass's counts to a watch loop's running total.

        Files still being written are left out because the next pass lists them again.
        """
        self.files += other.files
        self.runs += other.runs
        self.duplicates += other.duplicates
        self.failed += other.failed

    def line(self):
        text = (
            f"Ingested {self.runs} run{'s' * (self.runs != 1)} from {self.files} file{'s' * (self.files != 1)}, "
            f"{self.duplicates} duplicate{'s' * (self.duplicates != 1)} skipped, {self.failed} failed"
        )
        if self.not_ready:
            text += f", {self.not_ready} still being written"
        return text + "."


def source_from_settings(**overrides):
    """Build the local folder source from settings; keyword arguments override them."""
    options = {
        "folder": settings.LOGS_DIR,
        "glob": settings.LOG_FILE_GLOB,
        "processed_prefix": settings.PROCESSED_PREFIX,
        "settle_seconds": settings.SETTLE_SECONDS,
        "max_file_bytes": settings.MAX_LOG_FILE_BYTES,
    }
    options.update({key: value for key, value in overrides.items() if value is not None})
    return LocalFolderSource(**options)


class Ingester:
    """Ingests the files of one source; keeps what it must remember between passes."""

    def __init__(self, source, rename_retry_seconds=None):
        self.source = source
        self.rename_retry_seconds = (
            settings.RENAME_RETRY_SECONDS if rename_retry_seconds is None else rename_retry_seconds
        )
        # location -> monotonic time of the last failed rename. A file whose
        # rows are committed but whose rename failed is logged once, and read
        # again only after rename_retry_seconds.
        self._rename_failures = {}

    def run_pass(self, should_stop=lambda: False, progress=None):
        """Handle every file the source lists once; stop between files when should_stop() is true."""
        summary = PassSummary()
        files = self.source.list_files()
        for number, file in enumerate(files, start=1):
            if should_stop():
                break
            if self._rename_pending(file):
                continue
            summary.add(self.ingest_file(file))
            if progress is not None:
                progress(number, len(files))
        return summary

    def ingest_file(self, file):
        """Ingest one file and return what happened; raises only for a database outage."""
        try:
            data = self.source.read_bytes(file)
        except FileNotFoundError:
            logger.debug("%s: gone before it was read (another poller took it)", file.name)
            return FileResult(GONE, file.name)
        except FileTooLarge as error:
            if not self.source.is_settled(file):
                return self._not_ready(file, "still growing past the size limit")
            return self._fail(file, str(error), "", error.size)
        except OSError as error:
            return self._fail(file, f"cannot read the file: {error.strerror}", "", file.size)
        _pause_at("read")

        file_hash = hashlib.sha256(data).hexdigest()
        try:
            parsed = parse_log_entries(data, source_name=file.name)
        except ParseError as error:
            if not self.source.is_settled(file):
                return self._not_ready(file, str(error))
            reason = "empty file (0 bytes)" if not data else f"cannot be parsed: {error}"
            return self._fail(file, reason, file_hash, len(data))
        except Exception as error:  # a parser bug must not stop the other files
            logger.exception("%s: unexpected error in the parser", file.name)
            return self._fail(file, _bug_reason("parsing", error), file_hash, len(data))

        runs = parsed.runs
        if not runs:
            return self._fail(file, "cannot be parsed: the file contains no run", file_hash, len(data))
        if not self.source.is_settled(file) and self.source.changed_since_read(file, len(data)):
            # Valid JSON that is still growing: a writer that flushes whole objects.
            return self._not_ready(file, "changed while it was read")
        if parsed.entry_errors and not self.source.is_settled(file):
            return self._not_ready(file, parsed.entry_errors[0].message)

        in_bundle = bool(parsed.entry_errors) or len(runs) > 1 or runs[0].raw_json != decode_log(data)
        bad_entries = _entry_failures(data, file_hash, parsed.entry_errors)
        return self._store(file, file_hash, data, runs, in_bundle, bad_entries)

    def _store(self, file, file_hash, data, runs, in_bundle, bad_entries, attempt=1):
        identities = {}
        for run in runs:
            # Identical entries of one bundle are one run.
            identities.setdefault(store.identity(file_hash, run, in_bundle), run)
        stored = set(LLMLog.objects.filter(content_hash__in=list(identities)).values_list("content_hash", flat=True))
        new = [(run, key) for key, run in identities.items() if key not in stored]
        if not new:
            self._record_bad_entries(file, bad_entries, len(data))
            return self._duplicate(file, len(bad_entries))

        try:
            items = self._evaluate(file, new)
        except _StepFailed as error:
            return self._fail(file, str(error), file_hash, len(data))

        try:
            with transaction.atomic():
                store.save_runs(items)
                self._record_bad_entries(file, bad_entries, len(data))
                _pause_at("before_commit")
        except IntegrityError as error:
            # Another poller committed the same content between our check and our insert.
            if attempt == 1:
                return self._store(file, file_hash, data, runs, in_bundle, bad_entries, attempt=2)
            return self._fail(file, f"the database rejected the run: {error}", file_hash, len(data))
        except DataError as error:
            return self._fail(file, f"the database rejected the run: {error}", file_hash, len(data))
        except DATABASE_OUTAGE as error:
            if _is_outage(error):
                raise
            return self._fail(file, f"the database rejected the run: {error}", file_hash, len(data))
        _pause_at("after_commit")

        # DEBUG like the other per-file lines: the README promises one line per file only with --debug.
        logger.debug("Ingested %s: %d run%s", file.name, len(new), "s" * (len(new) != 1))
        self._mark_processed(file)
        _pause_at("after_rename")
        return FileResult(INGESTED, file.name, runs=len(new), failed_entries=len(bad_entries))

    def _record_bad_entries(self, file, bad_entries, size):
        """Save one FailedFile row per unreadable bundle entry, unless an open row already has it."""
        path = storable(file.location)[:1024]
        for entry_hash, reason in bad_entries:
            logger.warning("%s: %s; the readable entries are stored", file.name, reason)
            if FailedFile.objects.filter(original_path=path, content_hash=entry_hash, retried_at__isnull=True).exists():
                continue
            FailedFile.objects.create(
                original_path=path, set_aside_path="", reason=storable(reason), content_hash=entry_hash, size_bytes=size
            )

    def _evaluate(self, file, new):
        """Price and check each run; returns (unsaved LLMLog, check results) pairs."""
        now = timezone.now()
        items = []
        for run, key in new:
            store.fit_usage(run)
            try:
                cost = price_run(run)
            except Exception as error:  # a pricing bug must not stop the others
                logger.exception("%s: unexpected error while pricing", file.name)
                raise _StepFailed(_bug_reason("pricing", error))
            try:
                results = run_checks(run)
            except Exception as error:  # a check bug must not stop the others
                logger.exception("%s: unexpected error in the checks", file.name)
                raise _StepFailed(_bug_reason("checks", error))
            log = store.build_log(run, content_hash=key, filepath=storable(file.location), cost=cost, ingested_at=now)
            items.append((log, results))
        return items

    def _duplicate(self, file, failed_entries=0):
        outcome = self._mark_processed(file)
        if outcome == GONE:
            return FileResult(GONE, file.name)
        if outcome == NOT_READY:
            return FileResult(NOT_READY, file.name, reason="changed after it was read")
        logger.debug("%s: already stored, skipped as a duplicate", file.name)
        return FileResult(DUPLICATE, file.name, failed_entries=failed_entries)

    def _not_ready(self, file, why):
        if self.source.is_gone(file):
            logger.debug("%s: gone before it was settled (another poller took it)", file.name)
            return FileResult(GONE, file.name)
        logger.debug("%s: not ready yet (%s); left for a later pass", file.name, why)
        return FileResult(NOT_READY, file.name, reason=why)

    def _mark_processed(self, file):
        """Rename the file as processed; return INGESTED when renamed, GONE, NOT_READY (changed) or FAILED."""
        try:
            location = self.source.mark_processed(file)
        except FileChanged:
            logger.info("%s: changed after it was read, so it is not renamed; the next pass reads it again", file.name)
            return NOT_READY
        except FileNotFoundError:
            logger.debug("%s: already renamed by another poller", file.name)
            self._rename_failures.pop(file.location, None)
            return GONE
        except OSError as error:
            if file.location not in self._rename_failures:
                logger.error(
                    "%s: its runs are stored, but it cannot be renamed (%s); it stays in place and the "
                    "rename is retried every %ss without storing it twice. %s",
                    file.location,
                    _describe(error),
                    self.rename_retry_seconds,
                    _rename_advice(error),
                )
            self._rename_failures[file.location] = time.monotonic()
            return FAILED
        if self._rename_failures.pop(file.location, None) is not None:
            logger.info("%s: renamed to %s after an earlier failure", file.name, location)
        else:
            logger.debug("%s: renamed to %s", file.name, location)
        return INGESTED

    def _rename_pending(self, file):
        failed_at = self._rename_failures.get(file.location)
        return failed_at is not None and time.monotonic() - failed_at < self.rename_retry_seconds

    def _fail(self, file, reason, file_hash, size):
        """Record the failure, then set the file aside; the record comes first so a crash loses nothing."""
        open_records = FailedFile.objects.filter(
            original_path=storable(file.location)[:1024], content_hash=file_hash, retried_at__isnull=True
        )
        target = self.source.set_aside_target(file)
        # A record left by a pass that crashed before the move is reused, not repeated.
        record = open_records.first()
        created = record is None
        if created:
            record = FailedFile.objects.create(
                original_path=storable(file.location)[:1024],
                set_aside_path=storable(target)[:1024],
                reason=storable(reason),
                content_hash=file_hash,
                size_bytes=size,
            )
        _pause_at("failure_recorded")

        try:
            location = self.source.set_aside(file, target)
        except FileChanged:
            # The new content gets its own verdict on the next pass, so this pass's record goes.
            if created:
                record.delete()
            logger.info(
                "%s: changed after it was read, so it is not set aside; the next pass reads it again", file.name
            )
            return FileResult(NOT_READY, file.name, reason="changed after it was read")
        except FileNotFoundError:
            # Another poller moved it first. If it recorded the failure too, keep only its record.
            if created and open_records.exclude(pk=record.pk).exists():
                record.delete()
            logger.debug("%s: set aside by another poller", file.name)
            return FileResult(GONE, file.name)
        except OSError as error:
            if file.location not in self._rename_failures:
                logger.error(
                    "%s cannot be ingested (%s) and cannot be set aside either (%s); it stays in place. %s",
                    file.location,
                    reason,
                    _describe(error),
                    _rename_advice(error),
                )
            self._rename_failures[file.location] = time.monotonic()
            return FileResult(FAILED, file.name, reason=reason)

        self._rename_failures.pop(file.location, None)
        if storable(location)[:1024] != record.set_aside_path:
            record.set_aside_path = storable(location)[:1024]
            record.save(update_fields=["set_aside_path"])
        logger.warning("%s set aside as %s: %s", file.name, location, reason)
        return FileResult(FAILED, file.name, reason=reason)


def ingest_once(source=None, **kwargs):
    """One pass over the source (built from settings by default); returns the PassSummary."""
    return Ingester(source or source_from_settings()).run_pass(**kwargs)


@dataclass
class RetryOutcome:
    restored: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def retry_failed(queryset=None, source=None):
    """Move set-aside files back under their original name and mark their FailedFile rows retried.

    The next pass reads them again. Used by `ingest_logs --retry-failed` and the admin action.
    """
    source = source or source_from_settings()
    if queryset is None:
        queryset = FailedFile.objects.all()
    outcome = RetryOutcome()
    for record in queryset.filter(retried_at__isnull=True).exclude(set_aside_path=""):
        try:
            source.restore(record.set_aside_path, record.original_path)
        except (OSError, ValueError) as error:
            problem = f"{record.set_aside_path}: not moved back ({_describe(error)})"
            logger.warning(problem)
            outcome.problems.append(problem)
            continue
        record.retried_at = timezone.now()
        record.save(update_fields=["retried_at"])
        logger.info("Moved %s back to %s for another try", record.set_aside_path, record.original_path)
        outcome.restored.append(record)
    return outcome


class _StepFailed(Exception):
    pass


def storable(text):
    """Return text that both databases accept: NUL and unpaired surrogates become U+FFFD.

    Linux file names may hold bytes that are not UTF-8; Python gives them to us as
    unpaired surrogates, which neither SQLite nor PostgreSQL can encode.
    """
    try:
        raw = text.encode("utf-8", "surrogateescape")  # gives back a file name's original bytes
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace").replace("\x00", NUL_REPLACEMENT)


def _bug_reason(step, error):
    return (
        f"unexpected error during {step} ({type(error).__name__}: {error}); this is a bug in the monitor, "
        "please report it with the file, then retry the file after upgrading"
    )


def _entry_failures(data, file_hash, entry_errors):
    """Return (content hash, reason) per unreadable bundle entry; the hash is the entry's identity.

    Only a file with such entries pays for this second JSON load.
    """
    if not entry_errors:
        return []
    document = load_json(decode_log(data))
    entries = document if isinstance(document, list) else document.get("logs", [])
    failures = []
    for error in entry_errors:
        try:
            entry_hash = store.entry_hash(entries[error.index])
        except (IndexError, ValueError, RecursionError):  # ValueError: an integer too long for json.dumps
            entry_hash = file_hash
        failures.append((entry_hash, error.message))
    return failures


def _rename_advice(error):
    """Return what the operator can do about a failed rename, chosen by its errno."""
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "Make the logs folder writable."
    if error.errno == errno.ENAMETOOLONG:
        return "Give the file a shorter name."
    if error.errno == errno.ENOSPC:
        return "Free some space on the disk that holds the logs folder."
    return "Check the logs folder and its failed/ subfolder."


def _describe(error):
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error)


def _is_outage(error):
    """True when the database cannot be reached; False when it responds, so it rejected this one run."""
    if "database is locked" in str(error):
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return True
    return False


def _pause_at(point):
    if os.environ.get(PAUSE_ENV) == point:
        sys.stderr.write(f"{PAUSE_ENV}: paused at {point}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "3600")))
