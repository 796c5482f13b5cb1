"""The canonical set table (a contract, see DESIGN.md): column names, dtypes and helpers."""

import numpy as np
import pandas as pd

# Contract order of the canonical columns.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "athlete_id",
    "session_id",
    "performed_at",
    "exercise_raw",
    "exercise_id",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "rpe",
    "rest_s",
    "duration_s",
    "distance_m",
    "source_file",
    "source_row",
    "source_format",
    "workout_name",
)

CANONICAL_DTYPES: dict[str, str] = {
    "athlete_id": "string",
    "session_id": "string",
    "performed_at": "datetime64[us]",
    "exercise_raw": "string",
    "exercise_id": "string",
    "set_index": "Int64",
    "set_type": "string",
    "weight_kg": "float64",
    "reps": "Int64",
    "rpe": "float64",
    "rest_s": "float64",
    "duration_s": "float64",
    "distance_m": "float64",
    "source_file": "string",
    "source_row": "Int64",
    "source_format": "string",
    "workout_name": "string",
}

SET_TYPES: tuple[str, ...] = ("normal", "warmup", "failure", "drop")
# Sets that count as work in the evaluation protocol and for volume.
WORKING_SET_TYPES: tuple[str, ...] = ("normal", "failure")

# A set's identity in the accumulating store: re-ingesting an overlapping export updates, never adds.
SET_IDENTITY: tuple[str, ...] = ("athlete_id", "performed_at", "exercise_raw", "set_index")

# Text columns of the contract. Inside an ingest run (``compact=True``) they are held as pandas
# categoricals with sorted string categories: a few bytes a row instead of ~30 (a 200 MB export's
# rows fit in memory several times over). The store and every public frame use the contract dtypes.
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c, t in CANONICAL_DTYPES.items() if t == "string")
COMPACT_TEXT = "category"


def canonical_dtypes(with_reason: bool = False, compact: bool = False) -> dict[str, str]:
    """Column -> dtype of the canonical table (plus ``reason``; text as categoricals if `compact`;
    ``reason`` always stays ``string``: quarantine is small)."""
    wanted = dict(CANONICAL_DTYPES, **({"reason": "string"} if with_reason else {}))
    if compact:
        wanted.update({column: COMPACT_TEXT for column in TEXT_COLUMNS})
    return wanted


def empty_canonical_frame(with_reason: bool = False) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes (plus `reason` for quarantine)."""
    return _EMPTY[with_reason].copy(deep=False)  # built once (every file asks for some); copy-on-write keeps it apart


def _empty(with_reason: bool) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in CANONICAL_DTYPES.items()})
    if with_reason:
        frame["reason"] = pd.Series(dtype="string")
    return frame


_EMPTY = {flag: _empty(flag) for flag in (False, True)}


def to_canonical(frame: pd.DataFrame, with_reason: bool = False, compact: bool = False) -> pd.DataFrame:
    """Return `frame` with exactly the canonical columns (missing ones null) in contract dtypes
    (with `compact`, text columns as categoricals: see ``TEXT_COLUMNS``)."""
    wanted = canonical_dtypes(with_reason, compact)
    # Already canonical (the common case): no per-column casts (one look at the dtypes: this
    # runs several times per file, and a column lookup per column cost more than the rest).
    if (list(frame.columns) == list(wanted) and [str(dtype) for dtype in frame.dtypes] == list(wanted.values())
            and (not compact or all(_sorted_text(frame[c]) for c, t in wanted.items() if t == COMPACT_TEXT))):
        return frame.reset_index(drop=True)
    columns = {column: cast_column(frame[column] if column in frame.columns else null_column(dtype, frame.index), dtype)
               for column, dtype in wanted.items()}
    return pd.DataFrame(columns, index=frame.index).reset_index(drop=True)


def cast_column(values: pd.Series, dtype: str) -> pd.Series:
    """`values` in the contract dtype `dtype` (unreadable timestamps become NaT)."""
    if dtype == COMPACT_TEXT:
        return compact_text(values)
    if str(values.dtype) == dtype:
        return values
    if dtype.startswith("datetime"):
        return pd.to_datetime(values, errors="coerce").astype(dtype)
    return values.astype(dtype)


def null_column(dtype: str, index: pd.Index) -> pd.Series:
    """An all-null column of `dtype` (float NaN cannot come from pd.NA)."""
    if dtype == COMPACT_TEXT:
        return pd.Series(pd.Categorical.from_codes(np.full(len(index), -1, dtype=np.int8), dtype=_NO_TEXT), index=index)
    return pd.Series(float("nan") if dtype == "float64" else pd.NA, index=index, dtype=dtype)


_NO_TEXT = pd.CategoricalDtype(pd.Index([], dtype="string"))


def compact_text(values: pd.Series) -> pd.Series:
    """Text `values` as a categorical with sorted ``string`` categories (the compact form: code
    order is text order, so sorting and comparing codes agrees with the text)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("string").astype(COMPACT_TEXT)
    if _sorted_text(values):
        return values
    categories = values.cat.categories
    if categories.dtype != "string":
        values = values.cat.rename_categories(pd.Index(categories.astype("string")))
    # reorder_categories, not astype: unordered dtypes with the same set compare equal.
    return values.cat.reorder_categories(values.cat.categories.sort_values())


