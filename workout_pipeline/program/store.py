"""Reading an ingest store for the program: validated sets and, when present, recommendations."""

from pathlib import Path
from typing import Any

from workout_pipeline.errors import InputError


def read_history_store(history_dir: str | Path) -> tuple[Any, Any]:
    """Validated sets (and recommendations, when present) of an ingest store folder.

    Raises:
        InputError: the folder or its validated_sets.parquet is missing or unreadable.
    """
    import pandas as pd

    folder = Path(history_dir)
    sets_path = folder / "validated_sets.parquet"
    if not sets_path.is_file():
        raise InputError(f"{folder}: not an ingest store (no validated_sets.parquet); run workout-pipeline ingest first")
    tables = []
    for path in (sets_path, folder / "recommendations.parquet"):
        if not path.is_file():
            tables.append(None)
            continue
        try:
            tables.append(pd.read_parquet(path))
        except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
            raise InputError(f"{path}: cannot read Parquet ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    history, recommendations = tables
    missing = {"athlete_id", "exercise_id", "performed_at", "set_type", "weight_kg", "reps"} - set(history.columns)
    if missing:
        raise InputError(f"{sets_path}: missing canonical columns {', '.join(sorted(missing))}")
    if recommendations is not None:
        needed = {"exercise_id", "reps"} - set(recommendations.columns)
        if needed:
            raise InputError(f"{folder / 'recommendations.parquet'}: missing columns {', '.join(sorted(needed))}")
    return history, recommendations


def read_recommendations(folder: "str | Path") -> Any:
    """`folder/recommendations.parquet` (what `evaluate --out folder` writes).

    Raises:
        InputError: it is missing, unreadable or lacks exercise_id/reps.
    """
    import pandas as pd

    path = Path(folder) / "recommendations.parquet"
    if not path.is_file():
        raise InputError(f"{folder}: no recommendations.parquet (run workout-pipeline evaluate --out {folder} first)")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise InputError(f"{path}: cannot read Parquet ({type(exc).__name__})") from None
    needed = {"exercise_id", "reps"} - set(frame.columns)
    if needed:
        raise InputError(f"{path}: missing columns {', '.join(sorted(needed))}")
    return frame


def unit_from_history(history: Any) -> str:
    """The lifter's unit when the store does not say: "lb" when most loads are kg exports of
    round pound entries (as the ingest summary infers it), else "kg"."""
    if history is None or not len(history) or "weight_kg" not in history.columns:
        return "kg"
    from workout_pipeline.ingest.units import infer_weight_unit

    inferred = infer_weight_unit(history["weight_kg"].to_numpy(dtype=float))
    return "lb" if "exports of lb entries" in inferred.reason else "kg"


def lifter_unit(store_dir: "str | Path | None", athlete_id: str | None, history: Any) -> str:
    """The lifter's unit: the store's (`athlete_units`), else (an older store without the
    athletes table) inferred from their history."""
    from workout_pipeline.ingest.store import athlete_units

    if store_dir is not None and athlete_id is not None:
        unit = athlete_units(store_dir).get(athlete_id)
        if unit in ("kg", "lb"):
            return unit
    return unit_from_history(history)
