# Over 400 lines: every kind of unit evidence (plates, stacks, dumbbells, strength at its reps, conversions) and its weight in one place, so they are weighed against each other.
"""Inferring whether a log's unlabelled loads are kilograms or pounds, as a lifter would.

Evidence is scored as log-odds for pounds (positive: lb, negative: kg), each item named so the
per-file summary can say why:

1. ``conversions``: loads that are not round as written but become round in the other unit
   (an lb export of kg entries: 44.0924 lb = 20 kg; a kg export of lb entries written with two
   decimals: 61.23 kg = 135 lb). Decisive when present.
2. ``increments``: how each load is built from the equipment of its exercise. A 45-lb bar with
   45/35/25/10/5/2.5-lb plates gives 95, 135, 185, 225, 315 (totals ending in 5); a 20-kg bar
   with 25..1.25-kg plates gives 2.5-kg steps (62.5, 102.5); lb dumbbells come in 5-lb steps
   (25, 30, 35), kg dumbbells in 2/2.5-kg steps (12, 14, 16, 22.5); kettlebells in 4-kg steps.
   A lifter's loads come from one gym: a kg gym with fine steps, a kg gym used only in 5-kg
   steps, an lb gym, or an lb gym with 1.25-lb change plates (137.5, 142.5: x.5 loads then say
   "fine steps" in either unit, and kg over lb only as much as such lb gyms are rarer). Each
   distinct (exercise, load) has a probability of its shape per gym; a machine is one draw of a
   kind of stack (5-step, 10-lb, 2.5-step, or odd labels such as 59/73/87) whose pins follow it,
   so its loads are one fact, not one per pin. The gyms' log-likelihoods are compared (kg and
   lb each a mixture of their two gyms).
3. ``plausibility``: per exercise kind (from the catalog), how typical each exercise's median
   load is under each reading, at its reps (Epley), against skewed population standards: wide
   on the light side (beginners), tight on the heavy side (a 65 kg-per-hand dumbbell press, a
   140 kg lat pulldown or a 230 kg deadlift for 5 as routine working sets are elite or beyond;
   65 lb, 140 lb and 230 lb are ordinary). The exercises are pooled into one strength index per
   lifter (a strong lifter is strong at everything, so the exercises are not independent votes).
   It is capped as the increments are, so a lifter elite at every lift in one reading and
   ordinary in the other is read in the other even against weak equipment evidence.

Weak total evidence (|score| < ``AMBIGUOUS_SCORE``) is reported as ``ambiguous``: the unit is
then the side the evidence leans to, and kg on an exact tie (the documented default).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workout_pipeline.ingest.validate import MAX_WEIGHT_KG
from workout_pipeline.ingest.values import LB_TO_KG

# Gym loads are multiples of these steps in each unit (kg plates go down to 1.25 kg, dumbbells
# and machines to 0.5 kg; lb plates to 2.5 lb, dumbbells and machines to 1 lb).
_KG_STEP = 0.25
_LB_STEP = 0.5
# Loads typed in one unit and exported in the other carry the conversion's decimals: 20 kg
# exported in lb is 44.09245243697551. Such a value is "round" only after converting back.
_ROUND_TOLERANCE = 0.002
# Minimum share of converted-looking loads that counts as evidence of a cross-unit export.
_CONVERTED_SHARE = 0.2
# Below this many loads and without clear evidence, assume kg (and say so).
_MIN_LOADS_TO_VOTE = 20
# |log-odds| below this is "ambiguous".
AMBIGUOUS_SCORE = 1.5
_LN_LB = math.log(1 / LB_TO_KG)
# Correlated evidence: one lifter's load shapes come from one gym's equipment, so they are not
# independent draws; the mean log-odds per draw (a distinct load, or a machine) counts as at most
# this many draws.
_INCREMENT_LOADS = 25
_INCREMENT_CAP = 12.0
# Strength is as decisive as equipment when it is as strong (one cap for both).
_PLAUSIBILITY_CAP = _INCREMENT_CAP
# Spread of a lifter's strength index (in per-kind standard deviations) across lifters.
_STRENGTH_SPREAD = 0.9
# Strength standards are skewed: the light side (beginners, small and female lifters) is wide, the
# heavy side is bounded by what bodies can do. A kind's spread is its light side; its heavy side is
# this share of it (a working squat of 95 kg typical, about 170 kg in the top 5% and 210 kg in the
# top 1% of lifters; a working bench of 70 kg, about 120 and 145 kg).
_HEAVY_SIDE = 0.7
# Loads are compared at the reps of a kind's typical working set (Epley: r reps at w is about
# w * (1 + r / 30) for one rep): about 6 on a barbell, 10 on other equipment; reps count up to 15.
_REFERENCE_REPS = {"barbell": 6}
_OTHER_REFERENCE_REPS = 10
_MAX_REPS_COUNTED = 15
# Barbell totals that a 45-lb bar and 45/25-lb plates make (the lb lifter's landmarks).
LB_PLATE_TOTALS = frozenset([95, 135, 185, 225, 275, 315, 365, 405, 455, 495, 545, 585])

# P(load shape | gym) per equipment group, for four kinds of gym (one per lifter: a lifter's loads
# all come from one gym's equipment): a kg gym with fine steps (1.25-kg plates, 2-kg dumbbells,
# 2.5-kg stack pins), a kg gym used in 5-kg steps (a lifter who never takes a 2.5-kg jump), an lb
# gym, and an lb gym with 1.25-lb change plates (2.5-lb jumps: 137.5, 142.5). Shapes: `frac` (not a
# whole or half number, e.g. a 1.25-kg step), `half` (x.5), `even` / `odd` (whole, not a multiple
# of 5), `five` (ends in 5), `ten` (ends in 0), `lbplate` (a LB_PLATE_TOTALS barbell total; barbell
# group only). Whole loads up to 12 are `small` and count for no gym (light bells exist in both
# units). A lifter who progresses in 2.5 steps on the bar writes x.5 loads in either unit: such
# loads tell a fine gym from a coarse one, and kg from lb only through how rare each fine gym is.
_GYMS = ("kg_fine", "kg_coarse", "lb", "lb_fine")
# Within kg, the share of lifters who only ever take 5-kg steps; within lb, the share who load
# 1.25-lb change plates.
_KG_COARSE_PRIOR = 0.05
_LB_FINE_PRIOR = 0.15
_SHAPES: dict[str, dict[str, tuple[float, float, float, float]]] = {
    #            shape: (P | kg fine, P | kg coarse, P | lb, P | lb fine)
    "barbell": {"frac": (0.03, 0.01, 0.01, 0.03), "half": (0.22, 0.03, 0.05, 0.22),
                "even": (0.05, 0.02, 0.01, 0.03), "odd": (0.03, 0.01, 0.01, 0.02),
                "five": (0.25, 0.40, 0.36, 0.22), "ten": (0.38, 0.49, 0.34, 0.36),
                "lbplate": (0.04, 0.04, 0.22, 0.12)},
    "dumbbell": {"frac": (0.03, 0.01, 0.01, 0.01), "half": (0.20, 0.10, 0.08, 0.08),
                 "even": (0.28, 0.30, 0.04, 0.04), "odd": (0.04, 0.02, 0.01, 0.01),
                 "five": (0.20, 0.25, 0.43, 0.43), "ten": (0.25, 0.32, 0.43, 0.43)},
    "kettlebell": {"frac": (0.01, 0.01, 0.01, 0.01), "half": (0.02, 0.02, 0.02, 0.02),
                   "even": (0.68, 0.68, 0.10, 0.10), "odd": (0.04, 0.04, 0.07, 0.07),
                   "five": (0.05, 0.05, 0.35, 0.35), "ten": (0.20, 0.20, 0.45, 0.45)},
    "other": {"frac": (0.05, 0.01, 0.01, 0.03), "half": (0.20, 0.05, 0.07, 0.20),
              "even": (0.14, 0.08, 0.04, 0.04), "odd": (0.05, 0.02, 0.02, 0.02),
              "five": (0.22, 0.35, 0.39, 0.30), "ten": (0.34, 0.49, 0.47, 0.41)},
}
# A machine's pin loads are its stack's labels, so a machine is one draw of a kind of stack, and its
# pins are drawn from that stack's labels: P(a machine's loads | gym) = sum over stacks of
# P(stack | gym) * prod over its distinct loads of P(shape | stack). Stacks: 5-step (5-kg or 5-lb
# plates: 35, 40, 45), 10-step (10-lb plates: 60, 70, 80), 2.5-step (2.5-kg plates or add-on
# weights), and odd labels (plates of the other unit or odd sizes: 9/14/18 kg for 10-lb plates,
# 59/73/87 lb; each of the machine's loads then looks the same, and counting them as independent
# would multiply one fact). A kg gym holds more odd-labelled machines (many are made for pounds).
_STACK_SHAPES: dict[str, tuple[float, float, float, float]] = {
    #        shape: (P | 5-step, P | 10-step, P | 2.5-step, P | odd labels)
    "frac": (0.01, 0.01, 0.03, 0.10), "half": (0.03, 0.01, 0.35, 0.05), "even": (0.01, 0.005, 0.01, 0.35),
    "odd": (0.01, 0.005, 0.01, 0.35), "five": (0.47, 0.03, 0.30, 0.075), "ten": (0.47, 0.94, 0.30, 0.075),
}
_STACKS_IN_GYM = np.array([
    # P(stack | gym): 5-step, 10-step, 2.5-step, odd labels
    (0.55, 0.08, 0.15, 0.22),  # kg, fine steps
    (0.70, 0.12, 0.03, 0.15),  # kg, 5-kg steps
    (0.25, 0.58, 0.07, 0.10),  # lb
    (0.25, 0.58, 0.07, 0.10),  # lb, change plates
])
_EQUIPMENT_GROUP = {"barbell": "barbell", "smith_machine": "barbell", "ez_bar": "barbell", "dumbbell": "dumbbell",
                    "kettlebell": "kettlebell", "cable": "stack", "machine": "stack"}

# Typical working-set load in kg (median over recreational lifters) and its spread (sd of the
# natural log) per exercise kind: (name, movement words any of which marks it, equipment groups
# or None for any, median kg, log sd). First match wins; dumbbell loads are per hand as logged.
_KINDS: tuple[tuple[str, frozenset[str], frozenset[str] | None, float, float], ...] = tuple(
    (name, frozenset(words.split()), frozenset(groups.split()) if groups else None, median, spread)
    for name, words, groups, median, spread in (
        ("leg press", "leg_press hack", "", 140.0, 0.55),
        ("bodyweight", "pull_up chin_up dip push_up muscle_up", "", 15.0, 0.9),
        ("leg curl/extension", "leg_curl leg_extension", "", 45.0, 0.5),
        ("calf raise", "calf", "", 70.0, 0.6),
        ("squat/deadlift", "squat deadlift thrust rack_pull good_morning clean snatch jerk", "barbell", 95.0, 0.5),
        ("dumbbell squat/deadlift", "squat deadlift thrust lunge", "dumbbell kettlebell", 22.0, 0.55),
        ("lunge/split squat", "lunge split_squat step_up", "", 40.0, 0.6),
        ("bench press", "bench floor_press", "barbell", 70.0, 0.45),
        ("dumbbell press", "bench press", "dumbbell", 22.0, 0.45),
        ("overhead press", "overhead military shoulder_press push_press", "barbell", 45.0, 0.45),
        ("barbell row", "row shrug", "barbell", 65.0, 0.5),
        ("dumbbell row/shrug", "row shrug", "dumbbell kettlebell", 26.0, 0.5),
        ("pulldown/row", "pulldown pull_down row pullover", "stack", 55.0, 0.45),
        ("machine press", "press", "stack", 50.0, 0.55),
        ("curl", "curl", "barbell", 30.0, 0.45),
        ("curl", "curl", "dumbbell kettlebell", 12.0, 0.45),
        ("curl", "curl", "stack", 25.0, 0.5),
        ("raise/fly", "raise fly lateral reverse_fly", "dumbbell", 9.0, 0.5),
        ("fly/raise", "raise fly crossover pec_deck", "stack", 30.0, 0.6),
        ("triceps", "extension pushdown push_down kickback skullcrusher", "dumbbell", 14.0, 0.5),
        ("triceps", "extension pushdown push_down kickback skullcrusher", "", 28.0, 0.5),
        ("barbell", "", "barbell", 55.0, 0.6),
        ("dumbbell", "", "dumbbell", 15.0, 0.6),
        ("kettlebell", "", "kettlebell", 16.0, 0.5),
        ("machine/cable", "", "stack", 40.0, 0.65),
        ("exercise", "", "", 40.0, 0.7),
    )
)


@dataclass(frozen=True)
class UnitInference:
    """The unit a log's weights were written in and why we think so.

    Attributes:
        unit: ``kg`` or ``lb``: multiply by 1 or LB_TO_KG to get kg.
        reason: One line naming the evidence (for the per-file summary).
        confidence: ``confident`` or ``ambiguous`` (weak evidence; see AMBIGUOUS_SCORE).
        score: Total log-odds for pounds.
        evidence: (name, log-odds) of each evidence item.
        entered_in: The unit the loads were typed in when the export converted them
            (an lb export of kg entries says ``kg``), else None.
    """

    unit: str
    reason: str
    confidence: str = "confident"
    score: float = 0.0
    evidence: tuple[tuple[str, float], ...] = field(default=())
    entered_in: str | None = None


def _is_multiple(values: np.ndarray, step: float, tolerance: float | np.ndarray = _ROUND_TOLERANCE) -> np.ndarray:
    ratio = values / step
    return np.abs(ratio - np.round(ratio)) < tolerance / step


def _conversion_tolerance(values: np.ndarray, factor: float) -> np.ndarray:
    """How far a load, converted by `factor`, may be from a round load of the other unit.

    An export that writes two decimals rounds the conversion by up to 0.005: 135 lb exported as
    61.23 kg is 134.989 lb. That rounding, scaled by the factor, is allowed; a load with one decimal
    (61.2) is too coarse to tell a conversion from a typed load."""
    cents = values * 100
    two_decimals = (np.abs(cents - np.round(cents)) < 1e-6) & ~_is_multiple(values, 0.1, 1e-9)
    return np.where(two_decimals, max(_ROUND_TOLERANCE, 0.005 * factor * 1.001), _ROUND_TOLERANCE)


def _round_after_converting(values: np.ndarray, written_in: str) -> np.ndarray:
    """Loads written in `written_in` that are round in the other unit (a multiple of 0.25 kg or
    0.5 lb) after converting, within the export's own rounding."""
    factor = LB_TO_KG if written_in == "lb" else 1 / LB_TO_KG
    step = _KG_STEP if written_in == "lb" else _LB_STEP
    return _is_multiple(values * factor, step, _conversion_tolerance(values, factor))


