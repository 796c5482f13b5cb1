"""Prescriptions (options, choice, rules, met), target-session pair features, the LightGBM
boosters and the routine name they read."""

import numpy as np
import pandas as pd
import pytest
import torch

from workout_pipeline.model import build_features, build_training_graph, load_models, save_models, train_models
from workout_pipeline.model import prescribe
from workout_pipeline.model.metrics import prescription_metrics, progress_base_rate
from workout_pipeline.model.pairs import PAIR_FEATURE_COLUMNS, routine_last_node
from workout_pipeline.model.train import predict_pairs
from workout_pipeline_tests.test_model import _one_torch_thread  # noqa: F401 - the same autouse fixture
from workout_pipeline_tests.test_model_data import catalog_frame, synthetic_sets

BOOST = {"lightgbm": {"arch": "lgbm", "max_rounds": 40}}


def _opts():
    # 100 x 5 with a 2.5 kg step, range 5..8 (room for a rep); 60 x 10 at the top of 8..10
    return prescribe.options([100.0, 60.0], [5.0, 10.0], [2.5, 2.0], [5.0, 8.0], [8.0, 10.0])


def test_options_are_deload_hold_rep_step_and_step_with_reps_reset():
    opts = _opts()
    assert opts["weight"][0].tolist() == [90.0, 97.5, 100.0, 100.0, 102.5, 102.5]
    assert opts["reps"][0].tolist() == [5.0, 5.0, 5.0, 6.0, 5.0, 5.0]
    # no rep above the range's top; reps reset only when below the current reps; a back-off
    # only where it is smaller than the deload (60 kg: the 10% deload is 6 kg, the step 2 kg)
    assert opts["valid"][0].tolist() == [True, True, True, True, True, False]
    assert opts["valid"][1].tolist() == [True, True, True, False, True, True]
    assert opts["weight"][1, prescribe.BACK_OFF] == 58.0
    assert opts["reps"][1, prescribe.ADD_STEP_RESET] == 8.0
    assert opts["delta"][0, prescribe.HOLD] == pytest.approx(0.0)
    assert opts["delta"][0, prescribe.ADD_STEP] == pytest.approx(0.025)
    assert opts["delta"][0, prescribe.DELOAD] < 0


def test_choose_prices_the_ask_against_the_chance_of_success():
    opts = _opts()
    # 100 x 5: asks deload -10%, back-off -2.5%, hold 0, +rep +2.9%, +step +2.5%
    probability = np.array([[0.99, 0.95, 0.9, 0.5, 0.6, 0.5], [0.99, 0.6, 0.6, 0.1, 0.5, 0.5]])
    # no caution: the biggest ask (100 x 6, e1RM 120, beats 102.5 x 5, e1RM 119.6)
    assert prescribe.choose(probability, opts, 0.0)[0] == prescribe.ADD_REP
    # 60 x 10 with a 2 kg step: the step asks +3.3%, the reset step -1.8%
    assert prescribe.choose(probability, opts, 0.0)[1] == prescribe.ADD_STEP
    # priced at 0.2 per unit of probability: +rep 0.029 + 0.1 and +step 0.025 + 0.12 < hold 0 + 0.18
    assert prescribe.choose(probability, opts, 0.2)[0] == prescribe.HOLD
    # very cautious: the likeliest option, the deload
    assert prescribe.choose(probability, opts, 5.0).tolist() == [prescribe.DELOAD, prescribe.DELOAD]
    # an option under MIN_CHANCE is never prescribed, however big its ask; with none likely
    # enough, the likeliest is
    unlikely = np.array([[0.1, 0.15, 0.19, 0.05, 0.1, 0.0], [0.1, 0.3, 0.2, 0.0, 0.05, 0.1]])
    assert prescribe.choose(unlikely, opts, 0.0).tolist() == [prescribe.HOLD, prescribe.HOLD]


