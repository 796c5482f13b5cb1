"""The per-athlete chronological split (DESIGN.md evaluation protocol)."""

import numpy as np
import pandas as pd

from workout_pipeline.model import build_features, build_training_graph
from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets


def test_no_training_target_on_or_after_the_first_test_date_per_athlete():
    graph = build_training_graph(build_features(synthetic_sets(n_athletes=3, seed=1), catalog_frame()))
    pairs = graph.pairs
    assert set(pairs["split"]) == {SPLIT_TRAIN, SPLIT_VALIDATION, SPLIT_TEST}
    for athlete, group in pairs.groupby("athlete_id"):
        test = group[group["split"] == SPLIT_TEST]
        training = group[group["split"] != SPLIT_TEST]
        first_test = test["target_date"].min()
        assert pd.Timestamp(graph.first_test_time[athlete], unit="s") == first_test.normalize()
        assert training["target_date"].max() < first_test.normalize()
        # validation is the end of the training period, after every training pair's target
        val = group[group["split"] == SPLIT_VALIDATION]
        assert val["target_date"].min() > group[group["split"] == SPLIT_TRAIN]["target_date"].max()


def test_test_share_is_the_last_fifth_of_training_days():
    feats = build_features(synthetic_sets(n_athletes=1, sessions=20), catalog_frame())
    graph = build_training_graph(feats, test_fraction=0.2)
    days = np.sort(feats["date"].dt.normalize().unique())
    assert pd.Timestamp(graph.first_test_time["ath0"], unit="s") == pd.Timestamp(days[-4])  # ceil(20 * 0.2) = 4
    test_days = graph.pairs.loc[graph.pairs["split"] == SPLIT_TEST, "target_date"].dt.normalize().unique()
    assert len(test_days) == 4


def test_zero_test_fraction_keeps_every_pair_for_training():
    graph = build_training_graph(build_features(synthetic_sets(n_athletes=1), catalog_frame()), test_fraction=0.0)
    assert (graph.pairs["split"] != SPLIT_TEST).all()
    assert graph.first_test_time == {}
