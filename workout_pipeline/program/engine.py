"""HiGHS through PuLP (`run_solver`), and the vocabulary of the seed objective's staged solve:
a `Budget` each stage runs within, the `Week` a master decides and the `Candidate` a stage returns.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EPS = 1e-6


class Infeasible(Exception):
    """A stage proved that no program satisfies the constraints."""


class Budget:
    """A time limit that started when the object was made.

    `left()` is what remains of it, `share(f)` the fraction f of the whole limit, `until(f)` the
    time left before the fraction f of the limit has passed, and `sub(s)` a new budget of s
    seconds starting now (a stage's own).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return self.seconds - self.elapsed()

    def share(self, fraction: float) -> float:
        return fraction * self.seconds

    def until(self, fraction: float) -> float:
        return fraction * self.seconds - self.elapsed()

    def sub(self, seconds: float) -> "Budget":
        return Budget(seconds)


@dataclass(frozen=True)
class Week:
    """What a week-level master decides: weekly sets per class index, days of each type."""

    sets: dict[int, int]
    type_days: dict[str, int]


@dataclass
class Candidate:
    """What a stage returns.

    Attributes:
        stage: The stage's name (its key in the report's `stages`).
        week: The week a master chose (None for a stage that lays out programs).
        objective: The objective of that week in the stage's model, or of the program.
        bound: A lower bound the stage proved for every program (None: it proves none).
        program: A laid-out program (a model holding a feasible solution of the full model).
    """

    stage: str
    week: Week | None = None
    objective: float | None = None
    bound: float | None = None
    program: Any = None  # ProgramModel


def gap_of(objective: float, bound: float | None) -> float:
    """(objective - bound) / objective, 1.0 without a bound."""
    if bound is None or bound == float("-inf"):
        return 1.0
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _stop_near(bound: float, gap: float) -> Any:
    """A HiGHS callback that interrupts the MIP once its best program is within `gap` of
    `bound`, a lower bound proven elsewhere (HiGHS only knows its own)."""

    def callback(kind: Any, message: str, data_out: Any, data_in: Any, user_data: Any) -> None:
        best = data_out.mip_primal_bound
        if abs(best) < float("inf") and best - bound <= gap * max(abs(best), 1e-9):
            data_in.user_interrupt = True

    return callback


def _pass_model(lp: Any, mip: bool) -> None:
    """Give HiGHS the PuLP problem `lp` in three bulk calls: the same columns, rows and
    integrality, in the same order, as PuLP's `HiGHS.buildSolverModel`, which adds them one call
    each (about 15 ms a solve on a lifter's full model of 635 columns and 714 rows, five or more
    solves a week)."""
    import highspy
    import numpy as np
    import pulp

    inf = highspy.kHighsInf
    variables = lp.variables()
    n = len(variables)
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    cost = np.fromiter((sign * lp.objective.get(var, 0.0) for var in variables), float, n)
    lower = np.fromiter((-inf if var.lowBound is None else var.lowBound for var in variables), float, n)
    upper = np.fromiter((inf if var.upBound is None else var.upBound for var in variables), float, n)
    for i, var in enumerate(variables):
        var.index = i
    if n:
        lp.solverModel.addCols(n, cost, lower, upper, 0, np.zeros(n, np.int32), np.zeros(0, np.int32), np.zeros(0))
    integers = np.array([var.index for var in variables if var.cat == pulp.LpInteger], np.int32) if mip else np.zeros(0, np.int32)
    if len(integers):
        lp.solverModel.changeColsIntegrality(len(integers), integers, np.full(len(integers), highspy.HighsVarType.kInteger.value, np.uint8))
    starts, indices, values, row_lower, row_upper = [], [], [], [], []
    for i, constraint in enumerate(lp._constraints.values()):
        starts.append(len(indices))
        for var, coefficient in constraint.items():
            if coefficient != 0:
                indices.append(var.index)
                values.append(coefficient)
        constraint.index = i
        lb, ub = constraint.getLb(), constraint.getUb()
        row_lower.append(-inf if lb is None else lb)
        row_upper.append(inf if ub is None else ub)
    if starts:
        lp.solverModel.addRows(len(starts), np.array(row_lower, float), np.array(row_upper, float), len(indices),
                               np.array(starts, np.int32), np.array(indices, np.int32), np.array(values, float))


def _highs(time_limit_s: float, gap: float, start: Mapping[Any, float] | None = None,
           stop_at_bound: float | None = None, **options: Any) -> Any:
    """A PuLP HiGHS solver; with `start`, the MIP search begins from that (partial) solution;
    with `stop_at_bound` (a proven lower bound), it stops once within `gap` of it."""
    import pulp

    if stop_at_bound is not None:
        import highspy

        options["callbackTuple"] = (_stop_near(stop_at_bound, gap), None)
        options["callbacksToActivate"] = [highspy.cb.HighsCallbackType.kCallbackMipInterrupt]

    class _WarmHiGHS(pulp.HiGHS):
        def buildSolverModel(self, lp: Any) -> None:
            _pass_model(lp, self.mip)

        def callSolver(self, lp: Any) -> None:
            if start:
                import numpy as np

                # keys are the problem's variables themselves, or (older callers) their names
                by_id = {id(key): value for key, value in start.items() if not isinstance(key, str)}
                by_name = {key: value for key, value in start.items() if isinstance(key, str)}
                known = []
                for var in lp.variables():
                    value = by_id.get(id(var), by_name.get(var.name))
                    if value is not None:
                        known.append((var.index, float(value)))
                if known:
                    index, value = zip(*known)
                    # a partial solution (the integers); HiGHS completes the continuous rest
                    lp.solverModel.setSolution(len(known), np.array(index, dtype=np.int32), np.array(value))
            lp.solverModel.run()

    return _WarmHiGHS(msg=False, timeLimit=max(time_limit_s, 0.05), gapRel=gap, threads=1, **options)


def run_solver(problem: Any, time_limit_s: float, gap: float, start: Mapping[Any, float] | None = None,
               stop_at_bound: float | None = None, **options: Any) -> dict[str, Any]:
    """Solve a PuLP problem with HiGHS and report what was really proven.

    `start` maps variables of `problem` (or their names) to start values. `stop_at_bound`, a
    lower bound proven elsewhere, stops the search once a program is within `gap` of it (the
    bound reported stays HiGHS's own). `options` are passed to HiGHS as they are (e.g.
    mip_max_improving_sols=1 stops at the first solution).

    Returns:
        dict with `status` (optimal | feasible | infeasible | unknown), `objective` (None
        without a solution), `bound` (HiGHS's proven lower bound) and `seconds`.
    """
    import highspy
    import pulp

    started = time.perf_counter()
    try:
        problem.solve(_highs(time_limit_s, gap, start, stop_at_bound, **options))
        has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    except KeyError:
        # PuLP 3.3 has no mapping for HiGHS's solution-limit stop; the values are already read
        if problem.solverModel.getModelStatus() != highspy.HighsModelStatus.kSolutionLimit:
            raise
        problem.sol_status = pulp.LpSolutionIntegerFeasible
        has_solution = problem.solverModel.getInfo().primal_solution_status == 2
    seconds = time.perf_counter() - started
    model_status = problem.solverModel.getModelStatus()
    if model_status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return {"status": "infeasible", "objective": None, "bound": None, "seconds": seconds}
    if not has_solution:
        bound = problem.solverModel.getInfo().mip_dual_bound if problem.isMIP() else None
        bound = None if bound is None or abs(bound) == float("inf") else bound
        return {"status": "unknown", "objective": None, "bound": bound, "seconds": seconds}
    objective = pulp.value(problem.objective) or 0.0
    info = problem.solverModel.getInfo()
    bound = info.mip_dual_bound if problem.isMIP() else objective
    if bound is None or abs(bound) == float("inf"):
        bound = None
    status = "optimal" if problem.sol_status == pulp.LpSolutionOptimal else "feasible"
    return {"status": status, "objective": objective, "bound": bound, "seconds": seconds}


@dataclass(frozen=True)
class Shares:
    """Every budget share of the seed objective's staged solve, in one place: fractions of the
    time limit unless named `_s` (seconds) or said otherwise. `program/compose.py` applies them."""

    lattice: float = 0.70  # the exact-hit weeks, level by level (at least lattice_min_s)
    lattice_min_s: float = 0.3
    lattice_fine: float = 0.90  # ... until this much, with weights below one half (the masters find no week there)
    lattice_next_level: float = 0.35  # of the lattice budget, per level after one that had a week
    lattice_small_s: float = 1.5  # under this lattice budget only the first level with a week is taken
    listing_of_left: float = 0.5  # a level's patterns are listed when that takes at most this much of the lattice time left
    whole_set_if_left: float = 0.35  # the whole-set week (`stages.whole_set_stage`) runs with this much left ...
    whole_set: float = 0.25  # ... for this share (at most whole_set_max_s): the masters keep the rest
    whole_set_max_s: float = 1.0
    whole_set_first: float = 0.35  # ... this share when it runs first (weights below one half): its program is the levels' cutoff
    probe_if_left: float = 0.20  # the exact probe runs when at least this much is left
    probe: float = 0.10
    stop_if_left: float = 0.10  # after the lattice, with a program in hand: stop with less left
    heuristic_if_left: float = 0.50  # with a program in hand, the heuristic week needs this much left
    heuristic: float = 0.35  # at least min(heuristic_floor_s, heuristic_cap), at most half the time left
    heuristic_floor_s: float = 2.0
    heuristic_of_left: float = 0.5  # ... of the time left (at least heuristic_min_s)
    heuristic_min_s: float = 0.3
    heuristic_cap: float = 0.60
    heuristic_relaxed: float = 1 / 3  # of the heuristic's budget: the one-set-minimum master
    heuristic_exact: float = 0.5  # of what is then left: the restricted master with no slack
    split_if_left: float = 0.50  # the exact and miss masters, with this much left ...
    split_min_s: float = 3.0  # ... and a limit of at least this
    exact_master: float = 0.35
    miss_master: float = 0.20
    miss_reserve: float = 0.15  # the miss master leaves this much
    master_until: float = 0.70  # the master runs until this much of the limit has passed
    master_until_late: float = 0.90  # ... or this, with a program in hand and under heuristic_if_left left
    day_model: float = 0.30  # of the time left, per day-level model (at least day_model_min_s)
    day_model_min_s: float = 1.0
    full_min_left_s: float = 0.1  # the full model runs when a gap remains and this much is left
    rescue_min_s: float = 10.0  # no program at all: the feasibility search gets at least this
    polish: float = 0.20  # then the full model from its program (at least polish_min_s, or the time left)
    polish_min_s: float = 0.5
    min_stage_s: float = 0.1  # the least a master runs
    full_min_s: float = 0.2  # the least the full model runs


SHARES = Shares()
