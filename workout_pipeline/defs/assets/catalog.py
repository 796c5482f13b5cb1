"""Catalog group: the exercise catalog every other step resolves names and muscles against."""

import dagster as dg

from workout_pipeline.defs.automation import WHEN_MISSING

from workout_pipeline.defs.metadata import value_counts_markdown
from workout_pipeline.defs.resources import PipelinePaths


@dg.asset(
    group_name="catalog",
    kinds={"pandas", "parquet"},
    io_manager_key="parquet_io_manager",
    automation_condition=WHEN_MISSING,
)
def exercise_catalog(context: dg.AssetExecutionContext, paths: PipelinePaths):
    """Exercises with primary/secondary muscles, equipment and load steps.

    The built-in catalog, or the file named by `$WORKOUT_PIPELINE_CATALOG` (free-exercise-db
    JSON or the project's own CSV/JSON layout).
    """
    from workout_pipeline.catalog import load_catalog

    catalog = load_catalog(paths.catalog_path or None)
    metadata = {"rows": int(len(catalog)), "source": paths.catalog_path or "built-in"}
    for column in ("category", "kind", "equipment"):
        if column in catalog.columns:
            metadata[f"by_{column}"] = value_counts_markdown(catalog[column], column)
            break
    return dg.Output(catalog, metadata=metadata)
