"""Evaluation on the held-out test pairs: every rule baseline and every trained model, with
each one's prescription for the pair's session and whether it was met."""

import numpy as np
import pandas as pd

from workout_pipeline.jsonable import plain
from workout_pipeline.model import prescribe
from workout_pipeline.model.baselines import BASELINE_FUNCTIONS
from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, TrainingGraph
from workout_pipeline.model.metrics import model_metrics, prescription_metrics, progress_base_rate
from workout_pipeline.model.train import TrainedModels, pair_options, predict_pairs

PREDICTION_ID_COLUMNS: tuple[str, ...] = (
    "athlete_id",
    "exercise_raw",
    "exercise_id",
    "prev_date",
    "target_date",
    "prev_weight_kg",
    "prev_reps",
    "y_weight_kg",
    "y_reps",
)


# Skill-free controls at the equal-progress point: `ask_only` (each option's chance from its ask
# alone, `prescribe.fit_ask_only`) and `concentrate` (hold, but ask the biggest steps,
# `prescribe.concentrate_choice`).
CONTROLS: tuple[str, ...] = ("ask_only", "concentrate")


def _ask_only_control(pairs: pd.DataFrame, test: pd.DataFrame, test_opts: dict) -> dict | None:
    """The skill-free controls at the equal-progress point, each matched on validation to double
    progression's mean ask (`ask_only`: its chance curve from the training pairs; `concentrate`:
    its threshold): {name: {"rx": test prescriptions, "caution", "validation": met and ask}}."""
    split = pairs["split"].to_numpy()
    fit, val = pairs[split == SPLIT_TRAIN], pairs[split == SPLIT_VALIDATION]
    if len(fit) == 0 or len(val) == 0:
        return None
    from workout_pipeline.model.train import _actual_delta, _validation_prescriptions

    curve = prescribe.fit_ask_only(pair_options(fit), _actual_delta(fit))
    val_opts = pair_options(val)
    probability = prescribe.ask_only_probability(curve, val_opts)
    rule = prescribe.rule_choice("double_progression", val_opts, val["hit_top_of_range"].to_numpy(float))
    rule_ask = float(np.mean(val_opts["delta"][np.arange(len(rule)), rule]))
    caution = prescribe.match_ask(probability, val_opts, rule_ask)
    validation = _validation_prescriptions(probability, val_opts, _actual_delta(val), rule, caution, caution)
    chosen = prescribe.choose_matched(prescribe.ask_only_probability(curve, test_opts), test_opts, caution)
    result = {"ask_only": {"rx": prescribe.pick(test_opts, chosen), "caution": caution, "validation": validation}}
    threshold = prescribe.fit_concentrate(val_opts, rule_ask)
    val_chosen = prescribe.concentrate_choice(val_opts, threshold)
    validation = _validation_prescriptions(np.zeros(val_opts["delta"].shape), val_opts, _actual_delta(val), rule, 0.0, 0.0)
    asked = val_opts["delta"][np.arange(len(val_chosen)), val_chosen]
    validation["dp_ask"] = {"share_met": float(np.mean(_actual_delta(val) >= asked - prescribe.MET_TOLERANCE)),
                            "mean_e1rm_increase_pct": float(100.0 * np.mean(asked))}
    result["concentrate"] = {"rx": prescribe.pick(test_opts, prescribe.concentrate_choice(test_opts, threshold)),
                             "caution": threshold, "validation": validation}
    return result


