"""The seed ensemble, the probability gate in `decode`, and the training thread setting."""

import numpy as np
import pandas as pd
import pytest
import torch

from workout_pipeline.model import build_features, build_training_graph, load_models, save_models, train_models
from workout_pipeline.model.train import decode, default_threads, predict_pairs
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets

ENSEMBLE = {"graphsage": {"arch": "sage", "layers": 2, "aggr": "mean", "hidden": 8, "ensemble": 2}}


@pytest.fixture(scope="module")
def graph():
    return build_training_graph(build_features(synthetic_sets(), catalog_frame()))


def test_ensemble_output_is_the_mean_of_its_members():
    from workout_pipeline.model.nets import SeedEnsemble, build_network

    torch.manual_seed(0)
    net = build_network({"arch": "sage", "hidden": 8, "ensemble": 3}, in_channels=5, num_relations=2).eval()
    assert isinstance(net, SeedEnsemble) and len(net.members) == 3
    x = torch.randn(4, 5)
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    edge_type = torch.tensor([0, 1, 0])
    members = net.member_outputs(x, edge_index, edge_type)
    assert not torch.allclose(members[0], members[1])  # independently initialised
    assert torch.allclose(net(x, edge_index, edge_type), torch.stack(members).mean(dim=0))
    assert net.embed(x, edge_index, edge_type).shape == (4, 8)


def test_ensemble_training_is_reproducible_and_survives_save_and_load(graph, tmp_path):
    first = train_models(graph, seed=3, device="cpu", epochs=6, models=ENSEMBLE, threads=1)
    again = train_models(graph, seed=3, device="cpu", epochs=6, models=ENSEMBLE, threads=1)
    for key, value in first.states["graphsage"].items():
        assert torch.equal(value, again.states["graphsage"][key]), key
    save_models(first, tmp_path / "m.pt")
    loaded = load_models(tmp_path / "m.pt")
    a = predict_pairs(first, "graphsage", graph)
    b = predict_pairs(loaded, "graphsage", graph)
    assert np.array_equal(a["weight_kg"], b["weight_kg"])


def test_the_blend_mixes_its_members_by_the_weight_validation_chose(graph, tmp_path):
    from workout_pipeline.model.graph import SPLIT_VALIDATION
    from workout_pipeline.model.train import _best_threshold, pair_outputs

    models = {**ENSEMBLE, "lightgbm": {"arch": "lgbm", "max_rounds": 20},
              "blend": {"arch": "blend", "members": ["graphsage", "lightgbm"], "weights": [0.0, 0.5, 1.0]}}
    trained = train_models(graph, seed=0, device="cpu", epochs=6, models=models, threads=1, progress=None)
    weight = trained.states["blend"]["weight"]
    rows = np.arange(len(graph.pairs))
    sage, boost = pair_outputs(trained, "graphsage", graph, rows), pair_outputs(trained, "lightgbm", graph, rows)
    blended = pair_outputs(trained, "blend", graph, rows)
    assert np.allclose(blended[:, :5], weight * sage[:, :5] + (1 - weight) * boost[:, :5])
    # the chosen weight scores best on the validation slice
    val = np.flatnonzero(graph.pairs["split"].to_numpy() == SPLIT_VALIDATION)
    scores = {w: _best_threshold(w * sage[val] + (1 - w) * boost[val], graph.pairs.iloc[val])[0] for w in (0.0, 0.5, 1.0)}
    assert scores[weight] == min(scores.values())
    save_models(trained, tmp_path / "m.pt")
    loaded = load_models(tmp_path / "m.pt")
    assert np.array_equal(predict_pairs(loaded, "blend", graph)["rx_weight_kg"], predict_pairs(trained, "blend", graph)["rx_weight_kg"])
    with pytest.raises(ValueError, match="trained first"):
        train_models(graph, seed=0, device="cpu", epochs=2, models={"blend": models["blend"]}, threads=1, progress=None)


def test_training_restores_the_callers_thread_setting(graph):
    before = torch.get_num_threads()
    train_models(graph, seed=0, device="cpu", epochs=2, models=ENSEMBLE, threads=1)
    assert torch.get_num_threads() == before
    assert 1 <= default_threads() <= 4


def test_decode_changes_load_only_where_the_gate_is_sure_enough():
    pairs = pd.DataFrame(
        {
            "athlete_id": ["a", "a", "b"],
            "prev_weight_kg": [100.0, 100.0, 50.0],
            "prev_reps": [5.0, 5.0, 8.0],
            "prev_rest_s": [np.nan] * 3,
            "scale_kg": [120.0, 120.0, 60.0],
            "load_step_kg": [2.5, 2.5, 0.0],  # 0 = unknown step -> 2.5 kg
        }
    )
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    # pair 0: sure (0.9) of a +6 kg change -> +2 steps; pair 1: unsure (0.55); pair 2: sure, -1 kg -> -1 step
    outputs = np.array([[logit(0.9), 6 / 120, 0, 0, 0], [logit(0.55), 6 / 120, 0, 0, 0], [logit(0.8), -1 / 60, 0, 0, 0]])
    weights = decode(outputs, pairs, {"a": 0.6, "b": 0.7})["weight_kg"]
    assert weights.tolist() == [105.0, 100.0, 47.5]
    assert decode(outputs, pairs, float("inf"))["weight_kg"].tolist() == [100.0, 100.0, 50.0]
