"""Facts of the target session that are known before it starts, as pair features.

A pair's prediction is read off the previous occurrence's node (everything up to that session).
On top of that the models may use what a lifter knows when they walk into the target session,
and nothing of its results:

- `gap_weeks`: days from the previous occurrence to the target session's date, / 7 (<= 4);
- `routine_known`, `same_routine`: whether the target session's routine name (`workout_name`) is
  known, and whether it equals the previous occurrence's;
- `routine_seen`, `routine_last_weight_rel`, `routine_last_reps_diff`: the latest earlier
  occurrence of the lift in a session of the target's routine (may be the previous occurrence
  itself): whether there is one, its top-set load minus the previous load (relative to the
  lift's best e1RM) and its reps minus the previous reps (/ 5);
- `planned_lifts`, `planned_overlap`: how many lifts the target session holds (/ 10), and the share of
  them that were also in the previous occurrence's session (the plan, not the results).

`check_pair_features_causal` is tested by perturbing target sessions' results.
"""

import numpy as np
import pandas as pd

PAIR_FEATURE_COLUMNS: tuple[str, ...] = (
    "gap_weeks",
    "routine_known",
    "same_routine",
    "routine_seen",
    "routine_last_weight_rel",
    "routine_last_reps_diff",
    "planned_lifts",
    "planned_overlap",
)
# Largest gap (weeks) a pair can have (pairs are at most 28 days apart).
MAX_GAP_WEEKS = 4.0


def routine_last_node(nodes: pd.DataFrame) -> np.ndarray:
    """For each node, the latest strictly earlier node of the same athlete and lift whose session
    had this node's routine name (-1 when none or the name is unknown)."""
    result = np.full(len(nodes), -1, dtype=np.int64)
    names = nodes["workout_name"].astype("string").fillna("").to_numpy(object)
    times = nodes["node_time"].to_numpy(np.int64)
    groups = nodes.groupby(["athlete_id", "exercise_key"], sort=False).indices
    for rows in groups.values():
        rows = rows[np.lexsort((rows, times[rows]))]
        latest: dict[str, int] = {}
        pending: list[int] = []
        for node in rows:
            # nodes of one time see only strictly earlier ones: commit the previous time's nodes
            if pending and times[pending[0]] < times[node]:
                for done in pending:
                    if names[done]:
                        latest[names[done]] = done
                pending = []
            if names[node]:
                result[node] = latest.get(names[node], -1)
            pending.append(node)
    return result


def session_lifts(nodes: pd.DataFrame) -> dict[str, frozenset]:
    """athlete|session -> the set of lifts (exercise keys) in it."""
    keys = nodes["athlete_id"].astype(str) + "|" + nodes["session_id"].astype(str)
    lifts: dict[str, set] = {}
    for key, lift in zip(keys.to_numpy(), nodes["exercise_key"].astype(str).to_numpy()):
        lifts.setdefault(key, set()).add(lift)
    return {key: frozenset(value) for key, value in lifts.items()}


def pair_features(nodes: pd.DataFrame, src: np.ndarray, dst: np.ndarray, routine_last: np.ndarray | None = None) -> np.ndarray:
    """[P, len(PAIR_FEATURE_COLUMNS)] float32 features of pairs (src -> dst node ids).

    Reads of the target node only its date, routine name, session and which lifts the session
    holds; every load and rep count comes from the previous node or earlier ones.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    out = np.zeros((len(src), len(PAIR_FEATURE_COLUMNS)), dtype=np.float32)
    if len(src) == 0:
        return out
    routine_last = routine_last_node(nodes) if routine_last is None else routine_last
    times = nodes["node_time"].to_numpy(np.int64)
    names = nodes["workout_name"].astype("string").fillna("").to_numpy(object)
    weight = nodes["top_weight_kg"].to_numpy(float)
    reps = nodes["top_reps"].to_numpy(float)
    scale = np.maximum(nodes["e1rm_best"].to_numpy(float), 1.0)
    out[:, 0] = np.clip((times[dst] - times[src]) / (7 * 86400.0), 0.0, MAX_GAP_WEEKS)
    known = np.array([bool(names[d]) for d in dst])
    out[:, 1] = known
    out[:, 2] = known & (names[dst] == names[src])
    last = routine_last[dst]
    seen = last >= 0
    out[:, 3] = seen
    safe = np.where(seen, last, 0)
    out[:, 4] = np.where(seen, (weight[safe] - weight[src]) / scale[src], 0.0)
    out[:, 5] = np.where(seen, np.clip(reps[safe] - reps[src], -20, 20) / 5.0, 0.0)
    lifts = session_lifts(nodes)
    session_key = (nodes["athlete_id"].astype(str) + "|" + nodes["session_id"].astype(str)).to_numpy(object)
    planned = [lifts[session_key[d]] for d in dst]
    before = [lifts[session_key[s]] for s in src]
    out[:, 6] = [len(p) / 10.0 for p in planned]
    out[:, 7] = [len(p & b) / max(len(p), 1) for p, b in zip(planned, before)]
    return out


def next_session_features(nodes: pd.DataFrame, latest: np.ndarray) -> np.ndarray:
    """Pair features for a not-yet-logged next session after each `latest` node: the lift's
    median gap so far, the same routine and the same lifts as that session (what a lifter who
    repeats their routine will do)."""
    latest = np.asarray(latest, dtype=np.int64)
    out = np.zeros((len(latest), len(PAIR_FEATURE_COLUMNS)), dtype=np.float32)
    if len(latest) == 0:
        return out
    times = nodes["node_time"].to_numpy(np.int64)
    names = nodes["workout_name"].astype("string").fillna("").to_numpy(object)
    order = nodes.assign(_t=times).sort_values(["athlete_id", "exercise_key", "_t"], kind="stable")
    gaps = order.groupby(["athlete_id", "exercise_key"], sort=False)["_t"].diff() / 86400.0
    median_gap = gaps[(gaps > 0) & (gaps <= 28)].groupby([order["athlete_id"], order["exercise_key"]]).median()
    lifts = session_lifts(nodes)
    session_key = (nodes["athlete_id"].astype(str) + "|" + nodes["session_id"].astype(str)).to_numpy(object)
    for row, node in enumerate(latest):
        key = (nodes["athlete_id"].iloc[node], nodes["exercise_key"].iloc[node])
        gap = float(median_gap.get(key, 7.0))
        known = bool(names[node])
        out[row] = (
            min(gap / 7.0, MAX_GAP_WEEKS),
            float(known),
            float(known),
            float(known),
            0.0,
            0.0,
            float(len(lifts[session_key[node]])) / 10.0,
            1.0,
        )
    return out
