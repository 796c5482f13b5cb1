"""What a lifter is told to do with one exercise: reps, rest, load in their unit, and why.

One rule for each, written once:
- `rest_seconds(compound, reps)`: rest by kind of exercise and reps (the model's
  `recommend.py` can call it too);
- `detraining_factor(days)`: how much of a lift's strength to assume after `days` without it;
- loads in the lifter's unit and on their plates (e1RM, plate steps, rounding, how a load
  reads): `program/loads.py`;
- `prescribe(...)`: reps are the model's where they lie in the lifter's range for the lift and
  keep at least 60% of the usual ones, else the lifter's usual reps (median reps of its
  recent sets at the working weight, `routine._working_weight_reps`, inside their range); the
  load is the model's recommendation (its e1RM at those reps), else the last top set's, both
  adjusted for the time since, else none.
"""

import math
from dataclasses import dataclass
from typing import Any

from workout_pipeline.program.loads import epley_e1rm, plate_step, round_to_plates, show_load, to_kg, to_unit

# Rest (seconds) by kind and reps: heavy compound work needs the longest rests (NSCA guidance:
# 2-5 min for strength, 30-90 s for hypertrophy isolation work).
_COMPOUND_REST = ((5, 180.0), (8, 150.0), (12, 120.0))
_COMPOUND_REST_HIGH_REPS = 90.0
_ISOLATION_REST = ((8, 90.0), (12, 75.0))
_ISOLATION_REST_HIGH_REPS = 60.0

# Strength kept after a break: none lost for two weeks, then 2.5% a week, never below 80%.
_FULL_STRENGTH_DAYS = 14
_LOSS_PER_WEEK = 0.025
_FLOOR = 0.80
# A model's load stays within this band of the last top set's e1RM.
_BAND = (0.80, 1.08)
# The week takes the model's reps where they keep at least this share of the lifter's usual reps.
_MODEL_REPS_MIN_SHARE = 0.6
# A top set within this share of the wanted e1RM reads "the same effort"; beyond it the reason
# says how much harder or easier the plates made it.
_SAME_EFFORT = 0.025

# The week's sets fall like last time's (`set_reps`) only where its top set is at least this share
# of last time's e1RM (at a load no lighter): 8 reps where 13 were done need no fall-off.
_PROFILE_MIN_EFFORT = 0.97

# A lift done several times a week keeps the lifter's heavy, medium and light days (`wave`) when
# the middle half of its recent top sets' reps spans at least this many reps.
_WAVE_MIN_SPREAD = 3
_WAVE_REPS_CLOSE = 2  # a light day repeats the latest top set within this many reps of its aim ...
_WAVE_MIN_EFFORT = 0.8  # ... when its e1RM is at least this share of the last top set's (the band's floor)

def rest_seconds(compound: bool, reps: int) -> float:
    """Rest between sets by kind of exercise (compound or isolation) and reps."""
    table, high = (_COMPOUND_REST, _COMPOUND_REST_HIGH_REPS) if compound else (_ISOLATION_REST, _ISOLATION_REST_HIGH_REPS)
    for limit, seconds in table:
        if reps <= limit:
            return seconds
    return high


def detraining_factor(days_since: float | None) -> float:
    """Share of the last performance to prescribe after `days_since` days without the lift."""
    if days_since is None or days_since <= _FULL_STRENGTH_DAYS:
        return 1.0
    weeks = (days_since - _FULL_STRENGTH_DAYS) / 7.0
    return max(_FLOOR, 1.0 - _LOSS_PER_WEEK * weeks)


@dataclass(frozen=True)
class LiftHistory:
    """What the lifter did on one lift: the last top set and their recent rep range."""

    last_load_kg: float | None  # top set of the last occurrence (None or 0: bodyweight)
    last_reps: int
    last_date: str | None  # ISO date of that occurrence
    days_since: float | None  # from that date to the program's week
    rep_range: tuple[int, int]  # min, max reps of its recent sets at the working weight (routine._working_weight_reps)
    usual_reps: int  # median reps of those sets
    rep_profile: tuple[float, ...] = ()  # last time's sets at the top load, reps / the top set's (routine.rep_profiles)
    recent_tops: tuple[tuple[float, int, str], ...] = ()  # (load kg, reps, ISO date) of its top set in each recent session, oldest first

    @property
    def last_e1rm_kg(self) -> float:
        """The last top set's Epley e1RM (0 for a bodyweight lift)."""
        return epley_e1rm(self.last_load_kg or 0.0, self.last_reps)


