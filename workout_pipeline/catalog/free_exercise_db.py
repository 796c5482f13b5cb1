"""Import of the public-domain free-exercise-db catalog (yuhonas/free-exercise-db) into our vocabulary.

Its JSON is a list of objects with `id`, `name`, `force` (push/pull/static/null), `mechanic`,
`equipment`, `primaryMuscles`, `secondaryMuscles` and `category` (strength, stretching, ...).
Its muscle names are coarser than ours: `shoulders` is split into delt heads by what the
exercise does, `abdominals` into abs/obliques, `middle back` becomes `upper_back`.
"""

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from workout_pipeline.catalog.muscles import MUSCLE_CATEGORY
from workout_pipeline.catalog.records import Catalog
from workout_pipeline.catalog.validate import validate_catalog
from workout_pipeline.catalog.vocabulary import CATALOG_COLUMNS, LOAD_STEP_KG
from workout_pipeline.errors import InputError

SOURCE_NAME = "free-exercise-db"

# free-exercise-db muscle → ours (`shoulders` and `abdominals` are split per exercise below).
_MUSCLE_MAP: dict[str, str] = {
    "abductors": "abductors",
    "adductors": "adductors",
    "biceps": "biceps",
    "calves": "calves",
    "chest": "chest",
    "forearms": "forearms",
    "glutes": "glutes",
    "hamstrings": "hamstrings",
    "lats": "lats",
    "lower back": "lower_back",
    "middle back": "upper_back",
    "neck": "neck",
    "quadriceps": "quads",
    "traps": "traps",
    "triceps": "triceps",
}

_EQUIPMENT_MAP: dict[str | None, str] = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "body only": "bodyweight",
    "bands": "band",
    "kettlebells": "kettlebell",
    "cable": "cable",
    "machine": "machine",
    "e-z curl bar": "ez_bar",
    "medicine ball": "other",
    "exercise ball": "other",
    "foam roll": "other",
    "other": "other",
    None: "other",
}

_LOADABLE_EQUIPMENT = frozenset(LOAD_STEP_KG) - {"bodyweight", "band", "other"}

_REAR_DELT = re.compile(
    r"rear|reverse (machine )?fly|back fly|pull apart|face pull|external rotation|bent[- ]over .*lateral"
)
_SIDE_DELT = re.compile(r"lateral|upright|iron cross|crucifix|side raise|scaption")
_OVERHEAD_PRESS = re.compile(r"press|jerk|handstand")
_OBLIQUES = re.compile(r"oblique|side bend|twist|woodchop|side plank|side jackknife|windmill|side crunch")


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _shoulder_heads(name: str, force: str | None) -> list[str]:
    """Which delt heads a free-exercise-db `shoulders` entry means for this exercise."""
    lowered = name.lower()
    if _REAR_DELT.search(lowered):
        return ["rear_delts"]
    if _SIDE_DELT.search(lowered):
        return ["side_delts"]
    if force == "pull" and "raise" not in lowered:
        return ["rear_delts"]  # rows, pulls, snatches: the rear delts extend the shoulder
    return ["front_delts"]  # presses, front raises, push-ups, throws


def _map_muscles(muscles: Iterable[str], name: str, force: str | None) -> list[str]:
    mapped: list[str] = []
    for muscle in muscles:
        if muscle == "shoulders":
            mapped.extend(_shoulder_heads(name, force))
        elif muscle == "abdominals":
            mapped.append("obliques" if _OBLIQUES.search(name.lower()) else "abs")
        elif muscle in _MUSCLE_MAP:
            mapped.append(_MUSCLE_MAP[muscle])
        else:
            raise InputError(f"free-exercise-db exercise {name!r}: unknown muscle {muscle!r}")
    return list(dict.fromkeys(mapped))  # dedupe, keep order


def _equipment(raw: str | None, name: str) -> str:
    lowered = name.lower()
    if "smith" in lowered:
        return "smith_machine"
    if raw not in _EQUIPMENT_MAP:
        raise InputError(f"free-exercise-db exercise {name!r}: unknown equipment {raw!r}")
    equipment = _EQUIPMENT_MAP[raw]
    if equipment == "other" and "plate" in lowered:
        return "plate"
    return equipment


def _record_to_row(record: dict) -> dict:
    name = str(record["name"]).strip()
    force = record.get("force")
    primary = _map_muscles(record.get("primaryMuscles") or [], name, force)
    secondary = [m for m in _map_muscles(record.get("secondaryMuscles") or [], name, force) if m not in primary]
    if primary and primary[0] in ("front_delts", "side_delts") and _OVERHEAD_PRESS.search(name.lower()):
        secondary = list(dict.fromkeys([*secondary, "side_delts" if primary[0] == "front_delts" else "front_delts"]))
    equipment = _equipment(record.get("equipment"), name)
    mechanic = record.get("mechanic") or ("compound" if secondary else "isolation")
    return {
        "exercise_id": _slug(str(record["id"])),
        "name": name,
        "primary_muscles": primary,
        "secondary_muscles": secondary,
        # Day type follows the first primary muscle (free-exercise-db lists exactly one).
        "category": MUSCLE_CATEGORY[primary[0]] if primary else None,
        "equipment": equipment,
        "mechanic": mechanic,
        "loadable": equipment in _LOADABLE_EQUIPMENT or "weighted" in name.lower(),
        "load_step_kg": LOAD_STEP_KG[equipment],
        "kind": str(record.get("category") or "strength").strip().lower().replace(" ", "_"),
        "source": SOURCE_NAME,
    }


def is_free_exercise_db_layout(records: object) -> bool:
    """Whether parsed JSON looks like free-exercise-db: a list of objects with its keys."""
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) for r in records[:20])
        and {"id", "name", "primaryMuscles"} <= set(records[0])
    )


def free_exercise_db_frame(records: list[dict], origin: str) -> pd.DataFrame:
    """Map parsed free-exercise-db records into a validated catalog frame.

    Args:
        records: The parsed JSON list.
        origin: Where it came from, for error messages.

    Returns:
        A catalog frame with `CATALOG_COLUMNS`, one row per record.

    Raises:
        InputError: A record lacks `id`/`name`, uses muscles or equipment outside the
            free-exercise-db schema, or the mapped catalog fails validation.
    """
    rows = []
    for position, record in enumerate(records):
        if not isinstance(record, dict) or not record.get("id") or not record.get("name"):
            raise InputError(f"{origin}: free-exercise-db record {position} has no id or name")
        rows.append(_record_to_row(record))
    frame = pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))
    frame["loadable"] = frame["loadable"].astype(bool)
    frame["load_step_kg"] = frame["load_step_kg"].astype(float)
    return validate_catalog(frame, origin)


def load_free_exercise_db(path: str | Path) -> Catalog:
    """Load a free-exercise-db `exercises.json` mapped into our catalog vocabulary.

    Args:
        path: The `exercises.json` file (a JSON list of exercise objects).

    Returns:
        The typed `Catalog`; `kind` keeps the source's category (strength, stretching, cardio,
        plyometrics, powerlifting, olympic_weightlifting, strongman) and `source` is
        ``"free-exercise-db"``.

    Raises:
        InputError: The file is unreadable, not JSON, not in free-exercise-db layout, or
            maps to an invalid catalog.
    """
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read free-exercise-db JSON ({error})") from None
    if not is_free_exercise_db_layout(records):
        raise InputError(f"{path}: not a free-exercise-db catalog (expected a list of objects with id, name, primaryMuscles)")
    from workout_pipeline.catalog.records import Catalog

    return Catalog.from_frame(free_exercise_db_frame(records, str(path)), str(path))
