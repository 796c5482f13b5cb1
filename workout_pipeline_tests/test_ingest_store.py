"""The accumulating store: overlapping exports update instead of duplicating; writes are atomic;
an export is the truth for its athlete and time span; the athletes table; old stores migrate."""

import os

import pandas as pd
import pytest

from workout_pipeline.errors import InputError
from workout_pipeline.ingest import (
    ATHLETES_FILE,
    QUARANTINED_FILE,
    VALIDATED_FILE,
    athlete_units,
    ingest_paths,
    load_store,
    merge_into_store,
    read_store,
)
from workout_pipeline.ingest import store
from workout_pipeline.ingest.store import store_lock

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

    monkeypatch.setattr(store, "write_table", explode)
    report_input = _export(tmp_path / "alice.csv", WEEK1 + WEEK2_NEW)
    with pytest.raises(OSError):
        ingest_paths([report_input], out_dir=out)
    monkeypatch.undo()
    assert _snapshot(out) == before
    listing = sorted(p.name for p in out.iterdir())
    assert listing == [".store", ".store.lock", ATHLETES_FILE, "current", QUARANTINED_FILE, VALIDATED_FILE]
    assert [p.name for p in (out / ".store").iterdir()] == ["gen-1"]  # no temporary generation left


def test_merge_into_store_directly(tmp_path):
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    counts = merge_into_store(tmp_path / "s", report.validated, report.quarantined)
    assert counts == {"added": 3, "updated": 0, "unchanged": 0, "removed": 0, "validated_total": 3,
                      "quarantined_total": 1, "athletes_total": 0, "generation": 1}
    assert not (tmp_path / "store").exists()


HISTORY = [  # two weeks of one lifter, oldest first
    '2024-02-20 18:00:00,"A",1h,"Squat (Barbell)",1,95,5,0,0,"","",\n',
    '2024-02-20 18:00:00,"A",1h,"Squat (Barbell)",2,95,5,0,0,"","",\n',
] + WEEK1[:2] + WEEK1[3:] + WEEK2_NEW


def _stored(out):
    validated, quarantined = load_store(out)
    key = lambda frame: sorted(zip(frame["performed_at"].astype(str), frame["exercise_raw"], frame["set_index"], frame["weight_kg"]))  # noqa: E731
    return key(validated), key(quarantined)


def test_a_newer_export_is_the_truth_for_its_span(tmp_path):
    out = tmp_path / "store"
    ingest_paths([_export(tmp_path / "old.csv", HISTORY)], out_dir=out, athlete="alice")
    # The lifter deleted one set (03-08 set 2), edited one into nonsense (03-01 set 1: 250 reps)
    # and renamed an exercise (Bench -> Incline) before exporting again.
    edited = [
        HISTORY[0], HISTORY[1],
        HISTORY[2].replace(",100,5,", ",100,250,"), HISTORY[3],
        HISTORY[4].replace("Bench Press (Barbell)", "Incline Bench Press (Barbell)"),
        HISTORY[5],
    ]
    store = ingest_paths([_export(tmp_path / "new.csv", edited)], out_dir=out, athlete="alice").summary["store"]
    validated, quarantined = load_store(out)
    assert len(validated) == 5 and store["removed"] == 3  # deleted, moved to quarantine, renamed away
    assert "Bench Press (Barbell)" not in set(validated["exercise_raw"])
    assert "Incline Bench Press (Barbell)" in set(validated["exercise_raw"])
    assert (validated["performed_at"] == pd.Timestamp("2024-03-08 18:00")).sum() == 1
    assert quarantined["reason"].tolist() == ["reps_out_of_range"]  # the edited set, in one table only
    ids = ["athlete_id", "performed_at", "exercise_raw", "set_index"]
    assert pd.concat([validated[ids], quarantined[ids]]).duplicated().sum() == 0


def test_a_recent_weeks_export_leaves_older_sets_alone(tmp_path):
    out = tmp_path / "store"
    ingest_paths([_export(tmp_path / "full.csv", HISTORY)], out_dir=out, athlete="alice")
    before_valid, _ = _stored(out)
    # An export of the last week only, with the 03-08 second set deleted.
    recent = _export(tmp_path / "recent.csv", [WEEK2_NEW[0]])
    store = ingest_paths([recent], out_dir=out, athlete="alice").summary["store"]
    after_valid, _ = _stored(out)
    assert store["removed"] == 1
    assert len(after_valid) == len(before_valid) - 1  # only the set inside the span went
    assert [row for row in before_valid if not row[0].startswith("2024-03-08")] == \
        [row for row in after_valid if not row[0].startswith("2024-03-08")]
    # Another athlete's sets in the same dates are never touched.
    ingest_paths([_export(tmp_path / "bob.csv", HISTORY)], out_dir=out, athlete="bob")
    ingest_paths([recent], out_dir=out, athlete="alice")
    validated, _ = load_store(out)
    assert (validated["athlete_id"] == "bob").sum() == 7


