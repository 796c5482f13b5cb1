"""Exercise catalog: the built-in catalog, external catalog import, and name resolution.

Public API:
    load_catalog(path=None) -> Catalog        built-in, free-exercise-db JSON, or our own CSV/JSON
    load_builtin_catalog() -> Catalog
    load_free_exercise_db(path) -> Catalog
    Catalog, Exercise                          the typed records every later step reads
    validate_catalog(frame, origin) -> DataFrame   (used while loading)
    ExerciseResolver(catalog, user_aliases)    name resolution (see `catalog.resolve`)
"""

from workout_pipeline.catalog.free_exercise_db import load_free_exercise_db
from workout_pipeline.catalog.loading import load_builtin_catalog, load_catalog
from workout_pipeline.catalog.records import Catalog, Exercise
from workout_pipeline.catalog.muscles import CATEGORIES, MUSCLE_CATEGORY, MUSCLES
from workout_pipeline.catalog.validate import validate_catalog
from workout_pipeline.catalog.vocabulary import (
    CATALOG_COLUMNS,
    EQUIPMENT,
    KINDS,
    LOAD_STEP_KG,
    MECHANICS,
    STRENGTH_KINDS,
)

__all__ = [
    "CATALOG_COLUMNS",
    "Catalog",
    "Exercise",
    "CATEGORIES",
    "EQUIPMENT",
    "KINDS",
    "LOAD_STEP_KG",
    "MECHANICS",
    "MUSCLES",
    "MUSCLE_CATEGORY",
    "STRENGTH_KINDS",
    "load_builtin_catalog",
    "load_catalog",
    "load_free_exercise_db",
    "validate_catalog",
]
