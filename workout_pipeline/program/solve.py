# Over 400 lines: the seed objective's staged solve (lattice, heuristic weeks, master, day models, full model) in one place; splitting it into stage functions is issue 14's open part.
"""Solving the weekly program: the naive seed model, or the fast exact formulation.

Fast formulation (same optimum as the naive one, see docs/program.md):

1. Aggregate interchangeable exercises into classes and drop dominated classes.
2. Lattice bound (`workout_pipeline.program.lattice`): a valid lower bound from the congruences
   every exact-hit program satisfies. Heuristic weeks: the master (below) with one-set minimums
   is nearly as easy as its LP; the classes it uses plus single-muscle classes form a small
   master solved for real, first with every target to be met exactly (no slack).
3. Week-level master: weekly sets and exercises per class, the muscle targets and every
   weekly consequence of the day rules. It is a relaxation of the full model, so its bound is a
   valid lower bound.
4. Day-level model: each candidate week's sets per class spread over days and day types (a
   small model over the few classes in use). Its solution is a feasible program: an upper bound.
5. If the gap between them is still above the target, the full aggregated model (symmetry broken
   where days are interchangeable) is solved warm-started from that program, in the time left.
The reported gap is (best program - best lower bound) / best program; the bound is the larger of
HiGHS's own bounds and the lattice bound.
"""

import time
from dataclasses import replace
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.lattice import (
    ResidueLattice,
    bound_for_extra,
    extra_set_patterns,
    fewest_extra_sets,
    residue_lattice,
)
from workout_pipeline.program.master import build_master
from workout_pipeline.program.milp import ProgramModel, build_model, build_naive_model, conflicting_day_pairs, evaluate_objective

_EPS = 1e-6


def _highs(time_limit_s: float, gap: float, start: dict[Any, float] | None = None, **options: Any) -> Any:
    """A PuLP HiGHS solver; with `start`, the MIP search begins from that solution."""
    import pulp

    class _WarmHiGHS(pulp.HiGHS):
        def callSolver(self, lp: Any) -> None:
            if start:
                import highspy

                import numpy as np

                # a partial solution (the integers); HiGHS completes the continuous rest
                known = [(var.index, float(start[var.name])) for var in lp.variables() if var.name in start]
                if known:
                    index, value = zip(*known)
                    lp.solverModel.setSolution(len(known), np.array(index, dtype=np.int32), np.array(value))
            lp.solverModel.run()

    return _WarmHiGHS(msg=False, timeLimit=max(time_limit_s, 0.05), gapRel=gap, threads=1, **options)


def run_solver(problem: Any, time_limit_s: float, gap: float, start: dict[str, float] | None = None, **options: Any) -> dict[str, Any]:
    """Solve a PuLP problem with HiGHS and report what was really proven.

    `options` are passed to HiGHS as they are (e.g. mip_max_improving_sols=1 stops at the
    first solution).

    Returns:
        dict with `status` (optimal | feasible | infeasible | unknown), `objective` (None
        without a solution), `bound` (HiGHS's proven lower bound) and `seconds`.
    """
    import highspy
    import pulp

    started = time.perf_counter()
    try:
        problem.solve(_highs(time_limit_s, gap, start, **options))
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


