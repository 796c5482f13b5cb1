"""Solving the routine objective's MIP in stages: a week-level master, then the days.

The full model (`program/model.py`, built by `program/plan.py`) has one set and one selection
variable per exercise and day. With few training days its LP is weak: fractional selections
let it spread a day's 5-set slots over twice as many exercises, so HiGHS spends seconds
closing the last few percent (3 full-body days: 47 s to 0.5%). The days are nearly
interchangeable, though, so the same week seen per exercise is small and tight:

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

import itertools
import time
from collections.abc import Sequence
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.model import ProgramModel, conflicting_day_pairs

MASTER_SHARE = 0.5  # of the budget, at most, for the master
LAYOUT_SHARE = 0.25  # of the budget, at most, for laying out the master's week


def _open_days(cls: ExerciseClass, day_categories: Sequence[frozenset[str]]) -> list[int]:
    return [d for d, cats in enumerate(day_categories) if cls.category == "core" or cls.category in cats]


def _most_days(days: list[int], conflicts: list[tuple[int, int]]) -> int:
    """The largest subset of `days` with no conflicting pair."""
    for size in range(len(days), 0, -1):
        for chosen in itertools.combinations(days, size):
            picked = set(chosen)
            if not any(a in picked and b in picked for a, b in conflicts):
                return size
    return 0


def build_week_master(classes: list[ExerciseClass], c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                      day_costs: dict[tuple[int, int], float] | None = None, keep: Sequence[int] = (),
                      require: Sequence[int] = ()) -> tuple[Any, dict[int, Any], dict[int, Any]]:
    """The week-level relaxation of `build_model(..., day_categories=...)` (module docstring).

    Returns:
        (PuLP problem, weekly sets S per class, weekly exercise-days N per class).
    """
    import pulp

    n_days = c.training_days
    max_ex = c.max_exercises_per_day
    day_costs = day_costs or {}
    prob = pulp.LpProblem("routine_week_master", pulp.LpMinimize)
    opened = {i: _open_days(cls, day_categories) for i, cls in enumerate(classes)}
    S, N = {}, {}
    for i, cls in enumerate(classes):
        cap = min(cls.size, max_ex) * len(opened[i])
        S[i] = prob.add_variable(f"S_{i}", lowBound=0, upBound=c.max_sets * cap, cat="Integer")
        N[i] = prob.add_variable(f"N_{i}", lowBound=0, upBound=cap, cat="Integer")
        prob += S[i] <= c.max_sets * N[i], f"max_sets_{i}"
        prob += S[i] >= c.min_sets * N[i], f"min_sets_{i}"
    seconds = 60.0 * c.session_minutes if c.session_minutes is not None else None
    for size in range(1, len(DAY_TYPES) + 1):
        for kinds in itertools.combinations(DAY_TYPES, size):
            members = [i for i, cls in enumerate(classes) if cls.category in kinds]
            days_k = sum(1 for cats in day_categories if cats & set(kinds))
            tag = "_".join(kinds)
            if members:
                prob += pulp.lpSum(N[i] for i in members) <= max_ex * days_k, f"max_ex_{tag}"
                if seconds is not None:
                    prob += pulp.lpSum(classes[i].set_seconds * S[i] for i in members) <= seconds * days_k, f"time_{tag}"
            only_k = sum(1 for cats in day_categories if cats <= set(kinds))
            fill = [i for i, cls in enumerate(classes) if cls.category in kinds or cls.category == "core"]
            if only_k:
                prob += pulp.lpSum(N[i] for i in fill) >= c.min_exercises_per_day * only_k, f"min_ex_{tag}"
    prob += pulp.lpSum(N.values()) <= max_ex * n_days, "max_ex_all"
    prob += pulp.lpSum(N.values()) >= c.min_exercises_per_day * n_days, "min_ex_all"
    if seconds is not None:
        prob += pulp.lpSum(cls.set_seconds * S[i] for i, cls in enumerate(classes)) <= seconds * n_days, "time_all"

    targets, hard = c.effective_targets(), c.effective_hard_targets()
    contribution = {m: pulp.lpSum(dict(cls.contributions).get(m, 0.0) * S[i] for i, cls in enumerate(classes))
                    for m in set(targets) | set(hard)}
    under = {m: prob.add_variable(f"under_{m}", lowBound=0) for m in targets}
    over = {m: prob.add_variable(f"over_{m}", lowBound=0) for m in targets}
    half = c.target_tolerance / 2
    band = {m: prob.add_variable(f"band_{m}", lowBound=-half, upBound=half) for m in targets} if half else {}
    for m, target in targets.items():
        prob += contribution[m] + under[m] - over[m] + (band[m] if band else 0) == target, f"target_{m}"
    for m, minimum in hard.items():
        prob += contribution[m] >= minimum, f"hard_target_{m}"

    conflicts = conflicting_day_pairs(c.weekdays, c.rest_between_muscle_sessions_h)
    for m in sorted({m for cls in classes for m in cls.primary}):
        direct = [i for i, cls in enumerate(classes) if m in cls.primary]
        days_m = sorted({d for i in direct for d in opened[i]})
        if c.max_hard_sets_per_muscle_session is not None:
            prob += (pulp.lpSum(S[i] for i in direct) <= c.max_hard_sets_per_muscle_session * _most_days(days_m, conflicts),
                     f"session_cap_{m}")
        if c.min_sessions_per_muscle is not None and m in targets:
            prob += pulp.lpSum(N[i] for i in direct) >= c.min_sessions_per_muscle, f"sessions_{m}"

    missing = {}
    for i in keep:
        missing[i] = prob.add_variable(f"staple_missing_{i}", lowBound=0, upBound=1)
        prob += N[i] + missing[i] >= 1, f"keep_{i}"
    for i in require:
        prob += N[i] >= 1, f"require_{i}"
    cheapest = {i: min(day_costs.get((i, d), 0.0) for d in opened[i]) for i in S if opened[i]}
    prob += (
        c.under_penalty * pulp.lpSum(under.values())
        + c.over_penalty * pulp.lpSum(over.values())
        + c.set_cost * pulp.lpSum(S.values())
        + pulp.lpSum((cls.selection_cost + cheapest.get(i, 0.0)) * N[i] for i, cls in enumerate(classes))
        + c.staple_miss_penalty * pulp.lpSum(missing.values())
    ), "objective"
    return prob, S, N


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
               time_limit_s: float, gap: float) -> dict[str, Any]:
    """Master, layout, then (if still needed) the full model warm-started; the `run_solver`
    report of the best program with the best proven bound and the stages' facts."""
    from workout_pipeline.program.solve import run_solver

    started = time.perf_counter()
    stages: dict[str, Any] = {}
    master, S, N = build_week_master(model.classes, c, day_categories, day_costs, keep, require)
    m_run = run_solver(master, MASTER_SHARE * time_limit_s, gap / 10)
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
