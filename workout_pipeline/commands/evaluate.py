"""`workout-pipeline evaluate PATH... --out DIR [--seed N]`: train and score the progression models."""

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
              help="Exercise catalog (default: $WORKOUT_PIPELINE_CATALOG, else the built-in one).")
@click.option("--epochs", default=None, type=click.IntRange(min=1), help="Maximum training epochs (default: the model's).")
@click.option("--device", default=None, help="auto (CUDA when available), cpu or cuda (default: $WORKOUT_PIPELINE_DEVICE, else auto).")
@click.option("--threads", default=None, type=click.IntRange(min=1),
              help="Torch CPU threads for training (default: min(4, cores), 1 on <= 2 cores).")
@click.option("--athlete", default=None, help="Athlete id for files given directly (default: by the identity rule).")
@click.option("--unit", type=click.Choice(["auto", "kg", "lb"]), default="auto", show_default=True,
              help="Unit of loads in files that do not say.")
@json_command
def command(paths: tuple[str, ...], out_dir: str, seed: int, catalog_path: str | None, epochs: int | None,
            device: str | None, threads: int | None, athlete: str | None, unit: str) -> dict[str, Any]:
    """Ingest the logs, train GraphSAGE and every baseline on the chronological split, score them on
    the held-out pairs, and prescribe each athlete's next sessions.

    The same steps as the Dagster assets (`workout_pipeline.pipeline`). A folder PATH holds one
    athlete per file (or per subfolder). Writes DIR/metrics.json, DIR/predictions.parquet (one row
    per test pair), DIR/recommendations.parquet and PNG plots.
    """
    import dataclasses

    from workout_pipeline import pipeline
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.settings import Settings

    settings = Settings.from_env(catalog_path=catalog_path, device=device)
    settings = dataclasses.replace(settings, training=dataclasses.replace(settings.training, seed=seed, epochs=epochs, threads=threads))
    catalog = pipeline.load_exercise_catalog(settings)
    report = ingest_paths(paths, athlete=athlete, unit=unit, resolver=pipeline.name_resolver(catalog, settings))
    per_file = report.summary.get("per_file", [])
    if per_file and all(entry.get("error") for entry in per_file):
        raise InputError(f"nothing could be read: {per_file[0]['error']}")
    evaluation = pipeline.evaluate_sets(report.validated, catalog, settings.training, settings.device, units=report.units)
    evaluation.metrics["seed"] = seed
    evaluation.metrics["ingest"] = {k: report.summary.get(k) for k in ("rows_in", "valid", "quarantined", "resolved_share")}
    outputs = pipeline.write_evaluation(evaluation, out_dir)
    metrics = evaluation.metrics
    return {
        "out": out_dir,
        "athletes": metrics["athletes"],
        "n_test_pairs": metrics["n_test_pairs"],
        "models": {
            name: {k: values.get(k) for k in ("load_mae_kg", "reps_mae", "precision_at_5")}
            for name, values in metrics["models"].items()
        },
        "graphsage_vs_repeat_last": metrics.get("graphsage_vs_repeat_last"),
        "recommendations": int(len(evaluation.recommendations)),
        # what the lifters are told (the lifter's point): decisions, and how it fared on test
        "recommended_decisions": {str(k): int(v) for k, v in evaluation.recommendations["decision"].value_counts().items()}
        if len(evaluation.recommendations) else {},
        "lifter_point_on_test": {k: v for k, v in metrics.get("prescriptions", {}).get("graphsage@lifter", {}).items()
                                 if k in ("share_met", "mean_e1rm_increase_pct", "share_asked_progress")},
        "outputs": outputs,
    }
