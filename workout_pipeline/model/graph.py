# Over 400 lines: nodes, edges, pairs, the split, the leakage check and save/load of one graph belong together.
"""The leakage-free training graph: occurrence nodes, past-to-present edges, pairs and the split.

Nodes are exercise occurrences (rows of `build_features`). A prediction for a pair (previous
occurrence -> target occurrence) is read off the *previous* occurrence's node, so it can only see
that node's features and, through edges, nodes at the same time or earlier: every edge runs from a
node whose session started no later than its destination's. Normalisation statistics are fitted on
nodes of each athlete's training period only.
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workout_pipeline.model.features import node_feature_columns
from workout_pipeline.model.pairs import pair_features

# Consecutive occurrences further apart than this are no pair (DESIGN.md).
MAX_PAIR_GAP_DAYS = 28
# Edge relations (edge_type values index this tuple).
RELATIONS: tuple[str, ...] = ("previous_occurrence", "same_session", "shared_muscle")
# How many earlier occurrences of the same lift feed a node.
TEMPORAL_LAGS = 3
# Window for "another lift that trained the same muscles recently".
MUSCLE_WINDOW_DAYS = 7
# Share of the training period (per athlete, by training days) held out for early stopping.
VALIDATION_FRACTION = 0.25

SPLIT_TRAIN, SPLIT_VALIDATION, SPLIT_TEST = 0, 1, 2
SPLIT_NAMES = {SPLIT_TRAIN: "train", SPLIT_VALIDATION: "validation", SPLIT_TEST: "test"}

# Node facts kept beside the feature matrix (baselines, targets, recommendations).
NODE_FACTS: tuple[str, ...] = (
    "top_weight_kg",
    "top_reps",
    "n_sets",
    "rest_mean_s",
    "e1rm_best",
    "top_set_e1rm",
    "top_set_e1rm_slope",
    "load_step_kg",
    "hit_top_of_range",
    "rep_range_bottom",
    "rep_range_top",
    "compound",
    # how the occurrence's working sets were spread (readiness features of the progress ranking)
    "top_sets",
    "min_weight_kg",
    "max_reps",
    "top_min_reps",
)
NODE_LABELS: tuple[str, ...] = (
    "athlete_id", "session_id", "exercise_key", "exercise_id", "exercise_raw", "category", "workout_name",
)


@dataclass
class TrainingGraph:
    """Tensors for full-batch training plus the pair table and the split.

    Attributes:
        x: normalised node features [N, F] (float32).
        x_raw: the same features before normalisation.
        feature_names: column names of `x`.
        feature_mean, feature_std: normalisation statistics (training period only).
        edge_index: [2, E] source -> destination node ids; edge_type: [E] index into `relations`.
        node_time: [N] session start of each node, seconds since the epoch.
        nodes: per-node labels and facts (DataFrame, row i = node i).
        pairs: one row per pair: `src` (previous occurrence node), `dst` (target node), `split`
            (0 train, 1 validation, 2 test) and the pair's facts.
        pair_x: [P, len(PAIR_FEATURE_COLUMNS)] what is known of each pair's target session before
            it starts (`pairs.pair_features`), row i = pair i.
        first_test_time: athlete -> first test day (seconds since the epoch); absent when the
            athlete has no test period.
        test_fraction: share of each athlete's training days whose pairs are test.
    """

    x: Any
    x_raw: Any
    feature_names: list[str]
    feature_mean: Any
    feature_std: Any
    edge_index: Any
    edge_type: Any
    node_time: Any
    nodes: pd.DataFrame
    pairs: pd.DataFrame
    pair_x: Any = None
    first_test_time: dict[str, int] = field(default_factory=dict)
    test_fraction: float = 0.2
    relations: tuple[str, ...] = RELATIONS

    @property
    def num_nodes(self) -> int:
        """Number of occurrence nodes."""
        return int(self.x.shape[0])


def _seconds(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[s]").astype(np.int64)


def build_training_graph(features: pd.DataFrame, test_fraction: float = 0.2) -> "TrainingGraph":
    """Build nodes, causal edges, pairs and the per-athlete chronological split.

    Args:
        features: the output of `build_features`.
        test_fraction: per athlete, pairs whose target falls in this last share of the athlete's
            training days are test. 0 puts every pair in training (for recommending).

    Returns:
        The TrainingGraph. Raises `InputError` when there are no occurrences.
    """
    import torch

    from workout_pipeline.errors import InputError

    if features is None or len(features) == 0:
        raise InputError("no working sets to learn from: the log has no usable exercise occurrences")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    feats = features.sort_values(["athlete_id", "date", "session_id", "session_position"], kind="stable").reset_index(drop=True)
    node_time = _seconds(feats["date"])
    nodes = pd.DataFrame(index=feats.index)
    for column in NODE_LABELS:
        nodes[column] = (feats[column] if column in feats else pd.Series(pd.NA, index=feats.index)).astype("string")
    for column in NODE_FACTS:
        values = feats[column] if column in feats else pd.Series(np.nan, index=feats.index)
        nodes[column] = pd.to_numeric(values, errors="coerce").astype(float)
    nodes["date"] = pd.to_datetime(feats["date"])
    nodes["node_time"] = node_time

    pairs = _pairs(nodes)
    first_test_time, cutoff = _split_cutoffs(nodes, test_fraction)
    pairs["split"] = _assign_split(nodes, pairs, cutoff, test_fraction)

    names = node_feature_columns()
    x_raw = torch.tensor(feats[names].to_numpy(dtype=np.float32), dtype=torch.float32)
    in_training_period = torch.tensor(node_time < cutoff, dtype=torch.bool)
    mean, std = fit_normalisation(x_raw, in_training_period)
    edge_index, edge_type = _edges(feats, node_time)
    return TrainingGraph(
        x=(x_raw - mean) / std,
        x_raw=x_raw,
        feature_names=names,
        feature_mean=mean,
        feature_std=std,
        edge_index=edge_index,
        edge_type=edge_type,
        node_time=torch.tensor(node_time, dtype=torch.long),
        nodes=nodes,
        pairs=pairs,
        pair_x=torch.tensor(pair_features(nodes, pairs["src"].to_numpy(), pairs["dst"].to_numpy())),
        first_test_time=first_test_time,
        test_fraction=float(test_fraction),
    )


def fit_normalisation(x_raw, fit_mask):
    """Mean and std of each feature over the rows in `fit_mask` (std floored so constant
    features stay finite); all rows when the mask selects none."""
    import torch

    rows = x_raw[fit_mask] if bool(fit_mask.any()) else x_raw
    mean = rows.mean(dim=0)
    std = rows.std(dim=0, unbiased=False) if rows.shape[0] > 1 else torch.ones_like(mean)
    std = torch.where(std > 1e-6, std, torch.ones_like(std))
    return mean, std


def training_period_mask(graph: "TrainingGraph"):
    """Nodes strictly before their athlete's first test day (all nodes when there is no test)."""
    import torch

    cutoff = _node_cutoff(graph.nodes, graph.first_test_time)
    return torch.tensor(graph.node_time.numpy() < cutoff, dtype=torch.bool)


