"""Model group: features → training graph → GraphSAGE + baselines → evaluation → recommendations."""

from typing import Any

import dagster as dg

from workout_pipeline.atomic import write_parquet_atomic
from workout_pipeline.defs.automation import ANY_FILE_UPDATED, EAGER_UNLESS_BLOCKED
from workout_pipeline.defs.io_managers import LOAD_FN_KEY, SAVE_FN_KEY
from workout_pipeline.defs.metadata import counts_markdown, markdown_table, plain, png_markdown
from workout_pipeline.defs.resources import DeviceResource, PipelinePaths
from workout_pipeline.settings import TrainingSettings


# Scale-out: on Kubernetes (k8s_job_executor) only the training step's pod requests a GPU; on
# Celery the step goes to the `gpu` queue. Other executors ignore these tags.
TRAINING_OP_TAGS = {
    "dagster-k8s/config": {
        "container_config": {
            "resources": {
                "requests": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"},
                "limits": {"memory": "8Gi", "nvidia.com/gpu": "1"},
            }
        }
    },
    "dagster-celery/queue": "gpu",
}


class GraphConfig(dg.Config):
    """Chronological split of the training graph.

    Attributes:
        test_fraction: Share of each athlete's last training days held out for evaluation.
    """

    test_fraction: float = TrainingSettings.test_fraction

    def training(self) -> TrainingSettings:
        return TrainingSettings(test_fraction=self.test_fraction)


class TrainingConfig(dg.Config):
    """Training run settings.

    Attributes:
        seed: Random seed (models and recommendation sampling).
        epochs: Training epochs; None uses the model module's default.
    """

    seed: int = TrainingSettings.seed
    epochs: int | None = TrainingSettings.epochs

    def training(self) -> TrainingSettings:
        return TrainingSettings(seed=self.seed, epochs=self.epochs)


@dg.asset(
    group_name="model",
    kinds={"pandas", "parquet"},
    io_manager_key="parquet_io_manager",
    automation_condition=ANY_FILE_UPDATED,
    ins={"lifter_units": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
)
def exercise_features(context: dg.AssetExecutionContext, validated_sets, exercise_catalog, lifter_units):
    """One row per athlete × session × exercise occurrence, with features from past data only.

    Every inbox file's sets, combined (a set exported twice counts once): `pipeline.combine_validated_sets`.
    """
    from workout_pipeline import pipeline
    from workout_pipeline.schema import resolution_summary

    sets = pipeline.combine_validated_sets(validated_sets)
    if sets.empty:
        raise dg.Failure(description="no validated sets yet: drop an export into the inbox first")
    features = pipeline.exercise_features(sets, exercise_catalog, pipeline.units_by_athlete(lifter_units))
    _, unresolved = resolution_summary(sets)
    metadata: dict[str, Any] = {
        "rows": int(len(features)),
        "validated_sets": int(len(sets)),
        "duplicate_sets_collapsed": int(len(validated_sets) - len(sets)),
        "athletes": int(sets["athlete_id"].nunique()),
        "unresolved_exercise_names": counts_markdown(unresolved, "exercise_raw", "sets")
        if len(unresolved) else dg.MetadataValue.md("_(all resolved)_"),
    }
    return dg.Output(features, metadata=metadata)


def _graph_summary(graph: Any) -> dict[str, Any]:
    """Node, edge and pair counts of a training graph, for the UI."""
    from workout_pipeline.model.graph import SPLIT_NAMES

    summary: dict[str, Any] = {
        "nodes": int(graph.x.shape[0]),
        "node_features": int(graph.x.shape[1]),
        "edges": int(graph.edge_index.shape[1]),
    }
    for split, count in graph.pairs["split"].value_counts().items():
        summary[f"{SPLIT_NAMES[int(split)]}_pairs"] = int(count)
    return summary


@dg.asset(
    group_name="model",
    kinds={"pytorch"},
    io_manager_key="torch_io_manager",
    metadata={
        SAVE_FN_KEY: "workout_pipeline.model:save_training_graph",
        LOAD_FN_KEY: "workout_pipeline.model:load_training_graph",
    },
    automation_condition=EAGER_UNLESS_BLOCKED,
    check_specs=[
        dg.AssetCheckSpec(
            "no_leakage",
            asset="training_graph",
            blocking=True,
            description="No feature, edge or statistic of a training node comes from a test target session or later.",
        )
    ],
)
def training_graph(context: dg.AssetExecutionContext, config: GraphConfig, exercise_features):
    """The PyG graph of occurrences (nodes) and progression edges, with a chronological split."""
    from workout_pipeline import pipeline

    graph, problems = pipeline.training_graph(exercise_features, config.training())
    yield dg.Output(graph, metadata={**_graph_summary(graph), "test_fraction": float(config.test_fraction)})
    yield dg.AssetCheckResult(
        check_name="no_leakage",
        passed=not problems,
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:20]) or "_(none)_")},
    )


