# Over 400 lines: one TrainedModels with its training (networks, blends), shared decoding/tuning and save/load.
"""Training of the progression models on a TrainingGraph, prediction, save and load.

Each model predicts, for a pair (previous occurrence -> the lift's next one), from the previous
occurrence's node and what is known of the target session before it starts (`pairs.py`):
a change-or-not gate (about half of real next sessions repeat the load exactly), the load change
relative to the lift's best e1RM (L1, a median), the reps change, the rest change, whether the
lift progresses, and the distribution of the top set's relative e1RM change (a prescription's
chance of being met, `prescribe.py`). A prediction is the last value plus the change, the load
change rounded to whole plate steps and applied only where the gate's probability reaches a
threshold. Early stopping (from MIN_EPOCHS on), the per-athlete gate thresholds and the
prescription's target success rate come from the validation slice at the end of the training
period; the early-stopped weights are kept. Test pairs are never seen.
Networks are trained here; the LightGBM boosters in `boost.py`.
"""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workout_pipeline.model import prescribe
from workout_pipeline.model.config import (
    DEFAULT_MODELS,
    BlendConfig,
    BoostConfig,
    ModelConfig,
    as_config,
    config_from_dict,
    config_to_dict,
)
from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, TrainingGraph

MAX_EPOCHS = 200
EVAL_EVERY = 5
PATIENCE_EVALS = 12
# Progress lines: one every this many epochs (and one per finished model).
PROGRESS_EVERY = 25
# Loss weights: bring every head to one scale (load is a fraction of e1RM, rest in minutes).
LOSS_WEIGHTS = {"gate": 1.0, "load": 10.0, "reps": 0.2, "rest": 0.2, "progress": 0.5, "met": 0.5}
GATE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CHANGE_TOLERANCE_KG = 1e-6
# Relative validation improvement over "never change" an athlete's threshold must show.
MIN_VALIDATION_GAIN = 0.05
# ... from changing at least this many of the athlete's validation loads: a gain read off one or
# two changed loads is luck (a gate opened that way, on 8 validation pairs, lost on every later one).
MIN_CHANGED_PAIRS = 3
# Early stopping only from this epoch on: before it the gated score sits at "never change" and
# would stop training at epoch 5, before the network has learnt anything (a seed-dependent tie).
MIN_EPOCHS = 50

Progress = Callable[[str], None]


def stderr_progress(line: str) -> None:
    """The default progress sink: one line on stderr."""
    print(line, file=sys.stderr, flush=True)


@dataclass
class TrainedModels:
    """Weights and settings of the trained models (everything JSON-able, strings or tensors).

    Attributes:
        configs: model name -> config (`NetConfig` / `BoostConfig` / `BlendConfig`).
        states: model name -> state_dict (networks), {head: LightGBM model text} (boosters) or
            {"weight": the first member's weight} (blends).
        thresholds: model name -> {athlete: smallest change-or-not probability that changes the
            load, inf = never}; key "*" is the default for athletes without validation pairs.
        rx_caution: model name -> the prescriptions' price of success (`prescribe.choose`), tuned
            so validation prescriptions are met at the target success rate.
        rx_caution_matched: model name -> the caution at which the prescriptions ask as much as
            double progression on validation (the equal-progress operating point).
        rx_calibration: model name -> isotonic map (`prescribe.fit_calibration`) from its completion
            probability to the share met on validation: what `confidence` tells the lifter.
        epochs: model name -> the early-stopping epoch (boosters: boosting rounds of the load head).
        feature_names, feature_mean, feature_std: the input contract and its normalisation.
        num_relations: edge relations the graph had. pair_channels: pair features per pair.
        seed: the training seed. device: where it was trained.
        history: model name -> {"val_score": [...], "seconds": s} (load MAE + 0.1 x reps MAE).
        progress_boosters: model name -> its ranking booster (LightGBM text, `progress.py`),
            whose logit is the model's progress output.
    """

    configs: dict[str, ModelConfig]
    states: dict[str, dict]
    thresholds: dict[str, dict[str, float]]
    epochs: dict[str, int]
    feature_names: list[str]
    feature_mean: Any
    feature_std: Any
    num_relations: int
    pair_channels: int = 0
    rx_caution: dict[str, float] = field(default_factory=dict)
    rx_caution_matched: dict[str, float] = field(default_factory=dict)
    rx_calibration: dict[str, dict] = field(default_factory=dict)
    seed: int = 0
    device: str = "cpu"
    history: dict[str, dict] = field(default_factory=dict)
    # model name -> LightGBM text of its ranking booster (`progress.py`): the progress output
    progress_boosters: dict[str, str] = field(default_factory=dict)

    def network(self, name: str):
        """The named network with its trained weights, in eval mode on the CPU."""
        from workout_pipeline.model.nets import build_network

        net = build_network(self.configs[name], len(self.feature_names), self.num_relations, self.pair_channels)
        net.load_state_dict(self.states[name])
        return net.eval()

    def is_booster(self, name: str) -> bool:
        """Whether the named model is a LightGBM booster set."""
        return isinstance(self.configs[name], BoostConfig)

    def is_blend(self, name: str) -> bool:
        """Whether the named model averages two other trained models."""
        return isinstance(self.configs[name], BlendConfig)


