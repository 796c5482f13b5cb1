"""The routine objective (the default): the lifter's own week, improved.

The MIP, over the candidate exercises `e` (the lifter's lifts, required and preferred ones, and
for each targeted muscle the few cheapest catalog exercises that train it) and the training
days `d` (their number and shapes from the lifter's routine, `program/routine.py`):

    x[e,d] in Z+            sets of e on day d
    y[e,d] in {0,1}         e selected on day d          (only where e's category fits day d)
    min_sets*y[e,d] <= x[e,d] <= max_sets*y[e,d]
    min_ex <= sum_e y[e,d] <= max_ex                                        for every day d
    c_m = sum_{e,d} p[e,m] x[e,d]    (p = 1 primary, secondary_weight secondary)
    c_m + under_m + grow_m - over_m + band_m = target_m                   for targeted m
    0 <= grow_m <= target_m - 1 - own_m      (own_m: the lifter's weekly sets, `target_floors`)
    sum_d y[s,d] + miss_s >= 1,  0 <= miss_s <= 1       for each staple s and each lift s of
                                                        the week's day templates
    sum_d y[r,d] >= 1                                                     for each required r
    (+ the rules of the constraints file: session time, 48 h, per-session cap, sessions per
       muscle, hard targets; `program/milp.py`)

    minimise  under_penalty*sum under + growth_penalty*sum grow + over_penalty*sum over + set_cost*sum x
            + sum_{e,d} (cost_e + off_day[e,d]) y[e,d] + staple_miss_penalty*sum_staples miss
            + TEMPLATE_MISS_COST*sum_other template lifts miss
            + smoothness_cost*sum_d |t_d - T/D|

A lift of the lifter's own (in the recent weeks) gets within `OWN_SETS_BAND` (1) sets of its
usual sets per session (the median of its recent sessions), inside `min_sets..max_sets` and
with room for one more than the least (`own_set_range`): a lifter who does 3 sets of leg
extensions is not told 5 while their 7-set bench press drops to 4. Where those ranges leave no
program, they are dropped (the constraints file's rules decide).

`cost_e` is the documented quality cost (`program/quality.py`: familiar, standard, compound,
equipment) and `off_day[e,d]` is `off_routine_day_cost` when the lifter's lift goes on a day
whose template does not hold it. Targets default to the lifter's own recent weekly sets per
muscle moved half-way into the 10-20 range, for the muscles they train directly (at least 2
sets a week as a primary muscle); a band of `target_tolerance` (2) sets around a target is
free (`band_m` in [-1, 1] in the target row), so a new exercise enters only for a real shortfall;
below the band and down to the lifter's own volume a set short costs `growth_penalty` (1), a
nudge that does not pull their lifts out for new ones (below their own volume, 10). Days
default to their recent sessions per week. Loads, reps and rest: `program/prescribe.py`.

Without a history, the staples `s` are the *starter staples* (`starter_staples`): the plain
form of each of the six foundation lifts (`quality.FOUNDATION_LIFTS`) that the equipment,
injuries and exclusions allow, from `STARTER_STAPLES_MIN_DAYS` (2) training days; and fill-ins of
equal cost go by coaching priority (`quality.foundation_rank`), not by name. From
`STARTER_ACCESSORY_MIN_DAYS` (3) days the other lifts get at most one set over `min_sets`
(`starter_set_range`), so the week's volume goes to the foundation lifts.
"""

import dataclasses
import math
import time
from typing import Any

import pandas as pd

from workout_pipeline.catalog.records import Catalog, as_catalog
from workout_pipeline.errors import InputError
from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import EligibleExercise, Prescription, build_classes, eligible_exercises
from workout_pipeline.program.explain import explain_infeasibility
from workout_pipeline.program.milp import build_model
from workout_pipeline.program.loads import is_assisted, load_text
from workout_pipeline.program.prescribe import Dose, Recommendation, prescribe, read_recommendations, set_reps, wave
from workout_pipeline.program.quality import (EQUIPMENT_COST, FOUNDATION_LIFTS, foundation_group, foundation_rank, movement,
                                               qualifiers, quality_cost, session_rank, standardness)
