"""`workout-pipeline evaluate PATH... --out DIR [--seed N]`: train and score the progression models."""

from pathlib import Path
from typing import Any

import click

from workout_pipeline.cli import json_command
from workout_pipeline.errors import InputError


@click.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Output folder: metrics.json, predictions.parquet, recommendations.parquet, plots.")
@click.option("--seed", default=0, show_default=True, type=int, help="Training seed (same seed, same numbers).")
@click.option("--catalog", "catalog_path", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Exercise catalog (default: the built-in one).")
@click.option("--epochs", default=None, type=click.IntRange(min=1), help="Maximum training epochs (default: the model's).")
@click.option("--device", default="auto", show_default=True, help="auto (CUDA when available), cpu or cuda.")
@click.option("--threads", default=None, type=click.IntRange(min=1),
              help="Torch CPU threads for training (default: min(4, cores), 1 on <= 2 cores).")
@json_command
def command(
    paths: tuple[str, ...], out_dir: str, seed: int, catalog_path: str | None, epochs: int | None, device: str, threads: int | None
) -> dict[str, Any]:
    """Ingest the logs, train GraphSAGE, GCN and MLP, score them and the rule baselines on the
    chronological test split, and prescribe each athlete's next sessions.

    A folder PATH holds one athlete per file (or per subfolder). Writes DIR/metrics.json,
    DIR/predictions.parquet (one row per test pair), DIR/recommendations.parquet (from a
    GraphSAGE trained on all history) and PNG plots.
    """
    outcome = run_evaluation(paths, out_dir, seed=seed, catalog_path=catalog_path, epochs=epochs, device=device, threads=threads)
    return outcome


def run_evaluation(
    paths,
    out_dir,
    seed: int = 0,
    catalog_path: str | None = None,
    epochs: int | None = None,
    device: str = "auto",
    threads: int | None = None,
) -> dict[str, Any]:
    """The `evaluate` command's work as a plain function (the same steps as the Dagster assets).

    Args:
        paths: log files or folders. out_dir: output folder. seed: training seed.
        catalog_path: exercise catalog (default: the built-in one). epochs: maximum epochs.
        device: "auto", "cpu" or "cuda". threads: torch CPU threads for training (default
            `train.default_threads()`).

    Returns:
        The JSON summary: per-model load/reps MAE, P@5, GraphSAGE vs repeat_last, output paths.
    """
    from workout_pipeline.atomic import write_json_atomic, write_parquet_atomic
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.model import (
        build_features,
        build_training_graph,
        check_no_leakage,
        evaluate_models,
        plot_e1rm_history,
        plot_embeddings,
        plot_predictions,
        recommend,
        train_models,
    )

    out = Path(out_dir)
    report = ingest_paths(paths)
    per_file = report.summary.get("per_file", [])
    if per_file and all(entry.get("error") for entry in per_file):
        raise InputError(f"nothing could be read: {per_file[0]['error']}")
    if report.validated is None or len(report.validated) == 0:
        raise InputError("no valid sets in the given logs: nothing to evaluate")
    catalog = load_catalog(catalog_path)
    features = build_features(report.validated, catalog)
    graph = build_training_graph(features)
    problems = check_no_leakage(graph)
    if problems:
        raise RuntimeError("leakage check failed: " + "; ".join(problems))
    if not (graph.pairs["split"] == 2).any():
        raise InputError("no test pairs: each athlete needs a lift logged twice within 28 days in their last 20% of training days")
    trained = train_models(graph, seed=seed, device=device, epochs=epochs, threads=threads)
    metrics, predictions = evaluate_models(graph, trained)
    metrics["seed"] = seed
    metrics["ingest"] = {k: report.summary.get(k) for k in ("rows_in", "valid", "quarantined", "resolved_share")}
    recommendations = recommend(features, catalog, seed=seed, epochs=epochs)

    write_parquet_atomic(predictions, out / "predictions.parquet")
    write_parquet_atomic(recommendations, out / "recommendations.parquet")
    plots = [
        plot_predictions(predictions, out / "predicted_vs_actual.png"),
        plot_embeddings(graph, trained, out / "embeddings.png"),
    ]
    for athlete in sorted(recommendations["athlete_id"].astype(str).unique()):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in athlete)
        plots.append(plot_e1rm_history(features, recommendations, athlete, out / f"e1rm_history_{safe}.png"))
    metrics["outputs"] = {
        "predictions": str(out / "predictions.parquet"),
        "recommendations": str(out / "recommendations.parquet"),
        "plots": [str(p) for p in plots],
    }
    write_json_atomic(metrics, out / "metrics.json")
    summary_models = {
        name: {k: values.get(k) for k in ("load_mae_kg", "reps_mae", "precision_at_5")}
        for name, values in metrics["models"].items()
    }
    return {
        "out": str(out),
        "athletes": metrics["athletes"],
        "n_test_pairs": metrics["n_test_pairs"],
        "models": summary_models,
        "graphsage_vs_repeat_last": metrics.get("graphsage_vs_repeat_last"),
        "recommendations": int(len(recommendations)),
    }
