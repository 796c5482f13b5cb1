"""The week's shape from the lifter's routine: the defaults a history fills in (days, targets and
their floors, sizes, the per-session cap, the 48 h rule) and which kind of session each day takes.

`routine_defaults` fills every constraints key the user did not set from `program/routine.py`'s
`Routine`; `day_shapes` gives each training day its label, categories and template lifts
(`template_days` shares the days among the lifter's kinds of session); without a history the
days are a coach's usual split (`_SPLITS`). Used by `program/plan.py`.
"""

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from workout_pipeline.program.constraints import DAY_TYPES, DEFAULT_WEEKDAYS, ProgramConstraints
from workout_pipeline.program.exercises import EligibleExercise
from workout_pipeline.program.routine import DayTemplate, Routine

LITERATURE_RANGE = (10.0, 20.0)  # weekly effective sets for a trained muscle
TRAINED_MIN_SETS = 2.0  # a muscle with fewer direct weekly sets is not one the lifter trains
TARGET_TOLERANCE = 2.0  # width of the free band around a routine target (sets)
MAX_EXERCISES_PER_DAY = 10  # the lifter's own session length, up to this
MAX_DIRECT_SETS_PER_SESSION = 16  # the lifter's own per-muscle session volume, up to this
NO_HISTORY_DAYS = 3
# the 48 h default is off for a lifter whose sessions trained a muscle twice within it in at least
# this share of their recent weeks (legs on Monday, deadlifts on Tuesday): one who follows the rule
# never breaks it, and kept it dropped such lifters' staples from the week (a simulated lifter's
# Romanian deadlift and deadlift: 39.8 against 10.1)
OWN_REST_SHARE = 0.25
# Day shapes without a routine: a coach's usual splits by number of days.
_SPLITS = {1: ["full"], 2: ["full", "full"], 3: ["full", "full", "full"], 4: ["upper", "lower", "upper", "lower"],
           5: ["upper", "lower", "push", "pull", "legs"], 6: ["push", "pull", "legs"] * 2,
           7: ["push", "pull", "legs"] * 2 + ["full"]}
_SHAPE_CATEGORIES = {"full": frozenset(DAY_TYPES), "upper": frozenset({"push", "pull"}), "lower": frozenset({"legs"}),
                     "push": frozenset({"push"}), "pull": frozenset({"pull"}), "legs": frozenset({"legs"})}


def routine_target(weekly_sets: float) -> float:
    """The lifter's weekly sets moved half-way into the literature range, in whole sets."""
    low, high = LITERATURE_RANGE
    goal = min(max(weekly_sets, low), high)
    return round(weekly_sets + 0.5 * (goal - weekly_sets), 0) if weekly_sets else goal


def routine_defaults(c: ProgramConstraints, routine: Routine | None) -> ProgramConstraints:
    """Constraints with every key the user did not set filled from the lifter's routine:
    days, targets, and a per-session cap, exercises per day and a minimum of sets per lift
    that their own sessions fit."""
    changes: dict[str, Any] = {}
    if routine is not None and routine.templates:
        sizes = [len(t.exercises) for t in template_days(routine.templates, routine.days, routine.sessions_per_week)]
        if "min_exercises_per_day" not in c.given:
            changes["min_exercises_per_day"] = max(1, min(c.min_exercises_per_day, *sizes))
        if "max_exercises_per_day" not in c.given:
            changes["max_exercises_per_day"] = min(MAX_EXERCISES_PER_DAY, max(c.max_exercises_per_day, *sizes))
        usual = int(round(routine.usual_sets))
        if "min_sets" not in c.given:  # two sets a lift when that is what you do
            changes["min_sets"] = max(1, min(c.min_sets, usual))
        if "max_sets" not in c.given:  # at most two more than you usually do
            changes["max_sets"] = max(changes.get("min_sets", c.min_sets), min(c.max_sets, usual + 2))
        if "max_hard_sets_per_muscle_session" not in c.given and c.max_hard_sets_per_muscle_session is not None:
            cap = min(MAX_DIRECT_SETS_PER_SESSION, max(c.max_hard_sets_per_muscle_session, routine.max_direct_per_session))
            changes["max_hard_sets_per_muscle_session"] = cap
    if "training_days" not in c.given and "weekdays" not in c.given:
        days = routine.days if routine is not None else NO_HISTORY_DAYS
        changes.update(training_days=days, weekdays=DEFAULT_WEEKDAYS[days])
    if "min_sessions_per_muscle" not in c.given:
        changes["min_sessions_per_muscle"] = None  # their routine sets how often a muscle is trained
    if rests_less_than_rule(c, routine):
        changes["rest_between_muscle_sessions_h"] = None  # nor how soon it is trained again
    if "targets" not in c.given and routine is not None:
        changes["targets"] = {m: routine_target(v) for m, v in sorted(routine.weekly_sets.items())
                              if routine.direct_sets.get(m, 0.0) >= TRAINED_MIN_SETS}
        # short of a target, but not of what the lifter does now: a nudge (growth_penalty), not a
        # cut to repair at any price (a 3-day lifter's one upper day lost its pulldown, lateral
        # raise and hammer curl to two new lifts that credit more muscles a set); a week of fewer
        # days than their sessions a week expects that share of their volume (4 days for 4.33
        # sessions had a new Arnold press and triceps dip fill the push day it has no room for)
        share = min(1.0, changes.get("training_days", c.training_days) / routine.sessions_per_week) if routine.sessions_per_week else 1.0
        changes["target_floors"] = {m: routine.weekly_sets[m] * share for m in changes["targets"]}
    if "target_tolerance" not in c.given:
        changes["target_tolerance"] = TARGET_TOLERANCE
    return dataclasses.replace(c, **changes)


