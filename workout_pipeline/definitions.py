"""The Dagster code location (`dagster dev -m workout_pipeline.definitions`).

Folders, catalog, constraints and device come from `workout_pipeline.settings.Settings`
(`$WORKOUT_PIPELINE_STORAGE`, `$WORKOUT_PIPELINE_INBOX`, ...; defaults `./storage`, `./inbox`).
"""

import dataclasses
from pathlib import Path

import dagster as dg

from workout_pipeline.defs import checks
from workout_pipeline.defs.assets import catalog, ingest, model, programs
from workout_pipeline.defs.jobs import ingest_job, model_job, program_job
from workout_pipeline.defs.resources import build_resources
from workout_pipeline.defs.schedules import weekly_program_schedule
from workout_pipeline.defs.sensors import inbox_sensor
from workout_pipeline.settings import Settings

# Runs every asset whose automation condition says so (e.g. downstream of a freshly ingested file).
automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)


def build_definitions(storage_dir: str | None = None, inbox_dir: str | None = None,
                      settings: Settings | None = None) -> dg.Definitions:
    """The code location's definitions, with resources from `settings` (default: the environment).

    Args:
        storage_dir: Storage root; overrides `settings.storage_dir`.
        inbox_dir: Inbox folder; overrides `settings.inbox_dir`.
        settings: The settings; default `Settings.from_env()`.
    """
    settings = settings or Settings.from_env()
    settings = dataclasses.replace(
        settings,
        storage_dir=Path(storage_dir).absolute() if storage_dir else settings.storage_dir,
        inbox_dir=Path(inbox_dir).absolute() if inbox_dir else settings.inbox_dir,
    )
    assets = dg.load_assets_from_modules([ingest, catalog, model, programs])
    asset_checks = dg.load_asset_checks_from_modules([ingest, catalog, model, programs, checks])
    return dg.Definitions(
        assets=assets,
        asset_checks=asset_checks,
        jobs=[ingest_job, model_job, program_job],
        sensors=[inbox_sensor, automation_sensor],
        schedules=[weekly_program_schedule],
        resources=build_resources(settings),
    )


defs = build_definitions()
