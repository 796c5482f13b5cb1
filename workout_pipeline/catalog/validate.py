"""Checks that a catalog frame is usable; problems become one-line `InputError`s naming the ids."""

import pandas as pd

from workout_pipeline.catalog.muscles import CATEGORIES, MUSCLES
from workout_pipeline.catalog.vocabulary import CATALOG_COLUMNS, EQUIPMENT, KINDS, MECHANICS
from workout_pipeline.errors import InputError

_MAX_IDS_SHOWN = 8


def _id_list(ids) -> str:
    """Render offending ids compactly (the message must stay one line)."""
    ids = [str(i) for i in ids]
    shown = ", ".join(ids[:_MAX_IDS_SHOWN])
    more = len(ids) - _MAX_IDS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def validate_catalog(catalog: pd.DataFrame, origin: str = "catalog") -> pd.DataFrame:
    """Check a catalog frame against the vocabulary and return it unchanged.

    Args:
        catalog: Frame with all of `CATALOG_COLUMNS`.
        origin: Where it came from, used in error messages (e.g. the file path).

    Returns:
        The same frame.

    Raises:
        InputError: On missing columns, empty or duplicate ids, exercises without a primary
            muscle, muscles outside `MUSCLES`, or unknown category/equipment/mechanic/kind,
            or a non-positive load step; the message names the offending ids.
    """
    missing = [column for column in CATALOG_COLUMNS if column not in catalog.columns]
    if missing:
        raise InputError(f"{origin}: catalog is missing columns {', '.join(missing)}")
    ids = catalog["exercise_id"]
    empty = ids.isna() | (ids.astype("string").str.strip() == "")
    if empty.any():
        rows = [int(i) + 1 for i in catalog.index[empty]]
        raise InputError(f"{origin}: exercises without an exercise_id at rows {_id_list(rows)}")
    duplicated = ids[ids.duplicated(keep=False)].unique()
    if len(duplicated):
        raise InputError(f"{origin}: duplicate exercise ids: {_id_list(sorted(duplicated))}")

    vocabulary = set(MUSCLES)
    no_primary = [eid for eid, muscles in zip(ids, catalog["primary_muscles"]) if not muscles]
    if no_primary:
        raise InputError(f"{origin}: exercises without a primary muscle: {_id_list(no_primary)}")
    for column in ("primary_muscles", "secondary_muscles"):
        unknown = {
            eid: sorted(set(muscles) - vocabulary)
            for eid, muscles in zip(ids, catalog[column])
            if set(muscles) - vocabulary
        }
        if unknown:
            detail = _id_list(f"{eid} ({'/'.join(bad)})" for eid, bad in unknown.items())
            raise InputError(f"{origin}: {column} outside the muscle vocabulary: {detail}")

    for column, allowed in (
        ("category", CATEGORIES),
        ("equipment", EQUIPMENT),
        ("mechanic", MECHANICS),
        ("kind", KINDS),
    ):
        bad = ~catalog[column].isin(allowed)
        if bad.any():
            values = sorted({str(v) for v in catalog.loc[bad, column]})
            raise InputError(
                f"{origin}: unknown {column} {', '.join(values)} (allowed: {', '.join(allowed)}) "
                f"for {_id_list(ids[bad])}"
            )
    steps = pd.to_numeric(catalog["load_step_kg"], errors="coerce")
    bad_step = ~(steps > 0)
    if bad_step.any():
        raise InputError(f"{origin}: load_step_kg must be a positive number for {_id_list(ids[bad_step])}")
    return catalog
