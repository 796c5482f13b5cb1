# Over 400 lines on purpose: the lock, the generation commit and the merge rule change together.
"""The accumulating set store: validated, quarantined and athlete tables that exports merge into.

Layout of a store folder ``DIR`` (one generation = one consistent copy of every table)::

    DIR/.store.lock                      exclusive lock held around read-merge-write
    DIR/.store/gen-<n>/<table>.parquet   committed generations (the current and the previous)
    DIR/current -> .store/gen-<n>        swapped with one os.replace: the commit point
    DIR/<table>.parquet -> current/<table>.parquet   stable paths for other tools

A writer builds ``gen-<n+1>`` in a temporary folder, renames it into place and then swaps the
``current`` link, so a reader (``read_store``, or a tool opening ``DIR/validated_sets.parquet``)
sees the old or the new store, never a mix, and a killed writer leaves the old store intact.
Temporary folders and links of killed writers, and generations older than the previous one,
are removed on the next write. A store from before generations (plain Parquet files in ``DIR``)
is read as it is and migrated on its next write.

Merge rule: an export is the truth for its athlete and time span. For each ingested
(athlete, file) the span is [first session, last session] of the file's dated rows; stored rows
of that athlete inside the span are replaced by the run's rows (deleted sets disappear, edited
ones are updated and move between the tables as needed); stored rows outside every span stay.
"""

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from workout_pipeline.atomic import fsync_path
from workout_pipeline.errors import InputError
from workout_pipeline.schema import (
    CANONICAL_COLUMNS,
    SET_IDENTITY,
    TEXT_COLUMNS,
    empty_canonical_frame,
    row_codes,
    share_categories,
    to_canonical,
)

VALIDATED_FILE = "validated_sets.parquet"
QUARANTINED_FILE = "quarantined_sets.parquet"
ATHLETES_FILE = "athletes.parquet"
TABLE_FILES = (VALIDATED_FILE, QUARANTINED_FILE, ATHLETES_FILE)
CURRENT_LINK = "current"
GENERATIONS_DIR = ".store"
LOCK_FILE = ".store.lock"
# How long a writer waits for another one before giving up with an error.
LOCK_TIMEOUT_S = 300.0
ATHLETE_COLUMNS = ("athlete_id", "unit", "unit_source", "unit_reason")
UNITS = ("kg", "lb")
UNIT_SOURCES = ("export", "inferred", "override")
# Rows whose date is missing or implausible do not define the time span an export covers.
UNDATED_REASONS = frozenset({"unparseable_date", "missing_date", "date_out_of_range", "future_date"})
_SORT = ["athlete_id", "performed_at", "exercise_raw", "set_index", "source_row"]
# What makes a quarantined row without a set identity the same row again (`_drop_requarantined`).
_UNDATED_ROW = ["athlete_id", "source_format", "source_row", "exercise_raw", "set_index", "weight_kg", "reps"]
# Columns whose change makes a re-ingested set count as "updated" (source_* is provenance:
# the newest export's file and row are stored, but moving to a new file is not an update).
_CONTENT = [c for c in CANONICAL_COLUMNS if c not in SET_IDENTITY and not c.startswith("source_")]
_GEN = re.compile(r"^gen-(\d+)$")
_READ_ATTEMPTS = 5


class StoreTables(NamedTuple):
    """One consistent generation of the store, in canonical dtypes."""

    validated: pd.DataFrame
    quarantined: pd.DataFrame
    athletes: pd.DataFrame


def empty_athletes_frame() -> pd.DataFrame:
    """The athletes table with no rows."""
    return pd.DataFrame({column: pd.Series(dtype="string") for column in ATHLETE_COLUMNS})


