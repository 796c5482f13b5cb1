"""The weekly program MILP (PuLP), written once over exercise classes.

With one class per exercise (`build_naive_model`) this is the seed formulation: integer sets
`x[e,d]`, binary selection `y[e,d]`, `min_sets*y <= x <= max_sets*y`, exercises per day,
muscle contributions with under/over slacks, compactness, smoothness and push/pull/legs day
types, plus the rules beyond the seed (time budget, per-session cap, 48 h rest, sessions per
muscle, hard targets). The fast formulation (`workout_pipeline.program.solve`) builds the same
model over classes of interchangeable exercises, where `y` becomes the integer number of
exercises of the class on the day: any total of sets between `min_sets*n` and `max_sets*n`
splits into n exercises of `min_sets..max_sets` sets, so both have the same optimum. A class
may narrow that range (`ExerciseClass.set_range`: the routine objective keeps a lifter's own lifts
near their usual sets; `exercises.set_bounds`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, WEEKDAYS, ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass, set_bounds

@dataclass
class ProgramModel:
    """A built PuLP problem and the handles needed to read a program back from it."""

    problem: Any  # pulp.LpProblem
    classes: list[ExerciseClass]
    days: list[int]  # day indices 0..D-1
    sets: dict[tuple[int, int], Any]  # (class index, day) -> integer sets variable
    count: dict[tuple[int, int], Any]  # (class index, day) -> exercises selected
    day_type: dict[tuple[int, str], Any]  # (day, push|pull|legs) -> binary (or fixed 0/1)
    contribution: dict[str, Any] = field(default_factory=dict)  # muscle -> affine expression
    ordered_days: bool = False  # interchangeable days ordered by total sets (symmetry breaking)
    trained: dict[tuple[str, int], Any] = field(default_factory=dict)  # (muscle, day) -> binary, where a rule needs it


def conflicting_day_pairs(weekdays: Sequence[str], rest_h: float | None) -> list[tuple[int, int]]:
    """Pairs of training days closer than `rest_h` hours, the week wrapping around."""
    if rest_h is None:
        return []
    positions = [WEEKDAYS.index(w) for w in weekdays]
    pairs = []
    for a in range(len(positions)):
        for b in range(a + 1, len(positions)):
            gap_days = abs(positions[a] - positions[b])
            gap_days = min(gap_days, 7 - gap_days)
            if gap_days * 24 < rest_h:
                pairs.append((a, b))
    return pairs


def add_target_rows(prob: Any, c: ProgramConstraints, contribution: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Soft targets with under/over slacks (and, for the routine objective, a free band of
    +-target_tolerance/2 sets, and the growth slack `grow` up to `c.growth_room()`, the sets
    between the lifter's own volume and that band, cheaper than `under`) and hard minimums on
    `contribution`; returns (under, over, their cost in the objective)."""
    import pulp

    targets, hard = c.effective_targets(), c.effective_hard_targets()
    under = {m: prob.add_variable(f"under_{m}", lowBound=0) for m in targets}
    over = {m: prob.add_variable(f"over_{m}", lowBound=0) for m in targets}
    grow = {m: prob.add_variable(f"grow_{m}", lowBound=0, upBound=room) for m, room in c.growth_room().items()}
    half = c.target_tolerance / 2
    band = {m: prob.add_variable(f"band_{m}", lowBound=-half, upBound=half) for m in targets} if half else {}
    for m, target in targets.items():
        prob += (contribution[m] + under[m] + (grow[m] if m in grow else 0) - over[m] + (band[m] if band else 0)
                 == target), f"target_{m}"
    for m, minimum in hard.items():
        prob += contribution[m] >= minimum, f"hard_target_{m}"
    cost = (c.under_penalty * pulp.lpSum(under.values()) + c.growth_penalty * pulp.lpSum(grow.values())
            + c.over_penalty * pulp.lpSum(over.values()))
    return under, over, cost


