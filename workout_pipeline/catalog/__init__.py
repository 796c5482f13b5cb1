"""Exercise catalog: the built-in catalog, external catalog import, and name resolution.

Public API:
    load_catalog(path=None) -> DataFrame      built-in, free-exercise-db JSON, or our own CSV/JSON
    load_builtin_catalog() -> DataFrame
    load_free_exercise_db(path) -> DataFrame
    validate_catalog(frame, origin) -> DataFrame
    default_resolver(user_aliases=None) -> ExerciseResolver   (see `catalog.resolve`)
"""

from workout_pipeline.catalog.free_exercise_db import load_free_exercise_db
from workout_pipeline.catalog.loading import load_builtin_catalog, load_catalog
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