def to_athletes(frame: pd.DataFrame | None) -> pd.DataFrame:
    """`frame` as the athletes table (one row per athlete, the last one wins).

    Raises:
        ValueError: a column is missing or a unit / unit_source is not one of the allowed values.
    """
    if frame is None or len(frame) == 0:
        return empty_athletes_frame()
    missing = [c for c in ATHLETE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"athletes table lacks column(s) {', '.join(missing)}")
    out = frame[list(ATHLETE_COLUMNS)].astype("string").drop_duplicates("athlete_id", keep="last")
    for column, allowed in (("unit", UNITS), ("unit_source", UNIT_SOURCES)):
        bad = sorted(set(out[column].dropna()) - set(allowed))
        if bad or out[column].isna().any():
            raise ValueError(f"athletes.{column} must be one of {', '.join(allowed)} (got {bad or 'null'})")
    return out.sort_values("athlete_id", kind="stable").reset_index(drop=True)


# --- reading -------------------------------------------------------------------------------


def read_store(out_dir: str | Path, compact: bool = False) -> StoreTables:
    """Read one consistent generation of the store in `out_dir` (empty tables where none yet);
    `compact`: the validated table's text columns as categoricals (``schema.TEXT_COLUMNS``).

    Raises:
        InputError: A store table exists but is not a readable Parquet table.
    """
    out_dir = Path(out_dir)
    for attempt in range(_READ_ATTEMPTS):
        folder = _current_generation(out_dir)
        in_generation = folder != out_dir  # a generation always holds its set tables
        try:
            return StoreTables(
                _read(folder / VALIDATED_FILE, in_generation, lambda: to_canonical(empty_canonical_frame(), compact=compact),
                      lambda f: to_canonical(f, compact=compact), dictionary=TEXT_COLUMNS if compact else ()),
                _read(folder / QUARANTINED_FILE, in_generation, lambda: empty_canonical_frame(with_reason=True),
                      lambda f: to_canonical(f, with_reason=True)),
                _read(folder / ATHLETES_FILE, False, empty_athletes_frame, to_athletes),
            )
        except FileNotFoundError:
            # Writers committed twice (and cleaned our generation away) while we read: again.
            if attempt == _READ_ATTEMPTS - 1:
                raise InputError(f"store {out_dir} changed too often while being read; try again") from None
    raise AssertionError("unreachable")


def load_store(out_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(validated, quarantined)`` of the store (see ``read_store``)."""
    tables = read_store(out_dir)
    return tables.validated, tables.quarantined


def athlete_units(out_dir: str | Path) -> dict[str, str]:
    """Each stored athlete's weight unit (``kg``/``lb``); empty for a store without the table."""
    athletes = read_store(out_dir).athletes
    return dict(zip(athletes["athlete_id"].astype(str), athletes["unit"].astype(str)))


def _current_generation(out_dir: Path) -> Path:
    """The folder holding the current tables: the generation `current` points at, or `out_dir`
    itself for a store written before generations (or no store at all)."""
    link = out_dir / CURRENT_LINK
    if link.is_symlink():
        if not link.exists():  # writers point it only at a complete generation, which they keep
            raise InputError(f"store {out_dir} is damaged: {link} points to a missing generation; move the folder away")
        return Path(os.path.realpath(link))
    return out_dir


def _read(path: Path, required: bool, empty, convert, dictionary: tuple[str, ...] = ()) -> pd.DataFrame:
    try:
        if dictionary:
            frame = _read_by_row_group(path, dictionary)
        else:
            frame = pd.read_parquet(path)
    except FileNotFoundError:
        if required:
            raise
        return empty()
    except Exception as exc:  # noqa: BLE001 - a damaged store must be reported, not overwritten
        raise InputError(f"store table {path} is unreadable ({type(exc).__name__}); move it away to start afresh") from exc
    try:
        return convert(frame)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"store table {path} does not have the expected columns ({' '.join(str(exc).split())[:200]})") from exc


