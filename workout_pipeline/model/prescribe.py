"""Prescriptions: the next session's top set chosen among options by the chance it is completed.

Options for each lift (from its last top set `w x r`, plate step `s`, rep range `lo..hi` seen in
its last 8 top sets): deload (`w - max(s, ~10%)`, same reps), back off one plate step
(`(w-s) x r`, when smaller than the deload), hold (`w x r`), add a rep (`w x r+1`, only while
`r < hi`), add a plate step (`(w+s) x r`) and add a step with reps back to the bottom of the
range (`(w+s) x lo`, only when `lo < r`). Each option is measured by its ask: its Epley e1RM
relative to the last top set's (`delta`). A model gives each option the probability `p` that the
lifter's actual next top set reaches that e1RM, and the prescription is the option (among those
at least MIN_CHANCE likely) with the highest `delta + caution * p`: every option is worth its ask plus its chance of success, priced
by one number per model. `caution` is tuned on the validation slice: the smallest (most
ambitious) value whose validation prescriptions are met at least RX_MET_GOAL of the time (the
target success rate). Across all lifts this asks the most for a given expected success rate
(a Lagrangian relaxation of "maximise the mean ask subject to the success rate").
A second operating point, reported beside it, asks as much as double progression does on the
validation slice (`match_ask`), to compare how often each is met at equal progress. There the
model chooses among double progression's own kinds of option (hold, add a rep, add a plate
step, with or without resetting the reps: `PROGRESSION_OPTIONS`), never a cut: otherwise it
could buy a high met share with deloads (almost always met) and big asks elsewhere at the
same mean ask.

A prescription is *met* when the actual next top set's Epley e1RM reaches the prescription's.
"""

import numpy as np

from workout_pipeline.model.features import epley_e1rm

OPTION_KINDS: tuple[str, ...] = ("deload", "back_off", "hold", "add_rep", "add_step", "add_step_reset_reps")
DELOAD, BACK_OFF, HOLD, ADD_REP, ADD_STEP, ADD_STEP_RESET = range(len(OPTION_KINDS))
# The options of the equal-progress operating point (double progression's kinds; no cuts).
PROGRESSION_OPTIONS: tuple[int, ...] = (HOLD, ADD_REP, ADD_STEP, ADD_STEP_RESET)
DELOAD_FRACTION = 0.10
# Candidate prices of success (ask units per unit of probability), and the target success rate:
# the validation met share the chosen price must reach (0.80 wanted, plus a margin).
CAUTIONS: tuple[float, ...] = tuple(round(0.02 * i, 2) for i in range(51))  # 0.00 .. 1.00
RX_MET_GOAL = 0.82
# The equal-progress operating point's caution: bisected to this resolution, at most this.
MATCH_RESOLUTION = 1e-5
MATCH_MAX_CAUTION = 5.0
# No prescription the model gives less than this chance (whatever it would ask).
MIN_CHANCE = 0.2
# At the target-rate point (`choose` with `told`), no ask for progress (an option above the last
# top set's e1RM) whose calibrated chance, the one the lifter is told, is below even.
MIN_TOLD_CHANCE_TO_PROGRESS = 0.5
# The lifter's point (`choose_for_lifter`, what the recommendations prescribe): the boldest
# option told at least this chance, else hold (a cut only where holding is told less). One more
# rep is told 45-46% on most of the public lifters' lifts (double progression's asks are met 46%
# of the time): an even-odds floor asked almost nothing (all 16 of ys-math's loaded lifts held),
# while without a floor the equal-progress point told load jumps at 19%.
LIFTER_MIN_TOLD_CHANCE = 0.4
# At the lifter's point, the step with the reps reset keeps at least this share of the reps (a
# double progression range spans 5-8, 8-12 or 12-15 reps: 63-80%).
RESET_MIN_REP_SHARE = 0.6
# Rule prescriptions reported beside the models.
RULES: tuple[str, ...] = ("double_progression", "plus_one_step")
MET_TOLERANCE = 1e-6


def _steps(step) -> np.ndarray:
    step = np.asarray(step, dtype=float)
    return np.where(step > 0, step, 2.5)


def options(prev_weight, prev_reps, step, range_bottom, range_top) -> dict[str, np.ndarray]:
    """The candidate prescriptions of each lift: `weight`, `reps`, `valid` and `delta` (relative
    Epley e1RM change over the last top set), each [P, len(OPTION_KINDS)]; and the rep range
    they were read from, `low` and `high` [P] (the range widened to hold the last reps)."""
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
    return {"weight": weight, "reps": reps, "valid": valid, "delta": delta, "low": lo, "high": hi}


def actual_delta(prev_weight, prev_reps, next_weight, next_reps) -> np.ndarray:
    """The actual next top set's Epley e1RM relative to the last one's, minus 1."""
    base = np.maximum(epley_e1rm(prev_weight, prev_reps), 1e-9)
    return epley_e1rm(next_weight, next_reps) / base - 1.0


