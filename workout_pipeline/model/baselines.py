"""Rule baselines, computed from the previous occurrence's facts only (numpy, no torch).

Each takes the pair table (`src` node ids) and the node table of a TrainingGraph and returns
(predicted top-set weight kg, predicted reps) per pair.
"""

import numpy as np
import pandas as pd

def round_change_to_step(previous_kg, change_kg, step_kg):
    """previous + the change rounded to a whole number of plate steps (never below 0 kg)."""
    previous_kg = np.asarray(previous_kg, dtype=float)
    step = np.where(np.asarray(step_kg, dtype=float) > 0, step_kg, 2.5)
    rounded = np.round(np.asarray(change_kg, dtype=float) / step) * step
    return np.maximum(previous_kg + rounded, 0.0)


def repeat_last(pairs: pd.DataFrame, nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Same weight and reps as last time."""
    return pairs["prev_weight_kg"].to_numpy(float), pairs["prev_reps"].to_numpy(float)


def double_progression(pairs: pd.DataFrame, nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Add one plate step when the last top set reached the top of the lift's rep range (the
    most reps in its last 8 top sets, needing 3+ occurrences), dropping reps to the bottom of
    that range; otherwise repeat weight and reps."""
    src = pairs["src"].to_numpy()
    hit = nodes["hit_top_of_range"].to_numpy(float)[src] > 0.5
    weight = pairs["prev_weight_kg"].to_numpy(float)
    reps = pairs["prev_reps"].to_numpy(float)
    step = nodes["load_step_kg"].to_numpy(float)[src]
    bottom = nodes["rep_range_bottom"].to_numpy(float)[src]
    return np.where(hit, weight + step, weight), np.where(hit, bottom, reps)


def e1rm_trend(pairs: pd.DataFrame, nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Extend the Epley e1RM's least-squares trend over the last 4 occurrences by one
    occurrence, convert back to a weight at the last rep count, round to the plate step."""
    src = pairs["src"].to_numpy()
    weight = pairs["prev_weight_kg"].to_numpy(float)
    reps = pairs["prev_reps"].to_numpy(float)
    e1rm_next = nodes["top_set_e1rm"].to_numpy(float)[src] + nodes["top_set_e1rm_slope"].to_numpy(float)[src]
    target = e1rm_next / (1.0 + reps / 30.0)
    step = nodes["load_step_kg"].to_numpy(float)[src]
    return round_change_to_step(weight, target - weight, step), reps


BASELINE_FUNCTIONS = {
    "repeat_last": repeat_last,
    "double_progression": double_progression,
    "e1rm_trend": e1rm_trend,
}
