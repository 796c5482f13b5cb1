"""Day patterns (`program/day_patterns.py`): the DP pricer finds the same least day cost as HiGHS
on the day's rows (and a deliberate error in it shows), its patterns keep every day rule, and
the bounds it gives (column generation, decomposition, the staged solve's) stay at or below the
full model's proven optimum on random 2-day weeks, where the staged solve still ends at it."""

import importlib.util
import random
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from workout_pipeline.catalog.records import as_catalog
from workout_pipeline.program import load_constraints
from workout_pipeline.program.day_patterns import DayPricer, day_classes, pattern_bounds
from workout_pipeline.program.exercises import build_classes, eligible_exercises, set_bounds
from workout_pipeline.program.milp import build_model
from workout_pipeline.program.plan import _one_new_form_per_movement
from workout_pipeline.program.solve import run_solver
from workout_pipeline.program.week import solve_week
from workout_pipeline_tests.test_program import make_catalog
from workout_pipeline_tests.test_program_week import SHAPES, _new_form_groups, _with_floors

_SPEC = importlib.util.spec_from_file_location(
    "program_bounds", Path(__file__).resolve().parents[1] / "benchmarks" / "program_bounds.py")
bounds = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bounds)



def _instance(seed: int, n: int = 14):
    """A random 2-day week (Mon, Thu: no 48 h link): classes, rules, day shapes, day costs,
    staples, required lifts, new-form groups."""
    rng = random.Random(seed)
    catalog = as_catalog(make_catalog(n, seed=seed))
    trained = sorted({m for e in catalog for m in e.primary_muscles})
    c = load_constraints({
        "training_days": 2,
        "weekdays": ["Mon", "Thu"],
        "min_exercises_per_day": 2,
        "max_exercises_per_day": rng.choice([3, 4, 5]),
        "targets": {m: rng.choice([4, 6, 9, 12, 16]) for m in rng.sample(trained, min(7, len(trained)))},
        "target_tolerance": rng.choice([0, 2]),
        "session_minutes": rng.choice([None, 30, 40]),
        "max_hard_sets_per_muscle_session": rng.choice([None, 6, 8]),
        "rest_between_muscle_sessions_h": 48,
        "min_sessions_per_muscle": None,
        "secondary_weight": rng.choice([0.5, 0.25]),
    })
    c = _with_floors(c, seed)
    classes = build_classes(eligible_exercises(catalog, c), c, aggregate=False)
    shapes = [rng.choice(SHAPES[3:]) for _ in range(2)]
    opened = [day_classes(classes, shapes, d) for d in range(2)]
    day_costs = {(i, d): 0.5 for d in range(2) for i in opened[d] if rng.random() < 0.3}
    staples = rng.sample(range(len(classes)), 2)
    require = [rng.randrange(len(classes))] if seed % 3 == 0 else []
    # a lifter's own lifts keep near their usual sets (`plan.own_set_range`): ranges inside min..max
    ranged = set(rng.sample(range(len(classes)), len(classes) // 3))
    lo, hi = c.min_sets, c.max_sets
    classes = [replace(cls, set_range=rng.choice([(lo, lo + 1), (hi - 1, hi), (lo, lo)])) if i in ranged else cls
               for i, cls in enumerate(classes)]
    return classes, c, shapes, day_costs, staples, require, _new_form_groups(classes, seed)


def _prices(classes, seed: int):
    """Costs per set and per exercise as column generation gives them: a price per muscle (so
    classes the HiGHS pricer merges as twins cost the same) and a price per class's selection."""
    rng = np.random.default_rng(seed)
    muscles = sorted({m for cls in classes for m, _ in cls.contributions})
    price = dict(zip(muscles, rng.uniform(0, 8, len(muscles))))
    set_costs = np.array([0.05 - sum(price[m] * w for m, w in cls.contributions) for cls in classes]) + rng.normal()
    count_costs = np.array([cls.selection_cost for cls in classes]) - rng.uniform(0, 6)
    return set_costs, count_costs


def _pricers(seed: int, cap_for_dp="as given"):
    classes, c, shapes, day_costs, staples, require, groups = _instance(seed)
    inst = {"c": c, "model": SimpleNamespace(classes=classes), "day_categories": shapes, "day_costs": day_costs,
            "keep": staples, "require": require, "one_a_day": groups}
    dp_rules = c if cap_for_dp == "as given" else replace(c, max_hard_sets_per_muscle_session=cap_for_dp)
    for d in range(2):
        yield classes, c, groups, DayPricer(classes, dp_rules, day_classes(classes, shapes, d), groups), bounds.HighsDayPricer(inst, d)


def _check_pattern(classes, c, groups, sets, counts):
    assert c.min_exercises_per_day <= sum(counts.values()) <= c.max_exercises_per_day
    for i, n in counts.items():
        low, high = set_bounds(classes[i], c)
        assert low * n <= sets[i] <= high * n
    if c.session_minutes is not None:
        assert sum(classes[i].set_seconds * x for i, x in sets.items()) <= 60 * c.session_minutes + 1e-6
    if c.max_hard_sets_per_muscle_session is not None:
        for m in {m for cls in classes for m in cls.primary}:
            assert sum(x for i, x in sets.items() if m in classes[i].primary) <= c.max_hard_sets_per_muscle_session
    for group in groups:
        assert sum(counts.get(i, 0) for i in group) <= 1


@pytest.mark.parametrize("seed", range(8))
def test_the_dp_prices_a_day_as_highs_does(seed):
    """Same least cost as HiGHS's day MIP under the same prices, with a pattern that keeps every
    day rule and costs what the DP says."""
    for classes, c, groups, dp, highs in _pricers(seed):
        for k in range(6):
            set_costs, count_costs = _prices(classes, 100 * seed + k)
            value, sets, counts = dp.price(set_costs, count_costs)
            reference, _, _ = highs.price(set_costs, count_costs)
            assert value == pytest.approx(reference, abs=1e-6)
            if value < float("inf"):
                _check_pattern(classes, c, groups, sets, counts)
                assert value == pytest.approx(sum(set_costs[i] * x for i, x in sets.items())
                                              + sum(count_costs[i] * y for i, y in counts.items()), abs=1e-9)


def test_a_dp_without_the_per_session_cap_prices_below_highs():
    """A deliberate error (the DP built without the per-session cap) is caught by the test above:
    on some day its least cost is below HiGHS's (a pattern breaking the cap)."""
    below = []
    for seed in range(8):
        for classes, c, groups, dp, highs in _pricers(seed, cap_for_dp=None):
            if c.max_hard_sets_per_muscle_session is None:
                continue
            for k in range(6):
                set_costs, count_costs = _prices(classes, 100 * seed + k)
                below.append(dp.price(set_costs, count_costs)[0] < highs.price(set_costs, count_costs)[0] - 1e-6)
    assert any(below)


@pytest.mark.parametrize("seed", range(10))
def test_pattern_bounds_and_the_staged_solve_stay_at_or_below_the_full_optimum(seed):
    classes, c, shapes, day_costs, staples, require, groups = _instance(seed)
    if seed % 2 == 0:
        staples = []  # the staged solve runs the day patterns only for weeks without staples
    full = build_model(classes, c, day_categories=shapes, day_costs=day_costs, keep=staples, require=require)
    _one_new_form_per_movement(full, groups)
    optimum = run_solver(full.problem, 60, 1e-9)
    if optimum["status"] == "infeasible":
        pytest.skip("infeasible instance")
    assert optimum["status"] == "optimal"
    found = pattern_bounds(classes, c, shapes, day_costs, staples, require, groups)
    assert found["dantzig_wolfe"] is not None  # converged: the pricing found no improving pattern
    assert found["lagrangian"] <= found["dantzig_wolfe"] + 1e-6
    # (HiGHS's optimum may sit a tolerance below the exact one: 376.659999 for 376.66)
    assert found["dantzig_wolfe"] <= optimum["objective"] + 1e-5
    assert found["decomposition"] <= optimum["objective"] + 1e-5

    model = build_model(classes, c, day_categories=shapes, day_costs=day_costs, keep=staples, require=require)
    _one_new_form_per_movement(model, groups)
    # the lifter's own sessions on some seeds: their week is in the model when the patterns start
    rng = random.Random(seed)
    sessions = [rng.sample(day_classes(classes, shapes, d), 2) for d in range(2)] if seed % 2 else []
    staged = solve_week(model, c, shapes, day_costs, staples, require, groups, 60, 1e-7, day_lifts=sessions)
    assert ("day_patterns" in staged["stages"]) == (not staples)
    assert staged["objective"] == pytest.approx(optimum["objective"], abs=1e-5)
    assert staged["bound"] <= optimum["objective"] + 1e-5


def test_patterns_credited_with_half_their_sets_break_the_bound():
    """The bound test above can fail: patterns credited with half their sets claim more
    under-target penalty than any week pays, and a bound rises above the proven optimum."""
    above = []
    for seed in range(10):
        classes, c, shapes, day_costs, staples, require, groups = _instance(seed)
        full = build_model(classes, c, day_categories=shapes, day_costs=day_costs, keep=staples, require=require)
        _one_new_form_per_movement(full, groups)
        optimum = run_solver(full.problem, 60, 1e-9)
        if optimum["status"] != "optimal":
            continue
        wrong = pattern_bounds(classes, c, shapes, day_costs, staples, require, groups, contribution_scale=0.5)
        above.append(max(wrong["lagrangian"], wrong["decomposition"] or 0) > optimum["objective"] + 1e-5)
    assert any(above)


def test_set_times_of_fractions_of_a_second_are_rounded_down():
    """A set time that is not a whole second is rounded down: a relaxation (never a higher least
    cost than the exact day), and the pricer says it is not exact."""
    classes, c, shapes, *_ = _instance(1)
    c = replace(c, session_minutes=30)
    here = day_classes(classes, shapes, 0)
    exact = DayPricer(classes, c, here)
    shifted = [replace(cls, set_seconds=cls.set_seconds + 0.5) for cls in classes]
    rounded = DayPricer(shifted, c, here)
    assert exact.exact and not rounded.exact
    set_costs, count_costs = _prices(classes, 7)
    assert rounded.price(set_costs, count_costs)[0] == pytest.approx(exact.price(set_costs, count_costs)[0])