from workout_pipeline.program.routine import Routine, read_routine
from workout_pipeline.program.week_shape import day_label, day_shapes, routine_defaults

FILL_INS_PER_MUSCLE = 2
# starter staples from this many training days (one day would be the six lifts and little else). At 2
# days they had left the defaults unproven in 1 s (2.1-3.2%) until weeks with staples skipped the day
# patterns' bound (it sees staples poorly) and the layout freed the master's sets: 0.17% in 0.6 s
STARTER_STAPLES_MIN_DAYS = 2
STARTER_ACCESSORY_EXTRA_SETS = 1  # without history, a lift besides the starter staples gets min_sets or one more ...
STARTER_ACCESSORY_MIN_DAYS = 3  # ... from this many training days
TEMPLATE_MISS_COST = 2.0  # a lift of the week's day templates (not a staple) left out of the week
OWN_SETS_BAND = 1  # a lift of the lifter's own gets its usual sets per session, +- this many
MIN_SOLVE_S = 0.05  # the least the solver gets, whatever reading the history took
STARTER_REASON = "a foundation lift of a beginner's week"  # a starter staple's reason (program.md says why)


def solve_routine(catalog: Catalog, c: ProgramConstraints, history: pd.DataFrame | None,
                  recommendations: pd.DataFrame | None, athlete_id: str | None, unit: str,
                  week_start: pd.Timestamp, time_limit_s: float, gap: float, formulation: str = "fast") -> dict[str, Any]:
    """Solve the routine objective (module docstring); returns days, muscles and solver facts.

    `formulation` "fast" solves in stages (`program/week.py`: week master, layout, then the
    full model warm-started); "naive" gives the full model to HiGHS as it is."""
    from workout_pipeline.program.solve import run_solver, symmetric_groups
    from workout_pipeline.program.week import solve_week

    started = time.perf_counter()
    catalog = as_catalog(catalog)
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    routine = None
    if history is not None and len(history):
        routine = read_routine(history, athlete_id, muscles, c.recent_weeks, c.staples, c.secondary_weight)
    given_rest = c.rest_between_muscle_sessions_h
    c = routine_defaults(c, routine)
    own_rest = given_rest is not None and c.rest_between_muscle_sessions_h is None  # off: the lifter's sessions break it
    ever = routine.ever if routine else frozenset()
    eligible = eligible_exercises(catalog, c, {}, ever)
    if routine is not None:  # the lifter's own lifts whatever their kind (a kettlebell swing, a burpee)
        known = {e.exercise_id for e in eligible}
        own = Catalog(tuple(e for e in catalog if e.exercise_id in set(routine.recent) - known), catalog.origin)
        if len(own):
            kinds = tuple(sorted({e.kind for e in own}))
            eligible += eligible_exercises(own, dataclasses.replace(c, exercise_kinds=kinds), {}, ever)
    by_id = {e.exercise_id: e for e in eligible}
    recs = read_recommendations(recommendations, athlete_id)
    starters = starter_staples(eligible, c, catalog) if routine is None else []
    shapes = day_shapes(c, routine, by_id)
    pool = _pool(eligible, c, routine, starters, [s["categories"] for s in shapes])
    pool = [_with_dose(dataclasses.replace(e, set_range=own_set_range(e.exercise_id, routine, c)
                                           or starter_set_range(e.exercise_id, starters, c)), c, routine, recs, unit,
                       week_start) for e in pool]
    classes = build_classes([e for e, _ in pool], c, aggregate=False)
    doses = {e.exercise_id: dose for e, dose in pool}
    index = {cls.members[0].exercise_id: i for i, cls in enumerate(classes)}
    staples = [s for s in (routine.staples if routine else starters) if s in index]
    missing_required = [r for r in c.require_exercises if r not in index]
    if missing_required:
        raise InputError(f"required exercise(s) {', '.join(missing_required)} cannot be prescribed: excluded, or outside equipment/exercise_kinds")
    recent = set(routine.recent) if routine else set()
    day_costs = {(index[e], d): c.off_routine_day_cost for e in recent if e in index
                 for d, shape in enumerate(shapes) if shape["lifts"] and e not in shape["lifts"]}

    # days of the same shape are interchangeable when no 48 h rule links particular weekdays
    same: dict[tuple, list[int]] = {}
    for d, shape in enumerate(shapes):
        same.setdefault((shape["categories"], shape["lifts"]), []).append(d)
    groups = [g for g in same.values() if len(g) > 1] if symmetric_groups(c) else []

    day_lifts = [[index[e] for e in shape["lifts"] if e in index] for shape in shapes]
    # what leaving out a staple costs, and every other lift of the week's day templates
    keep = {index[s]: c.staple_miss_penalty for s in staples}
    keep |= {i: TEMPLATE_MISS_COST for lifts in day_lifts for i in lifts if i not in keep}

    def build(constraints: ProgramConstraints, feasibility_only: bool = False):
        return build_model(classes, constraints, day_categories=[s["categories"] for s in shapes], day_costs=day_costs,
                           symmetric_day_groups=groups,
                           keep=keep, require=[index[r] for r in constraints.require_exercises if r in index],
                           feasibility_only=feasibility_only)

    def solve(model):
        # a beginner's week from 3 days, where the accessories' cap sends a day's volume to a
        # second form of a foundation lift (4 days: a Pendlay Row beside the Bent Over Row); at
        # 2 days it doubled the master's time (0.37 -> 0.55 s) and left the week unproven in 1 s
        one_a_day = new_form_groups(classes, recent, by_foundation_lift=starter_rules(c, starters))
        _one_new_form_per_movement(model, one_a_day)
        # the time limit is the whole call's: what reading the routine and building took is spent
        budget_s = max(MIN_SOLVE_S, time_limit_s - (time.perf_counter() - started))
        if formulation == "naive":
            return run_solver(model.problem, budget_s, gap)
        return solve_week(model, c, [s["categories"] for s in shapes], day_costs, keep,
                          [index[r] for r in c.require_exercises if r in index], one_a_day, budget_s, gap,
                          day_lifts=day_lifts)

    model = build(c)
    run = solve(model)
    if run["status"] == "infeasible" and any(cls.set_range is not None for cls in classes):
        # the lifter's usual sets are a preference: the constraints file's rules come first
        classes = [dataclasses.replace(cls, set_range=None) for cls in classes]
        model = build(c)
        run = solve(model)
    rest_rule_off = (run["status"] == "infeasible" and routine is not None and c.rest_between_muscle_sessions_h is not None
                     and "rest_between_muscle_sessions_h" not in c.given)
    if rest_rule_off:
        # 48 h between sessions of a muscle is a coach's default, not the lifter's rule: one who
        # squats every day gets their week without it rather than an error
        c = dataclasses.replace(c, rest_between_muscle_sessions_h=None)
        model = build(c)
        run = solve(model)
    if run["objective"] is None:
        if run["status"] == "infeasible":
            def feasible(relaxed: ProgramConstraints) -> bool | None:
                probe = run_solver(build(relaxed, feasibility_only=True).problem, 10.0, 1.0)
                return False if probe["status"] == "infeasible" else (True if probe["objective"] is not None else None)
            raise InputError(explain_infeasibility(c, feasible))
        raise InputError(f"no program found within the time limit of {time_limit_s:g} s; raise --time-limit")
    days = _read_days(model, c, shapes, doses, routine, unit, week_start, staples)
    return {"constraints": c, "run": run, "days": days, "routine": routine, "n_considered": len(eligible), "n_classes": len(classes),
            "rest_rule_off": "no week" if rest_rule_off else ("your sessions" if own_rest else None)}