def met(prev_weight, prev_reps, rx_weight, rx_reps, next_weight, next_reps) -> np.ndarray:
    """True where the actual next top set's Epley e1RM reaches the prescription's."""
    return epley_e1rm(next_weight, next_reps) >= epley_e1rm(rx_weight, rx_reps) * (1 - MET_TOLERANCE)


def choose(probability: np.ndarray, opts: dict[str, np.ndarray], caution: float,
           told: "np.ndarray | None" = None, min_told: float = MIN_TOLD_CHANCE_TO_PROGRESS) -> np.ndarray:
    """Index of the chosen option per lift: among the valid options at least MIN_CHANCE likely,
    the one with the highest `delta + caution * probability`; the likeliest valid option when
    none is that likely. With `told` (the calibrated chances, `calibrate`), an option that asks
    for progress must also be told at least `min_told` (MIN_TOLD_CHANCE_TO_PROGRESS: no lifter
    is asked for more than last time on odds the model itself puts below even)."""
    likely = opts["valid"] & (probability >= MIN_CHANCE)
    if told is not None:
        likely &= (opts["delta"] <= 0) | (np.asarray(told, dtype=float) >= min_told)
    score = np.where(likely, opts["delta"] + caution * probability, -np.inf)
    safest = np.argmax(np.where(opts["valid"], probability, -np.inf), axis=1)
    return np.where(likely.any(axis=1), np.argmax(score, axis=1), safest)


def pick(opts: dict[str, np.ndarray], chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weight, reps) of the chosen options."""
    rows = np.arange(len(chosen))
    return opts["weight"][rows, chosen], opts["reps"][rows, chosen]


def _met_share(probability, opts, actual, caution, told=None) -> float:
    chosen = choose(probability, opts, caution, told)
    return float(np.mean(actual >= opts["delta"][np.arange(len(chosen)), chosen] - MET_TOLERANCE))


def tune_caution(probability: np.ndarray, opts: dict[str, np.ndarray], actual: np.ndarray,
                 told: "np.ndarray | None" = None) -> float:
    """The smallest caution whose prescriptions (`choose`, with `told`) are met >= RX_MET_GOAL
    of the time on these (validation) pairs; the largest candidate when none is."""
    if len(actual) == 0:
        return float(CAUTIONS[-1])
    return float(next((c for c in CAUTIONS if _met_share(probability, opts, actual, c, told) >= RX_MET_GOAL), CAUTIONS[-1]))


def progression_only(opts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The options with only PROGRESSION_OPTIONS valid (no deload, no back-off)."""
    allowed = np.zeros(len(OPTION_KINDS), bool)
    allowed[list(PROGRESSION_OPTIONS)] = True
    return {**opts, "valid": opts["valid"] & allowed[None, :]}


def choose_matched(probability: np.ndarray, opts: dict[str, np.ndarray], caution: float) -> np.ndarray:
    """`choose` at the equal-progress operating point: among PROGRESSION_OPTIONS only."""
    return choose(probability, progression_only(opts), caution)


def choose_for_lifter(probability: np.ndarray, opts: dict[str, np.ndarray], told: np.ndarray) -> np.ndarray:
    """The lifter's operating point (what `recommend` prescribes). Where holding is told at least
    LIFTER_MIN_TOLD_CHANCE (and the model gives it at least MIN_CHANCE): the boldest step forward
    told as much, else hold. Boldest: the largest ask among one more rep and one plate step more;
    once the top set reached the top of its rep range (no rep to add), a plate step with the
    reps back to the range's bottom is double progression's own step and beats holding although
    its e1RM is lower, if it keeps at least RESET_MIN_REP_SHARE of the reps (a lifter of 6-rep
    rows whose range reached down to one bad day's single is not told a single). Where even
    holding is told less: the boldest cut told at least the floor (back off one step, else
    deload), else hold. A cut is almost always met, so the target-rate point bought its met share
    with them (it backed off or deloaded about half the public lifters' lifts, none of which
    they had failed); here it answers a repeat the lifter is expected to fail."""
    valid = opts["valid"]
    told = np.asarray(told, dtype=float)
    likely = valid & (probability >= MIN_CHANCE) & (told >= LIFTER_MIN_TOLD_CHANCE)
    hold_ok = likely[:, HOLD]
    top_of_range = ~valid[:, ADD_REP]
    reset_ok = top_of_range & (opts["reps"][:, ADD_STEP_RESET] >= RESET_MIN_REP_SHARE * opts["reps"][:, HOLD])
    forward = np.zeros_like(likely)
    forward[:, [ADD_REP, ADD_STEP]] = likely[:, [ADD_REP, ADD_STEP]]
    forward[:, ADD_STEP_RESET] = likely[:, ADD_STEP_RESET] & reset_ok
    # the reset step ranks above holding (an ask just above none), below any bolder step
    delta = opts["delta"].copy()
    delta[:, ADD_STEP_RESET] = np.maximum(delta[:, ADD_STEP_RESET], MET_TOLERANCE)
    score = np.where(forward, delta, -np.inf)
    score[:, HOLD] = 0.0
    cut = np.where(likely[:, [DELOAD, BACK_OFF]], opts["delta"][:, [DELOAD, BACK_OFF]], -np.inf)
    boldest_cut = np.array([DELOAD, BACK_OFF])[np.argmax(cut, axis=1)]
    return np.where(hold_ok, np.argmax(score, axis=1),
                    np.where(np.isfinite(cut.max(axis=1)), boldest_cut, HOLD))


