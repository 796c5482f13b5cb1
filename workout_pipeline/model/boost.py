"""LightGBM boosters on the same inputs as the networks: the strongest non-graph competitor.

One booster per head, on the previous occurrence's raw node features plus the target session's
pair features (optionally plus a trained network's node embeddings, `embeddings_from`):
`gate` (binary: the load changes), `load` (L1 on the load change / e1RM), `reps` (L1 on the
reps change), `rest` (L1 on the rest change, only when rest is logged) and
`met` (binary on one row per pair and option, with the option's e1RM delta as a feature that
the booster may only use decreasingly: a bigger ask is never likelier to be met).
Rounds are early-stopped on the validation slice; the boosters run deterministically on
`threads` threads. Their outputs go through the same decoding, gate and prescription code as
the networks' (`train.decode`, `prescribe`).
"""

import numpy as np

from workout_pipeline.model.config import BoostConfig

# The progress column is filled by the ranking booster of `progress.py` (one per model).
HEADS: tuple[str, ...] = ("gate", "load", "reps", "rest", "met")
# Heads whose training pairs carry the recency weights (`BoostConfig.recency_half_life_days`).
_RECENCY_HEADS = ("gate", "load", "reps", "rest")
_OBJECTIVES = {"gate": "binary", "load": "l1", "reps": "l1", "rest": "l1", "progress": "binary", "met": "binary"}
# Rounds when there is no validation slice to stop on.
ROUNDS_WITHOUT_VALIDATION = 100
EARLY_STOPPING_ROUNDS = 30


def _inputs(trained, config: BoostConfig, graph, src: np.ndarray, pair_x: np.ndarray) -> np.ndarray:
    """Rows of [raw node features at src, pair features, optional embeddings at src]."""
    parts = [graph.x_raw.numpy()[src].astype(np.float64), np.asarray(pair_x, dtype=np.float64)]
    if config.embeddings_from:
        from workout_pipeline.model.train import node_embeddings

        if config.embeddings_from not in trained.configs or trained.is_booster(config.embeddings_from):
            raise ValueError(f"embeddings_from={config.embeddings_from!r} needs that network trained first")
        parts.append(node_embeddings(trained, config.embeddings_from, graph)[src].astype(np.float64))
    return np.hstack(parts)


def _params(config: BoostConfig, head: str, seed: int) -> dict:
    return {
        "objective": _OBJECTIVES[head],
        "num_leaves": config.num_leaves,
        "learning_rate": config.learning_rate,
        "min_data_in_leaf": config.min_data_in_leaf,
        "num_threads": config.threads,
        "deterministic": True,
        "force_row_wise": True,
        "seed": seed,
        "verbose": -1,
    }


def _met_rows(features: np.ndarray, opts: dict) -> tuple[np.ndarray, np.ndarray]:
    """One row per (pair, valid option): features + the option's delta; and the row's pair."""
    pair_idx, option_idx = np.nonzero(opts["valid"])
    rows = np.hstack([features[pair_idx], opts["delta"][pair_idx, option_idx][:, None]])
    return rows, pair_idx


