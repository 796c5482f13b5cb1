"""The typed catalog: `Exercise` records, built and validated once, read by every later step.

Loading (`catalog.loading`) completes and validates rows in a frame, then `Catalog.from_frame`
turns them into frozen records. Features, name resolution, the program and reports read the
records; nobody re-coerces catalog columns.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from workout_pipeline.catalog.vocabulary import CATALOG_COLUMNS


@dataclass(frozen=True)
class Exercise:
    """One catalog exercise.

    Attributes:
        exercise_id: Unique id (`bench_press_barbell`, free-exercise-db's `Barbell_Bench_Press_-_Medium_Grip`).
        name: Display name.
        primary_muscles: Muscles the exercise trains directly (from `muscles.MUSCLES`).
        secondary_muscles: Muscles it trains indirectly (none of the primary ones).
        category: Day type it belongs to: push, pull, legs or core.
        equipment: One of `vocabulary.EQUIPMENT`.
        mechanic: "compound" or "isolation".
        loadable: Whether external load is added (bodyweight, band and other: no).
        load_step_kg: Smallest load change the equipment allows, in kg.
        kind: strength, powerlifting, stretching, cardio, ...
        source: Where the row came from (builtin, a file name).
    """

    exercise_id: str
    name: str
    primary_muscles: tuple[str, ...]
    secondary_muscles: tuple[str, ...]
    category: str
    equipment: str
    mechanic: str
    loadable: bool
    load_step_kg: float
    kind: str
    source: str

    @property
    def compound(self) -> bool:
        """Whether the exercise is a compound lift (several joints / muscles)."""
        return self.mechanic == "compound"

    @property
    def muscle_roles(self) -> dict[str, str]:
        """{muscle: "primary" | "secondary"}."""
        roles = {muscle: "secondary" for muscle in self.secondary_muscles}
        roles.update({muscle: "primary" for muscle in self.primary_muscles})
        return roles

    def to_record(self) -> dict[str, Any]:
        """Plain values in `CATALOG_COLUMNS` order (muscle tuples as lists)."""
        record = {column: getattr(self, column) for column in CATALOG_COLUMNS}
        record["primary_muscles"] = list(self.primary_muscles)
        record["secondary_muscles"] = list(self.secondary_muscles)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Exercise":
        """An exercise from a validated record (`to_record`'s output or a validated frame row)."""
        return cls(
            exercise_id=str(record["exercise_id"]),
            name=str(record["name"]),
            primary_muscles=tuple(str(m) for m in record["primary_muscles"]),
            secondary_muscles=tuple(str(m) for m in record["secondary_muscles"]),
            category=str(record["category"]),
            equipment=str(record["equipment"]),
            mechanic=str(record["mechanic"]),
            loadable=bool(record["loadable"]),
            load_step_kg=float(record["load_step_kg"]),
            kind=str(record["kind"]),
            source=str(record["source"]),
        )


@dataclass(frozen=True)
class Catalog:
    """A validated exercise catalog: records in file order, looked up by id.

    Attributes:
        exercises: The records, in the order the catalog lists them.
        origin: Where it was loaded from ("built-in" or a path), for messages.
    """

    exercises: tuple[Exercise, ...]
    origin: str = "built-in"
    _by_id: dict[str, Exercise] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {exercise.exercise_id: exercise for exercise in self.exercises})

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def __len__(self) -> int:
        return len(self.exercises)

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self._by_id

    def __getitem__(self, exercise_id: str) -> Exercise:
        return self._by_id[exercise_id]

    def get(self, exercise_id: Any) -> Exercise | None:
        """The exercise with this id, or None (also for missing / NA ids)."""
        return self._by_id.get(exercise_id) if isinstance(exercise_id, str) else None

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def to_frame(self):
        """The catalog as a DataFrame with `CATALOG_COLUMNS` (for display and Parquet)."""
        import pandas as pd

        return pd.DataFrame([exercise.to_record() for exercise in self.exercises], columns=list(CATALOG_COLUMNS))

    @classmethod
    def from_frame(cls, frame, origin: str = "catalog") -> "Catalog":
        """Records from a frame that `catalog.validate.validate_catalog` accepted."""
        return cls(tuple(Exercise.from_record(record) for record in frame.to_dict("records")), origin)

    def to_json(self) -> dict[str, Any]:
        """A JSON document (`from_json` reads it back)."""
        return {"origin": self.origin, "exercises": [exercise.to_record() for exercise in self.exercises]}

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> "Catalog":
        return cls(tuple(Exercise.from_record(r) for r in document["exercises"]), str(document.get("origin", "catalog")))


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """`Catalog.to_json` as a plain function (the JSON IO manager's codec)."""
    return catalog.to_json()


def catalog_from_json(document: Mapping[str, Any]) -> Catalog:
    """`Catalog.from_json` as a plain function (the JSON IO manager's codec)."""
    return Catalog.from_json(document)


def as_catalog(catalog: "Catalog | Any") -> Catalog:
    """A typed `Catalog` from itself or from a frame in `CATALOG_COLUMNS` (validated first).

    The one conversion point for callers that build a catalog as a table (tests, notebooks);
    the pipeline passes `Catalog`s throughout.
    """
    if isinstance(catalog, Catalog):
        return catalog
    from workout_pipeline.catalog.validate import validate_catalog

    return Catalog.from_frame(validate_catalog(catalog), "table")