def _read_by_row_group(path: Path, dictionary: tuple[str, ...]) -> pd.DataFrame:
    """A table with its `dictionary` columns as categoricals, read one row group at a time
    (memory: a 2.7-million-set table converted whole from Arrow to pandas cost 0.9 GB on top of
    the frame; a row group at a time costs one row group, then one column at a time to join)."""
    import pyarrow.parquet as pq
    from pandas.api.types import union_categoricals

    handle = pq.ParquetFile(path, read_dictionary=[c for c in dictionary if c in pq.read_schema(path).names])
    parts = [handle.read_row_group(i).to_pandas(self_destruct=True, split_blocks=True)
             for i in range(handle.num_row_groups)]
    if len(parts) <= 1:
        return parts[0] if parts else handle.schema_arrow.empty_table().to_pandas()
    columns = {}
    for name in list(parts[0].columns):
        pieces = [part.pop(name) for part in parts]
        if all(isinstance(piece.dtype, pd.CategoricalDtype) for piece in pieces):
            joined = union_categoricals(pieces, sort_categories=True, ignore_order=True)
            columns[name] = pd.Series(joined.rename_categories(pd.Index(joined.categories, dtype="string")))
        else:
            columns[name] = pd.concat(pieces, ignore_index=True)
        del pieces
    return pd.DataFrame(columns)


# --- writing -------------------------------------------------------------------------------


def merge_into_store(
    out_dir: str | Path,
    validated: pd.DataFrame,
    quarantined: pd.DataFrame,
    ingested_files: Iterable[tuple[str, str]] | None = None,
    athletes: pd.DataFrame | None = None,
    lock_timeout: float | None = None,
    spans: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Merge one ingest run into the store in `out_dir`: locked, atomic, export-as-truth.

    Args:
        out_dir: Store folder (created if needed).
        validated: Canonical validated rows of this run.
        quarantined: Canonical quarantined rows (with ``reason``) of this run.
        ingested_files: (athlete_id, source_file) pairs read in this run; defaults to the pairs
            present in the two frames (pass it so a file whose bad rows were fixed clears them).
        athletes: Columns ``athlete_id``, ``unit`` (kg/lb), ``unit_source``
            (export/inferred/override), ``unit_reason``; upserted by athlete (None keeps the table).
        lock_timeout: Seconds to wait for another writer (default ``LOCK_TIMEOUT_S``).
        spans: The run's export spans, one row per file and athlete (``athlete_id``, ``lo``,
            ``hi``; ``ingest_paths`` passes one per file it read, ``run_spans``); default: by
            (athlete, source file name) of the two frames (`export_spans`), which joins two
            files of one name into one span.

    Returns:
        Counts: ``added``, ``updated``, ``unchanged`` (validated sets of this run), ``removed``
        (stored validated sets inside a span that the run no longer has as valid),
        ``validated_total``, ``quarantined_total``, ``athletes_total``, ``generation``.

    Raises:
        InputError: `out_dir` is not a usable folder, another writer holds the lock past the
            timeout, or a stored table is unreadable.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    timeout = LOCK_TIMEOUT_S if lock_timeout is None else lock_timeout
    # A run's compact table (ingest_paths) is merged compact and written in the contract dtypes.
    compact = any(isinstance(validated[c].dtype, pd.CategoricalDtype) for c in TEXT_COLUMNS if c in validated)
    with store_lock(out_dir, timeout):
        old = read_store(out_dir, compact=compact)
        merged, counts = merge_tables(old, validated, quarantined, ingested_files, athletes, sort=False, compact=compact,
                                      spans=spans)
        del old
        generation = _commit(out_dir, merged)
        _clean(out_dir)
    return {**counts, "validated_total": len(merged.validated), "quarantined_total": len(merged.quarantined),
            "athletes_total": len(merged.athletes), "generation": generation}


