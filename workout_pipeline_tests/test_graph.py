"""The training graph: causal edges, the leakage check, save/load."""

import pytest
import torch

from workout_pipeline.errors import InputError
from workout_pipeline.model import (
    build_features,
    build_training_graph,
    check_no_leakage,
    load_training_graph,
    save_training_graph,
)
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets


@pytest.fixture(scope="module")
def graph():
    return build_training_graph(build_features(synthetic_sets(), catalog_frame()))


def test_every_edge_runs_from_the_past_or_the_same_session(graph):
    src_time = graph.node_time[graph.edge_index[0]]
    dst_time = graph.node_time[graph.edge_index[1]]
    assert graph.edge_index.shape[1] > 0
    assert bool((src_time <= dst_time).all())
    # all three relations are present, and muscle edges are strictly from earlier sessions
    assert set(graph.edge_type.tolist()) == {0, 1, 2}
    muscle = graph.edge_type == 2
    assert bool((src_time[muscle] < dst_time[muscle]).all())
    assert check_no_leakage(graph) == []


def test_pairs_follow_the_protocol(graph):
    pairs = graph.pairs
    gap = (pairs["target_date"] - pairs["prev_date"]).dt.days
    assert (gap <= 28).all() and (gap > 0).all()
    assert (pairs["prev_weight_kg"] > 0).all() and (pairs["y_weight_kg"] > 0).all()
    nodes = graph.nodes
    assert (nodes.loc[pairs["src"], "exercise_key"].to_numpy() == nodes.loc[pairs["dst"], "exercise_key"].to_numpy()).all()


def test_leakage_check_catches_a_future_edge(graph):
    later = int(torch.argmax(graph.node_time))
    earlier = int(torch.argmin(graph.node_time))
    graph.edge_index = torch.cat([graph.edge_index, torch.tensor([[later], [earlier]])], dim=1)
    graph.edge_type = torch.cat([graph.edge_type, torch.tensor([0])])
    try:
        assert any("later node to an earlier" in p for p in check_no_leakage(graph))
    finally:
        graph.edge_index = graph.edge_index[:, :-1]
        graph.edge_type = graph.edge_type[:-1]


def test_leakage_check_catches_statistics_fitted_on_test_data():
    graph = build_training_graph(build_features(synthetic_sets(), catalog_frame()))
    graph.feature_mean = graph.x_raw.mean(dim=0)  # fitted on everything, test period included
    assert any("normalisation" in p for p in check_no_leakage(graph))


def test_save_and_load_round_trip(graph, tmp_path):
    path = tmp_path / "graph.pt"
    save_training_graph(graph, path)
    loaded = load_training_graph(path)
    assert torch.equal(loaded.x, graph.x) and torch.equal(loaded.edge_index, graph.edge_index)
    assert loaded.pairs["split"].tolist() == graph.pairs["split"].tolist()
    assert loaded.pairs["target_date"].tolist() == graph.pairs["target_date"].tolist()
    assert loaded.first_test_time == graph.first_test_time
    assert check_no_leakage(loaded) == []


def test_no_occurrences_is_an_input_error():
    with pytest.raises(InputError):
        build_training_graph(build_features(synthetic_sets().iloc[0:0], None))