@dataclass(frozen=True)
class Recommendation:
    """The model's next-session prescription for one lift (recommendations.parquet)."""

    load_kg: float | None
    reps: int
    reason: str
    rest_s: float | None = None
    decision: str | None = None  # add_load, add_rep, hold, back_off, deload (recommend.DECISIONS)
    confidence: float | None = None  # the model's chance that the lifter completes it

    def summary(self, with_chance: bool = True, top_set: str | None = None) -> str:
        """The model's advice in words: its decision, then `top_set` (its own top set, given
        where the week shows another), then its chance only `with_chance` (the model rates a
        next session at most `model.graph.MAX_PAIR_GAP_DAYS` after the last: after a longer break
        the chance is no one's)."""
        words = _DECISION_WORDS.get(self.decision or "")
        if words is None:
            return self.reason
        rated = with_chance and self.confidence is not None
        chance = f" ({round(100 * self.confidence)}% likely to be completed)" if rated else ""
        return f"{words}{', ' + top_set if top_set else ''}{chance}"


# How each model decision reads in the week (loads are shown beside it, in the lifter's unit).
_DECISION_WORDS = {"add_load": "add load", "add_rep": "one more rep", "hold": "hold the load",
                   "back_off": "back off one step", "deload": "deload"}


# What a recommendations file (the model's, or one a lifter edited) may say and still be read: a
# row outside these is skipped, so the week falls back to the lifter's history for that lift.
_MAX_MODEL_LOAD_KG = 1000.0
_MAX_MODEL_REPS = 100
_MAX_MODEL_REST_S = 3600.0


