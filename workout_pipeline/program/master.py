# Over 400 lines: both week masters (seed and routine) and the rows they share, each row a sum of the full model's, in one place.
"""The week-level masters: relaxations of the full model (`program/milp.py`) per exercise class.

`build_master` is the seed objective's (push/pull/legs day types, used by `program/stages.py`);
`build_week_master` the routine objective's (given day shapes, used by `program/week.py`).
Every row of either is a sum of the full model's day rows, so the optimum of a master, and
HiGHS's proven bound on it, is a lower bound for the full model.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.engine import Week
from workout_pipeline.program.exercises import ExerciseClass, set_bounds
from workout_pipeline.program.lattice import ResidueLattice
from workout_pipeline.program.master_days import day_split
from workout_pipeline.program.milp import add_target_rows, conflicting_day_pairs, keep_costs


def max_sessions(conflicts: list[tuple[int, int]], days: Sequence[int]) -> int:
    """Most of `days` a muscle can be trained on: the largest subset with no conflicting pair."""
    for size in range(len(days), 0, -1):
        for chosen in itertools.combinations(days, size):
            picked = set(chosen)
            if not any(a in picked and b in picked for a, b in conflicts):
                return size
    return 0


def smoothness_floor(prob: Any, total: Any, n_days: int) -> Any:
    """The least Σ_d |t_d - T/D| of a weekly total T of whole sets over D days: with
    T = D*q + r, r days get one set more, so 2*r*(D-r)/D (an expression with binaries in `prob`)."""
    import pulp

    quotient = prob.add_variable("total_quotient", 0, cat="Integer")
    remainder = {r: prob.add_variable(f"total_remainder_{r}", cat="Binary") for r in range(n_days)}
    prob += pulp.lpSum(remainder.values()) == 1
    prob += total == n_days * quotient + pulp.lpSum(r * var for r, var in remainder.items())
    return pulp.lpSum(2.0 * r * (n_days - r) / n_days * var for r, var in remainder.items())


@dataclass
class SeedMaster:
    """`build_master`'s problem and its variables, by class index, day type and muscle."""

    problem: Any  # pulp.LpProblem
    sets: dict[int, Any]  # S[c]
    count: dict[int, Any]  # N[c]
    type_days: dict[str, Any]  # K[k]
    under: dict[str, Any]
    over: dict[str, Any]

    def forbid_misses(self) -> "SeedMaster":
        """No under or over slack: every target met exactly (the exact-hit case)."""
        for var in (*self.under.values(), *self.over.values()):
            var.upBound = 0
        return self

    def week(self) -> Week:
        """The solved week: weekly sets per class and days of each type."""
        return Week({i: round(var.varValue or 0) for i, var in self.sets.items()},
                    {k: round(var.varValue or 0) for k, var in self.type_days.items()})