def evaluate_models(graph: TrainingGraph, trained: TrainedModels) -> tuple[dict, pd.DataFrame]:
    """Predict and prescribe every test pair with each baseline and model; compute the metrics.

    Args:
        graph: the TrainingGraph whose test pairs are scored.
        trained: models from `train_models` on the same graph.

    Returns:
        (metrics, predictions): metrics is JSON-able ({"models": {name: {...}}, "prescriptions":
        {name: {share_met, mean_e1rm_increase_kg, ..., per_athlete}}, counts,
        "graphsage_vs_repeat_last", ...}); predictions has one row per test pair with
        PREDICTION_ID_COLUMNS plus `pred_weight_kg__<model>`, `pred_reps__<model>` per model
        (`pred_rest_s__<model>` when the data logs rest), `progress__<model>` (probability the
        lift progresses; ranks Precision@K) and `rx_weight_kg__<name>`, `rx_reps__<name>` for
        each trained model and the rules `double_progression` and `plus_one_step`; for each
        model also `rx_*__<model>@dp_ask`, the operating point that asks as much as double
        progression did on the validation slice, and `rx_*__<model>@lifter`, the lifter's point
        (what the recommendations prescribe); `rx_confidence__<name>` is the chance of
        completing it the lifter is told (calibrated on validation); the skill-free controls
        `ask_only@dp_ask` and `concentrate@dp_ask` (CONTROLS) stand beside them.
    """
    pairs = graph.pairs
    test = pairs[pairs["split"] == SPLIT_TEST]
    predictions = test[list(PREDICTION_ID_COLUMNS)].reset_index(drop=True)
    rest_logged = bool(test["y_rest_s"].notna().any()) if len(test) else False
    if rest_logged:
        predictions["prev_rest_s"] = test["prev_rest_s"].to_numpy()
        predictions["y_rest_s"] = test["y_rest_s"].to_numpy()
    names: list[str] = []
    for name, function in BASELINE_FUNCTIONS.items():
        weight, reps = function(test, graph.nodes)
        predictions[f"pred_weight_kg__{name}"] = weight
        predictions[f"pred_reps__{name}"] = reps
        if rest_logged:
            predictions[f"pred_rest_s__{name}"] = test["prev_rest_s"].to_numpy(float)
        names.append(name)
    prescribers: list[str] = []
    for name in trained.configs:
        predicted = predict_pairs(trained, name, graph, test)
        predictions[f"pred_weight_kg__{name}"] = predicted["weight_kg"]
        predictions[f"pred_reps__{name}"] = predicted["reps"]
        if rest_logged:
            predictions[f"pred_rest_s__{name}"] = predicted["rest_s"]
        predictions[f"progress__{name}"] = predicted["progress_probability"]
        predictions[f"rx_weight_kg__{name}"] = predicted["rx_weight_kg"]
        predictions[f"rx_reps__{name}"] = predicted["rx_reps"]
        predictions[f"rx_confidence__{name}"] = predicted["rx_confidence"]
        predictions[f"rx_weight_kg__{name}@dp_ask"] = predicted["rx_matched_weight_kg"]
        predictions[f"rx_reps__{name}@dp_ask"] = predicted["rx_matched_reps"]
        predictions[f"rx_confidence__{name}@dp_ask"] = predicted["rx_matched_confidence"]
        predictions[f"rx_weight_kg__{name}@lifter"] = predicted["rx_lifter_weight_kg"]
        predictions[f"rx_reps__{name}@lifter"] = predicted["rx_lifter_reps"]
        predictions[f"rx_confidence__{name}@lifter"] = predicted["rx_lifter_confidence"]
        names.append(name)
        prescribers += [name, f"{name}@dp_ask", f"{name}@lifter"]
    opts = pair_options(test)
    control = _ask_only_control(pairs, test, opts)
    if control is not None:
        for name in CONTROLS:
            predictions[f"rx_weight_kg__{name}@dp_ask"], predictions[f"rx_reps__{name}@dp_ask"] = control[name]["rx"]
            prescribers.append(f"{name}@dp_ask")
    for rule in prescribe.RULES:
        weight, reps = prescribe.pick(opts, prescribe.rule_choice(rule, opts, test["hit_top_of_range"].to_numpy(float)))
        predictions[f"rx_weight_kg__{rule}"] = weight
        predictions[f"rx_reps__{rule}"] = reps
        prescribers.append(rule)

    split = pairs["split"].to_numpy()
    metrics: dict = {
        "n_test_pairs": int(len(test)),
        "n_train_pairs": int((split == SPLIT_TRAIN).sum()),
        "n_validation_pairs": int((split == SPLIT_VALIDATION).sum()),
        "n_nodes": int(graph.num_nodes),
        "n_edges": int(graph.edge_index.shape[1]),
        "athletes": sorted(test["athlete_id"].astype(str).unique().tolist()),
        "test_fraction": graph.test_fraction,
        "first_test_date": {
            a: str(pd.Timestamp(t, unit="s").date()) for a, t in sorted(graph.first_test_time.items())
        },
        "share_test_pairs_repeating_load": float(
            np.mean(np.abs(test["y_weight_kg"] - test["prev_weight_kg"]) < 1e-6)
        )
        if len(test)
        else None,
        "progress_base_rate": progress_base_rate(predictions),
        "progress_base_rate_strict": progress_base_rate(predictions, "strict"),
        "models": {},
        "prescriptions": {},
    }
    if len(test):
        for name in names:
            metrics["models"][name] = model_metrics(predictions, name)
        for name in prescribers:
            metrics["prescriptions"][name] = prescription_metrics(predictions, name)
            model, _, point = name.partition("@")
            cautions = {"dp_ask": trained.rx_caution_matched, "": trained.rx_caution}.get(point, {})
            metrics["prescriptions"][name]["caution"] = cautions.get(model, 0.0 if point == "lifter" else None)
            metrics["prescriptions"][name]["target_success_rate"] = (
                prescribe.RX_MET_GOAL if model in trained.rx_caution and not point else None)
        if "graphsage" in metrics["models"]:
            sage = metrics["models"]["graphsage"]["load_mae_kg"]
            repeat = metrics["models"]["repeat_last"]["load_mae_kg"]
            metrics["graphsage_vs_repeat_last"] = {
                "load_mae_kg_graphsage": sage,
                "load_mae_kg_repeat_last": repeat,
                "difference_kg": repeat - sage,
                "improvement_pct": 100.0 * (repeat - sage) / repeat if repeat else None,
            }
    if control is not None and len(test):
        for name in CONTROLS:
            metrics["prescriptions"][f"{name}@dp_ask"].update(caution=control[name]["caution"],
                                                               validation=control[name]["validation"])
    metrics["training"] = {
        name: {"epochs": trained.epochs[name], "change_threshold_steps": trained.thresholds[name],
               "prescription_caution": trained.rx_caution.get(name), **trained.history.get(name, {})}
        for name in trained.configs
    }
    return plain(metrics), predictions