def _number(value: Any, low: float, high: float) -> float | None:
    """`value` as a finite number in [low, high], else None (text, NaN, inf, out of range)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def read_recommendations(recommendations: Any, athlete_id: str | None) -> dict[str, Recommendation]:
    """exercise_id -> the model's `Recommendation` for one athlete. A row is skipped unless its
    reps are a whole number of 1-100 and its load is empty, at most 0 (bodyweight) or a finite
    load up to 1,000 kg; a rest outside 0-3600 s, a chance outside 0-1 and an unknown decision
    are dropped from the row (a hostile or hand-edited file: `inf` kg crashed the week, a chance
    of 55 read "5500% likely")."""
    if recommendations is None or not len(recommendations):
        return {}
    recs = recommendations
    if athlete_id is not None and "athlete_id" in recs.columns:
        recs = recs[recs["athlete_id"] == athlete_id]
    out = {}
    for row in recs.to_dict("records"):
        exercise_id, reps, load = row.get("exercise_id"), _number(row.get("reps"), 1, _MAX_MODEL_REPS), row.get("load_kg")
        if _is_missing(exercise_id) or not str(exercise_id) or reps is None or reps != int(reps):
            continue
        if _is_missing(load) or _number(load, -math.inf, 0.0) is not None:
            load_kg = None  # none given, or bodyweight
        elif (load_kg := _number(load, 0.0, _MAX_MODEL_LOAD_KG)) is None:
            continue  # a load, but none a lifter lifts (inf, 1e12, text)
        reason, decision = row.get("reason"), row.get("decision")
        out[str(exercise_id)] = Recommendation(
            load_kg=load_kg,
            reps=int(reps),
            reason=str(reason) if isinstance(reason, str) and reason else "the model's recommendation",
            rest_s=_number(row.get("rest_s"), 0.0, _MAX_MODEL_REST_S),
            decision=decision if isinstance(decision, str) and (decision in _DECISION_WORDS or decision == "bodyweight") else None,
            confidence=_number(row.get("confidence"), 0.0, 1.0),
        )
    return out


def _is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Dose:
    """Reps, rest and load for one exercise, with where the load came from."""

    reps: int
    rest_s: float
    load: float | None  # in the lifter's unit; None: bodyweight or pick your own
    load_kg: float | None
    source: str  # model | history | default
    last_performed: str | None
    reason: str
    rep_profile: tuple[float, ...] = ()  # how the reps fall over the sets (`set_reps`); () straight sets


def prescribe(compound: bool, equipment: str, catalog_step_kg: float | None, unit: str,
              lift: LiftHistory | None, recommendation: Recommendation | None, default_reps: int,
              assisted: bool = False) -> Dose:
    """Reps, rest and load for one exercise (see the module docstring); an `assisted` lift
    (`loads.is_assisted`) keeps its last assistance (`_assisted`)."""
    if lift is None:
        reps = int(recommendation.reps) if recommendation is not None else default_reps
        load_kg = recommendation.load_kg if recommendation is not None else None
        load = None if not load_kg else round_to_plates(epley_e1rm(load_kg, reps), reps, plate_step(equipment, unit, catalog_step_kg), unit)[0]
        source = "model" if recommendation is not None else "default"
        reason = f"model: {recommendation.summary()}" if recommendation is not None else "pick a load you can lift for the reps with 2-3 to spare"
        return Dose(reps, rest_seconds(compound, reps), load or None, to_kg(load, unit) if load else None, source, None, reason)
    low, high = lift.rep_range
    # your usual reps for the lift (the model's own where in range, below), not a 5x2 squat
    reps = int(min(max(lift.usual_reps, low), high))
    factor = detraining_factor(lift.days_since)
    away = _away(lift, factor)
    if not lift.last_load_kg:
        reason = f"bodyweight, last done {lift.last_date}" if lift.last_date else "bodyweight"
        return Dose(reps, rest_seconds(compound, reps), None, None, "history", lift.last_date, reason)
    if assisted:
        return _assisted(compound, unit, lift, reps, factor)
    reference = lift.last_e1rm_kg
    if recommendation is not None and recommendation.load_kg:
        # the model's top set: its reps where they lie in the lifter's range and keep most of
        # the usual ones (moved to the usual reps, a step more with the reps back to the range's
        # bottom read as less load than last time, and a hold as more), else the usual reps (one
        # bad day's single is no plan); the model's e1RM at them, kept inside the band
        usual = reps
        if low <= recommendation.reps <= high and recommendation.reps >= _MODEL_REPS_MIN_SHARE * reps:
            reps = int(recommendation.reps)
        wanted = epley_e1rm(recommendation.load_kg, recommendation.reps) * factor
        e1rm = min(max(wanted, _BAND[0] * reference), _BAND[1] * reference)
        load, shown_reps = round_to_plates(e1rm, reps, plate_step(equipment, unit, catalog_step_kg), unit, (low, high), lift.last_load_kg)
        band = "" if e1rm == wanted or factor < 1.0 else f"within {round(100 * (_BAND[1] - 1))}% of your last top set" if e1rm > reference else \
            f"at least {round(100 * _BAND[0])}% of your last top set"
        reason = _model_reason(recommendation, lift, unit, (load, shown_reps), usual if reps == usual else None, factor, band, e1rm)
        return Dose(shown_reps, rest_seconds(compound, shown_reps), load, round(to_kg(load, unit), 3), "model", lift.last_date, reason,
                    _profile(lift, to_kg(load, unit), shown_reps))
    e1rm = reference * factor
    load, shown_reps = round_to_plates(e1rm, reps, plate_step(equipment, unit, catalog_step_kg), unit, (low, high), lift.last_load_kg)
    reason = f"{_last_top_set(lift, unit)}{away}{_history_change(lift, (to_kg(load, unit), shown_reps), e1rm, reps)}"
    return Dose(shown_reps, rest_seconds(compound, shown_reps), load, round(to_kg(load, unit), 3), "history", lift.last_date, reason,
                _profile(lift, to_kg(load, unit), shown_reps))


_ASSISTED = "assisted: "


def _assisted(compound: bool, unit: str, lift: LiftHistory, reps: int, factor: float) -> Dose:
    """An assisted lift: its last assistance again at the usual reps, after a break fewer reps
    by the break's share (its load is help, not work: the break's cut and the model's "add load"
    would make it harder and easier; without the lifter's bodyweight no e1RM reads it)."""
    eased = max(1, round(reps * factor))
    load = show_load(to_unit(lift.last_load_kg, unit))
    cut = f", {eased} reps instead of {reps} after {round(lift.days_since / 7)} weeks off" if eased < reps else ""
    reason = (f"{_ASSISTED}{load} {unit} assistance as on {lift.last_date}{cut}; take some off once your sets reach "
              f"{lift.rep_range[1]} reps")
    shown = round(to_unit(lift.last_load_kg, unit), 2)
    return Dose(eased, rest_seconds(compound, eased), shown, round(lift.last_load_kg, 3), "history", lift.last_date, reason)


def _profile(lift: LiftHistory, load_kg: float, reps: int) -> tuple[float, ...]:
    """The lift's rep fall-off where the week's top set is at least as hard as last time's (at
    least its load and `_PROFILE_MIN_EFFORT` of its e1RM: the lifter's sets fell that way
    there); at a lighter load or far fewer reps (after a break), straight sets."""
    hard = epley_e1rm(load_kg, reps) >= _PROFILE_MIN_EFFORT * lift.last_e1rm_kg
    return lift.rep_profile if hard and load_kg >= (1.0 - 0.005) * lift.last_load_kg else ()


