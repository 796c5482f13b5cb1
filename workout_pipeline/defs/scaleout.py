"""Runs spread over Celery workers: the `run_batch` of `materialize_inbox` for `dagster-celery`.

Each run is started with `dagster.execute_job` on the reconstructable job of
`workout_pipeline.celery_definitions` (so workers can load it by name); its steps execute in the
workers. The runs of one batch (all ingestion runs, or all program runs) are started at once,
up to `parallel_runs`, in a pool of run processes (spawned, as a run launcher would start them:
runs started from threads of one process hung here, their Celery clients sharing state), so
their steps spread over every worker listening on the queue.
"""

import contextlib
import dataclasses
import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from workout_pipeline.defs.demo import QUIET_LOGGING, RunRequest, report_run
from workout_pipeline.paths import REPO_ROOT

CELERY_LOCATION = "workout_pipeline.celery_definitions"
PARTITION_TAG = "dagster/partition"


class CeleryRuns:
    """A `RunBatch`: runs whose steps the Celery workers execute.

    Args:
        execution_config: The celery executor's config (`execution.config` of
            `deploy/run-config-celery.yaml`: broker, backend, include, ...).
        parallel_runs: Runs of one batch started at once.
    """

    def __init__(self, execution_config: Mapping[str, Any], parallel_runs: int = 8):
        self.execution_config = dict(execution_config)
        self.parallel_runs = parallel_runs
        self.run_ids: dict[str, str] = {}

    def __call__(self, defs: Any, instance: Any, requests: Sequence[RunRequest]) -> dict[str, bool]:
        if not requests:
            return {}
        ref = instance.get_ref()
        context = multiprocessing.get_context("spawn")  # a clean interpreter, no inherited clients
        with ProcessPoolExecutor(max_workers=min(self.parallel_runs, len(requests)), mp_context=context) as pool:
            futures = [pool.submit(execute_celery_run, ref, request, self.execution_config) for request in requests]
            results = [future.result() for future in futures]
        outcomes = {}
        for request, (run_id, success, seconds) in zip(requests, results):
            self.run_ids[request.label] = run_id
            outcomes[request.label] = success
            report_run(request.label, success, seconds)
        return outcomes


def execute_celery_run(instance_ref: Any, request: RunRequest, execution_config: Mapping[str, Any]) -> tuple[str, bool, float]:
    """Execute one run of the Celery code location; returns (run id, success, seconds)."""
    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    started = time.perf_counter()
    job = ReconstructableRepository.for_module(
        CELERY_LOCATION, "defs", working_directory=str(REPO_ROOT)
    ).get_reconstructable_job(request.job)
    tags = {**request.tags, **({PARTITION_TAG: request.partition_key} if request.partition_key else {})}
    run_config = {**QUIET_LOGGING, **request.run_config, "execution": {"config": dict(execution_config)}}
    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        result = dg.execute_job(job, instance, run_config=run_config, tags=tags, raise_on_error=False)
    return result.run_id, result.success, time.perf_counter() - started


def step_placements(instance: Any, run_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Where and when each step of `run_ids` ran: one dict per step with `run_id`, `job`,
    `partition`, `step`, `worker` (the Celery node name from the executor's engine event, None
    outside Celery), `start` and `end` (event timestamps, seconds)."""
    from dagster import DagsterEventType

    placements = []
    for run_id in run_ids:
        run = instance.get_run_by_id(run_id)
        steps: dict[str, dict[str, Any]] = {}
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or not event.step_key:
                continue
            step = steps.setdefault(event.step_key, {
                "run_id": run_id, "job": run.job_name, "partition": run.tags.get(PARTITION_TAG),
                "step": event.step_key, "worker": None, "start": None, "end": None,
            })
            if event.event_type == DagsterEventType.ENGINE_EVENT:
                worker = event.engine_event_data.metadata.get("Celery worker")
                if worker is not None:
                    step["worker"] = worker.value
            elif event.event_type == DagsterEventType.STEP_START:
                step["start"] = record.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                step["end"] = record.timestamp
        placements += steps.values()
    return placements


DEPLOY_DIR = REPO_ROOT / "deploy"
# Two CPU workers on the default queue, one on the queue the training step is routed to.
LOCAL_WORKERS = {"cpu-1": ["dagster"], "cpu-2": ["dagster"], "gpu-1": ["gpu"]}


@dataclasses.dataclass
class LocalCluster:
    """What `local_celery_cluster` started: pass `instance_yaml` and `runs` to `materialize_inbox`."""

    nodes: dict[str, str]
    runs: CeleryRuns
    instance_yaml: Path
    # Filled when the cluster stops: CPU seconds of the workers and of the PostgreSQL server.
    cpu_seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def placements(self) -> list[dict[str, Any]]:
        """`step_placements` of every run started so far (read from the cluster's instance)."""
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            return step_placements(instance, list(self.runs.run_ids.values()))


@contextlib.contextmanager
def local_celery_cluster(out: Path, workers: Mapping[str, Sequence[str]] = LOCAL_WORKERS,
                         parallel_runs: int = 4) -> Iterator[LocalCluster]:
    """The Celery layout of docs/deploy.md on this machine, for `materialize_inbox(out, ...)`.

    Throwaway PostgreSQL (the instance, `deploy/dagster-celery.yaml`) and Redis (broker and
    result backend) on 127.0.0.1, and `workers` started with `deploy/celery-worker.yaml`. The
    variables they read (DAGSTER_HOME=out/dagster_home, DAGSTER_PG_*, the broker URLs, the
    pipeline's folders under `out`) are set in this process too and restored on exit.
    """
    import dagster as dg
    import yaml

    from workout_pipeline import local_servers
    from workout_pipeline.defs.demo import prepare_dagster_home

    instance_yaml = DEPLOY_DIR / "dagster-celery.yaml"
    config = yaml.safe_load((DEPLOY_DIR / "run-config-celery.yaml").read_text())["execution"]["config"]
    saved = dict(os.environ)
    try:
        with local_servers.postgres_server() as server, local_servers.redis_server() as redis:
            env = {
                **server.create_database("dagster"),
                "DAGSTER_CELERY_BROKER_URL": f"{redis}/0", "DAGSTER_CELERY_BACKEND_URL": f"{redis}/1",
                "DAGSTER_HOME": str(out / "dagster_home"),
                "WORKOUT_PIPELINE_STORAGE": str(out / "storage"), "WORKOUT_PIPELINE_INBOX": str(out / "inbox"),
                # Workers import this checkout, not another install of the package.
                "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
            }
            os.environ.update(env)
            prepare_dagster_home(out / "dagster_home", instance_yaml)
            # the instance's tables are created here, once: workers starting together on an empty
            # database raced to create them ("type secondary_indexes already exists")
            with dg.DagsterInstance.get():
                pass
            cluster = LocalCluster({}, CeleryRuns(config, parallel_runs=parallel_runs), instance_yaml)
            with local_servers.celery_workers(workers, DEPLOY_DIR / "celery-worker.yaml", env, out / "logs",
                                              cpu_seconds=cluster.cpu_seconds) as nodes:
                cluster.nodes = nodes
                yield cluster
            cluster.cpu_seconds["postgres"] = server.cpu_seconds()
    finally:
        os.environ.clear()
        os.environ.update(saved)