def resolve_device(device: str = "auto"):
    """The torch device for a device name (the rule itself: `workout_pipeline.device.resolve_device`)."""
    import torch

    from workout_pipeline.device import resolve_device as device_name

    return torch.device(device_name(device))


def pair_targets(pairs) -> dict[str, np.ndarray]:
    """Training targets of pairs (numpy): load change (gate and relative), reps and rest change,
    progressed, the options' e1RM deltas and whether each was met."""
    from workout_pipeline.model.metrics import progressed

    prev_w = pairs["prev_weight_kg"].to_numpy(float)
    prev_r = pairs["prev_reps"].to_numpy(float)
    next_w = pairs["y_weight_kg"].to_numpy(float)
    next_r = pairs["y_reps"].to_numpy(float)
    change = next_w - prev_w
    rest_prev = pairs["prev_rest_s"].to_numpy(float)
    rest_next = pairs["y_rest_s"].to_numpy(float)
    rest_known = np.isfinite(rest_prev) & np.isfinite(rest_next)
    opts = pair_options(pairs)
    actual = prescribe.actual_delta(prev_w, prev_r, next_w, next_r)
    return {
        "changed": (np.abs(change) > CHANGE_TOLERANCE_KG).astype(np.float32),
        "load_rel": change / pairs["scale_kg"].to_numpy(float),
        "scale": pairs["scale_kg"].to_numpy(float),
        "reps": np.clip(next_r - prev_r, -20, 20),
        "rest": np.where(rest_known, (rest_next - rest_prev) / 60.0, 0.0),
        "rest_known": rest_known.astype(np.float32),
        "progressed": progressed(prev_w, prev_r, next_w, next_r, label="strict").astype(np.float32),
        "option_delta": opts["delta"],
        "option_valid": opts["valid"].astype(np.float32),
        "option_met": (actual[:, None] >= opts["delta"] - prescribe.MET_TOLERANCE).astype(np.float32),
    }


def pair_options(pairs) -> dict[str, np.ndarray]:
    """The prescription options of pairs (see `prescribe.options`)."""
    return prescribe.options(
        pairs["prev_weight_kg"], pairs["prev_reps"], pairs["load_step_kg"], pairs["range_bottom"], pairs["range_top"]
    )


def recency_weights(pairs, half_life_days: float) -> np.ndarray:
    """Per pair, 0.5 ** (days from its target to its athlete's latest target among `pairs` /
    half_life_days), scaled to mean 1 (all ones when half_life_days <= 0). Only the pairs'
    target dates are read (known before those sessions), never their results."""
    weights = np.ones(len(pairs))
    if half_life_days <= 0 or len(pairs) == 0:
        return weights
    days = pairs["target_date"].to_numpy(dtype="datetime64[s]").astype(np.int64) / 86400.0
    athletes = pairs["athlete_id"].astype(str).to_numpy()
    for athlete in np.unique(athletes):
        mine = athletes == athlete
        weights[mine] = 0.5 ** ((days[mine].max() - days[mine]) / float(half_life_days))
    return weights / weights.mean()