def set_reps(top_reps: int, profile: tuple[float, ...], sets: int) -> list[int] | None:
    """Reps of each of `sets` sets when they fall like the lifter's did last time (`profile`:
    each set's reps over the first's; the later sets at its last share): 4 sets of one more rep
    after 65 kg x 4, 3, 3, 2 are 5, 4, 4, 3, not 5, 5, 5, 5. None for straight sets."""
    if not profile or sets <= 1:
        return None
    reps = [max(1, min(top_reps, math.floor(top_reps * profile[min(k, len(profile) - 1)] + 0.5))) for k in range(sets)]
    return reps if any(r != top_reps for r in reps) else None


def _history_change(lift: LiftHistory, shown_kg: tuple[float, int], e1rm_kg: float, usual_reps: int) -> str:
    """Why the week's top set, without a model, is not the last one at its reps: '; at your
    usual 9 reps, 5% harder than your last top set (the nearest your plates allow)' ('the same
    effort' within `_SAME_EFFORT` of the wanted e1RM; 'at 8 reps to fit your plates' where the
    reps moved off the usual ones)."""
    if shown_kg[1] == lift.last_reps:
        return ""
    return f"; {_at_reps(shown_kg, e1rm_kg, usual_reps, (lift.last_e1rm_kg, 'your last top set'))}"


def _at_reps(shown_kg: tuple[float, int], e1rm_kg: float, usual_reps: int | None, base: tuple[float, str],
             same: str = "the same effort ") -> str:
    """'the same effort at your usual 9 reps' (`same`: the words for it), or, where the plates
    leave the top set `_SAME_EFFORT` or more off the wanted e1RM `e1rm_kg`, 'at 8 reps to fit
    your plates, 10% easier than your last top set (the nearest your plates allow)', measured
    against `base` (an e1RM and its words: the last top set, or the model's set)."""
    load_kg, reps = shown_kg
    at = f"at your usual {reps} reps" if reps == usual_reps else f"at {reps} reps to fit your plates"
    shown = epley_e1rm(load_kg, reps)
    if abs(shown / e1rm_kg - 1.0) < _SAME_EFFORT:
        return f"{same}{at}"
    change = shown / base[0] - 1.0
    words = f"{abs(round(100 * change))}% {'harder' if change > 0 else 'easier'} than {base[1]}" if round(100 * change) else f"as hard as {base[1]}"
    return f"{at}, {words} (the nearest your plates allow)"


def _time_off(lift: LiftHistory, factor: float, cut: str = "-{}%") -> str:
    """'-20% after 86 weeks off' (or with `cut` '{}% lighter'): the break's reduction in words."""
    return f"{cut.format(round(100 * (1 - factor)))} after {round(lift.days_since / 7)} weeks off"


def _away(lift: LiftHistory, factor: float) -> str:
    """', -8% after 5 weeks off', or nothing where the break's reduction rounds to 0% (a
    lifter reads '-0% after 2 weeks off' as a mistake)."""
    return f", {_time_off(lift, factor)}" if round(100 * (1 - factor)) >= 1 else ""


def _last_top_set(lift: LiftHistory, unit: str) -> str:
    text = f"last top set {show_load(to_unit(lift.last_load_kg, unit))} {unit} x {lift.last_reps}"
    return text + (f" on {lift.last_date}" if lift.last_date else "")


def _model_reason(recommendation: Recommendation, lift: LiftHistory, unit: str, shown: tuple[float, int],
                  usual_reps: int | None, factor: float, band: str, e1rm_kg: float) -> str:
    """'model: add load (89% likely to be completed); last top set 135 lb x 7 on ...'. Where the
    week shows another top set than the model's (after a break, at the lifter's usual reps,
    rounded to their plates), the model's own set is named and the week's change said, so "add
    load" never reads beside a lighter load without a reason."""
    from workout_pipeline.model.graph import MAX_PAIR_GAP_DAYS  # here: the model imports this module

    rated = lift.days_since is None or lift.days_since <= MAX_PAIR_GAP_DAYS
    model_load, model_reps = to_unit(recommendation.load_kg, unit), int(recommendation.reps)
    load, reps = shown
    changes = []
    if _away(lift, factor) and (abs(load - model_load) >= 0.05 or reps != model_reps):
        changes.append(_time_off(lift, factor, "{}% lighter"))
    if reps != model_reps:
        base = (lift.last_e1rm_kg, "your last top set") if changes else (e1rm_kg, "the model's set")
        changes.append(_at_reps((to_kg(load, unit), reps), e1rm_kg, usual_reps, base, "" if changes else "the same effort "))
    if band:
        changes.append(band)
    if not changes:  # the model's top set, or the nearest load on the lifter's plates
        return f"model: {recommendation.summary(with_chance=rated)}; {_last_top_set(lift, unit)}"
    top_set = f"{model_reps} x {show_load(model_load)} {unit}" if recommendation.decision in _DECISION_WORDS else None
    return f"model: {recommendation.summary(with_chance=rated, top_set=top_set)}; here {', '.join(changes)}; {_last_top_set(lift, unit)}"


