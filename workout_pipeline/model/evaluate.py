"""Evaluation on the held-out test pairs: every rule baseline and every trained network."""

import numpy as np
import pandas as pd

from workout_pipeline.model.baselines import BASELINE_FUNCTIONS
from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, TrainingGraph
from workout_pipeline.model.metrics import model_metrics
from workout_pipeline.model.train import TrainedModels, predict_pairs

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


def evaluate_models(graph: TrainingGraph, trained: TrainedModels) -> tuple[dict, pd.DataFrame]:
    """Predict every test pair with each baseline and network; compute the protocol's metrics.

    Args:
        graph: the TrainingGraph whose test pairs are scored.
        trained: networks from `train_models` on the same graph.

    Returns:
        (metrics, predictions): metrics is JSON-able ({"models": {name: {...}}, counts,
        "graphsage_vs_repeat_last", ...}); predictions has one row per test pair with
        PREDICTION_ID_COLUMNS plus `pred_weight_kg__<model>` and `pred_reps__<model>` per model
        (and `pred_rest_s__<model>` when the data logs rest).
    """
    pairs = graph.pairs
    test = pairs[pairs["split"] == SPLIT_TEST].reset_index(drop=True)
    predictions = test[list(PREDICTION_ID_COLUMNS)].copy()
    rest_logged = bool(test["y_rest_s"].notna().any()) if len(test) else False
    if rest_logged:
        predictions["prev_rest_s"] = test["prev_rest_s"]
        predictions["y_rest_s"] = test["y_rest_s"]
    names: list[str] = []
    for name, function in BASELINE_FUNCTIONS.items():
        weight, reps = function(test, graph.nodes)
        predictions[f"pred_weight_kg__{name}"] = weight
        predictions[f"pred_reps__{name}"] = reps
        if rest_logged:
            predictions[f"pred_rest_s__{name}"] = test["prev_rest_s"].to_numpy(float)
        names.append(name)
    for name in trained.configs:
        predicted = predict_pairs(trained, name, graph, test)
        predictions[f"pred_weight_kg__{name}"] = predicted["weight_kg"]
        predictions[f"pred_reps__{name}"] = predicted["reps"]
        if rest_logged:
            predictions[f"pred_rest_s__{name}"] = predicted["rest_s"]
        names.append(name)

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
        "models": {},
    }
    if len(test):
        for name in names:
            metrics["models"][name] = _clean(model_metrics(predictions, name))
        if "graphsage" in metrics["models"]:
            sage = metrics["models"]["graphsage"]["load_mae_kg"]
            repeat = metrics["models"]["repeat_last"]["load_mae_kg"]
            metrics["graphsage_vs_repeat_last"] = {
                "load_mae_kg_graphsage": sage,
                "load_mae_kg_repeat_last": repeat,
                "difference_kg": repeat - sage,
                "improvement_pct": 100.0 * (repeat - sage) / repeat if repeat else None,
            }
    metrics["training"] = {
        name: {"epochs": trained.epochs[name], "change_threshold_steps": trained.thresholds[name], **_clean(trained.history.get(name, {}))}
        for name in trained.configs
    }
    return metrics, predictions


def _clean(value):
    """Replace NaN with None and numpy scalars with Python ones (JSON-able)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