def _loss(out, targets):
    import torch
    import torch.nn.functional as F

    # L1 on the load change in kg (output is relative to e1RM): the minimiser is the conditional
    # median, which is "no change" wherever repeating is the most likely outcome.
    scale = targets["scale"]
    weight = targets.get("weight")  # recency weights of the load-related heads (`recency_weights`)
    if weight is None:
        load = (scale * (out[:, 1] - targets["load_rel"]).abs()).mean() / scale.mean()
        loss = LOSS_WEIGHTS["load"] * load
        loss = loss + LOSS_WEIGHTS["gate"] * F.binary_cross_entropy_with_logits(out[:, 0], targets["changed"])
        loss = loss + LOSS_WEIGHTS["reps"] * F.smooth_l1_loss(out[:, 2], targets["reps"])
        rest_known = targets["rest_known"] > 0
        if bool(rest_known.any()):
            loss = loss + LOSS_WEIGHTS["rest"] * F.l1_loss(out[rest_known, 3], targets["rest"][rest_known])
    else:
        loss = _weighted_load_loss(out, targets, weight)
    loss = loss + LOSS_WEIGHTS["progress"] * F.binary_cross_entropy_with_logits(out[:, 4], targets["progressed"])
    logits = completion_logits(out[:, 5:7], targets["option_delta"])
    met = F.binary_cross_entropy_with_logits(logits, targets["option_met"], reduction="none")
    valid = targets["option_valid"]
    loss = loss + LOSS_WEIGHTS["met"] * (met * valid).sum() / torch.clamp(valid.sum(), min=1.0)
    return loss


def _weighted_load_loss(out, targets, weight):
    """The load-related part of `_loss` (load, gate, reps, rest) with a weight per pair."""
    import torch.nn.functional as F

    scale = targets["scale"]
    loss = LOSS_WEIGHTS["load"] * (weight * scale * (out[:, 1] - targets["load_rel"]).abs()).mean() / scale.mean()
    gate = F.binary_cross_entropy_with_logits(out[:, 0], targets["changed"], reduction="none")
    loss = loss + LOSS_WEIGHTS["gate"] * (weight * gate).mean()
    loss = loss + LOSS_WEIGHTS["reps"] * (weight * F.smooth_l1_loss(out[:, 2], targets["reps"], reduction="none")).mean()
    rest_known = targets["rest_known"] > 0
    if bool(rest_known.any()):
        rest = F.l1_loss(out[rest_known, 3], targets["rest"][rest_known], reduction="none")
        loss = loss + LOSS_WEIGHTS["rest"] * (weight[rest_known] * rest).sum() / weight[rest_known].sum()
    return loss


def completion_logits(location_scale, delta):
    """Logit of P(actual relative e1RM change >= delta) under a logistic distribution
    (location, log scale) per pair; works on numpy arrays and torch tensors."""
    location, log_scale = location_scale[:, 0:1], location_scale[:, 1:2]
    scale = (log_scale.clip(-8, 3).exp() if hasattr(log_scale, "exp") else np.exp(np.clip(log_scale, -8, 3))) * 0.05
    return (location * 0.05 - delta) / scale


def decode(outputs: np.ndarray, pairs, threshold: "float | dict[str, float]" = 0.5) -> dict[str, np.ndarray]:
    """Turn raw outputs for pairs into predictions.

    Args:
        outputs: [P, >= 5] outputs for the pairs (gate logit, load change / e1RM, reps change,
            rest change in minutes, progress logit, ...).
        pairs: frame with `prev_weight_kg`, `prev_reps`, `prev_rest_s`, `scale_kg`, `load_step_kg`.
        threshold: the load changes (by the predicted change in whole plate steps, at least one)
            only where the change-or-not probability is at least this (inf = never change); either one number or
            {athlete_id: number, "*": default} (pairs then need `athlete_id`); tuned on validation.

    Returns:
        {"weight_kg", "reps", "rest_s", "change_probability", "progress_probability"} arrays.
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
    progress = 1.0 / (1.0 + np.exp(-outputs[:, 4]))
    return {"weight_kg": weight, "reps": reps, "rest_s": rest, "change_probability": probability, "progress_probability": progress}


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
    models: "dict[str, ModelConfig | dict] | None" = None,
    threads: int | None = None,
    progress: "Progress | None" = stderr_progress,
) -> TrainedModels:
    """Train each model on the graph's training pairs (validation pairs: early stopping and tuning).

    Args:
        graph: the TrainingGraph (test pairs are never used).
        seed: torch / LightGBM seed; the same seed and data give the same weights on CPU.
        device: "auto" (CUDA when available, else CPU), "cpu" or "cuda" (networks only).
        epochs: maximum epochs (default MAX_EPOCHS); small values make tests fast.
        models: name -> config; default DEFAULT_MODELS (GraphSAGE, GCN, MLP, LightGBM, LightGBM
            on GraphSAGE embeddings). A booster with `embeddings_from` needs that network first.
        threads: torch CPU threads while training (default `default_threads()`); the previous
            setting is restored afterwards.
        progress: called with one line per PROGRESS_EVERY epochs and per finished model
            (default: stderr; None: silent; the Dagster asset passes `context.log.info`).

    Returns:
        TrainedModels with CPU state dicts.
    """
    import torch

    models = {name: as_config(config) for name, config in (models or DEFAULT_MODELS).items()}
    torch_device = resolve_device(device)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(int(threads) if threads else default_threads())
    try:
        return _train_all(graph, seed, torch_device, epochs, models, progress or (lambda line: None))
    finally:
        torch.set_num_threads(threads_before)


def default_threads() -> int:
    """min(4, cores), or 1 on machines with <= 2 cores (there, under load, one thread was ~6x
    faster than two for these small full-batch graphs)."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores <= 2 else min(4, cores)


