"""Weekly program optimiser: a mixed-integer program (PuLP + HiGHS) over the exercise catalog.

Public API:
    load_constraints(path_or_dict=None) -> ProgramConstraints
    solve_program(catalog, constraints, history=None, recommendations=None,
                  formulation="fast", time_limit_s=10.0, athlete_id=None, gap=0.005,
                  unit=None, week_start=None) -> ProgramResult
    render_program_markdown(result) -> str
    program_week_rows(result) -> list[dict]   (the week's table: Markdown, CSV, Dagster, HTML)
    write_program(result, out_dir) -> {"json", "markdown", "csv", "ics": Path}
    read_history_store(history_dir) -> (validated_sets, recommendations or None)
    build_naive_model(classes, constraints) -> ProgramModel   (the seed formulation)
PuLP is imported only inside the functions that solve.
"""

from workout_pipeline.program.constraints import ProgramConstraints, load_constraints
from workout_pipeline.program.milp import build_naive_model
from workout_pipeline.program.planner import ProgramResult, solve_program
from workout_pipeline.program.report import program_week_rows, render_program_markdown, write_program
from workout_pipeline.program.store import read_history_store

__all__ = [
    "ProgramConstraints",
    "ProgramResult",
    "build_naive_model",
    "load_constraints",
    "program_week_rows",
    "read_history_store",
    "render_program_markdown",
    "solve_program",
    "write_program",
]
