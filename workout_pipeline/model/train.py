"""Full-batch training of the neural models on a TrainingGraph, prediction, save and load.

Each network predicts, from the previous occurrence's node, the *change* to the lift's next
occurrence: a change-or-not gate (about half of real next sessions repeat the load exactly), the
load change relative to the athlete's best e1RM for the lift (L1, so it learns a median), the reps
change and the rest change. A prediction is the last value plus the change, the load change
rounded to whole plate steps and applied only where the gate's probability reaches a threshold.
Early stopping (from MIN_EPOCHS on) and the per-athlete gate thresholds come from the validation
slice at the end of the training period, and the early-stopped weights are kept (with no
validation pairs the network is fitted on all training pairs). Test pairs are never seen.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, TrainingGraph

# The models `train_models` trains by default (the evaluation protocol's neural models).
DEFAULT_MODELS: dict[str, dict] = {
    # 3 independently initialised GraphSAGEs averaged: one network's load calls were seed noise
    "graphsage": {"arch": "sage", "layers": 2, "aggr": "mean", "hidden": 32, "ensemble": 3},
    "gcn": {"arch": "gcn", "layers": 2, "hidden": 64},
    "mlp": {"arch": "mlp", "layers": 2, "hidden": 64},
}
# Ablations reported in docs/model.md (one network instead of the ensemble; GraphSAGE depth,
# aggregator, relations; attention), single networks.
ABLATION_MODELS: dict[str, dict] = {
    "graphsage_single": {"arch": "sage", "layers": 2, "aggr": "mean", "hidden": 32},
    "graphsage_depth1": {"arch": "sage", "layers": 1, "aggr": "mean", "hidden": 64},
    "graphsage_depth3": {"arch": "sage", "layers": 3, "aggr": "mean", "hidden": 64},
    "graphsage_max": {"arch": "sage", "layers": 2, "aggr": "max", "hidden": 64},
    "graphsage_one_relation": {"arch": "sage", "layers": 2, "aggr": "mean", "hidden": 64, "relational": False},
    "gat": {"arch": "gat", "layers": 2, "hidden": 64},
}
MAX_EPOCHS = 200
EVAL_EVERY = 5
PATIENCE_EVALS = 12
LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-4
# Loss weights: bring the gate (BCE), load (fraction of e1RM), reps and rest (minutes) to one scale.
LOSS_WEIGHTS = {"gate": 1.0, "load": 10.0, "reps": 0.2, "rest": 0.2}
GATE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CHANGE_TOLERANCE_KG = 1e-6
# Relative validation improvement over "never change" an athlete's threshold must show.
MIN_VALIDATION_GAIN = 0.05
# Early stopping only from this epoch on: before it the gated score sits at "never change" and
# would stop training at epoch 5, before the network has learnt anything (a seed-dependent tie).
MIN_EPOCHS = 50


@dataclass
class TrainedModels:
    """Weights and settings of the trained networks (everything JSON-able or tensors).

    Attributes:
        configs: model name -> architecture config.
        states: model name -> state_dict.
        thresholds: model name -> {athlete: smallest change-or-not probability that changes the
            load, inf = never}; key "*" is the default for athletes without validation pairs.
        epochs: model name -> the early-stopping epoch (or the epochs fitted without validation).
        feature_names, feature_mean, feature_std: the input contract and its normalisation.
        num_relations: edge relations the graph had.
        seed: the training seed. device: where it was trained.
        history: model name -> {"val_score": [...], "seconds": s} (load MAE + 0.1 x reps MAE).
    """

    configs: dict[str, dict]
    states: dict[str, dict]
    thresholds: dict[str, dict[str, float]]
    epochs: dict[str, int]
    feature_names: list[str]
    feature_mean: Any
    feature_std: Any
    num_relations: int
    seed: int = 0
    device: str = "cpu"
    history: dict[str, dict] = field(default_factory=dict)

    def network(self, name: str):
        """The named network with its trained weights, in eval mode on the CPU."""
        from workout_pipeline.model.nets import build_network

        net = build_network(self.configs[name], len(self.feature_names), self.num_relations)
        net.load_state_dict(self.states[name])
        return net.eval()


def resolve_device(device: str = "auto"):
    """"auto" -> CUDA when available, else CPU; anything else is passed to torch.device."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _targets(graph: TrainingGraph, device):
    import torch

    pairs = graph.pairs
    prev_w = pairs["prev_weight_kg"].to_numpy(float)
    change = pairs["y_weight_kg"].to_numpy(float) - prev_w
    rest_prev = pairs["prev_rest_s"].to_numpy(float)
    rest_next = pairs["y_rest_s"].to_numpy(float)
    rest_known = np.isfinite(rest_prev) & np.isfinite(rest_next)

    def tensor(values, dtype=torch.float32):
        return torch.tensor(values, dtype=dtype, device=device)

    return {
        "src": tensor(pairs["src"].to_numpy(np.int64), torch.long),
        "changed": tensor((np.abs(change) > CHANGE_TOLERANCE_KG).astype(np.float32)),
        "load_rel": tensor(change / pairs["scale_kg"].to_numpy(float)),
        "scale": tensor(pairs["scale_kg"].to_numpy(float)),
        "reps": tensor(np.clip(pairs["y_reps"].to_numpy(float) - pairs["prev_reps"].to_numpy(float), -20, 20)),
        "rest": tensor(np.where(rest_known, (rest_next - rest_prev) / 60.0, 0.0)),
        "rest_known": tensor(rest_known.astype(np.float32)),
    }