def build_master(classes: list[ExerciseClass], constraints: ProgramConstraints,
                 lattice_cut: tuple[int | None, float] | None = None,
                 congruences: ResidueLattice | None = None) -> SeedMaster:
    """The week-level relaxation: weekly sets `S[c]` and exercise-days `N[c]` per class.

    Each row is implied by the full model (summing its day rows), so the master's optimum is
    a lower bound on the full optimum. Smoothness is bounded below by the best split of the
    weekly total T = D*q + r into D integer days: 2*r*(D-r)/D.

    Args:
        classes: The exercise classes.
        constraints: Validated constraints.
        lattice_cut: (fewest extra sets of an exact-hit program, smallest possible miss), both
            proven by the lattice (`workout_pipeline.program.lattice`): every program either
            meets all targets with at least that many extra sets, or misses by at least that
            much. One binary says which; the LP no longer meets targets exactly for free.
            None as the first value: no program meets every target (the miss is required).
        congruences: The lattice's residues (`residue_lattice(classes, constraints)`). Each
            targeted muscle gets the congruence every program satisfies, written with integers:
            `Σ_c r[c,m]·X[c] - g·over[m] + g·under[m] = goal[m] + q·z[m]`, with `g·over` and
            `g·under` integer (contributions and targets are multiples of 1/g) and `z` a free
            integer. The LP is unchanged, but HiGHS can now branch towards what integers allow:
            on the full catalog with the default rules this proves the week master's optimum
            in about 4 s, where without it the bound stalls 6% below.
    """
    import pulp

    c = constraints
    n_days = c.training_days
    max_ex = c.max_exercises_per_day
    targets, hard = c.effective_targets(), c.effective_hard_targets()
    prob = pulp.LpProblem("weekly_master", pulp.LpMinimize)
    # days a category can use: every day for core, else all but the other types' minimums
    type_days = {k: n_days - sum(c.split[o] for o in DAY_TYPES if o != k) for k in DAY_TYPES}
    weekly_sets, weekly_count = {}, {}
    for i, cls in enumerate(classes):
        days_open = n_days if cls.category == "core" else max(type_days[cls.category], 0)
        cap = min(cls.size, max_ex) * days_open
        weekly_sets[i] = prob.add_variable(f"S_{i}", 0, c.max_sets * cap, cat="Integer")
        weekly_count[i] = prob.add_variable(f"N_{i}", 0, cap, cat="Integer")
        prob += weekly_sets[i] <= c.max_sets * weekly_count[i]
        prob += weekly_sets[i] >= c.min_sets * weekly_count[i]
    total_count = pulp.lpSum(weekly_count.values())
    prob += total_count >= n_days * c.min_exercises_per_day
    prob += total_count <= n_days * max_ex
    total = pulp.lpSum(weekly_sets.values())
    if c.session_minutes is not None:
        prob += pulp.lpSum(cls.set_seconds * weekly_sets[i] for i, cls in enumerate(classes)) <= n_days * 60 * c.session_minutes
    # number of days of each type, and what those days need and allow
    type_days_var = {k: prob.add_variable(f"K_{k}", c.split[k], n_days, cat="Integer") for k in DAY_TYPES}
    prob += pulp.lpSum(type_days_var.values()) == n_days
    core = [i for i, cls in enumerate(classes) if cls.category == "core"]
    shortfalls = []
    for k in DAY_TYPES:
        own = [i for i, cls in enumerate(classes) if cls.category == k]
        prob += pulp.lpSum(weekly_count[i] for i in own) <= max_ex * type_days_var[k]
        # exercises a type's days lack from their own category must come from core exercises
        shortfall = prob.add_variable(f"core_need_{k}", 0)
        prob += shortfall >= c.min_exercises_per_day * type_days_var[k] - pulp.lpSum(weekly_count[i] for i in own)
        shortfalls.append(shortfall)
        for i in own:
            # at most min(size, max_ex) exercises of a class a day, on days of its type only
            prob += weekly_count[i] <= min(classes[i].size, max_ex) * type_days_var[k]
        prob += pulp.lpSum(weekly_count[i] for i in own + core) >= c.min_exercises_per_day * type_days_var[k]
        if c.session_minutes is not None:
            prob += pulp.lpSum(classes[i].set_seconds * weekly_sets[i] for i in own) <= 60 * c.session_minutes * type_days_var[k]
    under = {m: prob.add_variable(f"under_{m}", 0) for m in targets}
    over = {m: prob.add_variable(f"over_{m}", 0) for m in targets}
    for m in sorted(set(targets) | set(hard)):
        contribution = pulp.lpSum(dict(cls.contributions).get(m, 0.0) * weekly_sets[i] for i, cls in enumerate(classes))
        if m in targets:
            prob += contribution + under[m] - over[m] == targets[m]
        if m in hard:
            prob += contribution >= hard[m]
    conflicts = conflicting_day_pairs(c.weekdays, c.rest_between_muscle_sessions_h)
    most_days = max_sessions(conflicts, range(n_days))
    for m in sorted({m for cls in classes for m in cls.primary}):
        direct = pulp.lpSum(weekly_sets[i] for i, cls in enumerate(classes) if m in cls.primary)
        direct_count = pulp.lpSum(weekly_count[i] for i, cls in enumerate(classes) if m in cls.primary)
        if c.max_hard_sets_per_muscle_session is not None:
            prob += direct <= c.max_hard_sets_per_muscle_session * most_days
            for k in DAY_TYPES:
                # a type's exercises sit on that type's days only, each under the cap
                own_direct = [weekly_sets[i] for i, cls in enumerate(classes) if m in cls.primary and cls.category == k]
                if own_direct:
                    prob += pulp.lpSum(own_direct) <= c.max_hard_sets_per_muscle_session * type_days_var[k]
        prob += direct_count <= max_ex * most_days
        if c.min_sessions_per_muscle is not None and m in targets:
            prob += direct_count >= c.min_sessions_per_muscle
    for m in targets:
        if c.min_sessions_per_muscle is not None and not any(m in cls.primary for cls in classes):
            prob += pulp.lpSum([]) >= 1  # a targeted muscle nothing trains: infeasible
    prob += pulp.lpSum(shortfalls) <= pulp.lpSum(weekly_count[i] for i in core)
    if congruences is not None and targets:
        g, q = congruences.scale, congruences.modulus
        for m, muscle in enumerate(congruences.muscles):
            over_units = prob.add_variable(f"over_units_{m}", 0, cat="Integer")
            under_units = prob.add_variable(f"under_units_{m}", 0, cat="Integer")
            prob += g * over[muscle] == over_units
            prob += g * under[muscle] == under_units
            multiple = prob.add_variable(f"congruence_{m}", None, cat="Integer")
            extra_residues = pulp.lpSum(r[m] * (weekly_sets[i] - c.min_sets * weekly_count[i])
                                        for i, r in enumerate(congruences.residues) if r[m])
            prob += extra_residues - over_units + under_units == congruences.goal[m] + q * multiple
    if lattice_cut is not None and targets:
        min_extra, min_miss = lattice_cut
        missed = pulp.lpSum(under.values()) + pulp.lpSum(over.values())
        if min_extra is None:
            prob += missed >= min_miss
        else:
            exact = prob.add_variable("lattice_exact", cat="Binary")
            prob += pulp.lpSum(weekly_sets[i] - c.min_sets * weekly_count[i] for i in weekly_sets) >= min_extra * exact
            prob += missed >= min_miss * (1 - exact)
    smooth_floor = smoothness_floor(prob, total, n_days)
    prob += (
        c.under_penalty * pulp.lpSum(under.values())
        + c.over_penalty * pulp.lpSum(over.values())
        + c.set_cost * total
        + pulp.lpSum(cls.selection_cost * weekly_count[i] for i, cls in enumerate(classes))
        + c.smoothness_cost * smooth_floor
    )
    return SeedMaster(prob, weekly_sets, weekly_count, type_days_var, under, over)


