"""The store under faults: concurrent writers lose nothing, readers never see a mix, and a
writer killed (SIGKILL) at any moment leaves the old or the new store, which a rerun cleans."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from workout_pipeline.ingest import ingest_paths, merge_into_store, read_store
from workout_pipeline.ingest.store import merge_tables

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("workout-pipeline")


def _rows(days, reps=5, bad=True):
    rows = []
    for day in days:
        for order in (1, 2):
            rows.append(f'2024-03-{day:02d} 18:00:00,"A",1h,"Squat (Barbell)",{order},{90 + day},{reps},0,0,"","",\n')
    if bad:  # one quarantined row per export, so each athlete is in both tables
        rows.append(f'2024-03-{days[-1]:02d} 18:00:00,"A",1h,"Squat (Barbell)",3,100,250,0,0,"","",\n')
    return rows


def _frames(tmp_path, athlete, days, reps=5):
    path = tmp_path / f"{athlete}-{days[0]}-{reps}.csv"
    path.write_text(HEADER + "".join(_rows(days, reps)), encoding="utf-8")
    report = ingest_paths([path], athlete=athlete)
    return report.validated, report.quarantined


def _same(left, right):
    for a, b in zip(left, right):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def _equal(left, right) -> bool:
    try:
        _same(left, right)
        return True
    except AssertionError:
        return False


# --- concurrency -----------------------------------------------------------------------------


def _writer(out, frames, barrier):
    barrier.wait()
    merge_into_store(out, *frames)


def _as(frames, athlete):
    return tuple(frame.assign(athlete_id=athlete) for frame in frames)


def _reader(out, stop, errors):
    while not stop.is_set():
        tables = read_store(out)
        # Every merge writes an athlete's valid and quarantined rows together: a reader that
        # mixed two generations would see an athlete in one table only.
        if set(tables.validated["athlete_id"]) != set(tables.quarantined["athlete_id"]):
            errors.put("mixed generations")
        time.sleep(0.005)


def test_concurrent_writers_lose_nothing_and_readers_see_no_mix(tmp_path):
    context = multiprocessing.get_context("fork")
    out = tmp_path / "store"
    frames = _frames(tmp_path, "base", [1, 2])
    merge_into_store(out, *frames)
    stop, errors = context.Event(), context.Queue()
    reader = context.Process(target=_reader, args=(out, stop, errors))
    reader.start()
    trials = 12
    try:
        for trial in range(trials):
            barrier = context.Barrier(2)
            writers = [context.Process(target=_writer, args=(out, _as(frames, f"{who}{trial}"), barrier))
                       for who in ("a", "b")]
            for writer in writers:
                writer.start()
            for writer in writers:
                writer.join(60)
                assert writer.exitcode == 0
    finally:
        stop.set()
        reader.join(60)
    assert errors.empty()
    tables = read_store(out)
    expected = {"base"} | {f"{who}{t}" for t in range(trials) for who in ("a", "b")}
    assert set(tables.validated["athlete_id"]) == expected  # no athlete lost
    assert tables.validated.groupby("athlete_id").size().to_dict() == {a: 4 for a in expected}
    assert sorted(p.name for p in (out / ".store").iterdir()) == [f"gen-{2 * trials}", f"gen-{2 * trials + 1}"]


def test_two_cli_ingests_at_once_keep_both_athletes(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for trial in range(1):  # many trials run in-process above; this one is the real command
        out = tmp_path / f"store{trial}"
        files = []
        for athlete in ("alice", "bob"):
            path = tmp_path / f"{athlete}{trial}.csv"
            path.write_text(HEADER + "".join(_rows([1, 2, 3])), encoding="utf-8")
            files.append(path)
        runs = [subprocess.Popen([str(CLI), "ingest", str(f), "--out", str(out)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
        for run in runs:
            stdout, stderr = run.communicate(timeout=180)
            assert run.returncode == 0, stderr
            assert json.loads(stdout.splitlines()[-1])["store"]["added"] == 6
        tables = read_store(out)
        assert tables.validated.groupby("athlete_id").size().to_dict() == {f"alice{trial}": 6, f"bob{trial}": 6}


# --- kills -----------------------------------------------------------------------------------

def _killed_merge(out, frames, k, steps):
    """merge_into_store that SIGKILLs its process at the k-th file-system step (every Parquet
    write, fsync, rename, link and removal counts; k = 0 never kills); `steps` gets the count."""
    import shutil

    from workout_pipeline.ingest import store

    count = [0]

    def counted(real):
        def step(*args, **kwargs):
            count[0] += 1
            if count[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return step

    for module, name in ((os, "replace"), (os, "rename"), (os, "symlink"), (store, "fsync_path"), (shutil, "rmtree"),
                         (store, "write_table")):
        setattr(module, name, counted(getattr(module, name)))
    store.merge_into_store(out, *frames)
    steps.value = count[0]


def _in_child(out, frames, k):
    context = multiprocessing.get_context("fork")
    steps = context.Value("i", -1)
    child = context.Process(target=_killed_merge, args=(out, frames, k, steps))
    child.start()
    child.join(120)
    return child.exitcode, steps.value


def test_a_writer_killed_at_every_step_leaves_old_or_new(tmp_path):
    # The store: bob, and alice's first export. The run: a newer export of alice's history
    # with a set edited (reps) and a day deleted.
    bob, alice = _frames(tmp_path, "bob", [1, 2, 3]), _frames(tmp_path, "alice", [1, 2, 3, 4])
    run = _frames(tmp_path, "alice", [2, 3, 4], reps=6)

    def base(out):
        merge_into_store(out, *bob)
        merge_into_store(out, *alice)
        return read_store(out)

    clean = tmp_path / "clean"
    old = base(clean)
    code, steps = _in_child(clean, run, 0)
    assert code == 0
    new = read_store(clean)
    assert steps >= 10 and not _equal(old, new)
    outcomes = []
    for k in range(1, steps + 1):
        out = tmp_path / f"killed{k}"
        base(out)
        assert _in_child(out, run, k)[0] == -signal.SIGKILL
        after = read_store(out)
        assert _equal(after, old) or _equal(after, new), f"torn store after a kill at step {k}"
        assert len(pd.read_parquet(out / "validated_sets.parquet")) == len(after.validated)
        outcomes.append("new" if _equal(after, new) else "old")
        merge_into_store(out, *run)
        _same(read_store(out), new)  # the rerun gives the clean result
        leftovers = [p.name for p in list(out.iterdir()) + list((out / ".store").iterdir()) if "tmp" in p.name]
        assert leftovers == []
    assert "old" in outcomes and "new" in outcomes  # kills landed before and after the commit point


def test_a_cli_ingest_killed_mid_run_leaves_a_readable_store(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "store"
    merge_into_store(out, *_frames(tmp_path, "bob", [1, 2, 3]))
    merge_into_store(out, *_frames(tmp_path, "alice", [1, 2, 3, 4]))
    old = read_store(out)
    export = tmp_path / "alice.csv"
    export.write_text(HEADER + "".join(_rows([2, 3, 4, 5], reps=6)), encoding="utf-8")
    run_report = ingest_paths([export])
    new, _ = merge_tables(old, run_report.validated, run_report.quarantined, [("alice", export.name)],
                          run_report.athletes)  # ingest stores the lifter's unit too
    for delay in (0.5, 2.0):
        run = subprocess.Popen([str(CLI), "ingest", str(export), "--out", str(out)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait(60)
        after = read_store(out)
        assert _equal(after, old) or _equal(after, new)
    done = subprocess.run([str(CLI), "ingest", str(export), "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    _same(read_store(out), new)
    alice = new.validated[new.validated["athlete_id"] == "alice"]
    assert sorted(alice["performed_at"].dt.day.unique()) == [1, 2, 3, 4, 5]
    assert (alice.loc[alice["performed_at"].dt.day > 1, "reps"] == 6).all()
