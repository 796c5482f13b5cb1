"""The seed objective's fast solve: the one place that composes the stages.

Same optimum as the naive model (docs/program.md, "Fast formulation"). The order:

1. Lattice (`stages.lattice_stage`): a lower bound from the congruences every program satisfies
   (exact hits by their extra sets, misses by their deviations, listed by cost), and the best
   exact-hit week at each number of extra sets, each laid out over the days
   (`layout.lay_out_stage`). A quick week whose contributions are whole sets
   (`stages.whole_set_stage`): with weights below one half inside the lattice once its first
   level has no week (its program is then the cutoff below which the lattice examines its cells,
   misses included) or right after it; else after the probe (when no level had a week, a probe
   asks whether any exact-hit week exists) and only with time to spare.
2. Masters: a heuristic week (a restricted master), then either the master's two lattice cases
   (exact hits and misses, each with the congruences) or the master itself with the either-or cut.
   Their bounds hold for every program.
3. Layout of each master's week: programs, upper bounds.
4. If the gap is still above the goal, the full aggregated model warm-started from the best
   program (this makes the method exact); with no program at all, a rescue search.

Every budget share is in `engine.SHARES`. The reported gap is (best program - best lower bound)
/ best program, the bound being the largest a stage proved.
"""

from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.engine import EPS, SHARES, Budget, Candidate, Infeasible, gap_of
from workout_pipeline.program.exercises import ExerciseClass
from workout_pipeline.program.lattice import residue_lattice
from workout_pipeline.program.layout import full_model_stage, lay_out_stage, rescue_stage, symmetric_groups
from workout_pipeline.program.milp import ProgramModel
from workout_pipeline.program.stages import (
    LatticeFacts,
    SolveContext,
    case_master_stage,
    exact_probe_stage,
    heuristic_stage,
    lattice_stage,
    master_stage,
    whole_set_stage,
)


