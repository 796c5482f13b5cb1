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