def _heuristic_week(classes: list[ExerciseClass], constraints: ProgramConstraints, budget_s: float,
                    stages: dict[str, Any], exact_first: bool = False) -> tuple[dict[int, int], dict[str, int], dict[str, float]] | None:
    """Weekly sets per class, day-type counts and master start values from a restricted master
    (a heuristic: no bound is taken from it).

    The master with one-set minimums is nearly as easy as its LP. The classes it uses, plus the
    single-muscle classes and a few large spares per category, form a small master solved for real
    (with `exact_first`, first with every target to be met exactly, then with the slacks).
    """
    import dataclasses

    started = time.perf_counter()
    easy, easy_sets, _, _ = build_master(classes, dataclasses.replace(constraints, min_sets=1))
    easy_run = run_solver(easy, budget_s / 3, 0.01)
    stages["heuristic_relaxed"] = easy_run
    if easy_run["objective"] is None:
        return None
    support = {i for i, var in easy_sets.items() if (var.varValue or 0) > 0.5}
    single = {i for i, cls in enumerate(classes) if len(cls.contributions) == 1 and cls.contributions[0][1] == 1.0}
    members = _with_spares(classes, sorted(support | single))
    small_run: dict[str, Any] = {"objective": None}
    if exact_first:
        # weeks that meet every target exactly: on large catalogs found far sooner, and better
        small, small_sets, small_counts, small_types = build_master([classes[i] for i in members], constraints)
        for var in small.variables():
            if var.name.startswith(("under_", "over_")):
                var.upBound = 0
        small_run = run_solver(small, max(0.5 * (budget_s - (time.perf_counter() - started)), 0.3), 0.01)
        stages["heuristic_restricted_exact"] = small_run
    if small_run["objective"] is None:
        small, small_sets, small_counts, small_types = build_master([classes[i] for i in members], constraints)
        small_run = run_solver(small, max(budget_s - (time.perf_counter() - started), 0.5), 0.01)
        stages["heuristic_restricted"] = small_run
    if small_run["objective"] is None:
        return None
    chosen = {i: 0 for i in range(len(classes))}
    chosen.update({i: round(small_sets[j].varValue or 0) for j, i in enumerate(members)})
    counts = {k: round(var.varValue or 0) for k, var in small_types.items()}
    # the same week as a start for the full master (same variable names, by class index)
    start = {f"S_{i}": float(chosen[i]) for i in range(len(classes))}
    start.update({f"N_{i}": 0.0 for i in range(len(classes))})
    start.update({f"N_{i}": float(round(small_counts[j].varValue or 0)) for j, i in enumerate(members)})
    start.update({var.name: float(round(var.varValue or 0)) for var in small_types.values()})
    start.update({var.name: float(round(var.varValue or 0)) for var in small.variables()
                  if var.name.startswith("total_")})
    return chosen, counts, start


def _with_spares(classes: list[ExerciseClass], used: list[int], per_category: int = 3) -> list[int]:
    """`used` plus, per category, the largest classes: spare exercises to fill a day with."""
    chosen = set(used)
    for category in DAY_TYPES + ("core",):
        members = [i for i, cls in enumerate(classes) if cls.category == category and i not in chosen]
        members.sort(key=lambda i: (-classes[i].size, classes[i].set_seconds, classes[i].selection_cost, i))
        chosen.update(members[:per_category])
    return sorted(chosen)


def arrange_day_types(counts: dict[str, int], constraints: ProgramConstraints) -> list[str]:
    """Lay out day types over the training weekdays, fewest same-type days within the rest window.

    Ties go to the first arrangement found (types in push, pull, legs order).
    """
    import itertools

    n_days = constraints.training_days
    rest_h = constraints.rest_between_muscle_sessions_h or 48.0
    close = conflicting_day_pairs(constraints.weekdays, rest_h)
    pool = [k for k in DAY_TYPES for _ in range(counts[k])]
    best, best_score = pool, None
    for order in sorted(set(itertools.permutations(pool)), key=lambda o: [DAY_TYPES.index(k) for k in o]):
        score = sum(order[a] == order[b] for a, b in close)
        if best_score is None or score < best_score:
            best, best_score = list(order), score
        if best_score == 0 and len(best) == n_days:
            break
    return best


def symmetric_groups(constraints: ProgramConstraints) -> list[list[int]]:
    """Days that are interchangeable: all of them when no 48 h rule links particular weekdays."""
    if conflicting_day_pairs(constraints.weekdays, constraints.rest_between_muscle_sessions_h):
        return []
    return [list(range(constraints.training_days))]