def _open_days(cls: ExerciseClass, day_categories: Sequence[frozenset[str]]) -> list[int]:
    return [d for d, cats in enumerate(day_categories) if cls.category == "core" or cls.category in cats]


def build_week_master(classes: list[ExerciseClass], c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                      day_costs: dict[tuple[int, int], float] | None = None, keep: Sequence[int] = (),
                      require: Sequence[int] = (), one_a_day: Sequence[Sequence[int]] = (),
                      days: bool | str = False) -> tuple[Any, dict[int, Any], dict[int, Any]]:
    """The week-level relaxation of `build_model(..., day_categories=...)` (`program/week.py`);
    `one_a_day`: groups of classes of which at most one goes on a day; `days`: with each
    class's week split over its days as well (`master_days.day_split`: tighter, slower;
    `days="exercises"`: only its exercise-days split, `day_split(..., exercises_only=True)`);
    neither is a stage of `solve_week` (docs/program.md, "Day master").

    Returns:
        (PuLP problem, weekly sets S per class, weekly exercise-days N per class).
    """
    import pulp

    n_days = c.training_days
    max_ex = c.max_exercises_per_day
    day_costs = day_costs or {}
    prob = pulp.LpProblem("routine_week_master", pulp.LpMinimize)
    opened = {i: _open_days(cls, day_categories) for i, cls in enumerate(classes)}
    conflicts = conflicting_day_pairs(c.weekdays, c.rest_between_muscle_sessions_h)
    S, N = {}, {}
    for i, cls in enumerate(classes):
        # an exercise with a primary muscle trains it on each of its days: under the 48 h rule
        # those days are pairwise apart
        days_i = max_sessions(conflicts, opened[i]) if conflicts and cls.primary else len(opened[i])
        cap = min(cls.size, max_ex) * days_i
        low, high = set_bounds(cls, c)
        S[i] = prob.add_variable(f"S_{i}", lowBound=0, upBound=high * cap, cat="Integer")
        N[i] = prob.add_variable(f"N_{i}", lowBound=0, upBound=cap, cat="Integer")
        prob += S[i] <= high * N[i], f"max_sets_{i}"
        prob += S[i] >= low * N[i], f"min_sets_{i}"
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
                    for m in sorted(set(targets) | set(hard))}
    under, over, target_cost = add_target_rows(prob, c, contribution)

    for m in sorted({m for cls in classes for m in cls.primary}):
        direct = [i for i, cls in enumerate(classes) if m in cls.primary]
        days_m = sorted({d for i in direct for d in opened[i]})
        if c.max_hard_sets_per_muscle_session is not None:
            # on a day with n of these exercises the muscle gets at most g(n) = min(cap, max_sets*n)
            # direct sets; g is concave, so over D days the week gets at most the balanced split's
            # f(N) of its N exercise-days, and each linear piece of f bounds it from above
            cap, most = c.max_hard_sets_per_muscle_session, max_sessions(conflicts, days_m)
            week_sets, week_days = pulp.lpSum(S[i] for i in direct), pulp.lpSum(N[i] for i in direct)
            prob += week_sets <= cap * most, f"session_cap_{m}"
            g = lambda n: min(cap, c.max_sets * n)  # noqa: E731
            j = 0
            while g(j + 1) > g(j):
                prob += week_sets <= most * g(j) + (g(j + 1) - g(j)) * (week_days - j * most), f"session_cap_{m}_{j}"
                j += 1
        if c.min_sessions_per_muscle is not None and m in targets:
            prob += pulp.lpSum(N[i] for i in direct) >= c.min_sessions_per_muscle, f"sessions_{m}"
    trained = _trained_days(prob, classes, c, opened, conflicts, S, N)

    for n, members in enumerate(one_a_day):
        days_n = sorted({d for i in members for d in opened[i]})
        prob += pulp.lpSum(N[i] for i in members) <= len(days_n), f"one_a_day_{n}"
        # at most one member a day, and a member's days have t[m,d] = 1 for each of its primary
        # muscles m (full model: y <= max_ex·trained), so for a muscle m primary to every member
        # the members' exercise-days are at most its trained days among theirs
        for m in sorted(frozenset.intersection(*(classes[i].primary for i in members)) if trained else ()):
            prob += pulp.lpSum(N[i] for i in members) <= pulp.lpSum(trained[m, d] for d in days_n), f"one_a_day_{n}_{m}"
    missing, miss_cost = {}, keep_costs(keep, c)
    for i in miss_cost:
        missing[i] = prob.add_variable(f"keep_missing_{i}", lowBound=0, upBound=1)
        prob += N[i] + missing[i] >= 1, f"keep_{i}"
    for i in require:
        prob += N[i] >= 1, f"require_{i}"
    # day costs: N[i] days cost at least the N[i] cheapest of its open days (convex in N[i],
    # so each linear piece of that sum is a lower bound)
    day_cost = {}
    for i in S:
        costs = sorted(day_costs.get((i, d), 0.0) for d in opened[i])
        if any(costs):
            day_cost[i] = prob.add_variable(f"day_cost_{i}", lowBound=0)
            for j, cost in enumerate(costs):
                prob += day_cost[i] >= sum(costs[:j]) + cost * (N[i] - j), f"day_cost_{i}_{j}"
            _day_cost_by_trained_days(prob, i, classes[i], c, opened[i], day_costs, trained, N[i], day_cost[i])
    free, free_sets = _cheap_days(prob, classes, c, opened, day_costs, trained, S, N, day_cost)
    if free:  # a lifter's own days
        _guests(prob, classes, c, opened, day_categories, S, N, free, free_sets)
    split = day_split(prob, classes, c, opened, trained, S, N, day_costs, day_cost, one_a_day,
                      exercises_only=days == "exercises") if days else None
    prob += (
        target_cost
        + c.set_cost * pulp.lpSum(S.values())
        + pulp.lpSum(cls.selection_cost * N[i] for i, cls in enumerate(classes))
        + pulp.lpSum(day_cost.values())
        + c.smoothness_cost * _week_smoothness(prob, classes, c, day_categories, S, split)
        + pulp.lpSum(miss_cost[i] * var for i, var in missing.items())
    ), "objective"
    return prob, S, N


