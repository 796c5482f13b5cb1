"""The seed objective with the seed's 0.25 secondary weight (g = 4): the shortest paths of the
lattice against brute force, the miss floor (deviations listed by cost) against brute force and
against the naive model's proven optimum among programs that miss a target, and the staged
solve against the naive optimum on small random instances."""

import itertools
import random

import pytest

from workout_pipeline.program import load_constraints, solve_program
from workout_pipeline_tests.test_program import make_catalog


def _random_lattice(rng: random.Random, spanning: bool):
    from workout_pipeline.program.lattice import ResidueLattice

    width = rng.choice([3, 4])
    residues = [tuple(rng.randrange(3) for _ in range(width)) for _ in range(rng.choice([3, 5, 8]))]
    if spanning:  # every residue reachable: the unit vectors are generators
        residues += [tuple(int(i == m) for i in range(width)) for m in range(width)]
    goal = tuple(rng.randrange(3) for _ in range(width))
    return ResidueLattice(4, 3, tuple("abcd"[:width]), goal, tuple(residues))


def _brute_fewest(lattice, goal, longest: int = 8) -> int:
    """The fewest nonzero generators summing to `goal` (mod 3), `longest + 1` when none of up to `longest`."""
    gens = [r for r in lattice.generators() if any(r)]
    for k in range(longest + 1):
        for combo in itertools.combinations_with_replacement(gens, k):
            if all(sum(r[m] for r in combo) % 3 == goal[m] for m in range(len(goal))):
                return k
    return longest + 1


@pytest.mark.parametrize("seed", range(6))
def test_fewest_extra_sets_is_the_shortest_path_by_brute_force(seed):
    from workout_pipeline.program.lattice import _sums

    rng = random.Random(seed)
    for _ in range(4):
        lattice = _random_lattice(rng, spanning=rng.random() < 0.5)
        sums = _sums(lattice)
        for goal in itertools.product(range(3), repeat=len(lattice.goal)):
            expected = _brute_fewest(lattice, goal, sums.depth)
            assert sums.fewest(goal) == expected, (lattice, goal)
            assert sums.fewest(goal, 2) == min(expected, 3)


def _tiny_classes_and_rules(seed: int, sizes=(5, 7, 8, 10, 11), muscles: int = 4):
    from workout_pipeline.program.exercises import build_classes, eligible_exercises

    rng = random.Random(seed)
    catalog = make_catalog(14, seed=seed)
    trained = sorted({m for muscles in catalog["primary_muscles"] for m in muscles})
    raw = {"objective": "seed", "training_days": 3, "split": {"push": 1, "pull": 1, "legs": 1},
           "min_exercises_per_day": 2, "max_exercises_per_day": 4, "min_sessions_per_muscle": None,
           "rest_between_muscle_sessions_h": None, "session_minutes": None, "secondary_weight": 0.25,
           "targets": {m: rng.choice(sizes) for m in rng.sample(trained, min(muscles, len(trained)))}}
    c = load_constraints(raw)
    return catalog, raw, c, build_classes(eligible_exercises(catalog, c), c, aggregate=False)


def _deviation_vectors(lattice, c) -> list[tuple[float, tuple[int, ...], int]]:
    """Every deviation vector of up to 3 units over or 2 under per muscle (not all zero): its
    cost, the goal it shifts the extra sets to, and their fewest number (brute force)."""
    from workout_pipeline.program.lattice import _sums

    depth = _sums(lattice).depth
    over, under = c.over_penalty / 4, c.under_penalty / 4
    vectors = []
    for units in itertools.product(range(-2, 4), repeat=len(lattice.goal)):
        if any(units):
            cost = sum(over * d if d > 0 else -under * d for d in units)
            shifted = tuple((g + d) % 3 for g, d in zip(lattice.goal, units))
            vectors.append((cost, shifted, _brute_fewest(lattice, shifted, depth)))
    return vectors


