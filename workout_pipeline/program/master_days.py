"""The routine week master's view of the days (`build_week_master(..., days=True)`).

The weekly rows of `program/master.py` do not see which day a lift lands on. Under the 48 h
rule that is what binds when a day's muscles chain many lifts onto it: simulated athlete
sim020's legs days (Mon, Tue) are back to back, so each leg muscle is trained on one of them,
and the master put nine leg lifts (two forms of the back extension among them) on Monday,
which holds seven and 90 minutes: its optimum 140.0 against the full model's 156.73.
`day_split` gives the master each class's sets and exercises on each of its days. It was a
stage of `week.solve_week` until the fifteenth round, when the full model, warm-started after
the master's exercises alone, proved the same weeks sooner (docs/program.md, "Day master"); it
stays a tested relaxation (`test_day_master_stays_below_the_full_optimum`).
"""

from collections.abc import Sequence
from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass, set_bounds


def day_split(prob: Any, classes: list[ExerciseClass], c: ProgramConstraints, opened: dict[int, list[int]],
              trained: dict[tuple[str, int], Any], S: dict[int, Any], N: dict[int, Any],
              day_costs: dict[tuple[int, int], float], day_cost: dict[int, Any],
              one_a_day: Sequence[Sequence[int]] = (), exercises_only: bool = False) -> Any:
    """Continuous x[i,d] (sets) and w[i,d] (exercises) of class i on each of its open days d,
    with `Σ_d x[i,d] = S[i]`, `Σ_d w[i,d] = N[i]`, and on each day the full model's day rows:
    `min_sets·w <= x <= max_sets·w`, `min_ex <= Σ_i w <= max_ex`, session time, the per-session
    cap on each primary muscle m (times t[m,d], the master's trained days, under the 48 h rule),
    `w[i,d] <= cap_i·t[m,d]` for each primary muscle m of i, at most one exercise of each
    `one_a_day` group, and `day_cost_i >= Σ_d cost[i,d]·w[i,d]`. Returns `Σ_d |T_d - T/D|` of
    the day totals `T_d = Σ_i x[i,d]`, a lower bound of the full model's smoothness term.

    Why every row holds for every program of the full model: take x[i,d] and w[i,d] as its own
    x and y (integers are continuous values too), t[m,d] = 1 exactly where m is trained directly
    (the rest windows hold since the full model's `trained` obeys them and y <= max_ex·trained).
    Then each row above is one of the full model's rows on day d (`program/milp.py`:
    max/min_sets, min/max_exercises, session_time, session_cap with t = 1 where any direct set
    is, trained_up, one_form), the sums are the definitions of S and N, the day-cost row holds
    with equality, and the smoothness expression is the full model's own. So the master's
    optimum with these rows is still at most the full model's.

    `exercises_only`: only w[i,d], its trained-day rows, its sums `N[i]` and each day's most
    exercises (a subset of the rows above, so a relaxation too); returns 0. Far fewer rows,
    and it still sees the 48 h rule chaining lifts that share a muscle onto one day of a
    back-to-back pair, which the week master does not (simulated athlete sim044 of
    `simulate_athletes(1000, seed=0)`: the week master's optimum 13.18, its week does not lay
    out; with these rows 36.30, the full model's optimum). Not a stage of `solve_week`: it
    took 0.6-1.1 s to prove on the athletes it helps (docs/program.md).
    """
    import pulp

    x, w = {}, {}
    n_days = c.training_days
    for i, cls in enumerate(classes):
        cap = min(cls.size, c.max_exercises_per_day)
        low, high = set_bounds(cls, c)
        for d in opened[i]:
            w[i, d] = prob.add_variable(f"split_days_{i}_{d}", lowBound=0, upBound=cap)
            if not exercises_only:
                x[i, d] = prob.add_variable(f"split_sets_{i}_{d}", lowBound=0, upBound=high * cap)
                prob += x[i, d] <= high * w[i, d], f"split_max_{i}_{d}"
                prob += x[i, d] >= low * w[i, d], f"split_min_{i}_{d}"
            for m in sorted(cls.primary):
                if (m, d) in trained:
                    prob += w[i, d] <= cap * trained[m, d], f"split_trained_{i}_{m}_{d}"
        if not exercises_only:
            prob += pulp.lpSum(x[i, d] for d in opened[i]) == S[i], f"split_sets_{i}"
        prob += pulp.lpSum(w[i, d] for d in opened[i]) == N[i], f"split_days_{i}"
        if i in day_cost and not exercises_only:
            prob += day_cost[i] >= pulp.lpSum(day_costs.get((i, d), 0.0) * w[i, d] for d in opened[i]), f"split_cost_{i}"
    total = pulp.lpSum(S.values())
    spread = []
    for d in range(n_days):
        here = [i for i in range(len(classes)) if (i, d) in w]
        prob += pulp.lpSum(w[i, d] for i in here) <= c.max_exercises_per_day, f"split_max_ex_{d}"
        if exercises_only:
            continue
        prob += pulp.lpSum(w[i, d] for i in here) >= c.min_exercises_per_day, f"split_min_ex_{d}"
        if c.session_minutes is not None:
            prob += pulp.lpSum(classes[i].set_seconds * x[i, d] for i in here) <= 60.0 * c.session_minutes, f"split_time_{d}"
        if c.max_hard_sets_per_muscle_session is not None:
            for m in sorted({m for i in here for m in classes[i].primary}):
                limit = c.max_hard_sets_per_muscle_session * (trained[m, d] if (m, d) in trained else 1)
                prob += pulp.lpSum(x[i, d] for i in here if m in classes[i].primary) <= limit, f"split_cap_{m}_{d}"
        for n, members in enumerate(one_a_day):
            group = [w[i, d] for i in members if (i, d) in w]
            if len(group) > 1:
                prob += pulp.lpSum(group) <= 1, f"split_one_a_day_{n}_{d}"
        deviation = prob.add_variable(f"split_spread_{d}", lowBound=0)
        day_total = pulp.lpSum(x[i, d] for i in here)
        prob += deviation >= day_total - (1.0 / n_days) * total, f"split_spread_up_{d}"
        prob += deviation >= (1.0 / n_days) * total - day_total, f"split_spread_down_{d}"
        spread.append(deviation)
    return 0 if exercises_only else pulp.lpSum(spread)