def solve_fast(classes: list[ExerciseClass], constraints: ProgramConstraints, time_limit_s: float, gap: float) -> tuple[ProgramModel | None, dict[str, Any]]:
    """Decomposed exact solve over exercise classes (module docstring).

    Returns:
        (model holding the best program or None, report dict with status, objective, bound,
        gap, seconds, stages).
    """
    import pulp

    started = time.perf_counter()
    stages: dict[str, Any] = {}
    groups = symmetric_groups(constraints)

    def remaining() -> float:
        return time_limit_s - (time.perf_counter() - started)

    # the lattice bound: valid for every program, far above the LP bound when targets can be hit
    shortest = fewest_extra_sets(classes, constraints)
    lattice = bound_for_extra(classes, constraints, *shortest) if shortest is not None else None
    stages["lattice_bound"] = lattice
    lower = lattice if lattice is not None else float("-inf")
    best_model: ProgramModel | None = None
    best_run: dict[str, Any] | None = None

    def finished() -> bool:
        return best_run is not None and _gap(best_run["objective"], lower) <= gap

    residues = residue_lattice(classes, constraints) if shortest is not None else None
    cut_level, lattice_start, exact_possible = (shortest[0] if shortest is not None else 0), None, True
    if residues is not None and shortest is not None:
        # the best exact-hit weeks, level by level of extra sets (each level's patterns at once)
        weeks_found, level_bounds, next_level = _lattice_weeks(classes, constraints, residues, shortest[0],
                                                               max(0.7 * time_limit_s, 0.3), gap, stages)
        # exact programs of an examined level cost at least its bound (inf: none exist); above
        # the examined levels, the lattice floor holds; a miss costs at least the miss case
        swept = min(min(level_bounds.values(), default=float("inf")),
                    bound_for_extra(classes, constraints, next_level, residues.scale))
        # the levels proven empty: exact programs have at least cut_level extra sets
        cut_level = min((k for k, b in level_bounds.items() if b < float("inf")), default=next_level)
        if swept > lattice + _EPS:
            stages["lattice_bound_raised"] = swept
            lower = max(lower, swept)
        weeks_found.sort(key=lambda found: found[1])
        if not weeks_found and remaining() > 0.2 * time_limit_s:
            # no exact week at the listed levels: is there one at all? The master with no slack
            # and the cut, up to its first solution; infeasible means every program misses
            probe, _, _, _ = build_master(classes, constraints, (next_level, 1.0 / residues.scale))
            for var in probe.variables():
                if var.name.startswith(("under_", "over_")):
                    var.upBound = 0
            probe_run = run_solver(probe, 0.1 * time_limit_s, 1.0, mip_max_improving_sols=1)
            stages["exact_probe"] = probe_run
            if probe_run["status"] == "infeasible":
                exact_possible = False
                lower = max(lower, bound_for_extra(classes, constraints, None, residues.scale))
                stages["lattice_bound_raised"] = lower
        if weeks_found:
            # the best lattice week starts the masters below (it is feasible for their cut)
            lattice_start = {**weeks_found[0][2], "lattice_exact": 1.0}
        for number, (week, _, _) in enumerate(weeks_found):
            if finished():
                break
            laid_out = _lay_out_week(classes, constraints, week, f"lattice_{number}", groups, remaining, gap, stages)
            if laid_out is not None and (best_run is None or laid_out[1]["objective"] < best_run["objective"] - _EPS):
                best_model, best_run = laid_out
    if finished() or (best_run is not None and remaining() < 0.1 * time_limit_s):
        # proven, or a program in hand and no time left for the stages below
        return best_model, _report(best_run, lower, gap, started, stages)
    # with the lattice's week in hand, a short budget goes to the master's bound rather than
    # to the heuristic week (which the lattice week nearly always beats)
    have_program = best_run is not None

    # the master's bound improves a lot with the lattice's either-or (exact with extra sets, or a miss)
    cut = None
    if residues is not None and shortest is not None:
        cut = (cut_level if exact_possible else None, 1.0 / residues.scale)
    # the congruences help where exact hits are possible; with misses certain they only slow HiGHS
    master, weekly_sets, _, type_days_var = build_master(classes, constraints, cut, residues if exact_possible else None)
    # a quick heuristic week first: on large catalogs it beats HiGHS's own early master solutions
    heuristic = None
    if not have_program or remaining() > 0.5 * time_limit_s:
        heuristic = _heuristic_week(classes, constraints,
                                    min(max(0.35 * time_limit_s, min(2.0, 0.6 * time_limit_s)), max(0.5 * remaining(), 0.3)),
                                    stages, exact_first=lattice is not None and exact_possible)
    exact_week, miss_week, branch_bound = None, None, None
    if lattice is not None and exact_possible and remaining() > 0.5 * time_limit_s and time_limit_s >= 3:
        # the master split in its two lattice cases, each with the congruences: exact hits (no
        # slack, at least cut_level extra sets) and misses (at least 1/g off). Apart, HiGHS
        # closes each far sooner than the either-or master; the smaller bound holds for all.
        exact, exact_sets, _, exact_types = build_master(classes, constraints, cut, residues)
        for var in exact.variables():
            if var.name.startswith(("under_", "over_")):
                var.upBound = 0
        exact_run = run_solver(exact, 0.35 * time_limit_s, gap / 2)
        stages["exact_week"] = exact_run
        if exact_run["objective"] is not None:
            exact_week = (({i: round(var.varValue or 0) for i, var in exact_sets.items()},
                           {k: round(exact_types[k].varValue or 0) for k in DAY_TYPES}), exact_run["objective"])
        miss, miss_sets, _, miss_types = build_master(classes, constraints, (None, cut[1]), residues)
        miss_run = run_solver(miss, max(min(0.2 * time_limit_s, remaining() - 0.15 * time_limit_s), 0.1), gap / 2)
        stages["miss_week"] = miss_run
        if miss_run["objective"] is not None:
            miss_week = ({i: round(var.varValue or 0) for i, var in miss_sets.items()},
                         {k: round(miss_types[k].varValue or 0) for k in DAY_TYPES})
        if exact_run["status"] == miss_run["status"] == "infeasible":
            return None, {"status": "infeasible", "seconds": time.perf_counter() - started, "stages": stages}
        bounds = [float("inf") if run["status"] == "infeasible" else run["bound"] for run in (exact_run, miss_run)]
        if None not in bounds:
            branch_bound = min(bounds)
            lower = max(lower, branch_bound)
    if branch_bound is None:
        # the master decides almost everything (muscle volumes) and gives the lower bound
        # (not started from the heuristic week: HiGHS then tends to stay at it; better two weeks)
        master_until = 0.9 if have_program and remaining() < 0.5 * time_limit_s else 0.7
        master_run = run_solver(master, max(master_until * time_limit_s - (time.perf_counter() - started), 0.1), gap / 2)
        stages["master"] = master_run
        if master_run["status"] == "infeasible":
            return None, {"status": "infeasible", "seconds": time.perf_counter() - started, "stages": stages}
        if master_run["bound"] is not None:
            # with the cut, the master bounds the programs outside the examined lattice levels
            lower = max(lower, master_run["bound"])
    else:
        master_run = {"objective": None}
    weeks = []
    if master_run["objective"] is not None:
        weeks.append(({i: round(var.varValue or 0) for i, var in weekly_sets.items()},
                      {k: round(type_days_var[k].varValue or 0) for k in DAY_TYPES}))
    if heuristic is not None and (not weeks or weeks[0] != heuristic[:2]):
        weeks.append(heuristic[:2])
    if exact_week is not None and exact_week[0] not in weeks:
        better_than_master = master_run["objective"] is None or exact_week[1] < master_run["objective"] - _EPS
        weeks.insert(0 if better_than_master else len(weeks), exact_week[0])
    if miss_week is not None and miss_week not in weeks:
        weeks.append(miss_week)
    for number, week in enumerate(weeks):
        if finished() or (best_run is not None and remaining() <= 0):
            break
        laid_out = _lay_out_week(classes, constraints, week, str(number), groups, remaining, gap, stages)
        if laid_out is not None and (best_run is None or laid_out[1]["objective"] < best_run["objective"] - _EPS):
            best_model, best_run = laid_out

    if best_run is None or (_gap(best_run["objective"], lower) > gap and remaining() > 0.1):
        full = build_model(classes, constraints, symmetric_day_groups=groups)
        start = _start_values(best_model, full) if best_model is not None else None
        full_run = run_solver(full.problem, max(remaining(), 0.2), gap, start)
        stages["full"] = full_run
        if full_run["status"] == "infeasible":
            return None, {"status": "infeasible", "seconds": time.perf_counter() - started, "stages": stages}
        if full_run["bound"] is not None:
            lower = max(lower, full_run["bound"])
        if full_run["objective"] is not None and (best_run is None or full_run["objective"] < best_run["objective"] - _EPS):
            best_model, best_run = full, full_run
    if best_run is None:
        # no program within the budget: take any feasible one rather than none (over budget)
        rescue = build_model(classes, constraints, symmetric_day_groups=groups, feasibility_only=True)
        rescue_run = run_solver(rescue.problem, max(remaining(), 10.0), 1.0)
        stages["rescue"] = rescue_run
        if rescue_run["status"] == "infeasible":
            return None, {"status": "infeasible", "seconds": time.perf_counter() - started, "stages": stages}
        if rescue_run["objective"] is not None:
            best_model = rescue
            best_run = {**rescue_run, "objective": evaluate_objective(rescue, constraints)}
            # then a short improving search from it
            full = build_model(classes, constraints, symmetric_day_groups=groups)
            polish_run = run_solver(full.problem, max(remaining(), 0.2 * time_limit_s, 0.5), gap, _start_values(rescue, full))
            stages["rescue_polish"] = polish_run
            if polish_run["bound"] is not None:
                lower = max(lower, polish_run["bound"])
            if polish_run["objective"] is not None and polish_run["objective"] < best_run["objective"] - _EPS:
                best_model, best_run = full, polish_run
    if best_run is None:
        return None, {"status": "unknown", "seconds": time.perf_counter() - started, "stages": stages}
    return best_model, _report(best_run, lower, gap, started, stages)


