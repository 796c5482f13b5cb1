"""Occurrence features: top set, volume, e1RM, past-only history features."""

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.model import build_features, node_feature_columns
from workout_pipeline.model.features import epley_e1rm, rpe_e1rm
from workout_pipeline_tests.test_model_data import catalog_frame, sets_frame, synthetic_sets


def _bench(day, sets, session=None, **extra):
    return [
        {"performed_at": pd.Timestamp(day), "exercise_raw": "Bench Press (Barbell)", "exercise_id": "bench_press_barbell",
         "set_index": i, "weight_kg": w, "reps": r, "session_id": session or f"s{day}", **extra}
        for i, (w, r) in enumerate(sets)
    ]


def test_top_set_volume_and_e1rm_of_one_occurrence():
    rows = _bench("2024-01-01", [(60, 10), (80, 5), (80, 6), (70, 8)])
    rows.insert(0, {**rows[0], "set_type": "warmup", "weight_kg": 100.0, "reps": 1, "set_index": 9})
    feats = build_features(sets_frame(rows), catalog_frame())
    assert len(feats) == 1
    row = feats.iloc[0]
    # warm-up excluded; heaviest working set, ties broken by more reps
    assert row["top_weight_kg"] == 80 and row["top_reps"] == 6
    assert row["n_sets"] == 4
    assert row["volume_kg"] == pytest.approx(60 * 10 + 80 * 5 + 80 * 6 + 70 * 8)
    assert row["e1rm"] == pytest.approx(80 * (1 + 6 / 30))
    assert row["category_push"] == 1.0 and row["equipment_barbell"] == 1.0
    assert row["has_prev"] == 0.0


def test_rpe_aware_e1rm_adds_reps_in_reserve():
    assert rpe_e1rm([100.0], [5], [8.0])[0] == pytest.approx(epley_e1rm(100.0, 7))
    assert np.isnan(rpe_e1rm([100.0], [5], [np.nan])[0])


def test_history_features_use_only_the_past():
    rows = (_bench("2024-01-01", [(60, 8)] * 3) + _bench("2024-01-04", [(60, 9)] * 3)
            + _bench("2024-01-08", [(62.5, 8)] * 3))
    feats = build_features(sets_frame(rows), catalog_frame()).sort_values("date").reset_index(drop=True)
    assert feats["days_since_prev"].iloc[1] == pytest.approx(3.0)
    assert feats["weight_lag1_rel"].iloc[2] == pytest.approx((60 - 62.5) / feats["e1rm_best"].iloc[2])
    assert feats["same_load_streak"].tolist() == [0.0, 1.0, 0.0]
    # changing the last session changes none of the earlier rows
    changed = (_bench("2024-01-01", [(60, 8)] * 3) + _bench("2024-01-04", [(60, 9)] * 3)
               + _bench("2024-01-08", [(90, 2)] * 3))
    other = build_features(sets_frame(changed), catalog_frame()).sort_values("date").reset_index(drop=True)
    columns = node_feature_columns()
    pd.testing.assert_frame_equal(feats.loc[:1, columns], other.loc[:1, columns])


def test_unresolved_exercise_is_keyed_by_raw_name_and_still_counts():
    rows = [{"performed_at": pd.Timestamp("2024-01-01"), "exercise_raw": "Mystery Press ", "set_index": 0,
             "weight_kg": 20.0, "reps": 10},
            {"performed_at": pd.Timestamp("2024-01-03"), "exercise_raw": "mystery press", "set_index": 0,
             "weight_kg": 22.5, "reps": 10}]
    feats = build_features(sets_frame(rows), None)
    assert feats["exercise_key"].nunique() == 1
    assert feats["exercise_key"].iloc[0] == "raw:mystery press"
    assert feats["muscles_known"].eq(0).all() and feats["category_unknown"].eq(1).all()


def test_muscle_features_count_recent_sets():
    feats = build_features(synthetic_sets(n_athletes=1, sessions=6), catalog_frame())
    bench = feats[feats["exercise_key"] == "bench_press_barbell"].sort_values("date")
    # 3 bench sets (primary chest) per session, sessions 3-4 days apart: 1-3 sessions in 7 days
    assert bench["primary_weekly_sets"].iloc[0] == pytest.approx(3.0)
    assert set(bench["primary_weekly_sets"].iloc[1:]) <= {3.0, 6.0, 9.0}
    assert bench["primary_days_since_clipped"].iloc[0] == 14.0
    assert bench["primary_days_since_clipped"].iloc[1:].between(3, 4).all()


def test_features_are_parquet_able_and_finite(tmp_path):
    feats = build_features(synthetic_sets(), catalog_frame())
    feats.to_parquet(tmp_path / "f.parquet")
    assert np.isfinite(feats[node_feature_columns()].to_numpy(float)).all()


def test_empty_input_gives_empty_frame():
    feats = build_features(synthetic_sets().iloc[0:0], catalog_frame())
    assert len(feats) == 0


def test_a_pound_lifters_default_plate_step_is_five_pounds():
    lb = 0.45359237
    days = [f"2024-01-{d:02d}" for d in range(1, 29, 3)]
    loads = [135, 135, 135, 140, 145, 155, 165, 185, 205, 225]
    rows = [row for day, load in zip(days, loads) for row in _bench(day, [(load * lb, 5)] * 3)]
    rows += [{**row, "exercise_raw": "Squat (Barbell)", "exercise_id": "squat_barbell", "session_id": row["session_id"] + "q",
              "weight_kg": 95 * lb} for row in _bench("2024-01-02", [(0, 5)] * 3)]
    feats = build_features(sets_frame(rows), catalog_frame())
    squat = feats[feats["exercise_id"] == "squat_barbell"]
    assert squat["load_step_kg"].iloc[0] == pytest.approx(5 * lb)  # the barbell's 2.5 kg, in whole pounds
    # the same loads typed in kg keep the catalog's kilogram step
    kg_rows = [{**row, "weight_kg": round(row["weight_kg"] / lb)} for row in rows]
    squat_kg = build_features(sets_frame(kg_rows), catalog_frame())
    assert squat_kg.loc[squat_kg["exercise_id"] == "squat_barbell", "load_step_kg"].iloc[0] == pytest.approx(2.5)


def test_the_stores_unit_decides_a_lifters_plates_over_the_inference():
    rows = [row for d in range(1, 20, 3) for row in _bench(f"2024-01-{d:02d}", [(60.0, 5)] * 3)]
    rows += [{**row, "exercise_raw": "Squat (Barbell)", "exercise_id": "squat_barbell", "session_id": row["session_id"] + "q"}
             for row in _bench("2024-01-02", [(80.0, 5)] * 3)]
    sets = sets_frame(rows)

    def squat_step(units):
        feats = build_features(sets, catalog_frame(), units)
        return feats.loc[feats["exercise_id"] == "squat_barbell", "load_step_kg"].iloc[0]

    assert squat_step(None) == pytest.approx(2.5)  # kilogram loads: the catalog's step
    assert squat_step({"a": "lb"}) == pytest.approx(5 * 0.45359237)  # the store says pounds
    assert squat_step({"a": "kg"}) == pytest.approx(2.5)