def _node_cutoff(nodes: pd.DataFrame, first_test_time: dict[str, int]) -> np.ndarray:
    big = np.iinfo(np.int64).max
    return nodes["athlete_id"].astype(str).map(lambda a: first_test_time.get(a, big)).to_numpy(np.int64)


def _pairs(nodes: pd.DataFrame) -> pd.DataFrame:
    """Consecutive occurrences of a lift <= 28 days apart with both top-set weights > 0."""
    order = nodes.sort_values(["athlete_id", "exercise_key", "node_time"], kind="stable")
    nxt = order.groupby(["athlete_id", "exercise_key"], sort=False).cumcount(ascending=False) > 0
    src = order.index.to_numpy()[nxt.to_numpy()]
    position = np.flatnonzero(nxt.to_numpy())
    dst = order.index.to_numpy()[position + 1]
    gap_days = (nodes["node_time"].to_numpy()[dst] - nodes["node_time"].to_numpy()[src]) / 86400.0
    weight = nodes["top_weight_kg"].to_numpy()
    keep = (gap_days <= MAX_PAIR_GAP_DAYS) & (gap_days > 0) & (weight[src] > 0) & (weight[dst] > 0)
    src, dst = src[keep], dst[keep]
    pairs = pd.DataFrame(
        {
            "src": src,
            "dst": dst,
            "athlete_id": nodes["athlete_id"].to_numpy()[src],
            "exercise_key": nodes["exercise_key"].to_numpy()[src],
            "exercise_id": nodes["exercise_id"].to_numpy()[src],
            "exercise_raw": nodes["exercise_raw"].to_numpy()[src],
            "prev_date": nodes["date"].to_numpy()[src],
            "target_date": nodes["date"].to_numpy()[dst],
            "prev_weight_kg": weight[src],
            "prev_reps": nodes["top_reps"].to_numpy()[src],
            "prev_rest_s": nodes["rest_mean_s"].to_numpy()[src],
            "y_weight_kg": weight[dst],
            "y_reps": nodes["top_reps"].to_numpy()[dst],
            "y_rest_s": nodes["rest_mean_s"].to_numpy()[dst],
            "scale_kg": np.maximum(nodes["e1rm_best"].to_numpy()[src], 1.0),
            "load_step_kg": nodes["load_step_kg"].to_numpy()[src],
            "range_bottom": nodes["rep_range_bottom"].to_numpy()[src],
            "range_top": nodes["rep_range_top"].to_numpy()[src],
            "hit_top_of_range": nodes["hit_top_of_range"].to_numpy()[src],
        }
    )
    for column in ("athlete_id", "exercise_key", "exercise_id", "exercise_raw"):
        pairs[column] = pairs[column].astype("string")
    return pairs.sort_values(["target_date", "athlete_id", "exercise_key"], kind="stable").reset_index(drop=True)