def _week_smoothness(prob: Any, classes: list[ExerciseClass], c: ProgramConstraints,
                     day_categories: Sequence[frozenset[str]], S: dict[int, Any], split: Any = None) -> Any:
    """A lower bound on the full model's Σ_d |t_d - T/D| from weekly sets alone: the whole-set
    floor (`smoothness_floor`), and for every set K of categories, the sets of K's exercises
    sit on the days taking any of K, and the days taking only K (and core) hold nothing else:

        Σ_d |t_d - T/D| >= 2·(S_K - |days(K)|·T/D),   >= 2·(|only(K)|·T/D - S_K - S_core)

    (the deviations above and below T/D are equal, and those days' deviations alone reach it).
    """
    import pulp

    n_days = c.training_days
    total = pulp.lpSum(S.values())
    spread = prob.add_variable("smoothness", lowBound=0)
    prob += spread >= smoothness_floor(prob, total, n_days), "smoothness_floor"
    if split is not None:
        prob += spread >= split, "smoothness_split"
    core = [S[i] for i, cls in enumerate(classes) if cls.category == "core"]
    for size in range(1, len(DAY_TYPES)):
        for kinds in itertools.combinations(DAY_TYPES, size):
            own = pulp.lpSum(S[i] for i, cls in enumerate(classes) if cls.category in kinds)
            tag = "_".join(kinds)
            days_k = sum(1 for cats in day_categories if cats & set(kinds))
            if days_k < n_days:
                prob += spread >= 2 * own - (2.0 * days_k / n_days) * total, f"smooth_days_{tag}"
            only_k = sum(1 for cats in day_categories if cats <= set(kinds))
            if only_k:
                prob += spread >= (2.0 * only_k / n_days) * total - 2 * own - 2 * pulp.lpSum(core), f"smooth_only_{tag}"
    return spread


