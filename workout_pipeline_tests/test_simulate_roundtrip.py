"""Simulated sets -> app export (simulator's writers) -> ingestion's parser -> the same sets.

The writers and the readers were written independently from the same format facts, so this
round trip catches a mistake on either side. Each format keeps what it can hold: FitNotes has no
time of day or set types, Fitbod only marks warm-ups and has no time/distance columns, Hevy
times are to the minute, and only Strong's comma export carries rest timers.
"""

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.ingest import parse_log_file
from workout_pipeline.simulate import AthleteProfile, EXPORT_FORMATS, simulate_profiles, write_export

KEEPS_SET_TYPES = {"strong_classic", "strong_semicolon", "strong_v6", "hevy", "canonical"}
KEEPS_RPE = KEEPS_SET_TYPES
KEEPS_REST = {"strong_classic", "canonical"}
KEEPS_TIME = {"strong_classic", "strong_semicolon", "strong_v6", "hevy", "fitnotes", "canonical"}


@pytest.fixture(scope="module")
def log():
    profile = AthleteProfile(
        "trip", level="advanced", days_per_week=4, unit="lb", rest_logging=0.5, rpe_logging=0.8,
        drop_set_rate=0.5, conditioning_rate=0.4, failure_marking=1.0,
    )
    return simulate_profiles([profile], weeks=3, seed=5)


@pytest.mark.parametrize("unit", ["kg", "lb"])
@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_ingestion_reads_back_what_the_writer_wrote(tmp_path, log, fmt, unit):
    expected = log.sets
    path = write_export(expected, tmp_path / f"trip_{fmt}.csv", fmt, unit=unit, sessions=log.sessions, notes=log.notes)
    # Files without a unit column get it stated (the lb lifter's kg values in Fitbod are not
    # round in either unit, so inference has nothing to go on); the others say it themselves.
    stated = {"strong_classic": unit, "fitbod": "kg"}.get(fmt, "auto")
    parsed = parse_log_file(path, "trip", unit=stated)
    assert parsed.error is None
    assert parsed.format == fmt
    assert len(parsed.rejected) == 0
    got = parsed.sets.sort_values(["performed_at", "source_row"]).reset_index(drop=True)
    assert len(got) == len(expected)
    assert parsed.rows_in == len(expected) + parsed.non_set_rows
    if fmt == "strong_classic":
        assert parsed.non_set_rows == expected["rest_s"].notna().sum() + len(log.notes)

    assert (got["exercise_raw"].to_numpy() == expected["exercise_raw"].to_numpy()).all()
    assert (got["set_index"].to_numpy() == expected["set_index"].to_numpy()).all()
    assert np.allclose(got["weight_kg"], expected["weight_kg"], atol=0.01, equal_nan=True)
    assert np.allclose(got["reps"].astype(float), expected["reps"].astype(float), equal_nan=True)
    start = expected["performed_at"]
    if fmt == "fitnotes":
        assert (got["performed_at"].dt.date.to_numpy() == start.dt.date.to_numpy()).all()
    elif fmt == "hevy":
        assert (got["performed_at"].to_numpy() == start.dt.floor("min").to_numpy()).all()
    else:
        assert (got["performed_at"].to_numpy() == start.to_numpy()).all()
    if fmt in KEEPS_SET_TYPES:
        assert (got["set_type"].to_numpy() == expected["set_type"].to_numpy()).all()
    elif fmt == "fitbod":
        assert ((got["set_type"] == "warmup").to_numpy() == (expected["set_type"] == "warmup").to_numpy()).all()
    if fmt in KEEPS_RPE:
        assert np.allclose(got["rpe"], expected["rpe"], equal_nan=True)
    if fmt in KEEPS_REST:
        assert np.allclose(got["rest_s"], expected["rest_s"], equal_nan=True)
    if fmt in KEEPS_TIME:
        assert np.allclose(got["duration_s"], expected["duration_s"], equal_nan=True)
        assert np.allclose(got["distance_m"], expected["distance_m"], atol=1.0, equal_nan=True)


def test_demo_files_ingest_with_the_right_units():
    from workout_pipeline.paths import DATA_DIR
    from workout_pipeline.simulate import DEMO_ATHLETES

    for demo in DEMO_ATHLETES:
        parsed = parse_log_file(DATA_DIR / "demo" / demo.filename, demo.profile.athlete_id)
        assert parsed.error is None and parsed.format == demo.fmt
        assert parsed.unit == demo.unit, (demo.filename, parsed.unit_reason)
        assert len(parsed.rejected) == 0 and len(parsed.sets) > 500
        assert parsed.rows_in == len(parsed.sets) + parsed.non_set_rows
        assert isinstance(parsed.sets, pd.DataFrame)
