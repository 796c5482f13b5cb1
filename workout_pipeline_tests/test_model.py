"""Networks, baselines, metrics, training, leakage by perturbation, evaluation, recommendations."""

import math

import re

import numpy as np
import pandas as pd
import pytest
import torch

from workout_pipeline.model import (
    RECOMMENDATION_COLUMNS,
    build_features,
    build_training_graph,
    evaluate_models,
    load_models,
    plot_e1rm_history,
    plot_embeddings,
    plot_predictions,
    recommend,
    save_models,
    train_models,
)
from workout_pipeline.model import prescribe
from workout_pipeline.model.baselines import double_progression, e1rm_trend, repeat_last
from workout_pipeline.model.graph import SPLIT_TEST
from workout_pipeline.model.metrics import mae, precision_at_k, progressed, rmse
from workout_pipeline.model.train import predict_pairs
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets

@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """pytest -n 2 runs two workers on two cores: one torch thread each avoids oversubscription."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


FAST = {"graphsage": {"arch": "sage", "layers": 2, "aggr": "mean", "hidden": 16}}
# every model family, small: the leakage test covers each (the booster on GraphSAGE embeddings too)
# (GraphSAGE and LightGBM with recency-weighted load heads, as the defaults train them)
EVERY = {"graphsage": {**FAST["graphsage"], "recency_half_life_days": 30.0}, "mlp": {"arch": "mlp", "hidden": 16},
         "lightgbm": {"arch": "lgbm", "max_rounds": 40, "recency_half_life_days": 30.0},
         "graphsage_lightgbm": {"arch": "lgbm", "max_rounds": 40, "embeddings_from": "graphsage"},
         "blend": {"arch": "blend", "members": ["graphsage", "lightgbm"]}}
# what a pair's prediction consists of: load, reps, progress score, the prescription
PREDICTED = ("weight_kg", "reps", "progress_probability", "rx_weight_kg", "rx_reps", "rx_probability", "rx_confidence",
             "rx_matched_weight_kg", "rx_matched_reps")


# ---- networks -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "config",
    [
        {"arch": "sage", "layers": 2, "aggr": "mean"},
        {"arch": "sage", "layers": 3, "aggr": "max"},
        {"arch": "sage", "layers": 1, "relational": False},
        {"arch": "gcn"},
        {"arch": "gat"},
        {"arch": "mlp"},
    ],
)
def test_each_network_maps_a_three_node_graph_to_four_outputs(config):
    from workout_pipeline.model.nets import OUTPUTS, build_network

    torch.manual_seed(0)
    net = build_network({**config, "hidden": 8}, in_channels=5, num_relations=3)
    x = torch.randn(3, 5)
    edge_index = torch.tensor([[0, 1, 0], [1, 2, 2]])
    edge_type = torch.tensor([0, 1, 2])
    out = net(x, edge_index, edge_type)
    assert out.shape == (3, OUTPUTS)
    assert torch.isfinite(out).all()
    out.sum().backward()  # trainable end to end


def test_graphsage_messages_flow_only_along_edges():
    from workout_pipeline.model.nets import GraphSAGE

    torch.manual_seed(0)
    net = GraphSAGE(4, 8, 4, num_layers=2, num_relations=1).eval()
    x = torch.randn(3, 4)
    edge_index = torch.tensor([[0, 1], [1, 2]])  # 0 -> 1 -> 2
    base = net(x, edge_index)
    changed = x.clone()
    changed[2] += 5.0  # node 2 sends nothing: nodes 0 and 1 must not move
    moved = net(changed, edge_index)
    assert torch.allclose(base[:2], moved[:2])
    assert not torch.allclose(base[2], moved[2])


# ---- metrics and baselines on hand-computed examples -----------------------------------------

def test_mae_and_rmse():
    assert mae([1, 2, 3], [1, 1, 1]) == pytest.approx(1.0)
    assert rmse([1, 2, 3], [1, 1, 1]) == pytest.approx(math.sqrt(5 / 3))
    assert math.isnan(mae([], []))


def test_progressed_means_more_weight_or_same_weight_more_reps():
    previous = ([100] * 5, [5] * 5)
    following = ([102.5, 102.5, 100, 100, 97.5], [5, 3, 6, 5, 12])
    assert progressed(*previous, *following).tolist() == [True, True, True, False, False]
    # the strict label does not count trading reps for load (102.5 x 3 after 100 x 5)
    assert progressed(*previous, *following, label="strict").tolist() == [True, False, True, False, False]
    with pytest.raises(ValueError):
        progressed(*previous, *following, label="e1rm")


def test_precision_at_k_per_athlete_session():
    day1, day2 = pd.Timestamp("2024-01-10 18:00"), pd.Timestamp("2024-01-12 18:00")
    frame = pd.DataFrame(
        {
            "athlete_id": ["a"] * 5,
            "target_date": [day1] * 4 + [day2],
            "exercise_raw": ["A", "B", "C", "D", "E"],
            "prev_weight_kg": [100.0] * 5,
            "prev_reps": [5] * 5,
            "pred": [105.0, 102.5, 100.0, 97.5, 110.0],
            # progressed: A yes, B no, C yes (same weight more reps), D no; E no
            "y_weight_kg": [102.5, 100.0, 100.0, 100.0, 100.0],
            "y_reps": [5, 5, 6, 5, 4],
        }
    )
    # day 1 top 3 = A, B, C -> 2/3; day 2 (one exercise) -> 0
    assert precision_at_k(frame, "pred", 3) == pytest.approx((2 / 3 + 0) / 2)
    # day 1 top 5 = all four -> 2/4
    assert precision_at_k(frame, "pred", 5) == pytest.approx((0.5 + 0) / 2)
    assert precision_at_k(frame, "pred", 1) == pytest.approx((1 + 0) / 2)


def _baseline_inputs():
    pairs = pd.DataFrame({"src": [0, 1], "prev_weight_kg": [100.0, 60.0], "prev_reps": [5.0, 10.0]})
    nodes = pd.DataFrame(
        {
            "hit_top_of_range": [1.0, 0.0],
            "rep_range_bottom": [3.0, 8.0],
            "load_step_kg": [2.5, 2.0],
            "top_set_e1rm": [100 * (1 + 5 / 30), 60 * (1 + 10 / 30)],
            "top_set_e1rm_slope": [3.5, -4.0],
        }
    )
    return pairs, nodes


def test_repeat_last_baseline():
    weight, reps = repeat_last(*_baseline_inputs())
    assert weight.tolist() == [100.0, 60.0] and reps.tolist() == [5.0, 10.0]


def test_double_progression_baseline():
    weight, reps = double_progression(*_baseline_inputs())
    # top of range reached: one plate step up, reps back to the bottom of the range
    assert weight.tolist() == [102.5, 60.0] and reps.tolist() == [3.0, 10.0]


def test_e1rm_trend_baseline():
    weight, reps = e1rm_trend(*_baseline_inputs())
    # 116.67 + 3.5 = 120.17 e1RM -> 103.0 kg at 5 reps -> +3.0 rounds to +2.5 (one step)
    # 80 - 4 = 76 e1RM -> 57.0 kg at 10 reps -> -3.0 rounds to -4.0 (two 2 kg steps)
    assert weight.tolist() == pytest.approx([102.5, 56.0])
    assert reps.tolist() == [5.0, 10.0]


# ---- training, determinism, save/load -------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    feats = build_features(synthetic_sets(), catalog_frame())
    graph = build_training_graph(feats)
    trained = train_models(graph, seed=0, device="cpu", epochs=10, models=FAST)
    return feats, graph, trained


def test_training_is_seeded_and_reproducible(small):
    _, graph, trained = small
    again = train_models(graph, seed=0, device="cpu", epochs=10, models=FAST)
    for key, value in trained.states["graphsage"].items():
        assert torch.equal(value, again.states["graphsage"][key]), key


def test_models_save_and_load_with_weights_only(small, tmp_path):
    _, graph, trained = small
    path = tmp_path / "models.pt"
    save_models(trained, path)
    loaded = load_models(path)
    torch.load(path, weights_only=True)  # plain tensors and primitives only
    a = predict_pairs(trained, "graphsage", graph)
    b = predict_pairs(loaded, "graphsage", graph)
    assert np.array_equal(a["weight_kg"], b["weight_kg"]) and np.array_equal(a["reps"], b["reps"])


def test_predicted_loads_sit_on_plate_steps(small):
    _, graph, trained = small
    predicted = predict_pairs(trained, "graphsage", graph)
    change = predicted["weight_kg"] - graph.pairs["prev_weight_kg"].to_numpy()
    steps = change / graph.pairs["load_step_kg"].to_numpy()
    assert np.allclose(steps, np.round(steps))


# ---- leakage by perturbation ----------------------------------------------------------------

def test_perturbing_the_target_session_and_later_changes_no_prediction_for_that_pair():
    sets = synthetic_sets()
    catalog = catalog_frame()
    graph = build_training_graph(build_features(sets, catalog))
    trained = train_models(graph, seed=0, device="cpu", epochs=10, models=EVERY, progress=None)
    test = graph.pairs[graph.pairs["split"] == SPLIT_TEST]
    pair = test.sort_values("target_date").iloc[0]
    athlete, target = pair["athlete_id"], pair["target_date"]

    # everything the athlete did at or after the target session: heavier, more reps, more sets
    # (its date, routine name and planned lifts stay: those are known before it starts)
    perturbed = sets.copy()
    future = (perturbed["athlete_id"] == athlete) & (perturbed["performed_at"] >= target)
    perturbed.loc[future, "weight_kg"] = perturbed.loc[future, "weight_kg"] * 1.5 + 10
    perturbed.loc[future, "reps"] = perturbed.loc[future, "reps"] + 3
    perturbed_graph = build_training_graph(build_features(perturbed, catalog))
    assert torch.equal(perturbed_graph.feature_mean, graph.feature_mean)
    assert torch.equal(perturbed_graph.feature_std, graph.feature_std)

    def row_of(g):
        row = g.pairs[(g.pairs["athlete_id"] == athlete) & (g.pairs["exercise_key"] == pair["exercise_key"])
                      & (g.pairs["target_date"] == target)]
        assert len(row) == 1
        return row

    # the target session's pair features (gap, routine, planned lifts) do not read its results
    assert torch.equal(graph.pair_x[row_of(graph).index[0]], perturbed_graph.pair_x[row_of(perturbed_graph).index[0]])
    for name in EVERY:
        before = predict_pairs(trained, name, graph, row_of(graph))
        after = predict_pairs(trained, name, perturbed_graph, row_of(perturbed_graph))
        for key in PREDICTED:
            assert np.array_equal(before[key], after[key]), (name, key)
    assert row_of(graph)["y_weight_kg"].iloc[0] != row_of(perturbed_graph)["y_weight_kg"].iloc[0]  # the target did change
    # retraining on the perturbed data gives the same weights: nothing it trains on moved
    retrained = train_models(perturbed_graph, seed=0, device="cpu", epochs=10, models=EVERY, progress=None)
    for key, value in trained.states["graphsage"].items():
        assert torch.equal(value, retrained.states["graphsage"][key]), key
    assert trained.states["lightgbm"] == retrained.states["lightgbm"]
    assert trained.states["graphsage_lightgbm"] == retrained.states["graphsage_lightgbm"]
    assert trained.states["blend"] == retrained.states["blend"]
    assert trained.progress_boosters == retrained.progress_boosters  # the ranking boosters (progress.py)
    assert trained.rx_caution == retrained.rx_caution and trained.thresholds == retrained.thresholds
    assert trained.rx_caution_matched == retrained.rx_caution_matched
    assert trained.rx_calibration == retrained.rx_calibration
    # and the test is sensitive: a pair predicted from a perturbed node does move
    later = perturbed_graph.pairs[(perturbed_graph.pairs["athlete_id"] == athlete)
                                  & (perturbed_graph.pairs["prev_date"] > target)].iloc[:5]
    original = graph.pairs.loc[later.index]
    for name in ("graphsage", "lightgbm", "blend"):
        moved = predict_pairs(trained, name, perturbed_graph, later)
        kept = predict_pairs(trained, name, graph, original)
        assert any(not np.array_equal(moved[key], kept[key]) for key in PREDICTED), name


# ---- evaluation, recommendations, plots -----------------------------------------------------

def test_evaluate_models_scores_every_model(small):
    _, graph, trained = small
    metrics, predictions = evaluate_models(graph, trained)
    assert len(predictions) == metrics["n_test_pairs"] == int((graph.pairs["split"] == SPLIT_TEST).sum())
    for name in ("repeat_last", "double_progression", "e1rm_trend", "graphsage"):
        assert f"pred_weight_kg__{name}" in predictions and f"pred_reps__{name}" in predictions
        values = metrics["models"][name]
        assert values["load_mae_kg"] >= 0 and 0 <= values["precision_at_3"] <= 1
    assert metrics["models"]["repeat_last"]["load_mae_kg"] == pytest.approx(
        float(np.mean(np.abs(predictions["y_weight_kg"] - predictions["prev_weight_kg"])))
    )
    assert "graphsage_vs_repeat_last" in metrics
    for control in ("ask_only@dp_ask", "concentrate@dp_ask", "graphsage@dp_ask", "graphsage@lifter"):  # the other points
        assert f"rx_weight_kg__{control}" in predictions and 0 <= metrics["prescriptions"][control]["share_met"] <= 1
    assert 0 <= metrics["prescriptions"]["graphsage"]["mean_confidence"] <= 1
    assert "pred_rest_s__graphsage" in predictions  # the synthetic log records rest


def test_bodyweight_reps_stay_within_one_of_last_time():
    from workout_pipeline.model.recommend import bodyweight_reps

    got = bodyweight_reps(np.array([1.0, 4.4, 9.0, 0.0, 2.6]), np.array([4.0, 4.0, 4.0, 1.0, 2.0]))
    assert got.tolist() == [3.0, 4.0, 5.0, 1.0, 3.0]


def test_a_lift_left_longer_than_the_models_horizon_gets_no_chance(small):
    """The model rates a next session at most MAX_PAIR_GAP_DAYS after the last: a lift whose
    latest session lies further before the athlete's latest one holds its last top set, without
    a chance (a hold "80% likely" or "more load" after 12 weeks away is no one's advice)."""
    from workout_pipeline.model.graph import MAX_PAIR_GAP_DAYS

    feats, _, trained = small
    athlete = feats["athlete_id"].iloc[0]
    mine = feats[feats["athlete_id"] == athlete]
    lift = mine["exercise_key"].value_counts().index[0]
    cutoff = pd.to_datetime(mine["date"]).max() - pd.Timedelta(days=MAX_PAIR_GAP_DAYS + 14)
    dropped = (feats["athlete_id"] == athlete) & (feats["exercise_key"] == lift) & (pd.to_datetime(feats["date"]) > cutoff)
    recs = recommend(feats[~dropped], trained=trained)
    away = recs[(recs["athlete_id"] == athlete) & (recs["exercise_id"] == feats.loc[dropped, "exercise_id"].iloc[0])].iloc[0]
    assert pd.isna(away["confidence"]) and "not rated: last done" in away["reason"] and "likely" not in away["reason"]
    assert away["decision"] == "hold" and away["reason"].startswith("hold")  # the last top set, no decision past the horizon
    rated = recs[(recs["athlete_id"] == athlete) & recs["confidence"].notna()]
    assert len(rated) and rated["reason"].str.contains("likely").all()


def test_an_assisted_lift_holds_its_assistance_unrated(small):
    """On an assisted pull-up the load is help: the model's options (more load) and its chances
    read it the wrong way round, so the lift holds its last assistance, without a chance."""
    feats, _, trained = small
    athlete = feats["athlete_id"].iloc[0]
    mine = feats[(feats["athlete_id"] == athlete) & (feats["top_weight_kg"] > 0)]
    lift = mine["exercise_key"].value_counts().index[0]
    renamed = feats.copy()
    at = (renamed["athlete_id"] == athlete) & (renamed["exercise_key"] == lift)
    renamed["exercise_id"] = renamed["exercise_id"].astype(object)
    renamed.loc[at, "exercise_id"] = "pull_up_assisted"
    recs = recommend(renamed, trained=trained)
    helped = recs[(recs["athlete_id"] == athlete) & (recs["exercise_id"] == "pull_up_assisted")].iloc[0]
    assert helped["decision"] == "hold" and pd.isna(helped["confidence"])
    assert helped["reason"].startswith("hold") and "of assistance; not rated" in helped["reason"]
    last = mine[mine["exercise_key"] == lift].sort_values("date").iloc[-1]
    assert helped["load_kg"] == pytest.approx(last["top_weight_kg"])


def test_recommendations_table(small, tmp_path):
    feats, graph, trained = small
    recs = recommend(feats, trained=trained)
    from workout_pipeline.model.recommend import PRESCRIPTION_COLUMNS

    assert list(recs.columns) == list(RECOMMENDATION_COLUMNS) + list(PRESCRIPTION_COLUMNS)
    assert len(recs) == feats.groupby(["athlete_id", "exercise_key"]).ngroups
    assert recs["confidence"].dropna().between(0.05, 0.95).all() and (recs["reps"] >= 1).all() and (recs["sets"] >= 1).all()
    # the reason names the decision: more load / one more rep / hold / deload
    starts = {"add_load": "more load", "add_rep": "one more rep", "hold": "hold", "back_off": "back off", "deload": "deload"}
    for decision, reason in zip(recs["decision"], recs["reason"]):
        assert reason.startswith(starts[decision]), (decision, reason)
    # the decision is what the prescribed top set does to the last one
    last_top = feats.sort_values("date").groupby(["athlete_id", "exercise_key"]).tail(1)
    last_top = last_top.set_index(["athlete_id", "exercise_id"])[["top_weight_kg", "top_reps"]]
    both = recs.set_index(["athlete_id", "exercise_id"]).join(last_top)
    more = both["load_kg"] > both["top_weight_kg"]
    less = both["load_kg"] < both["top_weight_kg"]
    assert (more == (both["decision"] == "add_load")).all()
    # the lifter's point cuts a load only where even repeating it is told below its floor
    # (`prescribe.choose_for_lifter`)
    assert (less == both["decision"].isin(["back_off", "deload"])).all()
    for reason in both.loc[less, "reason"]:
        assert int(re.search(r"repeating .* only (\d+)%", reason).group(1)) <= 100 * prescribe.LIFTER_MIN_TOLD_CHANCE, reason
    hold = both[both["decision"] == "hold"]
    assert (hold["reps"] == hold["top_reps"]).all()
    unloaded = both[both["decision"] == "bodyweight"]
    assert ((unloaded["reps"] - unloaded["top_reps"]).abs() <= 1).all()
    rep = both[both["decision"] == "add_rep"]
    assert (rep["reps"] == rep["top_reps"] + 1).all()
    assert rep["reason"].str.contains(r"after \d+ x [\d.]+ (kg|lb) \(your last 8 top sets: \d+-\d+ reps\)").all()
    # more load with fewer reps says why: the top of the lifter's own range
    reset = both[(both["decision"] == "add_load") & (both["reps"] < both["top_reps"])]
    assert reset["reason"].str.contains(r"the top of your \d+-\d+ reps").all()
    last = feats.sort_values("date").groupby(["athlete_id", "exercise_key"]).tail(1).set_index(["athlete_id", "exercise_id"])
    joined = recs.set_index(["athlete_id", "exercise_id"]).join(last[["top_weight_kg", "load_step_kg"]])
    steps = (joined["load_kg"] - joined["top_weight_kg"]) / joined["load_step_kg"]
    assert np.allclose(steps, np.round(steps))
    # the bolder option a reason names has at least the prescription's load and reps
    for reason, load, reps_rx in zip(recs["reason"], recs["load_kg"], recs["reps"]):
        named = re.search(r"; (\d+) x ([0-9.]+) kg only", reason)
        if named and not reason.startswith(("back off", "deload")):
            assert int(named.group(1)) >= reps_rx and float(named.group(2)) >= round(load, 2) - 0.01, reason
    recs.to_parquet(tmp_path / "recommendations.parquet")
    assert (recs["unit"] == "kg").all() and recs["reason"].str.contains(" kg").any()
    # a pound lifter reads the same prescriptions in pounds, loads to a tenth of a pound
    athlete = str(recs["athlete_id"].iloc[0])
    in_lb = recommend(feats, trained=trained, units={athlete: "lb"})
    mine = in_lb["athlete_id"] == athlete
    assert (in_lb.loc[mine, "unit"] == "lb").all() and (in_lb.loc[~mine, "unit"] == "kg").all()
    loaded = mine & (in_lb["decision"] != "bodyweight")
    assert not in_lb.loc[loaded, "reason"].str.contains(" kg").any() and in_lb.loc[loaded, "reason"].str.contains(" lb").all()
    first = in_lb.loc[loaded].iloc[0]
    shown = float(re.search(r"x ([0-9.]+) lb", first["reason"]).group(1))
    assert shown == pytest.approx(first["load_kg"] / 0.45359237, abs=0.051)  # the first load named is the prescription
    assert (in_lb["load_kg"] == recs["load_kg"]).all()  # the table itself stays in kg

    paths = [
        plot_predictions(evaluate_models(graph, trained)[1], tmp_path / "pred.png"),
        plot_embeddings(graph, trained, tmp_path / "emb.png"),
        plot_e1rm_history(feats, recs, "ath0", tmp_path / "e1rm.png"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