def _trained_days(prob: Any, classes: list[ExerciseClass], c: ProgramConstraints, opened: dict[int, list[int]],
                  conflicts: list[tuple[int, int]], S: dict[int, Any], N: dict[int, Any]) -> dict[tuple[str, int], Any]:
    """Under the 48 h rule, binaries t[m,d] >= "muscle m is trained directly on day d" (no two
    within the rest window): an exercise's days are days its primary muscles are trained, and
    the per-session cap holds on each. Returns t keyed (muscle, day); empty without the rule."""
    import pulp

    if not conflicts:
        return {}
    t = {}
    for m in sorted({m for cls in classes for m in cls.primary}):
        direct = [i for i, cls in enumerate(classes) if m in cls.primary]
        days_m = sorted({d for i in direct for d in opened[i]})
        for d in days_m:
            t[m, d] = prob.add_variable(f"trained_{m}_{d}", cat="Binary")
        for a, b in conflicts:
            if (m, a) in t and (m, b) in t:
                prob += t[m, a] + t[m, b] <= 1, f"rest_{m}_{a}_{b}"
        for i in direct:
            cap = min(classes[i].size, c.max_exercises_per_day)
            prob += N[i] <= cap * pulp.lpSum(t[m, d] for d in opened[i]), f"trained_days_{m}_{i}"
        if c.max_hard_sets_per_muscle_session is not None:
            prob += (pulp.lpSum(S[i] for i in direct)
                     <= c.max_hard_sets_per_muscle_session * pulp.lpSum(t[m, d] for d in days_m)), f"trained_cap_{m}"
    return t