def new_form_groups(classes, recent: set[str], by_foundation_lift: bool = False) -> list[list[int]]:
    """Classes (one exercise each) that are new forms of one movement, with `by_foundation_lift`
    of one foundation lift (`quality.foundation_group`: the rows, the pull-ups and pulldowns): at
    most one of each group goes on a day (no Chin Up next to Chin Up (Weighted) as fill-ins, no
    Pendlay Row beside a beginner's Bent Over Row)."""
    groups: dict[str, list[int]] = {}
    for i, cls in enumerate(classes):
        e = cls.members[0]
        group = foundation_group(e.name) if by_foundation_lift else None
        key = movement(e.name) if group is None else f"foundation {group}"
        if key is not None and e.exercise_id not in recent:
            groups.setdefault(key, []).append(i)
    return [members for _, members in sorted(groups.items()) if len(members) > 1]


def _one_new_form_per_movement(model, groups: list[list[int]]) -> None:
    """At most one class of each of `groups` per day (`new_form_groups`)."""
    import pulp

    for n, members in enumerate(groups):
        for d in model.days:
            counts = [model.count[i, d] for i in members if (i, d) in model.count]
            if len(counts) > 1:
                model.problem += pulp.lpSum(counts) <= 1, f"one_form_{n}_{d}"