def test_athletes_table_is_committed_with_the_sets(tmp_path):
    out = tmp_path / "store"
    assert athlete_units(out) == {}
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    athletes = pd.DataFrame({"athlete_id": ["bob"], "unit": ["lb"], "unit_source": ["inferred"], "unit_reason": ["loads"]})
    merge_into_store(out, report.validated, report.quarantined, athletes=athletes)
    assert athlete_units(out) == {"bob": "lb"}
    # A later run without the table keeps it; one with it upserts by athlete.
    merge_into_store(out, report.validated, report.quarantined)
    assert athlete_units(out) == {"bob": "lb"}
    more = pd.DataFrame({"athlete_id": ["bob", "carol"], "unit": ["kg", "kg"], "unit_source": ["override", "export"],
                         "unit_reason": ["--unit kg", "header"]})
    merge_into_store(out, report.validated, report.quarantined, athletes=more)
    tables = read_store(out)
    assert athlete_units(out) == {"bob": "kg", "carol": "kg"}
    assert list(tables.athletes.columns) == ["athlete_id", "unit", "unit_source", "unit_reason"]
    assert pd.read_parquet(out / ATHLETES_FILE)["athlete_id"].tolist() == ["bob", "carol"]
    with pytest.raises(ValueError, match="unit"):
        merge_into_store(out, report.validated, report.quarantined, athletes=more.assign(unit="stone"))


def test_an_old_plain_file_store_is_read_and_migrated(tmp_path):
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    out = tmp_path / "store"
    out.mkdir()
    report.validated.to_parquet(out / VALIDATED_FILE, index=False)  # today's layout: plain files
    report.quarantined.to_parquet(out / QUARANTINED_FILE, index=False)
    (out / ".validated_sets.parquet.abc123.tmp").write_bytes(b"left by a killed run")
    assert len(read_store(out).validated) == 3 and athlete_units(out) == {}
    week2 = ingest_paths([_export(tmp_path / "bob2.csv", WEEK2_NEW)])
    merge_into_store(out, week2.validated, week2.quarantined)
    assert (out / VALIDATED_FILE).is_symlink() and (out / "current").is_symlink()
    assert len(pd.read_parquet(out / VALIDATED_FILE)) == 5
    assert not list(out.glob(".*.tmp"))


def test_old_generations_and_orphans_are_cleaned(tmp_path):
    out = tmp_path / "store"
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    for _ in range(4):
        merge_into_store(out, report.validated, report.quarantined)
    orphan = out / ".store" / ".tmp-gen-9-12345"
    orphan.mkdir()
    (orphan / VALIDATED_FILE).write_bytes(b"half")
    os.symlink(".store/gen-1", out / ".current.tmp-link-999")
    counts = merge_into_store(out, report.validated, report.quarantined)
    assert counts["generation"] == 5
    assert sorted(p.name for p in (out / ".store").iterdir()) == ["gen-4", "gen-5"]
    assert not (out / ".current.tmp-link-999").is_symlink()


def test_a_held_lock_times_out_with_a_clear_error(tmp_path):
    out = tmp_path / "store"
    out.mkdir()
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    with store_lock(out, timeout=1):
        with pytest.raises(InputError, match="locked by another ingest"):
            merge_into_store(out, report.validated, report.quarantined, lock_timeout=0.2)
    merge_into_store(out, report.validated, report.quarantined, lock_timeout=0.2)  # free again


def test_out_that_is_a_file_is_an_input_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        merge_into_store(target, pd.DataFrame(), pd.DataFrame())


def test_a_damaged_store_is_one_clear_error(tmp_path):
    out = tmp_path / "store"
    report = ingest_paths([_export(tmp_path / "bob.csv", WEEK1)])
    merge_into_store(out, report.validated, report.quarantined)
    (out / ".store" / "gen-1" / QUARANTINED_FILE).write_bytes(b"junk")
    with pytest.raises(InputError, match="unreadable"):
        read_store(out)
    import shutil

    shutil.rmtree(out / ".store")
    with pytest.raises(InputError, match="points to a missing generation"):
        merge_into_store(out, report.validated, report.quarantined)