def test_at_the_target_rate_point_no_ask_for_progress_is_told_below_even():
    opts = _opts()
    probability = np.array([[0.99, 0.95, 0.9, 0.5, 0.6, 0.5], [0.99, 0.6, 0.6, 0.1, 0.5, 0.5]])
    # told (calibrated) chances: on 100 x 5 the rep is told 40%, the step 55%; on 60 x 10 the step 45%
    told = np.array([[0.99, 0.95, 0.9, 0.4, 0.55, 0.5], [0.99, 0.6, 0.6, 0.1, 0.45, 0.5]])
    chosen = prescribe.choose(probability, opts, 0.0, told)
    assert chosen[0] == prescribe.ADD_STEP  # the biggest ask told at least even
    assert chosen[1] == prescribe.HOLD  # the step is told 45%: the biggest ask left is the hold
    # cuts and holds are never floored: a hold told 30% can still be chosen
    told_low_hold = told.copy()
    told_low_hold[:, prescribe.HOLD] = 0.3
    assert prescribe.choose(probability, opts, 0.0, told_low_hold)[1] == prescribe.HOLD
    # without `told` (the equal-progress comparison point) the floor does not apply
    assert prescribe.choose(probability, opts, 0.0)[1] == prescribe.ADD_STEP


def test_the_lifters_point_asks_the_boldest_step_told_enough_and_cuts_only_a_failing_repeat():
    opts = _opts()
    floor = prescribe.LIFTER_MIN_TOLD_CHANCE
    probability = np.array([[0.99, 0.95, 0.9, 0.5, 0.6, 0.5], [0.99, 0.95, 0.6, 0.1, 0.3, 0.9]])
    # 100 x 5 (room for a rep): the rep (+2.9%) is told just under the floor, the step (+2.5%) at it
    told = np.array([[0.99, 0.95, 0.9, floor - 0.01, floor, 0.5], [0.99, 0.95, 0.6, 0.1, 0.3, 0.9]])
    chosen = prescribe.choose_for_lifter(probability, opts, told)
    assert chosen[0] == prescribe.ADD_STEP
    # 60 x 10 at the top of its range: the step at the same reps is told 30%, so double
    # progression's own step (62 x 8, a lower e1RM) beats holding
    assert chosen[1] == prescribe.ADD_STEP_RESET and opts["delta"][1, chosen[1]] < 0
    # the same step below the floor: hold, not the cut the target-rate point makes
    told[1, prescribe.ADD_STEP_RESET] = floor - 0.01
    assert prescribe.choose_for_lifter(probability, opts, told)[1] == prescribe.HOLD
    assert prescribe.choose(probability, opts, 5.0, told)[1] == prescribe.DELOAD
    # a repeat told below the floor: the boldest cut told at least the floor, the back-off
    failing = told.copy()
    failing[1, prescribe.HOLD] = floor - 0.01
    assert prescribe.choose_for_lifter(probability, opts, failing)[1] == prescribe.BACK_OFF
    failing[1, prescribe.BACK_OFF] = floor - 0.01
    assert prescribe.choose_for_lifter(probability, opts, failing)[1] == prescribe.DELOAD
    # below the top of the range, resetting the reps is no step forward: the rep or the step is
    assert prescribe.choose_for_lifter(probability, opts, np.full((2, 6), 0.9))[0] == prescribe.ADD_REP
    # on random lifts: every option other than holding told at least the floor, a cut only
    # where holding is told less, and no bolder option allowed (the reset step counts as bolder
    # than holding only at the top of the range)
    rng = np.random.default_rng(0)
    many = prescribe.options(rng.uniform(10, 150, 500), rng.integers(3, 13, 500).astype(float), np.full(500, 2.5),
                             np.full(500, 5.0), rng.integers(5, 13, 500).astype(float))
    probability, told = rng.uniform(0, 1, (500, 6)), rng.uniform(0, 1, (500, 6))
    chosen = prescribe.choose_for_lifter(probability, many, told)
    rows = np.arange(500)
    moved = chosen != prescribe.HOLD
    assert (told[rows, chosen][moved] >= floor).all() and (probability[rows, chosen][moved] >= prescribe.MIN_CHANCE).all()
    hold_ok = (told[:, prescribe.HOLD] >= floor) & (probability[:, prescribe.HOLD] >= prescribe.MIN_CHANCE)
    cut = np.isin(chosen, [prescribe.DELOAD, prescribe.BACK_OFF])
    assert cut.any() and not (cut & hold_ok).any()
    for kind in (prescribe.ADD_REP, prescribe.ADD_STEP):
        bolder = (many["valid"][:, kind] & (told[:, kind] >= floor) & (probability[:, kind] >= prescribe.MIN_CHANCE)
                  & (many["delta"][:, kind] > many["delta"][rows, chosen] + 1e-12))
        assert not (bolder & hold_ok).any()
    # a reset step is a step forward only if it keeps RESET_MIN_REP_SHARE of the reps: 30 x 6
    # whose range reached down to one bad day's single is not told 32.5 x 1
    single = prescribe.options([30.0], [6.0], [2.5], [1.0], [6.0])
    assert single["reps"][0, prescribe.ADD_STEP_RESET] == 1.0
    unlikely_step = np.full((1, 6), 0.9)
    unlikely_step[0, prescribe.ADD_STEP] = floor - 0.01
    assert prescribe.choose_for_lifter(np.full((1, 6), 0.9), single, unlikely_step)[0] == prescribe.HOLD


