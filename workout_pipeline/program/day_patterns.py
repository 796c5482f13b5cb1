# Over 400 lines: the exact day pricer, the bounds it prices for and the argument that each is a lower bound, in one place.
"""Day patterns: a proven bound for weeks of few training days (issue 14, the 2-day row).

With two full-body days the week master's bound (`program/master.py`) stays 2.4% below the
optimum: which lifts fit together on one day of 90 minutes and 6 exercises is a bin-packing fact
that weekly sums cannot see. Here each day is a choice among its feasible *day patterns* (sets
and exercises per class satisfying that day's rows of the full model, `program/milp.py`), and

- `DayPricer` finds a day's cheapest pattern under any prices exactly, by a dynamic programme:
  the day's classes fall into components (linked by a shared primary muscle under the
  per-session cap, or by a one-a-day group); each component's feasible patterns are listed once
  (they do not depend on the prices), and the components are combined over (exercises, set
  seconds) by a min-plus knapsack in numpy, so the slot limits, the session time and the cap all
  hold exactly. (A set time that is not a whole second is rounded down: a relaxation.)
- `pattern_bounds` runs column generation on the Dantzig-Wolfe master (one convex combination of
  patterns per day; the targets, hard targets, staples, required lifts and smoothness link
  them), priced by the DP, and then the Lagrangian decomposition bound at its final duals.

Why each number is a lower bound of the full model (for any prices):

- *Lagrangian (column generation)*: at every round, restricted LP value + Σ_d (least reduced
  cost of day d, or 0) <= the Dantzig-Wolfe LP optimum <= the full optimum, because each day's
  convexity row sums to one and every program is one pattern per day. In fact, by LP duality,
  LP value + Σ_d least reduced cost is the Lagrangian bound at the LP's duals (the linking rows
  relaxed, the slack columns over their bounds, each day over its *feasible* patterns: the DP),
  a lower bound for any duals; so it holds whatever columns the LP holds: a start column that
  is no real day, or the artificial columns (a big cost on the hard rows), can only lower it.
- *Decomposition*: write the full model as min f_week(S, N) + Σ_d g_d(x_d, y_d) with S = Σ_d x_d,
  N = Σ_d y_d, where f_week holds the penalties, staples and smoothness (the week master's
  expressions, each a lower bound of the full model's for the same weekly sums) and g_d the
  set, selection and day costs. For any multipliers λ, ν (here λ_i = Σ_m (π_m + η_m)·c_im from
  the target duals, ν_i = κ_i + ρ_i from the staple and required duals) adding λ·(S - Σx) +
  ν·(N - Σy) = 0 and minimising each side over a superset of its projection of the full model's
  programs (the week master's feasible set; each day's patterns) gives
  min_week [f_week + λS + νN] + Σ_d min_day [g_d - λx_d - νy_d] <= the full optimum. The week
  side is a MIP whose proven dual bound is used, the day side the DP's exact optimum.

It needs days without a 48 h link and no sessions-per-muscle minimum (both link days per muscle);
`applies` says when it can be used.
"""

import math
import time
from collections.abc import Sequence
from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass, set_bounds
from workout_pipeline.program.milp import conflicting_day_pairs

MAX_PATTERNS = 50_000  # per day: beyond this the pricer is not built (`TooManyPatterns`; listing stops there, ~0.03 s)
ARTIFICIAL_COST = 1e4  # per unit of a hard row (required lift, hard target) the patterns leave open
INF = float("inf")


class TooManyPatterns(ValueError):
    """A day has more feasible patterns (summed over its components) than `MAX_PATTERNS`."""


def applies(c: ProgramConstraints) -> bool:
    """Day patterns price each day on its own: no 48 h link between days, no sessions minimum."""
    return not conflicting_day_pairs(c.weekdays, c.rest_between_muscle_sessions_h) and c.min_sessions_per_muscle is None


def day_classes(classes: Sequence[ExerciseClass], day_categories: Sequence[frozenset[str]], d: int) -> list[int]:
    """The classes day d can hold (core fits every day)."""
    return [i for i, cls in enumerate(classes) if cls.category == "core" or cls.category in day_categories[d]]


