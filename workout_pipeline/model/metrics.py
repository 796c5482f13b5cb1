"""Evaluation metrics of the protocol (DESIGN.md): MAE, RMSE, per-athlete medians, Precision@K."""

import numpy as np
import pandas as pd


def mae(actual, predicted) -> float:
    """Mean absolute error (NaN when empty)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    return float(np.mean(np.abs(actual - predicted))) if actual.size else float("nan")


def rmse(actual, predicted) -> float:
    """Root mean squared error (NaN when empty)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    return float(np.sqrt(np.mean((actual - predicted) ** 2))) if actual.size else float("nan")


def progressed(prev_weight, prev_reps, next_weight, next_reps, tolerance: float = 1e-6, label: str = "design") -> np.ndarray:
    """True where the next top set progressed.

    `label="design"` (the default, DESIGN.md's protocol): more weight, or the same weight for
    more reps. `label="strict"`: progress as a lifter says it, more weight for at least as many
    reps, or the same weight for more reps (trading reps for load, 100 kg x 8 -> 102.5 kg x 5,
    is not progress); reported beside the protocol's figures and used as the progress head's
    training target (chosen on validation, docs/model.md).
    """
    prev_weight, next_weight = np.asarray(prev_weight, float), np.asarray(next_weight, float)
    prev_reps, next_reps = np.asarray(prev_reps, float), np.asarray(next_reps, float)
    more_weight = next_weight > prev_weight + tolerance
    same_weight = np.abs(next_weight - prev_weight) <= tolerance
    if label == "strict":
        more_weight &= next_reps >= prev_reps
    elif label != "design":
        raise ValueError(f"unknown progress label {label!r}")
    return more_weight | (same_weight & (next_reps > prev_reps))


def precision_at_k(
    frame: pd.DataFrame, predicted_weight: str, k: int, predicted_reps: str | None = None, score: str | None = None,
    label: str = "design",
) -> float:
    """Mean over (athlete, test session day) of the share of the top-k exercises whose top set
    actually progressed, ranked by the model's progress probability (`score`, when given), else
    by predicted load increase over the previous occurrence.

    Ties are broken by the predicted load increase, then the predicted reps increase (when
    given), then by exercise name, so the ranking is deterministic. A session with fewer than k
    exercises counts all of them.

    Args:
        frame: test pairs with `athlete_id`, `target_date`, `exercise_raw`, `prev_weight_kg`,
            `prev_reps`, `y_weight_kg`, `y_reps` and the prediction columns.
        predicted_weight: column of predicted weights (kg).
        k: list length.
        predicted_reps: optional column of predicted reps for tie-breaking.
        score: optional column of progress probabilities to rank by.
        label: what counts as progressed (`progressed`).
    """
    if frame.empty:
        return float("nan")
    work = pd.DataFrame(
        {
            "athlete": frame["athlete_id"].astype(str).to_numpy(),
            "day": pd.to_datetime(frame["target_date"]).dt.normalize().to_numpy(),
            "name": frame["exercise_raw"].astype(str).to_numpy(),
            "increase": frame[predicted_weight].to_numpy(float) - frame["prev_weight_kg"].to_numpy(float),
            "reps_increase": (frame[predicted_reps].to_numpy(float) - frame["prev_reps"].to_numpy(float))
            if predicted_reps
            else 0.0,
            "hit": progressed(frame["prev_weight_kg"], frame["prev_reps"], frame["y_weight_kg"], frame["y_reps"],
                              label=label),
            "score": frame[score].to_numpy(float) if score else 0.0,
        }
    )
    order = ["athlete", "day", "score", "increase", "reps_increase", "name"]
    work = work.sort_values(order, ascending=[True, True, False, False, False, True], kind="stable")
    top = work.groupby(["athlete", "day"], sort=False).head(k)
    return float(top.groupby(["athlete", "day"], sort=False)["hit"].mean().mean())


def progress_base_rate(frame: pd.DataFrame, label: str = "design") -> float:
    """Precision@K of a random ranking: the mean over (athlete, test session day) of the share
    of the session's lifts that progressed (any K)."""
    if frame.empty:
        return float("nan")
    hit = progressed(frame["prev_weight_kg"], frame["prev_reps"], frame["y_weight_kg"], frame["y_reps"], label=label)
    day = pd.to_datetime(frame["target_date"]).dt.normalize()
    return float(pd.Series(hit).groupby([frame["athlete_id"].astype(str).to_numpy(), day.to_numpy()]).mean().mean())


