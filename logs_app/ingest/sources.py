"""Where log files come from, and how a file is marked done or set aside.

The pipeline talks to a LogSource only, so a bucket or a queue can replace the
local folder later without touching the ingestion logic. Nothing here parses
JSON or touches Django.

LocalFolderSource rules:

- Only regular files directly in the folder whose name matches the glob are
  candidates. The glob matches names, never subfolders. Symbolic links and
  FIFOs are skipped, so a link cannot pull a file from elsewhere into the
  database and a pipe cannot block a pass.
- Names that start with the processed prefix, hidden names (".x") and "*.tmp"
  names are skipped before any stat, so a folder of 100,000 processed files
  costs one directory listing per poll.
- A processed file is renamed to "<prefix><name>" ("<prefix><stem>.<n><suffix>"
  when that name is taken, so an earlier processed file is never overwritten).
- A file set aside is moved into the "failed/" subfolder. Scans never look into
  subfolders, so a set-aside file can never be picked up again, whatever the
  prefix and the glob.
"""

import errno
import fnmatch
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

FAILED_FOLDER = "failed"
TEMPORARY_SUFFIX = ".tmp"


@dataclass(frozen=True)
class LogFile:
    """One candidate file as a source lists it."""

    # The file's address shown to users: a path for a folder, a key for a bucket.
    location: str
    # The bare file name, for log lines and messages.
    name: str
    size: int
    # Last change, in seconds since the epoch.
    modified_at: float


class FileTooLarge(Exception):
    def __init__(self, size, limit):
        self.size = size
        self.limit = limit
        super().__init__(
            f"the file is larger than MAX_LOG_FILE_BYTES={limit} bytes ({size} bytes or more); "
            "raise MAX_LOG_FILE_BYTES or split the log, then retry it"
        )


class SourceUnavailable(Exception):
    """The source itself cannot be read (a missing or unreadable folder)."""


class LogSource:
    """Interface between the pipeline and a place that stores log files."""

    def describe(self):
        """Return a short description of the source for log lines and errors."""
        raise NotImplementedError

    def list_files(self):
        """Return the candidate files, oldest first. Raise SourceUnavailable when the source cannot be read."""
        raise NotImplementedError

    def read_bytes(self, file, limit):
        """Return the file's bytes; raise FileTooLarge past `limit` bytes and FileNotFoundError when it is gone."""
        raise NotImplementedError

    def is_settled(self, file):
        """True when the file has not changed for the settle time, so a parse failure is final."""
        raise NotImplementedError

    def changed_since_read(self, file, size_read):
        """True when the file is no longer the `size_read` bytes that were read (a writer is still at it)."""
        raise NotImplementedError

    def mark_processed(self, file):
        """Move the file out of the way after its rows are committed; return its new location."""
        raise NotImplementedError

    def set_aside_target(self, file):
        """Return where set_aside() would move the file now, so the failure can be recorded first."""
        raise NotImplementedError

    def set_aside(self, file, target):
        """Move a file that cannot be ingested to `target` (or a free variant); return where it went."""
        raise NotImplementedError

    def restore(self, set_aside_location, original_location):
        """Move a set-aside file back under its original name so the next pass reads it again."""
        raise NotImplementedError


class LocalFolderSource(LogSource):
    def __init__(self, folder, glob="*.json", processed_prefix="_", settle_seconds=5.0, max_file_bytes=None):
        if not processed_prefix or "/" in processed_prefix:
            raise ValueError(f"processed prefix {processed_prefix!r} must be a non-empty name prefix without '/'")
        # Absolute, so the paths stored in llm_logs and failed_files stay valid for the web process too.
        self.folder = Path(folder).expanduser().absolute()
        self.glob = glob
        self.processed_prefix = processed_prefix
        self.settle_seconds = settle_seconds
        self.max_file_bytes = max_file_bytes
        self._matches = re.compile(fnmatch.translate(glob)).match

    def describe(self):
        return f"folder {self.folder} ({self.glob})"

    @property
    def failed_folder(self):
        return self.folder / FAILED_FOLDER

    def check(self):
        """Raise SourceUnavailable when the folder is missing or cannot be listed."""
        if not self.folder.is_dir():
            raise SourceUnavailable(f"the logs folder {self.folder} does not exist or is not a folder")
        try:
            with os.scandir(self.folder):
                pass
        except OSError as error:
            raise SourceUnavailable(f"the logs folder {self.folder} cannot be read: {error.strerror}") from error

    def wanted(self, name):
        """True for a name the pipeline should look at; decided on the name alone, without a stat."""
        return not (
            name.startswith(self.processed_prefix)
            or name.startswith(".")
            or name.endswith(TEMPORARY_SUFFIX)
            or not self._matches(name)
        )

    def list_files(self):
        files = []
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if not self.wanted(entry.name):
                        continue
                    try:
                        if not entry.is_file(follow_symlinks=False):
                            continue
                        stat = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # renamed by another poller since the listing
                    files.append(LogFile(entry.path, entry.name, stat.st_size, stat.st_mtime))
        except OSError as error:
            raise SourceUnavailable(f"cannot list the logs folder {self.folder}: {error.strerror}") from error
        files.sort(key=lambda file: (file.modified_at, file.name))
        return files

    def read_bytes(self, file, limit=None):
        limit = self.max_file_bytes if limit is None else limit
        if limit is not None and file.size > limit:
            raise FileTooLarge(file.size, limit)
        with open(file.location, "rb") as handle:
            if limit is None:
                return handle.read()
            # Reading one byte past the limit proves the file is too large, even when
            # it has grown since the listing took its size.
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise FileTooLarge(max(len(data), file.size), limit)
        return data

    def is_settled(self, file):
        try:
            modified_at = os.stat(file.location).st_mtime
        except FileNotFoundError:
            return False
        return time.time() - modified_at >= self.settle_seconds

    def changed_since_read(self, file, size_read):
        try:
            return os.stat(file.location).st_size != size_read
        except FileNotFoundError:
            return True

    def mark_processed(self, file):
        path = Path(file.location)
        target = _free_name(path.parent, self.processed_prefix + path.name)
        # NOTE: os.rename replaces a file that appears at `target` after _free_name checked it.
        # Only someone copying a prefixed file in at that instant would lose it.
        os.rename(path, target)
        return str(target)

    def set_aside_target(self, file):
        return str(_free_name(self.failed_folder, Path(file.location).name))

    def set_aside(self, file, target):
        self.failed_folder.mkdir(exist_ok=True)
        target = Path(target)
        if target.exists():
            target = _free_name(target.parent, target.name)
        os.rename(file.location, target)
        return str(target)

    def restore(self, set_aside_location, original_location):
        source, original = Path(set_aside_location), Path(original_location)
        # The paths come from the database, so only moves from failed/ back into this folder are allowed.
        if source.resolve().parent != self.failed_folder.resolve():
            raise ValueError(f"{source} is not in {self.failed_folder}, so it is not moved")
        if original.resolve().parent != self.folder.resolve():
            raise ValueError(f"{original} is not in the logs folder {self.folder}, so nothing is moved there")
        if original.exists():
            raise FileExistsError(errno.EEXIST, "a file with the original name is already in the folder", str(original))
        os.rename(source, original)


def _free_name(folder, name):
    """Return folder/name, or folder/<stem>.<n><suffix> for the first n from 2 that is free."""
    target = Path(folder) / name
    number = 2
    while target.exists():
        target = Path(folder) / f"{Path(name).stem}.{number}{Path(name).suffix}"
        number += 1
    return target