def _split_cutoffs(nodes: pd.DataFrame, test_fraction: float) -> tuple[dict[str, int], np.ndarray]:
    """Per athlete, the first day of the last `test_fraction` of their training days."""
    first_test_time: dict[str, int] = {}
    if test_fraction > 0:
        for athlete, days in nodes.groupby("athlete_id", sort=True)["date"]:
            unique_days = np.sort(days.dt.normalize().unique())
            if len(unique_days) < 2:
                continue  # one training day: nothing before it to learn from
            n_test = max(1, math.ceil(len(unique_days) * test_fraction))
            n_test = min(n_test, len(unique_days) - 1)
            first_test_time[str(athlete)] = int(_seconds([unique_days[-n_test]])[0])
    return first_test_time, _node_cutoff(nodes, first_test_time)


def _assign_split(nodes: pd.DataFrame, pairs: pd.DataFrame, cutoff: np.ndarray, test_fraction: float) -> np.ndarray:
    """Test when the target is on/after the athlete's first test day; the last
    VALIDATION_FRACTION of the remaining training days is validation; the rest train."""
    target_time = nodes["node_time"].to_numpy()[pairs["dst"].to_numpy()]
    pair_cutoff = cutoff[pairs["dst"].to_numpy()]
    split = np.where(target_time >= pair_cutoff, SPLIT_TEST, SPLIT_TRAIN)
    for athlete in pairs["athlete_id"].unique():
        athlete_nodes = nodes["athlete_id"] == athlete
        limit = cutoff[athlete_nodes.to_numpy()][0]
        train_days = np.sort(nodes.loc[athlete_nodes & (nodes["node_time"] < limit), "date"].dt.normalize().unique())
        if len(train_days) < 4:
            continue
        n_val = max(1, math.ceil(len(train_days) * VALIDATION_FRACTION))
        val_start = int(_seconds([train_days[-n_val]])[0])
        in_athlete = (pairs["athlete_id"] == athlete).to_numpy()
        split[in_athlete & (split == SPLIT_TRAIN) & (target_time >= val_start)] = SPLIT_VALIDATION
    return split


