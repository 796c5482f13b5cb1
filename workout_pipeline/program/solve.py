"""Solving the seed objective's weekly program: the naive seed model, or the fast exact formulation.

- `solve_naive`: the seed formulation as one MILP (one class per exercise).
- `solve_fast`: the staged solve over exercise classes, same optimum (`program/compose.py`
  composes the stages of `program/stages.py` and `program/layout.py`; docs/program.md).
- `run_solver` (`program/engine.py`): HiGHS through PuLP, reporting what was really proven.
- `symmetric_groups`: days that are interchangeable.
"""

from typing import Any

from workout_pipeline.program.compose import solve_fast
from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.engine import gap_of, run_solver
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.layout import arrange_day_types, symmetric_groups
from workout_pipeline.program.milp import ProgramModel, build_naive_model

__all__ = ["arrange_day_types", "run_solver", "solve_fast", "solve_naive", "symmetric_groups"]


def solve_naive(classes: list[ExerciseClass], constraints: ProgramConstraints, time_limit_s: float,
                gap: float) -> tuple[ProgramModel | None, dict[str, Any]]:
    """The seed formulation solved as one MILP."""
    model = build_naive_model(classes, constraints)
    run = run_solver(model.problem, time_limit_s, gap)
    if run["objective"] is None:
        return None, run
    final_gap = gap_of(run["objective"], run["bound"])
    status = "optimal" if run["status"] == "optimal" or final_gap <= gap + 1e-9 else "feasible"
    return model, {**run, "status": status, "gap": final_gap}