def conversion_evidence(values: np.ndarray) -> UnitInference | None:
    """Loads exported in the other unit than they were typed in, or None when there are few.

    ``lb`` with entered_in ``kg``: the loads are lb values of round kg entries;
    ``kg`` with entered_in ``lb``: kg values of round lb entries.
    """
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) == 0:
        return None
    as_written_round = _is_multiple(values, _KG_STEP) | _is_multiple(values, _LB_STEP)
    lb_of_kg = ~as_written_round & _round_after_converting(values, "lb")
    kg_of_lb = ~as_written_round & _round_after_converting(values, "kg")
    share_lb_of_kg, share_kg_of_lb = lb_of_kg.mean(), kg_of_lb.mean()
    if max(share_lb_of_kg, share_kg_of_lb) < _CONVERTED_SHARE or max(lb_of_kg.sum(), kg_of_lb.sum()) < 3:
        return None
    if share_lb_of_kg >= share_kg_of_lb:
        return UnitInference("lb", f"{share_lb_of_kg:.0%} of loads are lb exports of kg entries "
                             "(x0.45359237 gives round kg)", score=99.0, evidence=(("conversions", 99.0),),
                             entered_in="kg")
    return UnitInference("kg", f"{share_kg_of_lb:.0%} of loads are kg exports of lb entries "
                         "(/0.45359237 gives round lb)", score=-99.0, evidence=(("conversions", -99.0),),
                         entered_in="lb")