def _edges(feats: pd.DataFrame, node_time: np.ndarray):
    """Edges from earlier-or-same-session nodes only: previous occurrences of the lift, the
    other lifts of the same session, and recent lifts sharing a muscle."""
    import torch

    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    types: list[np.ndarray] = []
    node_ids = np.arange(len(feats))

    # previous occurrences of the same lift (by the same athlete)
    order = feats.assign(node=node_ids, t=node_time).sort_values(["athlete_id", "exercise_key", "t", "node"], kind="stable")
    grouped = order.groupby(["athlete_id", "exercise_key"], sort=False)["node"]
    for lag in range(1, TEMPORAL_LAGS + 1):
        previous = grouped.shift(lag)
        ok = previous.notna().to_numpy()
        sources.append(previous.to_numpy()[ok].astype(np.int64))
        targets.append(order["node"].to_numpy()[ok])
        types.append(np.full(int(ok.sum()), 0))

    # the other lifts of the same session (both directions: same time)
    session = feats["athlete_id"].astype(str) + "|" + feats["session_id"].astype(str)
    frame = pd.DataFrame({"s": session.to_numpy(), "node": node_ids})
    joined = frame.merge(frame, on="s", suffixes=("_src", "_dst"))
    joined = joined[joined["node_src"] != joined["node_dst"]]
    sources.append(joined["node_src"].to_numpy(np.int64))
    targets.append(joined["node_dst"].to_numpy(np.int64))
    types.append(np.full(len(joined), 1))

    # the latest earlier occurrence of each other lift sharing a muscle, within the window
    src_m, dst_m = _muscle_edges(feats, node_time)
    sources.append(src_m)
    targets.append(dst_m)
    types.append(np.full(len(src_m), 2))

    edge_index = torch.tensor(np.vstack([np.concatenate(sources), np.concatenate(targets)]), dtype=torch.long)
    edge_type = torch.tensor(np.concatenate(types), dtype=torch.long)
    return edge_index.reshape(2, -1), edge_type