def _mean_ask(probability, opts, caution: float) -> float:
    chosen = choose_matched(probability, opts, caution)
    return float(np.mean(opts["delta"][np.arange(len(chosen)), chosen])) if len(chosen) else 0.0


def match_ask(probability: np.ndarray, opts: dict[str, np.ndarray], asked: float) -> float:
    """The largest (most cautious) caution whose `choose_matched` prescriptions still ask, on
    average, at least `asked` (e.g. double progression's mean ask on the same validation
    pairs): the mean ask
    only falls as the caution grows, so it is bisected on [0, MATCH_MAX_CAUTION] to
    MATCH_RESOLUTION, which matches the ask as closely as the options allow (a 0.02 grid
    overshot by about 1% e1RM); 0 when no caution asks that much."""
    if len(probability) == 0 or _mean_ask(probability, opts, 0.0) < asked:
        return 0.0
    low, high = 0.0, MATCH_MAX_CAUTION
    if _mean_ask(probability, opts, high) >= asked:
        return float(high)
    while high - low > MATCH_RESOLUTION:
        middle = 0.5 * (low + high)
        low, high = (middle, high) if _mean_ask(probability, opts, middle) >= asked else (low, middle)
    return float(low)


def fit_calibration(probability: np.ndarray, opts: dict[str, np.ndarray], actual: np.ndarray) -> dict[str, list[float]]:
    """Isotonic map from a model's completion probability to the share of (validation) options
    actually met, over every valid option of these pairs: {"x": breakpoints, "y": values}
    (empty when there is nothing to fit). Only what a lifter is told (`confidence`) goes
    through it, and the lifter's operating point's floor on asks for progress (`choose`'s
    `told`); the price of success (`caution`) weighs the model's own probability."""
    return _isotonic(probability, opts, actual, increasing=True)


def _isotonic(values: np.ndarray, opts: dict[str, np.ndarray], actual: np.ndarray, increasing: bool) -> dict[str, list[float]]:
    """Isotonic fit of "the option was met" on `values` over every valid option: breakpoints."""
    from sklearn.isotonic import IsotonicRegression

    valid = opts["valid"]
    x = np.asarray(values, dtype=float)[valid]
    hit = (np.asarray(actual, float)[:, None] >= opts["delta"] - MET_TOLERANCE)[valid].astype(float)
    if len(x) < 2 or len(np.unique(hit)) < 2:
        return {"x": [], "y": []}
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=increasing, out_of_bounds="clip").fit(x, hit)
    return {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_]}


def fit_ask_only(opts: dict[str, np.ndarray], actual: np.ndarray) -> dict[str, list[float]]:
    """The skill-free control prescriber: the chance an option is met as a function of its ask
    alone (the same for every lift and lifter), fitted on (training) pairs. Chosen with the
    same `choose_matched` at double progression's ask, it shows what asking the same mean
    progress in fewer, bigger steps does to the met share without any prediction."""
    return _isotonic(opts["delta"], opts, actual, increasing=False)


def concentrate_choice(opts: dict[str, np.ndarray], threshold: float) -> np.ndarray:
    """The second skill-free control: hold every lift, except ask its biggest progression
    option where that asks at least `threshold` (relative e1RM)."""
    progression = progression_only(opts)
    biggest = np.argmax(np.where(progression["valid"], opts["delta"], -np.inf), axis=1)
    return np.where(opts["delta"][np.arange(len(biggest)), biggest] >= threshold, biggest, HOLD)


def fit_concentrate(opts: dict[str, np.ndarray], asked: float) -> float:
    """The largest threshold at which `concentrate_choice` still asks, on average, `asked`: the
    same mean progress as the rule put into the fewest, biggest steps (inf when none does)."""
    rows = np.arange(len(opts["delta"]))
    for threshold in np.unique(opts["delta"][progression_only(opts)["valid"]])[::-1]:
        if np.mean(opts["delta"][rows, concentrate_choice(opts, threshold)]) >= asked:
            return float(threshold)
    return float("inf")


def ask_only_probability(curve: dict[str, list[float]], opts: dict[str, np.ndarray]) -> np.ndarray:
    """[P, options] chance of each option under `fit_ask_only`'s curve (0.5 without one)."""
    if not curve.get("x"):
        return np.full(opts["delta"].shape, 0.5)
    return np.interp(opts["delta"], curve["x"], curve["y"])


def calibrate(probability, calibration: "dict[str, list[float]] | None") -> np.ndarray:
    """The calibrated probability (`fit_calibration`'s map; unchanged without one)."""
    probability = np.asarray(probability, dtype=float)
    if not calibration or not calibration.get("x"):
        return probability
    return np.interp(probability, calibration["x"], calibration["y"])


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
