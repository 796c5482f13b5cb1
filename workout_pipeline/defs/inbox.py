"""The inbox folder the sensor watches: listing files, safe partition keys, change fingerprints.

Plain functions (no Dagster) so the sensor, the assets, the demo and the tests share one
definition of "which file is partition X". Layouts accepted:

- ``inbox/<athlete_id>/<export>.csv``: one athlete per folder, any number of exports;
- ``inbox/<athlete_id>.csv``: one athlete per file, named by the file stem.

Names from the inbox are untrusted. Partition keys are an injective, readable encoding of the
path inside the inbox (``partition_key_for``): Unicode letters, digits and marks, ``-``, ``_``,
``.``, spaces and parentheses are kept, anything else becomes ``%XX`` (UTF-8 bytes), and the
folder and file parts are joined by ``__`` (which the encoding never produces inside a part).
So keys are unique, each maps back to exactly one file, `x y/` and `x_y/` stay apart, `李/` and
`王/` stay apart, and no key contains a path separator, ``..`` or a leading dot. Athlete ids
follow the identity rule of `ingest.identity` (the folder, else the stem without re-download
suffixes); their partition keys use the same encoding.
"""

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from workout_pipeline.ingest.identity import base_stem, one_spelling

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


_KEPT_PUNCTUATION = frozenset("-_. ()")
# Longest encoded part (UTF-8 bytes) before it is shortened with a hash (paths allow 255).
_MAX_PART_BYTES = 120


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogateescape"))


def encode_part(name: str) -> str:
    """Readable, injective encoding of one path part (see the module docstring).

    Escaped besides unsafe characters: ``%`` itself, a leading dot or space, a dot after a
    dot, a trailing space, and an underscore at either end or next to another underscore (so
    ``__`` only ever separates parts).
    """
    out = []
    last = len(name) - 1
    for i, char in enumerate(name):
        category = unicodedata.category(char)
        keep = category[0] in "LNM" or char in _KEPT_PUNCTUATION
        if char in ". " and i == 0 or char == "." and i > 0 and name[i - 1] == "." or char == " " and i == last:
            keep = False
        if char == "_" and (i == 0 or i == last or name[i - 1] == "_" or (i < last and name[i + 1] == "_")):
            keep = False
        out.append(char if keep else _escape(char))
    encoded = "".join(out) or "%00"
    if len(encoded.encode("utf-8")) > _MAX_PART_BYTES:
        # "~" is always escaped inside a part, so a shortened key cannot equal a full one.
        head = encoded.encode("utf-8")[: _MAX_PART_BYTES - 16].decode("utf-8", "ignore").rstrip("%0123456789ABCDEF")
        encoded = f"{head}~{_short_hash(name)}"
    return encoded


def partition_key_for(relative_parts: tuple[str, ...]) -> str:
    """The partition key of a file at `relative_parts` inside the inbox."""
    return FOLDER_SEPARATOR.join(encode_part(part) for part in relative_parts)


def athlete_for(relative_parts: tuple[str, ...], siblings: list[str] | tuple[str, ...] = ()) -> str:
    """The athlete id of an inbox file: its folder, else its stem without re-download suffixes,
    in one spelling (`one_spelling`, as the CLI names them: a macOS folder `José/`, decomposed,
    and a file `José.csv` are one athlete, not two partitions that look the same)."""
    if len(relative_parts) >= 2:
        return one_spelling(relative_parts[0])
    return one_spelling(base_stem(Path(relative_parts[0]).stem, siblings))


def athlete_partition_key(athlete_id: str) -> str:
    """The `athletes` partition key of an athlete id (the same encoding as file keys)."""
    return encode_part(athlete_id)


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

    top_stems = [Path(parts[0]).stem for parts, _ in candidates if len(parts) == 1]
    files: list[InboxFile] = []
    for parts, path in candidates:
        rel = "/".join(parts)
        try:
            stat = path.stat()
        except OSError as exc:
            skipped.append(SkippedFile(rel, f"{type(exc).__name__}: {exc}"))
            continue
        siblings = [stem for stem in top_stems if stem != Path(parts[-1]).stem] if len(parts) == 1 else []
        files.append(
            InboxFile(
                partition_key=partition_key_for(parts),
                athlete_id=athlete_partition_key(athlete_for(parts, siblings)),
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