class _Best:
    """The best program so far and the best lower bound."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self.program: Candidate | None = None
        self.lower = float("-inf")

    def bound(self, value: float | None) -> None:
        if value is not None:
            self.lower = max(self.lower, value)

    def offer(self, candidate: Candidate | None) -> None:
        if candidate is None or candidate.program is None or candidate.objective is None:
            return
        if self.program is None or candidate.objective < self.program.objective - EPS:
            self.program = candidate

    def proven(self) -> bool:
        return self.program is not None and gap_of(self.program.objective, self.lower) <= self.gap


def solve_fast(classes: list[ExerciseClass], constraints: ProgramConstraints, time_limit_s: float,
               gap: float) -> tuple[ProgramModel | None, dict[str, Any]]:
    """Decomposed exact solve over exercise classes (module docstring).

    Returns:
        (model holding the best program or None, report dict with status, objective, bound,
        gap, seconds, stages).
    """
    budget = Budget(time_limit_s)
    ctx = SolveContext(classes, constraints, gap, symmetric_groups(constraints), {})
    try:
        best = _compose(ctx, budget)
    except Infeasible:
        return None, {"status": "infeasible", "seconds": budget.elapsed(), "stages": ctx.report}
    if best.program is None:
        return None, {"status": "unknown", "seconds": budget.elapsed(), "stages": ctx.report}
    objective = best.program.objective
    final_gap = gap_of(objective, best.lower)
    return best.program.program, {"status": "optimal" if final_gap <= gap + 1e-9 else "feasible", "objective": objective,
                                  "bound": best.lower, "gap": final_gap, "seconds": budget.elapsed(), "stages": ctx.report}


def _whole_set_week(ctx: SolveContext, facts: LatticeFacts, budget: Budget, best: _Best, eager: bool) -> Candidate | None:
    """The whole-set week (`stages.whole_set_stage`), laid out and offered, when the gap is open
    and enough time is left (`eager`: also with less, while no program is in hand); its week, or None."""
    roomy = budget.left() > budget.share(SHARES.whole_set_if_left)
    if best.proven() or not (roomy or (eager and best.program is None)):
        return None
    share = SHARES.whole_set_first if eager else SHARES.whole_set
    seconds = min(budget.share(share), SHARES.whole_set_max_s, max(budget.left(), SHARES.min_stage_s))
    whole = whole_set_stage(ctx, facts, budget.sub(seconds))
    if whole is not None and (best.program is None or whole.objective < best.program.objective - EPS):
        best.offer(lay_out_stage(ctx, whole.week, "whole_set", budget))
    return whole


def _compose(ctx: SolveContext, budget: Budget) -> _Best:
    best = _Best(ctx.gap)

    # a quick week with whole-set contributions (exact hits while they may exist). Below half-set
    # weights (g > 2) early, even when short of time: there the congruences mod min_sets cannot
    # tell a fraction from a whole set, and the masters find no week quickly (docs/program.md).
    # When the lattice's first level has no week, its program is the cutoff below which the
    # higher levels look for weeks
    residues = residue_lattice(ctx.classes, ctx.constraints)
    fine = residues is not None and residues.scale > 2
    whole: Candidate | None = None
    whole_tried = False

    def cutoff() -> float:
        nonlocal whole, whole_tried
        whole, whole_tried = _whole_set_week(ctx, LatticeFacts(residues), budget, best, eager=True), True
        return best.program.objective if best.program is not None else float("inf")

    # 1. the lattice: its bound, and the exact-hit weeks level by level
    seconds = max(budget.until(SHARES.lattice_fine if fine else SHARES.lattice), SHARES.lattice_min_s)
    lattice_weeks, facts = lattice_stage(ctx, budget.sub(seconds), cutoff if fine else None)
    best.bound(facts.bound)
    for number, week in enumerate(lattice_weeks):
        if best.proven():
            break
        best.offer(lay_out_stage(ctx, week.week, f"lattice_{number}", budget))
    fine = fine and facts.residues is not None
    if fine and not whole_tried:
        whole = _whole_set_week(ctx, facts, budget, best, eager=True)
    if facts.residues is not None and not lattice_weeks and whole is None and budget.left() > budget.share(SHARES.probe_if_left):
        facts = exact_probe_stage(ctx, facts, budget.sub(budget.share(SHARES.probe)))
        best.bound(facts.bound)
    if whole is None and (not fine or not facts.exact_possible):
        _whole_set_week(ctx, facts, budget, best, eager=False)  # with the slacks once every program misses
    if best.proven() or (best.program is not None and budget.left() < budget.share(SHARES.stop_if_left)):
        return best

    # 2. the masters. With the lattice's week in hand, a short budget goes to the master's bound
    # rather than to the heuristic week (which the lattice week nearly always beats)
    have_program = best.program is not None
    heuristic = None
    if not have_program or budget.left() > budget.share(SHARES.heuristic_if_left):
        seconds = min(max(budget.share(SHARES.heuristic), min(SHARES.heuristic_floor_s, budget.share(SHARES.heuristic_cap))),
                      max(SHARES.heuristic_of_left * budget.left(), SHARES.heuristic_min_s))
        heuristic = heuristic_stage(ctx, budget.sub(seconds), exact_first=facts.bound is not None and facts.exact_possible)
    cases: list[Candidate] = []
    case_bound = None
    if (facts.residues is not None and facts.exact_possible and budget.left() > budget.share(SHARES.split_if_left)
            and budget.seconds >= SHARES.split_min_s):
        exact = case_master_stage(ctx, facts, True, budget.sub(budget.share(SHARES.exact_master)))
        miss_s = max(min(budget.share(SHARES.miss_master), budget.left() - budget.share(SHARES.miss_reserve)),
                     SHARES.min_stage_s)
        miss = case_master_stage(ctx, facts, False, budget.sub(miss_s))
        if exact.bound == miss.bound == float("inf"):
            raise Infeasible
        cases = [exact, miss]
        if exact.bound is not None and miss.bound is not None:
            case_bound = min(exact.bound, miss.bound)
            best.bound(case_bound)
    master = None
    if case_bound is None:
        until = SHARES.master_until_late if have_program and budget.left() < budget.share(SHARES.heuristic_if_left) \
            else SHARES.master_until
        master = master_stage(ctx, facts, budget.sub(max(budget.until(until), SHARES.min_stage_s)))
        best.bound(master.bound)

    # 3. lay out the masters' weeks: the master's first, the exact case's before it when better
    weeks = [master.week] if master is not None and master.week is not None else []
    if heuristic is not None and heuristic.week not in weeks:
        weeks.append(heuristic.week)
    for case in cases:
        if case.week is None or case.week in weeks:
            continue
        better = case.stage == "exact_week" and (master is None or master.objective is None
                                                 or case.objective < master.objective - EPS)
        weeks.insert(0 if better else len(weeks), case.week)
    for number, week in enumerate(weeks):
        if best.proven() or (best.program is not None and budget.left() <= 0):
            break
        best.offer(lay_out_stage(ctx, week, str(number), budget))

    # 4. the full model makes it exact; with no program at all, any program, then improved
    if best.program is None or (not best.proven() and budget.left() > SHARES.full_min_left_s):
        start = best.program.program if best.program else None
        full = full_model_stage(ctx, start, budget.sub(max(budget.left(), SHARES.full_min_s)))
        best.bound(full.bound)
        best.offer(full)
    if best.program is None:
        rescued = rescue_stage(ctx, budget)
        best.offer(rescued)
        if rescued is not None:
            seconds = max(budget.left(), budget.share(SHARES.polish), SHARES.polish_min_s)
            polish = full_model_stage(ctx, rescued.program, budget.sub(seconds), name="rescue_polish")
            best.bound(polish.bound)
            best.offer(polish)
    return best
