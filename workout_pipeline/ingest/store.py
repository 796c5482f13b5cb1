"""The accumulating set store: validated and quarantined Parquet tables that exports merge into.

Apps export the whole history every time, so a set already stored (its identity is
``schema.SET_IDENTITY``) is updated in place, never added twice, and re-ingesting a source
file replaces its quarantined rows instead of appending them again.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workout_pipeline.atomic import atomic_path
from workout_pipeline.errors import InputError
from workout_pipeline.schema import CANONICAL_COLUMNS, SET_IDENTITY, empty_canonical_frame, to_canonical

VALIDATED_FILE = "validated_sets.parquet"
QUARANTINED_FILE = "quarantined_sets.parquet"
_SORT = ["athlete_id", "performed_at", "exercise_raw", "set_index", "source_row"]
# Columns whose change makes a re-ingested set count as "updated" (source_* is provenance:
# the newest export's file and row are stored, but moving to a new file is not an update).
_CONTENT = [c for c in CANONICAL_COLUMNS if c not in SET_IDENTITY and not c.startswith("source_")]


def load_store(out_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the store in `out_dir` (empty canonical frames for tables not written yet).

    Returns:
        ``(validated, quarantined)`` in canonical dtypes (quarantined with ``reason``).

    Raises:
        InputError: A store file exists but is not a readable Parquet table.
    """
    out_dir = Path(out_dir)
    return (_read(out_dir / VALIDATED_FILE, with_reason=False), _read(out_dir / QUARANTINED_FILE, with_reason=True))


def _read(path: Path, with_reason: bool) -> pd.DataFrame:
    if not path.exists():
        return empty_canonical_frame(with_reason=with_reason)
    try:
        return to_canonical(pd.read_parquet(path), with_reason=with_reason)
    except Exception as exc:  # noqa: BLE001 - a damaged store must be reported, not overwritten
        raise InputError(f"store table {path} is unreadable ({type(exc).__name__}); move it away to start afresh") from exc


def merge_into_store(
    out_dir: str | Path,
    validated: pd.DataFrame,
    quarantined: pd.DataFrame,
    ingested_files: Iterable[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Merge one ingest run into the store in `out_dir`, atomically.

    Validated sets are upserted by identity (the newest export wins). Quarantined rows of each
    re-ingested source file (athlete, source_file) replace that file's earlier rows, and
    rows quarantined again from a newer export of the same history (same identity, reason and
    occurrence) are kept once. Both tables are written to temporary files first and renamed
    only when both are complete, so a crash leaves the previous store intact.

    Args:
        out_dir: Store folder (created if needed).
        validated: Canonical validated rows of this run.
        quarantined: Canonical quarantined rows (with ``reason``) of this run.
        ingested_files: (athlete_id, source_file) pairs read in this run; defaults to the pairs
            present in the two frames (pass it so a file whose bad rows were fixed clears them).

    Returns:
        Counts: ``added``, ``updated``, ``unchanged`` (validated sets of this run),
        ``validated_total``, ``quarantined_total`` (store sizes after the merge).
    """
    out_dir = Path(out_dir)
    old_valid, old_quarantine = load_store(out_dir)
    # Two exports of one history in the same run: the later one (file order) wins.
    new_valid = to_canonical(validated).drop_duplicates(list(SET_IDENTITY), keep="last")
    new_quarantine = to_canonical(quarantined, with_reason=True)

    # Upsert: one integer key per set identity across old and new rows, then drop the stored
    # sets the new rows re-state and append the new rows (new_valid has unique identities).
    identity = list(SET_IDENTITY)
    keys = (pd.concat([old_valid[identity], new_valid[identity]], ignore_index=True)
            .groupby(identity, sort=False, dropna=False).ngroup().to_numpy())
    old_keys, new_keys = keys[: len(old_valid)], keys[len(old_valid):]
    restated = np.isin(old_keys, new_keys)
    old_position = pd.Series(np.arange(len(old_valid)), index=old_keys)
    old_position = old_position[~old_position.index.duplicated(keep="last")]  # a hand-edited store
    matched = old_position.reindex(new_keys).to_numpy()
    existed = ~np.isnan(matched)
    changed = np.zeros(len(new_valid), dtype=bool)
    if existed.any():
        new_rows = np.flatnonzero(existed)
        old_rows = matched[existed].astype(np.int64)
        for column in _CONTENT:
            new = new_valid[column].iloc[new_rows].reset_index(drop=True)
            old = old_valid[column].iloc[old_rows].reset_index(drop=True)
            same = (new == old).fillna(False).astype(bool) | (new.isna() & old.isna())
            changed[new_rows] |= ~same.to_numpy()
    merged_valid = pd.concat([old_valid[~restated], new_valid], ignore_index=True)
    merged_valid = merged_valid.sort_values(_SORT, kind="stable").reset_index(drop=True)

    files = set(ingested_files) if ingested_files is not None else set()
    for frame in (new_valid, new_quarantine):
        pairs = frame[["athlete_id", "source_file"]].drop_duplicates()
        files |= set(zip(pairs["athlete_id"].astype(str), pairs["source_file"].astype(str)))
    replaced = pd.DataFrame(sorted(files), columns=["athlete_id", "source_file"], dtype="string").assign(_replaced=True)
    from_ingested = (
        old_quarantine[["athlete_id", "source_file"]].astype("string")
        .merge(replaced, on=["athlete_id", "source_file"], how="left")["_replaced"]
        .fillna(False).astype(bool).to_numpy()
    )
    merged_quarantine = pd.concat([old_quarantine[~from_ingested], new_quarantine], ignore_index=True)
    merged_quarantine = _drop_requarantined(merged_quarantine)

    with atomic_path(out_dir / VALIDATED_FILE) as valid_tmp, atomic_path(out_dir / QUARANTINED_FILE) as quarantine_tmp:
        merged_valid.to_parquet(valid_tmp, index=False)
        merged_quarantine.to_parquet(quarantine_tmp, index=False)
    return {
        "added": int((~existed).sum()),
        "updated": int((existed & changed).sum()),
        "unchanged": int((existed & ~changed).sum()),
        "validated_total": len(merged_valid),
        "quarantined_total": len(merged_quarantine),
    }


def _drop_requarantined(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Keep one copy of a row quarantined again by a newer export of the same history."""
    identity = list(SET_IDENTITY)
    has_identity = quarantine[identity].notna().all(axis=1).to_numpy()
    keyed = quarantine[has_identity].copy()
    # Within one file, the 2nd and 3rd copy of a set are different rows: number the copies.
    keyed["_copy"] = keyed.groupby(identity + ["reason", "source_file"], dropna=False, sort=False).cumcount()
    keep = ~keyed.duplicated(identity + ["reason", "_copy"], keep="last")
    kept = pd.concat([keyed[keep.to_numpy()].drop(columns="_copy"), quarantine[~has_identity]], ignore_index=True)
    return kept.sort_values(_SORT, kind="stable", na_position="last").reset_index(drop=True)
