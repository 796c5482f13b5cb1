"""The ranking score of every model: which lifts of a session will progress (Precision@K).

Per trained model one LightGBM booster (binary) is fitted on DESIGN.md's progress label (more
weight at any reps, or the same weight for more reps: what Precision@K counts) from the
previous occurrence's raw node features, the target session's pair features (`pairs.py`) and
the lift's readiness (`readiness.py`); for a network also the network's own progress logit (its
progress head, trained with the network on the strict label: what the graph adds; its full
node embeddings ranked worse on validation), for a booster with `embeddings_from` that
network's embeddings (its own inputs). Its logit replaces the model's progress output (column 4
of `train.pair_outputs`), so `progress__<model>` and the ranking are this booster's. Rounds are
early-stopped on the validation slice, like every booster.
Chosen on validation (docs/model_choices.md).
"""

import numpy as np

from workout_pipeline.model.config import BoostConfig

# Progress label the ranking booster learns (metrics.progressed): the protocol's own.
PROGRESS_LABEL = "design"
# Booster settings of the ranking score (BoostConfig's defaults: 15 leaves, learning rate 0.05).
RANKING_BOOSTER = BoostConfig()


def progress_inputs(trained, name: str, graph, src: np.ndarray, pair_x: np.ndarray, own: "np.ndarray | None" = None) -> np.ndarray:
    """Rows of [the model's booster inputs, or raw node features + pair features + the
    network's own progress logit `own`, then the readiness] at the pairs' previous occurrences."""
    from workout_pipeline.model import boost
    from workout_pipeline.model.readiness import node_readiness

    src = np.asarray(src, dtype=np.int64)
    config = trained.configs[name]
    if isinstance(config, BoostConfig):
        parts = [boost._inputs(trained, config, graph, src, pair_x)]
    else:
        if own is None:
            raise ValueError(f"the ranking booster of network {name!r} needs its own progress logit")
        parts = [graph.x_raw.numpy()[src].astype(np.float64), np.asarray(pair_x, dtype=np.float64),
                 np.asarray(own, dtype=np.float64).reshape(-1, 1)]
    parts.append(node_readiness(graph.nodes)[src].astype(np.float64))
    return np.hstack(parts)


def progress_labels(pairs) -> np.ndarray:
    """1.0 where the pair's target top set progressed by PROGRESS_LABEL."""
    from workout_pipeline.model.metrics import progressed

    return progressed(pairs["prev_weight_kg"], pairs["prev_reps"], pairs["y_weight_kg"], pairs["y_reps"],
                      label=PROGRESS_LABEL).astype(float)


def fit_progress_booster(trained, name: str, graph, fit: np.ndarray, val: "np.ndarray | None", seed: int) -> tuple[str, int]:
    """(LightGBM model text, rounds) of the named trained model's ranking booster; "" when the
    fitted pairs hold one class only."""
    import lightgbm as lgb

    from workout_pipeline.model import boost

    from workout_pipeline.model.train import pair_outputs

    own = None if isinstance(trained.configs[name], BoostConfig) else pair_outputs(trained, name, graph)[:, 4]
    features = progress_inputs(trained, name, graph, graph.pairs["src"].to_numpy(np.int64), graph.pair_x.numpy(), own)
    labels = progress_labels(graph.pairs)
    if not fit.any() or len(np.unique(labels[fit])) < 2:
        return "", 0
    params = boost._params(RANKING_BOOSTER, "progress", seed)
    train_set = lgb.Dataset(features[fit], label=labels[fit], free_raw_data=True)
    if val is not None and val.any():
        valid = [lgb.Dataset(features[val], label=labels[val], reference=train_set)]
        booster = lgb.train(params, train_set, num_boost_round=RANKING_BOOSTER.max_rounds, valid_sets=valid,
                            callbacks=[lgb.early_stopping(boost.EARLY_STOPPING_ROUNDS, verbose=False)])
    else:
        booster = lgb.train(params, train_set, num_boost_round=boost.ROUNDS_WITHOUT_VALIDATION)
    rounds = booster.best_iteration or booster.current_iteration()
    return booster.model_to_string(num_iteration=rounds), int(rounds)


def progress_logits(trained, name: str, graph, src: np.ndarray, pair_x: np.ndarray, own: "np.ndarray | None" = None) -> "np.ndarray | None":
    """The ranking booster's logits for pairs (None when the model has none); `own`: a
    network's own progress logits for the same pairs."""
    text = trained.progress_boosters.get(name, "")
    if not text or len(src) == 0:
        return None
    import lightgbm as lgb

    return lgb.Booster(model_str=text).predict(progress_inputs(trained, name, graph, src, pair_x, own), raw_score=True)
