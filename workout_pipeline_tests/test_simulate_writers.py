"""App-format writers: exact headers, every set row parses back with pandas, values survive."""

import io
import os

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.schema import CANONICAL_COLUMNS, to_canonical
from workout_pipeline.simulate import AthleteProfile, EXPORT_FORMATS, export_header, simulate_profiles, write_export
from workout_pipeline.simulate.lifts import KG_PER_LB

NON_SET_ORDERS = {"Rest Timer", "Note"}
SEPARATOR = {"strong_semicolon": ";", "strong_v6": ";"}


@pytest.fixture(scope="module")
def log():
    """One heavily-logging lifter (RPE, rest timers, drop sets) plus forced notes, 3 weeks."""
    profile = AthleteProfile(
        "writer", level="advanced", days_per_week=4, rest_logging=0.6, rpe_logging=0.9, drop_set_rate=0.6,
        warmup_logging=0.9, failure_marking=1.0, conditioning_rate=0.7,
    )
    simulated = simulate_profiles([profile], weeks=3, seed=21)
    first_blocks = simulated.sets.drop_duplicates(["session_id", "exercise_raw"]).head(3)
    simulated.notes = pd.DataFrame(
        {
            "session_id": first_blocks["session_id"].to_numpy(),
            "exercise_raw": first_blocks["exercise_raw"].to_numpy(),
            "note": ["Felt heavy, belt on", 'Grip "hook", no straps', "Line one\nline two"],
        }
    )
    return simulated


def _read(path, fmt) -> pd.DataFrame:
    return pd.read_csv(path, sep=SEPARATOR.get(fmt, ","), dtype=str, keep_default_na=False)


def _num(values: pd.Series) -> pd.Series:
    """Numbers from text cells; empty cells -> NaN."""
    return pd.to_numeric(values.replace("", np.nan))


def _set_rows(parsed: pd.DataFrame, fmt: str) -> pd.DataFrame:
    if fmt == "strong_classic":
        return parsed[~parsed["Set Order"].isin(NON_SET_ORDERS)].reset_index(drop=True)
    return parsed


@pytest.mark.parametrize("unit", ["kg", "lb"])
@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_header_is_exact_and_every_set_parses_back(tmp_path, log, fmt, unit):
    path = write_export(log.sets, tmp_path / f"{fmt}.csv", fmt, unit=unit, sessions=log.sessions, notes=log.notes)
    raw = path.read_bytes()
    assert raw.split(b"\n", 1)[0].decode() == export_header(fmt, unit)
    assert b"\r" not in raw and raw.endswith(b"\n")
    parsed = _read(path, fmt)
    assert len(_set_rows(parsed, fmt)) == len(log.sets)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


EXPECTED_HEADERS = {
    ("strong_classic", "kg"): "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE",
    ("strong_v6", "kg"): '"Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";"Weight (kg)";"Reps";"RPE";"Distance (meters)";"Seconds";"Notes";"Workout Notes"',
    ("strong_v6", "lb"): '"Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";"Weight (lbs)";"Reps";"RPE";"Distance (miles)";"Seconds";"Notes";"Workout Notes"',
    ("hevy", "kg"): '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"',
    ("hevy", "lb"): '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index","set_type","weight_lbs","reps","distance_miles","duration_seconds","rpe"',
    ("fitnotes", "kg"): "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,Comment",
    ("fitnotes", "lb"): "Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time,Comment",
    ("fitbod", "kg"): "Date,Exercise,Sets,Reps,Weight,isWarmup,Note",
}


@pytest.mark.parametrize("key", sorted(EXPECTED_HEADERS))
def test_headers_match_the_apps(key):
    assert export_header(*key) == EXPECTED_HEADERS[key]