class store_lock:  # noqa: N801 - used like a function: `with store_lock(dir, timeout):`
    """The store's exclusive writer lock (``filelock``; released when the holder dies)."""

    def __init__(self, out_dir: Path, timeout: float) -> None:
        from filelock import FileLock

        self.out_dir, self.timeout = out_dir, timeout
        self._lock = FileLock(out_dir / LOCK_FILE, timeout=timeout)

    def __enter__(self) -> "store_lock":
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise InputError(f"store {self.out_dir} is locked by another ingest (waited {self.timeout:g} s); "
                             "try again when it has finished") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def merge_tables(old: StoreTables, validated: pd.DataFrame, quarantined: pd.DataFrame,
                 ingested_files: Iterable[tuple[str, str]] | None = None,
                 athletes: pd.DataFrame | None = None, sort: bool = True, compact: bool = False,
                 spans: pd.DataFrame | None = None) -> tuple[StoreTables, dict[str, int]]:
    """The store after a run (pure: no files). See ``merge_into_store`` and the module rule.

    With ``sort=False`` the validated table is left in merge order (``store_order`` gives the
    store's order; ``_commit`` writes it sorted a row group at a time, without a sorted copy).
    With ``compact`` the validated tables are merged, and returned, with categorical text.
    """
    identity = list(SET_IDENTITY)
    old_valid, new_valid = to_canonical(old.validated, compact=compact), to_canonical(validated, compact=compact)
    if compact:
        old_valid, new_valid = share_categories([old_valid, new_valid])
    old_quarantine = old.quarantined
    # Two exports of one history in the same run: the later one (file order) wins.
    later_copy = pd.Series(row_codes(new_valid, identity)).duplicated(keep="last").to_numpy()
    if later_copy.any():  # a copy only when there is something to drop
        new_valid = new_valid[~later_copy]
    new_quarantine = to_canonical(quarantined, with_reason=True)
    files = set(ingested_files) if ingested_files is not None else set()
    for frame in (new_valid, new_quarantine):
        pairs = frame[["athlete_id", "source_file"]].dropna().drop_duplicates()
        files |= set(zip(pairs["athlete_id"].astype(str), pairs["source_file"].astype(str)))
    spans = export_spans(new_valid, new_quarantine) if spans is None else spans

    # One integer key per set identity across old and new rows; only the old rows of the run's
    # athletes can share one (none for a new athlete: no keys at all, memory on big exports).
    same_athlete = np.flatnonzero(np.asarray(old_valid["athlete_id"].isin(
        new_valid["athlete_id"].dropna().unique().tolist()), dtype=bool))
    restated = np.zeros(len(old_valid), dtype=bool)
    matched = np.full(len(new_valid), np.nan)
    if len(same_athlete):
        keys = row_codes(pd.concat([old_valid[identity].iloc[same_athlete], new_valid[identity]], ignore_index=True),
                         identity)
        old_keys, new_keys = keys[: len(same_athlete)], keys[len(same_athlete):]
        # Keys are dense (0..n-1): plain arrays indexed by key, no hash tables (memory).
        in_run = np.zeros(int(keys.max()) + 1, dtype=bool)
        in_run[new_keys] = True
        restated[same_athlete] = in_run[old_keys]
        old_position = np.full(len(in_run), -1, dtype=np.int64)
        np.maximum.at(old_position, old_keys, same_athlete)  # the last copy of a hand-edited store
        matched = old_position[new_keys].astype(float)
        matched[matched < 0] = np.nan
    existed = ~np.isnan(matched)
    changed = np.zeros(len(new_valid), dtype=bool)
    if existed.any():
        new_rows = np.flatnonzero(existed)
        old_rows = matched[existed].astype(np.int64)
        for column in _CONTENT:
            new = new_valid[column].iloc[new_rows].reset_index(drop=True)
            before = old_valid[column].iloc[old_rows].reset_index(drop=True)
            same = (new == before).fillna(False).astype(bool) | (new.isna() & before.isna())
            changed[new_rows] |= ~same.to_numpy()
    valid_in_span = in_spans(old_valid, spans)
    kept = ~(restated | valid_in_span)
    # No copy of the run's rows for an empty store or a run that restates all of it (memory).
    merged_valid = pd.concat([old_valid[kept], new_valid], ignore_index=True) if kept.any() else new_valid
    if sort:
        order = store_order(merged_valid)
        merged_valid = merged_valid if order is None else merged_valid.take(order)
    merged_valid = merged_valid.reset_index(drop=True)

    replaced = pd.DataFrame(sorted(files), columns=["athlete_id", "source_file"], dtype="string").assign(_replaced=True)
    from_ingested = (
        old_quarantine[["athlete_id", "source_file"]].astype("string")
        .merge(replaced, on=["athlete_id", "source_file"], how="left")["_replaced"]
        .fillna(False).astype(bool).to_numpy()
    )
    stale = from_ingested | in_spans(old_quarantine, spans)
    merged_quarantine = _drop_requarantined(pd.concat([old_quarantine[~stale], new_quarantine], ignore_index=True))

    merged_athletes = old.athletes
    if athletes is not None and len(athletes):
        new_athletes = to_athletes(athletes)
        kept = old.athletes[~old.athletes["athlete_id"].isin(new_athletes["athlete_id"])]
        merged_athletes = to_athletes(pd.concat([kept, new_athletes], ignore_index=True))
    counts = {
        "added": int((~existed).sum()),
        "updated": int((existed & changed).sum()),
        "unchanged": int((existed & ~changed).sum()),
        "removed": int((valid_in_span & ~restated).sum()),
    }
    return StoreTables(to_canonical(merged_valid, compact=compact), merged_quarantine, merged_athletes), counts