# A lifter's unit is the one their most recent loads were typed in: this many of the latest
# loads whose typed unit is known vote, and a unit needs this share of them to win.
RECENT_TYPED_LOADS = 100
RECENT_TYPED_SHARE = 0.6


def latest_typed_unit(typed_lb: np.ndarray, order: np.ndarray) -> tuple[str, int] | None:
    """The unit the lifter typed their latest loads in, and how many loads voted, or None.

    `typed_lb` is 1 for each load typed in pounds, 0 for one typed in kilograms, NaN where the
    typed unit is unknown; the latest RECENT_TYPED_LOADS loads with a known unit (by `order`, e.g.
    the rows' dates) vote, and a unit with at least RECENT_TYPED_SHARE of them wins. Under
    _MIN_LOADS_TO_VOTE known loads say nothing. The one rule for every export, whether the typed
    units come from a unit column or from which unit each load is round in (``recent_typed_unit``).
    """
    typed_lb = np.asarray(typed_lb, dtype=float)
    says = np.isfinite(typed_lb)
    if says.sum() < _MIN_LOADS_TO_VOTE:
        return None
    latest = np.argsort(np.asarray(order)[says], kind="stable")[-RECENT_TYPED_LOADS:]
    share_lb = float(typed_lb[says][latest].mean())
    if share_lb >= RECENT_TYPED_SHARE:
        return "lb", len(latest)
    if 1.0 - share_lb >= RECENT_TYPED_SHARE:
        return "kg", len(latest)
    return None