def _sorted_text(values: pd.Series) -> bool:
    categories = values.cat.categories
    return categories.dtype == "string" and categories.is_monotonic_increasing


def row_codes(frame: pd.DataFrame, columns: list[str], start: np.ndarray | None = None) -> np.ndarray:
    """Number the distinct value combinations of `columns` (nulls are values) in order of first
    appearance, like ``groupby(columns, sort=False, dropna=False).ngroup()``, one column at a time
    (a groupby holds integer codes for every key column at once: memory). `start`: codes of
    columns already combined."""
    codes = np.zeros(len(frame), dtype=np.int64) if start is None else start
    bound = int(codes.max()) + 1 if len(codes) else 1  # codes lie in 0..bound-1
    for column in columns:
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        if bound * (len(uniques) + 1) >= 2**62:  # renumber densely before the product overflows
            codes = pd.factorize(codes)[0]
            bound = int(codes.max()) + 1
        codes = codes * (len(uniques) + 1) + column_codes
        bound *= len(uniques) + 1
    return pd.factorize(codes)[0] if columns or start is None else codes


def constant_column(value: str, dtype: str, index: pd.Index) -> pd.Series:
    """`value` on every row of `index` in `dtype` (a categorical stores it once)."""
    if dtype == COMPACT_TEXT:
        return pd.Series(pd.Categorical.from_codes(np.zeros(len(index), dtype=np.int8),
                                                   dtype=pd.CategoricalDtype(pd.Index([value], dtype="string"))), index=index)
    return pd.Series(value, index=index, dtype=dtype)


def concat_canonical(frames: list[pd.DataFrame], with_reason: bool = False, compact: bool = False) -> pd.DataFrame:
    """Stack canonical frames (``to_canonical`` of each); compact ones share one sorted category
    set per text column, so the result stays compact (plain ``pd.concat`` would give objects)."""
    frames = [to_canonical(frame, with_reason, compact) for frame in frames]
    if not frames:
        return to_canonical(empty_canonical_frame(with_reason), with_reason, compact)
    if compact and len(frames) > 1:
        frames = share_categories(frames)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def share_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames with each categorical column recoded onto the sorted union of its categories."""
    out = [frame.copy(deep=False) for frame in frames]
    for column in frames[0].columns:
        dtypes = [frame[column].dtype for frame in frames]
        if not isinstance(dtypes[0], pd.CategoricalDtype) or all(d == dtypes[0] for d in dtypes[1:]):
            continue
        union = pd.Index(pd.concat([pd.Series(d.categories, dtype="string") for d in dtypes], ignore_index=True)
                         .unique(), dtype="string").sort_values()
        for frame in out:
            frame[column] = compact_text(frame[column]).cat.set_categories(union)  # recodes (no per-row text)
    return out


def working_sets(frame: pd.DataFrame) -> pd.DataFrame:
    """The working sets (`WORKING_SET_TYPES`) of a canonical frame."""
    return frame[working_mask(frame)]


def working_mask(frame: pd.DataFrame) -> np.ndarray:
    """Which rows of a canonical frame are working sets."""
    return np.asarray(frame["set_type"].isin(WORKING_SET_TYPES).fillna(False), dtype=bool)


def resolution_summary(validated: pd.DataFrame) -> tuple[float, pd.Series]:
    """How well names resolved: the share of working sets with a catalog id, and the unresolved
    names with their working-set counts (most sets first)."""
    # The two columns it needs, not a copy of every working row (memory on big exports).
    working = working_mask(validated)
    if not working.any():
        return 0.0, pd.Series(dtype="int64")
    ids, names = validated["exercise_id"][working], validated["exercise_raw"][working]
    missing = names[ids.isna().to_numpy()]
    unresolved = missing.groupby(missing).size().rename_axis("exercise_raw")
    return float(ids.notna().mean()), unresolved.sort_values(ascending=False, kind="stable")
