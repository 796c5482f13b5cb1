"""The accumulating store: overlapping exports update instead of duplicating; writes are atomic."""

import pandas as pd
import pytest

from workout_pipeline.ingest import QUARANTINED_FILE, VALIDATED_FILE, ingest_paths, load_store, merge_into_store

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
WEEK1 = [
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n',
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",2,100,5,0,0,"","",\n',
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",3,100,250,0,0,"","",\n',  # quarantined: reps
    '2024-03-04 18:00:00,"B",1h,"Bench Press (Barbell)",1,70,5,0,0,"","",\n',
]
WEEK2_NEW = [
    '2024-03-08 18:00:00,"A",1h,"Squat (Barbell)",1,102.5,5,0,0,"","",\n',
    '2024-03-08 18:00:00,"A",1h,"Squat (Barbell)",2,102.5,5,0,0,"","",\n',
]


def _export(path, lines):
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _snapshot(out):
    return [(out / name).read_bytes() for name in (VALIDATED_FILE, QUARANTINED_FILE)]


def test_same_file_twice_leaves_the_store_unchanged(tmp_path):
    export = _export(tmp_path / "alice.csv", WEEK1)
    out = tmp_path / "store"
    first = ingest_paths([export], out_dir=out).summary["store"]
    before = load_store(out)
    second = ingest_paths([export], out_dir=out).summary["store"]
    after = load_store(out)
    assert (first["added"], first["validated_total"], first["quarantined_total"]) == (3, 3, 1)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 3)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_this_weeks_export_adds_only_new_sets(tmp_path):
    out = tmp_path / "store"
    ingest_paths([_export(tmp_path / "week1.csv", WEEK1)], out_dir=out, athlete="alice")
    # The app exports the whole history again, newest first, with one old set corrected.
    corrected = WEEK1[:1] + [WEEK1[1].replace(",100,5,", ",105,5,")] + WEEK1[2:]
    week2 = _export(tmp_path / "week2.csv", list(reversed(WEEK2_NEW)) + corrected)
    store = ingest_paths([week2], out_dir=out, athlete="alice").summary["store"]
    assert (store["added"], store["updated"], store["unchanged"]) == (2, 1, 2)
    validated, quarantined = load_store(out)
    assert len(validated) == 5
    assert validated.loc[validated["performed_at"] == pd.Timestamp("2024-03-01 18:00"), "weight_kg"].tolist() == [100.0, 105.0]
    # The bad row, quarantined from both weekly files, is stored once.
    assert quarantined["reason"].tolist() == ["reps_out_of_range"]
    assert not validated.duplicated(["athlete_id", "performed_at", "exercise_raw", "set_index"]).any()


def test_re_ingesting_a_fixed_file_clears_its_quarantine(tmp_path):
    out = tmp_path / "store"
    export = _export(tmp_path / "alice.csv", WEEK1)
    ingest_paths([export], out_dir=out)
    _export(export, [line.replace(",250,", ",5,") for line in WEEK1])
    ingest_paths([export], out_dir=out)
    validated, quarantined = load_store(out)
    assert len(validated) == 4 and quarantined.empty


def test_a_crash_while_writing_keeps_the_previous_store(tmp_path, monkeypatch):
    out = tmp_path / "store"
    ingest_paths([_export(tmp_path / "alice.csv", WEEK1)], out_dir=out)
    before = _snapshot(out)

    def explode(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", explode)
    report_input = _export(tmp_path / "alice.csv", WEEK1 + WEEK2_NEW)
    with pytest.raises(OSError):
        ingest_paths([report_input], out_dir=out)
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [QUARANTINED_FILE, VALIDATED_FILE]  # no temp files left


def test_merge_into_store_directly(tmp_path):
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    counts = merge_into_store(tmp_path / "s", report.validated, report.quarantined)
    assert counts == {"added": 3, "updated": 0, "unchanged": 0, "validated_total": 3, "quarantined_total": 1}
    assert not (tmp_path / "store").exists()