def recent_typed_unit(values: np.ndarray, written_in: str, order: np.ndarray) -> tuple[str, int] | None:
    """The unit the lifter typed their latest loads in, and how many loads voted, or None.

    A load written in `written_in` that is round as written (a multiple of 0.25 kg or 0.5 lb)
    and not after converting was typed in `written_in`; one that is round only after converting
    was typed in the other unit and converted by the app (20 kg exported as 44.09 lb, 135 lb as
    61.23 kg). Loads round both ways (0) or neither way say nothing. The latest loads decide
    (``latest_typed_unit``): a lifter who typed kg for years and pounds for the last months is a
    pound lifter now.
    """
    values = np.asarray(values, dtype=float)
    order = np.asarray(order)
    keep = np.isfinite(values) & (values > 0)
    values, order = values[keep], order[keep]
    if len(values) == 0:
        return None
    round_written = _is_multiple(values, _LB_STEP if written_in == "lb" else _KG_STEP)
    round_other = _round_after_converting(values, written_in)
    typed_written = np.where(round_written != round_other, 1.0 * round_written, np.nan)
    return latest_typed_unit(typed_written if written_in == "lb" else 1.0 - typed_written, order)


def load_shapes(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The shape class of each load (see _SHAPES) given its equipment group."""
    whole = _is_multiple(values, 1.0)
    half = ~whole & _is_multiple(values, 0.5)
    rounded = np.round(values).astype(np.int64)
    shapes = np.where(~whole & ~half, "frac", np.where(half, "half", "")).astype(object)
    mod10 = rounded % 10
    plate = np.isin(rounded, list(LB_PLATE_TOTALS)) & (groups == "barbell")
    shapes = np.where(whole & (rounded % 5 != 0) & (rounded % 2 == 0), "even", shapes)
    shapes = np.where(whole & (rounded % 5 != 0) & (rounded % 2 == 1), "odd", shapes)
    shapes = np.where(whole & (mod10 == 5) & ~plate, "five", shapes)
    shapes = np.where(whole & (mod10 == 5) & plate, "lbplate", shapes)
    shapes = np.where(whole & (mod10 == 0), "ten", shapes)
    # Light bells say little: 2/4/6/8/10/12 kg and 3/5/8/10/12 lb dumbbells both exist.
    shapes = np.where(whole & (rounded <= 12), "small", shapes)
    return shapes


@dataclass(frozen=True)
class ExerciseKind:
    """What the unit inference needs to know about an exercise: its load kind and equipment."""

    kind: str
    group: str  # barbell | dumbbell | kettlebell | stack | other
    median_kg: float
    spread: float


def classify_exercise(words: frozenset[str], equipment: frozenset[str]) -> ExerciseKind:
    """The load kind of an exercise from its (normalised, English) movement words and equipment.

    Two-word movements are matched joined by ``_`` (``leg press`` -> ``leg_press``).
    """
    groups = {_EQUIPMENT_GROUP[e] for e in equipment if e in _EQUIPMENT_GROUP}
    group = next(iter(sorted(groups))) if len(groups) == 1 else ("barbell" if "barbell" in groups else "other")
    if "bodyweight" in equipment or "band" in equipment:
        group = "other"
    tokens = set(words)
    ordered = sorted(words)
    tokens |= {f"{a}_{b}" for a in ordered for b in ordered if a != b}
    for name, kind_words, kind_groups, median, spread in _KINDS:
        if kind_groups is not None and group not in kind_groups:
            continue
        if kind_words and not (kind_words & tokens):
            continue
        return ExerciseKind(name, group, median, spread)
    raise AssertionError("the last kind matches everything")  # pragma: no cover


def _increments(values: np.ndarray, codes: np.ndarray, groups: np.ndarray) -> tuple[float, str]:
    frame = pd.DataFrame({"code": codes, "load": np.round(values, 3)}).drop_duplicates()
    frame["group"] = groups[frame.index.to_numpy()]
    shapes = load_shapes(frame["load"].to_numpy(dtype=float), frame["group"].to_numpy(dtype=object))
    counted = shapes != "small"
    group, shapes, code = frame["group"].to_numpy(dtype=object)[counted], shapes[counted], frame["code"].to_numpy()[counted]
    stack = group == "stack"
    # Loads built from plates or picked from a rack: one draw each.
    per_load = np.array([_SHAPES[g][s] for g, s in zip(group[~stack], shapes[~stack])], dtype=float)
    loglik = np.log(per_load).sum(axis=0) if len(per_load) else np.zeros(len(_GYMS))
    draws = len(per_load)
    if stack.any():
        # Machines: one draw of a stack each, then its pins.
        pins = np.log(np.array([_STACK_SHAPES[s] for s in shapes[stack]], dtype=float))
        machines = pd.DataFrame(pins).groupby(code[stack]).sum().to_numpy()  # (machine, stack)
        per_machine = np.logaddexp.reduce(machines[:, None, :] + np.log(_STACKS_IN_GYM)[None, :, :], axis=2)
        loglik = loglik + per_machine.sum(axis=0)
        draws += len(machines)
    score = 0.0
    if draws:
        # Each gym's log-likelihood, the mean per draw weighing as at most _INCREMENT_LOADS draws.
        loglik = loglik / draws * min(draws, _INCREMENT_LOADS)
        kg = np.logaddexp(math.log(1 - _KG_COARSE_PRIOR) + loglik[0], math.log(_KG_COARSE_PRIOR) + loglik[1])
        lb = np.logaddexp(math.log(1 - _LB_FINE_PRIOR) + loglik[2], math.log(_LB_FINE_PRIOR) + loglik[3])
        score = float(np.clip(lb - kg, -_INCREMENT_CAP, _INCREMENT_CAP))
    counts = pd.Series(shapes).value_counts()
    share = lambda *kinds: counts.reindex(list(kinds)).fillna(0).sum() / max(len(shapes), 1)  # noqa: E731
    detail = (f"{share('lbplate'):.0%} lb plate totals (135, 225...), {share('five', 'lbplate'):.0%} ending in 5, "
              f"{share('half', 'frac'):.0%} on 2.5/1.25 steps, {share('even', 'odd'):.0%} on 1/2-kg steps "
              f"over {len(shapes)} distinct loads")
    return score, detail


def _rep_factor(reps: np.ndarray | None, reference: np.ndarray) -> np.ndarray:
    """Multiplier that takes a set of r reps to the load of a set of `reference` reps (1 where unknown)."""
    if reps is None:
        return np.ones(len(reference))
    reps = np.asarray(reps, dtype=float)
    counted = np.clip(np.where(np.isfinite(reps) & (reps >= 1), reps, reference), 1, _MAX_REPS_COUNTED)
    return (1 + counted / 30) / (1 + reference / 30)


def _z(log_ratio: float, kind: ExerciseKind) -> float:
    """How many of the kind's (light or heavy side) spreads a load is from its typical load."""
    return log_ratio / (kind.spread * (_HEAVY_SIDE if log_ratio > 0 else 1.0))


def _plausibility(values: np.ndarray, codes: np.ndarray, names: list[str], kinds: list[ExerciseKind],
                  reps: np.ndarray | None = None) -> tuple[float, str]:
    reference = np.array([_REFERENCE_REPS.get(kind.group, _OTHER_REFERENCE_REPS) for kind in kinds], dtype=float)[codes]
    frame = pd.DataFrame({"code": codes, "load": values, "at_reference": values * _rep_factor(reps, reference)})
    stats = frame.groupby("code", sort=False).agg(median=("load", "median"), size=("load", "size"),
                                                   at_reference=("at_reference", "median"))
    rows = []
    for code, (median, size, at_reference) in zip(stats.index, stats.itertuples(index=False)):
        name, kind = names[code], kinds[code]
        if kind.kind == "bodyweight" or at_reference <= 0:
            continue
        log_ratio = math.log(at_reference) - math.log(kind.median_kg)
        rows.append((name, median, size, kind, _z(log_ratio, kind), _z(log_ratio - _LN_LB, kind)))
    if not rows:
        return 0.0, ""
    weights = np.array([min(size, 20) for _, _, size, *_ in rows], dtype=float)
    z_kg = float(np.average([r[4] for r in rows], weights=weights))
    z_lb = float(np.average([r[5] for r in rows], weights=weights))
    score = float(np.clip((z_kg**2 - z_lb**2) / (2 * _STRENGTH_SPREAD**2), -_PLAUSIBILITY_CAP, _PLAUSIBILITY_CAP))
    # Name the exercises that say the most.
    rows.sort(key=lambda r: -abs(r[4] ** 2 - r[5] ** 2) * min(r[2], 20))
    shown = "; ".join(
        f"{name} median {median:g} ({kind.kind}: {median:g} kg {_typicality(zk)}, {median * LB_TO_KG:.0f} kg "
        f"{_typicality(zl)})" for name, median, _, kind, zk, zl in rows[:3])
    return score, shown


def _typicality(z: float) -> str:
    if z > 2.6:  # beyond the top 0.5% of lifters
        return "implausible"
    if z > 1.65:  # the top 5%
        return "elite"
    if z < -2.0:
        return "implausibly light"
    if z < -1.3:
        return "very light"
    return "typical"


def infer_weight_unit(loads, exercises: Sequence[str] | np.ndarray | None = None,
                      kinds: dict[str, ExerciseKind] | None = None, reps=None) -> UnitInference:
    """Guess kg vs lb for loads written without a unit (evidence in the module docstring).

    Args:
        loads: The log's load values as written (zeros, NaN and loads over 600 kg even read as
            pounds are ignored).
        exercises: The exercise name of each load (same length), or None when unknown.
        kinds: {exercise name: ExerciseKind}; names missing from it are classified with the
            built-in catalog (``exercise_kinds``).
        reps: The reps of each load's set (same length), or None: loads are compared with a kind's
            typical working set at their reps (missing reps count as a typical set).

    Returns:
        The inferred unit, a one-line reason naming the evidence, and its confidence.
    """
    values = np.asarray(loads, dtype=float).ravel()
    # a load beyond the validated range in either unit is quarantined whatever the unit: no evidence
    keep = np.isfinite(values) & (values > 0) & (values <= MAX_WEIGHT_KG / LB_TO_KG)
    values = values[keep]
    if len(values) == 0:
        return UnitInference("kg", "no loads above zero; assumed kg", confidence="ambiguous")
    if reps is not None:
        reps = np.asarray(reps, dtype=float).ravel()[keep]
    converted = conversion_evidence(values)
    if converted is not None:
        return converted
    # Work on name codes: exports repeat a few names on many rows.
    codes, uniques = _name_codes(exercises, keep)
    known = dict(kinds or {})
    missing = [n for n in uniques if n not in known]
    if missing:
        known.update(exercise_kinds(missing))
    code_kinds = [known[name] for name in uniques]
    groups = np.array([kind.group for kind in code_kinds], dtype=object)[codes]
    increments, increment_detail = _increments(values, codes, groups)
    plausibility, plausibility_detail = _plausibility(values, codes, uniques, code_kinds, reps)
    score = increments + plausibility
    evidence = (("increments", round(increments, 2)), ("plausibility", round(plausibility, 2)))
    detail = f"increments {increments:+.1f} ({increment_detail}); plausibility {plausibility:+.1f}"
    if plausibility_detail:
        detail += f" ({plausibility_detail})"
    if len(values) < _MIN_LOADS_TO_VOTE and abs(score) < 2 * AMBIGUOUS_SCORE:
        return UnitInference("kg", f"too few loads ({len(values)}) to tell kg from lb; assumed kg; {detail}",
                             confidence="ambiguous", score=score, evidence=evidence)
    unit = "lb" if score > 0 else "kg"
    confidence = "ambiguous" if abs(score) < AMBIGUOUS_SCORE else "confident"
    words = "pounds" if unit == "lb" else "kilograms"
    lead = f"loads look like {words}" + (" (weak evidence: ambiguous)" if confidence == "ambiguous" else "")
    return UnitInference(unit, f"{lead}, log-odds for lb {score:+.1f}: {detail}", confidence=confidence,
                         score=score, evidence=evidence)


def _name_codes(exercises, keep: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes of the kept rows' exercise names (missing = ""), distinct names in order of first
    appearance; a categorical's names are looked up by code, never copied per row (memory)."""
    if isinstance(exercises, pd.Series) and isinstance(exercises.dtype, pd.CategoricalDtype):
        first_codes, distinct = pd.factorize(exercises.cat.codes.to_numpy()[keep])
        categories = exercises.cat.categories
        names = pd.Series([str(categories[code]) if code >= 0 else "" for code in distinct], dtype=object)
        name_codes, uniques = pd.factorize(names)  # one code per distinct name
        return name_codes[first_codes], [str(name) for name in uniques]
    names = (np.asarray(exercises, dtype=object).ravel() if exercises is not None
             else np.full(len(keep), "", dtype=object))
    codes, uniques = pd.factorize(pd.Series(names[keep], dtype=object).fillna(""))
    return codes, [str(name) for name in uniques]


def exercise_kinds(names: Sequence[str]) -> dict[str, ExerciseKind]:
    """Classify logged names by load kind, through the built-in catalog where they resolve.

    The movement words of the name and of the catalog exercise it resolves to are pooled (so
    `Supino Reto (Barra)` counts as a barbell bench press); the catalog's equipment wins.
    """
    from workout_pipeline.catalog.resolve import default_resolver

    resolver = default_resolver()
    out = {}
    for name in names:
        words, equipment = resolver.describe(name) if name else (frozenset(), frozenset())
        out[name] = classify_exercise(words, equipment)
    return out


def snap_converted_kg(weight_kg: np.ndarray) -> np.ndarray:
    """Remove conversion noise: a value within 0.1 g of a 0.05 kg multiple is set to it."""
    weight_kg = np.asarray(weight_kg, dtype=float)
    snapped = np.round(weight_kg / 0.05) * 0.05
    close = np.abs(weight_kg - snapped) < 1e-4
    return np.where(close, np.round(snapped, 2), weight_kg)
