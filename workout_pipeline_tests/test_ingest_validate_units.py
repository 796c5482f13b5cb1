"""GX validation reasons and kg/lb inference."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.ingest import STRUCTURAL_CHECKS, infer_weight_unit, validate_sets
from workout_pipeline.ingest.values import LB_TO_KG, parse_datetimes, parse_numbers

NOW = datetime(2026, 11, 22, 12, 0)


def _sets(**overrides):
    base = {
        "athlete_id": "a", "session_id": "a:20240301T180000", "performed_at": pd.Timestamp("2024-03-01 18:00"),
        "exercise_raw": "Squat", "set_type": "normal", "weight_kg": 100.0, "reps": 5, "source_file": "f.csv",
        "source_format": "strong_classic",
    }
    rows = []
    for i, change in enumerate(overrides.get("rows", [{}])):
        row = dict(base, set_index=i, source_row=i + 1)
        row.update(change)
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"reps": 101}, "reps_out_of_range"),
        ({"reps": -1}, "reps_out_of_range"),
        ({"weight_kg": 601.0}, "weight_out_of_range"),
        ({"weight_kg": -5.0}, "weight_out_of_range"),
        ({"rpe": 11.0}, "rpe_out_of_range"),
        ({"rpe": 0.5}, "rpe_out_of_range"),
        ({"performed_at": pd.Timestamp("2027-06-01")}, "future_date"),
        ({"performed_at": pd.Timestamp("1989-12-31")}, "date_out_of_range"),
        ({"performed_at": pd.Timestamp("2028-01-01")}, "date_out_of_range"),
        ({"performed_at": pd.Timestamp("2300-01-01").as_unit("us")}, "date_out_of_range"),
        ({"performed_at": pd.Timestamp("0001-03-01").as_unit("us")}, "date_out_of_range"),
        ({"performed_at": pd.Timestamp("9999-12-31").as_unit("us")}, "date_out_of_range"),
        ({"performed_at": pd.NaT}, "unparseable_date"),
        ({"exercise_raw": None}, "missing_exercise"),
        ({"set_type": "superset"}, "invalid_set_type"),
        ({"reps": None}, "missing_measurement"),
        ({"duration_s": -3.0}, "duration_out_of_range"),
        ({"distance_m": 5e6}, "distance_out_of_range"),
    ],
)
def test_each_rule_quarantines_with_its_reason(change, reason):
    frame = _sets(rows=[{}, change, {"reps": 8}])
    outcome = validate_sets(frame, now=NOW)
    assert outcome.quarantined["reason"].tolist() == [reason]
    assert outcome.quarantined["source_row"].tolist() == [2]
    assert outcome.validated["source_row"].tolist() == [1, 3]
    failed = {c["name"] for c in outcome.checks if not c["success"]}
    assert failed == {reason}


def test_duplicates_keep_first_and_checks_report_gx_counts():
    frame = _sets(rows=[{}, {}, {}])
    frame["set_index"] = 0  # three copies of one set identity
    outcome = validate_sets(frame, now=NOW)
    assert outcome.validated["source_row"].tolist() == [1]
    assert outcome.quarantined["reason"].tolist() == ["duplicate", "duplicate"]
    check = next(c for c in outcome.checks if c["name"] == "duplicate")
    assert check["expectation"] == "ExpectCompoundColumnsToBeUnique"
    assert check["success"] is False and check["unexpected_count"] == 3  # GX counts every copy
    assert all(c["success"] for c in outcome.checks if c["name"] in STRUCTURAL_CHECKS)


def test_first_failed_rule_wins_and_nothing_is_lost():
    frame = _sets(rows=[{"reps": 500, "weight_kg": 900.0}, {"exercise_raw": None, "reps": 500}, {}])
    outcome = validate_sets(frame, now=NOW)
    assert outcome.quarantined["reason"].tolist() == ["reps_out_of_range", "missing_exercise"]
    assert len(outcome.validated) + len(outcome.quarantined) == 3


def test_many_files_validate_as_if_alone():
    from workout_pipeline.ingest.validate import validate_many

    first = _sets(rows=[{}, {"reps": 500}, {"performed_at": pd.Timestamp("1500-01-01").as_unit("us")}])
    second = _sets(rows=[{}, {}, {"rpe": 42.0}])
    second["athlete_id"] = "b"
    again = _sets(rows=[{}])  # the same set identity as first's row 1, in another file: not a duplicate
    outcomes = validate_many([first, second, again], now=NOW)
    alone = [validate_sets(frame, now=NOW) for frame in (first, second, again)]
    for batch, single in zip(outcomes, alone):
        pd.testing.assert_frame_equal(batch.validated, single.validated)
        pd.testing.assert_frame_equal(batch.quarantined, single.quarantined)
        assert [(c["name"], c["success"], c["unexpected_count"]) for c in batch.checks] == \
            [(c["name"], c["success"], c["unexpected_count"]) for c in single.checks]
    assert outcomes[0].quarantined["reason"].tolist() == ["reps_out_of_range", "date_out_of_range"]
    assert len(outcomes[2].validated) == 1


def test_empty_frame_validates_to_empty():
    outcome = validate_sets(_sets().iloc[0:0], now=NOW)
    assert outcome.validated.empty and outcome.quarantined.empty and outcome.checks


def _lb_of_kg(kg):
    return np.asarray(kg, dtype=float) / LB_TO_KG


@pytest.mark.parametrize(
    ("loads", "unit", "evidence"),
    [
        (_lb_of_kg([20, 40, 60, 62.5, 80, 100, 22.5, 12]), "lb", "lb exports of kg entries"),
        (np.array([135, 185, 225]) * LB_TO_KG, "kg", "kg exports of lb entries"),
        ([20, 40, 60, 62.5, 67.5, 72.5, 12, 14, 16, 22.5, 27.5, 100] * 3, "kg", "kilograms"),
        ([45, 95, 135, 185, 225, 135, 185, 225, 315, 100, 50, 60] * 3, "lb", "pounds"),
        ([15, 20, 25, 30, 35, 40, 45, 50, 40, 35, 30, 25] * 3, "lb", "pounds"),  # dumbbell work in lb
        ([], "kg", "no loads"),
        ([100, 100, 100, 70], "kg", "too few loads"),
    ],
)
def test_unit_inference(loads, unit, evidence):
    inferred = infer_weight_unit(np.asarray(loads, dtype=float))
    assert inferred.unit == unit and evidence in inferred.reason


def test_loads_out_of_range_in_either_unit_are_no_evidence():
    """A 1e308 bench press (quarantined whatever the unit) once counted as a pound lifter's
    implausible kilograms and printed a 300-digit number in the reason."""
    names = ["Bench Press (Barbell)", "Squat (Barbell)", "Squat (Barbell)", "Deadlift (Barbell)"]
    plain = infer_weight_unit([60.0, 100.0, 102.5, 140.0], names)
    hostile = infer_weight_unit([1e308, 60.0, 100.0, 102.5, 140.0, 5000.0], ["Bench Press (Barbell)", *names, "Squat (Barbell)"])
    assert (hostile.unit, hostile.reason) == (plain.unit, plain.reason)
    assert "e+308" not in hostile.reason


def test_number_and_date_parsing_edge_cases():
    numbers, bad = parse_numbers(pd.Series(["72,5", "1.5", "", None, "abc", "1e3", "inf", " 8 "]))
    assert numbers.tolist()[:2] == [72.5, 1.5] and numbers.iloc[5] == 1000.0 and numbers.iloc[7] == 8.0
    assert bad.tolist() == [False, False, False, False, True, False, True, False]
    dates = parse_datetimes(pd.Series(["2024-03-01 07:10:22", "yesterday", "", "2024-03-01T06:10:22+01:00"]))
    assert dates.iloc[0] == pd.Timestamp("2024-03-01 07:10:22") and pd.isna(dates.iloc[1]) and pd.isna(dates.iloc[2])
    assert dates.iloc[3] == pd.Timestamp("2024-03-01 05:10:22")


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["2023-01-05 5:30:00 PM", "2023-01-05 5:30:00\u202fPM"], ["2023-01-05 17:30"] * 2),
        (["05.01.2023 17:30"], ["2023-01-05 17:30"]),  # dots: day first
        (["1/5/2023 5:30 PM", "12/31/2023 08:00"], ["2023-01-05 17:30", "2023-12-31 08:00"]),  # US
        (["13/1/2023 10:00", "1/5/2023 10:00"], ["2023-01-13 10:00", "2023-05-01 10:00"]),  # day first file
        (["2026年1月13日 18:43", "2026. 1. 14. 07:05"], ["2026-01-13 18:43", "2026-01-14 07:05"]),
        (["13 янв. 2026 г., 18:43"], ["2026-01-13 18:43"]),
        # 12-hour edges and the ends of a 24-hour day stay readable
        (["Jan 13, 2024 12:30 AM", "Jan 13, 2024 12:30 PM", "1/13/2024 12:00 AM", "1/13/2024 11:59:59 PM"],
         ["2024-01-13 00:30", "2024-01-13 12:30", "2024-01-13 00:00", "2024-01-13 23:59:59"]),
        (["13 Jan 2024, 00:00", "13.01.2024 23:59:59", "2024年1月13日 23:59"],
         ["2024-01-13 00:00", "2024-01-13 23:59:59", "2024-01-13 23:59"]),
    ],
)
def test_numeric_and_twelve_hour_dates(texts, expected):
    assert parse_datetimes(pd.Series(texts)).tolist() == [pd.Timestamp(e) for e in expected]


@pytest.mark.parametrize("text", ["Jan 13, 2024 12:99 PM", "13/01/2024 99:99", "13 Jan 2024, 30:75", "Jan 13, 2024 13:30 PM",
                                  "13.01.2024 24:00", "2024年1月13日 25:43", "2024. 1. 13. 18:60", "5 Şub 2026, 07:05:61"])
def test_impossible_clock_times_are_unreadable(text):
    # pandas would add 99 minutes or 30 hours as durations: the set would move to another hour or day
    assert pd.isna(parse_datetimes(pd.Series([text, "2024-01-13 10:00"])).iloc[0])