def _train_all(graph: TrainingGraph, seed: int, torch_device, epochs: int | None, models: dict, progress: Progress) -> TrainedModels:
    from workout_pipeline.errors import InputError
    from workout_pipeline.model import boost

    split = graph.pairs["split"].to_numpy()
    has_train = bool((split == SPLIT_TRAIN).any())
    has_val = bool((split == SPLIT_VALIDATION).any())
    if not has_train and not has_val:
        raise InputError("no training pairs: a lift must be logged twice within 28 days with weight > 0 before the test period")
    fit = split == SPLIT_TRAIN if has_train and has_val else split != SPLIT_TEST
    val = split == SPLIT_VALIDATION if has_train and has_val else None
    trained = TrainedModels(
        configs={}, states={}, thresholds={}, epochs={}, feature_names=list(graph.feature_names),
        feature_mean=graph.feature_mean.clone(), feature_std=graph.feature_std.clone(),
        num_relations=len(graph.relations), pair_channels=int(graph.pair_x.shape[1]), seed=int(seed),
        device=str(torch_device),
    )
    max_epochs = int(epochs) if epochs is not None else MAX_EPOCHS
    for name, config in models.items():
        started = time.perf_counter()
        if isinstance(config, BlendConfig):
            state, rounds, curve = _fit_blend(name, config, graph, trained, val)
        elif isinstance(config, BoostConfig):
            state, rounds, curve = boost.train_boosters(config, graph, trained, fit, val, seed)
        else:
            state, rounds, curve = _fit_network(name, config, graph, fit, val, max_epochs, seed, torch_device, progress)
        trained.configs[name], trained.states[name], trained.epochs[name] = config, state, int(rounds)
        if not isinstance(config, BlendConfig):
            from workout_pipeline.model.progress import fit_progress_booster

            trained.progress_boosters[name], _ = fit_progress_booster(trained, name, graph, fit, val, seed)
        trained.thresholds[name], trained.rx_caution[name] = {"*": 0.5}, prescribe.CAUTIONS[-1]
        if val is not None:
            pairs = graph.pairs[val]
            outputs = pair_outputs(trained, name, graph, pairs.index.to_numpy())
            score, trained.thresholds[name] = _best_threshold(outputs, pairs)
            opts, actual = pair_options(pairs), _actual_delta(pairs)
            probability = completion_probability(trained, name, graph, pairs.index.to_numpy(), outputs, opts)
            trained.rx_calibration[name] = prescribe.fit_calibration(probability, opts, actual)
            told = prescribe.calibrate(probability, trained.rx_calibration[name])
            trained.rx_caution[name] = prescribe.tune_caution(probability, opts, actual, told)
            rule = prescribe.rule_choice("double_progression", opts, pairs["hit_top_of_range"].to_numpy(float))
            rule_ask = float(np.mean(opts["delta"][np.arange(len(rule)), rule])) if len(rule) else 0.0
            trained.rx_caution_matched[name] = prescribe.match_ask(probability, opts, rule_ask)
            validation_rx = _validation_prescriptions(probability, opts, actual, rule,
                                                      trained.rx_caution[name], trained.rx_caution_matched[name], told)
            validation_p3 = _validation_precision_gain(outputs, pairs)
        seconds = time.perf_counter() - started
        if isinstance(config, BlendConfig):
            trained.history[name] = {"val_score_by_weight": curve, "weight": state["weight"], "seconds": seconds}
        else:
            trained.history[name] = {"rounds" if isinstance(curve, dict) else "val_score": curve, "seconds": seconds}
        if val is not None:
            trained.history[name]["validation_prescriptions"] = validation_rx
            trained.history[name]["validation_precision_at_3_gain"] = validation_p3
        kind = "weight" if isinstance(config, BlendConfig) else "rounds" if isinstance(config, BoostConfig) else "best epoch"
        shown = state["weight"] if isinstance(config, BlendConfig) else rounds
        progress(f"{name}: trained in {seconds:.1f} s ({kind} {shown}, prescription caution {trained.rx_caution[name]:.2f})")
    return trained


