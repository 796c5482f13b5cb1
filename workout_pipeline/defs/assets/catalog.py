"""Catalog group: the exercise catalog every other step resolves names and muscles against."""

import dagster as dg

from workout_pipeline.defs.automation import WHEN_MISSING
from workout_pipeline.defs.io_managers import FROM_JSON_KEY, TO_JSON_KEY
from workout_pipeline.defs.metadata import value_counts_markdown
from workout_pipeline.defs.resources import PipelinePaths


@dg.asset(
    group_name="catalog",
    kinds={"json"},
    io_manager_key="json_io_manager",
    metadata={
        TO_JSON_KEY: "workout_pipeline.catalog.records:catalog_to_json",
        FROM_JSON_KEY: "workout_pipeline.catalog.records:catalog_from_json",
    },
    automation_condition=WHEN_MISSING,
)
def exercise_catalog(context: dg.AssetExecutionContext, paths: PipelinePaths):
    """Typed exercise records: primary/secondary muscles, equipment, category and load step.

    The built-in catalog, or the configured file (`$WORKOUT_PIPELINE_CATALOG`: free-exercise-db
    JSON or the project's own CSV/JSON layout). Exercise names resolve against this catalog.
    """
    from workout_pipeline.pipeline import load_exercise_catalog

    catalog = load_exercise_catalog(paths.settings())
    frame = catalog.to_frame()
    metadata = {
        "exercises": len(catalog),
        "source": catalog.origin,
        "by_category": value_counts_markdown(frame["category"], "category"),
        "by_equipment": value_counts_markdown(frame["equipment"], "equipment"),
    }
    return dg.Output(catalog, metadata=metadata)
