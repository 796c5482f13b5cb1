"""The inbox folder the sensor watches: listing files, safe partition keys, change fingerprints.

Plain functions (no Dagster) so the sensor, the assets, the demo and the tests share one
definition of "which file is partition X". Layouts accepted:

- ``inbox/<athlete_id>/<export>.csv``: one athlete per folder, any number of exports;
- ``inbox/<athlete_id>.csv``: one athlete per file, named by the file stem.

Names from the inbox are untrusted: partition keys and athlete ids are sanitised to
``[A-Za-z0-9._-]`` (plus ``__`` as the folder separator), never contain ``..`` and never start
with a dot, so they cannot become paths outside the storage folders they are used in.
"""

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

LOG_SUFFIXES: tuple[str, ...] = (".csv",)
# Separates the athlete folder from the file name inside a partition key.
FOLDER_SEPARATOR = "__"
MAX_NAME_LENGTH = 80
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class InboxFile:
    """One log file found in the inbox.

    Attributes:
        partition_key: Safe, unique key of the file (the `inbox_files` partition).
        athlete_id: Safe athlete id (the `athletes` partition).
        path: Absolute path of the file inside the inbox.
        relative_path: Path relative to the inbox root, POSIX style.
        size: Size in bytes when listed.
        mtime_ns: Modification time in nanoseconds when listed.
    """

    partition_key: str
    athlete_id: str
    path: Path
    relative_path: str
    size: int
    mtime_ns: int

    @property
    def fingerprint(self) -> str:
        """Short change marker: a new size or modification time means a new run."""
        return hashlib.sha1(f"{self.size}:{self.mtime_ns}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class SkippedFile:
    """A file the scan could not use, with the reason (shown in sensor logs)."""

    relative_path: str
    reason: str


def safe_name(raw: str, fallback: str = "file") -> str:
    """Sanitise one name component to ``[A-Za-z0-9._-]``, without leading dots or ``..``.

    Args:
        raw: Untrusted name (a file or folder name, a partition key).
        fallback: Used when nothing printable survives.

    Returns:
        A non-empty name safe to use as one path component and as a Dagster partition key.
    """
    cleaned = _UNSAFE_CHARS.sub("_", raw)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).lstrip(".-_")
    cleaned = cleaned[:MAX_NAME_LENGTH].rstrip(".")
    return cleaned or fallback


def is_safe_key(key: str) -> bool:
    """Whether `key` is already safe to use as a single path component unchanged."""
    return bool(key) and safe_name(key) == key


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _base_key(relative_parts: tuple[str, ...]) -> tuple[str, str, bool]:
    """Return (partition key, athlete id, changed) for a file's path parts inside the inbox."""
    if len(relative_parts) == 1:
        stem = Path(relative_parts[0]).stem
        athlete = safe_name(stem, fallback="athlete")
        name = safe_name(relative_parts[0])
        key = name
        changed = name != relative_parts[0] or athlete != stem
    else:
        folder, filename = relative_parts
        athlete = safe_name(folder, fallback="athlete")
        name = safe_name(filename)
        key = f"{athlete}{FOLDER_SEPARATOR}{name}"
        changed = athlete != folder or name != filename
    return key, athlete, changed


def scan_inbox(inbox: str | os.PathLike[str]) -> tuple[list[InboxFile], list[SkippedFile]]:
    """List the log files in the inbox with safe, unique partition keys.

    One bad entry (unreadable, symlink leaving the inbox, nested too deep, odd bytes in the
    name) is skipped with a reason; it never stops the scan.

    Args:
        inbox: The inbox folder; a missing folder yields nothing.

    Returns:
        (files sorted by partition key, skipped entries with reasons).
    """
    root = Path(inbox)
    if not root.is_dir():
        return [], []
    root_resolved = root.resolve()
    candidates: list[tuple[tuple[str, ...], Path]] = []
    skipped: list[SkippedFile] = []

    def consider(path: Path, parts: tuple[str, ...]) -> None:
        rel = "/".join(parts)
        if path.name.startswith(".") or path.suffix.lower() not in LOG_SUFFIXES:
            return  # hidden, partial or non-log files are not inbox entries
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # dangling or looping symlink
            skipped.append(SkippedFile(rel, f"cannot resolve: {type(exc).__name__}"))
            return
        if not resolved.is_relative_to(root_resolved):
            skipped.append(SkippedFile(rel, "symlink points outside the inbox"))
            return
        if not resolved.is_file():
            skipped.append(SkippedFile(rel, "not a regular file"))
            return
        if not os.access(resolved, os.R_OK):
            skipped.append(SkippedFile(rel, "not readable"))
            return
        candidates.append((parts, path))

    try:
        top_entries = sorted(root.iterdir())
    except OSError as exc:
        logger.warning("cannot list inbox %s: %s", root, exc)
        return [], [SkippedFile(".", f"cannot list inbox: {exc}")]
    for entry in top_entries:
        try:
            if entry.is_dir() and not entry.is_symlink():
                if entry.name.startswith("."):
                    continue
                for child in sorted(entry.iterdir()):
                    if child.is_dir():
                        skipped.append(SkippedFile(f"{entry.name}/{child.name}", "nested too deep"))
                        continue
                    consider(child, (entry.name, child.name))
            elif entry.is_dir():
                skipped.append(SkippedFile(entry.name, "symlinked folders are not followed"))
            else:
                consider(entry, (entry.name,))
        except OSError as exc:
            skipped.append(SkippedFile(entry.name, f"{type(exc).__name__}: {exc}"))

    keyed: list[tuple[str, str, bool, tuple[str, ...], Path]] = []
    for parts, path in candidates:
        key, athlete, changed = _base_key(parts)
        keyed.append((key, athlete, changed, parts, path))
    counts: dict[str, int] = {}
    for key, *_ in keyed:
        counts[key] = counts.get(key, 0) + 1

    files: list[InboxFile] = []
    for key, athlete, changed, parts, path in keyed:
        rel = "/".join(parts)
        if changed or counts[key] > 1:
            # The name was altered or collides: a hash of the real path keeps keys unique.
            stem, dot, suffix = key.rpartition(".")
            key = f"{stem}-{_short_hash(rel)}.{suffix}" if dot else f"{key}-{_short_hash(rel)}"
        try:
            stat = path.stat()
        except OSError as exc:
            skipped.append(SkippedFile(rel, f"{type(exc).__name__}: {exc}"))
            continue
        files.append(
            InboxFile(
                partition_key=key,
                athlete_id=athlete,
                path=path.absolute(),
                relative_path=rel,
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )
        )
    files.sort(key=lambda f: f.partition_key)
    return files, skipped


def find_inbox_file(inbox: str | os.PathLike[str], partition_key: str) -> InboxFile:
    """Return the inbox file whose partition key is `partition_key`.

    Raises:
        FileNotFoundError: No file in the inbox has that key (removed or renamed since).
    """
    files, _ = scan_inbox(inbox)
    for found in files:
        if found.partition_key == partition_key:
            return found
    raise FileNotFoundError(f"no inbox file for partition {partition_key!r} in {inbox}")
