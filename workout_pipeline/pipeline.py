"""The one pipeline: step functions in the order of the asset graph, Dagster-free.

Each Dagster asset (`workout_pipeline.defs.assets`) is a few lines around one of these steps, and
each CLI command calls the same steps, so both paths give identical results on identical inputs.
`docs/architecture.md` has the step table.

    catalog → checked sets → combined sets → features → training graph → models
            → evaluation → recommendations → programs → reports
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workout_pipeline.device import resolve_device
from workout_pipeline.settings import Settings, SolverSettings, TrainingSettings


def load_exercise_catalog(settings: Settings):
    """Step 1: the configured catalog (`Settings.catalog_path`, else the built-in one) as a typed `Catalog`."""
    from workout_pipeline.catalog import load_catalog

    return load_catalog(settings.catalog_path)


def name_resolver(catalog, settings: Settings):
    """The resolver every ingest path uses: names resolve against the configured catalog."""
    from workout_pipeline.catalog.crosswalk import build_resolver

    return build_resolver(catalog, settings.aliases_path)


def check_parsed_sets(sets, rejected, resolver):
    """Step 2 (per export): Great Expectations validation, then name resolution (`CheckedSets`)."""
    from workout_pipeline.ingest import validate_and_resolve

    return validate_and_resolve(sets, rejected, resolver)


def combine_validated_sets(validated_sets):
    """Step 3: every athlete's validated sets as the CLI's store keeps them: rows come oldest file
    first, each file (a run of rows with one athlete and `source_file`) is the truth for its
    athlete and time span (`ingest.store.run_spans`: a set a newer export deleted is gone), and a
    set exported twice is kept once (the later file's row; the identity is athlete, session
    start, exercise, set index)."""
    import numpy as np

    from workout_pipeline.ingest.store import run_spans
    from workout_pipeline.schema import SET_IDENTITY, empty_canonical_frame

    if validated_sets is None or validated_sets.empty:
        return validated_sets
    file_key = validated_sets["athlete_id"].astype("string").fillna("") + "\0" + validated_sets["source_file"].astype("string").fillna("")
    starts = np.flatnonzero((file_key != file_key.shift()).fillna(True).to_numpy(dtype=bool))
    ends = np.append(starts[1:], len(validated_sets))
    files = [(slice(int(a), int(b)), slice(0, 0)) for a, b in zip(starts, ends)]
    _, superseded, _ = run_spans(validated_sets, empty_canonical_frame(with_reason=True), files)
    kept = validated_sets[~superseded] if superseded.any() else validated_sets
    return kept.drop_duplicates(subset=list(SET_IDENTITY), keep="last").reset_index(drop=True)


def exercise_features(sets, catalog, units=None):
    """Step 4: one row per exercise occurrence, features from the past only; `units` (athlete ->
    kg or lb, `units_by_athlete`) sets the plates a lifter's default load steps come in."""
    from workout_pipeline.model import build_features

    return build_features(sets, catalog, units)


def training_graph(features, training: TrainingSettings):
    """Step 5: the PyG graph with its chronological split, and the leakage problems found (none expected)."""
    from workout_pipeline.model import build_training_graph, check_no_leakage

    graph = build_training_graph(features, test_fraction=training.test_fraction)
    return graph, list(check_no_leakage(graph))


def train_progression_models(graph, training: TrainingSettings, device: str, progress=None):
    """Step 6: GraphSAGE and the learned baselines, trained on the training period only."""
    from workout_pipeline.model import train_models

    kwargs: dict[str, Any] = {"seed": training.seed, "device": device, "epochs": training.epochs, "threads": training.threads}
    if progress is not None:
        kwargs["progress"] = progress
    return train_models(graph, **kwargs)


def evaluate_progression(graph, trained):
    """Step 7: held-out metrics of every model and baseline, and the per-pair predictions."""
    from workout_pipeline.model import evaluate_models

    return evaluate_models(graph, trained)


def progression_recommendations(features, trained, training: TrainingSettings, units=None):
    """Step 8: next-session prescriptions per athlete and lift, from the split-trained models;
    `units` (athlete -> kg or lb, `units_by_athlete`) is the unit each lifter reads the reasons in."""
    from workout_pipeline.model import recommend

    return recommend(features, trained=trained, seed=training.seed, units=units)


def units_by_athlete(file_units) -> dict[str, str]:
    """Every athlete's unit from the per-export evidence (`ingest.file_lifter_unit` documents, by
    file, or one document), with the store's rule (`ingest.lifter_units`: the latest export's,
    stated over inferred)."""
    from workout_pipeline.ingest.pipeline import lifter_units

    documents = [file_units] if isinstance(file_units, dict) and "athlete_id" in file_units else (
        list(file_units.values()) if isinstance(file_units, dict) else list(file_units or []))
    table = lifter_units(doc for doc in documents if doc and doc.get("athlete_id"))
    return dict(zip(table["athlete_id"].astype(str), table["unit"].astype(str)))