def _report(best_run: dict[str, Any], lower: float, gap: float, started: float, stages: dict[str, Any]) -> dict[str, Any]:
    objective = best_run["objective"]
    final_gap = _gap(objective, lower)
    status = "optimal" if final_gap <= gap + 1e-9 else "feasible"
    return {"status": status, "objective": objective, "bound": lower, "gap": final_gap,
            "seconds": time.perf_counter() - started, "stages": stages}


def _lattice_weeks(classes: list[ExerciseClass], constraints: ProgramConstraints, residues: ResidueLattice,
                   first_extra: int, budget_s: float, gap: float,
                   stages: dict[str, Any]) -> tuple[list[tuple[tuple[dict[int, int], dict[str, int]], float, dict[str, float]]], dict[int, float], int]:
    """The best exact-hit week of the master at each number of extra sets, from the shortest path up.

    At each level the master (no under or over slack) gets one binary per lattice pattern of
    that many extra sets (`workout_pipeline.program.lattice.extra_set_patterns`) and must follow
    the chosen one: the extra sets on each residue's classes add up to the pattern's count.
    The patterns cover every exact-hit week with exactly that many extra sets, so the level's
    MILP bound (infinite when infeasible) bounds every exact-hit program of that level. Higher
    levels are tried while their lattice floor is below the best week found (more extra sets can
    mean fewer exercises), time is left and the patterns can be listed.

    Returns:
        (weeks found with their master objective and variable values, bound per examined
        level, first level not examined).
    """
    import pulp

    started = time.perf_counter()
    weeks: list[tuple[tuple[dict[int, int], dict[str, int]], float, dict[str, float]]] = []
    bounds: dict[int, float] = {}
    miss_only = bound_for_extra(classes, constraints, None, residues.scale)
    by_residue: dict[tuple[int, ...], list[int]] = {}
    for i, residue in enumerate(residues.residues):
        by_residue.setdefault(residue, []).append(i)
    for level in range(first_extra, first_extra + 6):
        left = budget_s - (time.perf_counter() - started)
        floor = bound_for_extra(classes, constraints, level, residues.scale)
        best_week = min((objective for _, objective, _ in weeks), default=float("inf"))
        if weeks and budget_s < 1.5:
            break  # small budgets: the first level's week, then the other stages
        if left < 0.05 or floor >= miss_only - _EPS or floor >= best_week - _EPS:
            # out of time, or no program of this level or above can beat the miss case's floor
            # or the best week found (the other stages look further)
            break
        patterns = extra_set_patterns(residues, level)
        if patterns is None:
            break  # too many to list
        stages[f"lattice_patterns_{level}"] = len(patterns)
        if not patterns:
            bounds[level] = float("inf")
            continue
        prob, weekly_sets, weekly_count, type_days_var = build_master(classes, constraints)
        for var in prob.variables():
            if var.name.startswith(("under_", "over_")):
                var.upBound = 0
        choice = [prob.add_variable(f"pattern_{j}", cat="Binary") for j in range(len(patterns))]
        prob += pulp.lpSum(choice) == 1
        q = constraints.min_sets
        for residue, members in by_residue.items():
            extra_sets = pulp.lpSum(weekly_sets[i] - q * weekly_count[i] for i in members)
            chosen_count = pulp.lpSum(p[residue] * var for p, var in zip(patterns, choice) if residue in p)
            prob += extra_sets == chosen_count
        left = budget_s - (time.perf_counter() - started)  # listing and building took some
        if left < 0.05:
            break
        # once a week is in hand, a further level gets a share of the budget only: the other
        # stages may do better (with few training days the best weeks have many extra sets)
        run = run_solver(prob, left if not weeks else min(left, 0.35 * budget_s), gap / 2)
        stages[f"lattice_week_{level}"] = run
        if run["status"] == "infeasible":
            bounds[level] = float("inf")
            continue
        if run["objective"] is None:
            break
        bounds[level] = max(floor, run["bound"]) if run["bound"] is not None else floor
        week = {i: round(var.varValue or 0) for i, var in weekly_sets.items()}
        start = {var.name: float(round(var.varValue or 0)) for var in prob.variables()
                 if var.name.startswith(("S_", "N_", "K_", "total_"))}
        weeks.append(((week, {k: round(type_days_var[k].varValue or 0) for k in DAY_TYPES}), run["objective"], start))
    # levels are examined in order without gaps
    return weeks, bounds, first_extra + len(bounds)