def _day_cost_by_trained_days(prob: Any, i: int, cls: ExerciseClass, c: ProgramConstraints, opened: list[int],
                              day_costs: dict[tuple[int, int], float], trained: dict[tuple[str, int], Any],
                              n_days: Any, cost_var: Any) -> None:
    """Day costs seen through the trained days: of class i's N days, those costing less than a
    level l lie on days cheaper than l where each primary muscle m is trained, at most
    cap·Σ_{d cheaper} t[m,d]; the rest cost at least l. Summed over the levels' steps."""
    import pulp

    if not trained:
        return
    cap = min(cls.size, c.max_exercises_per_day)
    levels = sorted({day_costs.get((i, d), 0.0) for d in opened} - {0.0})
    for m in sorted(cls.primary):
        steps, previous = [], 0.0
        for k, level in enumerate(levels):
            cheaper = [trained[m, d] for d in opened if day_costs.get((i, d), 0.0) < level and (m, d) in trained]
            above = prob.add_variable(f"days_above_{i}_{m}_{k}", lowBound=0)
            prob += above >= n_days - cap * pulp.lpSum(cheaper), f"days_above_{i}_{m}_{k}"
            steps.append((level - previous) * above)
            previous = level
        prob += cost_var >= pulp.lpSum(steps), f"day_cost_trained_{i}_{m}"


def _cheap_days(prob: Any, classes: list[ExerciseClass], c: ProgramConstraints, opened: dict[int, list[int]],
                day_costs: dict[tuple[int, int], float], trained: dict[tuple[str, int], Any],
                S: dict[int, Any], N: dict[int, Any], day_cost: dict[int, Any]) -> tuple[dict, dict]:
    """The full model's own variables on the free days of the classes with day costs (a
    lifter's lift on a day whose session holds it): w[i,d] exercises and x[i,d] sets there,
    with that day's limits (exercises, session time, per-session cap; the other classes are
    not seen, so each is a relaxation). The rest of a class's days cost at least its cheapest
    positive day cost: day_cost_i >= low_i·(N_i - Σ_d w[i,d]). Returns (w, x), empty where no
    class has a free day."""
    import pulp

    cheap = {i: [d for d in opened[i] if day_costs.get((i, d), 0.0) == 0.0] for i in day_cost}
    cheap = {i: days for i, days in cheap.items() if days}
    w, x = {}, {}
    if not cheap:
        return w, x
    for i, days in cheap.items():
        cap = min(classes[i].size, c.max_exercises_per_day)
        fewest, most = set_bounds(classes[i], c)
        for d in days:
            w[i, d] = prob.add_variable(f"free_day_{i}_{d}", lowBound=0, upBound=cap, cat="Integer")
            x[i, d] = prob.add_variable(f"free_day_sets_{i}_{d}", lowBound=0)
            prob += x[i, d] <= most * w[i, d], f"free_day_max_{i}_{d}"
            prob += x[i, d] >= fewest * w[i, d], f"free_day_min_{i}_{d}"
            for m in sorted(classes[i].primary):
                if (m, d) in trained:
                    prob += w[i, d] <= cap * trained[m, d], f"free_day_trained_{i}_{m}_{d}"
        prob += pulp.lpSum(w[i, d] for d in days) <= N[i], f"free_days_{i}"
        prob += pulp.lpSum(x[i, d] for d in days) <= S[i], f"free_day_sets_{i}"
        # the sets not on its free days sit on its other days, at most its most sets each
        prob += (pulp.lpSum(x[i, d] for d in days)
                 >= S[i] - most * (N[i] - pulp.lpSum(w[i, d] for d in days))), f"free_day_rest_{i}"
        low = min(day_costs[i, d] for d in opened[i] if day_costs.get((i, d), 0.0) > 0.0)
        prob += day_cost[i] >= low * (N[i] - pulp.lpSum(w[i, d] for d in days)), f"day_cost_free_{i}"
    for d in sorted({d for _, d in w}):
        here = [i for i, dd in w if dd == d]
        prob += pulp.lpSum(w[i, d] for i in here) <= c.max_exercises_per_day, f"free_day_count_{d}"
        if c.session_minutes is not None:
            prob += pulp.lpSum(classes[i].set_seconds * x[i, d] for i in here) <= 60.0 * c.session_minutes, f"free_day_time_{d}"
        if c.max_hard_sets_per_muscle_session is not None:
            for m in sorted({m for i in here for m in classes[i].primary}):
                prob += (pulp.lpSum(x[i, d] for i in here if m in classes[i].primary)
                         <= c.max_hard_sets_per_muscle_session), f"free_day_cap_{m}_{d}"
    return w, x


