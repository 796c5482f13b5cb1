"""`workout-pipeline evaluate` end to end on the real public logs (small epoch budget), bad input."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from workout_pipeline.cli import main


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """pytest -n 2 runs two workers on two cores: one torch thread each avoids oversubscription."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
def test_evaluate_on_the_public_logs(real_logs, tmp_path):
    folder = next(iter(real_logs.values())).parent.parent
    out = tmp_path / "eval"
    result = CliRunner().invoke(main, ["evaluate", str(folder), "--out", str(out), "--seed", "0", "--epochs", "3", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["n_test_pairs"] > 100
    assert set(summary["athletes"]) == set(real_logs)

    metrics = json.loads((out / "metrics.json").read_text())
    models = metrics["models"]
    for name in ("repeat_last", "double_progression", "e1rm_trend", "mlp", "gcn", "graphsage"):
        assert models[name]["load_mae_kg"] >= 0
    predictions = pd.read_parquet(out / "predictions.parquet")
    assert len(predictions) == metrics["n_test_pairs"]
    for column in ("athlete_id", "exercise_raw", "exercise_id", "prev_date", "target_date", "prev_weight_kg",
                   "prev_reps", "y_weight_kg", "y_reps", "pred_weight_kg__graphsage", "pred_reps__graphsage"):
        assert column in predictions.columns
    # repeat_last's MAE recomputed by hand from the written predictions
    assert models["repeat_last"]["load_mae_kg"] == pytest.approx(
        (predictions["y_weight_kg"] - predictions["prev_weight_kg"]).abs().mean()
    )
    # every test target is on/after its athlete's first test day
    for athlete, first in metrics["first_test_date"].items():
        mine = predictions[predictions["athlete_id"] == athlete]
        assert (mine["target_date"].dt.normalize() >= pd.Timestamp(first)).all()
    recs = pd.read_parquet(out / "recommendations.parquet")
    assert {"athlete_id", "exercise_id", "exercise_raw", "load_kg", "reps", "sets", "rest_s", "confidence", "reason",
            "last_date"} <= set(recs.columns)
    assert set(recs["athlete_id"]) == set(real_logs)
    # the summary says what the lifters are told and how that point fared on test
    assert summary["recommended_decisions"] == recs["decision"].value_counts().to_dict()
    assert summary["lifter_point_on_test"]["share_met"] == metrics["prescriptions"]["graphsage@lifter"]["share_met"]
    assert (out / "predicted_vs_actual.png").exists() and (out / "embeddings.png").exists()


def test_evaluate_unreadable_input_exits_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01 not a training log\n")
    result = CliRunner().invoke(main, ["evaluate", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "error:" in result.output
    assert not (tmp_path / "o" / "metrics.json").exists()


@pytest.mark.slow
def test_evaluate_killed_while_plotting_leaves_the_previous_run(tmp_path):
    """The audit's case: an earlier run's --out folder, a new run SIGKILLed in its plot step. The
    folder keeps the earlier run, every file of it; the next run replaces all of them and no
    temporary file is left beside the outputs."""
    import signal
    import subprocess
    import sys

    from workout_pipeline.paths import DATA_DIR

    log = DATA_DIR / "demo" / "alice.csv"
    out = tmp_path / "eval"
    fast = ["--out", str(out), "--epochs", "1", "--device", "cpu", "--threads", "1"]

    def athletes() -> dict[str, frozenset[str]]:
        found = {"metrics.json": frozenset(json.loads((out / "metrics.json").read_text())["athletes"])}
        for name in ("predictions.parquet", "recommendations.parquet"):
            found[name] = frozenset(pd.read_parquet(out / name)["athlete_id"])
        return found

    assert CliRunner().invoke(main, ["evaluate", str(log), *fast]).exit_code == 0
    assert set(athletes().values()) == {frozenset({"alice"})}
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    killed_in_plot = ("import os, signal, workout_pipeline.model as model\n"
                      "def plot(*args, **kwargs):\n"
                      "    os.kill(os.getpid(), signal.SIGKILL)\n"
                      "model.plot_e1rm_history = plot\n"
                      "from workout_pipeline.cli import main\n"
                      "main()\n")
    done = subprocess.run([sys.executable, "-c", killed_in_plot, "evaluate", str(log), "--athlete", "same", *fast],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert set(athletes().values()) == {frozenset({"alice"})}
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".outputs-")} == before

    result = CliRunner().invoke(main, ["evaluate", str(log), "--athlete", "same", *fast])
    assert result.exit_code == 0, result.output
    assert set(athletes().values()) == {frozenset({"same"})}
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