def test_in_spans_matches_a_row_by_row_reading():
    """Each row is in a span when one of its athlete's spans holds its date (bounds included);
    text or categorical athletes, missing athletes and dates, several spans per athlete."""
    import numpy as np

    from workout_pipeline.ingest.store import in_spans

    rng = np.random.default_rng(0)
    names = ["a0", "a1", "a2", "é", "x y"]
    for _ in range(200):
        n, k = int(rng.integers(0, 40)), int(rng.integers(0, 6))
        frame = pd.DataFrame({
            "athlete_id": pd.array(rng.choice(names + [None], n), dtype="string"),
            "performed_at": pd.to_datetime(rng.integers(0, 60, n), unit="D", origin="2024-01-01").astype("datetime64[us]"),
        })
        frame.loc[rng.random(n) < 0.1, "performed_at"] = pd.NaT
        lo = pd.to_datetime(rng.integers(0, 60, k), unit="D", origin="2024-01-01")
        spans = pd.DataFrame({"athlete_id": pd.array(rng.choice(names, k), dtype="string"),
                              "lo": lo.astype("datetime64[us]"),
                              "hi": (lo + pd.to_timedelta(rng.integers(0, 20, k), unit="D")).astype("datetime64[us]")})
        expected = [
            pd.notna(who) and pd.notna(when) and any(s.athlete_id == who and s.lo <= when <= s.hi for s in spans.itertuples())
            for who, when in zip(frame["athlete_id"], frame["performed_at"])
        ]
        for table in (frame, frame.astype({"athlete_id": "category"})):
            assert in_spans(table, spans).tolist() == expected


def test_two_exports_of_one_name_in_one_run_are_two_spans(tmp_path):
    """January's and December's `strong.csv` of one lifter in one run: each is the truth for its
    own weeks, and the sets stored between them stay (one span per file name joined them and
    deleted the months between)."""
    out = tmp_path / "store"
    ingest_paths([_export(tmp_path / "all.csv", HISTORY)], out_dir=out, athlete="alice")
    (tmp_path / "jan").mkdir()
    (tmp_path / "dec").mkdir()
    first = _export(tmp_path / "jan" / "strong.csv", HISTORY[:2])  # the first session
    last = _export(tmp_path / "dec" / "strong.csv", WEEK2_NEW)  # the last one
    run = ingest_paths([first, last], out_dir=out, athlete="alice").summary["store"]
    validated, _ = load_store(out)
    assert run["removed"] == 0 and len(validated) == len(HISTORY)


def test_a_newer_export_in_the_same_run_is_the_truth_as_if_ingested_after(tmp_path):
    """old.csv has a session's two squat sets, new.csv (later in the run) the same session with
    the second set deleted: one run stores what ingesting them one after the other stores."""
    old = _export(tmp_path / "old.csv", WEEK2_NEW)
    new = _export(tmp_path / "new.csv", WEEK2_NEW[:1])
    together, one_by_one = tmp_path / "together", tmp_path / "one_by_one"
    ingest_paths([old, new], out_dir=together, athlete="alice")
    ingest_paths([old], out_dir=one_by_one, athlete="alice")
    ingest_paths([new], out_dir=one_by_one, athlete="alice")
    assert len(load_store(together)[0]) == len(load_store(one_by_one)[0]) == 1


def test_a_renamed_re_download_does_not_store_its_undated_rows_twice(tmp_path):
    """`strong (1).csv`, the same export downloaded again, quarantines the same undated row: the
    store keeps one copy (it had two, and a third on the next download)."""
    out = tmp_path / "store"
    lines = WEEK1 + ['someday,"A",1h,"Squat (Barbell)",4,100,5,0,0,"","",\n']
    (tmp_path / "alice").mkdir()
    first = ingest_paths([_export(tmp_path / "alice" / "strong.csv", lines)], out_dir=out).summary["store"]
    again = ingest_paths([_export(tmp_path / "alice" / "strong (1).csv", lines)], out_dir=out).summary["store"]
    _, quarantined = load_store(out)
    assert first["quarantined_total"] == again["quarantined_total"] == 2
    assert sorted(quarantined["reason"]) == ["reps_out_of_range", "unparseable_date"]