def train_boosters(config: BoostConfig, graph, trained, fit: np.ndarray, val: np.ndarray | None, seed: int):
    """Fit one booster per head; returns ({head: model text}, rounds of the load head,
    {head: rounds})."""
    import lightgbm as lgb

    from workout_pipeline.model.train import pair_options, pair_targets, recency_weights

    src = graph.pairs["src"].to_numpy(np.int64)
    features = _inputs(trained, config, graph, src, graph.pair_x.numpy())
    targets = {k: np.asarray(v) for k, v in pair_targets(graph.pairs).items()}
    opts = pair_options(graph.pairs)
    labels = {"gate": targets["changed"], "load": targets["load_rel"], "reps": targets["reps"],
              "rest": targets["rest"]}
    # recency weights of the fitted pairs for the load-related heads (ones without a half-life)
    recency = np.ones(len(src))
    recency[fit] = recency_weights(graph.pairs[fit], config.recency_half_life_days)
    states, rounds = {}, {}
    for head in HEADS:
        if head == "met":
            rows, pair_idx = _met_rows(features, opts)
            met = targets["option_met"][np.nonzero(opts["valid"])]
            x_fit, y_fit = rows[fit[pair_idx]], met[fit[pair_idx]]
            x_val, y_val = (rows[val[pair_idx]], met[val[pair_idx]]) if val is not None else (None, None)
            w_fit = None
        else:
            keep = np.ones(len(src), bool) if head != "rest" else targets["rest_known"] > 0
            x_fit, y_fit = features[fit & keep], labels[head][fit & keep]
            w_fit = recency[fit & keep] if head in _RECENCY_HEADS and config.recency_half_life_days > 0 else None
            x_val, y_val = (features[val & keep], labels[head][val & keep]) if val is not None else (None, None)
        params = _params(config, head, seed)
        if head == "met":
            params["monotone_constraints"] = [0] * features.shape[1] + [-1]
        if len(y_fit) == 0 or (_OBJECTIVES[head] == "binary" and len(np.unique(y_fit)) < 2):
            states[head] = ""  # nothing to learn: the head predicts its fallback
            continue
        train_set = lgb.Dataset(x_fit, label=y_fit, weight=w_fit, free_raw_data=True)
        callbacks, valid_sets = [], []
        if x_val is not None and len(y_val):
            valid_sets = [lgb.Dataset(x_val, label=y_val, reference=train_set)]
            callbacks = [lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)]
        booster = lgb.train(params, train_set, num_boost_round=config.max_rounds if valid_sets else ROUNDS_WITHOUT_VALIDATION,
                            valid_sets=valid_sets, callbacks=callbacks)
        best = booster.best_iteration or booster.current_iteration()
        states[head] = booster.model_to_string(num_iteration=best)
        rounds[head] = best
    return states, rounds.get("load", 0), rounds


def _booster(text: str):
    import lightgbm as lgb

    return lgb.Booster(model_str=text) if text else None


def booster_outputs(trained, name: str, graph, src: np.ndarray, pair_x: np.ndarray) -> np.ndarray:
    """[P, OUTPUTS] in the networks' layout (gate logit, load change / e1RM, reps change, rest
    change in minutes, progress logit (0 here: `progress.py` fills it), NaN, NaN)."""
    from workout_pipeline.model.nets import OUTPUTS

    features = _inputs(trained, trained.configs[name], graph, src, pair_x)
    out = np.zeros((len(src), OUTPUTS))
    out[:, 5:] = np.nan
    if len(src) == 0:
        return out
    states = trained.states[name]
    for column, head in enumerate(("gate", "load", "reps", "rest", "progress")):
        booster = _booster(states.get(head, ""))
        if booster is None:
            continue
        raw = _OBJECTIVES[head] == "binary"
        out[:, column] = booster.predict(features, raw_score=raw)
    return out


def booster_completion(trained, name: str, graph, pair_rows_or_src, opts: dict, pair_x=None) -> np.ndarray:
    """[P, options] probability the `met` booster gives each option (0.5 where it has none)."""
    if pair_x is None:
        rows = np.asarray(pair_rows_or_src, dtype=np.int64)
        src = graph.pairs["src"].to_numpy(np.int64)[rows]
        pair_x = graph.pair_x.numpy()[rows]
    else:
        src = np.asarray(pair_rows_or_src, dtype=np.int64)
    probability = np.full(opts["delta"].shape, 0.5)
    booster = _booster(trained.states[name].get("met", ""))
    if booster is None or len(src) == 0:
        return probability
    features = _inputs(trained, trained.configs[name], graph, src, pair_x)
    pair_idx, option_idx = np.nonzero(np.ones_like(opts["delta"], bool))
    rows = np.hstack([features[pair_idx], opts["delta"][pair_idx, option_idx][:, None]])
    probability[pair_idx, option_idx] = booster.predict(rows)
    return probability