def store_order(frame: pd.DataFrame) -> np.ndarray | None:
    """Row positions that put `frame` in store order (``_SORT``, stable); None when it is."""
    # np.lexsort (stable) on one integer key per column, nulls last, like a stable sort_values
    # without its copy of the key columns (memory on big exports).
    order = np.lexsort([_sort_key(frame[column]) for column in reversed(_SORT)]) if len(frame) else np.arange(0)
    return None if (order == np.arange(len(order))).all() else order


def _sort_key(values: pd.Series) -> np.ndarray:
    """Integers ordered like `values` (nulls last): categorical codes (sorted categories),
    timestamps and integers as themselves, anything else by its sorted factorization."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.is_monotonic_increasing:
        codes = values.cat.codes.to_numpy()
        return np.where(codes < 0, len(values.cat.categories), codes)
    if pd.api.types.is_datetime64_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        numbers = values.to_numpy(dtype="datetime64[us]" if values.dtype.kind == "M" else "float64", na_value=np.nan)
        if numbers.dtype.kind == "M":
            return np.where(np.isnat(numbers), np.iinfo(np.int64).max, numbers.view(np.int64))
        return np.where(np.isnan(numbers), np.inf, numbers)
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes)


def export_spans(validated: pd.DataFrame, quarantined: pd.DataFrame) -> pd.DataFrame:
    """Per (athlete, source file) of a run: its first and last session start (``lo``, ``hi``).

    Rows quarantined for a missing or implausible date do not stretch a span.
    """
    dated_quarantine = quarantined[~quarantined["reason"].isin(list(UNDATED_REASONS)).fillna(False).astype(bool)]
    key = ["athlete_id", "source_file"]
    # Each table's spans, then both together (a compact and a plain table do not stack: memory).
    parts = [rows.groupby(key, sort=False, observed=True)["performed_at"].agg(lo="min", hi="max").reset_index()
             .astype({column: "string" for column in key})
             for frame in (validated, dated_quarantine) if len(rows := frame[[*key, "performed_at"]].dropna())]
    if not parts:
        return pd.DataFrame({"athlete_id": pd.Series(dtype="string"), "lo": pd.Series(dtype="datetime64[us]"),
                             "hi": pd.Series(dtype="datetime64[us]")})
    spans = pd.concat(parts, ignore_index=True).groupby(key, sort=True).agg(lo=("lo", "min"), hi=("hi", "max"))
    return spans.reset_index()[["athlete_id", "lo", "hi"]]


def run_spans(validated: pd.DataFrame, quarantined: pd.DataFrame, files: list[tuple[slice, slice]]
              ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A run's spans file by file, and the rows a later file of the run restates.

    `files` are each read file's rows in the two tables, in the run's file order. Each file
    gets its own spans (two exports named `strong.csv`, January's and December's, are two
    spans, not one covering the months between them), and a file's rows inside the span of a
    later file of the same athlete are that later export's to state, as if the files had been
    ingested one after the other (a set the newer export deleted is not kept).

    Returns:
        (spans: ``athlete_id``, ``lo``, ``hi`` per file and athlete; superseded validated rows;
        superseded quarantined rows), the masks aligned with the two tables.
    """
    per_file = [export_spans(validated.iloc[v], quarantined.iloc[q]) for v, q in files]
    athletes = [set(spans["athlete_id"].dropna().astype(str)) for spans in per_file]
    superseded = np.zeros(len(validated), dtype=bool), np.zeros(len(quarantined), dtype=bool)
    for later, spans in enumerate(per_file):
        for earlier in range(later):
            if not athletes[earlier] & athletes[later]:
                continue
            for table, rows, mask in zip((validated, quarantined), files[earlier], superseded):
                mask[rows] |= in_spans(table.iloc[rows], spans)
    spans = pd.concat(per_file, ignore_index=True) if per_file else export_spans(validated.iloc[:0], quarantined.iloc[:0])
    return spans, *superseded


