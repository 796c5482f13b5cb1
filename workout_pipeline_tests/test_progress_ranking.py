"""The ranking score (which lifts of a session progress): readiness features and the ranking booster."""

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.model import build_features, build_training_graph, train_models
from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN
from workout_pipeline.model.metrics import progressed
from workout_pipeline.model.progress import progress_labels, progress_logits
from workout_pipeline.model.readiness import READINESS_COLUMNS, node_readiness
from workout_pipeline.model.train import pair_outputs
from workout_pipeline_tests.test_model_data import catalog_frame, sets_frame, synthetic_sets

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _lift_sessions(sessions: list[list[tuple[float, int]]]) -> pd.DataFrame:
    """One lift (bench press) over sessions a week apart; each session a list of (kg, reps) sets."""
    rows = []
    for s, sets in enumerate(sessions):
        for i, (weight, reps) in enumerate(sets):
            rows.append({"session_id": f"s{s}", "performed_at": pd.Timestamp("2024-01-01 18:00") + pd.Timedelta(days=7 * s),
                         "exercise_raw": "Bench Press (Barbell)", "exercise_id": "bench_press_barbell",
                         "set_index": i, "weight_kg": weight, "reps": reps})
    return sets_frame(rows)


def _readiness(sets: pd.DataFrame) -> pd.DataFrame:
    graph = build_training_graph(build_features(sets, catalog_frame()), test_fraction=0.0)
    order = np.argsort(graph.nodes["node_time"].to_numpy(), kind="stable")
    return pd.DataFrame(node_readiness(graph.nodes)[order], columns=READINESS_COLUMNS)


def test_readiness_reads_the_lifts_history_and_the_occurrences_sets():
    # 100x5 -> 100x6 (progress) -> 102.5x4 (progress by DESIGN.md, not strict) -> 95x8 (down) -> 95x8
    ready = _readiness(_lift_sessions([
        [(100, 5), (100, 5), (90, 8)],
        [(100, 6), (100, 5), (100, 5)],
        [(102.5, 4)],
        [(95, 8), (95, 6)],
        [(95, 8), (95, 8), (95, 8)],
    ]))
    assert ready["progressed_last"].tolist() == [0, 1, 1, 0, 0]
    assert ready["down_last"].tolist() == [0, 0, 0, 1, 0]
    assert ready["progress_rate8"].tolist() == pytest.approx([0.5, 1.0, 1.0, 2 / 3, 0.5])
    assert ready["progress_rate8_strict"].tolist() == pytest.approx([0.5, 1.0, 0.5, 1 / 3, 0.25])
    assert ready["since_progress"].tolist() == [1, 0, 0, 1, 2]
    assert ready["since_up"].tolist() == [1, 2, 0, 1, 2]
    # the light day sits below the recent heaviest: (102.5 - 95) / best e1RM (95 x 8's, by then)
    best = 95 * (1 + 8 / 30)
    assert ready["below_max8_rel"].iloc[3] == pytest.approx(7.5 / best, rel=1e-5)
    # sets: 2 of 3 at the top weight, a 10 kg pyramid, 3 more reps on the lighter set
    assert ready["top_set_share"].iloc[0] == pytest.approx(2 / 3)
    assert ready["pyramid_rel"].iloc[0] == pytest.approx(10 / (100 * (1 + 5 / 30)), rel=1e-5)
    assert ready["max_reps_minus_top"].iloc[0] == 3
    assert ready["top_reps_minus_min"].tolist() == [0, 1, 0, 2, 0]


def test_readiness_of_a_node_never_reads_later_sessions():
    sets = synthetic_sets()
    graph = build_training_graph(build_features(sets, catalog_frame()))
    cut = graph.nodes["date"].sort_values().iloc[len(graph.nodes) // 2]
    perturbed = sets.copy()
    future = perturbed["performed_at"] >= cut
    perturbed.loc[future, "weight_kg"] = perturbed.loc[future, "weight_kg"] * 1.5 + 10
    perturbed.loc[future, "reps"] = perturbed.loc[future, "reps"] + 3
    other = build_training_graph(build_features(perturbed, catalog_frame()))
    before = (graph.nodes["date"] < cut).to_numpy()
    assert before.any() and (~before).any()
    assert np.array_equal(node_readiness(graph.nodes)[before], node_readiness(other.nodes)[before])
    assert not np.array_equal(node_readiness(graph.nodes)[~before], node_readiness(other.nodes)[~before])


def test_the_ranking_score_is_a_booster_on_the_protocols_progress_label():
    sets = synthetic_sets(n_athletes=3, sessions=40)
    graph = build_training_graph(build_features(sets, catalog_frame()))
    models = {"graphsage": {"arch": "sage", "hidden": 16}, "lightgbm": {"arch": "lgbm", "max_rounds": 60}}
    trained = train_models(graph, seed=0, device="cpu", epochs=10, models=models, progress=None)
    pairs = graph.pairs
    src = pairs["src"].to_numpy()
    for name in models:
        out = pair_outputs(trained, name, graph)
        booster = trained.progress_boosters.pop(name)
        own = pair_outputs(trained, name, graph)[:, 4]  # the model's own progress head (networks)
        trained.progress_boosters[name] = booster
        assert booster and not np.allclose(out[:, 4], own)
        assert np.allclose(out[:, 4], progress_logits(trained, name, graph, src, graph.pair_x.numpy(), own))
        # in these logs a lift that reached 12 reps goes up a step with 8 reps: progress by DESIGN.md's
        # label only; the score learnt from the training pairs ranks those first on the test pairs
        test = (pairs["split"] == SPLIT_TEST).to_numpy()
        at_top = (pairs["prev_reps"] >= 12).to_numpy()
        assert (at_top & test).any() and (~at_top & test).any()
        assert out[at_top & test, 4].min() > np.median(out[~at_top & test, 4]), name
    strict = progressed(pairs["prev_weight_kg"], pairs["prev_reps"], pairs["y_weight_kg"], pairs["y_reps"], label="strict")
    assert not strict[at_top & (pairs["split"] == SPLIT_TRAIN).to_numpy()].any()  # the strict label would call them failures
    # DESIGN.md's label: more weight at any reps (100x8 -> 102.5x5 counts), or same weight more reps
    pairs = pd.DataFrame({"prev_weight_kg": [100, 100, 100, 100], "prev_reps": [8, 8, 8, 8],
                          "y_weight_kg": [102.5, 100, 100, 97.5], "y_reps": [5, 9, 8, 12]})
    assert progress_labels(pairs).tolist() == [1, 1, 0, 0]
