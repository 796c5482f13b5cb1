"""The load heads' recency weights and the per-athlete gate's evidence rule."""

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.model import build_features, build_training_graph, train_models
from workout_pipeline.model.graph import SPLIT_TRAIN
from workout_pipeline.model.train import MIN_CHANGED_PAIRS, _best_threshold, _clear_gain, recency_weights
from workout_pipeline_tests.test_model import _one_torch_thread  # noqa: F401 - autouse: one torch thread
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets


def _pairs(athletes, dates, y=None):
    return pd.DataFrame({
        "athlete_id": athletes,
        "target_date": pd.to_datetime(dates),
        "y_weight_kg": y if y is not None else np.full(len(dates), 100.0),
    })


def test_recency_weights_halve_per_half_life_before_each_athletes_latest_target():
    pairs = _pairs(["a", "a", "a", "b", "b"], ["2024-01-01", "2024-04-10", "2024-07-19", "2023-01-01", "2023-01-01"])
    weights = recency_weights(pairs, half_life_days=100.0)
    assert weights.mean() == pytest.approx(1.0)
    # athlete a: 0, 100 and 200 days before its latest target; athlete b: both at its latest
    assert weights[1] / weights[0] == pytest.approx(2.0)
    assert weights[2] / weights[1] == pytest.approx(2.0)
    assert weights[3] == weights[4] == pytest.approx(weights[2])  # each athlete has its own latest day
    assert np.array_equal(recency_weights(pairs, 0.0), np.ones(5))
    # the pairs' results are not read: only their dates
    moved = pairs.assign(y_weight_kg=[1.0, 500.0, 3.0, 7.0, 9.0])
    assert np.array_equal(recency_weights(moved, 100.0), weights)


def test_recency_weighted_training_changes_the_model_but_not_by_the_targets_of_later_sessions():
    sets = synthetic_sets()
    graph = build_training_graph(build_features(sets, catalog_frame()))
    plain = {"graphsage": {"arch": "sage", "hidden": 8}, "lightgbm": {"arch": "lgbm", "max_rounds": 30}}
    recent = {name: {**config, "recency_half_life_days": 5.0} for name, config in plain.items()}
    a = train_models(graph, seed=0, device="cpu", epochs=60, models=plain, progress=None)
    b = train_models(graph, seed=0, device="cpu", epochs=60, models=recent, progress=None)
    # the weights reach both the network's loss and the boosters
    assert any(not bool((a.states["graphsage"][k] == b.states["graphsage"][k]).all()) for k in a.states["graphsage"])
    assert a.states["lightgbm"]["load"] != b.states["lightgbm"]["load"]
    again = train_models(graph, seed=0, device="cpu", epochs=60, models=recent, progress=None)
    assert again.states["lightgbm"] == b.states["lightgbm"]
    fit = graph.pairs["split"].to_numpy() == SPLIT_TRAIN
    weights = recency_weights(graph.pairs[fit], 5.0)
    assert weights.max() > 10 * weights.min()  # 5-day half-life over weeks of training: strongly recent


def test_the_gate_opens_only_on_a_clear_gain_from_several_changed_loads():
    rng = np.random.default_rng(0)
    never = rng.uniform(1.0, 3.0, 60)
    # a steady 20% gain from changing 30 loads: clear
    assert _clear_gain(never, never * 0.8, n_changed=30)
    # 3% better on average: below MIN_VALIDATION_GAIN
    assert not _clear_gain(never, never * 0.97, n_changed=30)
    # a big gain read off one or two changed loads is luck, however large
    assert not _clear_gain(never, never * 0.5, n_changed=MIN_CHANGED_PAIRS - 1)
    assert _clear_gain(never, never * 0.5, n_changed=MIN_CHANGED_PAIRS)
    assert not _clear_gain(np.array([]), np.array([]), n_changed=5)


def test_best_threshold_keeps_repeat_last_for_an_athlete_whose_gain_is_one_lucky_pair():
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    n_many, n_few = 40, 8
    athletes = ["many"] * n_many + ["few"] * n_few
    prev = np.full(n_many + n_few, 100.0)
    # the model is sure (0.9) of +1 step (2.5 kg) everywhere; "many" really went up on 36 of 40,
    # "few" on 1 of 8 (and held on the rest): changing helps "many" clearly, "few" only by luck
    y = prev.copy()
    y[:36] += 2.5
    y[n_many] += 10.0
    pairs = pd.DataFrame({
        "athlete_id": athletes, "prev_weight_kg": prev, "prev_reps": 5.0, "prev_rest_s": np.nan,
        "scale_kg": 120.0, "load_step_kg": 2.5, "y_weight_kg": y, "y_reps": 5.0,
    })
    outputs = np.zeros((len(prev), 5))
    outputs[:, 0] = logit(0.9)
    outputs[:, 1] = 2.5 / 120.0
    outputs[n_many:, 1] = np.where(np.arange(n_few) == 0, 2.5 / 120.0, 0.0)  # "few": +1 step on its first pair only
    _, chosen = _best_threshold(outputs, pairs)
    assert chosen["many"] <= 0.9
    assert chosen["few"] == float("inf")