def test_strong_classic_values_rest_timers_and_notes(tmp_path, log):
    sets = log.sets
    path = write_export(sets, tmp_path / "s.csv", "strong_classic", unit="kg", sessions=log.sessions, notes=log.notes)
    parsed = _read(path, "strong_classic")
    rows = _set_rows(parsed, "strong_classic")
    assert np.allclose(_num(rows["Weight"]), sets["weight_kg"].round(2), equal_nan=True)
    assert np.allclose(_num(rows["Reps"]), sets["reps"].astype(float), equal_nan=True)
    marks = rows["Set Order"].where(rows["Set Order"].isin(["W", "F", "D"]), "N")
    expected = sets["set_type"].map({"warmup": "W", "failure": "F", "drop": "D", "normal": "N"})
    assert (marks.to_numpy() == expected.to_numpy()).all()
    numbered = rows[marks == "N"].groupby(["Date", "Exercise Name"])["Set Order"].apply(lambda s: list(s.astype(int)))
    assert all(v == list(range(1, len(v) + 1)) for v in numbered)
    rpe = pd.to_numeric(rows["RPE"], errors="coerce")
    assert np.allclose(rpe.fillna(-1), sets["rpe"].fillna(-1))
    # A Rest Timer row follows each set with a logged rest and carries it in Seconds.
    timers = parsed.index[parsed["Set Order"] == "Rest Timer"]
    assert len(timers) == sets["rest_s"].notna().sum() > 0
    before = parsed.loc[timers - 1, "Set Order"]
    assert not before.isin(NON_SET_ORDERS).any()
    assert np.allclose(parsed.loc[timers, "Seconds"].astype(float), sets["rest_s"].dropna())
    # Note rows come right before their exercise's first set, text intact (quotes, newline).
    notes = parsed[parsed["Set Order"] == "Note"]
    assert notes["Notes"].tolist() == log.notes["note"].tolist()
    assert (parsed.loc[notes.index + 1, "Exercise Name"].to_numpy() == notes["Exercise Name"].to_numpy()).all()
    # Session start, workout name and duration text.
    first = parsed.iloc[0]
    assert first["Date"] == sets["performed_at"].iloc[0].strftime("%Y-%m-%d %H:%M:%S")
    assert parsed["Duration"].str.fullmatch(r"(\d+h \d+m|\d+h|\d+m)").all()
    assert set(parsed["Workout Name"]) <= set(log.sessions["workout_name"])


def test_pound_exports_hold_round_pounds(tmp_path):
    profile = AthleteProfile("lbs", level="intermediate", unit="lb", days_per_week=3)
    sim = simulate_profiles([profile], weeks=4, seed=8)
    path = write_export(sim.sets, tmp_path / "lb.csv", "strong_classic", unit="lb", sessions=sim.sessions)
    rows = _set_rows(_read(path, "strong_classic"), "strong_classic")
    pounds = rows["Weight"].astype(float)
    assert np.allclose(pounds, sim.sets["weight_kg"] / KG_PER_LB, atol=0.006)
    barbell = rows["Exercise Name"].str.contains("(Barbell)", regex=False)
    assert barbell.any() and (pounds[barbell] % 5 == 0).all()


def test_hevy_is_newest_first_with_zero_based_indices(tmp_path, log):
    path = write_export(log.sets, tmp_path / "h.csv", "hevy", sessions=log.sessions, notes=log.notes)
    parsed = _read(path, "hevy")
    starts = pd.to_datetime(parsed["start_time"], format="%d %b %Y, %H:%M")
    assert starts.is_monotonic_decreasing and starts.iloc[0] > starts.iloc[-1]
    ends = pd.to_datetime(parsed["end_time"], format="%d %b %Y, %H:%M")
    assert (ends > starts).all()
    assert set(parsed["set_type"]) <= {"normal", "warmup", "failure", "dropset"}
    assert "dropset" in set(parsed["set_type"])
    # Back in chronological order the rows line up with the canonical frame.
    chrono = parsed.assign(_start=starts).iloc[np.lexsort((np.arange(len(parsed)), starts.to_numpy()))]
    assert (chrono["set_index"].astype(int).to_numpy() == log.sets["set_index"].to_numpy()).all()
    assert np.allclose(_num(chrono["weight_kg"]), log.sets["weight_kg"].round(2), equal_nan=True)
    noted = parsed[parsed["exercise_notes"] != ""]
    assert set(noted["exercise_notes"]) == set(log.notes["note"])


