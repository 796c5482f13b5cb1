"""The Dagster code location (`dagster dev -m workout_pipeline.definitions`).

Storage and inbox folders come from `$WORKOUT_PIPELINE_STORAGE` and `$WORKOUT_PIPELINE_INBOX`
(defaults `./storage` and `./inbox`); the training device from `$WORKOUT_PIPELINE_DEVICE`.
"""

import dagster as dg

from workout_pipeline.defs import checks
from workout_pipeline.defs.assets import catalog, ingest, model, programs
from workout_pipeline.defs.jobs import ingest_job, model_job, program_job
from workout_pipeline.defs.resources import build_resources
from workout_pipeline.defs.schedules import weekly_program_schedule
from workout_pipeline.defs.sensors import inbox_sensor

# Runs every asset whose automation condition says so (e.g. downstream of a freshly ingested file).
automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)


def build_definitions(storage_dir: str | None = None, inbox_dir: str | None = None) -> dg.Definitions:
    """The code location's definitions, with resources rooted at the given folders.

    Args:
        storage_dir: Storage root; default `$WORKOUT_PIPELINE_STORAGE` or `./storage`.
        inbox_dir: Inbox folder; default `$WORKOUT_PIPELINE_INBOX` or `./inbox`.
    """
    assets = dg.load_assets_from_modules([ingest, catalog, model, programs])
    asset_checks = dg.load_asset_checks_from_modules([ingest, catalog, model, programs, checks])
    return dg.Definitions(
        assets=assets,
        asset_checks=asset_checks,
        jobs=[ingest_job, model_job, program_job],
        sensors=[inbox_sensor, automation_sensor],
        schedules=[weekly_program_schedule],
        resources=build_resources(storage_dir, inbox_dir),
    )


defs = build_definitions()
