"""Turning a log file's bytes into text and CSV records, whatever app or locale wrote it."""

import csv
import io
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from workout_pipeline.errors import InputError

# Signatures of common non-CSV files people pick by mistake, so the error can say what it is.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a zip archive (an .xlsx workbook?)",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"PAR1": "a Parquet file",
    b"SQLite format 3": "an SQLite database",
}
_DELIMITERS = (",", ";", "\t")
# Share of control characters (beyond tab/CR/LF) above which text is treated as binary garbage.
_MAX_CONTROL_SHARE = 0.01


def read_log_text(path: Path) -> tuple[str, str]:
    """Read a log file and decode it, detecting the encoding.

    Args:
        path: The file to read.

    Returns:
        The decoded text (BOM removed, newlines normalised to ``\\n``) and the encoding name.

    Raises:
        InputError: The path is a directory, missing, empty, binary or undecodable.
    """
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a log file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise InputError(f"{path.name} is empty")
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise InputError(f"{path.name} is {what}, not a CSV export")
    text, encoding = _decode(raw, path.name)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:100_000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n")
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(f"{path.name} looks binary (not a text export)")
    return text, encoding


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    # UTF-16 without BOM: every other byte of ASCII text is NUL.
    head = raw[:4000]
    if len(head) >= 4 and head[1::2].count(0) > 0.4 * len(head[1::2]) and head[0::2].count(0) < 0.1 * len(head[0::2]):
        return raw.decode("utf-16-le", errors="replace"), "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > 0.4 * len(head[0::2]) and head[1::2].count(0) < 0.1 * len(head[1::2]):
        return raw.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name} is not text in any encoding we recognise")
    try:
        return raw.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        # The sample decoded but the whole file does not: keep what can be read.
        return raw.decode(best.encoding, errors="replace"), best.encoding


def sniff_delimiter(text: str) -> str:
    """The field delimiter of the first non-blank line (the one occurring most outside quotes)."""
    first_line = next((line for line in text.split("\n", 50) if line.strip()), "")
    counts = dict.fromkeys(_DELIMITERS, 0)
    in_quotes = False
    for ch in first_line:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def iter_records(text: str, delimiter: str) -> Iterator[list[str]]:
    """Split CSV text into records (quoted newlines kept inside fields); blank lines skipped.

    Python's csv module is used rather than pandas' C reader because it keeps each record's
    real field count (needed to quarantine shifted rows) and tolerates a truncated final quote.
    """
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', skipinitialspace=False)
    # csv yields [] for an empty line; lines of bare delimiters are dropped after parsing.
    return filter(None, reader)

