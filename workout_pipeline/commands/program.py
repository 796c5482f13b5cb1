"""`workout-pipeline program --out DIR`: next week's program as program.json/.md/.csv/.ics."""

from typing import Any

import click

from workout_pipeline.cli import json_command
from workout_pipeline.errors import InputError
from workout_pipeline.settings import SolverSettings


@click.command("program")
@click.option("--catalog", "catalog_path", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="free-exercise-db exercises.json or a catalog CSV/JSON in our layout "
                   "(default: $WORKOUT_PIPELINE_CATALOG, else built-in).")
@click.option("--constraints", "--targets", "constraints_file", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Constraints file, JSON or YAML (docs/program.md; default: $WORKOUT_PIPELINE_CONSTRAINTS, "
                   "else your routine's defaults). --targets is the older name.")
@click.option("--history", "history_dir", default=None, type=click.Path(file_okay=False, path_type=str),
              help="Ingest store folder (validated_sets.parquet; recommendations.parquet if evaluate wrote it there).")
@click.option("--model", "model_dir", default=None, type=click.Path(file_okay=False, path_type=str),
              help="Folder holding the model's recommendations.parquet (evaluate --out DIR), if not --history.")
@click.option("--athlete", default=None, help="Athlete id in the history (needed when it holds several).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for program.json, program.md, program.csv and program.ics.")
@click.option("--days", type=click.IntRange(1, 7), default=None, help="Training days this week (default: your recent rate).")
@click.option("--exclude", multiple=True, help="An exercise to leave out (id, catalog name or the name you log); repeatable.")
@click.option("--require", multiple=True, help="An exercise the week must hold (id, catalog name or logged name); repeatable.")
@click.option("--week-start", default=None, help="A date in the program's week (default: next week).")
@click.option("--formulation", type=click.Choice(["fast", "naive"]), default="fast", show_default=True,
              help="For objective: seed. fast: aggregated, decomposed model; naive: the seed formulation as one MILP.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(0.1, 3600), default=SolverSettings.time_limit_s,
              show_default=True, help="Solver wall-clock budget in seconds.")
@click.option("--gap", type=click.FloatRange(0.0, 1.0), default=SolverSettings.gap, show_default=True,
              help="Relative optimality gap at which the search stops.")
@click.option("--deload", is_flag=True, default=False, help="Deload week: targets x deload_factor (0.6).")
@json_command
def command(catalog_path: str | None, constraints_file: str | None, history_dir: str | None, model_dir: str | None,
            athlete: str | None, out_dir: str, days: int | None, exclude: tuple[str, ...], require: tuple[str, ...],
            week_start: str | None, formulation: str, time_limit_s: float, gap: float, deload: bool) -> dict[str, Any]:
    """Solve next week's program and write DIR/program.json, .md, .csv and .ics."""
    from workout_pipeline import pipeline
    from workout_pipeline.program import write_program
    from workout_pipeline.program.constraints import constraints_with_options
    from workout_pipeline.program.planner import parse_week_start
    from workout_pipeline.program.store import lifter_unit, read_history_store, read_recommendations
    from workout_pipeline.settings import Settings

    settings = Settings.from_env(catalog_path=catalog_path, constraints_path=constraints_file,
                                 solver=SolverSettings(time_limit_s=time_limit_s, gap=gap))
    constraints = constraints_with_options(settings.constraints_path, days=days, exclude=exclude, require=require,
                                           deload=deload)
    if week_start is not None:
        week_start = parse_week_start(week_start, "--week-start")
    catalog = pipeline.load_exercise_catalog(settings)
    history = recommendations = None
    if history_dir is not None:
        history, recommendations = read_history_store(history_dir)
        if athlete is not None and not (history["athlete_id"] == athlete).any():
            known = sorted(history["athlete_id"].dropna().astype(str).unique())
            raise InputError(f"athlete {athlete!r} is not in {history_dir} (athletes: {', '.join(known[:10])})")
    if model_dir is not None:
        recommendations = read_recommendations(model_dir)
    unit = None
    if history is not None:
        athletes = history["athlete_id"].dropna().astype(str).unique()
        who = athlete or (athletes[0] if len(athletes) == 1 else None)
        own = history if who is None else history[history["athlete_id"] == who]
        unit = lifter_unit(history_dir, who, own)
    result = pipeline.weekly_program(catalog, constraints, history, recommendations, athlete, settings.solver,
                                     formulation=formulation, unit=unit, week_start=week_start)
    paths = write_program(result, out_dir)
    return {
        "status": result.status,
        "objective": round(result.objective, 6),
        "gap": round(result.gap, 6),
        "solve_seconds": round(result.solve_seconds, 4),
        "n_exercises_considered": result.n_exercises_considered,
        "days": result.days,
        "athlete_id": result.athlete_id,
        "unit": result.unit,
        "program_json": str(paths["json"]),
        "program_md": str(paths["markdown"]),
        "program_csv": str(paths["csv"]),
        "program_ics": str(paths["ics"]),
    }