def starter_staples(eligible: list[EligibleExercise], c: ProgramConstraints, catalog: Catalog) -> list[str]:
    """The staples of a lifter without history: for each of the six foundation lifts
    (`quality.FOUNDATION_LIFTS`: squat, bench press, deadlift, overhead press, a row, a pull-up
    or chin-up) its plain form (a standard lift with no qualifier word, compound) that the
    equipment, injuries, exercise kinds and avoid list allow; the coach's first movement of a
    group first, then barbell, dumbbell, and the cheaper equipment. A group one of whose forms
    you exclude by name has none (you said no to that lift), and `staples: 0` turns them off, as
    do fewer than `STARTER_STAPLES_MIN_DAYS` training days (there only the fill-ins' tie-break
    by coaching priority, `_pool`, favours them)."""
    if c.staples == 0 or c.training_days < STARTER_STAPLES_MIN_DAYS:
        return []
    excluded = set(c.exclude_exercises)  # catalog ids (`names.with_resolved_names`)
    dropped = {foundation_group(e.name) for e in catalog if e.exercise_id in excluded}
    best: dict[int, tuple[tuple, str]] = {}
    for e in eligible:
        group = foundation_group(e.name)
        if (group is None or group in dropped or e.avoided or not e.compound or standardness(e.name) < 1.0
                or qualifiers(e.name)):
            continue
        key = (FOUNDATION_LIFTS[group].index(movement(e.name)), e.equipment != "barbell",
               EQUIPMENT_COST.get(e.equipment, EQUIPMENT_COST["other"]), e.name)
        if group not in best or key < best[group][0]:
            best[group] = (key, e.exercise_id)
    return [best[g][1] for g in sorted(best)]


def own_set_range(exercise_id: str, routine: Routine | None, c: ProgramConstraints) -> tuple[int, int] | None:
    """Sets per session for a lift of the lifter's own: their usual (the median of its recent
    sessions, halves up) +- `OWN_SETS_BAND`, inside `min_sets..max_sets`, with room for
    `OWN_SETS_BAND` more than the least (2 sets of curls under a 3-set minimum may grow to 4,
    as a new curl would otherwise be added for the volume); None for any other lift (their
    usual for any lift as the range of a new one: 1,000 simulated athletes 924 -> 916 proven
    in 1 s, and sim12's week kept its new press)."""
    usual = routine.lift_sets.get(exercise_id) if routine is not None else None
    if usual is None:
        return None
    n = math.floor(usual + 0.5)
    low = min(max(n - OWN_SETS_BAND, c.min_sets), c.max_sets)
    return low, min(max(n, low) + OWN_SETS_BAND, c.max_sets)


def starter_rules(c: ProgramConstraints, starters: list[str]) -> bool:
    """Whether a beginner's week gets the starter rules (`starter_set_range`, one form of each
    foundation lift a day): starter staples and `STARTER_ACCESSORY_MIN_DAYS` training days. At 2
    days the six staples fill half the slots and the rules left the week unproven (2.8% at 10 s,
    against 0.17% in 0.6 s without them)."""
    return bool(starters) and c.training_days >= STARTER_ACCESSORY_MIN_DAYS


