"""Crash-safe file writes: write to a temporary file beside the target, then rename over it."""

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto `target`.

    `suffix` ends the temporary file's name (writers that pick a format from the name, such as
    matplotlib's `savefig`, need the real one).

    A crash or exception inside the block leaves the old target (if any) untouched and
    removes the temporary file, so readers never see a half-written output.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file 0600; an output gets the mode a plain open() would give it.
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def current_umask() -> int:
    """This process's umask (read from /proc where possible: setting it to read it is racy)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_parquet_atomic(frame: Any, target: str | os.PathLike[str]) -> Path:
    """Write a DataFrame to Parquet at `target` atomically."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)
    return Path(target)


def write_text_atomic(text: str, target: str | os.PathLike[str]) -> Path:
    """Write text (UTF-8) to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_json_atomic(obj: Any, target: str | os.PathLike[str]) -> Path:
    """Write an object as indented JSON to `target` atomically."""
    return write_text_atomic(json.dumps(obj, indent=2, default=str) + "\n", target)