def test_fitnotes_and_fitbod_specifics(tmp_path, log):
    fitnotes = _read(write_export(log.sets, tmp_path / "f.csv", "fitnotes", sessions=log.sessions), "fitnotes")
    assert fitnotes["Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert "Other" not in set(fitnotes["Category"])
    fitbod = _read(write_export(log.sets, tmp_path / "b.csv", "fitbod", unit="lb"), "fitbod")
    assert (fitbod["Sets"] == "1").all()
    assert (fitbod["isWarmup"] == "true").sum() == (log.sets["set_type"] == "warmup").sum()
    assert np.allclose(_num(fitbod["Weight"]), log.sets["weight_kg"], atol=0.006, equal_nan=True)  # always kg
    assert fitbod["Date"].str.endswith(" +0000").all()


def test_canonical_csv_round_trips(tmp_path, log):
    path = write_export(log.sets, tmp_path / "c.csv", "canonical")
    back = to_canonical(pd.read_csv(path))
    assert tuple(back.columns) == CANONICAL_COLUMNS
    pd.testing.assert_frame_equal(back, log.sets, check_exact=False)


def test_awkward_text_and_plain_frames(tmp_path):
    """Commas, quotes and line breaks in names survive; a frame without session info still writes."""
    frame = to_canonical(
        pd.DataFrame(
            {
                "athlete_id": "x",
                "session_id": ["x:1", "x:1", "x:2"],
                "performed_at": pd.to_datetime(["2025-02-01 10:00", "2025-02-01 10:00", "2025-02-03 09:30"]),
                "exercise_raw": ['Curl, "EZ" bar', 'Curl, "EZ" bar', "Row\nmachine"],
                "set_index": [0, 1, 0],
                "set_type": ["normal", "failure", "drop"],
                "weight_kg": [30.0, 30.0, 50.5],
                "reps": [10, 8, 12],
                "rpe": np.nan,
                "rest_s": [90.0, np.nan, np.nan],
                "duration_s": [np.nan, np.nan, 45.0],
                "distance_m": np.nan,
            }
        )
    )
    for fmt in EXPORT_FORMATS:
        path = write_export(frame, tmp_path / f"{fmt}.csv", fmt)
        rows = _set_rows(_read(path, fmt), fmt)
        assert len(rows) == 3, fmt
        name_column = {"hevy": "exercise_title", "fitnotes": "Exercise", "fitbod": "Exercise", "canonical": "exercise_raw"}
        names = set(rows[name_column.get(fmt, "Exercise Name")])
        assert names == {'Curl, "EZ" bar', "Row\nmachine"}, fmt
    classic = _read(tmp_path / "strong_classic.csv", "strong_classic")
    assert set(classic["Workout Name"]) == {"Workout"}
    assert classic.loc[classic["Set Order"] == "D", "Seconds"].tolist() == ["45"]


def test_empty_frame_writes_only_the_header(tmp_path):
    empty = to_canonical(pd.DataFrame())
    for fmt in EXPORT_FORMATS:
        text = write_export(empty, tmp_path / f"{fmt}.csv", fmt).read_text()
        assert text == export_header(fmt) + "\n"
        assert len(pd.read_csv(io.StringIO(text), sep=SEPARATOR.get(fmt, ","))) == 0


def test_bad_arguments(tmp_path, log):
    with pytest.raises(ValueError, match="unknown export format"):
        write_export(log.sets, tmp_path / "x.csv", "excel")
    with pytest.raises(ValueError, match="unit"):
        write_export(log.sets, tmp_path / "x.csv", "hevy", unit="stone")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_chunked_writing_gives_the_same_bytes(tmp_path, log, monkeypatch, fmt):
    """Large files are formatted in slices; slice borders must not show in the output."""
    from workout_pipeline.simulate import writers

    whole = write_export(log.sets, tmp_path / "whole.csv", fmt, sessions=log.sessions, notes=log.notes).read_bytes()
    monkeypatch.setattr(writers, "_CHUNK_ROWS", 97)  # several slices, borders inside sessions
    sliced = write_export(log.sets, tmp_path / "sliced.csv", fmt, sessions=log.sessions, notes=log.notes).read_bytes()
    assert sliced == whole


def test_runs_and_planks_carry_time_and_distance(tmp_path, log):
    sets = log.sets
    timed = sets["duration_s"].notna()
    assert timed.any() and sets["distance_m"].notna().any()
    for fmt, unit in [("strong_classic", "kg"), ("strong_v6", "lb"), ("hevy", "lb"), ("strong_semicolon", "lb")]:
        rows = _set_rows(_read(write_export(sets, tmp_path / f"{fmt}.csv", fmt, unit=unit), fmt), fmt)
        seconds = _num(rows[{"hevy": "duration_seconds"}.get(fmt, "Seconds")])
        assert sorted(seconds[seconds > 0]) == sorted(sets.loc[timed, "duration_s"]), fmt
        per_unit = 1000.0 if unit == "kg" else 1609.344
        distance = {"hevy": "distance_km" if unit == "kg" else "distance_miles", "strong_v6": "Distance (miles)"}.get(fmt, "Distance")
        written = np.sort(_num(rows[distance]).to_numpy())
        written = written[written > 0]
        assert np.allclose(written, np.sort(sets["distance_m"].dropna() / per_unit), atol=0.001), fmt
        weight = {"hevy": "weight_lbs", "strong_v6": "Weight (lbs)"}.get(fmt, "Weight")
        # No load on runs and planks: an empty cell, not a made-up zero.
        assert (rows[weight] == "").sum() == timed.sum(), fmt
