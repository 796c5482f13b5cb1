"""The demo run: materialise the whole asset graph on the shipped demo logs (`workout-pipeline demo`).

Uses a real local Dagster instance under the output folder (DAGSTER_HOME, SQLite, telemetry off,
`gpu` pool limit 1) so `dagster dev` pointed at the same folders shows the runs and assets
afterwards. The CLI wrapper is `workout_pipeline.commands.demo`.
"""

import dataclasses
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from workout_pipeline.errors import InputError
from workout_pipeline.paths import DATA_DIR, REPO_ROOT

DEMO_DATA_DIR = DATA_DIR / "demo"
GPU_POOL = "gpu"
# Dagster's tags for a sensor's run key and name (used by the daemon to skip known run keys).
RUN_KEY_TAG = "dagster/run_key"
SENSOR_NAME_TAG = "dagster/sensor_name"
# Demo budgets that keep a cold `make run` near its 90 s goal on 2 cores: the MILP time limit
# per athlete and the training epochs (the model's own default trains up to 200 epochs).
DEMO_SOLVE_SECONDS = 3.0
DEMO_EPOCHS = 30
# Dagster's step-by-step DEBUG log would bury the summary; the demo prints one line per run.
QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# Used when the package runs without the repository's dagster.yaml beside it.
FALLBACK_INSTANCE_YAML = """telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
    granularity: op
  runs:
    max_concurrent_runs: 4
"""


def prepare_dagster_home(home: Path, instance_yaml: Path | None = None) -> Path:
    """Create DAGSTER_HOME with the project's instance settings (telemetry off).

    `instance_yaml` replaces the repository's `dagster.yaml` (e.g. `deploy/dagster-postgres.yaml`).
    """
    home.mkdir(parents=True, exist_ok=True)
    source = instance_yaml or REPO_ROOT / "dagster.yaml"
    text = source.read_text(encoding="utf-8") if source.is_file() else FALLBACK_INSTANCE_YAML
    target = home / "dagster.yaml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        from workout_pipeline.atomic import write_text_atomic

        write_text_atomic(text, target)
    return home


def stage_inbox(source_dir: Path, inbox: Path) -> list[Path]:
    """Copy the demo logs into the inbox (unchanged files are left alone, so no re-run)."""
    logs = sorted(p for p in source_dir.glob("*.csv") if p.is_file())
    if not logs:
        raise InputError(f"no demo logs (*.csv) in {source_dir}")
    inbox.mkdir(parents=True, exist_ok=True)
    staged = []
    for log in logs:
        target = inbox / log.name
        if not target.exists() or target.read_bytes() != log.read_bytes():
            shutil.copy2(log, target)
        staged.append(target)
    return staged


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """One run of a job: `label` names it in the summary (`ingest:<file>`, `model`, `program:<athlete>`)."""

    job: str
    label: str
    partition_key: str | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    run_config: dict[str, Any] = dataclasses.field(default_factory=dict)


# Runs a batch of independent runs (the same phase: all ingestion runs, or all program runs)
# and returns label -> success. Given the definitions and the open instance.
RunBatch = Callable[[Any, Any, Sequence[RunRequest]], dict[str, bool]]


def run_in_process(defs: Any, instance: Any, requests: Sequence[RunRequest]) -> dict[str, bool]:
    """The default: one run after another, each in this process (`execute_in_process`)."""
    outcomes = {}
    for request in requests:
        started = time.perf_counter()
        result = defs.resolve_job_def(request.job).execute_in_process(
            run_config={**QUIET_LOGGING, **request.run_config}, instance=instance,
            partition_key=request.partition_key, tags=request.tags or None, raise_on_error=False,
        )
        outcomes[request.label] = result.success
        report_run(request.label, result.success, time.perf_counter() - started)
    return outcomes


def report_run(label: str, success: bool, seconds: float) -> None:
    """The demo's one line per run on stderr."""
    print(f"demo: {label}: {'success' if success else 'failure'} ({seconds:.1f} s)", file=sys.stderr, flush=True)


def ui_command(out: Path) -> str:
    """The shell command that opens the Dagster UI on the demo's instance and folders.

    It runs from inside `out` so that the repository's `dagster.yaml` (the template of the
    instance settings, copied into `out/dagster_home`) does not sit in the working folder;
    `make ui` runs the same command for the default `out/`.
    """
    import shlex

    dagster = Path(sys.executable).with_name("dagster")
    quoted = {name: shlex.quote(str(path)) for name, path in (
        ("out", out), ("home", out / "dagster_home"), ("storage", out / "storage"), ("inbox", out / "inbox"), ("dagster", dagster))}
    # quoted: a folder named "my out" or "x; rm -rf ~" is a path, not words or a second command
    return (
        f"cd {quoted['out']} && DAGSTER_HOME={quoted['home']} WORKOUT_PIPELINE_STORAGE={quoted['storage']} "
        f"WORKOUT_PIPELINE_INBOX={quoted['inbox']} {quoted['dagster']} dev -h 127.0.0.1 -p 3000 -m workout_pipeline.definitions"
    )


def run_demo(
    out: Path,
    source_dir: Path = DEMO_DATA_DIR,
    epochs: int | None = DEMO_EPOCHS,
    seed: int = 0,
    solve_seconds: float = DEMO_SOLVE_SECONDS,
) -> dict[str, Any]:
    """Copy the demo logs (`source_dir`) into `out/inbox`, then `materialize_inbox` (same
    arguments); the summary adds the seconds it all took."""
    started = time.perf_counter()
    out = out.absolute()
    stage_inbox(source_dir, out / "inbox")
    summary = materialize_inbox(out, epochs=epochs, seed=seed, solve_seconds=solve_seconds)
    return {**summary, "seconds": round(time.perf_counter() - started, 1)}


