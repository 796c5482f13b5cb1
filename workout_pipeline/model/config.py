"""Typed model settings: one dataclass per model family, defaults written once here."""

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class NetConfig:
    """A neural network of the progression model.

    Attributes:
        arch: "sage" (GraphSAGE, one SAGEConv per relation), "gcn", "gat" or "mlp" (no edges).
        hidden: embedding size. layers: message-passing (or MLP) layers.
        aggr: GraphSAGE neighbour aggregation ("mean" or "max").
        relational: GraphSAGE keeps the edge relations apart (False: one relation).
        dropout: between layers. ensemble: K > 1 averages K independently initialised copies.
        lr, weight_decay: AdamW settings.
        recency_half_life_days: > 0 weights the load-related losses (gate, load, reps, rest) of
            each training pair by 0.5 ** (days before its athlete's last training target / this):
            lifters change how they train, and the latest regime is the one the next session
            follows (`train.recency_weights`); 0 weighs every pair alike.
    """

    arch: str = "sage"
    hidden: int = 64
    layers: int = 2
    aggr: str = "mean"
    relational: bool = True
    dropout: float = 0.1
    ensemble: int = 1
    lr: float = 0.01
    weight_decay: float = 1e-4
    recency_half_life_days: float = 0.0


@dataclass(frozen=True)
class BoostConfig:
    """LightGBM boosters on the same node and pair features (the strongest non-graph competitor).

    Attributes:
        arch: always "lgbm". embeddings_from: a trained network whose node embeddings are added
            as features (GraphSAGE's, to measure what its edges add), or "" for none.
        num_leaves, learning_rate, max_rounds, min_data_in_leaf: booster settings; the number of
            rounds is early-stopped on the validation slice. threads: LightGBM threads (1-2).
        recency_half_life_days: as `NetConfig`'s, for the gate, load, reps and rest boosters.
    """

    arch: str = "lgbm"
    embeddings_from: str = ""
    num_leaves: int = 15
    learning_rate: float = 0.05
    max_rounds: int = 400
    min_data_in_leaf: int = 20
    threads: int = 1
    recency_half_life_days: float = 0.0


@dataclass(frozen=True)
class BlendConfig:
    """A weighted average of two trained models' outputs (gate and progress logits, load, reps
    and rest changes, completion probabilities): `weight` x the first member + (1 - weight) x
    the second, the weight chosen among `weights` by the validation score (trained after its
    members; nothing new is fitted)."""

    arch: str = "blend"
    members: tuple[str, str] = ("graphsage", "lightgbm")
    weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)


ModelConfig = NetConfig | BoostConfig | BlendConfig
_KINDS = {"lgbm": BoostConfig, "blend": BlendConfig}


def config_from_dict(values: dict) -> ModelConfig:
    """The config a JSON-able dict describes (unknown keys are an error)."""
    kind = _KINDS.get(values.get("arch"), NetConfig)
    known = {f.name for f in fields(kind)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown model setting(s): {', '.join(sorted(unknown))}")
    if kind is BlendConfig:  # JSON turns tuples into lists
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return kind(**values)


def as_config(value: "ModelConfig | dict") -> ModelConfig:
    """A config from a config or a dict."""
    return value if isinstance(value, (NetConfig, BoostConfig, BlendConfig)) else config_from_dict(dict(value))


def config_to_dict(config: ModelConfig) -> dict:
    """JSON-able form (saved with the weights)."""
    return asdict(config)


# The models `train_models` trains by default (the evaluation protocol's models).
DEFAULT_MODELS: dict[str, ModelConfig] = {
    # 3 independently initialised GraphSAGEs averaged: one network's load calls were seed noise
    "graphsage": NetConfig(arch="sage", hidden=32, ensemble=3),
    "gcn": NetConfig(arch="gcn"),
    "mlp": NetConfig(arch="mlp"),
    "lightgbm": BoostConfig(),
    # the booster with GraphSAGE's node embeddings as extra features (trained after graphsage)
    "graphsage_lightgbm": BoostConfig(embeddings_from="graphsage"),
    # GraphSAGE and LightGBM averaged, the weight chosen on validation (trained after both)
    "blend": BlendConfig(members=("graphsage", "lightgbm")),
}
# Ablations reported in docs/model.md (single networks).
ABLATION_MODELS: dict[str, ModelConfig] = {
    "graphsage_single": NetConfig(arch="sage", hidden=32),
    "graphsage_depth1": NetConfig(arch="sage", layers=1),
    "graphsage_depth3": NetConfig(arch="sage", layers=3),
    "graphsage_max": NetConfig(arch="sage", aggr="max"),
    "graphsage_one_relation": NetConfig(arch="sage", relational=False),
    "gat": NetConfig(arch="gat"),
    # GraphSAGE's ensemble without edges: separates what the edges add from what averaging adds
    "mlp_ensemble": NetConfig(arch="mlp", hidden=32, ensemble=3),
}
