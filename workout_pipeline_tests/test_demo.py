"""`workout-pipeline demo`: the whole graph in a local instance, JSON summary on the last line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("workout-pipeline"))


def run_cli(*args: str, timeout: int = 400) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def small_demo_data(tmp_path_factory):
    from workout_pipeline.simulate import simulate_athletes, write_export

    folder = tmp_path_factory.mktemp("demo_data")
    sets = simulate_athletes(n_athletes=2, weeks=10, seed=11)
    for fmt, (athlete, rows) in zip(("strong_classic", "fitnotes"), sets.groupby("athlete_id")):
        write_export(rows, folder / f"{athlete}.csv", fmt)
    return folder


def test_demo_materialises_everything(tmp_path, small_demo_data):
    out = tmp_path / "out"
    result = run_cli("demo", "--out", str(out), "--data", str(small_demo_data), "--epochs", "2", "--solve-seconds", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(summary["program"]).is_file() and Path(summary["report"]).is_file()
    assert Path(summary["report_markdown"]).read_text().startswith("# Training report")
    assert Path(summary["metrics"]).is_file()
    assert len(summary["athletes"]) == 2
    assert all(status == "success" for status in summary["runs"].values()), summary["runs"]
    home = Path(summary["dagster_home"])
    assert "enabled: false" in (home / "dagster.yaml").read_text()
    assert "dagster dev -h 127.0.0.1" in summary["ui"]

    # The runs are in the persistent instance `dagster dev` would open, with the gpu pool set.
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.event_log_storage.get_concurrency_info("gpu").slot_count == 1
        assert len(instance.get_runs()) == len(summary["runs"])
        assert sorted(instance.get_dynamic_partitions("athletes")) == sorted(summary["athletes"])
        # Ingestion runs carry the inbox sensor's run keys, so `dagster dev` will not redo them.
        sensor_runs = instance.get_runs(filters=RunsFilter(tags={"dagster/sensor_name": "inbox_sensor"}))
        assert len(sensor_runs) == 2 and all(run.tags.get("dagster/run_key") for run in sensor_runs)


def test_demo_without_logs_is_a_clean_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("demo", "--out", str(tmp_path / "out"), "--data", str(empty), timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: no demo logs")
    assert "Traceback" not in result.stderr


def test_the_ui_command_quotes_its_paths():
    """`make run --out "my out"` printed `cd my out && ...` (two words) and a folder named
    `x; rm -rf ~` a second command; every path is one shell word now, and the UI stays local."""
    import shlex
    from pathlib import Path

    from workout_pipeline.defs.demo import ui_command

    command = ui_command(Path("/tmp/my out; echo hi"))
    words = shlex.split(command)
    assert words[:3] == ["cd", "/tmp/my out; echo hi", "&&"]
    assert "DAGSTER_HOME=/tmp/my out; echo hi/dagster_home" in words and "127.0.0.1" in words
