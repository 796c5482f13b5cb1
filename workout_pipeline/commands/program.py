"""`workout-pipeline program --out DIR`: solve next week's program and write program.json/.md."""

from typing import Any

import click

from workout_pipeline.cli import json_command
from workout_pipeline.errors import InputError
from workout_pipeline.settings import SolverSettings


@click.command("program")
@click.option("--catalog", "catalog_path", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="free-exercise-db exercises.json or a catalog CSV/JSON in our layout (default: built-in).")
@click.option("--targets", "targets_file", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Constraints/targets file, JSON or YAML (docs/program.md; default: literature defaults).")
@click.option("--history", "history_dir", default=None, type=click.Path(file_okay=False, path_type=str),
              help="Ingest store folder (validated_sets.parquet, recommendations.parquet if present).")
@click.option("--athlete", default=None, help="Athlete id in the history (needed when it holds several).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for program.json and program.md.")
@click.option("--formulation", type=click.Choice(["fast", "naive"]), default="fast", show_default=True,
              help="fast: aggregated, decomposed model; naive: the seed formulation as one MILP.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(0.1, 3600), default=SolverSettings.time_limit_s,
              show_default=True, help="Solver wall-clock budget in seconds.")
@click.option("--gap", type=click.FloatRange(0.0, 1.0), default=SolverSettings.gap, show_default=True,
              help="Relative optimality gap at which the search stops.")
@click.option("--deload", is_flag=True, default=False, help="Deload week: targets x deload_factor (0.6).")
@json_command
def command(catalog_path: str | None, targets_file: str | None, history_dir: str | None, athlete: str | None,
            out_dir: str, formulation: str, time_limit_s: float, gap: float, deload: bool) -> dict[str, Any]:
    """Solve the weekly program MILP and write DIR/program.json and DIR/program.md."""
    import dataclasses

    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.program import load_constraints, read_history_store, solve_program, write_program

    constraints = load_constraints(targets_file)
    if deload:
        constraints = dataclasses.replace(constraints, deload=True)
    catalog = load_catalog(catalog_path)
    history = recommendations = None
    if history_dir is not None:
        history, recommendations = read_history_store(history_dir)
        if athlete is not None and not (history["athlete_id"] == athlete).any():
            known = sorted(history["athlete_id"].dropna().astype(str).unique())
            raise InputError(f"athlete {athlete!r} is not in {history_dir} (athletes: {', '.join(known[:10])})")
    result = solve_program(catalog, constraints, history=history, recommendations=recommendations,
                           formulation=formulation, time_limit_s=time_limit_s, athlete_id=athlete, gap=gap)
    paths = write_program(result, out_dir)
    return {
        "status": result.status,
        "objective": round(result.objective, 6),
        "gap": round(result.gap, 6),
        "solve_seconds": round(result.solve_seconds, 4),
        "n_exercises_considered": result.n_exercises_considered,
        "days": result.days,
        "athlete_id": result.athlete_id,
        "program_json": str(paths["json"]),
        "program_md": str(paths["markdown"]),
    }