def starter_set_range(exercise_id: str, starters: list[str], c: ProgramConstraints) -> tuple[int, int] | None:
    """With the starter rules (`starter_rules`): the starter staples take `min_sets..max_sets`,
    every other lift at most `STARTER_ACCESSORY_EXTRA_SETS` more than `min_sets` (the volume
    goes to the foundation lifts, as a coach's beginner week puts it); else None."""
    if not starter_rules(c, starters) or exercise_id in starters:
        return None
    return c.min_sets, min(c.min_sets + STARTER_ACCESSORY_EXTRA_SETS, c.max_sets)


def _pool(eligible: list[EligibleExercise], c: ProgramConstraints, routine: Routine | None,
          starters: list[str] = (), day_categories: list[frozenset[str]] = ()) -> list[EligibleExercise]:
    """Candidates: recent lifts, required and preferred ones, the starter staples, and per
    targeted muscle the cheapest few others (older lifts of the lifter, then new catalog
    exercises; equal costs, for a lifter without history, by coaching priority,
    `quality.foundation_rank`, then by name); and, for a day whose categories (`day_categories`,
    with core) the pool cannot fill to `min_exercises_per_day`, the cheapest others of those
    categories (a one-session lifter with a bench press and no muscle at a target was told no
    week of 2 lifts a day exists "with this catalog")."""
    recent = set(routine.recent) if routine else set()
    ever = routine.ever if routine else frozenset()
    most = max(routine.recent.values(), default=0) if routine else 0
    wanted = set(c.require_exercises) | set(c.prefer_exercises) | set(starters)
    costed = []
    for e in eligible:
        cost = quality_cost(e.name, e.compound, e.equipment, new=e.exercise_id not in ever,
                            stale=e.exercise_id in ever and e.exercise_id not in recent, constraints=c,
                            rarity=1.0 - routine.recent[e.exercise_id] / most if e.exercise_id in recent and most else 0.0)
        costed.append(dataclasses.replace(e, cost=cost))
    pool = {e.exercise_id: e for e in costed if (e.exercise_id in recent or e.exercise_id in wanted) and not e.avoided}
    done = {movement(e.name) for e in pool.values() if e.exercise_id in recent or e.exercise_id in starters} - {None}
    # a beginner's fill-ins of equal cost by coaching priority; a lifter's with history as before
    # (by name: with the priority their weeks changed to other weeks of the same cost)
    starter_rank = foundation_rank if routine is None else (lambda name: (0, 0))
    for muscle in sorted(set(c.effective_targets()) | set(c.effective_hard_targets())):
        # a new form of a movement the lifter already does (or is given as a starter staple) adds
        # nothing their own lift cannot
        others = sorted((e for e in costed if muscle in e.primary and e.exercise_id not in pool and not e.avoided
                         and movement(e.name) not in done), key=lambda e: (e.cost, starter_rank(e.name), e.name))
        for e in others[:FILL_INS_PER_MUSCLE]:
            pool[e.exercise_id] = e
    for categories in dict.fromkeys(day_categories):
        fits = lambda e: e.category in categories or e.category == "core"  # noqa: E731
        short = c.min_exercises_per_day - sum(fits(e) for e in pool.values())
        if short > 0:
            spare = sorted((e for e in costed if fits(e) and e.exercise_id not in pool and not e.avoided),
                           key=lambda e: (e.cost, starter_rank(e.name), e.name))
            for e in spare[:short]:
                pool[e.exercise_id] = e
    return list(pool.values())


