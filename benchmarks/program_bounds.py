"""Routine objective, few training days: is the best week optimal, and which bound can prove it?

For a setting (default: issue 14's "defaults, 2 days, no history") it measures, one after another:

- the fast path at a 1 s budget (`solve_program`), its best week and proven bound;
- the full model given to HiGHS with a long limit: the proven optimum (or the best bound);
- the week master (`build_week_master`) solved to optimality: its optimum is the best bound it
  can ever give;
- the full model with the master's rows carried into it (`carry_master`): the time to prove;
- a bound by day patterns (`workout_pipeline/program/day_patterns.py`): the full model's
  Dantzig-Wolfe reformulation (a convex combination of feasible day patterns per day, the
  targets, staples, required lifts and smoothness linking them) solved by column generation,
  each day priced exactly by the DP (and, with `--highs-pricing`, by HiGHS: the reference), its
  LP value the best bound of that family (`day_pattern_bounds`);
  and, at its final duals, the Lagrangian decomposition bound of the week master and the days
  (the master's feasible set, an integer program, on the week's side; each day's patterns on the
  other), valid for any multipliers.

Each bound is a proven lower bound (a solver's dual bound, or the documented relaxations above,
whose pricing problems are solved to proven optimality and read through their dual bounds).

Run: .venv/bin/python benchmarks/program_bounds.py [--days 2] [--full-limit 300] [--highs-pricing] [--no-write]
(a few minutes: the full model alone needs about a minute on a quiet machine; the day patterns
priced by the DP a tenth of a second, by HiGHS (`--highs-pricing`, the reference) a minute or more)
Results: the `program_bounds` section of docs/benchmarks.md.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def routine_instance(catalog: Any, constraints: dict, history: Any = None, athlete: str | None = None,
                     limit_s: float = 1.0) -> tuple[dict[str, Any], Any]:
    """Solve once with the fast path and keep what `solve_week` was given (model, rules, day
    shapes, day costs, staples, required lifts, new-form groups); the model holds the best week."""
    import workout_pipeline.program.week as week
    from workout_pipeline.program import solve_program

    seen: dict[str, Any] = {}
    original = week.solve_week

    def keep(model, c, day_categories, day_costs, keep, require, one_a_day, time_limit_s, gap, day_lifts=()):
        seen.update(model=model, c=c, day_categories=day_categories, day_costs=day_costs or {}, keep=keep,
                    require=require, one_a_day=one_a_day)
        return original(model, c, day_categories, day_costs, keep, require, one_a_day, time_limit_s, gap, day_lifts)

    week.solve_week = keep
    try:
        result = solve_program(catalog, dict(constraints), history=history, athlete_id=athlete, time_limit_s=limit_s,
                               week_start="2026-12-07")
    finally:
        week.solve_week = original
    return seen, result


def carry_master(inst: dict[str, Any]) -> Any:
    """The full model with the week master's rows in it (its S and N as the full model's weekly
    sums, integer; its other variables copied) and the row `objective >= master objective`."""
    import pulp

    from workout_pipeline.program.master import build_week_master

    model = inst["model"]
    problem = model.problem.deepcopy()
    by_name = {v.name: v for v in problem.variables()}
    if not any(name.startswith("week_sets_") for name in by_name):
        from workout_pipeline.program.week import weekly_handles

        weekly_handles(model)  # the staged solve ended before adding them
        problem = model.problem.deepcopy()
        by_name = {v.name: v for v in problem.variables()}
    master, _, _ = build_week_master(model.classes, inst["c"], inst["day_categories"], inst["day_costs"], inst["keep"],
                                     inst["require"], inst["one_a_day"])
    sub = {}
    for var in master.variables():
        kind, _, index = var.name.partition("_")
        if kind in ("S", "N") and index.isdigit():
            sub[var.name] = by_name[f"week_{'sets' if kind == 'S' else 'days'}_{index}"]
            sub[var.name].cat = "Integer"
        else:
            sub[var.name] = problem.add_variable(f"master_{var.name}", var.lowBound, var.upBound, cat=var.cat)
    for n, row in enumerate(master.constraints()):
        problem += pulp.LpConstraint(pulp.lpSum(a * sub[v.name] for v, a in row.items()), row.sense, f"master_row_{n}",
                                     -row.constant)
    problem += problem.objective - pulp.lpSum(a * sub[v.name] for v, a in master.objective.items()) >= master.objective.constant
    return problem


def _day_pricer(inst: dict[str, Any], d: int) -> tuple[Any, dict[int, int], dict[int, int]]:
    """Day d's feasible set (the full model's rows of that day) as a HiGHS MIP: returns the
    model and the column index of x[i] (sets) and y[i] (exercises) per class."""
    import highspy

    from workout_pipeline.program.exercises import set_bounds

    c, classes = inst["c"], inst["model"].classes
    h = highspy.Highs()
    h.silent()
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-9)
    here = [i for i, cls in enumerate(classes) if cls.category == "core" or cls.category in inst["day_categories"][d]]
    # classes the day cannot tell apart (same rows, same costs, same new-form groups; not staples
    # or required lifts, whose duals differ): one of them per group when at most one goes on a
    # day, else ordered by sets (a pattern with them swapped is the same pattern)
    groups = {i: tuple(n for n, group in enumerate(inst["one_a_day"]) if i in group) for i in here}
    twins: dict[tuple, list[int]] = {}
    for i in here:
        if i in inst["keep"] or i in inst["require"]:
            continue
        cls = classes[i]
        key = (cls.category, cls.contributions, tuple(sorted(cls.primary)), cls.set_seconds, cls.selection_cost,
               cls.set_range, cls.size, inst["day_costs"].get((i, d), 0.0), groups[i])
        twins.setdefault(key, []).append(i)
    ordered = []
    for key, members in twins.items():
        if len(members) > 1 and key[-1]:
            here = [i for i in here if i not in members[1:]]
        elif len(members) > 1:
            ordered += list(zip(members, members[1:]))
    x, y = {}, {}
    integer = highspy.HighsVarType.kInteger
    for i in here:
        cap = min(classes[i].size, c.max_exercises_per_day)
        low, high = set_bounds(classes[i], c)
        x[i] = h.addVariable(lb=0, ub=high * cap, type=integer)
        y[i] = h.addVariable(lb=0, ub=cap, type=integer)
        h.addConstr(x[i] - high * y[i] <= 0)
        h.addConstr(x[i] - low * y[i] >= 0)
    for a, b in ordered:
        h.addConstr(x[a] - x[b] >= 0)
    count = sum(y.values())
    h.addConstr(count >= c.min_exercises_per_day)
    h.addConstr(count <= c.max_exercises_per_day)
    if c.session_minutes is not None:
        h.addConstr(sum(classes[i].set_seconds * x[i] for i in here) <= 60.0 * c.session_minutes)
    if c.max_hard_sets_per_muscle_session is not None:
        for m in sorted({m for i in here for m in classes[i].primary}):
            h.addConstr(sum(x[i] for i in here if m in classes[i].primary) <= c.max_hard_sets_per_muscle_session)
    for group in inst["one_a_day"]:
        members = [y[i] for i in group if i in y]
        if len(members) > 1:
            h.addConstr(sum(members) <= 1)
    return h, {i: v.index for i, v in x.items()}, {i: v.index for i, v in y.items()}


class HighsDayPricer:
    """Day d's pricing by HiGHS (`_day_pricer`), as `day_patterns.DayPricer` is called:
    `price(set_costs, count_costs)` returns HiGHS's proven dual bound and its pattern. The
    reference the DP is checked against (72 CPU-s of pricing on the 2-day defaults)."""

    def __init__(self, inst: dict[str, Any], d: int):
        self.h, self.x, self.y = _day_pricer(inst, d)

    def price(self, set_costs: Any, count_costs: Any) -> tuple[float, dict[int, int], dict[int, int]]:
        for i, col in self.x.items():
            self.h.changeColCost(col, float(set_costs[i]))
        for i, col in self.y.items():
            self.h.changeColCost(col, float(count_costs[i]))
        self.h.run()
        if self.h.getInfo().primal_solution_status != 2:
            return float("inf"), {}, {}
        values = self.h.getSolution().col_value
        return (self.h.getInfo().mip_dual_bound, {i: round(values[col]) for i, col in self.x.items() if round(values[col])},
                {i: round(values[col]) for i, col in self.y.items() if round(values[col])})


def day_pattern_bounds(inst: dict[str, Any], limit_s: float = 600.0, contribution_scale: float = 1.0,
                       pricer: str = "dp") -> dict[str, Any]:
    """The Dantzig-Wolfe bound by column generation and the Lagrangian decomposition bound
    (`workout_pipeline.program.day_patterns.pattern_bounds`, whose docstring says why each is a
    lower bound), started from the best week the fast path found; `pricer`: "dp" (the exact
    dynamic programme, `DayPricer`) or "highs" (`HighsDayPricer`). `contribution_scale` != 1 is
    only for the test's deliberate error."""
    from workout_pipeline.program.day_patterns import pattern_bounds

    model = inst["model"]
    start = [({i: round(v.varValue or 0) for (i, e), v in model.sets.items() if e == d and round(v.varValue or 0)},
              {i: round(v.varValue or 0) for (i, e), v in model.count.items() if e == d and round(v.varValue or 0)})
             for d in model.days]
    pricers = [HighsDayPricer(inst, d) for d in model.days] if pricer == "highs" else None
    cpu = time.process_time()
    found = pattern_bounds(model.classes, inst["c"], inst["day_categories"], inst["day_costs"], inst["keep"],
                           inst["require"], inst["one_a_day"], start=start, limit_s=limit_s, pricers=pricers,
                           contribution_scale=contribution_scale)
    return {**found, "cpu_seconds": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--constraints", default="", help="JSON constraints instead of the defaults at --days")
    parser.add_argument("--full-limit", type=float, default=300.0)
    parser.add_argument("--pattern-limit", type=float, default=1200.0)
    parser.add_argument("--highs-pricing", action="store_true", help="also price the days with HiGHS (a minute or more)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from _report import write_section

    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.program.master import build_week_master
    from workout_pipeline.program.solve import run_solver

    constraints = json.loads(args.constraints) if args.constraints else {"training_days": args.days}
    label = args.constraints or f"defaults, {args.days} days, no history"
    load = os.getloadavg()[0]
    inst, fast = routine_instance(load_catalog(), constraints)
    lines = [f"fast path, 1 s budget: {fast.solve_seconds:.2f} s, best week {fast.objective:.3f}, bound {fast.lower_bound:.3f} "
             f"(gap {100 * fast.gap:.2f}%)"]
    print(lines[-1], flush=True)
    full = run_solver(inst["model"].problem.deepcopy(), args.full_limit, 1e-6)
    optimum = full["objective"] if full["status"] == "optimal" else None
    best = min(fast.objective, full["objective"] or float("inf"))
    lines.append(f"full model, HiGHS, {args.full_limit:g} s limit: {full['seconds']:.1f} s, {full['status']}, week "
                 f"{full['objective']:.3f}, bound {full['bound']:.3f}")
    print(lines[-1], flush=True)

    def gap(bound: float | None) -> str:
        return "-" if bound is None else f"{100 * max(0.0, best - bound) / best:.2f}%"

    master, _, _ = build_week_master(inst["model"].classes, inst["c"], inst["day_categories"], inst["day_costs"],
                                     inst["keep"], inst["require"], inst["one_a_day"])
    m_run = run_solver(master, args.full_limit, 1e-7)
    lines.append(f"week master solved to optimality: {m_run['seconds']:.1f} s, optimum {m_run['objective']:.3f} "
                 f"(gap to the best week {gap(m_run['bound'])})")
    print(lines[-1], flush=True)
    carried = run_solver(carry_master(inst), args.full_limit, 1e-6)
    lines.append(f"full model with the master's rows: {carried['seconds']:.1f} s, {carried['status']}, bound "
                 f"{carried['bound']:.3f}")
    print(lines[-1], flush=True)
    try:
        for pricer in ("dp", "highs") if args.highs_pricing else ("dp",):
            pattern = day_pattern_bounds(inst, args.pattern_limit, pricer=pricer)
            lines.append(f"day patterns priced by {'the DP (`day_patterns.DayPricer`)' if pricer == 'dp' else 'HiGHS'} "
                         f"(column generation, {pattern['rounds']} rounds, {pattern['columns']} columns, "
                         f"{pattern['cpu_seconds']:.2f} CPU-s, {pattern['seconds']:.2f} s): Dantzig-Wolfe bound "
                         f"{'not converged' if pattern['dantzig_wolfe'] is None else format(pattern['dantzig_wolfe'], '.3f')} "
                         f"(gap {gap(pattern['dantzig_wolfe'])}); decomposition bound (week master + days) "
                         f"{pattern['decomposition']:.3f} (gap {gap(pattern['decomposition'])})")
            print(lines[-1], flush=True)
    except ValueError as error:
        lines.append(f"day patterns: not measured ({error})")
        print(lines[-1], flush=True)
    verdict = (f"The best week {best:.3f} is {'the proven optimum' if optimum is not None else 'not proven optimal here'}.")
    markdown = "\n".join([f"Bound study (`benchmarks/program_bounds.py`), routine objective, {label}; load average "
                          f"{load:.1f} -> {os.getloadavg()[0]:.1f} on the 2-core machine (times are wall clock).", "",
                          *(f"- {line}" for line in lines), "", verdict])
    print(markdown)
    if not args.no_write:
        write_section("program_bounds", markdown)


if __name__ == "__main__":
    main()