def wave(dose: Dose, lift: LiftHistory | None, occurrences: int, compound: bool, equipment: str,
         catalog_step_kg: float | None, unit: str) -> list[Dose]:
    """The doses of a lift done `occurrences` times in the week, in day order.

    A lifter whose recent top sets of the lift span a wide rep range (the middle half at least
    `_WAVE_MIN_SPREAD` reps apart: ys-math's bench at 2-11 reps, heavy and light days) keeps
    its light days. The week's first occurrence is `dose` (the model's or the history's top
    set); each other one aims at a quantile of the recent reps ((j + 0.5) / occurrences, the one
    nearest `dose`'s reps left out). Above `dose`'s reps it repeats the lifter's latest top set
    nearest those reps (55 kg x 9) when its e1RM is at least `_WAVE_MIN_EFFORT` of the last top
    set's, after a break reduced and, on the lifter's plates, at more reps than `dose` and never
    harder (else `dose` again);
    at fewer reps it is `dose` again (no new heavy double: the lifter's were single top sets).
    Lightest next. Any other lift gets `dose` on every day.
    """
    tops = lift.recent_tops if lift is not None else ()
    spread = sorted(reps for _, reps, _ in tops)
    if occurrences < 2 or not dose.load_kg or len(spread) < 2 * occurrences or dose.reason.startswith(_ASSISTED):
        return [dose] * occurrences

    def quantile(p: float) -> int:
        return spread[min(len(spread) - 1, int(p * len(spread)))]

    if quantile(0.75) - quantile(0.25) < _WAVE_MIN_SPREAD:
        return [dose] * occurrences
    targets = [quantile((j + 0.5) / occurrences) for j in range(occurrences)]
    targets.pop(min(range(occurrences), key=lambda j: abs(targets[j] - dose.reps)))
    ceiling, step = epley_e1rm(dose.load_kg, dose.reps), plate_step(equipment, unit, catalog_step_kg)
    doses = [dose]
    for target in sorted(targets, reverse=True):
        if target <= dose.reps:
            doses.append(dose)
            continue
        # the latest top set within 2 reps of the target, else the latest of the nearest
        loaded = [(max(abs(r - target), _WAVE_REPS_CLOSE), -k, (w, r, d)) for k, (w, r, d) in enumerate(tops) if w > 0]
        if not loaded:
            doses.append(dose)
            continue
        _, _, (done_kg, done_reps, day) = min(loaded)
        if epley_e1rm(done_kg, done_reps) < _WAVE_MIN_EFFORT * lift.last_e1rm_kg:
            doses.append(dose)  # a light day far under the last top set: not a week to follow blind
            continue
        factor = detraining_factor(lift.days_since)
        e1rm = min(epley_e1rm(done_kg, done_reps) * factor, ceiling)
        # a lighter day on the lifter's plates: more reps than `dose`, and no harder (sim81-11's
        # 15 lb lateral raise x 15, -20% after a break, rounded to 15 lb x 8: the heavy day's set)
        rounded = round_to_plates(e1rm, done_reps, step, unit, (dose.reps + 1, spread[-1]), done_kg, ceiling_kg=ceiling)
        if done_reps <= dose.reps or rounded is None:
            doses.append(dose)
            continue
        load, reps = rounded
        away = _away(lift, factor)
        reason = (f"your lighter day ({spread[0]}-{spread[-1]} reps in your recent top sets): as "
                  f"{show_load(to_unit(done_kg, unit))} {unit} x {done_reps} on {day}{away}")
        doses.append(Dose(reps, rest_seconds(compound, reps), load, round(to_kg(load, unit), 3), "history", day, reason))
    return doses
