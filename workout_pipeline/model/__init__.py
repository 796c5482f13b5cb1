"""The progression model: occurrence features, the leakage-free graph, GraphSAGE and baselines.

Step API (the CLI `evaluate` and the Dagster assets call these same functions):

- ``build_features(validated_sets, catalog) -> DataFrame``
- ``build_training_graph(features, test_fraction=0.2) -> TrainingGraph``
  (``save_training_graph`` / ``load_training_graph``)
- ``train_models(graph, seed=0, device="auto", epochs=None, models=None, threads=None,
  progress=stderr_progress) -> TrainedModels`` (``save_models`` / ``load_models``); model
  settings are typed (``NetConfig``, ``BoostConfig``, ``BlendConfig``; ``DEFAULT_MODELS``)
- ``evaluate_models(graph, trained) -> (metrics, predictions)`` (predictions and prescriptions)
- ``recommend(features, trained=<the split-trained models>) -> DataFrame``
- ``plot_embeddings(graph, trained, path)``, ``plot_predictions(predictions, path)``,
  ``plot_e1rm_history(features, recommendations, athlete_id, path)`` -> PNG paths
- ``check_no_leakage(graph) -> list[str]``

Importing this package is cheap: torch and PyG load inside the functions that need them.
"""

from workout_pipeline.model.config import ABLATION_MODELS, DEFAULT_MODELS, BlendConfig, BoostConfig, NetConfig
from workout_pipeline.model.evaluate import evaluate_models
from workout_pipeline.model.features import build_features, node_feature_columns
from workout_pipeline.model.graph import (
    TrainingGraph,
    build_training_graph,
    check_no_leakage,
    load_training_graph,
    save_training_graph,
)
from workout_pipeline.model.plots import plot_e1rm_history, plot_embeddings, plot_predictions
from workout_pipeline.model.recommend import RECOMMENDATION_COLUMNS, recommend
from workout_pipeline.model.train import (
    TrainedModels,
    load_models,
    save_models,
    train_models,
)

__all__ = [
    "ABLATION_MODELS",
    "BlendConfig",
    "BoostConfig",
    "DEFAULT_MODELS",
    "NetConfig",
    "RECOMMENDATION_COLUMNS",
    "TrainedModels",
    "TrainingGraph",
    "build_features",
    "build_training_graph",
    "check_no_leakage",
    "evaluate_models",
    "load_models",
    "load_training_graph",
    "node_feature_columns",
    "plot_e1rm_history",
    "plot_embeddings",
    "plot_predictions",
    "recommend",
    "save_models",
    "save_training_graph",
    "train_models",
]
