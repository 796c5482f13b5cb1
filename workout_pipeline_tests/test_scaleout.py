"""Beyond one machine, for real: a Postgres-backed instance and Celery workers run the demo graph.

Each test starts its own throwaway servers on 127.0.0.1 (PostgreSQL from Debian's `initdb`/
`pg_ctl`, Redis as the Celery broker) and stops them afterwards; where the binaries or the
`scale` packages are missing, the tests skip and name what is missing (`.ci/run` installs them).
Both compare against the embedded default: the same demo in a SQLite instance, run in-process.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from workout_pipeline import local_servers
from workout_pipeline.defs.demo import materialize_inbox, stage_inbox
from workout_pipeline.paths import DATA_DIR, REPO_ROOT

pytestmark = pytest.mark.slow

DEPLOY = REPO_ROOT / "deploy"
EPOCHS = 5
# Program solves stop on this gap well before their time limit, so their results do not depend
# on how fast (or how loaded) the process that runs them is.
SOLVE_SECONDS, SOLVER_GAP = 120.0, 0.05
TRAINING_STEP = "progression_models"
SOLVE_TIME = re.compile(r"(gap [0-9.]+%,) [0-9.]+ s")  # "... proven gap 0.45%, 0.54 s, ..."
GENERATED = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
STAMP = re.compile(r"DTSTAMP:\d{8}T\d{6}Z")  # when program.ics was written


def require(**servers: bool) -> None:
    missing = local_servers.missing(**servers)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (.ci/run installs them: apt-get install postgresql "
                    "redis-server; pip install -e '.[dev]')")


def materialize(out: Path, **kwargs) -> dict:
    stage_inbox(DATA_DIR / "demo", out / "inbox")
    summary = materialize_inbox(out, epochs=EPOCHS, seed=0, solve_seconds=SOLVE_SECONDS, solver_gap=SOLVER_GAP, **kwargs)
    assert set(summary["runs"].values()) == {"success"}, summary["runs"]
    return summary


@pytest.fixture(scope="session")
def in_process_demo(tmp_path_factory, worker_id):
    """The embedded default (SQLite instance, runs in this process), once per test session."""
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "scaleout_in_process"
    with FileLock(f"{shared}.lock"):
        if not (shared / "summary.json").exists():
            summary = materialize(shared)
            (shared / "summary.json").write_text(json.dumps(summary))
    return shared


def instance_contents(home: Path) -> dict:
    """What an instance holds, comparable across storages: per run (job, partition) its status,
    event counts by type and check outcomes; per asset its materialisations and partitions."""
    from dagster import AssetKey, DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        runs = {}
        for run in instance.get_runs():
            records = [r for r in instance.all_logs(run.run_id) if r.dagster_event is not None]
            checks = sorted(
                (r.dagster_event.event_specific_data.check_name, r.dagster_event.event_specific_data.passed)
                for r in records if r.dagster_event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
            )
            runs[(run.job_name, run.tags.get("dagster/partition"))] = {
                "status": run.status.value,
                "events": dict(Counter(r.dagster_event.event_type_value for r in records)),
                "checks": checks,
            }
        assets = {}
        for key in instance.get_asset_keys():
            materializations = instance.fetch_materializations(key, limit=1000).records
            assets[key.to_user_string()] = (len(materializations), sorted(instance.get_materialized_partitions(key)))
        return {
            "runs": runs,
            "assets": assets,
            "partitions": {name: sorted(instance.get_dynamic_partitions(name)) for name in ("inbox_files", "athletes")},
            "gpu_slots": instance.event_log_storage.get_concurrency_info("gpu").slot_count,
            "has_models": instance.get_latest_materialization_event(AssetKey(TRAINING_STEP)) is not None,
        }


def _untimed(value):
    """`value` without timings (keys ending in `seconds`), recursively."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if not k.endswith("seconds")}
    return [_untimed(v) for v in value] if isinstance(value, list) else value


def _json(path: Path, root: Path):
    """JSON with the storage root written as <storage> and timings dropped."""
    return _untimed(json.loads(path.read_text().replace(str(root), "<storage>")))


def _text(path: Path, root: Path) -> str:
    """Text with the storage root written as <storage>; solve time and generation times hidden."""
    text = SOLVE_TIME.sub(r"\1 <seconds>", path.read_text().replace(str(root), "<storage>"))
    return STAMP.sub("DTSTAMP:<time>", GENERATED.sub("Generated <time>", text))


def _tensors_equal(a, b) -> bool:
    import torch

    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_tensors_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_tensors_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and a.startswith("{"):  # JSON inside a checkpoint (training history)
        return _untimed(json.loads(a)) == _untimed(json.loads(b))
    if isinstance(a, torch.Tensor):  # bit-for-bit, missing values (NaN) in the same places
        return a.shape == b.shape and a.dtype == b.dtype and torch.equal(a.isnan(), b.isnan()) and torch.equal(
            a.nan_to_num(0.0), b.nan_to_num(0.0)) if a.is_floating_point() else torch.equal(a, b)
    return a == b


