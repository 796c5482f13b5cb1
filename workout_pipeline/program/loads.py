"""Loads as a lifter loads them: kilograms and pounds, plate steps, the top set nearest an e1RM,
and how a load reads.

- `epley_e1rm(load, reps)`: estimated one-rep max, `load * (1 + reps / 30)`;
- `plate_step(equipment, unit, catalog_step_kg)` and `round_to_plates`: loads rounded to what
  the lifter can load in their unit (lb: 5 lb for barbells = 2.5 lb plates a side; kg 2.5);
- `show_load`, `load_in_unit`, `load_text`: '93.75 kg', '130 lb', 'bodyweight + 10 kg';
- `is_assisted(exercise_id)`: a lift whose load is assistance (an assisted pull-up machine's
  counterweight): more load is less work.
"""

import math

from workout_pipeline.ingest.values import LB_TO_KG

# `round_to_plates`: what moving the reps away from the usual ones costs, per share of them, in
# e1RM miss beyond 5% (0.1: half the reps weigh as much as a 5% further miss).
_REP_SHARE_COST = 0.1
# The finest load a lifter's own last load may sit on to be offered again (`round_to_plates`): a
# quarter of their unit (1.25 kg plates a side, 1.25 lb change plates, 8.75 lb fixed dumbbells).
_OWN_LOAD_GRID = 0.25

# Load steps in pounds (2.5 lb plates a side on bars; 5 lb dumbbell, stack and machine steps).
_LB_STEPS = {"dumbbell": 5.0, "kettlebell": 5.0, "band": 1.0, "other": 1.0}
_LB_DEFAULT_STEP = 5.0


def is_assisted(exercise_id: str) -> bool:
    """Whether the lift's load is assistance (`pull_up_assisted`, `chest_dip_assisted`): more of
    it is less work, so neither the e1RM nor "add load" means what it means on other lifts."""
    return "assist" in str(exercise_id)


def epley_e1rm(load: float, reps: float) -> float:
    """Epley's estimated one-rep max."""
    return float(load) * (1.0 + float(reps) / 30.0)


def plate_step(equipment: str, unit: str, catalog_step_kg: float | None) -> float:
    """The smallest load change for this equipment, in the lifter's unit."""
    if unit == "lb":
        return _LB_STEPS.get(equipment, _LB_DEFAULT_STEP)
    if catalog_step_kg is None or not math.isfinite(catalog_step_kg) or catalog_step_kg <= 0:
        return 2.5
    return float(catalog_step_kg)


def to_unit(load_kg: float, unit: str) -> float:
    return load_kg / LB_TO_KG if unit == "lb" else load_kg


def to_kg(load: float, unit: str) -> float:
    return load * LB_TO_KG if unit == "lb" else load


def load_in_unit(load_kg: float, unit: str) -> str:
    """A load in kg as the lifter reads it in their unit (`show_load`): '58.75 kg', '130 lb', '61.2 kg'."""
    return f"{show_load(to_unit(float(load_kg), unit))} {unit}"


def round_to_plates(e1rm_kg: float, reps: int, step: float, unit: str, rep_range: tuple[int, int] | None = None,
                    fallback_kg: float | None = None, ceiling_kg: float | None = None) -> tuple[float, int] | None:
    """A loadable weight (in `unit`) and reps whose e1RM is nearest `e1rm_kg`.

    The load for `reps` is rounded to the nearest step, or to the lifter's own last load
    (`fallback_kg`) where that is nearer; when none lands within 5% of the e1RM (small loads,
    big steps), the reps move inside `rep_range`, as little as keeps the e1RM within 5%, so 5 lb
    lateral raises get more reps rather than a 10 lb jump; a few percent more miss is taken
    where that keeps far more of the reps (`_REP_SHARE_COST`). With `ceiling_kg`, no set whose
    e1RM exceeds it is offered (None when no load and reps of the range stay under it).
    """
    target = to_unit(e1rm_kg / (1.0 + reps / 30.0), unit)
    low, high = math.floor(target / step) * step, math.ceil(target / step) * step
    own = round(to_unit(fallback_kg, unit), 2) if fallback_kg else None
    # the lifter's own load (their machine's 64 kg: a hold stays 64 kg, not the grid's 65) where it
    # is the nearest, and only where it is loadable in their unit (a 4 kg dumbbell logged before
    # they switched to pounds is 8.82 lb: no pound dumbbell weighs that)
    own = own if own and _on_quarter(own) else None
    options = sorted(({low, high} | ({own} if own else set())) - {0.0}, key=lambda v: (abs(v - target), v != own)) or [step]

    def excess(load: float, r: int) -> float:
        return epley_e1rm(to_kg(load, unit), r) / e1rm_kg - 1.0

    def fits(load: float, r: int) -> bool:
        return ceiling_kg is None or epley_e1rm(to_kg(load, unit), r) <= ceiling_kg * (1.0 + 1e-9)

    nearest = [v for v in options if fits(v, reps)]
    if nearest and (abs(excess(nearest[0], reps)) <= 0.05 or rep_range is None):
        return round(nearest[0], 2), reps
    if rep_range is None:
        return None
    # Each candidate costs its e1RM miss beyond 5% plus a tenth of its reps' share away from the
    # usual ones: within 5% the reps nearest the usual win (a 5 lb lateral raise stays a 15-rep
    # lift rather than a 10 lb set of 5), and a face pull of 10 kg x 14 wanted 20% lighter is
    # 7.5 kg x 15 (6% under) rather than 10 kg x 7 (on the e1RM, at half its reps).
    costs = [(max(0.0, abs(over) - 0.05) + _REP_SHARE_COST * abs(r - reps) / reps, abs(over), v, r)
             for v in options for r in range(rep_range[0], rep_range[1] + 1) if fits(v, r) for over in [excess(v, r)]]
    if not costs:
        return None
    _, _, load, best_reps = min(costs)
    return round(load, 2), best_reps


def _on_quarter(value: float) -> bool:
    """Whether a load (in the lifter's unit) sits on `_OWN_LOAD_GRID`, a quarter of it."""
    return abs(value - _OWN_LOAD_GRID * round(value / _OWN_LOAD_GRID)) < 0.005


def show_load(value: float) -> str:
    """A load as the lifter reads it: one decimal, two on a quarter of their unit (93.75 kg)."""
    return f"{_OWN_LOAD_GRID * round(value / _OWN_LOAD_GRID):g}" if _on_quarter(value) else f"{round(value, 1):g}"


def load_text(load: float | None, unit: str, exercise_id: str, equipment: str, logged_without_load: bool = False) -> str:
    """How a load reads: '60 kg', 'bodyweight', 'bodyweight + 10 kg', '20 kg assistance'; a lift
    the lifter logs without a load (an ab wheel, equipment "other") reads 'bodyweight' too, not
    '-' (pick a load)."""
    if is_assisted(exercise_id):
        return "-" if load is None else f"{show_load(load)} {unit} assistance"
    if equipment == "bodyweight" or (logged_without_load and load is None):
        return "bodyweight" if not load else f"bodyweight + {show_load(load)} {unit}"
    return "-" if load is None else f"{show_load(load)} {unit}"