@pytest.mark.parametrize("seed", range(4))
def test_miss_floor_is_the_cheapest_deviation_by_brute_force(seed):
    """Every deviation vector of up to 3 units over or 2 under per muscle, against `miss_floor`."""
    from workout_pipeline.program.lattice import miss_floor, structural_floor

    _, _, c, classes = _tiny_classes_and_rules(seed)
    rng = random.Random(100 + seed)
    for spanning in (True, False):
        lattice = _random_lattice(rng, spanning)
        expected = min(cost + structural_floor(classes, c, fewest) for cost, _, fewest in _deviation_vectors(lattice, c))
        assert miss_floor(classes, c, lattice) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_miss_cases_cover_every_deviation_by_brute_force(seed):
    """`miss_cases` below a limit: every deviation vector (up to 3 units over or 2 under per
    muscle) either has the shift of a listed case, costing at least its cost with at least its
    fewest extra sets, or costs at least the rest; and the listed cases cost less than the limit."""
    from workout_pipeline.program.lattice import miss_cases, structural_floor

    _, _, c, classes = _tiny_classes_and_rules(seed)
    rng = random.Random(200 + seed)
    for spanning in (True, False):
        lattice = _random_lattice(rng, spanning)
        vectors = _deviation_vectors(lattice, c)
        values = sorted({cost + structural_floor(classes, c, fewest) for cost, _, fewest in vectors})
        for below in (values[0], *values[1:4], values[0] + 0.3):
            cases, rest = miss_cases(classes, c, lattice, below)
            by_goal = {case.goal: case for case in cases}
            assert len(by_goal) == len(cases)
            for case in cases:
                assert case.cost + structural_floor(classes, c, case.fewest) < below
            for cost, shifted, fewest in vectors:
                if shifted in by_goal:
                    assert cost >= by_goal[shifted].cost - 1e-9 and fewest >= by_goal[shifted].fewest
                else:
                    assert cost + structural_floor(classes, c, fewest) >= rest - 1e-9, (below, shifted)


@pytest.mark.parametrize("seed", [43, 44, 54, 56, 58])  # 44, 58: the floor is the optimum, above the plain floor
def test_miss_floor_stays_below_the_naive_optimum_among_misses(seed):
    """The naive model forced to miss some target by at least 1/4 set, solved to optimality: the
    miss floor (and the lattice bound) stay below it. Small targets, so that misses are cheap."""
    import pulp

    from workout_pipeline.program.engine import run_solver
    from workout_pipeline.program.lattice import lattice_bound, miss_floor, residue_lattice
    from workout_pipeline.program.milp import build_naive_model

    _, _, c, classes = _tiny_classes_and_rules(seed, (2, 3, 4), 3)
    lattice = residue_lattice(classes, c)
    assert lattice is not None
    model = build_naive_model(classes, c)
    slacks = [v for v in model.problem.variables() if v.name.startswith(("under_", "over_"))]
    model.problem += pulp.lpSum(slacks) >= 0.25
    run = run_solver(model.problem, 60, 1e-7)
    assert run["status"] == "optimal"
    floor = miss_floor(classes, c, lattice)
    assert floor <= run["objective"] + 1e-6
    assert lattice_bound(classes, c) <= run["objective"] + 1e-6


@pytest.mark.parametrize("seed,small", [(40, False), (41, False), (45, False), (59, False), (44, True), (58, True),
                                        (62, True), (67, True)])
def test_staged_solve_reaches_the_naive_optimum_with_the_quarter_weight(seed, small):
    """Fast (lattice levels with the miss floor, the whole-set week, masters, full model) and naive
    reach the same proven optimum; every bound the lattice reported stays below it."""
    catalog, raw, c, _ = _tiny_classes_and_rules(seed, (2, 3, 4), 3) if small else _tiny_classes_and_rules(seed)
    naive = solve_program(catalog, raw, formulation="naive", time_limit_s=60, gap=1e-6)
    fast = solve_program(catalog, raw, time_limit_s=30, gap=1e-6)
    assert naive.status == "optimal" and fast.status == "optimal"
    assert fast.objective == pytest.approx(naive.objective, abs=1e-5)
    for key in ("lattice_bound", "lattice_bound_raised"):  # (the miss floor bounds the programs that miss only)
        value = fast.stages.get(key)
        if value is not None:
            assert value <= naive.objective + 1e-6, key
    assert fast.lower_bound is not None and fast.lower_bound <= naive.objective + 1e-6


@pytest.mark.parametrize("seed", [40, 43])
def test_whole_set_week_is_whole_and_lays_out_above_the_optimum(seed):
    from workout_pipeline.program.engine import Budget
    from workout_pipeline.program.exercises import prune_dominated
    from workout_pipeline.program.layout import lay_out_stage, symmetric_groups
    from workout_pipeline.program.stages import SolveContext, lattice_stage, whole_set_stage

    catalog, raw, c, classes = _tiny_classes_and_rules(seed)
    classes = prune_dominated(classes, c.max_exercises_per_day)
    naive = solve_program(catalog, raw, formulation="naive", time_limit_s=60, gap=1e-6)
    ctx = SolveContext(classes, c, 1e-6, symmetric_groups(c), {})
    _, facts = lattice_stage(ctx, Budget(5.0))
    whole = whole_set_stage(ctx, facts, Budget(5.0))
    if whole is None:  # no exact week with whole-set contributions: the stage has none to give
        assert ctx.report.get("whole_set_week", {}).get("objective") is None
        return
    for i, cls in enumerate(classes):
        if any(w != int(w) for _, w in cls.contributions):
            assert whole.week.sets[i] % 4 == 0
    laid_out = lay_out_stage(ctx, whole.week, "t", Budget(5.0))
    assert laid_out is not None and laid_out.objective >= naive.objective - 1e-6