def build_model(
    classes: list[ExerciseClass],
    constraints: ProgramConstraints,
    fixed_types: Sequence[str] | None = None,
    type_counts: dict[str, int] | None = None,
    symmetric_day_groups: Sequence[Sequence[int]] = (),
    feasibility_only: bool = False,
    seed_style: bool = False,
    day_categories: Sequence[frozenset[str]] | None = None,
    day_costs: dict[tuple[int, int], float] | None = None,
    keep: "Sequence[int] | dict[int, float]" = (),
    require: Sequence[int] = (),
) -> ProgramModel:
    """Build the weekly program MILP.

    Args:
        classes: Exercise classes (one per exercise for the naive formulation).
        constraints: Validated constraints (rules switched off are None / empty).
        fixed_types: Day type per training day, or None to let the model choose (binaries).
        type_counts: Exact number of days of each type (the fast formulation enumerates them).
        symmetric_day_groups: Groups of interchangeable days; within each group the days are
            ordered by total sets (symmetry breaking, keeps one optimum of each orbit).
        feasibility_only: Zero objective (used to test whether a set of rules conflicts).
        seed_style: Link each exercise to its day type one by one, as the seed did (naive);
            otherwise one aggregated capacity row per day and category.
        day_categories: Categories each training day takes (core fits every day), instead of
            one push/pull/legs type per day (the routine objective's day shapes).
        day_costs: Extra objective cost of selecting class i on day d, keyed (i, d).
        keep: Classes the week should hold on at least one day (each missing one costs
            `staple_miss_penalty`, or its own cost where `keep` maps classes to costs).
        require: Classes the week must hold on at least one day (hard).

    Returns:
        The built `ProgramModel`.
    """
    import pulp

    c = constraints
    n_days = c.training_days
    days = list(range(n_days))
    targets = c.effective_targets()
    hard = c.effective_hard_targets()
    max_ex = c.max_exercises_per_day
    prob = pulp.LpProblem("weekly_program", pulp.LpMinimize)

    # day types
    day_type: dict[tuple[int, str], Any] = {}
    if day_categories is not None:
        fixed_types = [None] * n_days  # the days' shapes are given: no day-type binaries
    for d in days:
        for k in DAY_TYPES:
            if day_categories is not None:
                day_type[d, k] = 1 if k in day_categories[d] else 0
            elif fixed_types is not None:
                day_type[d, k] = 1 if fixed_types[d] == k else 0
            else:
                day_type[d, k] = prob.add_variable(f"z_{d}_{k}", cat="Binary")
        if fixed_types is None:
            prob += pulp.lpSum(day_type[d, k] for k in DAY_TYPES) == 1, f"one_type_{d}"
    if fixed_types is None:
        for k in DAY_TYPES:
            if type_counts is not None:
                prob += pulp.lpSum(day_type[d, k] for d in days) == type_counts[k], f"type_count_{k}"
            else:
                prob += pulp.lpSum(day_type[d, k] for d in days) >= c.split[k], f"split_{k}"

    # sets and selections per class and day
    sets: dict[tuple[int, int], Any] = {}
    count: dict[tuple[int, int], Any] = {}
    for i, cls in enumerate(classes):
        cap = min(cls.size, max_ex)
        low, high = set_bounds(cls, c)
        for d in days:
            if day_categories is not None:
                if cls.category != "core" and cls.category not in day_categories[d]:
                    continue
            elif cls.category != "core" and fixed_types is not None and fixed_types[d] != cls.category:
                continue
            sets[i, d] = prob.add_variable(f"x_{i}_{d}", lowBound=0, upBound=high * cap, cat="Integer")
            if cap == 1:
                count[i, d] = prob.add_variable(f"y_{i}_{d}", cat="Binary")
            else:
                count[i, d] = prob.add_variable(f"y_{i}_{d}", lowBound=0, upBound=cap, cat="Integer")
            prob += sets[i, d] <= high * count[i, d], f"max_sets_{i}_{d}"
            prob += sets[i, d] >= low * count[i, d], f"min_sets_{i}_{d}"
            if seed_style and cls.category != "core" and fixed_types is None:
                prob += count[i, d] <= cap * day_type[d, cls.category], f"type_link_{i}_{d}"

    by_day: dict[int, list[int]] = {d: [i for i in range(len(classes)) if (i, d) in sets] for d in days}
    totals = {d: pulp.lpSum(sets[i, d] for i in by_day[d]) for d in days}
    for d in days:
        n_sel = pulp.lpSum(count[i, d] for i in by_day[d])
        prob += n_sel >= c.min_exercises_per_day, f"min_exercises_{d}"
        prob += n_sel <= max_ex, f"max_exercises_{d}"
        if not seed_style and fixed_types is None:
            for k in DAY_TYPES:
                members = [count[i, d] for i in by_day[d] if classes[i].category == k]
                if members:
                    prob += pulp.lpSum(members) <= max_ex * day_type[d, k], f"type_cap_{d}_{k}"
        if c.session_minutes is not None:
            prob += (
                pulp.lpSum(classes[i].set_seconds * sets[i, d] for i in by_day[d]) <= 60.0 * c.session_minutes,
                f"session_time_{d}",
            )

    # muscle contributions
    contribution: dict[str, Any] = {}
    for muscle in sorted(set(targets) | set(hard)):
        terms = []
        for (i, d), var in sets.items():
            weight = dict(classes[i].contributions).get(muscle)
            if weight:
                terms.append(weight * var)
        contribution[muscle] = pulp.lpSum(terms)
    under, over, target_cost = add_target_rows(prob, c, contribution)

    # per-session rules on direct (primary) work
    direct_muscles = sorted({m for cls in classes for m in cls.primary})
    if c.max_hard_sets_per_muscle_session is not None:
        for m in direct_muscles:
            for d in days:
                members = [sets[i, d] for i in by_day[d] if m in classes[i].primary]
                if members:
                    prob += pulp.lpSum(members) <= c.max_hard_sets_per_muscle_session, f"session_cap_{m}_{d}"
    conflicts = conflicting_day_pairs(c.weekdays, c.rest_between_muscle_sessions_h)
    session_muscles = set(targets) if c.min_sessions_per_muscle is not None else set()
    rest_muscles = set(direct_muscles) if conflicts else set()
    trained_on: dict[tuple[str, int], Any] = {}
    for m in sorted(session_muscles | rest_muscles):
        trained = {}
        for d in days:
            members = [count[i, d] for i in by_day[d] if m in classes[i].primary]
            trained[d] = trained_on[m, d] = prob.add_variable(f"trained_{m}_{d}", cat="Binary")
            if m in rest_muscles:
                prob += pulp.lpSum(members) <= max_ex * trained[d], f"trained_up_{m}_{d}"
            if m in session_muscles:
                prob += trained[d] <= pulp.lpSum(members), f"trained_down_{m}_{d}"
        if m in rest_muscles:
            for a, b in conflicts:
                prob += trained[a] + trained[b] <= 1, f"rest_{m}_{a}_{b}"
        if m in session_muscles:
            prob += pulp.lpSum(trained.values()) >= c.min_sessions_per_muscle, f"sessions_{m}"

    # the lifter's staples and session lifts (soft) and required exercises (hard): on at least one day
    missing, miss_cost = {}, keep_costs(keep, c)
    for i in miss_cost:
        missing[i] = prob.add_variable(f"keep_missing_{i}", lowBound=0, upBound=1)
        prob += pulp.lpSum(count[i, d] for d in days if (i, d) in count) + missing[i] >= 1, f"keep_{i}"
    for i in require:
        prob += pulp.lpSum(count[i, d] for d in days if (i, d) in count) >= 1, f"require_{i}"

    # symmetry breaking among interchangeable days
    for group in symmetric_day_groups:
        for a, b in zip(group, group[1:]):
            prob += totals[a] >= totals[b], f"order_{a}_{b}"

    if feasibility_only:
        prob += pulp.lpSum([]), "objective"
    else:
        total = pulp.lpSum(totals.values())
        dev_up = {d: prob.add_variable(f"smooth_over_{d}", lowBound=0) for d in days}
        dev_down = {d: prob.add_variable(f"smooth_under_{d}", lowBound=0) for d in days}
        for d in days:
            prob += totals[d] - (1.0 / n_days) * total == dev_up[d] - dev_down[d], f"smooth_{d}"
        prob += (
            target_cost
            + c.set_cost * pulp.lpSum(sets.values())
            + pulp.lpSum(classes[i].selection_cost * var for (i, d), var in count.items())
            + c.smoothness_cost * pulp.lpSum(dev_up[d] + dev_down[d] for d in days)
            + pulp.lpSum(cost * count[key] for key, cost in (day_costs or {}).items() if key in count)
            + pulp.lpSum(miss_cost[i] * var for i, var in missing.items())
        ), "objective"
    return ProgramModel(prob, classes, days, sets, count, day_type, contribution, ordered_days=bool(symmetric_day_groups),
                        trained=trained_on)