def _with_dose(e: EligibleExercise, c: ProgramConstraints, routine: Routine | None, recs: dict[str, Recommendation],
               unit: str, week_start: pd.Timestamp) -> tuple[EligibleExercise, Dose]:
    lift = routine.lift_history(e.exercise_id, week_start) if routine else None
    default_reps = c.default_reps_compound if e.compound else c.default_reps_isolation
    dose = prescribe(e.compound, e.equipment, e.load_step_kg, unit, lift, recs.get(e.exercise_id), default_reps,
                     is_assisted(e.exercise_id))
    return dataclasses.replace(e, prescription=Prescription(dose.reps, dose.rest_s, dose.load_kg, dose.source)), dose


def _role(exercise_id: str, routine: Routine | None, c: ProgramConstraints, primary: frozenset[str],
          staples: list[str] = ()) -> str:
    if exercise_id in c.require_exercises:
        return "you asked for it"
    if routine is None:
        return STARTER_REASON if exercise_id in staples else "a standard lift for this day"
    if exercise_id in routine.staples:
        sessions = routine.recent.get(exercise_id, 0)
        return f"staple ({sessions} session{'' if sessions == 1 else 's'} in {c.recent_weeks} wk)"
    if exercise_id in routine.recent:
        return "in your routine"
    short = ", ".join(m.replace("_", " ") for m in sorted(primary & set(c.effective_targets()))) or "volume"
    if exercise_id in routine.ever:
        return f"done before, adds {short}"
    return f"new: adds {short} your routine is short of"


def _read_days(model, c, shapes, doses, routine, unit, week_start, staples=()) -> list[dict[str, Any]]:
    from workout_pipeline.program.constraints import WEEKDAYS

    done = [(i, day, sets_var) for (i, day), sets_var in model.sets.items()
            if round(sets_var.varValue or 0) > 0 and round(model.count[i, day].varValue or 0) > 0]
    on_days: dict[int, list[int]] = {}
    for i, day, _ in done:
        on_days.setdefault(i, []).append(day)
    # a lift done several times a week keeps the lifter's heavy, medium and light days
    waves = {}
    for i, ds in on_days.items():
        e = model.classes[i].members[0]
        lift = routine.lift_history(e.exercise_id, week_start) if routine else None
        waves[i] = dict(zip(sorted(ds), wave(doses[e.exercise_id], lift, len(ds), e.compound, e.equipment, e.load_step_kg, unit)))
    days = []
    for d in model.days:
        entries = []
        for i, day, sets_var in done:
            if day != d:
                continue
            e = model.classes[i].members[0]
            dose = waves[i][d]
            order = shapes[d]["lifts"].index(e.exercise_id) if e.exercise_id in shapes[d]["lifts"] else 99
            entries.append(((not e.compound, order, session_rank(e.name), e.name.lower()), {
                "exercise_id": e.exercise_id,
                "name": e.name,
                "logged_name": routine.logged_names.get(e.exercise_id) if routine else None,
                "sets": int(round(sets_var.varValue)),
                "reps": int(dose.reps),
                "set_reps": set_reps(int(dose.reps), dose.rep_profile, int(round(sets_var.varValue))),
                "load": dose.load,
                "unit": unit,
                "load_kg": None if dose.load_kg is None else round(dose.load_kg, 2),
                "load_text": load_text(dose.load, unit, e.exercise_id, e.equipment, dose.source == "history"),
                "rest_s": float(dose.rest_s),
                "source": dose.source,
                "last_performed": dose.last_performed,
                "reason": f"{_role(e.exercise_id, routine, c, e.primary, staples)}: {dose.reason}",
                "category": e.category,
                "primary_muscles": sorted(e.primary),
                "secondary_muscles": sorted(e.secondary),
            }))
        # compound lifts first, then the lifter's own order; lifts their template does not
        # place by `quality.session_rank` (the foundation lifts first), then by name
        entries.sort(key=lambda entry: entry[0])
        trained = frozenset(row["category"] for _, row in entries) - {"core"}
        weekday = c.weekdays[d]
        date = (week_start + pd.Timedelta(days=WEEKDAYS.index(weekday))).date().isoformat()
        days.append({"day": d + 1, "weekday": weekday, "date": date, "type": day_label(trained) if trained else "core", "exercises": [row for _, row in entries]})
    return days