def _loss(out, targets, mask):
    import torch.nn.functional as F

    out = out[targets["src"][mask]]
    # L1 on the load change in kg (output is relative to e1RM): the minimiser is the conditional
    # median, which is "no change" wherever repeating is the most likely outcome.
    scale = targets["scale"][mask]
    load = (scale * (out[:, 1] - targets["load_rel"][mask]).abs()).mean() / scale.mean()
    loss = LOSS_WEIGHTS["load"] * load
    loss = loss + LOSS_WEIGHTS["gate"] * F.binary_cross_entropy_with_logits(out[:, 0], targets["changed"][mask])
    loss = loss + LOSS_WEIGHTS["reps"] * F.smooth_l1_loss(out[:, 2], targets["reps"][mask])
    rest_known = targets["rest_known"][mask] > 0
    if bool(rest_known.any()):
        loss = loss + LOSS_WEIGHTS["rest"] * F.l1_loss(out[rest_known, 3], targets["rest"][mask][rest_known])
    return loss


def decode(outputs: np.ndarray, pairs, threshold: "float | dict[str, float]" = 0.5) -> dict[str, np.ndarray]:
    """Turn raw outputs at each pair's previous-occurrence node into predictions.

    Args:
        outputs: [P, 4] network outputs for the pairs' `src` nodes.
        pairs: frame with `prev_weight_kg`, `prev_reps`, `prev_rest_s`, `scale_kg`, `load_step_kg`.
        threshold: the load changes (by the predicted change in whole plate steps, at least one)
            only where the change-or-not probability is at least this (inf = never change); either one number or
            {athlete_id: number, "*": default} (pairs then need `athlete_id`); tuned on validation.

    Returns:
        {"weight_kg", "reps", "rest_s", "change_probability"} arrays.
    """
    prev_w = pairs["prev_weight_kg"].to_numpy(float)
    step = pairs["load_step_kg"].to_numpy(float)
    step = np.where(step > 0, step, 2.5)
    probability = 1.0 / (1.0 + np.exp(-outputs[:, 0]))
    change_kg = outputs[:, 1] * pairs["scale_kg"].to_numpy(float)
    if isinstance(threshold, dict):
        default = float(threshold.get("*", 0.5))
        threshold = np.array([float(threshold.get(str(a), default)) for a in pairs["athlete_id"]], dtype=float)
    # change only where the change-or-not head is at least `threshold` sure; then by the predicted
    # change in whole plate steps (at least one)
    steps = np.where(
        (probability >= threshold) & (np.abs(change_kg) > 0),
        np.sign(change_kg) * np.maximum(np.round(np.abs(change_kg) / step), 1),
        0,
    )
    weight = np.maximum(prev_w + steps * step, 0.0)
    reps = np.maximum(pairs["prev_reps"].to_numpy(float) + np.round(outputs[:, 2]), 1.0)
    prev_rest = pairs["prev_rest_s"].to_numpy(float)
    rest = np.where(np.isfinite(prev_rest), np.maximum(prev_rest + 60.0 * outputs[:, 3], 0.0), np.nan)
    return {"weight_kg": weight, "reps": reps, "rest_s": rest, "change_probability": probability}


