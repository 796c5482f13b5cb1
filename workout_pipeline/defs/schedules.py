"""The weekly schedule: every Monday morning, rebuild each athlete's program and report."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

from workout_pipeline.defs.jobs import program_job
from workout_pipeline.defs.partitions import athlete_partitions
from workout_pipeline.settings import ENV_PREFIX, Settings

WEEKLY_CRON = "0 5 * * 1"  # Monday 05:00


def schedule_timezone(settings: Settings | None = None) -> str:
    """Time zone of the weekly schedule: `Settings.timezone` ($WORKOUT_PIPELINE_TIMEZONE, default UTC).

    Raises:
        ValueError: It names no IANA time zone (a clear message at load time).
    """
    name = (settings or Settings.from_env()).timezone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{ENV_PREFIX}TIMEZONE={name!r} is not an IANA time zone (e.g. Europe/Berlin)") from exc
    return name


@dg.schedule(
    job=program_job,
    cron_schedule=WEEKLY_CRON,
    execution_timezone=schedule_timezone(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Monday 05:00: next week's program and report for every athlete.",
)
def weekly_program_schedule(context: dg.ScheduleEvaluationContext):
    """One run per athlete partition, keyed by the scheduled date so a tick never runs twice."""
    athletes = sorted(context.instance.get_dynamic_partitions(athlete_partitions.name))
    if not athletes:
        return dg.SkipReason("no athletes yet: drop an export into the inbox")
    tick = context.scheduled_execution_time
    stamp = tick.strftime("%Y-%m-%d") if tick else "manual"
    return [
        dg.RunRequest(run_key=f"{athlete}@{stamp}", partition_key=athlete, tags={"workout_pipeline/athlete": athlete})
        for athlete in athletes
    ]
