"""PNG plots (matplotlib Agg, imported lazily): embeddings, predicted vs actual, e1RM history."""

from pathlib import Path

import numpy as np
import pandas as pd

from workout_pipeline.atomic import atomic_path
from workout_pipeline.reports.plots import pyplot as _pyplot


def _save(fig, path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def plot_embeddings(graph, trained, path, model: str = "graphsage") -> Path:
    """2-D PCA of learned exercise embeddings (mean node embedding per exercise), coloured by
    category (push/pull/legs/core/unknown)."""
    from sklearn.decomposition import PCA

    from workout_pipeline.model.train import node_embeddings

    plt = _pyplot()
    embeddings = node_embeddings(trained, model, graph)
    nodes = graph.nodes
    keys = (nodes["athlete_id"].astype(str) + " | " + nodes["exercise_raw"].astype(str)).to_numpy()
    frame = pd.DataFrame(embeddings).assign(key=keys, category=nodes["category"].astype(str).to_numpy())
    per_exercise = frame.groupby("key", sort=True).agg({**{c: "mean" for c in range(embeddings.shape[1])}, "category": "first"})
    values = per_exercise[list(range(embeddings.shape[1]))].to_numpy()
    fig, ax = plt.subplots(figsize=(7, 6))
    if len(values) >= 2:
        points = PCA(n_components=2, random_state=0).fit_transform(values)
        for category, group in per_exercise.assign(px=points[:, 0], py=points[:, 1]).groupby("category"):
            ax.scatter(group["px"], group["py"], label=category, s=18, alpha=0.8)
        ax.legend(title="category")
    ax.set_title(f"{model} exercise embeddings (PCA, {len(values)} athlete-exercises)")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    return _save(fig, path)


def plot_predictions(predictions: pd.DataFrame, path, models: tuple[str, ...] = ("graphsage", "repeat_last")) -> Path:
    """Predicted vs actual next top-set load on the test pairs, one panel per model."""
    plt = _pyplot()
    models = tuple(m for m in models if f"pred_weight_kg__{m}" in predictions.columns)
    fig, axes = plt.subplots(1, max(len(models), 1), figsize=(5 * max(len(models), 1), 4.6), squeeze=False)
    actual = predictions["y_weight_kg"].to_numpy(float) if len(predictions) else np.zeros(0)
    top = float(max(actual.max(initial=0), 1.0))
    for ax, model in zip(axes[0], models):
        predicted = predictions[f"pred_weight_kg__{model}"].to_numpy(float)
        mae = float(np.mean(np.abs(predicted - actual))) if len(actual) else float("nan")
        ax.scatter(actual, predicted, s=8, alpha=0.4)
        ax.plot([0, top], [0, top], color="grey", linewidth=1)
        ax.set_title(f"{model}: MAE {mae:.2f} kg (n={len(actual)})")
        ax.set_xlabel("actual next top-set load (kg)")
        ax.set_ylabel("predicted (kg)")
    return _save(fig, path)


def plot_e1rm_history(features: pd.DataFrame, recommendations: pd.DataFrame, athlete_id: str, path, max_exercises: int = 6) -> Path:
    """Per-exercise e1RM history of one athlete (most-logged exercises) with the next prescription
    drawn as its Epley e1RM at the recommended load and reps."""
    from workout_pipeline.model.features import epley_e1rm

    plt = _pyplot()
    mine = features[features["athlete_id"].astype(str) == str(athlete_id)]
    top_keys = mine["exercise_key"].value_counts().head(max_exercises).index.tolist()
    fig, ax = plt.subplots(figsize=(9, 5))
    recs = recommendations[recommendations["athlete_id"].astype(str) == str(athlete_id)] if len(recommendations) else recommendations
    for key in top_keys:
        lift = mine[mine["exercise_key"] == key].sort_values("date")
        name = str(lift["exercise_raw"].iloc[-1])
        line = ax.plot(pd.to_datetime(lift["date"]), lift["e1rm"], marker=".", linewidth=1, label=name)[0]
        rec = recs[recs["exercise_raw"].astype(str) == name] if len(recs) else recs
        if len(rec):
            row = rec.iloc[0]
            gap = lift["days_since_prev"].median()
            next_date = pd.to_datetime(row["last_date"]) + pd.Timedelta(days=float(gap) if pd.notna(gap) else 7.0)
            ax.scatter([next_date], [float(epley_e1rm(row["load_kg"], row["reps"]))], marker="*", s=120, color=line.get_color())
    ax.set_title(f"{athlete_id}: e1RM history (line) and next prescription (star)")
    ax.set_ylabel("e1RM (kg)")
    if top_keys:
        ax.legend(fontsize=7)
    fig.autofmt_xdate()
    return _save(fig, path)
