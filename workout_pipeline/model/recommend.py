"""Next-session prescriptions per athlete and exercise from a GraphSAGE trained on all history."""

import numpy as np
import pandas as pd

from workout_pipeline.model.graph import build_training_graph

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
# Rest when the log never recorded it: the usual guidance by rep range (heavier = longer).
DEFAULT_REST_S = ((5, 180.0), (8, 150.0), (12, 120.0))
DEFAULT_REST_HIGH_REPS_S = 90.0


def default_rest_s(reps: float) -> float:
    """Conventional rest for a set of `reps` reps (used when no rest was logged)."""
    for limit, seconds in DEFAULT_REST_S:
        if reps <= limit:
            return seconds
    return DEFAULT_REST_HIGH_REPS_S


def recommend(features: pd.DataFrame, catalog: pd.DataFrame | None = None, trained=None, seed: int = 0, epochs: int | None = None) -> pd.DataFrame:
    """Prescribe each athlete's next session of every exercise they have logged.

    The prescription comes from GraphSAGE applied at the exercise's latest occurrence. With
    `trained=None` a GraphSAGE is trained on *all* history (no test hold-out: recommending is not
    evaluating; `evaluate_models` reports the held-out accuracy). A given `trained` (e.g. from the
    evaluation split) is used as is.

    Args:
        features: output of `build_features`.
        catalog: the exercise catalog (used for display names of resolved exercises) or None.
        trained: TrainedModels with a "graphsage" network, or None to train one here.
        seed: training seed when training here.
        epochs: maximum training epochs when training here (None = default).

    Returns:
        One row per (athlete, exercise) with RECOMMENDATION_COLUMNS: `load_kg` rounded to the
        lift's plate step, `reps`, `sets`, `rest_s`, `confidence` in [0, 1] (how sure the model is
        about changing or keeping the load) and a one-line `reason`.
    """
    from workout_pipeline.model.train import DEFAULT_MODELS, decode, model_inputs, train_models

    if features is None or len(features) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in RECOMMENDATION_COLUMNS})
    graph = build_training_graph(features, test_fraction=0.0)
    if trained is None:
        trained = train_models(graph, seed=seed, epochs=epochs, models={"graphsage": DEFAULT_MODELS["graphsage"]})
    nodes = graph.nodes
    latest = nodes.sort_values("node_time", kind="stable").groupby(["athlete_id", "exercise_key"], sort=True).tail(1)
    latest = latest.sort_values(["athlete_id", "exercise_key"], kind="stable")
    src = latest.index.to_numpy()
    frame = pd.DataFrame(
        {
            "src": src,
            "athlete_id": latest["athlete_id"].astype(str).to_numpy(),
            "prev_weight_kg": latest["top_weight_kg"].to_numpy(float),
            "prev_reps": latest["top_reps"].to_numpy(float),
            "prev_rest_s": latest["rest_mean_s"].to_numpy(float),
            "scale_kg": np.maximum(latest["e1rm_best"].to_numpy(float), 1.0),
            "load_step_kg": latest["load_step_kg"].to_numpy(float),
        }
    )
    import torch

    net = trained.network("graphsage")
    x, edge_index, edge_type = model_inputs(graph, trained)
    with torch.no_grad():
        outputs = net(x, edge_index, edge_type)[torch.tensor(src, dtype=torch.long)].numpy().astype(float)
    predicted = decode(outputs, frame, trained.thresholds["graphsage"])
    weighted = frame["prev_weight_kg"].to_numpy() > 0
    load = np.where(weighted, predicted["weight_kg"], 0.0)
    reps = predicted["reps"]
    rest = np.where(np.isfinite(predicted["rest_s"]), np.round(predicted["rest_s"] / 15.0) * 15.0, [default_rest_s(r) for r in reps])
    change = load - frame["prev_weight_kg"].to_numpy()
    probability = predicted["change_probability"]
    confidence = np.where(np.abs(change) > 1e-6, probability, 1.0 - probability)
    names = _display_names(latest, catalog)
    reasons = [
        _reason(row, delta, rest_logged=np.isfinite(r))
        for row, delta, r in zip(latest.itertuples(index=False), change, frame["prev_rest_s"].to_numpy(float))
    ]
    return pd.DataFrame(
        {
            "athlete_id": latest["athlete_id"].astype("string").to_numpy(),
            "exercise_id": latest["exercise_id"].astype("string").to_numpy(),
            "exercise_raw": names,
            "load_kg": load.astype(float),
            "reps": reps.astype(np.int64),
            "sets": np.maximum(latest["n_sets"].to_numpy(float), 1).astype(np.int64),
            "rest_s": rest.astype(float),
            "confidence": np.round(confidence.astype(float), 3),
            "reason": reasons,
            "last_date": pd.to_datetime(latest["date"]).to_numpy(),
        }
    ).astype({"athlete_id": "string", "exercise_id": "string", "exercise_raw": "string", "reason": "string"}).reset_index(drop=True)


def _display_names(latest: pd.DataFrame, catalog: pd.DataFrame | None) -> list[str]:
    """The name the athlete's app wrote (what they will recognise)."""
    return [str(raw) for raw in latest["exercise_raw"]]


def _format_kg(value: float) -> str:
    return f"{value:g} kg"


def _reason(row, delta: float, rest_logged: bool) -> str:
    """One line: what happened last time and what changes."""
    sets, reps, weight = int(row.n_sets), int(row.top_reps), float(row.top_weight_kg)
    last = f"{sets}x{reps} at {_format_kg(weight)}" if weight > 0 else f"{sets}x{reps} (bodyweight)"
    context = []
    if row.hit_top_of_range > 0.5:
        context.append("top of rep range")
    if weight <= 0:
        decision = "same bodyweight sets, reps from the model"
    elif delta > 1e-6:
        decision = f"+{_format_kg(round(delta, 2))}"
    elif delta < -1e-6:
        decision = f"-{_format_kg(round(-delta, 2))}"
    else:
        decision = "same load"
    detail = f" ({', '.join(context)})" if context else ""
    rest_note = "" if rest_logged else "; rest by rep range (none logged)"
    return f"last {last}{detail}: {decision}{rest_note}"