def test_rules_double_progression_and_plus_one_step():
    opts = _opts()
    hit = np.array([0.0, 1.0])
    assert prescribe.rule_choice("double_progression", opts, hit).tolist() == [prescribe.ADD_REP, prescribe.ADD_STEP_RESET]
    assert prescribe.rule_choice("plus_one_step", opts, hit).tolist() == [prescribe.ADD_STEP] * 2


def test_met_compares_epley_e1rm_and_the_metrics_count_it():
    # prescribed 102.5 x 5; actual 100 x 6 (e1RM 120 > 119.58) is met, 100 x 5 is not
    assert prescribe.met(100, 5, 102.5, 5, 100, 6) and not prescribe.met(100, 5, 102.5, 5, 100, 5)
    frame = pd.DataFrame({"athlete_id": ["a", "a", "b"], "prev_weight_kg": [100.0] * 3, "prev_reps": [5.0] * 3,
                          "y_weight_kg": [100.0, 100.0, 105.0], "y_reps": [6.0, 5.0, 5.0],
                          "target_date": pd.to_datetime(["2024-01-01"] * 2 + ["2024-01-02"]),
                          "rx_weight_kg__m": [102.5, 102.5, 100.0], "rx_reps__m": [5.0, 5.0, 5.0]})
    result = prescription_metrics(frame, "m")
    assert result["share_met"] == pytest.approx(2 / 3)
    assert result["mean_e1rm_increase_kg"] == pytest.approx(2 * 2.5 * (1 + 5 / 30) / 3)
    assert result["per_athlete"]["b"]["share_met"] == 1.0
    # random-ranking Precision@K: per session share progressed (a: 1 of 2; b: 1 of 1)
    assert progress_base_rate(frame) == pytest.approx(0.75)


def test_caution_is_the_boldest_meeting_the_target_rate_on_validation():
    opts = _opts()
    probability = np.array([[0.99, 0.95, 0.9, 0.5, 0.6, 0.5], [0.99, 0.95, 0.9, 0.1, 0.3, 0.65]])
    actual = np.array([0.0, 0.01])  # both lifters repeated (the second one added a little)
    caution = prescribe.tune_caution(probability, opts, actual)
    assert caution in prescribe.CAUTIONS
    chosen = prescribe.choose(probability, opts, caution)
    assert chosen.tolist() == [prescribe.HOLD, prescribe.HOLD]  # the only way both are met
    # one step bolder is not met as often as the target rate asks
    bolder = prescribe.CAUTIONS[prescribe.CAUTIONS.index(caution) - 1]
    met = actual >= opts["delta"][np.arange(2), prescribe.choose(probability, opts, bolder)] - 1e-9
    assert met.mean() < prescribe.RX_MET_GOAL
    # asking as much as a 1% mean increase needs less caution
    assert prescribe.match_ask(probability, opts, 0.01) < caution


