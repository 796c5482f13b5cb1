"""The weekly schedule: Monday 05:00, one program run per athlete, time zone from env."""

import datetime as dt
import subprocess
import sys

import dagster as dg

from workout_pipeline.definitions import defs
from workout_pipeline.defs.schedules import WEEKLY_CRON, weekly_program_schedule


def test_one_run_per_athlete(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.add_dynamic_partitions("athletes", ["bob", "alice"])
        when = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.timezone.utc)  # a Monday
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
        )
        requests = weekly_program_schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["alice", "bob"]
    assert requests[0].run_key == "alice@2026-11-23"
    assert weekly_program_schedule.job_name == "program_job"


def test_no_athletes_is_a_skip(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        context = dg.build_schedule_context(instance=instance, repository_def=defs.get_repository_def())
        data = weekly_program_schedule.evaluate_tick(context)
    assert not data.run_requests
    assert "no athletes" in (data.skip_message or "")


def test_cron_is_monday_five():
    assert WEEKLY_CRON == "0 5 * * 1"
    assert weekly_program_schedule.cron_schedule == "0 5 * * 1"


def test_timezone_from_environment():
    code = (
        "from workout_pipeline.defs.schedules import weekly_program_schedule as s;"
        "print(s.execution_timezone)"
    )
    env = {"WORKOUT_PIPELINE_TIMEZONE": "Europe/Berlin", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "Europe/Berlin", out.stderr
    bad = subprocess.run(
        [sys.executable, "-c", code], env={"WORKOUT_PIPELINE_TIMEZONE": "Mars/Olympus"}, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0 and "not an IANA time zone" in bad.stderr


def test_default_timezone_is_utc(monkeypatch):
    monkeypatch.delenv("WORKOUT_PIPELINE_TIMEZONE", raising=False)
    from workout_pipeline.defs import schedules

    assert schedules.schedule_timezone() == "UTC"