def model_inputs(graph: TrainingGraph, trained: "TrainedModels | None" = None, device=None):
    """(x, edge_index, edge_type) tensors; with `trained`, features are renormalised with the
    statistics the model was trained with."""
    import torch

    from workout_pipeline.errors import InputError

    x = graph.x
    if trained is not None:
        if list(trained.feature_names) != list(graph.feature_names):
            raise InputError("the graph's features do not match the trained model's features; retrain the model")
        x = (graph.x_raw - trained.feature_mean) / trained.feature_std
    device = device or torch.device("cpu")
    return x.to(device), graph.edge_index.to(device), graph.edge_type.to(device)


def train_models(
    graph: TrainingGraph,
    seed: int = 0,
    device: str = "auto",
    epochs: int | None = None,
    models: dict[str, dict] | None = None,
    threads: int | None = None,
) -> TrainedModels:
    """Train each network full-batch on the graph's training pairs.

    Args:
        graph: the TrainingGraph (test pairs are never used).
        seed: torch seed; the same seed and data give the same weights on CPU.
        device: "auto" (CUDA when available, else CPU), "cpu" or "cuda".
        epochs: maximum epochs (default MAX_EPOCHS); small values make tests fast.
        models: name -> config; default DEFAULT_MODELS (GraphSAGE, GCN, MLP).
        threads: torch CPU threads while training (default `default_threads()`); the previous
            setting is restored afterwards.

    Returns:
        TrainedModels with CPU state dicts.
    """
    import torch

    models = dict(models or DEFAULT_MODELS)
    torch_device = resolve_device(device)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(int(threads) if threads else default_threads())
    try:
        return _train_all(graph, seed, torch_device, epochs, models)
    finally:
        torch.set_num_threads(threads_before)


