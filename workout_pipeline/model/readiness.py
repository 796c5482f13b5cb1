"""Readiness of a lift: what ranks the lifts of a session by whether they will progress.

Precision@K (DESIGN.md) ranks the lifts of each target session by the chance that the top set
progresses: more weight (at any reps), or the same weight for more reps. The models' load heads
read the node features; the ranking score (`progress__<model>`) is a LightGBM booster trained on
that label with, on top of the node and pair features, these readiness features of the
previous occurrence (everything up to and including it, nothing later):

- the lift's last 8 transitions: share that progressed (DESIGN.md's label, and the strict
  label), share whose load went up, share whose load went down; whether the last one
  progressed or went down; occurrences since the last progress and since the last load increase;
- where the occurrence sits in the lift's recent history: top-set reps minus the median of the
  last 8 top sets, and the load below the last 8 occurrences' heaviest (a light day), / best e1RM;
- how the occurrence's working sets were spread: share of them at the top weight (straight sets
  vs one heavy set), the spread from the lightest to the top weight (/ best e1RM, a pyramid), the
  most reps in any working set minus the top set's, and the top set's reps minus the fewest reps
  done at the top weight.

Chosen on validation (docs/model_choices.md).
"""

import numpy as np
import pandas as pd

READINESS_COLUMNS: tuple[str, ...] = (
    "progress_rate8",
    "progress_rate8_strict",
    "up_rate8",
    "down_rate8",
    "progressed_last",
    "down_last",
    "since_progress",
    "since_up",
    "reps_vs_median8",
    "below_max8_rel",
    "top_set_share",
    "pyramid_rel",
    "max_reps_minus_top",
    "top_reps_minus_min",
)
# Transitions (occurrence -> next occurrence of the lift) the rates look back over.
HISTORY_WINDOW = 8
# "Occurrences since" is clipped here.
SINCE_CAP = 10.0
# Set-level facts of an occurrence (`features._occurrences`) the readiness features read.
SET_FACTS: tuple[str, ...] = ("top_sets", "min_weight_kg", "max_reps", "top_min_reps")


def node_readiness(nodes: pd.DataFrame) -> np.ndarray:
    """[N, len(READINESS_COLUMNS)] float32 readiness of every node (row i = node i).

    Args:
        nodes: `TrainingGraph.nodes` (athlete_id, exercise_key, node_time, top_weight_kg,
            top_reps, e1rm_best, n_sets and the SET_FACTS; missing set facts give neutral values).
    """
    from workout_pipeline.model.metrics import progressed

    n = len(nodes)
    out = np.zeros((n, len(READINESS_COLUMNS)), dtype=np.float32)
    if n == 0:
        return out
    frame = pd.DataFrame({
        "lift": (nodes["athlete_id"].astype(str) + "|" + nodes["exercise_key"].astype(str)).to_numpy(object),
        "t": nodes["node_time"].to_numpy(np.int64),
        "w": nodes["top_weight_kg"].to_numpy(float),
        "r": nodes["top_reps"].to_numpy(float),
        "scale": np.maximum(nodes["e1rm_best"].to_numpy(float), 1.0),
    })
    order = np.lexsort((np.arange(n), frame["t"].to_numpy(), frame["lift"].to_numpy()))
    o = frame.iloc[order].reset_index(drop=True)
    lift = o["lift"]
    by = o.groupby("lift", sort=False)
    prev_w, prev_r = by["w"].shift(1), by["r"].shift(1)
    has = prev_w.notna().to_numpy()
    pw, pr = prev_w.fillna(0.0).to_numpy(), prev_r.fillna(0.0).to_numpy()
    w, r = o["w"].to_numpy(), o["r"].to_numpy()
    flags = {
        "progress": progressed(pw, pr, w, r) & has,
        "strict": progressed(pw, pr, w, r, label="strict") & has,
        "up": (w > pw + 1e-6) & has,
        "down": (w < pw - 1e-6) & has,
    }

    def rolling_sum(values) -> np.ndarray:
        series = pd.Series(np.asarray(values, dtype=float))
        return series.groupby(lift, sort=False).rolling(HISTORY_WINDOW, min_periods=1).sum().reset_index(level=0, drop=True).sort_index().to_numpy()

    count = rolling_sum(has)
    result = pd.DataFrame(index=o.index)
    for column, flag in (("progress_rate8", "progress"), ("progress_rate8_strict", "strict"), ("up_rate8", "up"), ("down_rate8", "down")):
        result[column] = np.where(count > 0, rolling_sum(flags[flag]) / np.maximum(count, 1), 0.5)
    result["progressed_last"] = flags["progress"].astype(float)
    result["down_last"] = flags["down"].astype(float)
    for column, flag in (("since_progress", "progress"), ("since_up", "up")):
        hit = pd.Series(flags[flag])
        run = hit.groupby(lift, sort=False).cumsum()
        result[column] = (~hit).astype(float).groupby([lift, run], sort=False).cumsum().clip(upper=SINCE_CAP).to_numpy()
    window = by.rolling(HISTORY_WINDOW, min_periods=1)
    median_r = window["r"].median().reset_index(level=0, drop=True).sort_index().to_numpy()
    max_w = window["w"].max().reset_index(level=0, drop=True).sort_index().to_numpy()
    result["reps_vs_median8"] = np.clip(r - median_r, -10, 10)
    result["below_max8_rel"] = (max_w - w) / o["scale"].to_numpy()
    history = list(result.columns)
    out[order, : len(history)] = result.to_numpy(np.float32)

    # how the working sets of the occurrence itself were spread
    weight = nodes["top_weight_kg"].to_numpy(float)
    reps = nodes["top_reps"].to_numpy(float)
    scale = np.maximum(nodes["e1rm_best"].to_numpy(float), 1.0)
    fact = {c: pd.to_numeric(nodes[c], errors="coerce").to_numpy(float) if c in nodes else np.full(n, np.nan) for c in SET_FACTS}
    n_sets = np.maximum(pd.to_numeric(nodes["n_sets"], errors="coerce").fillna(1.0).to_numpy(float), 1.0)
    spread = {
        "top_set_share": np.nan_to_num(fact["top_sets"] / n_sets, nan=1.0),
        "pyramid_rel": np.nan_to_num((weight - fact["min_weight_kg"]) / scale, nan=0.0),
        "max_reps_minus_top": np.nan_to_num(np.clip(fact["max_reps"] - reps, 0, 30), nan=0.0),
        "top_reps_minus_min": np.nan_to_num(np.clip(reps - fact["top_min_reps"], 0, 30), nan=0.0),
    }
    for column, values in spread.items():
        out[:, READINESS_COLUMNS.index(column)] = values
    return out
