"""The week-level stages of the seed objective's solve (`program/compose.py` composes them).

Each stage takes the solve's context and a `Budget`, and returns `Candidate`s: a week chosen by a
master (weekly sets per class, days per type) with its objective, and the lower bound it proves
for every program, if any. The lattice stages also return what they proved about exact-hit
programs (`LatticeFacts`), which the later masters use as cuts and congruences.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.engine import EPS, SHARES, Budget, Candidate, Infeasible, run_solver
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.lattice import (
    MissCase,
    ResidueLattice,
    bound_for_extra,
    extra_set_patterns,
    fewest_costly_exercises,
    fewest_extra_sets,
    integer_scale,
    listing_rows,
    miss_cases,
    miss_floor,
    residue_lattice,
    structural_floor,
)
from workout_pipeline.program.master import build_master

_MAX_LEVELS = 6  # lattice levels (numbers of extra sets) examined above the fewest
_LISTING_S_PER_ROW = 0.5e-6  # pattern listing time per half-multiset row (measured: 0.2-0.8 us)


@dataclass
class SolveContext:
    """What every stage reads: the classes, the rules, the gap goal, the day groups that are
    interchangeable, and the report's `stages` dict each stage writes its runs into."""

    classes: list[ExerciseClass]
    constraints: ProgramConstraints
    gap: float
    groups: list[list[int]]
    report: dict[str, Any]


@dataclass
class LatticeFacts:
    """What the lattice proved about exact-hit programs.

    Attributes:
        residues: The congruences (None when the lattice argument does not apply).
        bound: The lattice's lower bound on every program (None: does not apply).
        fewest: Fewest extra sets any exact-hit program has (proven).
        exact_possible: False once a probe proved that every program misses a target.
        miss: The least cost of a program that misses a target (`lattice.miss_floor`).
    """

    residues: ResidueLattice | None = None
    bound: float | None = None
    fewest: int = 0
    exact_possible: bool = True
    miss: float | None = None

    def cut(self) -> tuple[int | None, float] | None:
        """The master's either-or cut (`build_master`'s `lattice_cut`)."""
        if self.residues is None:
            return None
        return (self.fewest if self.exact_possible else None, 1.0 / self.residues.scale)


def lattice_stage(ctx: SolveContext, budget: Budget,
                  cutoff: Callable[[], float] | None = None) -> tuple[list[Candidate], LatticeFacts]:
    """The lattice bound, then the best week of each lattice cell, cheapest first
    (`_lattice_levels`); the weeks sorted by their master objective. `cutoff`, asked once the
    first level had no week: the objective of a program in hand (the higher cells then only
    look at weeks that could beat it, and the programs that miss a target are examined too)."""
    classes, c = ctx.classes, ctx.constraints
    shortest = fewest_extra_sets(classes, c)
    residues = residue_lattice(classes, c) if shortest is not None else None
    if residues is None or shortest is None:
        ctx.report["lattice_bound"] = None
        return [], LatticeFacts()
    # programs that miss a target, listed by the cost of their deviations
    miss = miss_floor(classes, c, residues)
    bound = bound_for_extra(classes, c, shortest[0], residues.scale, miss)
    ctx.report["lattice_bound"] = bound
    ctx.report["lattice_miss_floor"] = miss
    weeks, level_bounds, next_level, miss = _lattice_levels(ctx, residues, shortest[0], miss, budget, cutoff)
    # exact programs of an examined level cost at least its bound (inf: none exist); above the
    # examined levels the lattice floor holds; a miss costs at least the miss side's bound
    swept = min(min(level_bounds.values(), default=float("inf")),
                bound_for_extra(classes, c, next_level, residues.scale, miss))
    # the levels proven empty: exact programs have at least `fewest` extra sets
    fewest = min((k for k, b in level_bounds.items() if b < float("inf")), default=next_level)
    if swept > bound + EPS:
        ctx.report["lattice_bound_raised"] = swept
        bound = swept
    weeks.sort(key=lambda found: found.objective)
    return [replace(week, bound=bound) for week in weeks], LatticeFacts(residues, bound, fewest, miss=miss)


_EXACT, _MISSES, _REST = -1, -2, -3  # `_lattice_levels`' cells: exact hits, the misses not yet listed, the rest


