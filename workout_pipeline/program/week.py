"""Solving the routine objective's MIP in stages: a week-level master, then the days.

The full model (`program/milp.py`, built by `program/plan.py`) has one set and one selection
variable per exercise and day. With few training days its LP is weak: fractional selections
let it spread a day's 5-set slots over twice as many exercises, so HiGHS spends seconds
closing the last few percent (3 full-body days: 47 s to 0.5%). The days are nearly
interchangeable, though, so the same week seen per exercise is small and tight
(`build_week_master` in `program/master.py`):

    S[i] = Σ_d x[i,d] (weekly sets),  N[i] = Σ_d y[i,d] (days with it)
    min_sets·N[i] <= S[i] <= max_sets·N[i],   N[i] <= cap_i·|days open to i|
    for each set K of categories, with days(K) the days that take any of them:
        Σ_{i in K} N[i] <= max_ex·|days(K)|,   Σ_{i in K} secs_i·S[i] <= 60·minutes·|days(K)|
    and with only(K) the days whose categories all lie in K:
        Σ_{i in K or core} N[i] >= min_ex·|only(K)|
    direct sets of a muscle <= the per-session cap times the most days it can be trained on
        (days open to its exercises, no two within the 48 h rule)
    Σ_{i trains m directly} N[i] >= min_sessions
    the targets (with their band), hard targets, staples (soft) and required lifts (hard)
    day costs at their cheapest open day; smoothness at its floor 0

Every row is a sum of the full model's day rows, so the master is a relaxation: its proven
bound (HiGHS's dual bound) is a lower bound for the full model. Its week is then laid out over
the days by the full model with the weekly sets and days per exercise fixed (`layout`): a
program, so an upper bound. When they are within the gap the solve stops; otherwise the full
model runs warm-started from the best program, and the reported bound is the larger of its
own and the master's.
"""

import time
from collections.abc import Sequence
from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.master import build_week_master
from workout_pipeline.program.milp import ProgramModel

MASTER_SHARE = 0.75  # of the budget, at most, for the master (its week and bound are most of the answer)
FIRST_PROGRAM_S = 30.0  # the most spent looking for a first program when the budget found none
LAYOUT_SHARE = 0.2  # of the budget, at most, for laying out the master's week


def weekly_handles(model: ProgramModel) -> dict[int, tuple[Any, Any]]:
    """Per class, variables equal to its weekly sets and days in the full model (added once,
    free until `layout` fixes them)."""
    import pulp

    handles = {}
    for i in range(len(model.classes)):
        keys = [key for key in model.sets if key[0] == i]
        if keys:
            sets = model.problem.add_variable(f"week_sets_{i}", lowBound=0)
            days = model.problem.add_variable(f"week_days_{i}", lowBound=0)
            model.problem += pulp.lpSum(model.sets[k] for k in keys) == sets, f"week_sets_{i}"
            model.problem += pulp.lpSum(model.count[k] for k in keys) == days, f"week_days_{i}"
            handles[i] = (sets, days)
    return handles


def layout(model: ProgramModel, handles: dict[int, tuple[Any, Any]], weekly: dict[int, tuple[int, int]],
           budget_s: float, gap: float) -> dict[str, Any]:
    """Solve the full model with each class's weekly sets and days fixed to `weekly`
    ((sets, days) per class; classes not in it get none); the handles are freed after."""
    from workout_pipeline.program.solve import run_solver

    for i, (sets, days) in handles.items():
        s, n = weekly.get(i, (0, 0))
        sets.lowBound = sets.upBound = s
        days.lowBound = days.upBound = n
    try:
        return run_solver(model.problem, budget_s, gap)
    finally:
        for sets, days in handles.values():
            sets.upBound = days.upBound = None
            sets.lowBound = days.lowBound = 0


def solve_week(model: ProgramModel, c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
               day_costs: dict[tuple[int, int], float] | None, keep: Sequence[int], require: Sequence[int],
               one_a_day: Sequence[Sequence[int]], time_limit_s: float, gap: float) -> dict[str, Any]:
    """Master, layout, then (if still needed) the full model warm-started; the `run_solver`
    report of the best program with the best proven bound and the stages' facts."""
    from workout_pipeline.program.solve import run_solver

    started = time.perf_counter()
    stages: dict[str, Any] = {}
    master, S, N = build_week_master(model.classes, c, day_categories, day_costs, keep, require, one_a_day)
    m_run = run_solver(master, MASTER_SHARE * time_limit_s, gap / 3)
    bound = m_run["bound"] if m_run["objective"] is not None else None
    stages["master"] = {"objective": m_run["objective"], "bound": bound, "seconds": round(m_run["seconds"], 3)}
    best, start = None, None
    handles = weekly_handles(model)
    if m_run["objective"] is not None:
        weekly = {i: (round(S[i].varValue or 0), round(N[i].varValue or 0)) for i in S if round(N[i].varValue or 0) > 0}
        left = time_limit_s - (time.perf_counter() - started)
        l_run = layout(model, handles, weekly, max(0.1, min(LAYOUT_SHARE * time_limit_s, left)), gap / 10)
        stages["layout"] = {"objective": l_run["objective"], "seconds": round(l_run["seconds"], 3)}
        if l_run["objective"] is not None:
            best = l_run
            start = {v.name: float(round(v.varValue or 0)) for v in model.problem.variables() if v.cat == "Integer"}
    if m_run["status"] == "infeasible":
        return {"status": "infeasible", "objective": None, "bound": None, "seconds": time.perf_counter() - started, "stages": stages}
    if best is None or bound is None or _gap(best["objective"], bound) > gap:
        left = time_limit_s - (time.perf_counter() - started)
        full = run_solver(model.problem, max(left, 0.2 if best else 1.0), gap, start=start)
        stages["full"] = {"objective": full["objective"], "bound": full["bound"], "seconds": round(full["seconds"], 3)}
        if full["objective"] is None and best is None and full["status"] != "infeasible":
            # no program yet: search on until the first one (a program is always returned, at
            # the cost of running over a small budget)
            first = run_solver(model.problem, FIRST_PROGRAM_S, 1.0, mip_max_improving_sols=1)
            stages["first_program"] = {"objective": first["objective"], "seconds": round(first["seconds"], 3)}
            if first["objective"] is not None:  # then improve it for one more budget
                start = {v.name: float(round(v.varValue or 0)) for v in model.problem.variables() if v.cat == "Integer"}
                more = run_solver(model.problem, time_limit_s, gap, start=start)
                bounds = [b for b in (full["bound"], more["bound"]) if b is not None]
                full = {**(more if more["objective"] is not None and more["objective"] <= first["objective"] else first),
                        "bound": max(bounds) if bounds else None}
        if full["objective"] is not None and (best is None or full["objective"] <= best["objective"] + 1e-9):
            best = full
        elif best is not None:  # the full model did not improve on the layout: restore the layout's values
            layout(model, handles, weekly, 1.0, gap / 10)
        if full["bound"] is not None:
            bound = full["bound"] if bound is None else max(bound, full["bound"])
        if best is None:
            return {**full, "seconds": time.perf_counter() - started, "stages": stages}
    bound = min(bound, best["objective"]) if bound is not None else None
    status = "optimal" if bound is not None and _gap(best["objective"], bound) <= gap else "feasible"
    return {"status": status, "objective": best["objective"], "bound": bound,
            "seconds": time.perf_counter() - started, "stages": stages}


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (objective - bound) / abs(objective)) if objective else 0.0
