"""Programs group: next week's program per athlete (MILP) and its Markdown/HTML report."""

from pathlib import Path
from typing import Any

import dagster as dg

from workout_pipeline.defs.automation import EAGER_UNLESS_BLOCKED

from workout_pipeline.defs.metadata import markdown_table, plain, png_markdown
from workout_pipeline.defs.partitions import athlete_partitions
from workout_pipeline.defs.resources import PipelinePaths
from workout_pipeline.settings import SolverSettings

# Per-athlete constraints live beside their exports: inbox/<athlete>/constraints.{yaml,yml,json}.
CONSTRAINT_FILE_NAMES: tuple[str, ...] = ("constraints.yaml", "constraints.yml", "constraints.json")


class ProgramConfig(dg.Config):
    """Solver budget of the weekly program.

    Attributes:
        time_limit_s: Wall-clock limit of the MILP solve per athlete.
        gap: Relative optimality gap at which the search stops early.
    """

    time_limit_s: float = SolverSettings.time_limit_s
    gap: float = SolverSettings.gap


def constraints_source(paths: PipelinePaths, athlete_id: str) -> str | None:
    """The constraints file for an athlete: their own, else the pipeline-wide one, else defaults."""
    folder = Path(paths.inbox_dir) / athlete_id  # athlete ids are sanitised partition keys
    for name in CONSTRAINT_FILE_NAMES:
        if (folder / name).is_file():
            return str(folder / name)
    return paths.constraints_path or None


@dg.asset(
    partitions_def=athlete_partitions,
    group_name="programs",
    kinds={"pulp", "json"},
    io_manager_key="json_io_manager",
    # History: every inbox file's validated sets (the athlete's rows are picked inside).
    ins={
        "validated_sets": dg.AssetIn(partition_mapping=dg.AllPartitionMapping()),
        "lifter_units": dg.AssetIn(partition_mapping=dg.AllPartitionMapping()),
    },
    automation_condition=EAGER_UNLESS_BLOCKED,
    check_specs=[
        dg.AssetCheckSpec(
            "meets_hard_constraints",
            asset="weekly_programs",
            description="Solved to a feasible program whose sets and exercises per day stay within the hard limits.",
        )
    ],
)
def weekly_programs(
    context: dg.AssetExecutionContext,
    config: ProgramConfig,
    paths: PipelinePaths,
    exercise_catalog,
    validated_sets,
    lifter_units,
    progression_recommendations,
):
    """Next week's program for one athlete: built around their routine, loads from the model.

    Solved as a mixed-integer program (PuLP + HiGHS) that keeps the lifter's staples and session
    shapes and meets weekly per-muscle set targets under their constraints; `program.json`,
    `.md`, `.csv` and `.ics` are written to storage, and the week is shown in the metadata.
    """
    from workout_pipeline import pipeline
    from workout_pipeline.errors import InputError
    from workout_pipeline.program import load_constraints, program_week_rows, write_program
    from workout_pipeline.program.check import hard_constraint_problems
    from workout_pipeline.program.store import unit_from_history

    athlete = context.partition_key
    source = constraints_source(paths, athlete)
    sets = pipeline.combine_validated_sets(validated_sets)
    try:
        constraints = load_constraints(source)
        result = pipeline.weekly_program(
            exercise_catalog,
            constraints,
            sets,
            progression_recommendations,
            athlete,
            SolverSettings(time_limit_s=config.time_limit_s, gap=config.gap),
            unit=pipeline.athlete_unit(lifter_units, athlete) or unit_from_history(pipeline.rows_for_athlete(sets, athlete)),
        )
    except InputError as exc:
        raise dg.Failure(description=f"program for {athlete}: {exc}") from exc
    out_dir = paths.storage("programs", athlete)
    write_program(result, out_dir)
    program = result.to_dict()
    week = [{k: v for k, v in row.items() if k != "reason"} for row in program_week_rows(result)]
    yield dg.Output(
        program,
        metadata={
            "week": dg.MetadataValue.md(markdown_table(week)),
            "training_days": len(result.days),
            "unit": result.unit,
            "status": str(result.status),
            "objective": round(float(plain(result.objective) or 0.0), 3),
            "gap": round(float(plain(result.gap) or 0.0), 4),
            "solve_seconds": round(float(plain(result.solve_seconds) or 0.0), 2),
            "n_exercises_considered": int(plain(result.n_exercises_considered) or 0),
            "constraints": source or "defaults",
            "program_dir": dg.MetadataValue.path(str(out_dir)),
        },
    )
    problems = hard_constraint_problems(program, constraints)
    yield dg.AssetCheckResult(
        check_name="meets_hard_constraints",
        passed=not problems,
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:20]) or "_(none)_")},
    )


@dg.asset(
    partitions_def=athlete_partitions,
    group_name="programs",
    kinds={"markdown", "html"},
    automation_condition=EAGER_UNLESS_BLOCKED,
)
def program_reports(
    context: dg.AssetExecutionContext,
    paths: PipelinePaths,
    weekly_programs: dict,
    progression_recommendations,
    exercise_features,
) -> dg.MaterializeResult:
    """The athlete's report (Markdown and HTML): next week's program, recommendations, plots."""
    from workout_pipeline.pipeline import rows_for_athlete
    from workout_pipeline.reports import write_program_report

    athlete = context.partition_key
    report = write_program_report(
        athlete_id=athlete,
        program=weekly_programs,
        recommendations=rows_for_athlete(progression_recommendations, athlete),
        features=rows_for_athlete(exercise_features, athlete),
        out_dir=paths.storage("reports", athlete),
    )
    metadata: dict[str, Any] = {
        "markdown_path": dg.MetadataValue.path(str(report.markdown_path)),
        "html_path": dg.MetadataValue.path(str(report.html_path)),
    }
    if report.volume_chart is not None:
        metadata["weekly_volume_per_muscle"] = png_markdown(report.volume_chart, "weekly sets per muscle")
    if report.muscle_rows:
        metadata["muscles"] = dg.MetadataValue.md(markdown_table(report.muscle_rows))
    return dg.MaterializeResult(metadata=metadata)