def _guests(prob: Any, classes: list[ExerciseClass], c: ProgramConstraints, opened: dict[int, list[int]],
            day_categories: Sequence[frozenset[str]], S: dict[int, Any], N: dict[int, Any],
            w: dict[tuple[int, int], Any], x: dict[tuple[int, int], Any]) -> None:
    """The days of each set K of categories (push, pull, legs, any two) hold all of K's
    exercises and what other classes put there: a class not in K has at least its free
    placements `w` on days(K), and at least the exercise-days its other open days cannot hold
    (cap_i a day). With g[i,K] >= each of those:

        Σ_{i in K} N[i] + Σ_{i not in K} g[i,K] <= max_ex·|days(K)|
        Σ_{i in K} secs_i·S[i] + Σ_{i not in K, d in days(K)} secs_i·x[i,d] <= 60·minutes·|days(K)|

    A lifter's pull lifts on their pull + legs day take the slots their leg lifts need there
    (holdout sim011: the master saw two of its lifts on their own days, 10.07, where the
    week pays 11.07; with these rows 11.07)."""
    import pulp

    seconds = 60.0 * c.session_minutes if c.session_minutes is not None else None
    for size in range(1, len(DAY_TYPES)):
        for kinds in itertools.combinations(DAY_TYPES, size):
            members = [i for i, cls in enumerate(classes) if cls.category in kinds]
            days_k = [d for d, cats in enumerate(day_categories) if cats & set(kinds)]
            if not members:
                continue
            tag = "_".join(kinds)
            held = []
            for i, cls in enumerate(classes):
                outside = [d for d in opened[i] if d not in days_k]
                if cls.category in kinds or len(outside) == len(opened[i]):
                    continue
                free_here = [w[i, d] for d in days_k if (i, d) in w]
                cap = min(cls.size, c.max_exercises_per_day)
                if not free_here and cap * len(outside) >= N[i].upBound:
                    continue
                g = prob.add_variable(f"guest_{i}_{tag}", lowBound=0)
                prob += g >= N[i] - cap * len(outside), f"guest_forced_{i}_{tag}"
                if free_here:
                    prob += g >= pulp.lpSum(free_here), f"guest_free_{i}_{tag}"
                held.append(g)
            if held:
                prob += (pulp.lpSum(N[i] for i in members) + pulp.lpSum(held)
                         <= c.max_exercises_per_day * len(days_k)), f"guests_{tag}"
            guests = [(i, d) for i, d in x if classes[i].category not in kinds and d in days_k]
            if seconds is not None and guests:
                prob += (pulp.lpSum(classes[i].set_seconds * S[i] for i in members)
                         + pulp.lpSum(classes[i].set_seconds * x[i, d] for i, d in guests)
                         <= seconds * len(days_k)), f"guests_time_{tag}"
