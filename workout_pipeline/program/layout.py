"""The day-level stages of the seed objective's solve: a week laid out over the days (a program,
an upper bound), the full aggregated model warm-started from the best program, and the rescue
search when no program was found (`program/compose.py` composes them)."""

from dataclasses import replace
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.engine import SHARES, Budget, Candidate, Infeasible, Week, run_solver
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.milp import ProgramModel, build_model, conflicting_day_pairs, evaluate_objective
from workout_pipeline.program.stages import SolveContext, with_spares


def symmetric_groups(constraints: ProgramConstraints) -> list[list[int]]:
    """Days that are interchangeable: all of them when no 48 h rule links particular weekdays."""
    if conflicting_day_pairs(constraints.weekdays, constraints.rest_between_muscle_sessions_h):
        return []
    return [list(range(constraints.training_days))]


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


def lay_out_stage(ctx: SolveContext, week: Week, tag: str, budget: Budget) -> Candidate | None:
    """Spread a week's sets per class over the days: a program, or None.

    Day types are first laid out by the week's counts, then left free; last, the week's
    classes (plus spares) get their sets free. Each model gets `SHARES.day_model` of the time
    left (at least `SHARES.day_model_min_s`).
    """
    import pulp

    classes, c = ctx.classes, ctx.constraints
    used = [i for i, total in week.sets.items() if total > 0]
    laid_out = arrange_day_types(week.type_days, c)
    attempts = [("days_fixed", used, laid_out, True), ("days_free_types", used, None, True),
                ("days_free_sets", with_spares(classes, used), laid_out, False)]
    for stage, members, fixed, fix_sets in attempts:
        day_model = build_model([classes[i] for i in members], c, fixed_types=fixed,
                                symmetric_day_groups=ctx.groups if fixed is None else ())
        if fix_sets:
            for j, i in enumerate(members):
                day_sets = [var for (k, d), var in day_model.sets.items() if k == j]
                day_model.problem += pulp.lpSum(day_sets) == week.sets[i], f"weekly_{j}"
        run = run_solver(day_model.problem, max(SHARES.day_model * budget.left(), SHARES.day_model_min_s), ctx.gap / 2)
        ctx.report[f"{stage}_{tag}"] = run
        if run["objective"] is not None:
            # the day model's classes are a subset: map its solution onto the full index
            return Candidate(f"{stage}_{tag}", objective=run["objective"], program=_reindex(day_model, members, classes))
    return None


def full_model_stage(ctx: SolveContext, best: ProgramModel | None, budget: Budget, name: str = "full") -> Candidate:
    """The full aggregated model (interchangeable days ordered by total sets), warm-started from
    `best`: the stage that makes the method exact. Its bound holds for every program."""
    full = build_model(ctx.classes, ctx.constraints, symmetric_day_groups=ctx.groups)
    start = start_values(best, full) if best is not None else None
    run = run_solver(full.problem, budget.seconds, ctx.gap, start)
    ctx.report[name] = run
    if run["status"] == "infeasible":
        raise Infeasible
    return Candidate(name, objective=run["objective"], bound=run["bound"],
                     program=full if run["objective"] is not None else None)


def rescue_stage(ctx: SolveContext, budget: Budget) -> Candidate | None:
    """No program within the budget: any feasible one (over budget, at least
    `SHARES.rescue_min_s`), as the start of a short improving search."""
    rescue = build_model(ctx.classes, ctx.constraints, symmetric_day_groups=ctx.groups, feasibility_only=True)
    run = run_solver(rescue.problem, max(budget.left(), SHARES.rescue_min_s), 1.0)
    ctx.report["rescue"] = run
    if run["status"] == "infeasible":
        raise Infeasible
    if run["objective"] is None:
        return None
    return Candidate("rescue", objective=evaluate_objective(rescue, ctx.constraints), program=rescue)


def _reindex(day_model: ProgramModel, used: list[int], classes: list[ExerciseClass]) -> ProgramModel:
    """Express a day model built over `classes[used]` in the indices of `classes`."""
    sets = {(used[j], d): var for (j, d), var in day_model.sets.items()}
    count = {(used[j], d): var for (j, d), var in day_model.count.items()}
    return replace(day_model, classes=classes, sets=sets, count=count)


def start_values(best: ProgramModel, full: ProgramModel) -> dict[Any, float]:
    """Values of `full`'s integer variables (the keys) that reproduce the program held in `best`;
    the continuous rest (slacks, deviations) is completed by HiGHS."""
    start: dict[Any, float] = {}
    order = list(best.days)
    if full.ordered_days:
        # interchangeable days are ordered by total sets in the full model: sort ours the same way
        totals = {d: sum(round(var.varValue or 0) for (i, day), var in best.sets.items() if day == d) for d in best.days}
        order = sorted(best.days, key=lambda d: -totals[d])
    position = {d: p for p, d in enumerate(order)}
    values = {(i, position[d]): (round(var.varValue or 0), round(best.count[i, d].varValue or 0))
              for (i, d), var in best.sets.items()}
    for key, var in full.sets.items():
        sets, count = values.get(key, (0, 0))
        start[var] = sets
        start[full.count[key]] = count
    for (d, k), var in full.day_type.items():
        source = best.day_type[order[d], k]
        if hasattr(var, "varValue"):
            start[var] = round(source if isinstance(source, (int, float)) else (source.varValue or 0))
    for (m, d), var in full.trained.items():
        on = any(m in full.classes[i].primary and n > 0 for (i, day), (_, n) in values.items() if day == d)
        start[var] = 1.0 if on else 0.0
    return start