def _lay_out_week(classes: list[ExerciseClass], constraints: ProgramConstraints,
                  week: tuple[dict[int, int], dict[str, int]], tag: str, groups: list[list[int]], remaining: Any,
                  gap: float, stages: dict[str, Any]) -> tuple[ProgramModel, dict[str, Any]] | None:
    """Spread a week's sets per class over the days: a program (model, run), or None.

    Day types are first laid out by the week's counts, then left free; last, the week's
    classes (plus spares) get their sets free.
    """
    import pulp

    chosen, counts = week
    used = [i for i, total in chosen.items() if total > 0]
    laid_out = arrange_day_types(counts, constraints)
    attempts = [("days_fixed", used, laid_out, True), ("days_free_types", used, None, True),
                ("days_free_sets", _with_spares(classes, used), laid_out, False)]
    for stage, members, fixed, fix_sets in attempts:
        day_model = build_model([classes[i] for i in members], constraints, fixed_types=fixed,
                                symmetric_day_groups=groups if fixed is None else ())
        if fix_sets:
            for j, i in enumerate(members):
                prob_vars = [var for (k, d), var in day_model.sets.items() if k == j]
                day_model.problem += pulp.lpSum(prob_vars) == chosen[i], f"weekly_{j}"
        day_run = run_solver(day_model.problem, max(0.3 * remaining(), 1.0), gap / 2)
        stages[f"{stage}_{tag}"] = day_run
        if day_run["objective"] is not None:
            # the day model's classes are a subset: map its solution onto the full index
            return _reindex(day_model, members, classes), day_run
    return None


