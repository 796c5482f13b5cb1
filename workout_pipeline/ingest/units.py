"""Inferring whether a log's unlabelled loads are kilograms or pounds, from the loads themselves."""

from dataclasses import dataclass

import numpy as np

from workout_pipeline.ingest.values import LB_TO_KG

# Gym loads are multiples of these steps in each unit (kg plates go down to 1.25 kg, dumbbells
# and machines to 0.5 kg; lb plates to 2.5 lb, dumbbells and machines to 1 lb).
_KG_STEP = 0.25
_LB_STEP = 0.5
# Loads typed in one unit and exported in the other carry the conversion's decimals: 20 kg
# exported in lb is 44.09245243697551. Such a value is "round" only after converting back.
_ROUND_TOLERANCE = 0.002
# Barbell-and-plate totals that only make sense in pounds (45 lb bar + 45/25/10/5 lb plates).
_LB_PLATE_TOTALS = np.array([45, 95, 135, 185, 225, 275, 315, 365, 405, 455, 495], dtype=float)
# Minimum share of converted-looking loads that counts as evidence of a cross-unit export.
_CONVERTED_SHARE = 0.2
# Below this many loads, rounding and magnitude say too little: assume kg (and say so).
_MIN_LOADS_TO_VOTE = 20


@dataclass(frozen=True)
class UnitInference:
    """The unit a log's weights were written in and why we think so."""

    unit: str  # "kg" or "lb": multiply by 1 or LB_TO_KG to get kg
    reason: str


def _is_multiple(values: np.ndarray, step: float) -> np.ndarray:
    ratio = values / step
    return np.abs(ratio - np.round(ratio)) < _ROUND_TOLERANCE / step


def infer_weight_unit(loads: np.ndarray) -> UnitInference:
    """Guess kg vs lb for loads written without a unit.

    Evidence, strongest first: (1) loads that are not round as written but become round after
    converting from the other unit (lb exports of kg entries, e.g. 44.0924 lb = 20 kg, or kg
    exports of lb entries, e.g. 61.2349 kg = 135 lb); (2) the share of loads that are not
    multiples of 5 (kg lifters use 2.5/1.25 kg steps, lb lifters 5 lb steps); (3) barbell
    totals that are natural in lb (45, 135, 225, 315 ...); (4) typical magnitude.

    Args:
        loads: The log's load values as written (any shape; zeros and NaN are ignored).

    Returns:
        The inferred unit and a one-line reason for the per-file summary.
    """
    values = np.asarray(loads, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) == 0:
        return UnitInference("kg", "no loads above zero; assumed kg")
    round_as_kg = _is_multiple(values, _KG_STEP)
    round_as_lb = _is_multiple(values, _LB_STEP)
    as_written_round = round_as_kg | round_as_lb
    lb_of_kg = ~as_written_round & _is_multiple(values * LB_TO_KG, _KG_STEP)
    kg_of_lb = ~as_written_round & _is_multiple(values / LB_TO_KG, _LB_STEP)
    share_lb_of_kg, share_kg_of_lb = lb_of_kg.mean(), kg_of_lb.mean()
    if max(share_lb_of_kg, share_kg_of_lb) >= _CONVERTED_SHARE and max(lb_of_kg.sum(), kg_of_lb.sum()) >= 3:
        if share_lb_of_kg >= share_kg_of_lb:
            return UnitInference(
                "lb", f"{share_lb_of_kg:.0%} of loads are lb exports of kg entries (x0.45359237 gives round kg)"
            )
        return UnitInference("kg", f"{share_kg_of_lb:.0%} of loads are kg exports of lb entries (/0.45359237 gives round lb)")
    if len(values) < _MIN_LOADS_TO_VOTE:
        return UnitInference("kg", f"too few loads ({len(values)}) to tell kg from lb; assumed kg")
    not_multiple_of_5 = (~_is_multiple(values, 5.0)).mean()
    lb_plate_share = np.isin(np.round(values, 3), _LB_PLATE_TOTALS).mean()
    median = float(np.median(values))
    # Votes: the 5-step share is the main evidence (kg logs are full of 2.5 kg steps and 2 kg
    # dumbbell steps; lb logs move in 5 lb steps); plate totals and magnitude break ties.
    lb_votes = 0
    lb_votes += 2 if not_multiple_of_5 < 0.03 else 1 if not_multiple_of_5 < 0.08 else -2 if not_multiple_of_5 > 0.15 else 0
    lb_votes += 1 if lb_plate_share > 0.15 else 0
    lb_votes += 1 if median > 90 else -1 if median < 25 else 0
    detail = f"{not_multiple_of_5:.0%} of loads off 5-steps, {lb_plate_share:.0%} lb plate totals, median {median:g}"
    if lb_votes >= 2:
        return UnitInference("lb", f"loads look like pounds ({detail})")
    return UnitInference("kg", f"loads look like kilograms ({detail})")


def snap_converted_kg(weight_kg: np.ndarray) -> np.ndarray:
    """Remove conversion noise: a value within 0.1 g of a 0.05 kg multiple is set to it."""
    weight_kg = np.asarray(weight_kg, dtype=float)
    snapped = np.round(weight_kg / 0.05) * 0.05
    close = np.abs(weight_kg - snapped) < 1e-4
    return np.where(close, np.round(snapped, 2), weight_kg)