def _lattice_levels(ctx: SolveContext, residues: ResidueLattice, first_extra: int, miss_only: float,
                    budget: Budget, ask_cutoff: Callable[[], float] | None = None,
                    cutoff: float = float("inf")) -> tuple[list[Candidate], dict[int, float], int, float]:
    """The best week of the master in each lattice cell, cheapest cell first.

    A cell is a number of extra sets, for the programs that meet every target exactly (a
    *level*, from the shortest path up) or for those whose deviations shift the goal to one
    of `lattice.miss_cases` (listed once a program is in hand, below its objective). Its master
    (for a level, with no under or over slack) gets one binary per lattice pattern of that many
    extra sets reaching the cell's goal (`lattice.extra_set_patterns`) and must follow the
    chosen one: the extra sets on each residue's classes add up to the pattern's count. The
    patterns cover every program of the cell, so the cell's MILP bound (infinite when
    infeasible) bounds all of them. Cells are examined while their floor (structural, plus the
    deviations' least cost) is below the best week found and the program in hand, time is left
    and the patterns can be listed; the bound is then the least of the examined cells' bounds
    and the floors of the cells not examined.

    Below the cutoff (a program in hand: `cutoff`, or `ask_cutoff()`, asked once the first level
    had no week, e.g. for the whole-set week) or the best week found, a cell's MILP only holds weeks
    with fewer exercises than the first count whose structural floor reaches it
    (`lattice.fewest_costly_exercises`): the cell's bound is then the smaller of its MILP bound
    and that count's floor.

    Returns:
        (weeks found, bound per examined level, first level not examined, bound on every
        program that misses a target).
    """
    import heapq

    import pulp

    classes, c = ctx.classes, ctx.constraints
    weeks: list[Candidate] = []
    bounds: dict[int, float] = {}
    miss_bounds: list[float] = []
    cases: list[MissCase] = []
    by_residue: dict[tuple[int, ...], list[int]] = {}
    for i, residue in enumerate(residues.residues):
        by_residue.setdefault(residue, []).append(i)
    # (floor, extra sets, kind): kind is _EXACT, a miss case's index, _MISSES or _REST
    queue = [(structural_floor(classes, c, first_extra), first_extra, _EXACT), (miss_only, 0, _MISSES)]
    heapq.heapify(queue)
    while True:
        floor, level, kind = queue[0]
        if kind == _EXACT and level > first_extra and not weeks and ask_cutoff is not None:
            cutoff, ask_cutoff = min(cutoff, ask_cutoff()), None
        target = min([cutoff] + [week.objective for week in weeks])
        if weeks and budget.seconds < SHARES.lattice_small_s:
            break  # small budgets: the first level's week, then the other stages
        if budget.left() < 0.05 or floor >= target - EPS or kind == _REST:
            # out of time, or no program of this cell or above can beat the best week found or
            # the program in hand (the other stages look further)
            break
        if kind == _EXACT and level >= first_extra + _MAX_LEVELS:
            break
        if kind == _MISSES:
            if cutoff == float("inf"):
                break  # the misses are listed below a program in hand only
            heapq.heappop(queue)
            found, rest = miss_cases(classes, c, residues, target)
            heapq.heappush(queue, (rest, 0, _REST))
            for case in found:
                heapq.heappush(queue, (case.cost + structural_floor(classes, c, case.fewest), case.fewest, len(cases)))
                cases.append(case)
            ctx.report["lattice_miss_cases"] = len(found)
            continue
        goal, cost = (residues.goal, 0.0) if kind == _EXACT else (cases[kind].goal, cases[kind].cost)
        if listing_rows(residues, level) * _LISTING_S_PER_ROW > SHARES.listing_of_left * budget.left():
            break  # listing would take most of the time left
        patterns = extra_set_patterns(replace(residues, goal=goal), level)
        if patterns is None:
            break  # too many to list
        heapq.heapreplace(queue, (cost + structural_floor(classes, c, level + 1), level + 1, kind))
        name = f"lattice_week_{level}" if kind == _EXACT else f"lattice_miss_{kind}_week_{level}"
        ctx.report[name.replace("week", "patterns")] = len(patterns)
        record = bounds.__setitem__ if kind == _EXACT else (lambda _, value: miss_bounds.append(value))
        if not patterns:
            record(level, float("inf"))
            continue
        costly = fewest_costly_exercises(classes, c, level, target - cost)
        master = build_master(classes, c)
        prob = master.problem
        if kind == _EXACT:
            master.forbid_misses()
        elif target < float("inf"):
            prob += prob.objective <= target  # only what could beat the program in hand (deviations are many)
        if costly is not None:
            prob += pulp.lpSum(master.count.values()) <= costly - 1
        choice = [prob.add_variable(f"pattern_{j}", cat="Binary") for j in range(len(patterns))]
        prob += pulp.lpSum(choice) == 1
        for residue, members in by_residue.items():
            extra_sets = pulp.lpSum(master.sets[i] - c.min_sets * master.count[i] for i in members)
            chosen_count = pulp.lpSum(p[residue] * var for p, var in zip(patterns, choice) if residue in p)
            prob += extra_sets == chosen_count
        if budget.left() < 0.05:
            record(level, floor)  # listing and building took the rest
            break
        # once a week is in hand, a further cell gets a share of the budget only: the other
        # stages may do better (with few training days the best weeks have many extra sets)
        seconds = budget.left() if not weeks else min(budget.left(), SHARES.lattice_next_level * budget.seconds)
        if ask_cutoff is not None and not weeks:
            # the whole-set week (the cutoff, asked before the next level) keeps its share: at a
            # 1 s budget an unproven first level took 0.63 of 0.9 s and left it 0.11 s, no week
            seconds = max(SHARES.min_stage_s, min(seconds, budget.left() - SHARES.whole_set_first * budget.seconds))
        run = run_solver(prob, seconds, ctx.gap / 2)
        ctx.report[name] = run
        # weeks with `costly` exercises or more cost at least that count's floor
        beyond = float("inf") if costly is None else cost + structural_floor(classes, c, level, costly)
        if run["status"] == "infeasible":
            record(level, beyond if kind == _EXACT else min(beyond, target))
            continue
        # the cell's programs cost at least its MILP's proven bound, week or not
        record(level, min(beyond, max(floor, run["bound"]) if run["bound"] is not None else floor))
        if run["objective"] is not None:
            weeks.append(Candidate(name, master.week(), run["objective"]))
    # the cells not examined: the floors left in the queue (one exact level, the miss cases' next)
    next_level = next(level for _, level, kind in queue if kind == _EXACT)
    # (the miss floor holds too: the listing may have given up, leaving the plain floor)
    miss = max(miss_only, min(miss_bounds + [floor for floor, _, kind in queue if kind != _EXACT]))
    return weeks, bounds, next_level, miss