def test_the_equal_progress_point_matches_the_ask_exactly_without_cuts():
    rng = np.random.default_rng(0)
    weight, reps = rng.choice([60.0, 80.0, 100.0], 400), rng.integers(3, 10, 400).astype(float)
    opts = prescribe.options(weight, reps, np.full(400, 2.5), reps - 2, reps + 2)
    # a calibrated-looking model: bigger asks are less likely, by lift
    probability = 1.0 / (1.0 + np.exp(-(rng.normal(0, 1, (400, 1)) - 40 * opts["delta"])))
    boldest = opts["delta"][np.arange(400), prescribe.choose_matched(probability, opts, 0.0)].mean()
    for asked in (0.2 * boldest, 0.5 * boldest, 0.9 * boldest):
        caution = prescribe.match_ask(probability, opts, asked)
        chosen = prescribe.choose_matched(probability, opts, caution)
        mean_ask = opts["delta"][np.arange(400), chosen].mean()
        # at least the rule's ask, and within a tenth of a percentage point of it (a 0.02 grid of
        # cautions overshot by about one percentage point)
        assert asked <= mean_ask < asked + 0.001, (asked, mean_ask)
        assert set(chosen.tolist()) <= set(prescribe.PROGRESSION_OPTIONS)  # no deload, no back-off
        bolder = prescribe.choose_matched(probability, opts, caution + 2 * prescribe.MATCH_RESOLUTION)
        assert opts["delta"][np.arange(400), bolder].mean() < asked  # the most cautious that asks enough
    # an ask no option reaches: the boldest caution
    assert prescribe.match_ask(probability, opts, boldest + 0.01) == 0.0


def test_calibration_maps_the_models_chance_to_the_share_met_on_validation():
    rng = np.random.default_rng(1)
    weight, reps = np.full(600, 100.0), np.full(600, 5.0)
    opts = prescribe.options(weight, reps, np.full(600, 2.5), np.full(600, 3.0), np.full(600, 8.0))
    # an over-confident model: it says 0.9 where the truth is 0.6
    readiness = rng.normal(0, 1, (600, 1))
    truth = 1.0 / (1.0 + np.exp(-(readiness - 30 * opts["delta"])))
    said = np.clip(0.5 + 1.3 * (truth - 0.5), 0.01, 0.99)
    actual = readiness[:, 0] / 30 + rng.logistic(0, 1 / 30, 600)  # met where actual >= delta
    calibration = prescribe.fit_calibration(said, opts, actual)
    assert np.all(np.diff(calibration["y"]) >= 0)  # monotone: a likelier option stays likelier
    calibrated = prescribe.calibrate(said, calibration)
    met = actual[:, None] >= opts["delta"] - prescribe.MET_TOLERANCE
    sure = opts["valid"] & (said >= 0.85)
    # what it is told matches what happened, where the raw chance did not
    assert abs(calibrated[sure].mean() - met[sure].mean()) < 0.02 < abs(said[sure].mean() - met[sure].mean())
    assert np.array_equal(prescribe.calibrate(said, {"x": [], "y": []}), said)