def assert_programs_proven(expected: Path, actual: Path) -> None:
    """Each athlete's weekly program was proven within the gap in both runs (so neither result
    depends on how fast the process that solved it was: every stage ended on its gap, not its
    time limit, and HiGHS runs single-threaded, so the same model gives the same week)."""
    programs = sorted(p.name for p in (expected / "json" / "weekly_programs").glob("*.json"))
    assert len(programs) == 4
    for name in programs:
        for root in (expected, actual):
            program = json.loads((root / "json" / "weekly_programs" / name).read_text())
            assert program["status"] == "optimal", (root, name)


def assert_same_outputs(expected: Path, actual: Path) -> int:
    """Every file under one storage folder equals the other's; returns how many were compared.

    Tables as data frames, JSON without timings, tensors by value, text and raw snapshots
    exactly (the storage root written as <storage>, solve and generation times hidden); PNG
    plots only by presence. The weekly programs and their reports too: bit for bit.
    """
    import torch

    files = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    assert len(files) > 20, files  # tables, models, programs and reports of four athletes
    assert files == sorted(p.relative_to(actual) for p in actual.rglob("*") if p.is_file())
    assert_programs_proven(expected, actual)
    for name in files:
        a, b = expected / name, actual / name
        if name.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), obj=str(name))
        elif name.suffix == ".json":
            assert _json(a, expected) == _json(b, actual), name
        elif name.suffix == ".pt":
            assert _tensors_equal(torch.load(a, weights_only=True), torch.load(b, weights_only=True)), name
        elif name.suffix in (".md", ".html", ".ics", ".csv"):
            assert _text(a, expected) == _text(b, actual), name
        elif name.suffix != ".png":
            assert a.read_bytes() == b.read_bytes(), name
    return len(files)


def test_postgres_instance_holds_what_the_sqlite_instance_holds(in_process_demo, tmp_path, monkeypatch):
    require(postgres=True)
    out = tmp_path / "postgres"
    with local_servers.postgres_server() as server:
        for name, value in server.create_database("dagster").items():
            monkeypatch.setenv(name, value)
        summary = materialize(out, instance_yaml=DEPLOY / "dagster-postgres.yaml")
        postgres = instance_contents(out / "dagster_home")
    sqlite = instance_contents(in_process_demo / "dagster_home")

    assert "postgres" in (out / "dagster_home" / "dagster.yaml").read_text()
    assert not list((out / "dagster_home").rglob("*.db"))  # nothing fell back to SQLite files
    assert list((in_process_demo / "dagster_home").rglob("*.db"))
    assert len(postgres["runs"]) == len(summary["runs"]) == 9  # 4 files, the model, 4 athletes
    assert postgres == sqlite
    assert postgres["has_models"] and postgres["gpu_slots"] == 1
    # Every run evaluated its checks; all pass but the model-quality one (5 epochs are too few).
    outcomes = [check for run in postgres["runs"].values() for check in run["checks"]]
    assert all(run["checks"] for run in postgres["runs"].values())
    assert {name for name, passed in outcomes if not passed} <= {"model_beats_repeat_last"}
    assert_same_outputs(in_process_demo / "storage", out / "storage")


def test_celery_workers_run_the_graph_like_one_process(in_process_demo, tmp_path):
    require(postgres=True, redis=True)
    from workout_pipeline.defs.scaleout import local_celery_cluster

    out = tmp_path / "celery"
    with local_celery_cluster(out, parallel_runs=4) as cluster:
        materialize(out, instance_yaml=cluster.instance_yaml, run_batch=cluster.runs)
        steps, runs, nodes = cluster.placements(), cluster.runs, cluster.nodes

    assert_same_outputs(in_process_demo / "storage", out / "storage")
    assert len(runs.run_ids) == 9 and all(step["worker"] and step["end"] for step in steps)
    # Training went to the gpu queue, and only training did.
    assert {s["worker"] for s in steps if s["step"] == TRAINING_STEP} == {nodes["gpu-1"]}
    assert all(s["worker"] != nodes["gpu-1"] for s in steps if s["step"] != TRAINING_STEP)
    # Both CPU workers took per-file ingest steps and per-athlete program steps ...
    cpu = {nodes["cpu-1"], nodes["cpu-2"]}
    for job in ("ingest_job", "program_job"):
        assert {s["worker"] for s in steps if s["job"] == job} == cpu, job
    # ... at the same time: steps of different partitions on the two workers overlapped.
    overlapping = [
        (a["step"], b["step"]) for a in steps for b in steps
        if a["worker"] == nodes["cpu-1"] and b["worker"] == nodes["cpu-2"] and a["partition"] != b["partition"]
        and a["start"] < b["end"] and b["start"] < a["end"]
    ]
    assert overlapping