def prescription_metrics(frame: pd.DataFrame, name: str) -> dict:
    """Share of `rx_*__<name>` prescriptions met (actual next top set's Epley e1RM reaches the
    prescription's) and the mean e1RM increase asked (kg and % of the last top set's), pooled
    and per athlete."""
    from workout_pipeline.model.features import epley_e1rm
    from workout_pipeline.model.prescribe import met

    rx_w, rx_r = frame[f"rx_weight_kg__{name}"], frame[f"rx_reps__{name}"]
    ok = met(frame["prev_weight_kg"], frame["prev_reps"], rx_w, rx_r, frame["y_weight_kg"], frame["y_reps"])
    base = epley_e1rm(frame["prev_weight_kg"], frame["prev_reps"])
    asked = epley_e1rm(rx_w, rx_r) - base
    work = pd.DataFrame({"athlete": frame["athlete_id"].astype(str).to_numpy(), "met": ok, "asked": asked,
                         "asked_pct": 100.0 * asked / np.maximum(base, 1e-9)})
    confidence = f"rx_confidence__{name}"
    if confidence in frame.columns:
        work["confidence"] = frame[confidence].to_numpy(float)

    def summary(part: pd.DataFrame) -> dict:
        result = {"share_met": float(part["met"].mean()), "mean_e1rm_increase_kg": float(part["asked"].mean()),
                  "mean_e1rm_increase_pct": float(part["asked_pct"].mean()),
                  "share_asked_progress": float((part["asked"] > 1e-9).mean())}
        if "confidence" in part:  # the chance the lifter was told, on average (compare with share_met)
            result["mean_confidence"] = float(part["confidence"].mean())
        return result

    result = summary(work)
    result["per_athlete"] = {str(a): summary(g) for a, g in work.groupby("athlete", sort=True)}
    return result


def model_metrics(frame: pd.DataFrame, model: str) -> dict:
    """Headline metrics of one model's `pred_weight_kg__<model>` / `pred_reps__<model>` columns."""
    weight_col, reps_col = f"pred_weight_kg__{model}", f"pred_reps__{model}"
    result = {
        "load_mae_kg": mae(frame["y_weight_kg"], frame[weight_col]),
        "load_rmse_kg": rmse(frame["y_weight_kg"], frame[weight_col]),
        "reps_mae": mae(frame["y_reps"], frame[reps_col]),
        "reps_rmse": rmse(frame["y_reps"], frame[reps_col]),
    }
    per_athlete_load, per_athlete_reps = {}, {}
    for athlete, group in frame.groupby("athlete_id", sort=True):
        per_athlete_load[str(athlete)] = mae(group["y_weight_kg"], group[weight_col])
        per_athlete_reps[str(athlete)] = mae(group["y_reps"], group[reps_col])
    result["load_mae_kg_median_athlete"] = float(np.median(list(per_athlete_load.values()))) if per_athlete_load else float("nan")
    result["reps_mae_median_athlete"] = float(np.median(list(per_athlete_reps.values()))) if per_athlete_reps else float("nan")
    score = f"progress__{model}" if f"progress__{model}" in frame.columns else None
    result["precision_at_3"] = precision_at_k(frame, weight_col, 3, reps_col, score)
    result["precision_at_5"] = precision_at_k(frame, weight_col, 5, reps_col, score)
    # the lifter's stricter label (no reps traded for load), reported beside the protocol's
    result["precision_at_3_strict"] = precision_at_k(frame, weight_col, 3, reps_col, score, "strict")
    # per athlete: Precision@3 minus that athlete's own base rate (does the ranking hold for each lifter?)
    result["precision_at_3_gain_per_athlete"] = {
        str(athlete): precision_at_k(group, weight_col, 3, reps_col, score) - progress_base_rate(group)
        for athlete, group in frame.groupby("athlete_id", sort=True)
    }
    rest_col = f"pred_rest_s__{model}"
    if rest_col in frame.columns and "y_rest_s" in frame.columns:
        known = frame["y_rest_s"].notna() & frame[rest_col].notna()
        result["rest_mae_s"] = mae(frame.loc[known, "y_rest_s"], frame.loc[known, rest_col]) if known.any() else None
    result["load_mae_kg_per_athlete"] = per_athlete_load
    return result
