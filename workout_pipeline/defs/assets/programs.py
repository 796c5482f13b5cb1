"""Programs group: next week's program per athlete (MILP) and its Markdown/HTML report."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from workout_pipeline.defs.automation import EAGER_UNLESS_BLOCKED

from workout_pipeline.defs.metadata import markdown_table, plain, png_markdown
from workout_pipeline.defs.partitions import athlete_partitions
from workout_pipeline.defs.resources import PipelinePaths
from workout_pipeline.settings import SolverSettings

if TYPE_CHECKING:
    from workout_pipeline.program import ProgramConstraints

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
    ins={"validated_sets": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
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
    progression_recommendations,
):
    """Next week's program for one athlete: days, exercises, sets, and loads from the model.

    Solved as a mixed-integer program (PuLP + HiGHS) that meets weekly per-muscle set targets
    under the athlete's constraints; `program.json` and `program.md` are written to storage.
    """
    from workout_pipeline import pipeline
    from workout_pipeline.errors import InputError
    from workout_pipeline.program import load_constraints, write_program

    athlete = context.partition_key
    source = constraints_source(paths, athlete)
    try:
        constraints = load_constraints(source)
        result = pipeline.weekly_program(
            exercise_catalog,
            constraints,
            pipeline.combine_validated_sets(validated_sets),
            progression_recommendations,
            athlete,
            SolverSettings(time_limit_s=config.time_limit_s, gap=config.gap),
        )
    except InputError as exc:
        raise dg.Failure(description=f"program for {athlete}: {exc}") from exc
    out_dir = paths.storage("programs", athlete)
    write_program(result, out_dir)
    program = result.to_dict()
    yield dg.Output(
        program,
        metadata={
            "status": str(result.status),
            "objective": plain(result.objective),
            "gap": plain(result.gap),
            "solve_seconds": float(plain(result.solve_seconds) or 0.0),
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


def hard_constraint_problems(program: dict, constraints: "ProgramConstraints") -> list[str]:
    """Hard rules a solved program must satisfy, re-checked on the written result."""
    problems: list[str] = []
    status = str(program.get("status", "")).lower()
    if not any(word in status for word in ("optimal", "feasible")) or "infeasible" in status:
        problems.append(f"solver status {program.get('status')!r} is not a feasible solution")
    days = program.get("days") or []
    min_sets, max_sets = constraints.min_sets, constraints.max_sets
    min_ex, max_ex = constraints.min_exercises_per_day, constraints.max_exercises_per_day
    if len(days) > constraints.training_days:
        problems.append(f"{len(days)} training days, at most {constraints.training_days} allowed")
    for day in days:
        exercises = day["exercises"]
        if not min_ex <= len(exercises) <= max_ex:
            problems.append(f"{day['weekday']}: {len(exercises)} exercises, allowed {min_ex}..{max_ex}")
        for exercise in exercises:
            sets = exercise.get("sets")
            if sets is not None and not min_sets <= int(sets) <= max_sets:
                problems.append(f"{day['weekday']}: {exercise.get('name')} has {sets} sets, allowed {min_sets}..{max_sets}")
    for muscle, values in (program.get("muscles") or {}).items():
        minimum = values.get("hard_minimum") if isinstance(values, dict) else None
        achieved = values.get("effective_sets") if isinstance(values, dict) else None
        if minimum is not None and achieved is not None and float(achieved) + 1e-6 < float(minimum):
            problems.append(f"{muscle}: {achieved} effective sets, hard minimum {minimum}")
    return problems


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