class DayPricer:
    """A day's cheapest feasible pattern under linear prices, exactly (see the module docstring).

    `price(set_costs, count_costs)` takes a cost per set and per exercise of each class (arrays
    over all classes) and returns (least cost, sets per class, exercises per class).
    """

    def __init__(self, classes: Sequence[ExerciseClass], c: ProgramConstraints, here: Sequence[int],
                 one_a_day: Sequence[Sequence[int]] = (), max_patterns: int = MAX_PATTERNS):
        import numpy as np

        self.here, self.min_ex, self.max_ex = list(here), c.min_exercises_per_day, c.max_exercises_per_day
        seconds = None if c.session_minutes is None else 60.0 * c.session_minutes
        secs = {i: math.floor(classes[i].set_seconds + 1e-9) for i in self.here}
        self.exact = all(abs(classes[i].set_seconds - secs[i]) < 1e-9 for i in self.here)
        # the time resource: sets per distinct set time when that table is small, else seconds
        values = sorted(set(secs.values())) if seconds is not None else []
        if values:
            step = math.gcd(*values)
            limit = int(seconds + 1e-9)
            per_value = [min(limit // v, self.max_ex * c.max_sets) + 1 for v in values]
            if math.prod(per_value) <= limit // step + 1:
                self.dims = per_value
                self.resource = {i: [1 if secs[i] == v else 0 for v in values] for i in self.here}
                grid = np.indices(per_value).reshape(len(values), -1).T @ np.array(values)
                self.time_ok = (grid <= limit).reshape(per_value)
            else:
                self.dims = [limit // step + 1]
                self.resource = {i: [secs[i] // step] for i in self.here}
                self.time_ok = np.ones(self.dims, dtype=bool)
        else:
            self.dims, self.resource, self.time_ok = [], {i: [] for i in self.here}, np.ones((), dtype=bool)
        self.limit = None if seconds is None else int(seconds + 1e-9)
        self.secs = secs
        self.components = []
        for members in _components(classes, c, self.here, one_a_day):
            self.components.append(self._enumerate(classes, c, members, one_a_day, max_patterns - self.n_patterns()))

    def _enumerate(self, classes: Sequence[ExerciseClass], c: ProgramConstraints, members: list[int],
                   one_a_day: Sequence[Sequence[int]], max_patterns: int) -> dict[str, Any]:
        """Every feasible pattern of one component (sets, exercises per member), with its key
        (exercises, resource offsets) and the distinct keys."""
        import numpy as np

        cap = c.max_hard_sets_per_muscle_session
        groups = [set(g) & set(members) for g in one_a_day]
        groups = [g for g in groups if len(g) > 1]
        muscles = sorted({m for i in members for m in classes[i].primary}) if cap is not None else []
        # the partial patterns, one row each, grown one member at a time (a member left out is
        # always an option, so their number never falls: past the limit the day is given up)
        Y = np.zeros((1, 0), dtype=np.int64)
        X = np.zeros((1, 0), dtype=np.int64)
        slots, seconds = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
        load = np.zeros((1, len(muscles)), dtype=np.int64)
        used = np.zeros((1, len(groups)), dtype=np.int64)
        for i in members:
            most = min(classes[i].size, self.max_ex)
            low, high = set_bounds(classes[i], c)
            options = np.array([(0, 0)] + [(y, x) for y in range(1, most + 1) for x in range(low * y, high * y + 1)])
            prim = np.array([m in classes[i].primary for m in muscles], dtype=bool)
            mine = np.array([i in g for g in groups], dtype=bool)
            rows = len(Y)
            oy, ox = np.repeat(options[:, 0], rows), np.repeat(options[:, 1], rows)
            new_slots, new_seconds = np.tile(slots, len(options)) + oy, np.tile(seconds, len(options)) + self.secs[i] * ox
            new_load = np.tile(load, (len(options), 1)) + np.outer(ox, prim)
            new_used = np.tile(used, (len(options), 1)) + np.outer(oy, mine)
            keep = new_slots <= self.max_ex
            if self.limit is not None:
                keep &= new_seconds <= self.limit
            if muscles:
                keep &= (new_load <= cap + 1e-9).all(axis=1)
            if groups:
                keep &= (new_used <= 1).all(axis=1)
            if keep.sum() > max_patterns:
                raise TooManyPatterns(f"a day has over {MAX_PATTERNS} patterns (a component of {len(members)} classes)")
            Y = np.concatenate([np.tile(Y, (len(options), 1)), oy[:, None]], axis=1)[keep]
            X = np.concatenate([np.tile(X, (len(options), 1)), ox[:, None]], axis=1)[keep]
            slots, seconds, load, used = new_slots[keep], new_seconds[keep], new_load[keep], new_used[keep]
        res = np.array([self.resource[i] for i in members], dtype=np.int64).reshape(len(members), len(self.dims))
        key = np.concatenate([Y.sum(axis=1, keepdims=True), X @ res], axis=1)
        keys, inverse = np.unique(key, axis=0, return_inverse=True)
        return {"members": np.array(members), "X": X, "Y": Y, "keys": keys, "inverse": inverse.reshape(-1)}

    def n_patterns(self) -> int:
        return sum(len(comp["X"]) for comp in self.components)

    def price(self, set_costs: Any, count_costs: Any) -> tuple[float, dict[int, int], dict[int, int]]:
        import numpy as np

        shape = (self.max_ex + 1, *self.dims)
        table = np.full(shape, INF)
        table[(0,) * len(shape)] = 0.0
        layers = []
        for comp in self.components:
            cost = comp["X"] @ set_costs[comp["members"]] + comp["Y"] @ count_costs[comp["members"]]
            order = np.lexsort((cost, comp["inverse"]))
            first = order[np.r_[True, np.diff(comp["inverse"][order]) != 0]]  # cheapest pattern of each key
            new, choice = table.copy(), np.full(shape, -1, dtype=np.int64)
            for u, p in enumerate(first):
                offset = comp["keys"][comp["inverse"][p]]
                if not offset.any():
                    continue  # the empty pattern: `new` starts as it
                target = tuple(slice(o, None) for o in offset)
                source = tuple(slice(0, n - o) for n, o in zip(shape, offset))
                candidate = table[source] + cost[p]
                better = candidate < new[target]
                if better.any():
                    new[target][better] = candidate[better]
                    choice[target][better] = u
            layers.append((first, choice))
            table = new
        final = np.where(self.time_ok, table, INF)
        final[: self.min_ex] = INF
        cell = np.unravel_index(int(np.argmin(final)), shape)
        best = float(final[cell])
        sets: dict[int, int] = {}
        counts: dict[int, int] = {}
        if best == INF:
            return best, sets, counts
        for comp, (first, choice) in zip(reversed(self.components), reversed(layers)):
            u = int(choice[cell])
            if u < 0:
                continue
            p = first[u]
            for i, y, x in zip(comp["members"], comp["Y"][p], comp["X"][p]):
                if y:
                    sets[int(i)], counts[int(i)] = int(x), int(y)
            cell = tuple(int(a - b) for a, b in zip(cell, comp["keys"][comp["inverse"][p]]))
        return best, sets, counts


def day_pricers(classes: Sequence[ExerciseClass], c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                one_a_day: Sequence[Sequence[int]] = (), max_patterns: int = MAX_PATTERNS) -> list[DayPricer]:
    """A `DayPricer` per day; days taking the same classes share one."""
    built: dict[tuple[int, ...], DayPricer] = {}
    for d in range(len(day_categories)):
        here = tuple(day_classes(classes, day_categories, d))
        if here not in built:
            built[here] = DayPricer(classes, c, here, one_a_day, max_patterns)
    return [built[tuple(day_classes(classes, day_categories, d))] for d in range(len(day_categories))]


def _components(classes: Sequence[ExerciseClass], c: ProgramConstraints, here: list[int],
                one_a_day: Sequence[Sequence[int]]) -> list[list[int]]:
    """Classes linked by a shared primary muscle (under the per-session cap) or a one-a-day group."""
    parent = {i: i for i in here}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[root(a)] = root(b)

    if c.max_hard_sets_per_muscle_session is not None:
        first: dict[str, int] = {}
        for i in here:
            for m in classes[i].primary:
                join(i, first.setdefault(m, i))
    for group in one_a_day:
        members = [i for i in group if i in parent]
        for a, b in zip(members, members[1:]):
            join(a, b)
    out: dict[int, list[int]] = {}
    for i in here:
        out.setdefault(root(i), []).append(i)
    return list(out.values())


def pattern_bounds(classes: Sequence[ExerciseClass], c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                   day_costs: dict[tuple[int, int], float] | None = None, keep: Sequence[int] = (),
                   require: Sequence[int] = (), one_a_day: Sequence[Sequence[int]] = (),
                   start: Sequence[tuple[dict[int, int], dict[int, int]]] = (), limit_s: float = 60.0,
                   pricers: Sequence[Any] | None = None, decomposition: bool = True,
                   contribution_scale: float = 1.0) -> dict[str, Any]:
    """Column generation on day patterns, then the decomposition bound (module docstring).

    `start`: the days of a known week ((sets, exercises) per class, per day) as first columns;
    `pricers`: one per day with `price(set_costs, count_costs)` returning a proven lower bound of
    the day's least cost and a pattern reaching it (default `DayPricer`, exact);
    `contribution_scale` != 1 only for a test's deliberate error. Returns the bounds
    (`dantzig_wolfe`: the LP optimum when the pricing proved it, else None; `lagrangian`: the
    best round bound; `decomposition`), the rounds, columns, seconds, and the patterns (day,
    sets, exercises, column) with their `weights` in the last LP.
    """
    import highspy
    import numpy as np

    started = time.perf_counter()
    if not applies(c):
        raise ValueError("day patterns need days without a 48 h link and no sessions-per-muscle minimum")
    n_days, days = c.training_days, range(c.training_days)
    day_costs = day_costs or {}
    targets, hard = c.effective_targets(), c.effective_hard_targets()
    muscles = sorted(set(targets) | set(hard))
    contrib = np.array([[dict(cls.contributions).get(m, 0.0) * contribution_scale for m in muscles] for cls in classes])
    selection = np.array([cls.selection_cost for cls in classes])
    day_cost = np.array([[day_costs.get((i, d), 0.0) for i in range(len(classes))] for d in days])
    if pricers is None:
        pricers = day_pricers(classes, c, day_categories, one_a_day)

    lp = highspy.Highs()
    lp.silent()
    lp.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    rows: dict[tuple, int] = {}

    def row(key: tuple, lower: float, upper: float) -> None:
        rows[key] = lp.getNumRow()
        lp.addRow(lower, upper, 0, np.array([], dtype=np.int32), np.array([]))

    for d in days:
        row(("convex", d), 1.0, 1.0)
    for m in targets:
        row(("target", m), targets[m], targets[m])
    for m in hard:
        row(("hard", m), hard[m], inf)
    for i in keep:
        row(("keep", i), 1.0, inf)
    for i in require:
        row(("require", i), 1.0, inf)
    for d in days:
        row(("smooth", d), 0.0, 0.0)

    def column(cost: float, low: float, up: float, entries: dict[tuple, float]) -> None:
        keys = [k for k, v in entries.items() if v]
        lp.addCol(cost, low, up, len(keys), np.array([rows[k] for k in keys], dtype=np.int32),
                  np.array([entries[k] for k in keys], dtype=float))

    half = c.target_tolerance / 2
    room = c.growth_room()
    for m in targets:
        column(c.under_penalty, 0, inf, {("target", m): 1.0})
        if m in room:
            column(c.growth_penalty, 0, room[m], {("target", m): 1.0})
        column(c.over_penalty, 0, inf, {("target", m): -1.0})
        if half:
            column(0.0, -half, half, {("target", m): 1.0})
    for m in hard:
        column(ARTIFICIAL_COST, 0, inf, {("hard", m): 1.0})
    for i in keep:
        column(c.staple_miss_penalty, 0, 1, {("keep", i): 1.0})
    for i in require:
        column(ARTIFICIAL_COST, 0, 1, {("require", i): 1.0})
    for d in days:
        column(c.smoothness_cost, 0, inf, {("smooth", d): -1.0})
        column(c.smoothness_cost, 0, inf, {("smooth", d): 1.0})

    patterns: list[tuple[int, dict[int, int], dict[int, int], int]] = []  # day, sets, exercises, column

    def add_pattern(d: int, sets: dict[int, int], count: dict[int, int]) -> None:
        total = sum(sets.values())
        cost = c.set_cost * total + sum((selection[i] + day_cost[d][i]) * n for i, n in count.items())
        credit = sum((contrib[i] * s for i, s in sets.items()), np.zeros(len(muscles)))
        entries: dict[tuple, float] = {("convex", d): 1.0}
        for k, m in enumerate(muscles):
            if m in targets:
                entries[("target", m)] = credit[k]
            if m in hard:
                entries[("hard", m)] = credit[k]
        for i in keep:
            entries[("keep", i)] = float(count.get(i, 0))
        for i in require:
            entries[("require", i)] = float(count.get(i, 0))
        for e in days:
            entries[("smooth", e)] = total * ((1.0 if e == d else 0.0) - 1.0 / n_days)
        patterns.append((d, sets, count, lp.getNumCol()))
        column(cost, 0, inf, entries)

    zero = np.zeros(len(classes))
    for d in days:
        value, sets, count = pricers[d].price(c.set_cost + zero, selection + day_cost[d])
        if value == INF:
            raise ValueError(f"day {d} has no feasible pattern")
        add_pattern(d, sets, count)
    for d, (sets, count) in enumerate(start):
        if count:
            add_pattern(d, dict(sets), dict(count))

    best_lagrangian, rounds, dw, duals = -INF, 0, None, None
    while time.perf_counter() - started < limit_s:
        rounds += 1
        lp.run()
        value = lp.getInfo().objective_function_value
        dual = np.array(lp.getSolution().row_dual)
        duals = _duals(dual, rows, muscles, targets, hard, keep, require, days, len(classes))
        set_price, count_price, sigma = duals
        bound, added = value, 0
        for d in days:
            smooth = sigma[d] - sigma.sum() / n_days
            least, sets, count = pricers[d].price(c.set_cost - contrib @ set_price - smooth, selection + day_cost[d] - count_price)
            reduced = least - dual[rows["convex", d]]
            bound += min(0.0, reduced)
            if reduced < -1e-7 and count:
                add_pattern(d, sets, count)
                added += 1
        best_lagrangian = max(best_lagrangian, bound)
        if not added:
            dw = value
            break
    out = {"dantzig_wolfe": dw, "lagrangian": best_lagrangian, "decomposition": None, "rounds": rounds,
           "columns": lp.getNumCol(), "patterns": patterns, "duals": duals,
           "weights": [lp.getSolution().col_value[col] for *_, col in patterns] if duals is not None else []}
    if decomposition and duals is not None:
        out["decomposition"] = decomposition_bound(classes, c, day_categories, day_costs, keep, require, one_a_day,
                                                   pricers, contrib, duals, max(0.05, limit_s - (time.perf_counter() - started)))
    out["seconds"] = time.perf_counter() - started
    return out


def _duals(dual: Any, rows: dict[tuple, int], muscles: list[str], targets: dict, hard: dict, keep: Sequence[int],
           require: Sequence[int], days: range, n_classes: int) -> tuple[Any, Any, Any]:
    """The restricted master's duals as prices: per muscle (targets + hard targets), per class
    (staples + required lifts), per day (smoothness)."""
    import numpy as np

    set_price = np.array([(dual[rows["target", m]] if m in targets else 0.0) + (dual[rows["hard", m]] if m in hard else 0.0)
                          for m in muscles])
    count_price = np.zeros(n_classes)
    for i in keep:
        count_price[i] += dual[rows["keep", i]]
    for i in require:
        count_price[i] += dual[rows["require", i]]
    sigma = np.array([dual[rows["smooth", d]] for d in days])
    return set_price, count_price, sigma


def decomposition_bound(classes: Sequence[ExerciseClass], c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                        day_costs: dict[tuple[int, int], float], keep: Sequence[int], require: Sequence[int],
                        one_a_day: Sequence[Sequence[int]], pricers: Sequence[Any], contrib: Any,
                        duals: tuple[Any, Any, Any], limit_s: float) -> float | None:
    """min over the week master of [penalties + staples + smoothness + λ·S + ν·N] (its proven
    dual bound) + Σ_d min over day d's patterns of [set, selection and day costs - λ·x - ν·y]
    (module docstring: valid for any λ, ν); None when the week side proved nothing in time."""
    import numpy as np
    import pulp

    from workout_pipeline.program.master import build_week_master
    from workout_pipeline.program.solve import run_solver

    set_price, count_price, _ = duals
    lam = contrib @ set_price
    master, S, N = build_week_master(list(classes), c, day_categories, day_costs, keep, require, one_a_day)
    dropped = ("S_", "N_", "day_cost_")
    objective = pulp.lpSum(a * v for v, a in master.objective.items() if not v.name.startswith(dropped))
    objective += pulp.lpSum(float(lam[i]) * S[i] + float(count_price[i]) * N[i] for i in S)
    master.setObjective(objective)
    run = run_solver(master, limit_s, 1e-9)
    if run["bound"] is None:
        return None
    selection = np.array([cls.selection_cost for cls in classes])
    total = run["bound"]
    for d in range(c.training_days):
        costs = selection + np.array([day_costs.get((i, d), 0.0) for i in range(len(classes))]) - count_price
        total += pricers[d].price(c.set_cost - lam, costs)[0]
    return total


MAX_DAYS = 2  # the stage runs for weeks of at most this many days (at 3 the week master's bound is tighter)
STAGE_MAX_PATTERNS = 5_000  # per day, in the stage: more and the pricing costs more than the master takes to
# prove such weeks (development set, 2 days: 20,000-24,000 patterns a day, 0.27 CPU-s for a bound
# below the master's); the 2-day defaults have 560


def pays(c: ProgramConstraints, keep: Sequence[int] = ()) -> bool:
    """Whether `bound_stage` is worth running: few days (where the week master's weekly sums
    miss what fits into one day), days that price on their own (`applies`) and no staples
    (`keep`: the patterns' LP covers a staple with halves of two days' patterns, so the 2-day
    starter week bounded at 196.5 here against a week of 205.4, which the master proves in 0.4 s)."""
    return c.training_days <= MAX_DAYS and applies(c) and not keep


def bound_stage(model: Any, c: ProgramConstraints, day_categories: Sequence[frozenset[str]],
                day_costs: dict[tuple[int, int], float] | None, keep: Sequence[int], require: Sequence[int],
                one_a_day: Sequence[Sequence[int]], budget_s: float) -> dict[str, Any]:
    """`pattern_bounds` as a stage of `week.solve_week`: started from the program the model holds
    (if any), its best proven bound (the larger of the column generation's and the
    decomposition's) reported as a `run_solver`-like dict with no program, and in `classes`
    the lifts of the patterns its last LP uses (on the 2-day defaults the full model over these
    11 classes finds the optimum in 0.18 s; over the 15 of all its patterns it stays at 170.90
    after 1.5 s)."""
    started = time.perf_counter()
    start = [({i: round(v.varValue or 0) for (i, e), v in model.sets.items() if e == d and round(v.varValue or 0)},
              {i: round(v.varValue or 0) for (i, e), v in model.count.items() if e == d and round(v.varValue or 0)})
             for d in model.days]
    try:
        pricers = day_pricers(model.classes, c, day_categories, one_a_day, STAGE_MAX_PATTERNS)
        found = pattern_bounds(model.classes, c, day_categories, day_costs, keep, require, one_a_day, start=start,
                               limit_s=budget_s, pricers=pricers)
    except ValueError as error:  # TooManyPatterns, or a day with no pattern (the full model says why)
        return {"status": "unknown", "objective": None, "bound": None, "seconds": time.perf_counter() - started,
                "why": str(error)}
    bound = max(found["lagrangian"], found["decomposition"] or -INF)
    return {"status": "unknown" if bound == -INF else "optimal", "objective": None,
            "bound": None if bound == -INF else float(bound), "seconds": time.perf_counter() - started,
            "rounds": found["rounds"],
            "classes": {i for (_, _, count, _), w in zip(found["patterns"], found["weights"]) if w > 1e-9 for i in count}}
