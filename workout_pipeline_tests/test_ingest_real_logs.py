"""The five public real logs: every row accounted, units right, per-file counts pinned.

The counts were computed once and checked against the files by independent reasoning:
- breinsp (Strong classic, kg): 2078 data rows, all numbered sets, no duplicates -> 2078 valid.
- dericmei (Strong classic, Chinese header, lb export of kg entries): 6778 rows; pandas finds
  433 exact duplicate rows (asserted below from the raw file), and two sets log 212 and 111
  reps (typos above the 0..100 range) -> 6343 valid, 435 quarantined.
- dravenbc (Strong v6, semicolon, Weight (kg)): 266 rows, all valid.
- ferreiragabrielw-hevy (Hevy, weight_kg): 9542 rows; one set logs 111 reps -> 9541 valid.
- ys-math (Strong classic, kg, 162 "W" warm-up rows): 666 rows, all valid.
"""

import pandas as pd
import pytest

from workout_pipeline.ingest import ingest_paths
from workout_pipeline.schema import CANONICAL_COLUMNS

EXPECTED = {
    # athlete: (format, unit, rows_in, valid, quarantined, non_set_rows, by_reason)
    "breinsp": ("strong_classic", "kg", 2078, 2078, 0, 0, {}),
    "dericmei": ("strong_classic", "lb", 6778, 6343, 435, 0, {"duplicate": 433, "reps_out_of_range": 2}),
    "dravenbc": ("strong_v6", "kg", 266, 266, 0, 0, {}),
    "ferreiragabrielw-hevy": ("hevy", "kg", 9542, 9541, 1, 0, {"reps_out_of_range": 1}),
    "ys-math": ("strong_classic", "kg", 666, 666, 0, 0, {}),
}


@pytest.fixture(scope="module")
def ingested(real_logs, tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    paths = list(real_logs.values())
    # Each file is named by its folder (the files themselves are called strong.csv etc.).
    reports = {athlete: ingest_paths([path], out_dir=out, athlete=athlete) for athlete, path in real_logs.items()}
    return reports, out, paths


def test_every_row_accounted_and_counts_pinned(ingested):
    reports, _, _ = ingested
    assert set(reports) == set(EXPECTED)
    for athlete, report in reports.items():
        (entry,) = report.summary["per_file"]
        fmt, unit, rows_in, valid, quarantined, non_set, by_reason = EXPECTED[athlete]
        assert entry["error"] is None
        assert (entry["format"], entry["unit"]) == (fmt, unit), athlete
        assert entry["rows_in"] == entry["valid"] + entry["quarantined"] + entry["non_set_rows"]
        assert (entry["rows_in"], entry["valid"], entry["quarantined"], entry["non_set_rows"]) == (
            rows_in, valid, quarantined, non_set), athlete
        assert report.summary["by_reason"] == by_reason
        assert len(report.validated) == valid and len(report.quarantined) == quarantined
        # Each data row appears once across the two tables.
        rows = pd.concat([report.validated["source_row"], report.quarantined["source_row"]])
        assert sorted(rows.tolist()) == list(range(1, rows_in + 1))


def test_dericmei_lb_export_of_kg_entries(ingested, real_logs):
    reports, _, _ = ingested
    report = reports["dericmei"]
    (entry,) = report.summary["per_file"]
    assert "lb exports of kg entries" in entry["unit_reason"]
    first = report.validated.sort_values("source_row").iloc[0]
    assert first["weight_kg"] == 20.0 and first["exercise_raw"] == "Bent Over Row (Barbell)"
    # Most loads come out as round kilograms, as the athlete typed them.
    weights = report.validated["weight_kg"]
    assert ((weights * 4).round(6) % 1 == 0).mean() > 0.8
    raw = pd.read_csv(real_logs["dericmei"])
    assert int(raw.duplicated().sum()) == 433 == report.summary["by_reason"]["duplicate"]


def test_units_and_values_of_the_other_logs(ingested, real_logs):
    reports, _, _ = ingested
    breinsp = reports["breinsp"].validated.sort_values("source_row").iloc[0]
    assert (breinsp["exercise_raw"], breinsp["weight_kg"], breinsp["reps"]) == ("Bench Press (Barbell)", 75.0, 8)
    dravenbc = reports["dravenbc"].validated.sort_values("source_row").iloc[0]
    assert dravenbc["weight_kg"] == pytest.approx(61.23492)  # kg export of 135 lb, kept in kg
    hevy = reports["ferreiragabrielw-hevy"].validated
    first = hevy.sort_values("source_row").iloc[0]
    assert (first["weight_kg"], first["performed_at"]) == (90.0, pd.Timestamp("2026-01-13 18:43"))
    assert hevy["set_type"].value_counts().to_dict() == {"normal": 7302, "failure": 2149, "drop": 76, "warmup": 14}
    ys = reports["ys-math"].validated
    assert ys["set_type"].value_counts().get("warmup", 0) == 162  # rows with Set Order "W" (grep ",W,")
    for report in reports.values():
        assert list(report.validated.columns) == list(CANONICAL_COLUMNS)
        prefixes = report.validated["athlete_id"] + ":"
        assert all(s.startswith(p) for s, p in zip(report.validated["session_id"], prefixes))
        identity = ["athlete_id", "performed_at", "exercise_raw", "set_index"]
        assert not report.validated.duplicated(identity).any()


def test_store_holds_all_athletes_once(ingested):
    from workout_pipeline.ingest import load_store

    reports, out, _ = ingested
    validated, quarantined = load_store(out)
    assert len(validated) == sum(e[3] for e in EXPECTED.values())
    assert len(quarantined) == sum(e[4] for e in EXPECTED.values())
    assert sorted(validated["athlete_id"].unique()) == sorted(EXPECTED)
