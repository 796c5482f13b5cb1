"""Ingest group: raw inbox file → parsed sets → validated + quarantined sets (per inbox file)."""

import hashlib
from pathlib import Path

import dagster as dg

from workout_pipeline.atomic import atomic_path
from workout_pipeline.defs.inbox import find_inbox_file
from workout_pipeline.defs.io_managers import partition_file_stem
from workout_pipeline.defs.metadata import counts_markdown, markdown_table, plain, value_counts_markdown
from workout_pipeline.defs.partitions import inbox_file_partitions
from workout_pipeline.defs.resources import PipelinePaths


class ParseConfig(dg.Config):
    """How to read an export.

    Attributes:
        unit: Weight unit of the file: "auto" (detect), "kg" or "lb".
    """

    unit: str = "auto"


@dg.asset(
    partitions_def=inbox_file_partitions,
    group_name="ingest",
    kinds={"csv"},
    io_manager_key="json_io_manager",
)
def raw_log_files(context: dg.AssetExecutionContext, paths: PipelinePaths) -> dict:
    """One athlete export from the inbox, snapshotted into storage with its SHA-256.

    Later steps read the snapshot, so a file replaced in the inbox mid-run cannot mix two
    versions; a changed file is a new materialisation of the same partition.
    """
    try:
        found = find_inbox_file(paths.inbox_dir, context.partition_key)
        data = found.path.read_bytes()
    except OSError as exc:
        raise dg.Failure(description=f"inbox file for {context.partition_key!r} is unusable: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    # Keys end in the file's suffix, so the snapshot keeps it (parsers may look at it).
    snapshot = paths.storage("raw", partition_file_stem(context.partition_key))
    with atomic_path(snapshot) as tmp:
        tmp.write_bytes(data)
    record = {
        "partition_key": context.partition_key,
        "athlete_id": found.athlete_id,
        "relative_path": found.relative_path,
        "snapshot_path": str(snapshot),
        "sha256": digest,
        "size_bytes": len(data),
    }
    context.add_output_metadata(
        {
            "athlete_id": found.athlete_id,
            "inbox_path": found.relative_path,
            "sha256": digest,
            "size_bytes": len(data),
        }
    )
    return record


@dg.multi_asset(
    outs={
        "parsed_sets": dg.AssetOut(
            group_name="ingest",
            kinds={"pandas", "parquet"},
            io_manager_key="parquet_io_manager",
            description="Sets read from one export in the canonical layout; unreadable rows keep a `reason`.",
        ),
        "lifter_units": dg.AssetOut(
            group_name="ingest",
            kinds={"json"},
            io_manager_key="json_io_manager",
            description="The unit this export's lifter types loads in (stated by the export, else inferred), with why.",
        ),
    },
    partitions_def=inbox_file_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            "every_row_accounted_for",
            asset="parsed_sets",
            blocking=True,
            description="Every data row of the file is a set, a rejected row (with reason) or a documented non-set row.",
        )
    ],
)
def parse_export(context: dg.AssetExecutionContext, config: ParseConfig, raw_log_files: dict):
    """Read one export: its sets in the canonical layout, and its lifter's unit.

    The format (Strong, Hevy, FitNotes, Fitbod, plain CSV) and weight unit are detected by the
    parser; the unit evidence is `ingest.file_lifter_unit`, the same the CLI's store keeps.
    """
    import pandas as pd

    from workout_pipeline.ingest import parse_log_file
    from workout_pipeline.ingest.pipeline import file_lifter_unit
    from workout_pipeline.schema import to_canonical

    snapshot = Path(raw_log_files["snapshot_path"])
    parsed = parse_log_file(snapshot, raw_log_files["athlete_id"], unit=config.unit)
    if parsed.error:
        raise dg.Failure(description=f"{raw_log_files['relative_path']}: {parsed.error}")
    sets = to_canonical(parsed.sets, with_reason=True)
    rejected = to_canonical(parsed.rejected, with_reason=True) if len(parsed.rejected) else sets.iloc[0:0]
    frame = pd.concat([sets, rejected], ignore_index=True) if len(rejected) else sets
    # Provenance points at the inbox file the user knows, not at our snapshot copy.
    frame["source_file"] = pd.array([raw_log_files["relative_path"]] * len(frame), dtype="string")
    non_set_rows = int(parsed.non_set_rows)
    rows_in = int(parsed.rows_in)
    # Rows standing for several sets (Fitbod "Sets") add sets beyond the file's row count.
    expanded = int(parsed.expanded_sets)
    lifter_unit = file_lifter_unit(parsed, source=raw_log_files["relative_path"])
    yield dg.Output(lifter_unit or {}, output_name="lifter_units",
                    metadata={"unit": str((lifter_unit or {}).get("unit", "unknown"))})
    yield dg.Output(
        frame,
        output_name="parsed_sets",
        metadata={
            "format": str(parsed.format),
            "unit": str(parsed.unit),
            "unit_reason": str(parsed.unit_reason),
            "rows_in": rows_in,
            "sets": int(len(sets)),
            "rejected_rows": int(len(rejected)),
            "non_set_rows": non_set_rows,
            "expanded_sets": expanded,
            "encoding": str(parsed.encoding or ""),
            # values not stored (a negative RPE, duration or distance), the sets kept: which rows
            "warnings": "\n".join(parsed.warnings),
        },
    )
    accounted = len(sets) + len(rejected) + non_set_rows
    expected = rows_in + expanded
    yield dg.AssetCheckResult(
        check_name="every_row_accounted_for",
        asset_key="parsed_sets",
        passed=accounted == expected,
        metadata={"rows_in": rows_in, "expanded_sets": expanded, "accounted": int(accounted)},
        description=None if accounted == expected else f"{expected - accounted} row(s) unaccounted for",
    )