def _validation_precision_gain(outputs: np.ndarray, pairs) -> float:
    """Precision@3 minus its base rate (DESIGN.md's label) on the validation pairs, ranked by the
    model's progress output: what the ranking was chosen on."""
    from workout_pipeline.model.metrics import precision_at_k, progress_base_rate

    ranked = pairs.assign(_score=outputs[:, 4])
    return float(precision_at_k(ranked, "prev_weight_kg", 3, score="_score") - progress_base_rate(ranked))


def _validation_prescriptions(probability, opts, actual, rule, caution, matched, told=None) -> dict:
    """Share met and mean relative e1RM asked on the validation pairs: the model at its target
    rate (`target`, with the told-chance floor), at the equal-progress point (`dp_ask`), at the
    lifter's point (`lifter`, given `told`) and double progression (`rule`)."""
    rows = np.arange(len(actual))
    result = {}
    points = [("target", prescribe.choose(probability, opts, caution, told)),
              ("dp_ask", prescribe.choose_matched(probability, opts, matched)), ("rule", rule)]
    if told is not None:
        points.append(("lifter", prescribe.choose_for_lifter(probability, opts, told)))
    for key, chosen in points:
        asked = opts["delta"][rows, chosen]
        result[key] = {"share_met": float(np.mean(actual >= asked - prescribe.MET_TOLERANCE)),
                       "mean_e1rm_increase_pct": float(100.0 * np.mean(asked))}
    return result


