"""The lifter's unit from the evidence real lifters leave: exports generated here as an audit found
them (Strong classic without a unit, Hevy `weight_kg`, FitNotes with a unit column).

A pound lifter on 1.25-lb change plates (137.5, 142.5) or on machines with odd stack labels
(59/73/87) was read as a kilogram lifter benching 142.5 kg for 5; a Hevy kg export of pound
entries and a FitNotes lifter who switched to pounds kept the lifter in kg.
"""

import datetime as dt

import numpy as np
import pytest

from workout_pipeline.ingest import infer_weight_unit, parse_log_file
from workout_pipeline.ingest.units import conversion_evidence, latest_typed_unit, recent_typed_unit
from workout_pipeline.ingest.values import LB_TO_KG

START = dt.datetime(2026, 3, 2, 18, 0)


def _rows(spec, sessions, start=START, every=3):
    """(time, exercise, set number, load, reps) of `sessions` sessions, 3 days apart: each exercise
    of `spec` (name, loads, reps, sets) moves through its loads over the sessions."""
    rows = []
    for i in range(sessions):
        when = start + dt.timedelta(days=every * i)
        for exercise, loads, reps, sets in spec:
            load = loads[min(i * len(loads) // sessions, len(loads) - 1)]
            rows += [(when, exercise, number + 1, load, reps) for number in range(sets)]
    return rows


def _strong(rows, path):
    lines = ["Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE"]
    lines += [f'{when:%Y-%m-%d %H:%M:%S},"Workout","1h","{exercise}",{number},{load},{reps},0,0,"","",'
              for when, exercise, number, load, reps in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _hevy(rows, path, column):
    header = ["title", "start_time", "end_time", "description", "exercise_title", "superset_id", "exercise_notes",
              "set_index", "set_type", column, "reps", "distance_km", "duration_seconds", "rpe"]
    lines = [",".join(f'"{c}"' for c in header)]
    for when, exercise, number, load, reps in sorted(rows, key=lambda r: r[0], reverse=True):
        end = when + dt.timedelta(hours=1)
        lines.append(f'"Workout","{when:%d %b %Y, %H:%M}","{end:%d %b %Y, %H:%M}","","{exercise}",,"",{number - 1},'
                     f'"normal",{load},{reps},,,')
    path.write_text("\n".join(lines) + "\n")
    return path


def _fitnotes(rows_and_units, path):
    lines = ["Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment"]
    lines += [f"{when:%Y-%m-%d},{exercise},Legs,{load},{unit},{reps},,,,"
              for (when, exercise, _, load, reps), unit in rows_and_units]
    path.write_text("\n".join(lines) + "\n")
    return path


# A pound lifter with change plates: 2.5-lb steps from the 45/25-lb plate totals (135, 185, 225).
LB_CHANGE_PLATES = [("Squat (Barbell)", [185, 187.5, 190, 192.5, 195], 5, 3),
                    ("Bench Press (Barbell)", [135, 137.5, 140, 142.5], 5, 3),
                    ("Deadlift (Barbell)", [225, 227.5, 230, 232.5], 5, 2),
                    ("Overhead Press (Barbell)", [85, 87.5, 90, 92.5], 5, 3),
                    ("Bent Over Row (Barbell)", [115, 117.5, 120, 122.5], 8, 3)]
# The same without a plate total: only strength tells it from a kg lifter on 1.25-kg plates.
LB_CHANGE_PLATES_NO_TOTALS = [("Squat (Barbell)", [200, 202.5, 205, 207.5, 210], 5, 3),
                              ("Bench Press (Barbell)", [150, 152.5, 155, 157.5], 5, 3),
                              ("Deadlift (Barbell)", [250, 252.5, 255, 257.5], 5, 2),
                              ("Overhead Press (Barbell)", [100, 102.5, 105, 107.5], 5, 3),
                              ("Bent Over Row (Barbell)", [130, 132.5, 137.5, 140], 8, 3)]
# A pound lifter on the bar (plate totals) and on machines whose stacks read 59/73/87...
LB_ODD_MACHINES = [("Squat (Barbell)", [185, 205, 225], 5, 3), ("Bench Press (Barbell)", [135, 145], 5, 3),
                   ("Lat Pulldown (Machine)", [113, 127, 141], 10, 3), ("Seated Row (Machine)", [99, 113, 127], 10, 3),
                   ("Leg Extension (Machine)", [73, 87, 101], 12, 3), ("Lying Leg Curl (Machine)", [59, 73, 87], 12, 3)]
LB_BARBELL = [("Squat (Barbell)", [185, 205, 225], 5, 3), ("Bench Press (Barbell)", [135, 145, 155], 5, 3),
              ("Deadlift (Barbell)", [225, 245, 275], 5, 2), ("Overhead Press (Barbell)", [85, 95], 5, 3),
              ("Bent Over Row (Barbell)", [115, 125, 135], 8, 3)]
KG_BARBELL = [("Squat (Barbell)", [80, 85, 90], 5, 3), ("Bench Press (Barbell)", [60, 62.5, 65], 5, 3),
              ("Deadlift (Barbell)", [100, 110, 120], 5, 2), ("Overhead Press (Barbell)", [40, 42.5], 5, 3),
              ("Bent Over Row (Barbell)", [50, 55, 60], 8, 3)]


def test_pound_lifter_on_change_plates_is_lb(tmp_path):
    """Was kg (log-odds -7.8): x.5 loads counted as kg evidence per load, and a 232.5 kg deadlift,
    142.5 kg bench and 92.5 kg press for 5 reps as routine sets only +1.3 toward lb."""
    log = parse_log_file(_strong(_rows(LB_CHANGE_PLATES, 12), tmp_path / "strong.csv"), "p")
    assert (log.unit, log.unit_confidence, log.lifter_unit) == ("lb", "confident", "lb"), log.unit_reason
    assert log.unit_evidence["plausibility"] > 2 and log.unit_evidence["increments"] > -1
    assert "Deadlift (Barbell) median 228.75 (squat/deadlift: 228.75 kg elite" in log.unit_reason
    bench = log.sets.loc[log.sets["exercise_raw"] == "Bench Press (Barbell)", "weight_kg"]
    assert bench.max() == pytest.approx(142.5 * LB_TO_KG, abs=0.01)


def test_change_plates_without_plate_totals_lean_to_pounds(tmp_path):
    """Was kg at -10.2. Equipment now says only "fine steps" (lb change plates are rarer than kg
    1.25-kg plates, about -2 to -3), and elite loads at every lift in kg outweigh it."""
    log = parse_log_file(_strong(_rows(LB_CHANGE_PLATES_NO_TOTALS, 12), tmp_path / "strong.csv"), "p")
    assert log.unit == "lb", log.unit_reason
    assert -4 < log.unit_evidence["increments"] < -1 and log.unit_evidence["plausibility"] > 3


def test_odd_machine_labels_are_one_fact_per_machine(tmp_path):
    """Was kg at -9.4: each pin of 59/73/87-labelled stacks counted as a 4:1 vote for kg."""
    log = parse_log_file(_strong(_rows(LB_ODD_MACHINES, 12), tmp_path / "strong.csv"), "p")
    assert (log.unit, log.unit_confidence, log.lifter_unit) == ("lb", "confident", "lb"), log.unit_reason
    # One odd-labelled machine alone, with many pins, is weak evidence.
    loads = [59, 66, 73, 80, 87, 94, 101, 108] * 3
    alone = infer_weight_unit(loads, ["Lat Pulldown (Machine)"] * len(loads))
    assert abs(alone.evidence[0][1]) < 2, alone.reason


KG_ROUND = [("Squat (Barbell)", [60, 80, 100], 5, 3), ("Bench Press (Barbell)", [40, 60], 5, 3),
            ("Deadlift (Barbell)", [100, 120, 140], 5, 2), ("Overhead Press (Barbell)", [20, 40], 5, 3),
            ("Bent Over Row (Barbell)", [40, 60], 8, 3)]
KG_FIVES = [("Squat (Barbell)", [100, 105, 110, 115], 5, 3), ("Bench Press (Barbell)", [75, 80, 85], 5, 3),
            ("Deadlift (Barbell)", [135, 140, 145], 5, 2), ("Overhead Press (Barbell)", [45, 50], 5, 3),
            ("Lat Pulldown (Cable)", [55, 60, 65], 10, 3), ("Bicep Curl (Dumbbell)", [12, 14], 10, 3)]
KG_ODD_MACHINES = [("Squat (Barbell)", [80, 82.5, 85, 87.5], 5, 3), ("Bench Press (Barbell)", [60, 62.5, 65], 5, 3),
                   ("Lat Pulldown (Machine)", [59, 66, 73], 10, 3), ("Seated Row (Machine)", [52, 59, 66], 10, 3),
                   ("Leg Extension (Machine)", [38, 45, 52], 12, 3), ("Lying Leg Curl (Machine)", [31, 38, 45], 12, 3)]
KG_DUMBBELLS = [("Bench Press (Dumbbell)", [22, 24, 26], 10, 3), ("Bent Over One Arm Row (Dumbbell)", [24, 26, 28], 10, 3),
                ("Overhead Press (Dumbbell)", [16, 18, 20], 10, 3), ("Bicep Curl (Dumbbell)", [10, 12, 14], 12, 3),
                ("Lateral Raise (Dumbbell)", [6, 8, 10], 15, 3), ("Goblet Squat (Dumbbell)", [24, 28, 32], 10, 3)]
LB_DUMBBELLS = [("Bench Press (Dumbbell)", [50, 55, 60], 10, 3), ("Bent Over One Arm Row (Dumbbell)", [55, 60, 65], 10, 3),
                ("Overhead Press (Dumbbell)", [35, 40, 45], 10, 3), ("Bicep Curl (Dumbbell)", [20, 25, 30], 12, 3),
                ("Lateral Raise (Dumbbell)", [15, 20], 15, 3), ("Goblet Squat (Dumbbell)", [50, 60, 70], 10, 3)]
LB_DUMBBELLS_LIGHT = [("Bench Press (Dumbbell)", [30, 35, 40], 10, 3), ("Bent Over One Arm Row (Dumbbell)", [35, 40], 10, 3),
                      ("Overhead Press (Dumbbell)", [20, 25, 30], 10, 3), ("Bicep Curl (Dumbbell)", [15, 20], 12, 3),
                      ("Lateral Raise (Dumbbell)", [10, 12], 15, 3), ("Goblet Squat (Dumbbell)", [30, 35, 40], 10, 3)]
LB_FEW = [("Squat (Barbell)", [135, 145, 155], 5, 3), ("Bench Press (Barbell)", [95, 100, 105], 5, 3),
          ("Deadlift (Barbell)", [185, 205, 225], 5, 1)]
LB_FEW_MACHINES = [("Lat Pulldown (Cable)", [70, 80, 90], 10, 3), ("Bench Press (Dumbbell)", [25, 30, 35], 10, 3),
                   ("Leg Press (Machine)", [140, 160, 180], 10, 3)]
KG_FEW = [("Squat (Barbell)", [60, 62.5, 65], 5, 3), ("Bench Press (Barbell)", [40, 42.5, 45], 5, 3)]


@pytest.mark.parametrize(("spec", "sessions", "unit"), [
    (KG_ROUND, 12, "kg"), (KG_FIVES, 12, "kg"), (KG_ODD_MACHINES, 12, "kg"), (KG_DUMBBELLS, 12, "kg"),
    (KG_BARBELL, 12, "kg"), (KG_FEW, 3, "kg"), (LB_BARBELL, 12, "lb"), (LB_DUMBBELLS, 12, "lb"),
    (LB_DUMBBELLS_LIGHT, 12, "lb"), (LB_FEW, 3, "lb"), (LB_FEW_MACHINES, 3, "lb"),
], ids=["kg-round", "kg-5-steps", "kg-odd-machines", "kg-dumbbells", "kg-barbell", "kg-3-sessions", "lb-barbell",
        "lb-dumbbells", "lb-light-dumbbells", "lb-3-sessions", "lb-3-sessions-machines"])
def test_lifters_read_right_stay_right(tmp_path, spec, sessions, unit):
    log = parse_log_file(_strong(_rows(spec, sessions), tmp_path / "strong.csv"), "p")
    assert (log.unit, log.unit_confidence, log.lifter_unit) == (unit, "confident", unit), log.unit_reason


@pytest.mark.parametrize("decimals", [5, 3, 2])
def test_kg_export_of_pound_entries_gives_a_pound_lifter_in_every_format(tmp_path, decimals):
    """Hevy wrote 61.235 (or 61.23) kg for 135 lb; the lifter stayed kg there (Strong files gave lb)."""
    rows = [(w, e, n, round(load * LB_TO_KG, decimals), r) for w, e, n, load, r in _rows(LB_BARBELL, 12)]
    hevy = parse_log_file(_hevy(rows, tmp_path / "workout_data.csv", "weight_kg"), "p")
    strong = parse_log_file(_strong(rows, tmp_path / "strong.csv"), "p")
    for log in (hevy, strong):
        assert (log.unit, log.lifter_unit, log.lifter_unit_source) == ("kg", "lb", "inferred"), log.unit_reason
        assert "kg exports of lb entries" in log.unit_reason
    assert hevy.unit_reason.startswith("header says kg (weight_kg)") and hevy.unit_confidence == "stated"
    written = sorted({row[3] for row in rows})
    assert sorted(hevy.sets["weight_kg"].unique()) == pytest.approx(written)  # stored as written


def test_hevy_kg_lifter_and_hevy_pounds_stay(tmp_path):
    kg = parse_log_file(_hevy(_rows(KG_BARBELL, 12), tmp_path / "kg.csv", "weight_kg"), "p")
    assert (kg.unit, kg.lifter_unit, kg.lifter_unit_source) == ("kg", "kg", "export")
    lb = parse_log_file(_hevy(_rows(LB_BARBELL, 12), tmp_path / "lb.csv", "weight_lbs"), "p")
    assert (lb.unit, lb.lifter_unit, lb.unit_reason) == ("lb", "lb", "header says lb (weight_lbs)")
    assert lb.sets["weight_kg"].max() == pytest.approx(275 * LB_TO_KG, abs=0.01)


def test_fitnotes_lifter_follows_the_latest_unit_cells(tmp_path):
    """kgs for 24 sessions, then lbs for the latest 12: the lifter is lb now (the majority said kg);
    each row's load is still converted by its own cell."""
    old = _rows(KG_BARBELL, 24, start=START - dt.timedelta(days=80))
    new = _rows(LB_BARBELL, 12, start=START)
    log = parse_log_file(_fitnotes([(r, "kgs") for r in old] + [(r, "lbs") for r in new], tmp_path / "f.csv"), "p")
    assert (log.unit, log.lifter_unit, log.lifter_unit_source) == ("mixed", "lb", "export")
    assert "your latest 100 loads were typed in lb" in log.unit_reason
    assert log.sets["weight_kg"].max() == pytest.approx(275 * LB_TO_KG, abs=0.01)
    assert 120.0 in log.sets["weight_kg"].tolist()
    back = _rows(KG_BARBELL, 12, start=START + dt.timedelta(days=40))
    log = parse_log_file(_fitnotes([(r, "lbs") for r in new] + [(r, "kgs") for r in back], tmp_path / "b.csv"), "p")
    assert log.lifter_unit == "kg"


def test_two_decimal_exports_show_their_conversion():
    pounds = np.array([95, 135, 185, 225, 115, 155])
    assert conversion_evidence(np.round(pounds * LB_TO_KG, 2)).entered_in == "lb"
    assert conversion_evidence(np.round(pounds * LB_TO_KG, 3)).entered_in == "lb"
    assert conversion_evidence(np.round(pounds * LB_TO_KG, 1)) is None  # 61.2: too coarse to tell
    assert conversion_evidence(np.array([60.0, 62.5, 22.5, 101.25, 12.0, 35.0])) is None  # typed kg
    typed = np.tile(np.round(pounds * LB_TO_KG, 2), 5)
    assert recent_typed_unit(typed, "kg", np.arange(len(typed))) == ("lb", len(typed))


def test_latest_typed_unit_is_one_rule():
    kg_then_lb = np.array([0.0] * 150 + [1.0] * 70)
    assert latest_typed_unit(kg_then_lb, np.arange(220)) == ("lb", 100)
    assert latest_typed_unit(kg_then_lb, -np.arange(220)) == ("kg", 100)
    assert latest_typed_unit(np.array([0.0, 1.0] * 60), np.arange(120)) is None  # no 60% majority
    assert latest_typed_unit(np.array([1.0] * 19 + [np.nan] * 50), np.arange(69)) is None  # too few known


def test_plausibility_weighs_loads_by_their_reps():
    """100 for one rep is a strong bench in kg; 100 for 15 reps is beyond elite in kg, ordinary in lb."""
    loads, names = [100.0] * 30, ["Bench Press (Barbell)"] * 30
    single = dict(infer_weight_unit(loads, names, reps=[1] * 30).evidence)["plausibility"]
    fifteen = dict(infer_weight_unit(loads, names, reps=[15] * 30).evidence)["plausibility"]
    unknown = dict(infer_weight_unit(loads, names).evidence)["plausibility"]
    assert fifteen > unknown > single and fifteen - single > 1
