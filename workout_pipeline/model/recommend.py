"""Next-session prescriptions per athlete and exercise, from the split-trained model."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workout_pipeline.model import prescribe
from workout_pipeline.model.graph import MAX_PAIR_GAP_DAYS, build_training_graph
from workout_pipeline.program.loads import is_assisted, load_in_unit
from workout_pipeline.program.prescribe import rest_seconds

# The agreed columns every consumer may rely on (the program reads these).
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "athlete_id",
    "exercise_id",
    "exercise_raw",
    "load_kg",
    "reps",
    "sets",
    "rest_s",
    "confidence",
    "reason",
    "last_date",
)
# Added after them: what the prescription does (add_load, add_rep, hold, back_off, deload,
# bodyweight), which model prescribed it, and the lifter's unit (kg or lb) its `reason` is written in.
PRESCRIPTION_COLUMNS: tuple[str, ...] = ("decision", "model", "unit")
# The range of the completion chance told to the lifter.
TOLD_CHANCE = (0.05, 0.95)
# The model whose prescriptions are recommended.
RECOMMENDING_MODEL = "graphsage"
# `decision` values, by option (see `prescribe.OPTION_KINDS`).
DECISIONS = {prescribe.DELOAD: "deload", prescribe.BACK_OFF: "back_off", prescribe.HOLD: "hold", prescribe.ADD_REP: "add_rep",
             prescribe.ADD_STEP: "add_load", prescribe.ADD_STEP_RESET: "add_load"}


def recommend(features: pd.DataFrame, trained=None, seed: int = 0, epochs: int | None = None,
              model: str = RECOMMENDING_MODEL, units: "Mapping[str, str] | None" = None) -> pd.DataFrame:
    """Prescribe each athlete's next session of every exercise they have logged.

    The normal path passes `trained`: the models trained on the evaluation split (their gate
    thresholds and prescription caution were tuned on its validation slice). The model is
    applied at each lift's latest occurrence, with the next session assumed to be the same
    routine with the same lifts after the lift's usual gap (`pairs.next_session_features`). With
    `trained=None` a GraphSAGE is trained here on the same split first.

    Args:
        features: output of `build_features`.
        trained: TrainedModels holding `model`, or None to train one here.
        seed, epochs: training seed and maximum epochs when training here.
        model: which trained model prescribes (default GraphSAGE).
        units: the lifter's unit per athlete (kg or lb; the store's `athletes` table); the
            `reason` shows loads in it (kg for an athlete without one). `load_kg` stays in kg.

    Returns:
        One row per (athlete, exercise) with RECOMMENDATION_COLUMNS + PRESCRIPTION_COLUMNS: `load_kg` and `reps` the
        prescribed top set (load on the lift's plate steps), `sets` as last time, `rest_s`,
        `confidence` the model's probability that the lifter completes the prescription
        (calibrated on the validation slice: of prescriptions told 80%, about 80% were met),
        `reason` one line saying why more, why hold or why back off or deload (loads in the
        lifter's unit), `decision` (add_load, add_rep, hold, back_off, deload: `prescribe.choose_for_lifter`;
        `bodyweight` for unloaded lifts),
        `model` and `unit`.
    """
    from workout_pipeline.model.config import DEFAULT_MODELS
    from workout_pipeline.model.pairs import next_session_features
    from workout_pipeline.model.train import completion_probability, decode, pair_outputs, train_models

    if features is None or len(features) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in RECOMMENDATION_COLUMNS + PRESCRIPTION_COLUMNS})
    if trained is None:
        trained = train_models(build_training_graph(features), seed=seed, epochs=epochs,
                               models={model: DEFAULT_MODELS[model]}, progress=None)
    graph = build_training_graph(features, test_fraction=0.0)
    nodes = graph.nodes
    latest = nodes.sort_values("node_time", kind="stable").groupby(["athlete_id", "exercise_key"], sort=True).tail(1)
    latest = latest.sort_values(["athlete_id", "exercise_key"], kind="stable")
    src = latest.index.to_numpy()
    frame = pd.DataFrame(
        {
            "athlete_id": latest["athlete_id"].astype(str).to_numpy(),
            "prev_weight_kg": latest["top_weight_kg"].to_numpy(float),
            "prev_reps": latest["top_reps"].to_numpy(float),
            "prev_rest_s": latest["rest_mean_s"].to_numpy(float),
            "scale_kg": np.maximum(latest["e1rm_best"].to_numpy(float), 1.0),
            "load_step_kg": latest["load_step_kg"].to_numpy(float),
        }
    )
    pair_x = next_session_features(nodes, src)
    outputs = pair_outputs(trained, model, graph, src=src, pair_x=pair_x)
    predicted = decode(outputs, frame, trained.thresholds[model])
    opts = prescribe.options(frame["prev_weight_kg"], frame["prev_reps"], frame["load_step_kg"],
                             latest["rep_range_bottom"].to_numpy(float), latest["rep_range_top"].to_numpy(float))
    probability = completion_probability(trained, model, graph, src, outputs, opts, pair_x=pair_x)
    # what the lifter is told: the model's chance calibrated on validation, never "certain"
    # either way (a few validation pairs can calibrate to 0% or 100%); the choice is the lifter's
    # point (`<model>@lifter` in the evaluation: the boldest step told at least 40% likely, else
    # hold; a cut only where holding is told less)
    told = prescribe.calibrate(probability, trained.rx_calibration.get(model))
    chosen = prescribe.choose_for_lifter(probability, opts, told)
    # a lift last done longer before the athlete's latest session than the model's horizon (it
    # rates a next session at most MAX_PAIR_GAP_DAYS after the last) is past what it knows: the
    # last top set held, without a chance (ys-math's chest press 12 weeks before was told "hold:
    # 80% likely", breinsp's barbell row 36 weeks before "more load"); the week lowers it for the
    # break (`program.prescribe.detraining_factor`)
    days_away = _days_before_latest(nodes, latest)
    # an assisted lift's load is help (more of it is less work): its options and chances read it
    # the other way round, so it holds, unrated (`program.loads.is_assisted`)
    assisted = latest["exercise_id"].astype(str).map(is_assisted).to_numpy(dtype=bool)
    rated = (days_away <= MAX_PAIR_GAP_DAYS) & ~assisted
    chosen = np.where(rated, chosen, prescribe.HOLD)
    probability = np.clip(told, *TOLD_CHANCE)
    load, reps = prescribe.pick(opts, chosen)
    rows = np.arange(len(chosen))
    weighted = frame["prev_weight_kg"].to_numpy() > 0
    load = np.where(weighted, load, 0.0)
    reps = np.where(weighted, reps, bodyweight_reps(predicted["reps"], latest["top_reps"].to_numpy(float)))
    # Rest the model predicts where the log records rest, else the one rest rule (kind of lift, reps).
    usual_rest = [rest_seconds(bool(c), int(r)) for c, r in zip(~(latest["compound"].to_numpy(float) < 0.5), reps)]
    rest = np.where(np.isfinite(predicted["rest_s"]), np.round(predicted["rest_s"] / 15.0) * 15.0, usual_rest)
    confidence = np.where(weighted & rated, probability[rows, chosen], np.nan)
    unit = ["lb" if (units or {}).get(a) == "lb" else "kg" for a in latest["athlete_id"].astype(str)]
    reasons = [
        (_reason(row, choice, probability[i], opts, i, unit[i]) if rated[i] else _assisted_reason(row, unit[i]) if assisted[i]
         else _unrated_reason(row, unit[i], int(days_away[i])))
        if w else _bodyweight_reason(row)
        for i, (row, choice, w) in enumerate(zip(latest.itertuples(index=False), chosen, weighted))
    ]
    return pd.DataFrame(
        {
            "athlete_id": latest["athlete_id"].astype("string").to_numpy(),
            "exercise_id": latest["exercise_id"].astype("string").to_numpy(),
            "exercise_raw": latest["exercise_raw"].astype(str).to_numpy(),
            "load_kg": load.astype(float),
            "reps": np.maximum(reps, 1).astype(np.int64),
            "sets": np.maximum(latest["n_sets"].to_numpy(float), 1).astype(np.int64),
            "rest_s": rest.astype(float),
            "confidence": np.round(confidence.astype(float), 3),
            "reason": reasons,
            "last_date": pd.to_datetime(latest["date"]).to_numpy(),
            "decision": [DECISIONS[int(c)] if w else "bodyweight" for c, w in zip(chosen, weighted)],
            "model": model,
            "unit": unit,
        }
    ).astype({"athlete_id": "string", "exercise_id": "string", "exercise_raw": "string", "reason": "string",
              "decision": "string", "model": "string", "unit": "string"}).reset_index(drop=True)


def _set(weight_kg: float, reps: float, unit: str) -> str:
    """'5 x 100 kg', or in pounds '5 x 135 lb' (`load_in_unit`: to a tenth, two decimals on a quarter of the unit)."""
    return f"{int(reps)} x {load_in_unit(weight_kg, unit)}"


def _reason(row, choice: int, probability: np.ndarray, opts: dict, i: int, unit: str = "kg") -> str:
    """One line: the decision and why (its completion chance against the bolder options')."""
    last = _set(row.top_weight_kg, row.top_reps, unit)
    chance = f"{100 * probability[choice]:.0f}%"
    rx = _set(opts["weight"][i, choice], opts["reps"][i, choice], unit)
    # bolder: asks more with at least the chosen load and reps (a lighter set at more reps is
    # not what a lifter calls bolder, whatever its e1RM)
    weight, reps = opts["weight"][i], opts["reps"][i]
    bolder = [k for k in range(len(prescribe.OPTION_KINDS))
              if opts["valid"][i, k] and opts["delta"][i, k] > opts["delta"][i, choice] + 1e-12
              and weight[k] >= weight[choice] - 1e-9 and reps[k] >= reps[choice]]
    if bolder:
        best = max(bolder, key=lambda k: probability[k])
        others = f"; {_set(opts['weight'][i, best], opts['reps'][i, best], unit)} only {100 * probability[best]:.0f}%"
    else:
        others = ""
    # why more, in the lifter's own reps: the range of their last 8 top sets the options use
    low, high = int(opts["low"][i]), int(opts["high"][i])
    if choice == prescribe.ADD_STEP_RESET:
        return f"more load: {rx} after {last}, the top of your {low}-{high} reps: {chance} likely to be completed{others}"
    if choice == prescribe.ADD_STEP:
        return f"more load: {rx} after {last}, {chance} likely to be completed{others}"
    if choice == prescribe.ADD_REP:
        return f"one more rep: {rx} after {last} (your last 8 top sets: {low}-{high} reps), {chance} likely{others}"
    if choice == prescribe.HOLD:
        return f"hold {last}: {chance} likely{others}"
    if choice == prescribe.BACK_OFF:
        return f"back off one step: {rx}, {chance} likely; repeating {last} only {100 * probability[prescribe.HOLD]:.0f}%"
    return f"deload to {rx}: {chance} likely; repeating {last} only {100 * probability[prescribe.HOLD]:.0f}%"


def bodyweight_reps(predicted: np.ndarray, last_reps: np.ndarray) -> np.ndarray:
    """Reps for a bodyweight lift: the model's, within one rep of last time (a lifter who did
    4 pull-ups is told 3-5, never a single)."""
    return np.clip(np.round(predicted), np.maximum(last_reps - 1, 1), last_reps + 1)


def _days_before_latest(nodes: pd.DataFrame, latest: pd.DataFrame) -> np.ndarray:
    """Days between each lift's latest session and its athlete's latest session."""
    last_day = nodes.groupby("athlete_id")["date"].max()
    return (latest["athlete_id"].map(last_day) - latest["date"]).dt.days.to_numpy(float)


def _unrated_reason(row, unit: str, days: int) -> str:
    """'hold 10 x 46 kg; not rated: last done 85 days before your latest session, past the 28
    the model rates: ease back in'."""
    return (f"hold {_set(row.top_weight_kg, row.top_reps, unit)}; not rated: last done {days} days before "
            f"your latest session, past the {MAX_PAIR_GAP_DAYS} the model rates: ease back in")


def _assisted_reason(row, unit: str) -> str:
    """'hold 8 x 20 kg of assistance; not rated: on an assisted lift more load is less work'."""
    return (f"hold {_set(row.top_weight_kg, row.top_reps, unit)} of assistance; not rated: on an assisted lift more "
            "load is less work, so take some off once your sets reach the top of your range")


def _bodyweight_reason(row) -> str:
    return f"bodyweight: {int(row.top_reps)} reps last time, the model's reps within one of that"
