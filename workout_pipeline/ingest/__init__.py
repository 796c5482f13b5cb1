"""Ingestion of real app exports into the canonical set table (contract in DESIGN.md).

Public API (called by the CLI, the Dagster assets and the model):

- ``parse_log_file(path, athlete_id, unit="auto") -> ParsedLog``
- ``validate_sets(frame) -> ValidationOutcome`` (Great Expectations suite)
- ``resolve_exercises(frame, resolver=None) -> frame``
- ``validate_and_resolve(sets, rejected, resolver) -> CheckedSets`` (one file: GX, then names)
- ``ingest_paths(paths, out_dir=None, athlete=None, unit="auto", user_aliases=None, catalog=None) -> IngestReport``
- ``merge_into_store(out_dir, validated, quarantined, ingested_files, athletes=None) -> dict``,
  ``read_store(out_dir) -> StoreTables``, ``athlete_units(out_dir)`` and ``load_store(out_dir)``
- ``athlete_id_for(path, root=None) -> str``
"""

from workout_pipeline.ingest.parse import UNIT_CHOICES, ParsedLog, parse_log_file
from workout_pipeline.ingest.pipeline import (
    CheckedSets,
    IngestReport,
    athlete_id_for,
    expand_paths,
    ingest_paths,
    resolve_exercises,
    validate_and_resolve,
)
from workout_pipeline.ingest.store import (
    ATHLETES_FILE,
    QUARANTINED_FILE,
    VALIDATED_FILE,
    StoreTables,
    athlete_units,
    load_store,
    merge_into_store,
    read_store,
)
from workout_pipeline.ingest.units import UnitInference, infer_weight_unit
from workout_pipeline.ingest.validate import STRUCTURAL_CHECKS, ValidationOutcome, validate_sets

__all__ = [
    "ATHLETES_FILE",
    "CheckedSets",
    "IngestReport",
    "ParsedLog",
    "QUARANTINED_FILE",
    "STRUCTURAL_CHECKS",
    "StoreTables",
    "UNIT_CHOICES",
    "UnitInference",
    "VALIDATED_FILE",
    "ValidationOutcome",
    "athlete_id_for",
    "athlete_units",
    "expand_paths",
    "infer_weight_unit",
    "ingest_paths",
    "load_store",
    "merge_into_store",
    "parse_log_file",
    "read_store",
    "resolve_exercises",
    "validate_and_resolve",
    "validate_sets",
]