@dg.multi_asset(
    outs={
        "validated_sets": dg.AssetOut(
            group_name="ingest",
            kinds={"pandas", "parquet", "great_expectations"},
            io_manager_key="parquet_io_manager",
            description="Sets that passed every Great Expectations rule, exercise names resolved to catalog ids.",
        ),
        "quarantined_sets": dg.AssetOut(
            group_name="ingest",
            kinds={"pandas", "parquet"},
            io_manager_key="parquet_io_manager",
            description="Rows held back, each with the `reason` (parser rejection or failed expectation).",
        ),
    },
    partitions_def=inbox_file_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            "passes_expectations",
            asset="validated_sets",
            blocking=True,
            description="Re-validating the validated table with the Great Expectations suite finds no failing row.",
        ),
        dg.AssetCheckSpec(
            "rows_conserved",
            asset="validated_sets",
            blocking=True,
            description="validated + quarantined rows equal the parsed rows: nothing silently dropped.",
        ),
    ],
)
def validate_parsed_sets(context: dg.AssetExecutionContext, paths: PipelinePaths, parsed_sets):
    """Split parsed sets into validated and quarantined tables (GX), then resolve exercise names
    against the configured catalog: `pipeline.check_parsed_sets`, the step `ingest` runs too.

    The catalog comes from the same settings as the `exercise_catalog` asset (loading it is a
    step, not an input, so one file's ingestion never waits for the model group's run).
    """
    from workout_pipeline import pipeline
    from workout_pipeline.schema import resolution_summary

    settings = paths.settings()
    has_reason = parsed_sets["reason"].notna().to_numpy(bool)
    resolver = pipeline.name_resolver(pipeline.load_exercise_catalog(settings), settings)
    checked = pipeline.check_parsed_sets(parsed_sets[~has_reason], parsed_sets[has_reason], resolver)
    validated, quarantined = checked.validated, checked.quarantined

    resolved_share, unresolved = resolution_summary(validated)
    yield dg.Output(
        validated,
        output_name="validated_sets",
        metadata={
            "rows": int(len(validated)),
            "resolved_share": round(resolved_share, 4),
            "unresolved_exercise_names": counts_markdown(unresolved, "exercise_raw", "sets")
            if len(unresolved)
            else dg.MetadataValue.md("_(all resolved)_"),
        },
    )
    yield dg.Output(
        quarantined,
        output_name="quarantined_sets",
        metadata={
            "rows": int(len(quarantined)),
            "quarantine_reasons": value_counts_markdown(quarantined["reason"], "reason")
            if len(quarantined)
            else dg.MetadataValue.md("_(none)_"),
        },
    )

    from workout_pipeline.ingest import validate_sets

    recheck = validate_sets(validated) if len(validated) else None
    still_failing = int(len(recheck.quarantined)) if recheck is not None else 0
    checks = [
        {key: plain(check.get(key)) for key in ("name", "success", "unexpected_count", "quarantines", "description")}
        for check in checked.checks
    ]
    yield dg.AssetCheckResult(
        check_name="passes_expectations",
        asset_key="validated_sets",
        passed=still_failing == 0,
        metadata={
            "expectations_on_parsed_rows": dg.MetadataValue.md(markdown_table(checks)),
            "failing_validated_rows": still_failing,
        },
    )
    parsed_rows = int(len(parsed_sets))
    yield dg.AssetCheckResult(
        check_name="rows_conserved",
        asset_key="validated_sets",
        passed=parsed_rows == len(validated) + len(quarantined),
        metadata={"parsed": parsed_rows, "validated": int(len(validated)), "quarantined": int(len(quarantined))},
    )
