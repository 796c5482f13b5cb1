"""Crash-safe file writes.

One file: `atomic_path` writes a temporary file beside the target, then renames it over it.
A run's several outputs: `atomic_outputs` writes them all to a hidden staging folder beside them
and moves them into place together at the end, the run's record last, so that a crash leaves the
previous run's outputs or (after recovery) the new run's, never a mix of half of each.
"""

import contextlib
import fnmatch
import glob
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no liveness locks, so nothing stale is removed
    fcntl = None

STAGING_PREFIX = ".outputs-"
_STAGING = re.compile(r"\.outputs-[a-z0-9_]{8}\Z")  # tempfile.mkdtemp's random part
_TEMP_TAIL = re.compile(r"\.[a-z0-9_]{8}\.tmp\Z")  # atomic_path's temporary names: .<name>.<random>.tmp
_LOCK = ".lock"  # in a staging folder: locked by its writer while it lives
_COMMIT = ".commit"  # in a staging folder: the outputs in rename order, once every one is complete


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto `target`.

    `suffix` ends the temporary file's name (writers that pick a format from the name, such as
    matplotlib's `savefig`, need the real one).

    A crash or exception inside the block leaves the old target (if any) untouched, so readers
    never see a half-written output; an exception also removes the temporary file. The temporary
    file is locked while its writer lives, so `atomic_outputs` can tell the ones killed writers
    left (unlocked) and remove them.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
        tmp = Path(tmp_name)
        held = _lock(fd, wait=True)
        if held is None:  # no locks here: nothing to hold open
            os.close(fd)
            fd = None
            break
        if _same_file(fd, tmp):
            break
        os.close(fd)  # a cleaner took it for a killed writer's between mkstemp and the lock: again
    try:
        yield tmp
        # mkstemp makes the file 0600; an output gets the mode a plain open() would give it.
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        if fd is not None:
            os.close(fd)


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


def _json_text(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=str) + "\n"


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
    return write_text_atomic(_json_text(obj), target)


# --- a run's outputs, all or none ------------------------------------------------------------