def rests_less_than_rule(c: ProgramConstraints, routine: Routine | None) -> bool:
    """Whether the lifter's own sessions broke the default 48 h rule (one they did not set) in
    at least `OWN_REST_SHARE` of their recent weeks."""
    rest_h = c.rest_between_muscle_sessions_h
    if routine is None or rest_h is None or "rest_between_muscle_sessions_h" in c.given or not routine.fewest_rest_days:
        return False
    return routine.weeks_resting_less(rest_h) >= OWN_REST_SHARE * len(routine.fewest_rest_days)


def day_shapes(c: ProgramConstraints, routine: Routine | None, by_id: dict[str, EligibleExercise]) -> list[dict[str, Any]]:
    """Label, categories and template lifts of each training day."""
    n = c.training_days
    if routine is None or not routine.templates:
        out = [{"label": shape, "categories": _SHAPE_CATEGORIES[shape], "lifts": ()} for shape in _SPLITS[n]]
        for required in c.require_exercises:
            exercise = by_id.get(required)
            if exercise is not None and exercise.category != "core" and not any(exercise.category in s["categories"] for s in out):
                out[0]["categories"] = out[0]["categories"] | {exercise.category}
        return out
    out = []
    chosen = template_days(routine.templates, n, routine.sessions_per_week)
    for template in chosen:
        lifts = tuple(e for e in template.exercises if e in by_id)
        categories = frozenset(by_id[e].category for e in lifts) - {"core"}
        out.append({"label": day_label(categories), "categories": categories or frozenset(DAY_TYPES), "lifts": lifts})
    for staple in (*routine.staples, *c.require_exercises):  # staples and required lifts have a day of their kind
        exercise = by_id.get(staple)
        if exercise is None or exercise.category == "core" or any(exercise.category in s["categories"] for s in out):
            continue
        home = next((s for s in out if staple in s["lifts"]), out[0])
        home["categories"] = home["categories"] | {exercise.category}
        home["label"] = day_label(home["categories"])
    # a kind of session the week has no day for (more kinds than days) still has a day for its
    # categories, the one with the fewest lifts: a push / pull / legs lifter at 2 days whose
    # staples are all upper-body lifts is not left without legs
    for template in (t for t in routine.templates if not any(t is picked for picked in chosen)):
        for category in sorted({by_id[e].category for e in template.exercises if e in by_id} - {"core"}):
            if not any(category in s["categories"] for s in out):
                home = min(out, key=lambda s: len(s["lifts"]))
                home["categories"] = home["categories"] | {category}
                home["label"] = day_label(home["categories"])
    return out


def template_days(templates: Sequence[DayTemplate], n: int, per_week: float) -> list[DayTemplate]:
    """The lifter's session kinds on `n` days, shared by how often they do each (`per_week`
    sessions a week in all; D'Hondt: a day goes to the kind with the most sessions per day it
    already has, ties to a kind with no day yet, then the more frequent; no kind gets more days
    than the lifter does it a week, rounded up, while another may take one): a lifter who
    trains legs twice in a 4-session week keeps two leg days (before: one, and the week chased
    their leg volume with farmer's walks on upper days). Repeats are spread through the week
    (each kind's days at even fractions of it), kinds in order of frequency."""
    weeks = sum(t.sessions for t in templates) / per_week if per_week else 1.0
    cap = [math.ceil(t.sessions / weeks - 1e-9) for t in templates]  # no more days than the lifter does it a week
    seats = [0] * len(templates)
    for _ in range(n):
        open_ = [t for t in range(len(templates)) if seats[t] < cap[t]] or list(range(len(templates)))
        k = max(open_, key=lambda t: (templates[t].sessions / (seats[t] + 1), seats[t] == 0, templates[t].sessions, -t))
        seats[k] += 1
    placed = [((j + 0.5) / seats[t], t) for t in range(len(templates)) for j in range(seats[t])]
    return [templates[t] for _, t in sorted(placed)]


def day_label(categories: frozenset[str]) -> str:
    if categories >= frozenset(DAY_TYPES) or not categories:
        return "full body"
    if categories == {"push", "pull"}:
        return "upper"
    return " + ".join(k for k in DAY_TYPES if k in categories)