def test_the_skill_free_controls_match_the_ask_by_concentrating_or_by_the_ask_alone():
    opts = prescribe.options([100.0, 10.0, 60.0], [5.0, 10.0, 8.0], [2.5, 2.5, 2.5], [5.0, 8.0, 6.0], [8.0, 12.0, 10.0])
    # the biggest progression ask of the 10 kg lift (+2.5 kg: +25% e1RM) carries the whole mean ask
    threshold = prescribe.fit_concentrate(opts, 0.05)
    chosen = prescribe.concentrate_choice(opts, threshold)
    assert chosen.tolist() == [prescribe.HOLD, prescribe.ADD_STEP, prescribe.HOLD]
    assert opts["delta"][np.arange(3), chosen].mean() >= 0.05
    assert prescribe.fit_concentrate(opts, 1.0) == float("inf")
    # the ask-only curve: a bigger ask is never likelier; the same for every lift
    actual = np.array([0.0, 0.03, 0.0])
    curve = prescribe.fit_ask_only(opts, actual)
    probability = prescribe.ask_only_probability(curve, opts)
    order = np.argsort(opts["delta"][opts["valid"]])
    assert np.all(np.diff(probability[opts["valid"]][order]) <= 1e-12)


def _nodes(names):
    return pd.DataFrame({"athlete_id": ["a"] * len(names), "exercise_key": ["squat"] * len(names),
                         "node_time": np.arange(len(names)) * 86400, "workout_name": pd.array(names, dtype="string")})


def test_routine_last_node_finds_the_latest_earlier_session_of_the_same_routine():
    last = routine_last_node(_nodes(["heavy", "light", "heavy", "light", None, "heavy"]))
    assert last.tolist() == [-1, -1, 0, 1, -1, 2]


def test_pair_features_read_the_target_routine_but_not_its_results():
    sets = synthetic_sets()
    graph = build_training_graph(build_features(sets, catalog_frame()))
    assert graph.pair_x.shape == (len(graph.pairs), len(PAIR_FEATURE_COLUMNS))
    pair = graph.pairs.iloc[len(graph.pairs) // 2]
    target = sets["session_id"].astype(str).isin(
        graph.nodes.loc[[int(pair["dst"])], "session_id"].astype(str).tolist()) & (sets["athlete_id"] == pair["athlete_id"])
    results = sets.copy()
    results.loc[target, "weight_kg"] += 20
    renamed = sets.copy()
    renamed.loc[target, "workout_name"] = "a routine never seen before"
    row = int(pair.name)
    same = build_training_graph(build_features(results, catalog_frame())).pair_x[row]
    moved = build_training_graph(build_features(renamed, catalog_frame())).pair_x[row]
    assert torch.equal(same, graph.pair_x[row])
    assert not torch.equal(moved, graph.pair_x[row])  # the routine name is read (known beforehand)


def test_lightgbm_is_deterministic_and_survives_save_and_load(tmp_path):
    graph = build_training_graph(build_features(synthetic_sets(), catalog_frame()))
    first = train_models(graph, seed=1, models=BOOST, progress=None)
    again = train_models(graph, seed=1, models=BOOST, progress=None)
    assert first.states["lightgbm"] == again.states["lightgbm"]
    save_models(first, tmp_path / "m.pt")
    loaded = load_models(tmp_path / "m.pt")
    a, b = predict_pairs(first, "lightgbm", graph), predict_pairs(loaded, "lightgbm", graph)
    for key in ("weight_kg", "reps", "rx_weight_kg", "rx_reps", "progress_probability"):
        assert np.array_equal(a[key], b[key]), key
    assert first.rx_caution["lightgbm"] in prescribe.CAUTIONS


def test_progress_lines_reach_the_callback():
    graph = build_training_graph(build_features(synthetic_sets(), catalog_frame()))
    lines: list[str] = []
    train_models(graph, seed=0, epochs=25, models={"mlp": {"arch": "mlp", "hidden": 8}}, progress=lines.append)
    assert any(line.startswith("mlp: epoch 25/25") for line in lines)
    assert lines[-1].startswith("mlp: trained in")


def test_the_routine_name_is_read_from_every_public_export(real_logs):
    from workout_pipeline.ingest import ingest_paths

    for athlete, path in real_logs.items():
        sets = ingest_paths([path]).validated
        names = sets["workout_name"]
        assert str(names.dtype) == "string" and names.notna().all(), athlete  # Strong and Hevy name every workout
        features = build_features(sets)
        assert features["workout_name"].notna().all() and features["workout_name"].nunique() >= 2, athlete
