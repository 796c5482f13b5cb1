"""A run's outputs are written all or none (`atomic.atomic_outputs`): a writer killed or failing
part-way leaves the previous run's files, all of them, and what killed writers leave behind is
removed (or finished) on the next write into the folder."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workout_pipeline
from workout_pipeline.atomic import atomic_outputs, atomic_path, recover_outputs

REPO = Path(workout_pipeline.__file__).resolve().parent.parent


def _evaluation_run(out: str, athlete: str, kill: str = "") -> None:
    """`write_evaluation` of a small made-up run for `athlete` (the plots are one-line files
    naming it); `kill`: SIGKILL this process while plotting ("plot") or after the first output
    is renamed into `out` ("rename")."""
    import workout_pipeline.model as model
    from workout_pipeline.pipeline import Evaluation, write_evaluation

    def plot(*args, **kwargs):
        Path(args[-1]).write_text(athlete)
        return Path(args[-1])

    def plot_and_die(*args, **kwargs):
        with atomic_path(args[-1]) as tmp:  # as the real plots write: a temporary beside the target
            tmp.write_text(athlete[:2])
            os.kill(os.getpid(), signal.SIGKILL)

    # called in the test's own process too: the stubs are put back afterwards (left in place,
    # they replaced every later test's plots in this worker with one-line files)
    saved = model.plot_predictions, model.plot_embeddings, model.plot_e1rm_history, os.replace
    model.plot_predictions = model.plot_embeddings = plot
    model.plot_e1rm_history = plot_and_die if kill == "plot" else plot
    if kill == "rename":
        real_replace = os.replace

        def replace(src, dst):
            real_replace(src, dst)
            if Path(dst).parent == Path(out):
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace
    try:
        rows = pd.DataFrame({"athlete_id": [athlete], "exercise_id": ["bench_press"], "reps": [5]})
        evaluation = Evaluation(None, None, None, None, {"athletes": [athlete]}, rows.copy(), rows.copy())
        write_evaluation(evaluation, out)
    finally:
        model.plot_predictions, model.plot_embeddings, model.plot_e1rm_history, os.replace = saved


def _in_subprocess(out: Path, athlete: str, kill: str = "") -> int:
    code = f"from workout_pipeline_tests.test_atomic_outputs import _evaluation_run; _evaluation_run({str(out)!r}, {athlete!r}, {kill!r})"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, timeout=120).returncode


def _runs(out: Path) -> set[str]:
    """Which runs the evaluation outputs in `out` come from (one: consistent)."""
    metrics = json.loads((out / "metrics.json").read_text())
    runs = set(metrics["athletes"])
    for name in ("predictions.parquet", "recommendations.parquet"):
        runs |= set(pd.read_parquet(out / name)["athlete_id"])
    for plot in metrics["outputs"]["plots"]:
        runs.add(Path(plot).read_text())
    return runs


def _hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("kill", ["plot", "rename"])
def test_a_killed_evaluation_leaves_one_run_and_no_leftovers(tmp_path, kill):
    out = tmp_path / "out"
    _evaluation_run(str(out), "alice")
    assert _runs(out) == {"alice"}

    assert _in_subprocess(out, "same", kill) == -signal.SIGKILL
    if kill == "plot":  # before the commit point: the old run, all of it
        assert _runs(out) == {"alice"}
    else:  # killed between its renames: finished by the next writer (or recover_outputs)
        recover_outputs(out)
        assert _runs(out) == {"same"}
    assert not list(out.glob(".e1rm_history_*"))  # no temporaries beside the outputs

    _evaluation_run(str(out), "bob")
    assert _runs(out) == {"bob"}
    assert _hidden(out) == []


def test_a_write_that_fails_after_a_killed_one_still_leaves_one_run(tmp_path):
    """The dead batch is finished first thing, so a next run that fails does not strand a mix."""
    out = tmp_path / "out"
    _evaluation_run(str(out), "alice")
    assert _in_subprocess(out, "same", "rename") == -signal.SIGKILL
    with pytest.raises(RuntimeError, match="disk full"), atomic_outputs(out, record="metrics.json") as batch:
        batch.write_text("metrics.json", "{}")
        raise RuntimeError("disk full")
    assert _runs(out) == {"same"} and _hidden(out) == []


def test_an_exception_leaves_the_old_outputs_and_nothing_staged(tmp_path):
    out = tmp_path / "out"
    with atomic_outputs(out, record="record.json") as batch:
        batch.write_text("data.txt", "old")
        batch.write_json("record.json", {"run": "old"})
    with pytest.raises(OSError), atomic_outputs(out, record="record.json") as batch:
        batch.write_text("data.txt", "new")
        raise OSError("no space left on device")
    with pytest.raises(ValueError, match="record"), atomic_outputs(out, record="record.json") as batch:
        batch.write_text("data.txt", "new")  # the record never written: not a run
    assert (out / "data.txt").read_text() == "old" and json.loads((out / "record.json").read_text()) == {"run": "old"}
    assert sorted(p.name for p in out.iterdir()) == ["data.txt", "record.json"]


def test_the_record_is_renamed_last(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    renamed = []
    real_replace = os.replace

    def replace(src, dst):
        real_replace(src, dst)
        if Path(dst).parent == out:
            renamed.append(Path(dst).name)

    monkeypatch.setattr(os, "replace", replace)
    with atomic_outputs(out, record="record.json") as batch:
        batch.write_json("record.json", {})  # written first, renamed last
        batch.write_text("a.txt", "a")
        batch.write_text("b.txt", "b")
    assert renamed == ["a.txt", "b.txt", "record.json"]


def test_only_dead_temporaries_of_our_outputs_are_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = [".e1rm_history_bob.png.abcd1234.tmp", ".predictions.parquet.zz_9zz99.tmp"]  # as `timeout -s KILL` left them
    kept = [".validated_sets.parquet.abcd1234.tmp",  # the ingest store's, not ours
            ".e1rm_history_bob.png.keep", "notes.tmp", ".predictions.parquet.abc.tmp", "e1rm_history_bob.png"]
    for name in dead + kept:
        (out / name).write_bytes(b"")
    with atomic_path(out / "e1rm_history_carl.png") as live:  # a live writer's temporary: locked
        live.write_text("carl")
        _evaluation_run(str(out), "alice")
        assert live.exists()
    assert (out / "e1rm_history_carl.png").read_text() == "carl"
    names = {p.name for p in out.iterdir()}
    assert not names & set(dead) and set(kept) <= names
    assert _hidden(out) == sorted(name for name in kept if name.startswith("."))


def test_a_live_writers_staging_is_left_alone(tmp_path):
    out = tmp_path / "out"
    with atomic_outputs(out, record="record.json") as first:
        first.write_json("record.json", {"run": "first"})
        with atomic_outputs(out, record="record.json") as second:
            second.write_json("record.json", {"run": "second"})
        assert first.staging.is_dir() and json.loads((out / "record.json").read_text()) == {"run": "second"}
    assert json.loads((out / "record.json").read_text()) == {"run": "first"}  # the last commit wins
    assert _hidden(out) == []


def test_the_in_process_runs_put_the_real_plots_back(tmp_path):
    """`_evaluation_run` stubs the plots; in this process it must restore them (a stub left in
    place made the scale-out test's in-process demo write one-line PNGs in the same worker)."""
    import workout_pipeline.model as model

    before = model.plot_predictions, model.plot_embeddings, model.plot_e1rm_history, os.replace
    _evaluation_run(str(tmp_path / "out"), "alice")
    assert (model.plot_predictions, model.plot_embeddings, model.plot_e1rm_history, os.replace) == before