def keep_costs(keep: "Sequence[int] | dict[int, float]", c: ProgramConstraints) -> dict[int, float]:
    """What missing each kept class costs: `keep` as given when it maps classes to costs, else
    `staple_miss_penalty` for each."""
    return dict(keep) if isinstance(keep, dict) else dict.fromkeys(keep, c.staple_miss_penalty)


def build_naive_model(classes: list[ExerciseClass], constraints: ProgramConstraints) -> ProgramModel:
    """The seed formulation over individual exercises (classes of size one), all rules on.

    Args:
        classes: One class per exercise (`build_classes(..., aggregate=False)`).
        constraints: Validated constraints.

    Returns:
        The built `ProgramModel` (day types chosen by binaries, no symmetry breaking).
    """
    if any(cls.size != 1 for cls in classes):
        raise ValueError("the naive model takes one class per exercise")
    return build_model(classes, constraints, seed_style=True)


def evaluate_objective(model: ProgramModel, constraints: ProgramConstraints) -> float:
    """The seed objective (with preference terms) of the program held in `model`'s variables.

    Used when a program comes from a model whose own objective differs (a feasibility solve).
    """
    c = constraints
    sets = {key: round(var.varValue or 0) for key, var in model.sets.items()}
    counts = {key: round(var.varValue or 0) for key, var in model.count.items()}
    value = 0.0
    for m, target in c.effective_targets().items():
        got = sum(dict(model.classes[i].contributions).get(m, 0.0) * s for (i, d), s in sets.items())
        value += c.under_penalty * max(0.0, target - got) + c.over_penalty * max(0.0, got - target)
    value += c.set_cost * sum(sets.values())
    value += sum(model.classes[i].selection_cost * n for (i, d), n in counts.items())
    per_day = [sum(s for (i, day), s in sets.items() if day == d) for d in model.days]
    mean = sum(per_day) / len(per_day)
    value += c.smoothness_cost * sum(abs(t - mean) for t in per_day)
    return value
