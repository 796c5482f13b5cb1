"""The seed objective's staged solve, stage by stage: warm starts keyed by the variables, the
stages' bounds against the naive optimum, and the budget shares."""

import dataclasses
import random

import pytest

from workout_pipeline.program import load_constraints, solve_program
from workout_pipeline_tests.test_program import make_catalog


def _instance(seed: int) -> tuple:
    """A 3-day instance with the 48 h rule and sessions per muscle (so the full model has the
    `trained` binaries), aggregated into classes."""
    from workout_pipeline.program.exercises import build_classes, eligible_exercises, prune_dominated

    rng = random.Random(seed)
    catalog = make_catalog(18, seed=seed)
    trained = sorted({m for muscles in catalog["primary_muscles"] for m in muscles})
    raw = {"objective": "seed", "training_days": 3, "split": {"push": 1, "pull": 1, "legs": 1},
           "min_exercises_per_day": 2, "max_exercises_per_day": 4, "session_minutes": None,
           "min_sessions_per_muscle": 1, "rest_between_muscle_sessions_h": 48,
           "targets": {m: rng.choice([4, 6, 7, 9]) for m in rng.sample(trained, min(5, len(trained)))}}
    c = load_constraints(raw)
    classes = prune_dominated(build_classes(eligible_exercises(catalog, c), c), c.max_exercises_per_day)
    return catalog, raw, c, classes


@pytest.mark.parametrize("seed", [3, 4])
def test_warm_start_values_are_the_laid_out_program(seed):
    """`start_values` maps a day model's program onto the full model's own variables: fixing
    every integer variable to its start value leaves a feasible model with the same objective."""
    from workout_pipeline.program.engine import Budget, Week, run_solver
    from workout_pipeline.program.layout import lay_out_stage, start_values, symmetric_groups
    from workout_pipeline.program.milp import build_model
    from workout_pipeline.program.stages import SolveContext, heuristic_stage

    _, _, c, classes = _instance(seed)
    ctx = SolveContext(classes, c, 1e-6, symmetric_groups(c), {})
    week = heuristic_stage(ctx, Budget(5.0))
    assert week is not None and isinstance(week.week, Week)
    laid_out = lay_out_stage(ctx, week.week, "t", Budget(5.0))
    assert laid_out is not None and laid_out.program is not None
    full = build_model(classes, c, symmetric_day_groups=ctx.groups)
    assert full.trained  # the 48 h rule's binaries are there to be started
    start = start_values(laid_out.program, full)
    integers = [var for var in full.problem.variables() if var.cat == "Integer"]
    assert set(map(id, integers)) <= set(map(id, start))  # every integer variable has a value
    for var in integers:
        var.lowBound = var.upBound = start[var]
    fixed = run_solver(full.problem, 10, 1e-9)
    assert fixed["status"] == "optimal"
    assert fixed["objective"] == pytest.approx(laid_out.objective, abs=1e-6)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_every_stage_bound_stays_below_the_naive_optimum(seed):
    """Each stage's bound holds for every program: below the naive model's proven optimum; each
    laid-out program is above it."""
    from workout_pipeline.program.engine import Budget
    from workout_pipeline.program.layout import lay_out_stage, symmetric_groups
    from workout_pipeline.program.stages import SolveContext, case_master_stage, lattice_stage, master_stage

    catalog, raw, c, classes = _instance(seed)
    naive = solve_program(catalog, raw, formulation="naive", time_limit_s=60, gap=1e-6)
    assert naive.status == "optimal"
    ctx = SolveContext(classes, c, 1e-6, symmetric_groups(c), {})
    weeks, facts = lattice_stage(ctx, Budget(10.0))
    candidates = [*weeks, master_stage(ctx, facts, Budget(10.0))]
    if facts.residues is not None:
        candidates += [case_master_stage(ctx, facts, exact, Budget(10.0)) for exact in (True, False)]
        cases = candidates[-2:]
        assert min(case.bound for case in cases) <= naive.objective + 1e-6  # the two cases cover every program
    for candidate in candidates:
        if candidate.stage not in ("exact_week", "miss_week") and candidate.bound is not None:
            assert candidate.bound <= naive.objective + 1e-6, candidate.stage
        if candidate.week is not None:
            laid_out = lay_out_stage(ctx, candidate.week, candidate.stage, Budget(10.0))
            if laid_out is not None:
                assert laid_out.objective >= naive.objective - 1e-6


def test_budget_shares_are_fractions_that_leave_the_full_model_time():
    from workout_pipeline.program.engine import SHARES

    fractions = {f.name: getattr(SHARES, f.name) for f in dataclasses.fields(SHARES) if not f.name.endswith("_s")}
    assert all(0 < value <= 1 for value in fractions.values()), fractions
    # the stages before the full model leave it time: the lattice and the master end before the limit
    assert SHARES.lattice < 1 and SHARES.master_until < SHARES.master_until_late < 1
    assert SHARES.exact_master + SHARES.miss_master + SHARES.miss_reserve < 1


def test_highs_gets_the_same_model_as_pulp_would_give_it():
    """`engine._pass_model` (three bulk calls) builds HiGHS's model column for column and row
    for row as PuLP's own `buildSolverModel`: costs, bounds, integrality and the matrix."""
    import highspy
    import numpy as np
    import pulp

    from workout_pipeline.program.engine import _pass_model

    rng = random.Random(3)
    prob = pulp.LpProblem("random", pulp.LpMaximize)
    xs = [prob.add_variable(f"x{i}", lowBound=rng.choice([None, 0, -2]), upBound=rng.choice([None, 4, 7.5]),
                          cat=rng.choice(["Integer", "Continuous", "Binary"])) for i in range(12)]
    prob += pulp.lpSum(rng.uniform(-3, 3) * x for x in xs[:9]) + 2.0
    for r in range(10):
        terms = pulp.lpSum(rng.choice([0.0, 1.0, -2.5, 0.25]) * x for x in rng.sample(xs, 5))
        prob += (terms <= rng.uniform(0, 9)) if r % 3 else (terms >= -4) if r % 2 else (terms == 1.0), f"row{r}"

    def built(build):
        prob.solverModel = highspy.Highs()
        build(prob)
        lp = prob.solverModel.getLp()
        matrix = lp.a_matrix_
        return (lp.num_col_, lp.num_row_, list(lp.col_cost_), list(lp.col_lower_), list(lp.col_upper_), list(lp.row_lower_),
                list(lp.row_upper_), [int(t) for t in lp.integrality_], list(matrix.start_), list(matrix.index_),
                list(np.round(matrix.value_, 12)), [x.index for x in prob.variables()],
                [c.index for c in prob._constraints.values()])

    theirs = built(lambda lp: pulp.HiGHS(msg=False).buildSolverModel(lp))
    ours = built(lambda lp: _pass_model(lp, mip=True))
    assert ours == theirs
    assert sum(ours[7]) == sum(x.cat == "Integer" for x in xs)  # the test saw integers
