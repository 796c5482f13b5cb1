"""The few-day bound study (`benchmarks/program_bounds.py`): the day-pattern bounds it reports
are proven lower bounds, so on small random instances they stay at or below the full model's
proven optimum, and an error in the patterns' contributions shows."""

import importlib.util
import random
from pathlib import Path

import pytest

from workout_pipeline_tests.test_program import make_catalog

_SPEC = importlib.util.spec_from_file_location(
    "program_bounds", Path(__file__).resolve().parents[1] / "benchmarks" / "program_bounds.py")
bounds = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bounds)


def _instance(seed: int):
    rng = random.Random(seed)
    catalog = make_catalog(14, seed=seed)
    trained = sorted({m for muscles in catalog["primary_muscles"] for m in muscles})
    raw = {
        "training_days": 2 + seed % 2,
        "weekdays": ["Mon", "Thu"] if seed % 2 == 0 else ["Mon", "Wed", "Fri"],
        "min_exercises_per_day": 2,
        "max_exercises_per_day": rng.choice([3, 4]),
        "targets": {m: rng.choice([6, 9, 12, 16]) for m in rng.sample(trained, min(6, len(trained)))},
        "session_minutes": rng.choice([None, 40]),
        "max_hard_sets_per_muscle_session": rng.choice([None, 6]),
        "secondary_weight": rng.choice([0.5, 0.25]),
        "require_exercises": ["ex_001"] if seed % 3 == 0 else [],
    }
    return bounds.routine_instance(catalog, raw, limit_s=5.0)


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_day_pattern_bounds_stay_below_the_full_optimum(seed):
    from workout_pipeline.program.solve import run_solver

    inst, _ = _instance(seed)
    full = run_solver(inst["model"].problem.deepcopy(), 60, 1e-9)
    assert full["status"] == "optimal"
    found = bounds.day_pattern_bounds(inst, limit_s=60)
    assert found["dantzig_wolfe"] is not None  # converged
    assert found["dantzig_wolfe"] <= full["objective"] + 1e-6
    assert found["lagrangian"] <= found["dantzig_wolfe"] + 1e-6
    assert found["decomposition"] <= full["objective"] + 1e-6
    carried = run_solver(bounds.carry_master(inst), 60, 1e-9)
    assert carried["objective"] == pytest.approx(full["objective"], abs=1e-6)


def test_an_error_in_the_patterns_contributions_breaks_the_bound():
    """Patterns credited with half their sets claim more under-target penalty than any week
    pays: the bound then rises above the proven optimum (what the test above would catch)."""
    from workout_pipeline.program.solve import run_solver

    above = []
    for seed in (31, 32, 33, 34):
        inst, _ = _instance(seed)
        optimum = run_solver(inst["model"].problem.deepcopy(), 60, 1e-9)["objective"]
        wrong = bounds.day_pattern_bounds(inst, limit_s=60, contribution_scale=0.5)
        above.append(wrong["decomposition"] > optimum + 1e-6 or (wrong["dantzig_wolfe"] or 0) > optimum + 1e-6)
    assert any(above)