def in_spans(frame: pd.DataFrame, spans: pd.DataFrame) -> np.ndarray:
    """Whether each row of `frame` falls inside one of its athlete's spans (bounds included).

    Rows are matched to their athlete's spans by position (a categorical's codes, or one lookup
    in the few span athletes), never by a join on text: a 2.7-million-set store costs a few
    integer arrays here, not a copy of its rows (memory)."""
    mask = np.zeros(len(frame), dtype=bool)
    if frame.empty or spans.empty:
        return mask
    spans = spans.dropna(subset=["athlete_id"]).astype({"athlete_id": "string"})
    athletes = pd.Index(spans["athlete_id"].unique().tolist())
    column = frame["athlete_id"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        by_category = athletes.get_indexer(column.cat.categories.astype(str))
        athlete = (np.where(codes >= 0, by_category[np.maximum(codes, 0)], -1) if len(by_category)
                   else np.full(len(codes), -1))
    else:
        athlete = athletes.get_indexer(column.astype("string"))
    rows = np.flatnonzero(athlete >= 0)
    if not len(rows):
        return mask
    athlete, when = athlete[rows], frame["performed_at"].to_numpy()[rows]
    # An athlete's spans (one per export of the run) taken one rank at a time.
    spans = spans.assign(_athlete=athletes.get_indexer(spans["athlete_id"]))
    spans = spans.assign(_rank=spans.groupby("_athlete").cumcount())
    for _, ranked in spans.groupby("_rank"):
        lo = np.full(len(athletes), np.datetime64("NaT"), dtype=when.dtype)
        hi = lo.copy()
        lo[ranked["_athlete"].to_numpy()] = ranked["lo"].to_numpy(dtype=when.dtype)
        hi[ranked["_athlete"].to_numpy()] = ranked["hi"].to_numpy(dtype=when.dtype)
        mask[rows] |= (when >= lo[athlete]) & (when <= hi[athlete])
    return mask


def _drop_requarantined(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Keep one copy of a row quarantined again by a newer export of the same history.

    A row with its set identity is that set again; one without (no date, no exercise) is the
    same row when the same kind of export has it at the same row with the same content, so a
    renamed re-download (`strong (1).csv`) does not store its undated rows twice."""
    identity = list(SET_IDENTITY)
    has_identity = quarantine[identity].notna().all(axis=1).to_numpy()
    parts = []
    for rows, key in ((quarantine[has_identity], identity), (quarantine[~has_identity], _UNDATED_ROW)):
        rows = rows.copy()
        # Within one file, the 2nd and 3rd copy of a set are different rows: number the copies.
        rows["_copy"] = rows.groupby(key + ["reason", "source_file"], dropna=False, sort=False).cumcount()
        keep = ~rows.duplicated(key + ["reason", "_copy"], keep="last")
        parts.append(rows[keep.to_numpy()].drop(columns="_copy"))
    kept = pd.concat(parts, ignore_index=True)
    return kept.sort_values(_SORT, kind="stable", na_position="last").reset_index(drop=True)


def _generations(out_dir: Path) -> list[int]:
    folder = out_dir / GENERATIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for m in (_GEN.match(p.name) for p in folder.iterdir()) if m)


def _commit(out_dir: Path, tables: StoreTables) -> int:
    """Write `tables` as a new generation and make it current with one rename (lock held)."""
    generations_dir = out_dir / GENERATIONS_DIR
    generations_dir.mkdir(exist_ok=True)
    number = max(_generations(out_dir), default=0) + 1
    pid = os.getpid()
    staging = generations_dir / f".tmp-gen-{number}-{pid}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        for name, frame in zip(TABLE_FILES, tables):
            write_table(frame, staging / name, order=store_order(frame) if name == VALIDATED_FILE else None)
            fsync_path(staging / name)
        fsync_path(staging)
        os.rename(staging, generations_dir / f"gen-{number}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone after the rename; an error leaves no trace
    fsync_path(generations_dir)
    _replace_symlink(out_dir / CURRENT_LINK, f"{GENERATIONS_DIR}/gen-{number}")  # the commit point
    for name in TABLE_FILES:  # stable paths (replaces the plain files of a pre-generation store)
        link = out_dir / name
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT_LINK}/{name}"):
            _replace_symlink(link, f"{CURRENT_LINK}/{name}")
    return number


def write_table(frame: pd.DataFrame, path: Path, rows_per_group: int = 250_000, order: np.ndarray | None = None) -> None:
    """Write `frame` as Parquet a row group at a time (Arrow holds one group, not the table),
    its rows in `order` (row positions) when given. A compact canonical frame (categorical
    text) is written in the contract's types, as if it were in the contract dtypes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    contract = None
    if any(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in TEXT_COLUMNS if c in frame):
        reason = {"with_reason": True} if "reason" in frame else {}
        contract = pa.Schema.from_pandas(empty_canonical_frame(**reason), preserve_index=False)

    def rows(start: int) -> pd.DataFrame:
        if order is None:
            return frame.iloc[start:start + rows_per_group]
        return frame.take(order[start:start + rows_per_group]).reset_index(drop=True)

    def table(start: int, schema=None):
        group = pa.Table.from_pandas(rows(start), schema=None if contract else schema, preserve_index=False)
        return group if contract is None else group.cast(contract)

    first = table(0)
    with pq.ParquetWriter(path, first.schema) as writer:
        writer.write_table(first)
        del first
        for start in range(rows_per_group, len(frame), rows_per_group):
            writer.write_table(table(start, writer.schema))


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.tmp-link-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)
    fsync_path(link.parent)



def _clean(out_dir: Path) -> None:
    """Remove what killed writers left (temporary generations, links and files) and generations
    older than the previous one (lock held)."""
    generations_dir = out_dir / GENERATIONS_DIR
    for path in generations_dir.glob(".tmp-gen-*"):
        shutil.rmtree(path, ignore_errors=True)
    for pattern in (".*.tmp-link-*", ".validated_sets.parquet.*.tmp", ".quarantined_sets.parquet.*.tmp"):
        for path in out_dir.glob(pattern):
            path.unlink(missing_ok=True)
    current = int(_GEN.match(Path(os.readlink(out_dir / CURRENT_LINK)).name).group(1))
    older = [n for n in _generations(out_dir) if n < current]
    keep = {current, *older[-1:]}
    for number in _generations(out_dir):
        if number not in keep:
            shutil.rmtree(generations_dir / f"gen-{number}", ignore_errors=True)
