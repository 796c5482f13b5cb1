"""Prescriptions: the next session's top set chosen among options by the chance it is completed.

Options for each lift (from its last top set `w x r`, plate step `s`, rep range `lo..hi` seen in
its last 8 top sets): deload (`w - max(s, ~10%)`, same reps), back off one plate step
(`(w-s) x r`), hold (`w x r`), add a rep
(`w x r+1`, only while `r < hi`), add a plate step (`(w+s) x r`) and add a step with reps back to
the bottom of the range (`(w+s) x lo`, only when `lo < r`). Each option is measured by its Epley
e1RM relative to the last top set's (`delta`). A model gives each option the probability that
the lifter's actual next top set reaches that e1RM; the prescription is the most ambitious
non-deload option whose probability reaches the model's target success rate, else the deload.
The target rate is tuned on the validation slice: the lowest rate whose validation prescriptions
are met at least RX_MET_GOAL of the time. A second operating point, reported beside it, asks as
much as double progression does on the validation slice (`match_ask`), to compare how often
each is met at equal progress.

A prescription is *met* when the actual next top set's Epley e1RM reaches the prescription's.
"""

import numpy as np

from workout_pipeline.model.features import epley_e1rm

OPTION_KINDS: tuple[str, ...] = ("deload", "back_off", "hold", "add_rep", "add_step", "add_step_reset_reps")
DELOAD, BACK_OFF, HOLD, ADD_REP, ADD_STEP, ADD_STEP_RESET = range(len(OPTION_KINDS))
DELOAD_FRACTION = 0.10
# Candidate target success rates, and the validation met share the chosen one must reach.
TARGET_RATES: tuple[float, ...] = tuple(round(0.2 + 0.05 * i, 2) for i in range(16))  # 0.20 .. 0.95
RX_MET_GOAL = 0.85
# Rule prescriptions reported beside the models.
RULES: tuple[str, ...] = ("double_progression", "plus_one_step")
MET_TOLERANCE = 1e-6


def _steps(step) -> np.ndarray:
    step = np.asarray(step, dtype=float)
    return np.where(step > 0, step, 2.5)


def options(prev_weight, prev_reps, step, range_bottom, range_top) -> dict[str, np.ndarray]:
    """The candidate prescriptions of each lift: `weight`, `reps`, `valid` and `delta` (relative
    Epley e1RM change over the last top set), each [P, len(OPTION_KINDS)]."""
    w = np.asarray(prev_weight, dtype=float)
    r = np.asarray(prev_reps, dtype=float)
    s = _steps(step)
    lo = np.minimum(np.asarray(range_bottom, dtype=float), r)
    hi = np.maximum(np.asarray(range_top, dtype=float), r)
    deload = np.maximum(s, np.round(DELOAD_FRACTION * w / s) * s)
    always = np.ones_like(w, bool)
    weight = np.stack([w - deload, w - s, w, w, w + s, w + s], axis=1)
    reps = np.stack([r, r, r, r + 1, r, lo], axis=1)
    valid = np.stack([w - deload > 0, (w - s > 0) & (s < deload), always, r < hi, always, lo < r], axis=1)
    valid &= (w > 0)[:, None]
    base = np.maximum(epley_e1rm(w, r), 1e-9)[:, None]
    delta = epley_e1rm(weight, reps) / base - 1.0
    return {"weight": weight, "reps": reps, "valid": valid, "delta": delta}


def actual_delta(prev_weight, prev_reps, next_weight, next_reps) -> np.ndarray:
    """The actual next top set's Epley e1RM relative to the last one's, minus 1."""
    base = np.maximum(epley_e1rm(prev_weight, prev_reps), 1e-9)
    return epley_e1rm(next_weight, next_reps) / base - 1.0


def met(prev_weight, prev_reps, rx_weight, rx_reps, next_weight, next_reps) -> np.ndarray:
    """True where the actual next top set's Epley e1RM reaches the prescription's."""
    return epley_e1rm(next_weight, next_reps) >= epley_e1rm(rx_weight, rx_reps) * (1 - MET_TOLERANCE)


def choose(probability: np.ndarray, opts: dict[str, np.ndarray], target: float) -> np.ndarray:
    """Index of the chosen option per lift: the largest-delta valid non-deload option whose
    probability reaches `target`, else the deload (else hold when no deload is possible)."""
    ok = opts["valid"] & (probability >= target)
    ok[:, DELOAD] = False
    score = np.where(ok, opts["delta"], -np.inf)
    best = np.argmax(score, axis=1)
    fallback = np.where(opts["valid"][:, DELOAD], DELOAD, HOLD)
    return np.where(np.isfinite(score.max(axis=1)), best, fallback)


def pick(opts: dict[str, np.ndarray], chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weight, reps) of the chosen options."""
    rows = np.arange(len(chosen))
    return opts["weight"][rows, chosen], opts["reps"][rows, chosen]


def tune_target(probability: np.ndarray, opts: dict[str, np.ndarray], actual: np.ndarray) -> float:
    """The lowest target rate whose prescriptions are met >= RX_MET_GOAL of the time on these
    (validation) pairs; the highest candidate when none is."""
    for target in TARGET_RATES:
        chosen = choose(probability, opts, target)
        rows = np.arange(len(chosen))
        if len(chosen) and np.mean(actual >= opts["delta"][rows, chosen] - MET_TOLERANCE) >= RX_MET_GOAL:
            return float(target)
    return float(TARGET_RATES[-1])


def match_ask(probability: np.ndarray, opts: dict[str, np.ndarray], asked: float) -> float:
    """The highest (most cautious) target rate whose prescriptions still ask, on average, at
    least `asked` (a mean relative e1RM increase, e.g. double progression's on the same
    validation pairs); the lowest candidate when none does."""
    rows = np.arange(len(probability))
    for target in reversed(TARGET_RATES):
        chosen = choose(probability, opts, target)
        if len(chosen) and np.mean(opts["delta"][rows, chosen]) >= asked:
            return float(target)
    return float(TARGET_RATES[0])


def rule_choice(rule: str, opts: dict[str, np.ndarray], hit_top: np.ndarray) -> np.ndarray:
    """The option a rule picks: `double_progression` adds a step (reps to the range's bottom)
    once the last top set reached the top of the range, else adds a rep (else holds);
    `plus_one_step` adds a plate step every time."""
    if rule == "plus_one_step":
        return np.full(len(hit_top), ADD_STEP)
    if rule != "double_progression":
        raise ValueError(f"unknown rule {rule!r}")
    hit = np.asarray(hit_top, dtype=float) > 0.5
    step_choice = np.where(opts["valid"][:, ADD_STEP_RESET], ADD_STEP_RESET, ADD_STEP)
    rep_choice = np.where(opts["valid"][:, ADD_REP], ADD_REP, HOLD)
    return np.where(hit, step_choice, rep_choice)