def _muscle_edges(feats: pd.DataFrame, node_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    window = MUSCLE_WINDOW_DAYS * 86400
    src_out: list[int] = []
    dst_out: list[int] = []
    muscles = [set(p) | set(s) for p, s in zip(feats["primary_muscles"], feats["secondary_muscles"])]
    keys = feats["exercise_key"].astype(str).to_numpy()
    for _, rows in feats.groupby("athlete_id", sort=False).indices.items():
        rows = rows[np.argsort(node_time[rows], kind="stable")]
        by_muscle: dict[str, list[int]] = {}
        for node in rows:
            for muscle in muscles[node]:
                by_muscle.setdefault(muscle, []).append(node)
        for members in by_muscle.values():
            times = node_time[members]
            for position, dst in enumerate(members):
                start = np.searchsorted(times, times[position] - window, side="left")
                latest_per_lift: dict[str, int] = {}
                for candidate in members[start:position]:
                    if node_time[candidate] < node_time[dst] and keys[candidate] != keys[dst]:
                        latest_per_lift[keys[candidate]] = candidate
                for src in latest_per_lift.values():
                    src_out.append(src)
                    dst_out.append(dst)
    if not src_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    unique = np.unique(np.array([src_out, dst_out], dtype=np.int64), axis=1)
    return unique[0], unique[1]


def check_no_leakage(graph: "TrainingGraph") -> list[str]:
    """Check the graph's causal guarantees; return the problems found (empty = fine).

    Checks: every edge runs from an earlier-or-same time to a later-or-same time; each pair's
    prediction node is strictly before its target; per athlete, every training/validation target
    is before the first test day; and the normalisation statistics equal those refitted on the
    training period alone.
    """
    import torch

    problems: list[str] = []
    times = graph.node_time
    if graph.edge_index.numel():
        src_t = times[graph.edge_index[0]]
        dst_t = times[graph.edge_index[1]]
        bad = int((src_t > dst_t).sum())
        if bad:
            problems.append(f"{bad} edges run from a later node to an earlier one")
    pairs = graph.pairs
    if len(pairs):
        src = torch.tensor(pairs["src"].to_numpy(), dtype=torch.long)
        dst = torch.tensor(pairs["dst"].to_numpy(), dtype=torch.long)
        bad = int((times[src] >= times[dst]).sum())
        if bad:
            problems.append(f"{bad} pairs predict from a node that is not strictly before the target")
        target_time = times[dst].numpy()
        for athlete, first_test in graph.first_test_time.items():
            in_athlete = (pairs["athlete_id"] == athlete).to_numpy()
            training = in_athlete & pairs["split"].isin([SPLIT_TRAIN, SPLIT_VALIDATION]).to_numpy()
            test = in_athlete & (pairs["split"] == SPLIT_TEST).to_numpy()
            if training.any() and target_time[training].max() >= first_test:
                problems.append(f"athlete {athlete}: a training target is on or after the first test day")
            if test.any() and target_time[test].min() < first_test:
                problems.append(f"athlete {athlete}: a test target is before the first test day")
    mean, std = fit_normalisation(graph.x_raw, training_period_mask(graph))
    if not (torch.allclose(mean, graph.feature_mean) and torch.allclose(std, graph.feature_std)):
        problems.append("normalisation statistics differ from those fitted on the training period only")
    return problems


def save_training_graph(graph: "TrainingGraph", path) -> Any:
    """Save with torch.save as plain tensors, lists and dicts (atomic write)."""
    import torch

    from workout_pipeline.atomic import atomic_path

    payload = {
        "x": graph.x,
        "x_raw": graph.x_raw,
        "feature_names": list(graph.feature_names),
        "feature_mean": graph.feature_mean,
        "feature_std": graph.feature_std,
        "edge_index": graph.edge_index,
        "edge_type": graph.edge_type,
        "node_time": graph.node_time,
        "nodes": _frame_to_plain(graph.nodes),
        "pairs": _frame_to_plain(graph.pairs),
        "pair_x": graph.pair_x,
        "first_test_time": dict(graph.first_test_time),
        "test_fraction": float(graph.test_fraction),
        "relations": list(graph.relations),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load_training_graph(path) -> "TrainingGraph":
    """Load a graph saved by `save_training_graph` (weights_only=True: no pickled code)."""
    import torch

    payload = torch.load(path, weights_only=True)
    return TrainingGraph(
        x=payload["x"],
        x_raw=payload["x_raw"],
        feature_names=list(payload["feature_names"]),
        feature_mean=payload["feature_mean"],
        feature_std=payload["feature_std"],
        edge_index=payload["edge_index"],
        edge_type=payload["edge_type"],
        node_time=payload["node_time"],
        nodes=_plain_to_frame(payload["nodes"]),
        pairs=_plain_to_frame(payload["pairs"]),
        pair_x=payload["pair_x"],
        first_test_time={str(k): int(v) for k, v in payload["first_test_time"].items()},
        test_fraction=float(payload["test_fraction"]),
        relations=tuple(payload["relations"]),
    )


def _frame_to_plain(frame: pd.DataFrame) -> dict:
    """A DataFrame as {column: {"kind": ..., "values": tensor or list}} for weights_only loading."""
    import torch

    plain: dict[str, dict] = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = pd.to_datetime(series).to_numpy(dtype="datetime64[us]").astype(np.int64)
            plain[column] = {"kind": "datetime", "values": torch.tensor(values)}
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
            plain[column] = {"kind": "int", "values": torch.tensor(series.to_numpy(np.int64))}
        elif pd.api.types.is_float_dtype(series):
            plain[column] = {"kind": "float", "values": torch.tensor(series.to_numpy(np.float64))}
        else:
            plain[column] = {"kind": "string", "values": [None if pd.isna(v) else str(v) for v in series]}
    return plain


def _plain_to_frame(plain: dict) -> pd.DataFrame:
    data = {}
    for column, item in plain.items():
        kind, values = item["kind"], item["values"]
        if kind == "datetime":
            data[column] = pd.Series(values.numpy().astype("datetime64[us]"))
        elif kind == "int":
            data[column] = pd.Series(values.numpy())
        elif kind == "float":
            data[column] = pd.Series(values.numpy())
        else:
            data[column] = pd.Series(values, dtype="string")
    return pd.DataFrame(data)