class OutputBatch:
    """The outputs of one run, staged in a hidden folder inside `folder` (see `atomic_outputs`)."""

    def __init__(self, folder: Path, staging: Path, record: str):
        self.folder = folder
        self.staging = staging
        self.record = record
        self.names: list[str] = []
        self.committed = False

    def path(self, name: str) -> Path:
        """Where to write output `name` (a plain file name) now: its staged copy. It becomes
        `folder/name` when the batch commits."""
        if not name or Path(name).name != name or name in (".", "..", _LOCK, _COMMIT, _COMMIT + ".tmp"):
            raise ValueError(f"not a plain output file name: {name!r}")
        if name not in self.names:
            self.names.append(name)
        return self.staging / name

    def target(self, name: str) -> Path:
        """Where output `name` ends up."""
        return self.folder / name

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Stage `data` as output `name`; returns its final path."""
        self.path(name).write_bytes(data)
        return self.target(name)

    def write_text(self, name: str, text: str) -> Path:
        """Stage `text` (UTF-8) as output `name`; returns its final path."""
        self.path(name).write_text(text, encoding="utf-8")
        return self.target(name)

    def write_json(self, name: str, obj: Any) -> Path:
        """Stage `obj` as indented JSON (as `write_json_atomic` writes it); returns its final path."""
        return self.write_text(name, _json_text(obj))

    def write_parquet(self, name: str, frame: Any) -> Path:
        """Stage a DataFrame as Parquet (as `write_parquet_atomic` writes it); returns its final path."""
        frame.to_parquet(self.path(name), index=False)
        return self.target(name)


@contextlib.contextmanager
def atomic_outputs(folder: str | os.PathLike[str], record: str, stale: Iterable[str] = ()) -> Iterator[OutputBatch]:
    """Write a run's outputs into `folder` together: all of them, or (after a crash) none.

    Inside the block, write each output to `batch.path(name)` (or `batch.write_*`): the files go
    to a hidden staging folder `folder/.outputs-<random>/`. When the block ends normally, every
    staged file is fsynced, the rename order is recorded in the staging folder (the commit
    point), and the files are renamed into `folder` one after the other, `record` (the file
    readers take as the run's record: it must be written) last; then the staging folder goes.
    An exception in the block removes the staging folder and leaves `folder` as it was.

    A writer killed before the commit point leaves `folder` as it was (and a dead staging folder);
    one killed during the renames (microseconds) leaves a mix until `recover_outputs` finishes
    its renames. Every `atomic_outputs` on the folder does that first thing (and discards dead
    unfinished batches), and after its own commit removes `atomic_path` temporaries of killed
    writers named after its outputs or the `stale` patterns (`fnmatch` patterns of output names,
    such as "e1rm_history_*.png"). Only our own names are touched, and only when no live writer
    holds them (a lock on each); other files in `folder` (an ingest store, say) are left alone.

    Concurrent writers into one folder each stage their own files; their commits take turns,
    and the last commit's files win.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    recover_outputs(folder)
    staging, lock_fd = _new_staging(folder)
    batch = OutputBatch(folder, staging, record)
    try:
        yield batch
        _commit(batch)
        _remove_dead_temps(folder, [glob.escape(name) for name in batch.names] + list(stale))
    finally:
        if not batch.committed:
            shutil.rmtree(staging, ignore_errors=True)
        os.close(lock_fd)


def recover_outputs(folder: str | os.PathLike[str]) -> None:
    """Finish what killed `atomic_outputs` writers left in `folder`: a batch past its commit
    point has its remaining files renamed into place (oldest batch first, record last); an
    unfinished one is discarded. Staging folders of live writers are left alone."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    with _folder_lock(folder):
        _recover(folder)


def _recover(folder: Path) -> None:
    dead: list[tuple[int, Path, int]] = []
    for staging in folder.glob(STAGING_PREFIX + "*"):
        if not _STAGING.match(staging.name) or staging.is_symlink() or not staging.is_dir():
            continue
        try:
            fd = os.open(staging / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:  # gone meanwhile, or not ours to touch
            continue
        if _lock(fd, wait=False) and _same_file(fd, staging / _LOCK):
            marker = staging / _COMMIT
            dead.append((marker.stat().st_mtime_ns if marker.exists() else -1, staging, fd))
        else:
            os.close(fd)  # a live writer's (or locks do not work here: we cannot tell, so keep it)
    for _, staging, fd in sorted(dead, key=lambda entry: entry[0]):
        try:
            marker = staging / _COMMIT
            if marker.exists():
                _move(staging, folder, json.loads(marker.read_text(encoding="utf-8")))
            shutil.rmtree(staging, ignore_errors=True)
        finally:
            os.close(fd)


def _new_staging(folder: Path) -> tuple[Path, int]:
    """A fresh staging folder in `folder` and the fd of its lock (held)."""
    while True:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        try:
            fd = os.open(staging / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except FileNotFoundError:  # a recovering writer took it for a dead one: again
            continue
        if _lock(fd, wait=True) is not False and _same_file(fd, staging / _LOCK):
            return staging, fd
        os.close(fd)


def _commit(batch: OutputBatch) -> None:
    folder, staging = batch.folder, batch.staging
    if batch.record not in batch.names:
        raise ValueError(f"the run's record {batch.record} was not written")
    order = [name for name in batch.names if name != batch.record] + [batch.record]
    for name in order:
        staged = staging / name
        if not staged.is_file():
            raise FileNotFoundError(f"output {name} was not written")
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(f"cannot write {target}: it is a folder")
        fsync_path(staged)
    marker = staging / (_COMMIT + ".tmp")
    marker.write_text(json.dumps(order), encoding="utf-8")
    fsync_path(marker)
    with _folder_lock(folder):  # commits take turns; a batch killed meanwhile is finished first
        _recover(folder)
        os.replace(marker, staging / _COMMIT)  # the commit point
        fsync_path(staging)
        batch.committed = True
        _move(staging, folder, order)
    shutil.rmtree(staging, ignore_errors=True)


def _move(staging: Path, folder: Path, order: list[str]) -> None:
    """Rename the staged files still in `staging` into `folder`, in `order` (record last)."""
    for name in order:
        if os.path.lexists(staging / name):
            os.replace(staging / name, folder / name)
    fsync_path(folder)


def _remove_dead_temps(folder: Path, patterns: Iterable[str]) -> None:
    """Remove `atomic_path` temporaries (.<name>.<random>.tmp) of killed writers whose <name>
    matches one of `patterns`; a temporary whose writer lives is locked and stays."""
    for pattern in patterns:
        for path in folder.glob(f".{pattern}.*.tmp"):
            tail = _TEMP_TAIL.search(path.name)
            if tail is None or not fnmatch.fnmatchcase(path.name[1:tail.start()], pattern):
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd, wait=False) and _same_file(fd, path):
                    path.unlink(missing_ok=True)
            finally:
                os.close(fd)


def _lock(fd: int, wait: bool) -> bool | None:
    """An exclusive lock on `fd` (released when the holder closes it or dies): True; False when
    another holds it (only without `wait`); None where locks do not work here."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder itself (no lock file), where locks work."""
    if fcntl is None:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        _lock(fd, wait=True)
        yield
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """Whether `path` still names the file open as `fd`."""
    try:
        here, there = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def fsync_path(path: Path) -> None:
    """fsync a file or a folder by its path (a folder: so a rename in it survives a crash)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