def rows_for_athlete(frame, athlete_id: str):
    """Rows of one athlete (a frame without `athlete_id` is shared by everyone)."""
    if frame is None or "athlete_id" not in frame.columns:
        return frame
    return frame[frame["athlete_id"] == athlete_id].reset_index(drop=True)


def athlete_unit(file_units, athlete_id: str) -> str | None:
    """One lifter's unit from the per-export evidence (`units_by_athlete`), None when unknown."""
    return units_by_athlete(file_units).get(str(athlete_id))


def weekly_program(catalog, constraints, sets, recommendations, athlete_id: str | None, solver: SolverSettings, **options):
    """Step 9: next week's program for one athlete (`ProgramResult`)."""
    from workout_pipeline.program import solve_program

    return solve_program(
        catalog,
        constraints,
        history=rows_for_athlete(sets, athlete_id) if athlete_id else sets,
        recommendations=rows_for_athlete(recommendations, athlete_id) if athlete_id else recommendations,
        athlete_id=athlete_id,
        time_limit_s=solver.time_limit_s,
        gap=solver.gap,
        **options,
    )


@dataclass
class Evaluation:
    """What `evaluate_sets` produced (the model group's artifacts).

    Attributes:
        sets: Combined validated sets.
        features: Occurrence features.
        graph: The training graph.
        trained: Trained models.
        metrics: Held-out metrics.
        predictions: One row per test pair.
        recommendations: Next-session prescriptions.
    """

    sets: Any
    features: Any
    graph: Any
    trained: Any
    metrics: dict
    predictions: Any
    recommendations: Any


def evaluate_sets(validated_sets, catalog, training: TrainingSettings, device: str = "auto", progress=None,
                  units=None) -> Evaluation:
    """Steps 3-8 in order: what the model group of the asset graph computes, as one call."""
    from workout_pipeline.errors import InputError

    sets = combine_validated_sets(validated_sets)
    if sets is None or sets.empty:
        raise InputError("no valid sets in the given logs: nothing to evaluate")
    features = exercise_features(sets, catalog, units)
    graph, problems = training_graph(features, training)
    if problems:
        raise RuntimeError("leakage check failed: " + "; ".join(problems))
    if not (graph.pairs["split"] == 2).any():
        raise InputError("no test pairs: each athlete needs a lift logged twice within 28 days in their last 20% of training days")
    trained = train_progression_models(graph, training, resolve_device(device), progress=progress)
    metrics, predictions = evaluate_progression(graph, trained)
    recommendations = progression_recommendations(features, trained, training, units)
    return Evaluation(sets, features, graph, trained, metrics, predictions, recommendations)


def write_evaluation(evaluation: Evaluation, out_dir: str | Path) -> dict[str, Any]:
    """Write metrics.json, predictions.parquet, recommendations.parquet and the plots into `out_dir`,
    all or none (`atomic.atomic_outputs`): every file is staged first and they are renamed into
    place together, metrics.json (the run's record, listing the others) last.

    Returns:
        {"predictions": path, "recommendations": path, "metrics": path, "plots": [paths]}.
    """
    from workout_pipeline.atomic import atomic_outputs
    from workout_pipeline.model import plot_e1rm_history, plot_embeddings, plot_predictions

    out = Path(out_dir)
    # e1rm_history_*.png: also clears temporaries killed runs left for athletes not in this run
    with atomic_outputs(out, record="metrics.json", stale=("e1rm_history_*.png",)) as batch:
        predictions = batch.write_parquet("predictions.parquet", evaluation.predictions)
        recommendations = batch.write_parquet("recommendations.parquet", evaluation.recommendations)
        plot_predictions(evaluation.predictions, batch.path("predicted_vs_actual.png"))
        plot_embeddings(evaluation.graph, evaluation.trained, batch.path("embeddings.png"))
        plots = [batch.target("predicted_vs_actual.png"), batch.target("embeddings.png")]
        for athlete in sorted(evaluation.recommendations["athlete_id"].astype(str).unique()):
            name = f"e1rm_history_{_file_safe(athlete)}.png"
            plot_e1rm_history(evaluation.features, evaluation.recommendations, athlete, batch.path(name))
            plots.append(batch.target(name))
        paths = {"predictions": str(predictions), "recommendations": str(recommendations), "plots": [str(p) for p in plots]}
        metrics = batch.write_json("metrics.json", {**evaluation.metrics, "outputs": paths})
    return {**paths, "metrics": str(metrics)}


def _file_safe(name: str) -> str:
    """A name usable as one path component: letters (any script), digits, '-', '_' kept; a short
    hash keeps two names that differ only in other characters apart."""
    import hashlib

    kept = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80] or "athlete"
    return kept if kept == name else f"{kept}-{hashlib.sha1(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
