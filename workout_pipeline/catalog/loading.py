"""Loading catalogs: the built-in one, free-exercise-db imports, and files in our own layout.

Our own layout is a CSV (muscle lists separated by `;`) or a JSON list of objects (muscle
lists as JSON arrays) with at least `exercise_id`, `name`, `primary_muscles`, `equipment`.
Missing optional columns are derived: `secondary_muscles` empty, `category` from the first
primary muscle, `mechanic` from the number of muscles, `loadable` and `load_step_kg` from the
equipment, `kind` strength, `source` the file name.
"""

import functools
import json
from pathlib import Path

import pandas as pd

from workout_pipeline.catalog.free_exercise_db import free_exercise_db_frame, is_free_exercise_db_layout
from workout_pipeline.catalog.muscles import MUSCLE_CATEGORY
from workout_pipeline.catalog.records import Catalog
from workout_pipeline.catalog.validate import validate_catalog
from workout_pipeline.catalog.vocabulary import CATALOG_COLUMNS, LOAD_STEP_KG
from workout_pipeline.errors import InputError
from workout_pipeline.paths import DATA_DIR

BUILTIN_CATALOG_CSV = DATA_DIR / "catalog" / "exercises.csv"
REQUIRED_OWN_COLUMNS: tuple[str, ...] = ("exercise_id", "name", "primary_muscles", "equipment")
_NOT_LOADABLE_EQUIPMENT = frozenset({"bodyweight", "band", "other"})
_TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
_FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", ""})


def _muscle_list(value: object) -> list[str]:
    """A muscle list from a CSV cell (`a;b`) or a JSON array; blanks give []."""
    if isinstance(value, list | tuple):
        items = value
    elif value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        items = []
    else:
        items = str(value).replace(",", ";").split(";")
    return [str(item).strip().lower() for item in items if str(item).strip()]


def _as_bool(value: object, exercise_id: str, origin: str) -> bool:
    if isinstance(value, bool):
        return value
    word = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise InputError(f"{origin}: loadable must be true/false for {exercise_id}, got {value!r}")


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def own_layout_frame(raw: pd.DataFrame, origin: str, source: str) -> pd.DataFrame:
    """Complete and validate a frame in our own layout (see the module docstring).

    Args:
        raw: Rows as read from CSV/JSON.
        origin: Where it came from, for error messages.
        source: Default `source` value for rows without one.

    Returns:
        A validated catalog frame with exactly `CATALOG_COLUMNS`.

    Raises:
        InputError: Required columns are missing or the catalog is invalid.
    """
    missing = [column for column in REQUIRED_OWN_COLUMNS if column not in raw.columns]
    if missing:
        raise InputError(f"{origin}: unknown catalog layout, missing columns {', '.join(missing)}")
    rows = []
    for record in raw.to_dict("records"):
        exercise_id = "" if _blank(record.get("exercise_id")) else str(record["exercise_id"]).strip()
        primary = _muscle_list(record.get("primary_muscles"))
        secondary = [m for m in _muscle_list(record.get("secondary_muscles")) if m not in primary]
        equipment = "" if _blank(record.get("equipment")) else str(record["equipment"]).strip().lower()
        category = record.get("category")
        if _blank(category):
            category = MUSCLE_CATEGORY.get(primary[0]) if primary else None
        mechanic = record.get("mechanic")
        if _blank(mechanic):
            mechanic = "compound" if len(primary) + len(secondary) > 1 else "isolation"
        loadable = record.get("loadable")
        loadable = (
            equipment not in _NOT_LOADABLE_EQUIPMENT
            if _blank(loadable)
            else _as_bool(loadable, exercise_id, origin)
        )
        step = record.get("load_step_kg")
        step = LOAD_STEP_KG.get(equipment, 1.0) if _blank(step) else pd.to_numeric(step, errors="coerce")
        kind = record.get("kind")
        rows.append(
            {
                "exercise_id": exercise_id,
                "name": str(record.get("name") or exercise_id).strip(),
                "primary_muscles": primary,
                "secondary_muscles": secondary,
                "category": str(category).strip().lower() if category is not None else None,
                "equipment": equipment,
                "mechanic": str(mechanic).strip().lower(),
                "loadable": bool(loadable),
                "load_step_kg": float(step),
                "kind": "strength" if _blank(kind) else str(kind).strip().lower().replace(" ", "_"),
                "source": source if _blank(record.get("source")) else str(record["source"]).strip(),
            }
        )
    frame = pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))
    if frame.empty:
        raise InputError(f"{origin}: catalog has no exercises")
    frame["loadable"] = frame["loadable"].astype(bool)
    frame["load_step_kg"] = frame["load_step_kg"].astype(float)
    return validate_catalog(frame, origin)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: cannot read catalog CSV ({message})") from None


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read catalog JSON ({error})") from None


@functools.lru_cache(maxsize=1)
def load_builtin_catalog() -> Catalog:
    """The catalog shipped in `data/catalog/exercises.csv` (loaded once; records are frozen).

    Returns:
        The validated `Catalog`; every `source` is ``"builtin"``.
    """
    frame = own_layout_frame(_read_csv(BUILTIN_CATALOG_CSV), str(BUILTIN_CATALOG_CSV), "builtin")
    return Catalog.from_frame(frame, "built-in")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load an exercise catalog, validated, as typed records.

    Args:
        path: None for the built-in catalog; a free-exercise-db `exercises.json` (imported
            and mapped into our vocabulary); or a `.csv`/`.json` in our own layout.

    Returns:
        A `Catalog` of `Exercise` records: unique `exercise_id`, `name`, primary/secondary
        muscles from `MUSCLES`, `category` (push/pull/legs/core), `equipment`, `mechanic`,
        `loadable`, `load_step_kg`, `kind` (strength, stretching, cardio, ...) and `source`.

    Raises:
        InputError: The file is missing or unreadable, its layout is unknown, or the catalog
            is invalid (the message names the offending ids).
    """
    if path is None or str(path) == "":
        return load_builtin_catalog()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: catalog file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Catalog.from_frame(own_layout_frame(_read_csv(path), str(path), path.name), str(path))
    if suffix == ".json":
        parsed = _read_json(path)
        if is_free_exercise_db_layout(parsed):
            return Catalog.from_frame(free_exercise_db_frame(parsed, str(path)), str(path))
        if isinstance(parsed, dict) and isinstance(parsed.get("exercises"), list):
            parsed = parsed["exercises"]
        if isinstance(parsed, list) and parsed and all(isinstance(r, dict) for r in parsed):
            return Catalog.from_frame(own_layout_frame(pd.DataFrame(parsed), str(path), path.name), str(path))
        raise InputError(
            f"{path}: unknown catalog layout (expected a free-exercise-db list or a list of exercises with exercise_id)"
        )
    raise InputError(f"{path}: unknown catalog file type {suffix or '(none)'} (expected .csv or .json)")