def materialize_inbox(
    out: Path,
    epochs: int | None = DEMO_EPOCHS,
    seed: int = 0,
    solve_seconds: float = DEMO_SOLVE_SECONDS,
    *,
    solver_gap: float | None = None,
    instance_yaml: Path | None = None,
    run_batch: RunBatch = run_in_process,
) -> dict[str, Any]:
    """Materialise every asset over the exports in `out/inbox`, in a local instance under `out`.

    The runs the inbox sensor, the automation and the schedule would start, in order: the
    sensor adds one partition per file (and per athlete); one ingestion run per file; one
    catalog + model run; one program run per athlete.

    Args:
        out: Folder holding `inbox/`; `dagster_home/` and `storage/` are created beside it.
        epochs: Maximum training epochs (None: the model's own default).
        seed: Random seed of training and recommendations.
        solve_seconds: Time limit of each athlete's program solve.
        solver_gap: Relative gap at which each program solve stops (None: the default). A
            solve that stops on its gap, not on its time limit, does not depend on machine speed.
        instance_yaml: Instance settings instead of the repository's `dagster.yaml` (a Postgres
            variant from `deploy/`); their `env:` values come from this process's environment.
        run_batch: How each phase's runs are executed (default: one by one in this process;
            `workout_pipeline.defs.scaleout.CeleryRuns` sends them to Celery workers).

    Returns:
        The JSON summary (paths of one athlete's program and report, and of everything else).
    """
    import dagster as dg

    from workout_pipeline.definitions import build_definitions
    from workout_pipeline.defs.assets.model import TrainingConfig, progression_models, progression_recommendations
    from workout_pipeline.defs.assets.programs import ProgramConfig, weekly_programs
    from workout_pipeline.defs.jobs import ingest_job, model_job, program_job
    from workout_pipeline.defs.partitions import athlete_partitions
    from workout_pipeline.defs.sensors import inbox_sensor

    out = out.absolute()
    home = prepare_dagster_home(out / "dagster_home", instance_yaml)
    inbox, storage = out / "inbox", out / "storage"
    defs = build_definitions(storage_dir=str(storage), inbox_dir=str(inbox))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.set_concurrency_slots(GPU_POOL, 1)
        # The same sensor `dagster dev` runs decides the partitions and ingestion runs.
        paths_resource = defs.resources["paths"]
        with dg.build_sensor_context(instance=instance, resources={"paths": paths_resource}) as context:
            result = inbox_sensor(context)
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys or []))
        requests = list(result.run_requests or [])
        file_keys = [request.partition_key for request in requests]

        ingests = [
            # Tagged like the sensor's own runs, so `dagster dev` on this instance recognises
            # the run keys and does not ingest the same files again.
            RunRequest(ingest_job.name, f"ingest:{request.partition_key}", request.partition_key,
                       {**request.tags, RUN_KEY_TAG: request.run_key, SENSOR_NAME_TAG: inbox_sensor.name})
            for request in requests
        ]
        outcomes = run_batch(defs, instance, ingests)
        failed_files = [key for key in file_keys if not outcomes[f"ingest:{key}"]]
        if len(failed_files) == len(file_keys):
            raise InputError(f"no demo log could be ingested ({', '.join(failed_files)})")

        training = TrainingConfig(seed=seed, epochs=epochs)
        run_config = {"ops": {asset.op.name: {"config": training.model_dump()}
                              for asset in (progression_models, progression_recommendations)}}
        outcomes.update(run_batch(defs, instance, [RunRequest(model_job.name, "model", run_config=run_config)]))
        if not outcomes["model"]:
            raise InputError(f"the model run failed; open the UI to see why: {ui_command(out)}")

        athletes = sorted(instance.get_dynamic_partitions(athlete_partitions.name))
        solver = ProgramConfig(time_limit_s=float(solve_seconds),
                               **({"gap": float(solver_gap)} if solver_gap is not None else {}))
        program_config = {"ops": {weekly_programs.op.name: {"config": solver.model_dump()}}}
        outcomes.update(run_batch(defs, instance, [
            RunRequest(program_job.name, f"program:{athlete}", athlete, run_config=program_config)
            for athlete in athletes
        ]))
    runs = {label: "success" if success else "failure" for label, success in outcomes.items()}

    done = [a for a in athletes if runs.get(f"program:{a}") == "success"]
    if not done:
        raise InputError(f"no athlete's program could be built; open the UI to see why: {ui_command(out)}")
    athlete = done[0]
    return {
        "athlete": athlete,
        "program": str(storage / "programs" / athlete / "program.md"),
        "report": str(storage / "reports" / athlete / "report.html"),
        "report_markdown": str(storage / "reports" / athlete / "report.md"),
        "athletes": athletes,
        "programs_dir": str(storage / "programs"),
        "reports_dir": str(storage / "reports"),
        "metrics": str(storage / "json" / "model_evaluation.json"),
        "predictions": str(storage / "model" / "predictions.parquet"),
        "tables_dir": str(storage / "tables"),
        "dagster_home": str(home),
        "inbox": str(inbox),
        "runs": runs,
        "failed_files": failed_files,
        "ui": ui_command(out),
    }
