"""The demo run: materialise the whole asset graph on the shipped demo logs (`workout-pipeline demo`).

Uses a real local Dagster instance under the output folder (DAGSTER_HOME, SQLite, telemetry off,
`gpu` pool limit 1) so `dagster dev` pointed at the same folders shows the runs and assets
afterwards. The CLI wrapper is `workout_pipeline.commands.demo`.
"""

import shutil
import sys
import time
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


def prepare_dagster_home(home: Path) -> Path:
    """Create DAGSTER_HOME with the project's instance settings (telemetry off)."""
    home.mkdir(parents=True, exist_ok=True)
    source = REPO_ROOT / "dagster.yaml"
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


def _execute(job: Any, label: str, runs: dict[str, str], **kwargs: Any) -> bool:
    """Run one job in-process on the demo instance; record and print its outcome."""
    started = time.perf_counter()
    run_config = {**QUIET_LOGGING, **kwargs.pop("run_config", {})}
    result = job.execute_in_process(run_config=run_config, raise_on_error=False, **kwargs)
    runs[label] = "success" if result.success else "failure"
    print(f"demo: {label}: {runs[label]} ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)
    return result.success


def ui_command(out: Path) -> str:
    """The shell command that opens the Dagster UI on the demo's instance and folders.

    It runs from inside `out` so that the repository's `dagster.yaml` (the template of the
    instance settings, copied into `out/dagster_home`) does not sit in the working folder;
    `make ui` runs the same command for the default `out/`.
    """
    dagster = Path(sys.executable).with_name("dagster")
    return (
        f"cd {out} && DAGSTER_HOME={out / 'dagster_home'} WORKOUT_PIPELINE_STORAGE={out / 'storage'} "
        f"WORKOUT_PIPELINE_INBOX={out / 'inbox'} {dagster} dev -h 127.0.0.1 -p 3000 -m workout_pipeline.definitions"
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
    home = prepare_dagster_home(out / "dagster_home")
    inbox, storage = out / "inbox", out / "storage"
    defs = build_definitions(storage_dir=str(storage), inbox_dir=str(inbox))
    runs: dict[str, str] = {}
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

        ingest = defs.resolve_job_def(ingest_job.name)
        failed_files = []
        for request in requests:
            # Tagged like the sensor's own runs, so `dagster dev` on this instance recognises
            # the run keys and does not ingest the same files again.
            tags = {**request.tags, RUN_KEY_TAG: request.run_key, SENSOR_NAME_TAG: inbox_sensor.name}
            key = request.partition_key
            if not _execute(ingest, f"ingest:{key}", runs, instance=instance, partition_key=key, tags=tags):
                failed_files.append(key)
        if len(failed_files) == len(file_keys):
            raise InputError(f"no demo log could be ingested ({', '.join(failed_files)})")

        training = TrainingConfig(seed=seed, epochs=epochs)
        run_config = {"ops": {asset.op.name: {"config": training.model_dump()}
                              for asset in (progression_models, progression_recommendations)}}
        if not _execute(defs.resolve_job_def(model_job.name), "model", runs, instance=instance, run_config=run_config):
            raise InputError(f"the model run failed; open the UI to see why: {ui_command(out)}")

        athletes = sorted(instance.get_dynamic_partitions(athlete_partitions.name))
        solver = ProgramConfig(time_limit_s=float(solve_seconds))
        program_config = {"ops": {weekly_programs.op.name: {"config": solver.model_dump()}}}
        programs = defs.resolve_job_def(program_job.name)
        for athlete in athletes:
            _execute(programs, f"program:{athlete}", runs, instance=instance, partition_key=athlete, run_config=program_config)

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