def _fit_blend(name: str, config: BlendConfig, graph: TrainingGraph, trained: TrainedModels, val):
    """The blend's weight: the candidate with the best validation score (as early stopping
    scores networks); the middle candidate without validation pairs."""
    missing = [m for m in config.members if m not in trained.configs]
    if missing:
        raise ValueError(f"blend {name!r} needs {', '.join(missing)} trained first")
    if val is None or not val.any():
        return {"weight": float(config.weights[len(config.weights) // 2])}, 0, {}
    rows = np.flatnonzero(val)
    first, second = (pair_outputs(trained, member, graph, rows) for member in config.members)
    scores = {w: _best_threshold(_mix(first, second, w), graph.pairs.iloc[rows])[0] for w in config.weights}
    weight = min(config.weights, key=lambda w: (scores[w], abs(w - 0.5)))
    return {"weight": float(weight)}, 0, {str(w): s for w, s in scores.items()}


def _mix(first: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """weight x first + (1 - weight) x second, where both are finite (else the finite one)."""
    mixed = weight * first + (1.0 - weight) * second
    return np.where(np.isfinite(first) & np.isfinite(second), mixed, np.where(np.isfinite(first), first, second))


def _actual_delta(pairs) -> np.ndarray:
    return prescribe.actual_delta(pairs["prev_weight_kg"], pairs["prev_reps"], pairs["y_weight_kg"], pairs["y_reps"])


def _tensors(targets: dict[str, np.ndarray], device) -> dict:
    import torch

    return {k: torch.tensor(np.asarray(v), dtype=torch.float32, device=device) for k, v in targets.items()}


def _fit_network(name, config, graph, fit, val, epochs, seed, device, progress):
    """Train one network full-batch; with validation pairs, stop early on the validation score
    (load MAE + 0.1 x reps MAE under the best per-athlete gate) and keep the best weights."""
    import copy

    import torch

    from workout_pipeline.model.nets import build_network

    x, edge_index, edge_type = model_inputs(graph, None, device)
    pair_x = graph.pair_x.to(device)
    fit_idx = torch.tensor(np.flatnonzero(fit), device=device)
    src_all = torch.tensor(graph.pairs["src"].to_numpy(np.int64), device=device)
    targets = pair_targets(graph.pairs[fit])
    if config.recency_half_life_days > 0:
        targets["weight"] = recency_weights(graph.pairs[fit], config.recency_half_life_days)
    targets = _tensors(targets, device)
    val_idx = np.flatnonzero(val) if val is not None else None
    torch.manual_seed(seed)
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        net = build_network(config, x.shape[1], len(graph.relations), int(pair_x.shape[1])).to(device)
        optimiser = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        best_score, best_epoch, best_state, curve, since_best = float("inf"), epochs, None, [], 0
        for epoch in range(1, max(int(epochs), 1) + 1):
            net.train()
            optimiser.zero_grad()
            src, px = src_all[fit_idx], pair_x[fit_idx]
            if hasattr(net, "member_outputs"):
                # ensemble: every member learns on its own (independent fits, averaged outputs)
                loss = sum(_loss(out, targets) for out in net.member_outputs(x, edge_index, edge_type, src, px))
            else:
                loss = _loss(net(x, edge_index, edge_type, src, px), targets)
            loss.backward()
            optimiser.step()
            if val_idx is not None and epoch >= min(MIN_EPOCHS, epochs) and (epoch % EVAL_EVERY == 0 or epoch == epochs):
                with torch.no_grad():
                    net.eval()
                    idx = torch.tensor(val_idx, device=device)
                    outputs = net(x, edge_index, edge_type, src_all[idx], pair_x[idx]).cpu().numpy().astype(float)
                score, _ = _best_threshold(outputs, graph.pairs.iloc[val_idx])
                curve.append(score)
                if score < best_score - 1e-9:
                    best_score, best_epoch, since_best = score, epoch, 0
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    since_best += 1
                    if since_best >= PATIENCE_EVALS:
                        break
            if epoch % PROGRESS_EVERY == 0:
                shown = f", validation {curve[-1]:.3f} (best {best_score:.3f} at epoch {best_epoch})" if curve else ""
                progress(f"{name}: epoch {epoch}/{epochs} loss {float(loss.detach()):.4f}{shown}")
        if best_state is not None:
            net.load_state_dict(best_state)
        state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
        return state, best_epoch if best_state is not None else epoch, curve
    finally:
        torch.use_deterministic_algorithms(deterministic_before)


def _best_threshold(outputs: np.ndarray, pairs) -> tuple[float, dict[str, float]]:
    """Per athlete, the change threshold with the best validation score (load MAE kg + 0.1 x
    reps MAE; "never change" is a candidate, so a lifter whose loads the model cannot call keeps
    repeat-last loads); returns the pooled score under those thresholds and the thresholds."""
    actual_w = pairs["y_weight_kg"].to_numpy(float)
    actual_r = pairs["y_reps"].to_numpy(float)
    athletes = pairs["athlete_id"].astype(str).to_numpy()
    candidates = GATE_THRESHOLDS + (float("inf"),)
    previous_w = pairs["prev_weight_kg"].to_numpy(float)
    errors, changed = {}, {}
    for threshold in candidates:
        pred = decode(outputs, pairs, float(threshold))
        errors[threshold] = np.abs(pred["weight_kg"] - actual_w) + 0.1 * np.abs(pred["reps"] - actual_r)
        changed[threshold] = np.abs(pred["weight_kg"] - previous_w) > CHANGE_TOLERANCE_KG
    chosen: dict[str, float] = {}
    total = np.zeros(len(pairs))
    for athlete in np.unique(athletes):
        mine = athletes == athlete
        # changing loads must beat "never change" clearly on validation, not by noise
        clear = [t for t in candidates[:-1] if _clear_gain(errors[float("inf")][mine], errors[t][mine], int(changed[t][mine].sum()))]
        best = min(clear, key=lambda t: (errors[t][mine].mean(), t)) if clear else float("inf")
        chosen[str(athlete)] = float(best)
        total[mine] = errors[best][mine]
    chosen["*"] = float(min(candidates[:-1], key=lambda t: (errors[t].mean(), t)))
    return float(total.mean()) if len(total) else float("inf"), chosen


def _clear_gain(never: np.ndarray, changing: np.ndarray, n_changed: int) -> bool:
    """Whether a threshold beats never changing on an athlete's validation pairs (per-pair
    errors of both) by at least MIN_VALIDATION_GAIN of the error, having changed at least
    MIN_CHANGED_PAIRS of their loads."""
    if n_changed < MIN_CHANGED_PAIRS or len(never) == 0:
        return False
    return bool(changing.mean() <= (1.0 - MIN_VALIDATION_GAIN) * never.mean())


def pair_outputs(trained: TrainedModels, name: str, graph: TrainingGraph, pair_rows=None, src=None, pair_x=None) -> np.ndarray:
    """Raw outputs [P, OUTPUTS] of one model for pairs: rows of `graph.pairs` (`pair_rows`), or
    explicit source nodes and pair features (`src`, `pair_x`, e.g. a not-yet-logged session).
    Boosters fill the two e1RM-distribution columns with NaN (see `completion_probability`)."""
    import torch

    if src is None:
        pair_rows = np.arange(len(graph.pairs)) if pair_rows is None else np.asarray(pair_rows, dtype=np.int64)
        src = graph.pairs["src"].to_numpy(np.int64)[pair_rows]
        pair_x = graph.pair_x[torch.tensor(pair_rows, dtype=torch.long)]
    pair_x = pair_x.float() if isinstance(pair_x, torch.Tensor) else torch.tensor(np.array(pair_x, dtype=np.float32))
    if trained.is_blend(name):
        first, second = (pair_outputs(trained, m, graph, src=src, pair_x=pair_x) for m in trained.configs[name].members)
        return _mix(first, second, float(trained.states[name]["weight"]))
    from workout_pipeline.model.progress import progress_logits

    src = np.asarray(src, dtype=np.int64)
    if trained.is_booster(name):
        from workout_pipeline.model import boost

        out = boost.booster_outputs(trained, name, graph, src, pair_x.numpy())
    else:
        net = trained.network(name)
        x, edge_index, edge_type = model_inputs(graph, trained)
        with torch.no_grad():
            out = net(x, edge_index, edge_type, torch.tensor(src), pair_x).numpy().astype(float)
    ranking = progress_logits(trained, name, graph, src, pair_x.numpy(), out[:, 4])
    if ranking is not None:  # the ranking booster's logit is the model's progress output
        out[:, 4] = ranking
    return out


def completion_probability(trained, name, graph, pair_rows_or_src, outputs, opts, pair_x=None) -> np.ndarray:
    """[P, options] probability that the actual next top set reaches each option's e1RM."""
    if trained.is_blend(name):
        members = trained.configs[name].members
        parts = [completion_probability(trained, m, graph, pair_rows_or_src, pair_outputs_for(trained, m, graph, pair_rows_or_src, pair_x),
                                        opts, pair_x) for m in members]
        return _mix(parts[0], parts[1], float(trained.states[name]["weight"]))
    if trained.is_booster(name):
        from workout_pipeline.model import boost

        return boost.booster_completion(trained, name, graph, pair_rows_or_src, opts, pair_x)
    return 1.0 / (1.0 + np.exp(-np.clip(completion_logits(outputs[:, 5:7], opts["delta"]), -50, 50)))


def pair_outputs_for(trained: TrainedModels, name: str, graph: TrainingGraph, pair_rows_or_src, pair_x=None) -> np.ndarray:
    """`pair_outputs` for pair rows (no `pair_x`) or for source nodes with their pair features."""
    if pair_x is None:
        return pair_outputs(trained, name, graph, pair_rows_or_src)
    return pair_outputs(trained, name, graph, src=pair_rows_or_src, pair_x=pair_x)


def predict_pairs(trained: TrainedModels, name: str, graph: TrainingGraph, pairs=None) -> dict[str, np.ndarray]:
    """Predictions and prescriptions of one trained model for `pairs` (rows of `graph.pairs`;
    default: all): decode's arrays plus `rx_weight_kg`, `rx_reps`, `rx_probability` (and
    `rx_confidence`, its calibrated probability; `rx_matched_weight_kg`, `rx_matched_reps`,
    `rx_matched_confidence` at the equal-progress operating point; `rx_lifter_weight_kg`,
    `rx_lifter_reps`, `rx_lifter_confidence` at the lifter's, `prescribe.choose_for_lifter`)."""
    pairs = graph.pairs if pairs is None else pairs
    rows = graph.pairs.index.get_indexer(pairs.index)
    outputs = pair_outputs(trained, name, graph, rows)
    predicted = decode(outputs, pairs, trained.thresholds[name])
    opts = pair_options(pairs)
    probability = completion_probability(trained, name, graph, rows, outputs, opts)
    told = prescribe.calibrate(probability, trained.rx_calibration.get(name))
    rows = np.arange(len(pairs))
    chosen = prescribe.choose(probability, opts, trained.rx_caution[name], told)
    predicted["rx_weight_kg"], predicted["rx_reps"] = prescribe.pick(opts, chosen)
    predicted["rx_probability"] = probability[rows, chosen]
    predicted["rx_confidence"] = told[rows, chosen]
    predicted["rx_option"] = chosen
    matched = prescribe.choose_matched(probability, opts, trained.rx_caution_matched.get(name, trained.rx_caution[name]))
    predicted["rx_matched_weight_kg"], predicted["rx_matched_reps"] = prescribe.pick(opts, matched)
    predicted["rx_matched_confidence"] = told[rows, matched]
    lifter = prescribe.choose_for_lifter(probability, opts, told)
    predicted["rx_lifter_weight_kg"], predicted["rx_lifter_reps"] = prescribe.pick(opts, lifter)
    predicted["rx_lifter_confidence"] = told[rows, lifter]
    return predicted


def node_embeddings(trained: TrainedModels, name: str, graph: TrainingGraph) -> np.ndarray:
    """Learned node embeddings [N, hidden] of one network."""
    import torch

    net = trained.network(name)
    x, edge_index, edge_type = model_inputs(graph, trained)
    with torch.no_grad():
        return net.embed(x, edge_index, edge_type).numpy()


def save_models(trained: TrainedModels, path) -> Any:
    """Save state dicts, booster texts and JSON-able settings with torch.save (atomic write)."""
    import torch

    from workout_pipeline.atomic import atomic_path

    payload = {
        "configs_json": json.dumps({k: config_to_dict(v) for k, v in trained.configs.items()}),
        "states": trained.states,
        "thresholds": {k: dict(v) for k, v in trained.thresholds.items()},
        "rx_caution": {k: float(v) for k, v in trained.rx_caution.items()},
        "rx_caution_matched": {k: float(v) for k, v in trained.rx_caution_matched.items()},
        "rx_calibration_json": json.dumps(trained.rx_calibration),
        "epochs": dict(trained.epochs),
        "feature_names": list(trained.feature_names),
        "feature_mean": trained.feature_mean,
        "feature_std": trained.feature_std,
        "num_relations": int(trained.num_relations),
        "pair_channels": int(trained.pair_channels),
        "seed": int(trained.seed),
        "device": str(trained.device),
        "history_json": json.dumps(trained.history),
        "progress_boosters": dict(trained.progress_boosters),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load_models(path) -> TrainedModels:
    """Load models saved by `save_models` (weights_only=True)."""
    import torch

    payload = torch.load(path, weights_only=True)
    return TrainedModels(
        configs={k: config_from_dict(v) for k, v in json.loads(payload["configs_json"]).items()},
        states=payload["states"],
        thresholds={k: {a: float(t) for a, t in v.items()} for k, v in payload["thresholds"].items()},
        rx_caution={k: float(v) for k, v in payload["rx_caution"].items()},
        rx_caution_matched={k: float(v) for k, v in payload["rx_caution_matched"].items()},
        rx_calibration=json.loads(payload.get("rx_calibration_json", "{}")),
        epochs={k: int(v) for k, v in payload["epochs"].items()},
        feature_names=list(payload["feature_names"]),
        feature_mean=payload["feature_mean"],
        feature_std=payload["feature_std"],
        num_relations=int(payload["num_relations"]),
        pair_channels=int(payload["pair_channels"]),
        seed=int(payload["seed"]),
        device=str(payload["device"]),
        history=json.loads(payload["history_json"]),
        progress_boosters=dict(payload.get("progress_boosters", {})),
    )