def exact_probe_stage(ctx: SolveContext, facts: LatticeFacts, budget: Budget) -> LatticeFacts:
    """Whether any exact-hit week exists at all (when no lattice level had one): the master with
    no slack and the cut, up to its first solution. Infeasible means every program misses a
    target, and the bound rises to the miss case's."""
    assert facts.residues is not None
    probe = build_master(ctx.classes, ctx.constraints, (facts.fewest, 1.0 / facts.residues.scale)).forbid_misses()
    run = run_solver(probe.problem, budget.seconds, 1.0, mip_max_improving_sols=1)
    ctx.report["exact_probe"] = run
    if run["status"] != "infeasible":
        return facts
    bound = max(facts.bound or float("-inf"), bound_for_extra(ctx.classes, ctx.constraints, None, facts.residues.scale,
                                                              facts.miss))
    ctx.report["lattice_bound_raised"] = bound
    return replace(facts, bound=bound, exact_possible=False)


def whole_set_stage(ctx: SolveContext, facts: LatticeFacts, budget: Budget) -> Candidate | None:
    """A week in which every class's contributions are whole sets (a heuristic: it proves no bound).

    A class with fractional weights (a secondary muscle at 0.25 or 0.5) gets its weekly sets in
    multiples of their denominator (4 sets at 0.25 make one whole set), so meeting the targets
    exactly no longer hinges on fractions adding up across classes. While exact hits are possible
    only they are allowed. None when every weight is whole already (the master itself).
    On the seed rules with the 0.25 weight (346 exercises) it finds a week 1-2% above the best
    known in 0.2-0.5 s, where the master with the congruences finds none in a second.
    """
    classes, c = ctx.classes, ctx.constraints
    steps = [integer_scale([w for _, w in cls.contributions]) or 1 for cls in classes]
    if all(step == 1 for step in steps):
        return None
    master = build_master(classes, c)
    for i, step in enumerate(steps):
        if step > 1:
            units = master.problem.add_variable(f"whole_units_{i}", 0, cat="Integer")
            master.problem += master.sets[i] == step * units
    if facts.residues is not None and facts.exact_possible:
        master.forbid_misses()
    run = run_solver(master.problem, budget.seconds, ctx.gap / 2)
    ctx.report["whole_set_week"] = run
    if run["objective"] is None:
        return None
    return Candidate("whole_set_week", master.week(), run["objective"])


