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
    day costs at their cheapest open day, also seen through the trained days t[m,d] of the
    48 h rule and the lifter's free days (w, x of the full model there), and the days of each set
    of categories holding the other classes' lifts put there; smoothness from the
    whole-set floor and from what the days of each set of categories must hold

Every row is a sum of the full model's day rows, so the master is a relaxation: its proven
bound (HiGHS's dual bound) is a lower bound for the full model (docs/program.md lists the
rows). The stages (`solve_week`): the lifter's own week (`template_week`), with two days and
no staples the day patterns' bound and a week of their lifts (`program/day_patterns.py`), the
master (or a quick week from its LP, `master_heuristic`, when its search ends far from its
bound), its week laid out over the days (`layout`; with the days alone when its sets do not
split into them), the master's exercises alone (and the lifter's session lifts), the full
model; each is warm-started from the best program so far and stopped once that program is within the gap of
the best proven bound, and the reported bound is the largest proven one.
"""

import time
from collections.abc import Sequence
from typing import Any

from workout_pipeline.program import day_patterns
from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.master import build_week_master
from workout_pipeline.program.milp import ProgramModel

PATTERNS_SHARE = 0.3  # of the budget, at most, for the day patterns' bound (few days) ...
LIFTS_SHARE = 0.2  # ... and for a week of their lifts (when their bound is short of the week's, all of it is lost)
MASTER_SHARE = 0.65  # of the budget, at most, for the master (its week and bound are most of the answer; 0.5 left
# the 2-day week without history, whose master needs about 0.5 s on the 2 shared cores, unproven at 1 s in 2 runs of 3)
RESTRICTED_SHARE = 0.25  # of the budget, at most, for the master's exercises alone ...
RESTRICTED_IF_FAR = 2.0  # ... when the master finished, or the best program costs more than this times its week
FIRST_PROGRAM_S = 30.0  # the most spent looking for a first program when the budget found none
LAYOUT_SHARE = 0.2  # of the budget, at most, for laying out the master's week
HEURISTIC_SHARE = 0.25  # of the budget, at most, for a quick master week (`master_heuristic`) ...
HEURISTIC_IF_GAP = 0.5  # ... when the master's own week is more than twice its bound (or it has none)
TEMPLATE_SHARE = 0.1  # of the budget, at most, for the lifter's own week as it is ...
TEMPLATE_MAX_S = 0.1  # ... and never more than this (a warm start: at the CLI's 10 s it took up to 0.5 s)
# HiGHS's sub-MIP heuristics (RINS, RENS) took most of the master's root time on the hard weeks,
# and its restarts after the root (presolve and cuts again) a fifth of it (docs/program.md); the
# master with its days (0.60x its time on the 39 development and holdout weeks that run it) and
# the full model, whole or restricted (`_Best.improve`; the 29 hardest holdout weeks' solves took
# 0.75x as long), run with the same options
HIGHS_OPTIONS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False, "mip_allow_restart": False}


def weekly_handles(model: ProgramModel) -> dict[int, tuple[Any, Any]]:
    """Per class, variables equal to its weekly sets and days in the full model (added once,
    free until `layout` fixes them)."""
    import pulp

    handles = {}
    by_class: dict[int, list[tuple[int, int]]] = {}
    for key in model.sets:
        by_class.setdefault(key[0], []).append(key)
    for i in range(len(model.classes)):
        keys = by_class.get(i, [])
        if keys:
            sets = model.problem.add_variable(f"week_sets_{i}", lowBound=0)
            days = model.problem.add_variable(f"week_days_{i}", lowBound=0)
            model.problem += pulp.lpSum(model.sets[k] for k in keys) == sets, f"week_sets_{i}"
            model.problem += pulp.lpSum(model.count[k] for k in keys) == days, f"week_days_{i}"
            handles[i] = (sets, days)
    return handles


def layout(model: ProgramModel, handles: dict[int, tuple[Any, Any]], weekly: dict[int, tuple[int, int]],
           budget_s: float, gap: float, rest_days: set[str] = frozenset(), fix_sets: bool = True) -> dict[str, Any]:
    """Solve the full model with each class's weekly sets and days fixed to `weekly`
    ((sets, days) per class; classes not in it get none; with `fix_sets` False only the days,
    the sets left to HiGHS) and no direct work for the muscles and days named in `rest_days`
    (the full model's `trained_{m}_{d}` binaries); all freed after."""
    from workout_pipeline.program.solve import run_solver

    for i, (sets, days) in handles.items():
        s, n = weekly.get(i, (0, 0))
        if fix_sets:
            sets.lowBound = sets.upBound = s
        days.lowBound = days.upBound = n
    resting = [var for var in model.problem.variables() if var.name in rest_days]
    for var in resting:
        var.upBound = 0
    try:
        return run_solver(model.problem, budget_s, gap)
    finally:
        for sets, days in handles.values():
            sets.upBound = days.upBound = None
            sets.lowBound = days.lowBound = 0
        for var in resting:
            var.upBound = 1


def master_heuristic(master: Any, S: dict[int, Any], N: dict[int, Any], budget_s: float, gap: float) -> dict[str, Any]:
    """A quick week of the master: its LP, then the master MIP over only the classes that LP
    uses (a far smaller search). Returns the restricted run (its bound holds for the
    restriction only: never a bound of the full model); its week is left in the master's
    variables (garbage when the run found none)."""
    from workout_pipeline.program.solve import run_solver

    started = time.perf_counter()
    integers = [v for v in master.variables() if v.cat == "Integer"]
    for var in integers:
        var.cat = "Continuous"
    try:
        lp = run_solver(master, budget_s, 0.0)
    finally:
        for var in integers:
            var.cat = "Integer"
    if lp["objective"] is None:
        return {**lp, "seconds": time.perf_counter() - started}
    closed = [(N[i], N[i].upBound) for i in N if (N[i].varValue or 0) <= 1e-6 and (S[i].varValue or 0) <= 1e-6]
    for var, _ in closed:
        var.upBound = 0
    try:
        run = run_solver(master, max(0.05, budget_s - (time.perf_counter() - started)), gap)
    finally:
        for var, up in closed:
            var.upBound = up
    return {**run, "seconds": time.perf_counter() - started}


def template_week(model: ProgramModel, day_lifts: Sequence[Sequence[int]], max_ex: int, budget_s: float) -> dict[str, Any]:
    """The lifter's own sessions: each day holds only lifts of its template (those the model
    has), which ones and how many sets left to HiGHS; first with every template lift kept (up
    to the day's most exercises), then with any dropped. A constructive program in hundredths
    of a second when the rules allow it ('infeasible' when they do not)."""
    from workout_pipeline.program.solve import run_solver

    saved = [(var, var.lowBound, var.upBound) for var in model.count.values()]
    own = {(i, d) for d in model.days for i in [i for i in day_lifts[d] if (i, d) in model.count][:max_ex]}
    for key, var in model.count.items():
        if key not in own:
            var.upBound = 0
    try:
        for key in own:
            model.count[key].lowBound = 1
        run = run_solver(model.problem, budget_s / 2, 0.01)
        if run["objective"] is None:
            for key in own:
                model.count[key].lowBound = 0
            run = run_solver(model.problem, budget_s / 2, 0.01)
        return run
    finally:
        for var, low, up in saved:
            var.lowBound, var.upBound = low, up


def solve_week(model: ProgramModel, c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
               day_costs: dict[tuple[int, int], float] | None, keep: Sequence[int], require: Sequence[int],
               one_a_day: Sequence[Sequence[int]], time_limit_s: float, gap: float,
               day_lifts: Sequence[Sequence[int]] = ()) -> dict[str, Any]:
    """The lifter's own week (`template_week`, when `day_lifts` has their sessions), with few
    days and no staples the day patterns' bound and a week of their lifts (`day_patterns.bound_stage`), the master
    (or, when its search ends far from its bound, a week from its LP: `master_heuristic`), its
    layout, the master's exercises alone, then (if still needed) the full model, each
    warm-started from the best program so far and stopped as soon as the best program is within
    `gap` of the best proven bound; returns the `run_solver` report of the best program with
    that bound and the stages' facts."""
    from workout_pipeline.program.solve import run_solver

    started = time.perf_counter()
    left = lambda: time_limit_s - (time.perf_counter() - started)  # noqa: E731
    stages: dict[str, Any] = {}
    best = _Best(model, None)
    master_start = None
    if any(day_lifts):
        t_run = template_week(model, day_lifts, c.max_exercises_per_day, max(0.05, min(TEMPLATE_SHARE * time_limit_s, TEMPLATE_MAX_S)))
        stages["template"] = {"objective": t_run["objective"], "seconds": round(t_run["seconds"], 3)}
        best.offer(t_run)
        if t_run["objective"] is not None:
            master_start = _master_start(model)
    if day_patterns.pays(c, keep):
        # few days, no staples: a bound from each day's feasible patterns, then a week of the lifts they use
        p_run = day_patterns.bound_stage(model, c, day_categories, day_costs, keep, require, one_a_day, PATTERNS_SHARE * time_limit_s)
        stages["day_patterns"] = {"bound": p_run["bound"], "seconds": round(p_run["seconds"], 3)}
        best.offer({**p_run, "proves_full": True})
        if p_run.get("classes") and not best.closed(gap):
            l_run = best.improve(run_solver, min(LIFTS_SHARE * time_limit_s, left()), gap, only=p_run["classes"])
            stages["pattern_lifts"] = {"objective": l_run["objective"], "seconds": round(l_run["seconds"], 3)}
        if best.closed(gap):
            return best.report(gap, started, stages)
    master, S, N = build_week_master(model.classes, c, day_categories, day_costs, keep, require, one_a_day)
    m_run = run_solver(master, MASTER_SHARE * time_limit_s, gap / 3, start=master_start, **HIGHS_OPTIONS)
    stages["master"] = {"objective": m_run["objective"], "bound": m_run["bound"], "seconds": round(m_run["seconds"], 3)}
    if m_run["status"] == "infeasible":
        return {"status": "infeasible", "objective": None, "bound": None, "seconds": time.perf_counter() - started, "stages": stages}
    best.offer({**m_run, "objective": None, "proves_full": True})  # its bound only
    if m_run["status"] != "optimal" and (m_run["objective"] is None or _gap(m_run["objective"], m_run["bound"] or 0.0) > HEURISTIC_IF_GAP):
        # the master's search ended with no week or far from its bound (e.g. on the lifter's own
        # week as it was given): a week from its LP instead, laid out below when it is better
        values = {v.name: v.varValue for v in master.variables()}
        h_run = master_heuristic(master, S, N, max(0.05, min(HEURISTIC_SHARE * time_limit_s, left())), gap / 3)
        stages["master_heuristic"] = {"objective": h_run["objective"], "seconds": round(h_run["seconds"], 3)}
        if h_run["objective"] is not None and (m_run["objective"] is None or h_run["objective"] < m_run["objective"]):
            m_run = {**m_run, "objective": h_run["objective"]}
        else:
            for v in master.variables():
                v.varValue = values[v.name]
    handles = weekly_handles(model)
    if m_run["objective"] is not None and not best.closed(gap):
        weekly = _lay_out(model, handles, master, S, N, max(0.1, min(LAYOUT_SHARE * time_limit_s, left())), gap, best, stages, "layout")
        if not best.closed(gap) and left() > 0.1 and (m_run["status"] == "optimal" or best.run is None
                                                      or best.run["objective"] > RESTRICTED_IF_FAR * m_run["objective"]):
            # the master's exercises and the lifter's session lifts (a master week that does not
            # lay out may use another of them: ferreiragabrielw-hevy 1.6 -> 0.6 s), free sets and
            # days: a small model, often the optimum (when the master's week is its optimum or no
            # program is in hand: an unfinished master's week is often the warm start it was
            # given, and the full model needs the time)
            only = set(weekly) | {i for lifts in day_lifts for i in lifts}
            r_run = best.improve(run_solver, min(RESTRICTED_SHARE * time_limit_s, left()), gap, only=only)
            stages["restricted"] = {"objective": r_run["objective"], "bound": r_run["bound"], "seconds": round(r_run["seconds"], 3)}
    if not best.closed(gap) and (best.run is None or left() > 0.05):
        full = best.improve(run_solver, max(left(), 0.05 if best.run else 1.0), gap)
        stages["full"] = {"objective": full["objective"], "bound": full["bound"], "seconds": round(full["seconds"], 3)}
        if best.run is None and full["status"] != "infeasible":
            # no program yet: search on until the first one (a program is always returned, at
            # the cost of running over a small budget), then improve it for one more budget
            first = run_solver(model.problem, FIRST_PROGRAM_S, 1.0, mip_max_improving_sols=1)
            stages["first_program"] = {"objective": first["objective"], "seconds": round(first["seconds"], 3)}
            best.offer(first)
            if best.run is not None:
                best.improve(run_solver, time_limit_s, gap)
        if best.run is None:
            return {**full, "seconds": time.perf_counter() - started, "stages": stages}
    return best.report(gap, started, stages)


def _lay_out(model: ProgramModel, handles: dict[int, tuple[Any, Any]], master: Any, S: dict[int, Any], N: dict[int, Any],
             budget_s: float, gap: float, best: "_Best", stages: dict[str, Any], name: str) -> dict[int, tuple[int, int]]:
    """Lay out a master's week (`layout`), its muscles resting where its trained days rested
    them (48 h rule; without that when it fails); offer the program to `best`. Returns the week."""
    weekly = {i: (round(S[i].varValue or 0), round(N[i].varValue or 0)) for i in S if round(N[i].varValue or 0) > 0}
    rest_days = {v.name for v in master.variables() if v.name.startswith("trained_") and round(v.varValue or 0) == 0}
    run = layout(model, handles, weekly, budget_s, gap / 10, rest_days)
    if run["objective"] is None and rest_days:
        run = layout(model, handles, weekly, budget_s, gap / 10)
    if run["objective"] is None:
        # each lift's weekly sets do not split into its days (no-history 2-day week with the
        # starter staples: the master's 205.38 does not lay out, its days with free sets give
        # the optimum 205.40 in 0.2 s, where the master's exercises alone took 0.6 s)
        run = layout(model, handles, weekly, budget_s, gap / 10, fix_sets=False)
    stages[name] = {"objective": run["objective"], "seconds": round(run["seconds"], 3)}
    best.offer(run)
    return weekly


def _master_start(model: ProgramModel) -> dict[str, float]:
    """The full model's current program as a master's warm start: each class's weekly sets
    `S_i` and exercise-days `N_i`."""
    start = {f"S_{i}": 0.0 for i in range(len(model.classes))} | {f"N_{i}": 0.0 for i in range(len(model.classes))}
    for (i, d), var in model.sets.items():
        start[f"S_{i}"] += round(var.varValue or 0)
        start[f"N_{i}"] += round(model.count[i, d].varValue or 0)
    return start


class _Best:
    """The best program found so far (its integer values, to warm-start and restore) and the
    best proven lower bound of the full model."""

    def __init__(self, model: ProgramModel, bound: float | None):
        self.model, self.bound = model, bound
        self.run: dict[str, Any] | None = None
        self.values: dict[str, float] = {}
        self.integers = [v for v in model.problem.variables() if v.cat == "Integer"]

    def offer(self, run: dict[str, Any]) -> None:
        """Keep `run`'s program (the model's current values) if it is the best so far."""
        if run.get("bound") is not None and run.get("status") != "infeasible" and run.get("proves_full", False):
            self.bound = run["bound"] if self.bound is None else max(self.bound, run["bound"])
        if run["objective"] is not None and (self.run is None or run["objective"] < self.run["objective"] - 1e-9):
            self.run = run
            self.values = {v.name: float(round(v.varValue or 0)) for v in self.integers}

    def closed(self, gap: float) -> bool:
        return self.run is not None and self.bound is not None and _gap(self.run["objective"], self.bound) <= gap

    def improve(self, run_solver: Any, budget_s: float, gap: float, only: set[int] | None = None) -> dict[str, Any]:
        """The full model (only the classes in `only`, when given) warm-started from the best
        program and stopped as soon as its program is within `gap` of the best proven bound
        (a HiGHS callback: a row `objective >= bound` instead flattened the LP's objective and
        left HiGHS's heuristics without a direction, measured slower)."""
        problem = self.model.problem
        closed = [(var, var.upBound) for (i, _), var in self.model.count.items() if only is not None and i not in only]
        for var, _ in closed:
            var.upBound = 0
        try:
            run = run_solver(problem, budget_s, gap, start=self.values or None, stop_at_bound=self.bound, **HIGHS_OPTIONS)
        finally:
            for var, up in closed:
                var.upBound = up
        self.offer({**run, "proves_full": only is None})
        return run

    def report(self, gap: float, started: float, stages: dict[str, Any]) -> dict[str, Any]:
        """`solve_week`'s answer: the best program (restored into the model) and the best bound."""
        self.restore()
        bound = min(self.bound, self.run["objective"]) if self.bound is not None else None
        return {"status": "optimal" if self.closed(gap) else "feasible", "objective": self.run["objective"], "bound": bound,
                "seconds": time.perf_counter() - started, "stages": stages}

    def restore(self) -> None:
        """Put the best program's values back into the model's variables (later solves
        overwrote them)."""
        for var in self.integers:
            if var.name in self.values:
                var.varValue = self.values[var.name]


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (objective - bound) / abs(objective)) if objective else 0.0
