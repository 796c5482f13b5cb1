"""Exercise names in the constraints file: ids, catalog names, or the names as the lifter logs them."""

from collections.abc import Iterable

import pandas as pd

from workout_pipeline.catalog.crosswalk import build_resolver
from workout_pipeline.catalog.records import Catalog
from workout_pipeline.errors import InputError

NAME_KEYS: tuple[str, ...] = ("require_exercises", "prefer_exercises", "avoid_exercises", "exclude_exercises")


def resolve_exercise_names(names: Iterable[str], key: str, catalog: Catalog, history: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Catalog ids for `names`, each an id, a catalog name or a name as logged.

    A logged name maps to the ids its sets resolved to in the history, else the resolver
    (`workout_pipeline.catalog.crosswalk.build_resolver`: the one for the catalog in use) decides.

    Raises:
        InputError: a name that resolves to no exercise of the catalog (the message names it).
    """
    names = list(names)
    if not names:
        return ()
    ids = {e.exercise_id.lower(): e.exercise_id for e in catalog}
    by_name = {" ".join(e.name.lower().split()): e.exercise_id for e in catalog}
    logged: dict[str, set[str]] = {}
    if history is not None and len(history) and "exercise_raw" in history.columns:
        pairs = history.loc[history["exercise_id"].notna(), ["exercise_raw", "exercise_id"]].drop_duplicates()
        for raw, exercise_id in pairs.itertuples(index=False):
            logged.setdefault(" ".join(str(raw).lower().split()), set()).add(str(exercise_id))
    out: list[str] = []
    resolver = None
    for name in names:
        folded = " ".join(name.lower().split())
        found = [ids[folded]] if folded in ids else [by_name[folded]] if folded in by_name else sorted(logged.get(folded, ()))
        if not found:
            resolver = resolver or build_resolver(catalog)
            hit = resolver.resolve(name).exercise_id
            found = [ids[hit.lower()]] if hit and hit.lower() in ids else []
        if not found:
            raise InputError(f"constraints key {key}: unknown exercise {name!r} (not a catalog id, catalog name or a name in your log)")
        out.extend(f for f in found if f not in out)
    return tuple(out)


def with_resolved_names(constraints, catalog: Catalog, history: pd.DataFrame | None = None):
    """`constraints` with every exercise-name key replaced by catalog ids."""
    import dataclasses

    changes = {key: resolve_exercise_names(getattr(constraints, key), key, catalog, history) for key in NAME_KEYS}
    return dataclasses.replace(constraints, **changes)