def heuristic_stage(ctx: SolveContext, budget: Budget, exact_first: bool = False) -> Candidate | None:
    """A week from a restricted master (a heuristic: it proves no bound).

    The master with one-set minimums is nearly as easy as its LP. The classes it uses, plus the
    single-muscle classes and a few large spares per category, form a small master solved for real
    (with `exact_first`, first with every target to be met exactly, then with the slacks).
    """
    classes, c = ctx.classes, ctx.constraints
    easy = build_master(classes, replace(c, min_sets=1))
    easy_run = run_solver(easy.problem, SHARES.heuristic_relaxed * budget.seconds, 0.01)
    ctx.report["heuristic_relaxed"] = easy_run
    if easy_run["objective"] is None:
        return None
    support = {i for i, var in easy.sets.items() if (var.varValue or 0) > 0.5}
    single = {i for i, cls in enumerate(classes) if len(cls.contributions) == 1 and cls.contributions[0][1] == 1.0}
    members = with_spares(classes, sorted(support | single))
    attempts = [("heuristic_restricted_exact", True)] if exact_first else []
    attempts.append(("heuristic_restricted", False))
    for name, exact in attempts:
        # weeks that meet every target exactly: on large catalogs found far sooner, and better
        small = build_master([classes[i] for i in members], c)
        if exact:
            small.forbid_misses()
        seconds = max(SHARES.heuristic_exact * budget.left(), 0.3) if exact else max(budget.left(), 0.5)
        run = run_solver(small.problem, seconds, 0.01)
        ctx.report[name] = run
        if run["objective"] is not None:
            week = small.week()
            sets = {i: 0 for i in range(len(classes))}
            sets.update({i: week.sets[j] for j, i in enumerate(members)})
            return Candidate(name, replace(week, sets=sets), run["objective"])
    return None


def with_spares(classes: list[ExerciseClass], used: list[int], per_category: int = 3) -> list[int]:
    """`used` plus, per category, the largest classes: spare exercises to fill a day with."""
    chosen = set(used)
    for category in DAY_TYPES + ("core",):
        members = [i for i, cls in enumerate(classes) if cls.category == category and i not in chosen]
        members.sort(key=lambda i: (-classes[i].size, classes[i].set_seconds, classes[i].selection_cost, i))
        chosen.update(members[:per_category])
    return sorted(chosen)


def case_master_stage(ctx: SolveContext, facts: LatticeFacts, exact: bool, budget: Budget) -> Candidate:
    """One of the master's two lattice cases, with the congruences: exact hits (no slack, at least
    the proven fewest extra sets) or misses (at least 1/g off). Apart, HiGHS closes each far
    sooner than the either-or master; the smaller of the two bounds holds for every program.
    The candidate's bound holds for the programs of its case only (inf: the case has none)."""
    assert facts.residues is not None
    cut = facts.cut()
    if not exact:
        cut = (None, 1.0 / facts.residues.scale)
    master = build_master(ctx.classes, ctx.constraints, cut, facts.residues)
    if exact:
        master.forbid_misses()
    name = "exact_week" if exact else "miss_week"
    run = run_solver(master.problem, budget.seconds, ctx.gap / 2)
    ctx.report[name] = run
    if run["status"] == "infeasible":
        return Candidate(name, bound=float("inf"))
    week = master.week() if run["objective"] is not None else None
    return Candidate(name, week, run["objective"], run["bound"])


def master_stage(ctx: SolveContext, facts: LatticeFacts, budget: Budget) -> Candidate:
    """The week-level master with the lattice's either-or cut, and with the congruences while
    exact hits are possible (once every program is known to miss, they only slow HiGHS). It
    decides almost everything (muscle volumes), and its bound holds for every program."""
    master = build_master(ctx.classes, ctx.constraints, facts.cut(), facts.residues if facts.exact_possible else None)
    run = run_solver(master.problem, budget.seconds, ctx.gap / 2)
    ctx.report["master"] = run
    if run["status"] == "infeasible":
        raise Infeasible
    week = master.week() if run["objective"] is not None else None
    return Candidate("master", week, run["objective"], run["bound"])