def default_threads() -> int:
    """min(4, cores), or 1 on machines with <= 2 cores (there, under load, one thread was ~6x
    faster than two for these small full-batch graphs)."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores <= 2 else min(4, cores)


def _train_all(graph: TrainingGraph, seed: int, torch_device, epochs: int | None, models: dict[str, dict]) -> TrainedModels:
    import torch

    from workout_pipeline.errors import InputError

    split = graph.pairs["split"].to_numpy()
    has_train = bool((split == SPLIT_TRAIN).any())
    has_val = bool((split == SPLIT_VALIDATION).any())
    if not has_train and not has_val:
        raise InputError("no training pairs: a lift must be logged twice within 28 days with weight > 0 before the test period")
    x, edge_index, edge_type = model_inputs(graph, None, torch_device)
    targets = _targets(graph, torch_device)
    fit_mask = torch.tensor(split == SPLIT_TRAIN if has_train and has_val else split != SPLIT_TEST, device=torch_device)
    val_mask = torch.tensor(split == SPLIT_VALIDATION, device=torch_device) if has_train and has_val else None
    full_mask = torch.tensor(split != SPLIT_TEST, device=torch_device)
    max_epochs = int(epochs) if epochs is not None else MAX_EPOCHS
    num_relations = len(graph.relations)

    configs, states, thresholds, epochs_done, history = {}, {}, {}, {}, {}
    for name, config in models.items():
        started = time.perf_counter()
        best_epoch, val_curve, threshold, fitted = max_epochs, [], {"*": 0.5}, None
        if val_mask is not None:
            fitted, best_epoch, val_curve, threshold = _fit(
                config, graph, x, edge_index, edge_type, targets, fit_mask, val_mask, max_epochs, seed, torch_device, num_relations
            )
        if val_mask is not None:
            # keep the early-stopped network: the gate thresholds were tuned on *its* validation
            # outputs; a refit on train + validation made different calls the gate never saw
            net = fitted
        else:
            net, _, _, _ = _fit(config, graph, x, edge_index, edge_type, targets, full_mask, None, best_epoch, seed, torch_device, num_relations)
        configs[name] = json.loads(json.dumps(config))
        states[name] = {k: v.detach().cpu() for k, v in net.state_dict().items()}
        thresholds[name] = {str(k): float(v) for k, v in threshold.items()}
        epochs_done[name] = int(best_epoch)
        history[name] = {"val_score": val_curve, "seconds": time.perf_counter() - started}
    return TrainedModels(
        configs=configs,
        states=states,
        thresholds=thresholds,
        epochs=epochs_done,
        feature_names=list(graph.feature_names),
        feature_mean=graph.feature_mean.clone(),
        feature_std=graph.feature_std.clone(),
        num_relations=num_relations,
        seed=int(seed),
        device=str(torch_device),
        history=history,
    )


def _fit(config, graph, x, edge_index, edge_type, targets, fit_mask, val_mask, epochs, seed, device, num_relations):
    """Train one network; with `val_mask`, stop early on validation MAE and return the
    best epoch and the best change threshold."""
    import torch

    from workout_pipeline.model.nets import build_network

    torch.manual_seed(seed)
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        net = build_network(config, x.shape[1], num_relations).to(device)
        optimiser = torch.optim.AdamW(
            net.parameters(), lr=float(config.get("lr", LEARNING_RATE)), weight_decay=float(config.get("weight_decay", WEIGHT_DECAY))
        )
        val_pairs = graph.pairs[val_mask.cpu().numpy()] if val_mask is not None else None
        best = (float("inf"), epochs, {"*": 0.5})
        curve: list[float] = []
        since_best = 0
        for epoch in range(1, max(int(epochs), 1) + 1):
            net.train()
            optimiser.zero_grad()
            if hasattr(net, "member_outputs"):
                # ensemble: every member learns on its own (independent fits, averaged outputs)
                loss = sum(_loss(out, targets, fit_mask) for out in net.member_outputs(x, edge_index, edge_type))
            else:
                loss = _loss(net(x, edge_index, edge_type), targets, fit_mask)
            loss.backward()
            optimiser.step()
            if val_mask is not None and epoch >= min(MIN_EPOCHS, epochs) and (epoch % EVAL_EVERY == 0 or epoch == epochs):
                # stop on what is scored: validation MAE under the per-athlete thresholds
                outputs = _pair_outputs(net, x, edge_index, edge_type, targets["src"][val_mask])
                score, threshold = _best_threshold(outputs, val_pairs)
                curve.append(score)
                if score < best[0] - 1e-9:
                    best, since_best = (score, epoch, threshold), 0
                else:
                    since_best += 1
                    if since_best >= PATIENCE_EVALS:
                        break
        return net.eval(), best[1], curve, best[2]
    finally:
        torch.use_deterministic_algorithms(deterministic_before)


def _pair_outputs(net, x, edge_index, edge_type, src) -> np.ndarray:
    import torch

    with torch.no_grad():
        net.eval()
        return net(x, edge_index, edge_type)[src].cpu().numpy().astype(float)


def _best_threshold(outputs: np.ndarray, pairs) -> tuple[float, dict[str, float]]:
    """Per athlete, the change threshold with the best validation score (load MAE kg + 0.1 x
    reps MAE; "never change" is a candidate, so a lifter whose loads the model cannot call keeps
    repeat-last loads); returns the pooled score under those thresholds and the thresholds."""
    actual_w = pairs["y_weight_kg"].to_numpy(float)
    actual_r = pairs["y_reps"].to_numpy(float)
    athletes = pairs["athlete_id"].astype(str).to_numpy()
    candidates = GATE_THRESHOLDS + (float("inf"),)
    errors = {}
    for threshold in candidates:
        pred = decode(outputs, pairs, float(threshold))
        errors[threshold] = np.abs(pred["weight_kg"] - actual_w) + 0.1 * np.abs(pred["reps"] - actual_r)
    chosen: dict[str, float] = {}
    total = np.zeros(len(pairs))
    for athlete in np.unique(athletes):
        mine = athletes == athlete
        best = min(candidates, key=lambda t: (errors[t][mine].mean(), t))
        # changing loads must beat "never change" clearly on validation, not by noise
        if errors[best][mine].mean() > (1.0 - MIN_VALIDATION_GAIN) * errors[float("inf")][mine].mean():
            best = float("inf")
        chosen[str(athlete)] = float(best)
        total[mine] = errors[best][mine]
    chosen["*"] = float(min(candidates[:-1], key=lambda t: (errors[t].mean(), t)))
    return float(total.mean()) if len(total) else float("inf"), chosen


def predict_pairs(trained: TrainedModels, name: str, graph: TrainingGraph, pairs=None) -> dict[str, np.ndarray]:
    """Predictions of one trained network for `pairs` (default: all of the graph's pairs)."""
    import torch

    pairs = graph.pairs if pairs is None else pairs
    net = trained.network(name)
    x, edge_index, edge_type = model_inputs(graph, trained)
    src = torch.tensor(pairs["src"].to_numpy(np.int64), dtype=torch.long)
    return decode(_pair_outputs(net, x, edge_index, edge_type, src), pairs, trained.thresholds[name])


def node_embeddings(trained: TrainedModels, name: str, graph: TrainingGraph) -> np.ndarray:
    """Learned node embeddings [N, hidden] of one network."""
    import torch

    net = trained.network(name)
    x, edge_index, edge_type = model_inputs(graph, trained)
    with torch.no_grad():
        return net.embed(x, edge_index, edge_type).numpy()


def save_models(trained: TrainedModels, path) -> Any:
    """Save state dicts and JSON-able settings with torch.save (atomic write)."""
    import torch

    from workout_pipeline.atomic import atomic_path

    payload = {
        "configs_json": json.dumps(trained.configs),
        "states": trained.states,
        "thresholds": {k: dict(v) for k, v in trained.thresholds.items()},
        "epochs": dict(trained.epochs),
        "feature_names": list(trained.feature_names),
        "feature_mean": trained.feature_mean,
        "feature_std": trained.feature_std,
        "num_relations": int(trained.num_relations),
        "seed": int(trained.seed),
        "device": str(trained.device),
        "history_json": json.dumps(trained.history),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load_models(path) -> TrainedModels:
    """Load models saved by `save_models` (weights_only=True)."""
    import torch

    payload = torch.load(path, weights_only=True)
    return TrainedModels(
        configs=json.loads(payload["configs_json"]),
        states=payload["states"],
        thresholds={k: {a: float(t) for a, t in v.items()} for k, v in payload["thresholds"].items()},
        epochs={k: int(v) for k, v in payload["epochs"].items()},
        feature_names=list(payload["feature_names"]),
        feature_mean=payload["feature_mean"],
        feature_std=payload["feature_std"],
        num_relations=int(payload["num_relations"]),
        seed=int(payload["seed"]),
        device=str(payload["device"]),
        history=json.loads(payload["history_json"]),
    )
