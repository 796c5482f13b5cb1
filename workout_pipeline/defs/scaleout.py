"""Runs spread over Celery workers: the `run_batch` of `materialize_inbox` for `dagster-celery`.

Each run is started with `dagster.execute_job` on the reconstructable job of
`workout_pipeline.celery_definitions` (so workers can load it by name); its steps execute in the
workers. The runs of one batch (all ingestion runs, or all program runs) are started at once,
up to `parallel_runs`, each in its own short-lived run process (as a run launcher would; Celery
clients are not safe to share between threads), so their steps spread over every worker
listening on the queue.
"""

import multiprocessing
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
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