def _naive_exact_level_optimum(classes, c, extra: int) -> float | None:
    """The naive model's proven optimum among programs that meet every target exactly with
    `extra` extra sets (None: there is none)."""
    import pulp

    from workout_pipeline.program.engine import run_solver
    from workout_pipeline.program.milp import build_naive_model

    model = build_naive_model(classes, c)
    for var in model.problem.variables():
        if var.name.startswith(("under_", "over_")):
            var.upBound = 0
    model.problem += (pulp.lpSum(model.sets.values()) - c.min_sets * pulp.lpSum(model.count.values())) == extra
    run = run_solver(model.problem, 60, 1e-7)
    if run["status"] == "infeasible":
        return None
    assert run["status"] == "optimal"
    return run["objective"]


@pytest.mark.parametrize("seed,small", [(40, True), (44, True), (52, True), (45, False), (59, False)])
def test_level_bounds_below_a_cutoff_stay_below_the_levels_naive_optimum(seed, small):
    """A lattice level told a cutoff holds only weeks with fewer exercises than the cutoff's
    floor allows, and reports the smaller of its MILP bound and that floor. With the cutoff a
    little below the level's own naive optimum, at it (the tightest case) or a little above, the
    bound stays below that optimum: on programs that meet every target exactly with that many
    extra sets."""
    from workout_pipeline.program.engine import Budget
    from workout_pipeline.program.lattice import fewest_extra_sets, residue_lattice, structural_floor
    from workout_pipeline.program.layout import symmetric_groups
    from workout_pipeline.program.stages import SolveContext, _lattice_levels

    _, _, c, classes = _tiny_classes_and_rules(seed, (2, 3, 4), 3) if small else _tiny_classes_and_rules(seed)
    residues = residue_lattice(classes, c)
    first = fewest_extra_sets(classes, c)[0]
    checked = 0
    for extra in range(first, first + 3):
        optimum = _naive_exact_level_optimum(classes, c, extra)
        if optimum is None:
            continue
        for cutoff in (optimum - 0.01, optimum, optimum + 0.02):
            ctx = SolveContext(classes, c, 1e-6, symmetric_groups(c), {})
            _, bounds, next_level, _ = _lattice_levels(ctx, residues, extra, float("inf"), Budget(30.0), cutoff=cutoff)
            # not examined (its floor reaches the cutoff): the caller takes the floor of the level
            level_bound = bounds[extra] if extra in bounds else structural_floor(classes, c, next_level)
            assert level_bound <= optimum + 1e-6, (extra, cutoff)
            checked += 1
    assert checked


@pytest.mark.parametrize("seed", [43, 44, 54, 56, 58])
def test_miss_cells_below_a_cutoff_stay_below_the_naive_optimum_among_misses(seed):
    """Below a program in hand the lattice examines the programs that miss a target case by
    case (each a goal shift, `lattice.miss_cases`, with its own pattern masters). The bound it
    reports for them stays below the naive model's proven optimum among programs forced to miss
    by at least 1/4 set, with the cutoff a little below that optimum (every cell below it is
    empty: the bound is the cutoff), at it, or a little above."""
    import pulp

    from workout_pipeline.program.engine import Budget, run_solver
    from workout_pipeline.program.lattice import fewest_extra_sets, miss_floor, residue_lattice
    from workout_pipeline.program.layout import symmetric_groups
    from workout_pipeline.program.milp import build_naive_model
    from workout_pipeline.program.stages import SolveContext, _lattice_levels

    _, _, c, classes = _tiny_classes_and_rules(seed, (2, 3, 4), 3)
    residues = residue_lattice(classes, c)
    model = build_naive_model(classes, c)
    slacks = [v for v in model.problem.variables() if v.name.startswith(("under_", "over_"))]
    model.problem += pulp.lpSum(slacks) >= 0.25
    run = run_solver(model.problem, 60, 1e-7)
    assert run["status"] == "optimal"
    optimum = run["objective"]
    floor = miss_floor(classes, c, residues)
    for cutoff in (optimum - 0.01, optimum, optimum + 0.02):
        ctx = SolveContext(classes, c, 1e-6, symmetric_groups(c), {})
        # misses only: the exact levels' floor is put out of the way by starting them high up
        first = fewest_extra_sets(classes, c)[0] + 40
        _, _, _, miss = _lattice_levels(ctx, residues, first, floor, Budget(30.0), cutoff=cutoff)
        assert floor - 1e-9 <= miss <= optimum + 1e-6, cutoff
