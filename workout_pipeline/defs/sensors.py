"""The inbox sensor: every new or changed export becomes a partition and an ingestion run."""

import json

import dagster as dg

from workout_pipeline.defs.inbox import scan_inbox
from workout_pipeline.defs.jobs import ingest_job
from workout_pipeline.defs.partitions import athlete_partitions, inbox_file_partitions
from workout_pipeline.defs.resources import PipelinePaths

CURSOR_VERSION = 1


def _read_cursor(raw: str | None) -> dict[str, str]:
    """{partition key: fingerprint} from the cursor; a corrupt cursor starts afresh."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION or not isinstance(data.get("f"), dict):
        return {}
    return {str(k): str(v) for k, v in data["f"].items()}


def _write_cursor(seen: dict[str, str]) -> str:
    # Only files still in the inbox are kept, each as a 12-character fingerprint: small cursor.
    return json.dumps({"v": CURSOR_VERSION, "f": dict(sorted(seen.items()))}, separators=(",", ":"))


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the inbox (inbox/<athlete>/*.csv or inbox/<athlete>.csv) for new or changed exports.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, paths: PipelinePaths) -> dg.SensorResult:
    """Add unseen files (and their athletes) as partitions and request one ingestion run each.

    A file counts as changed when its size or modification time changes; it gets a new run
    under the same partition. Files that cannot be used are logged and skipped.
    """
    files, skipped = scan_inbox(paths.inbox_dir)
    for entry in skipped:
        context.log.warning(f"inbox: skipped {entry.relative_path!r}: {entry.reason}")
    seen = _read_cursor(context.cursor)

    known_files = set(context.instance.get_dynamic_partitions(inbox_file_partitions.name))
    known_athletes = set(context.instance.get_dynamic_partitions(athlete_partitions.name))
    new_file_keys: list[str] = []
    new_athletes: list[str] = []
    run_requests: list[dg.RunRequest] = []
    current: dict[str, str] = {}
    for found in files:
        current[found.partition_key] = found.fingerprint
        if found.partition_key not in known_files and found.partition_key not in new_file_keys:
            new_file_keys.append(found.partition_key)
        if found.athlete_id not in known_athletes and found.athlete_id not in new_athletes:
            new_athletes.append(found.athlete_id)
        if seen.get(found.partition_key) == found.fingerprint:
            continue
        run_requests.append(
            dg.RunRequest(
                run_key=f"{found.partition_key}@{found.fingerprint}",
                partition_key=found.partition_key,
                tags={"workout_pipeline/athlete": found.athlete_id},
            )
        )

    partition_requests = []
    if new_file_keys:
        partition_requests.append(inbox_file_partitions.build_add_request(new_file_keys))
    if new_athletes:
        partition_requests.append(athlete_partitions.build_add_request(new_athletes))
    skip_reason = None if run_requests else f"no new or changed files ({len(files)} in inbox, {len(skipped)} skipped)"
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=partition_requests,
        cursor=_write_cursor(current),
        skip_reason=skip_reason,
    )
