"""Where log files come from, and how a file is marked done or set aside.

The pipeline talks to a LogSource only, so a bucket or a queue can replace the
local folder later without touching the ingestion logic. Nothing here parses
JSON or touches Django.

LocalFolderSource rules:

- Only regular files directly in the folder whose name matches the glob are
  candidates. The glob matches names, never subfolders. Symbolic links,
  FIFOs and folders are skipped, so a link cannot pull a file from elsewhere
  into the database and a pipe cannot block a pass. Each skipped path is
  logged once per process at INFO with the reason.
- Names that start with the processed prefix, hidden names (".x") and "*.tmp"
  names are skipped before any stat, so a folder of 100,000 processed files
  costs one directory listing per poll. Their count is logged at DEBUG.
- A processed file is renamed to "<prefix><name>" ("<prefix><stem>.<n><suffix>"
  when that name is taken, so an earlier processed file is never overwritten).
  When that name is longer than the file system allows (255 bytes on ext4),
  the stem is cut and a short hash of the full name keeps it unique.
- The file is renamed or set aside only while it is still the file that was
  read (same device, inode, size and modification time); a file replaced or
  rewritten since the read raises FileChanged and is left for the next pass.
- A modification time more than CLOCK_SKEW_SECONDS in the future is taken as
  a wrong clock, not as a file being written: the file counts as settled.
- A file set aside is moved into the "failed/" subfolder. Scans never look into
  subfolders, so a set-aside file can never be picked up again, whatever the
  prefix and the glob.
"""

import errno
import fnmatch
import hashlib
import logging
import os
import re
import stat as stat_kinds
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

FAILED_FOLDER = "failed"
TEMPORARY_SUFFIX = ".tmp"
# A modification time further ahead than this is a clock problem, not a writer at work.
CLOCK_SKEW_SECONDS = 60.0
# Used when the file system does not say how long a name may be.
DEFAULT_NAME_MAX = 255


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


class FileChanged(Exception):
    """The file was replaced or rewritten after it was read, so it is not moved; the next pass reads it again."""


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

    def is_gone(self, file):
        """True when the file is no longer there (another process took it)."""
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
        # What this process has already logged, so each skipped path or skew is reported once.
        self._reported = set()
        # location -> (device, inode, size, mtime_ns) of the open file when it was read.
        self._read_as = {}

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
        self._read_as.clear()
        files = []
        unwanted = 0
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if not self.wanted(entry.name):
                        unwanted += 1
                        continue
                    try:
                        stat = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # renamed by another poller since the listing
                    if not stat_kinds.S_ISREG(stat.st_mode):
                        self._report_skipped(entry.path, stat.st_mode)
                        continue
                    files.append(LogFile(entry.path, entry.name, stat.st_size, stat.st_mtime))
        except OSError as error:
            raise SourceUnavailable(f"cannot list the logs folder {self.folder}: {error.strerror}") from error
        if unwanted and ("unwanted", unwanted) not in self._reported:
            self._reported.add(("unwanted", unwanted))
            logger.debug(
                "%s: %d name(s) skipped: already processed (prefix %r), hidden, temporary, or not matching %r",
                self.folder,
                unwanted,
                self.processed_prefix,
                self.glob,
            )
        files.sort(key=lambda file: (file.modified_at, file.name))
        return files

    def _report_skipped(self, path, mode):
        if path in self._reported:
            return
        self._reported.add(path)
        if stat_kinds.S_ISLNK(mode):
            why = "it is a symbolic link, and links are never followed; move the file itself into the folder"
        elif stat_kinds.S_ISDIR(mode):
            why = "it is a folder; subfolders are never read"
        elif stat_kinds.S_ISFIFO(mode):
            why = "it is a named pipe (FIFO), which could block a pass"
        else:
            why = "it is not a regular file"
        logger.info("%s: skipped because %s", path, why)

    def read_bytes(self, file, limit=None):
        limit = self.max_file_bytes if limit is None else limit
        if limit is not None and file.size > limit:
            raise FileTooLarge(file.size, limit)
        with open(file.location, "rb") as handle:
            # Reading one byte past the limit proves the file is too large, even when
            # it has grown since the listing took its size.
            data = handle.read() if limit is None else handle.read(limit + 1)
            # Taken after the read: a writer still appending makes the size differ from len(data).
            self._read_as[file.location] = _identity(os.fstat(handle.fileno()))
        if limit is not None and len(data) > limit:
            raise FileTooLarge(max(len(data), file.size), limit)
        return data

    def is_settled(self, file):
        try:
            modified_at = os.stat(file.location).st_mtime
        except FileNotFoundError:
            return False
        age = time.time() - modified_at
        if age < -CLOCK_SKEW_SECONDS:
            if ("skew", file.location) not in self._reported:
                self._reported.add(("skew", file.location))
                logger.info(
                    "%s: modified %.0fs in the future; taken as a wrong clock, so the file counts as settled",
                    file.location,
                    -age,
                )
            return True
        return age >= self.settle_seconds

    def is_gone(self, file):
        return not os.path.lexists(file.location)

    def _check_unchanged(self, file):
        """Raise FileChanged when the path no longer points at the file that read_bytes() read."""
        read_as = self._read_as.pop(file.location, None)
        if read_as is None:
            return
        current = _identity(os.stat(file.location, follow_symlinks=False))
        if current != read_as:
            raise FileChanged(f"{file.location} changed after it was read")

    def changed_since_read(self, file, size_read):
        try:
            return os.stat(file.location).st_size != size_read
        except FileNotFoundError:
            return True

    def mark_processed(self, file):
        path = Path(file.location)
        target = _free_name(path.parent, self.processed_prefix + path.name)
        # NOTE: a writer that replaces the file between this check and the rename still
        # loses its content to the renamed name. The window is one stat call wide.
        self._check_unchanged(file)
        # NOTE: os.rename replaces a file that appears at `target` after _free_name checked it.
        # Only someone copying a prefixed file in at that instant would lose it.
        os.rename(path, target)
        return str(target)

    def set_aside_target(self, file):
        return str(_free_name(self.failed_folder, Path(file.location).name, _name_max(self.folder)))

    def set_aside(self, file, target):
        self.failed_folder.mkdir(exist_ok=True)
        target = Path(target)
        if target.exists():
            target = _free_name(target.parent, target.name)
        self._check_unchanged(file)
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


def _free_name(folder, name, name_max=None):
    """Return folder/name, or folder/<stem>.<n><suffix> for the first n from 2 that is free.

    Each name is shortened to the folder's name length limit (see _shorten).
    """
    name_max = name_max or _name_max(folder)
    target = Path(folder) / _shorten(name, name_max)
    number = 2
    while target.exists():
        target = Path(folder) / _shorten(f"{Path(name).stem}.{number}{Path(name).suffix}", name_max)
        number += 1
    return target


def _name_max(folder):
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def _shorten(name, name_max):
    """Return name, or when it has more than name_max bytes: its cut stem, '~', 8 hex digits of its hash, its suffix."""
    raw = os.fsencode(name)
    if len(raw) <= name_max:
        return name
    suffix = os.fsencode(Path(name).suffix)
    if len(suffix) > name_max // 4:
        suffix = b""
    mark = b"~" + hashlib.sha256(raw).hexdigest()[:8].encode()
    stem = raw[: name_max - len(mark) - len(suffix)]
    # Drop a UTF-8 sequence cut in the middle, so the name stays readable text.
    for cut in range(4):
        try:
            stem[: len(stem) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        stem = stem[: len(stem) - cut]
        break
    return os.fsdecode(stem + mark + suffix)


def _identity(stat):
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