@dg.asset(
    group_name="model",
    kinds={"pytorch"},
    io_manager_key="torch_io_manager",
    pool="gpu",
    op_tags=TRAINING_OP_TAGS,
    metadata={
        SAVE_FN_KEY: "workout_pipeline.model:save_models",
        LOAD_FN_KEY: "workout_pipeline.model:load_models",
    },
    automation_condition=EAGER_UNLESS_BLOCKED,
)
def progression_models(
    context: dg.AssetExecutionContext, config: TrainingConfig, device: DeviceResource, training_graph
):
    """GraphSAGE progression model plus the MLP and GCN baselines, trained on the training split.

    Runs in the `gpu` concurrency pool (limit 1) so two runs never train on one GPU at once.
    """
    from workout_pipeline import pipeline

    resolved = device.resolve()
    context.log.info(f"training on {resolved}")
    trained = pipeline.train_progression_models(training_graph, config.training(), resolved, progress=context.log.info)
    return dg.Output(trained, metadata={"device": resolved, "seed": int(config.seed), "epochs": plain(config.epochs) or "default"})


def metrics_rows(metrics: dict) -> list[dict[str, Any]]:
    """One row of scalar metrics per model from `metrics["models"]` (see `evaluate_models`)."""
    rows = []
    for model, values in metrics["models"].items():
        flat = {k: plain(v) for k, v in values.items() if not isinstance(v, (dict, list))}
        rows.append({"model": model, **flat})
    return rows


@dg.asset(
    group_name="model",
    kinds={"pytorch", "pandas"},
    io_manager_key="json_io_manager",
    automation_condition=EAGER_UNLESS_BLOCKED,
)
def model_evaluation(
    context: dg.AssetExecutionContext, paths: PipelinePaths, training_graph, progression_models
) -> dict:
    """Held-out metrics (MAE/RMSE of weight and reps, Precision@3/5) of GraphSAGE and every baseline.

    The per-pair predictions are written beside it as Parquet; plots appear in the metadata.
    """
    from workout_pipeline import pipeline
    from workout_pipeline.model import plot_embeddings, plot_predictions

    metrics, predictions = pipeline.evaluate_progression(training_graph, progression_models)
    out_dir = paths.storage("model")
    predictions_path = write_parquet_atomic(predictions, out_dir / "predictions.parquet")
    plot_path = plot_predictions(predictions, out_dir / "predictions.png")
    embeddings_path = plot_embeddings(training_graph, progression_models, out_dir / "embeddings.png")
    metadata: dict[str, Any] = {
        "metrics": dg.MetadataValue.md(markdown_table(metrics_rows(metrics))),
        "test_pairs": int(len(predictions)),
        "predictions_path": dg.MetadataValue.path(str(predictions_path)),
        "predictions_plot": png_markdown(plot_path, "predicted vs actual top-set weight"),
        "embeddings_plot": png_markdown(embeddings_path, "GraphSAGE exercise embeddings"),
    }
    context.add_output_metadata(metadata)
    return metrics


@dg.asset(
    group_name="model",
    kinds={"pandas", "parquet"},
    io_manager_key="parquet_io_manager",
    automation_condition=EAGER_UNLESS_BLOCKED,
    ins={"lifter_units": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
)
def progression_recommendations(
    context: dg.AssetExecutionContext, config: TrainingConfig, exercise_features, progression_models, lifter_units
):
    """Next-session load, reps and rest per athlete and exercise, from the split-trained models;
    each reason in the lifter's own unit."""
    from workout_pipeline import pipeline

    recommendations = pipeline.progression_recommendations(exercise_features, progression_models, config.training(),
                                                           units=pipeline.units_by_athlete(lifter_units))
    metadata: dict[str, Any] = {"rows": int(len(recommendations))}
    if "athlete_id" in recommendations.columns:
        metadata["athletes"] = int(recommendations["athlete_id"].nunique())
    if "decision" in recommendations.columns:  # what the lifters are told: add_load, add_rep, hold, back_off, deload
        metadata.update({f"decision_{k}": int(v) for k, v in recommendations["decision"].value_counts().sort_index().items()})
    metadata["preview"] = dg.MetadataValue.md(markdown_table(recommendations.head(15).to_dict("records")))
    return dg.Output(recommendations, metadata=metadata)