def solve_naive(classes: list[ExerciseClass], constraints: ProgramConstraints, time_limit_s: float, gap: float) -> tuple[ProgramModel | None, dict[str, Any]]:
    """The seed formulation solved as one MILP."""
    model = build_naive_model(classes, constraints)
    run = run_solver(model.problem, time_limit_s, gap)
    if run["objective"] is None:
        return None, run
    bound = run["bound"] if run["bound"] is not None else float("-inf")
    final_gap = _gap(run["objective"], bound)
    status = "optimal" if run["status"] == "optimal" or final_gap <= gap + 1e-9 else "feasible"
    return model, {**run, "status": status, "gap": final_gap}


def _gap(objective: float, bound: float) -> float:
    if bound == float("-inf"):
        return 1.0
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _reindex(day_model: ProgramModel, used: list[int], classes: list[ExerciseClass]) -> ProgramModel:
    """Express a day model built over `classes[used]` in the indices of `classes`."""
    sets = {(used[j], d): var for (j, d), var in day_model.sets.items()}
    count = {(used[j], d): var for (j, d), var in day_model.count.items()}
    return replace(day_model, classes=classes, sets=sets, count=count)


def _start_values(best: ProgramModel, full: ProgramModel) -> dict[str, float]:
    """Variable values of `full` that reproduce the program held in `best`."""
    start: dict[str, float] = {}
    values = {}
    order = list(best.days)
    if full.ordered_days:
        # interchangeable days are ordered by total sets in the full model: sort ours the same way
        totals = {d: sum(round(var.varValue or 0) for (i, day), var in best.sets.items() if day == d) for d in best.days}
        order = sorted(best.days, key=lambda d: -totals[d])
    position = {d: p for p, d in enumerate(order)}
    for (i, d), var in best.sets.items():
        values[i, position[d]] = (round(var.varValue or 0), round(best.count[i, d].varValue or 0))
    for key, var in full.sets.items():
        s, n = values.get(key, (0, 0))
        start[var.name] = s
        start[full.count[key].name] = n
    for (d, k), var in full.day_type.items():
        src = best.day_type[order[d], k]
        if hasattr(var, "name"):
            start[var.name] = round(src if isinstance(src, (int, float)) else (src.varValue or 0))
    for d in full.days:
        for m in sorted({m for cls in full.classes for m in cls.primary}):
            on = any(m in full.classes[i].primary and n > 0 for (i, day), (s, n) in values.items() if day == d)
            start[f"trained_{m}_{d}"] = 1.0 if on else 0.0
    # the continuous rest (slacks, deviations) is completed by HiGHS
    return start
