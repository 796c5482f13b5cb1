"""`solve_program`: from catalog, constraints and history to a concrete weekly program."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workout_pipeline.catalog.records import Catalog, as_catalog
from workout_pipeline.errors import InputError
from workout_pipeline.program.constraints import DAY_TYPES, DEFAULT_REST_H, ProgramConstraints, load_constraints
from workout_pipeline.program.exercises import (
    EligibleExercise,
    build_classes,
    eligible_exercises,
    prescriptions_from_tables,
    prune_dominated,
)
from workout_pipeline.program.explain import explain_infeasibility
from workout_pipeline.program.milp import ProgramModel, build_model, conflicting_day_pairs
from workout_pipeline.program.names import with_resolved_names
from workout_pipeline.program.loads import load_text, plate_step, to_kg, to_unit
from workout_pipeline.program.routine import rested_muscles
from workout_pipeline.program.store import unit_from_history
from workout_pipeline.program.solve import run_solver, solve_fast, solve_naive, symmetric_groups
from workout_pipeline.settings import SolverSettings

DEFAULT_GAP = SolverSettings.gap
DEFAULT_TIME_LIMIT_S = SolverSettings.time_limit_s


@dataclass
class ProgramResult:
    """A solved weekly program and how well it was proven.

    Attributes:
        status: "optimal" (gap within the target) or "feasible" (time limit hit first).
        objective: Objective value of the program (seed objective plus preference terms).
        gap: Proven relative gap (objective - lower bound) / objective.
        solve_seconds: Wall time of the optimisation.
        n_exercises_considered: Eligible exercises after kind/equipment/exclusion filters.
        days: One dict per training day: day, weekday, type, exercises
            (exercise_id, name, sets, reps, load_kg, rest_s, source).
        muscles: muscle -> {effective_sets, target, hard_minimum}.
    """

    status: str
    objective: float
    gap: float
    solve_seconds: float
    n_exercises_considered: int
    days: list[dict[str, Any]]
    muscles: dict[str, dict[str, Any]]
    formulation: str = "fast"
    lower_bound: float | None = None
    n_classes: int = 0
    athlete_id: str | None = None
    deload: bool = False
    stages: dict[str, Any] = field(default_factory=dict)
    objective_name: str = "routine"
    unit: str = "kg"
    week_start: str | None = None
    routine: dict[str, Any] | None = None
    constraints: dict[str, Any] | None = None  # the rules in force (defaults filled, names as ids)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the content of program.json)."""
        return {
            "status": self.status,
            "objective": round(self.objective, 6),
            "gap": round(self.gap, 6),
            "lower_bound": None if self.lower_bound is None else round(self.lower_bound, 6),
            "solve_seconds": round(self.solve_seconds, 4),
            "formulation": self.formulation,
            "n_exercises_considered": self.n_exercises_considered,
            "n_classes": self.n_classes,
            "athlete_id": self.athlete_id,
            "deload": self.deload,
            "objective_name": self.objective_name,
            "unit": self.unit,
            "week_start": self.week_start,
            "routine": self.routine,
            "constraints": self.constraints,
            "days": self.days,
            "muscles": self.muscles,
        }


def _as_constraints(constraints: Any) -> ProgramConstraints:
    if isinstance(constraints, ProgramConstraints):
        return constraints
    return load_constraints(constraints)


def solve_program(
    catalog: Catalog,
    constraints: "ProgramConstraints | dict | str | Path | None" = None,
    history: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    formulation: str = "fast",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    athlete_id: str | None = None,
    gap: float = DEFAULT_GAP,
    unit: str | None = None,
    week_start: "str | pd.Timestamp | None" = None,
) -> ProgramResult:
    """Build next week's program.

    Args:
        catalog: The typed exercise catalog (`load_catalog`); a catalog table is validated and
            converted once (`as_catalog`).
        constraints: `ProgramConstraints`, a dict or file path for `load_constraints`, or None.
        history: Canonical validated sets; supplies last top sets and familiar exercises.
        recommendations: Table with athlete_id, exercise_id, load_kg, reps, rest_s (wins over history).
        formulation: "fast" (aggregated, decomposed) or "naive" (the seed model as one MILP).
        time_limit_s: Wall-clock budget for the solver.
        athlete_id: Whose history/recommendations to use; None with one athlete in the history
            uses that athlete.
        gap: Relative gap at which the search stops (0.005 = 0.5%).
        unit: The lifter's unit (kg or lb) for loads and rounding; None infers it from the history.
        week_start: Monday of the program's week (default: the next Monday).

    Returns:
        The `ProgramResult`.

    Raises:
        InputError: bad constraints, several athletes and none chosen, or infeasible constraints
            (the message names a minimal set of conflicting rules).
    """
    if formulation not in ("fast", "naive"):
        raise ValueError(f"formulation must be fast or naive, got {formulation!r}")
    catalog = as_catalog(catalog)
    c = _as_constraints(constraints)
    athlete_id = _pick_athlete(history, recommendations, athlete_id)
    own = history
    if history is not None and athlete_id is not None and "athlete_id" in history.columns:
        own = history[history["athlete_id"] == athlete_id]
    c = with_resolved_names(c, catalog, own)
    unit = unit or unit_from_history(own)
    monday = next_monday(week_start)
    if c.objective == "routine":
        return _routine_result(catalog, c, own, recommendations, athlete_id, unit, monday, time_limit_s, gap, formulation)
    if c.require_exercises:
        raise InputError("require_exercises needs the routine objective (objective: seed solves the seed model only)")
    prescriptions, familiar = prescriptions_from_tables(history, recommendations, athlete_id)
    exercises = eligible_exercises(catalog, c, prescriptions, familiar)
    started = time.perf_counter()
    pool = familiar_pool(exercises, c)
    model = None
    if pool is not None:
        # The lifter's own exercises first (they carry loads from the model or history);
        # the whole catalog only when that pool cannot make a feasible week.
        classes, model, report = _solve_on(pool, c, formulation, time_limit_s, gap)
        if model is not None:
            exercises = pool
    if model is None:
        classes, model, report = _solve_on(exercises, c, formulation, time_limit_s, gap)
    seconds = time.perf_counter() - started
    if model is None:
        if report["status"] == "infeasible":
            raise InputError(explain_infeasibility(c, lambda relaxed: _feasible(catalog, relaxed, prescriptions, familiar)))
        raise InputError(f"no program found within the time limit of {time_limit_s:g} s; raise --time-limit")
    days = _dated(_read_days(model, c), unit, monday, {e.exercise_id: e for e in exercises})
    return ProgramResult(
        status=report["status"],
        objective=float(report["objective"]),
        gap=float(report["gap"]),
        solve_seconds=seconds,
        n_exercises_considered=len(exercises),
        days=days,
        muscles=_muscle_summary(days, c),
        formulation=formulation,
        lower_bound=None if report.get("bound") in (None, float("-inf")) else float(report["bound"]),
        n_classes=len(classes),
        athlete_id=athlete_id,
        deload=c.deload,
        stages=report.get("stages", {}),
        objective_name="seed",
        constraints=c.to_dict(),
        unit=unit,
        week_start=monday.date().isoformat(),
    )


def parse_week_start(value: Any, what: str = "week_start", today: "pd.Timestamp | None" = None) -> pd.Timestamp:
    """A date in the program's week (text, date, datetime or Timestamp) as a naive midnight.

    A time zone keeps the calendar date written (2026-07-29T23:30-08:00 is 2026-07-29). The
    year must be within EARLIEST_YEAR..next year, the years whose sessions ingest keeps (it
    quarantines others as date_out_of_range).

    Raises:
        InputError: empty, not a date, or out of range; the message starts with `what`.
    """
    from workout_pipeline.ingest.validate import EARLIEST_YEAR
    from workout_pipeline.userfiles import short_repr

    if isinstance(value, str):
        if not value.strip():
            raise InputError(f"{what} is empty (use YYYY-MM-DD)")
        value = value.strip()
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise InputError(f"{what} {short_repr(value)} is not a date (use YYYY-MM-DD)")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)  # the wall-clock date and time as written
    latest = (today if today is not None else pd.Timestamp.today()).year + 1
    if not EARLIEST_YEAR <= stamp.year <= latest:
        raise InputError(f"{what} {stamp.date().isoformat()} is outside {EARLIEST_YEAR}..{latest} (the years ingest keeps)")
    return stamp.normalize()


def next_monday(week_start: Any = None) -> pd.Timestamp:
    """The Monday that starts the program's week: `week_start`'s week (`parse_week_start`),
    else the next one."""
    if week_start is not None:
        day = parse_week_start(week_start)
        return day - pd.Timedelta(days=day.weekday())
    today = pd.Timestamp.today().normalize()
    return today + pd.Timedelta(days=7 - today.weekday())


def _routine_result(catalog, c, history, recommendations, athlete_id, unit, monday, time_limit_s, gap, formulation) -> ProgramResult:
    from workout_pipeline.program.plan import solve_routine
    from workout_pipeline.program.week_shape import template_days

    started = time.perf_counter()
    out = solve_routine(catalog, c, history, recommendations, athlete_id, unit, monday, time_limit_s, gap, formulation)
    seconds = time.perf_counter() - started
    run, routine, c = out["run"], out["routine"], out["constraints"]
    bound = run.get("bound")
    objective = float(run["objective"])
    lower = None if bound in (None, float("-inf")) else float(bound)
    gap_value = 0.0 if lower is None or objective <= 0 else max(0.0, (objective - lower) / abs(objective))
    summary = None
    if routine is not None:
        summary = {
            "sessions_per_week": round(routine.sessions_per_week, 2),
            "recent_weeks": c.recent_weeks,
            "last_session": routine.last_date.date().isoformat(),
            "staples": list(routine.staples),
            "weekly_sets": routine.weekly_sets,
            "templates": [list(t.exercises) for t in template_days(routine.templates, c.training_days, routine.sessions_per_week)],
            "rest_rule_off": bool(out.get("rest_rule_off")),
            "rest_rule_off_because": out.get("rest_rule_off"),  # "no week", "your sessions" or None
            # recent weeks whose sessions trained a muscle twice within the default 48 h, of all
            "weeks_resting_less": [routine.weeks_resting_less(DEFAULT_REST_H), len(routine.fewest_rest_days)],
            "trained_without_rest": trained_without_rest(out["days"], c.weekdays) if out.get("rest_rule_off") else [],
        }
    return ProgramResult(
        status="optimal" if run["status"] == "optimal" or gap_value <= gap else "feasible",
        objective=objective,
        gap=gap_value,
        solve_seconds=seconds,
        n_exercises_considered=out["n_considered"],
        days=out["days"],
        muscles=_muscle_summary(out["days"], c),
        formulation="routine",
        stages=run.get("stages", {}),
        lower_bound=lower,
        n_classes=out["n_classes"],
        athlete_id=athlete_id,
        deload=c.deload,
        objective_name="routine",
        constraints=c.to_dict(),
        unit=unit,
        week_start=monday.date().isoformat(),
        routine=summary,
    )


def _dated(days: list[dict[str, Any]], unit: str, monday: pd.Timestamp, by_id: dict) -> list[dict[str, Any]]:
    """Seed-objective days with the output fields of the routine ones (date, load in the unit)."""
    from workout_pipeline.program.constraints import WEEKDAYS

    for day in days:
        day["date"] = (monday + pd.Timedelta(days=WEEKDAYS.index(day["weekday"]))).date().isoformat()
        for e in day["exercises"]:
            member = by_id[e["exercise_id"]]
            load = None
            if e["load_kg"] is not None:
                step = plate_step(member.equipment, unit, member.load_step_kg)
                load = round(round(to_unit(e["load_kg"], unit) / step) * step, 2) or step
            e.update(load=load, unit=unit, load_kg=None if load is None else round(to_kg(load, unit), 2),
                     load_text=load_text(load, unit, member.exercise_id, member.equipment),
                     last_performed=None, reason=f"load from {e['source']}")
    return days


def trained_without_rest(days: list[dict[str, Any]], weekdays: Sequence[str]) -> list[str]:
    """The muscles (not abs or obliques) the week trains directly on two days less than the
    default 48 h apart."""
    direct = [rested_muscles(m for e in day["exercises"] for m in e["primary_muscles"]) for day in days]
    return sorted(set().union(*(direct[a] & direct[b] for a, b in conflicting_day_pairs(weekdays, DEFAULT_REST_H))))


def _solve_on(exercises: list, c: ProgramConstraints, formulation: str, time_limit_s: float, gap: float):
    """Build the classes of `exercises` and solve them with the chosen formulation."""
    if formulation == "naive":
        classes = build_classes(exercises, c, aggregate=False)
        model, report = solve_naive(classes, c, time_limit_s, gap)
    else:
        classes = prune_dominated(build_classes(exercises, c), c.max_exercises_per_day)
        model, report = solve_fast(classes, c, time_limit_s, gap)
    return classes, model, report


def familiar_pool(exercises: list, c: ProgramConstraints) -> list | None:
    """The candidates when the athlete has history: their own and preferred exercises, plus,
    for each targeted muscle none of those trains as a primary muscle, the eligible exercises
    that do. None when the rule is off or the athlete has no familiar exercise.
    """
    if not (c.familiar_first and c.favour_history):
        return None
    own = [e for e in exercises if (e.familiar or e.preferred) and not e.avoided]
    if not own:
        return None
    covered = set().union(*(e.primary for e in own))
    wanted = set(c.effective_targets()) | {m for m, v in c.hard_targets.items() if v > 0}
    missing = wanted - covered
    fill_ins = [e for e in exercises if e not in own and e.primary & missing]
    return own + fill_ins


def _pick_athlete(history: pd.DataFrame | None, recommendations: pd.DataFrame | None, athlete_id: str | None) -> str | None:
    if athlete_id is not None or history is None or "athlete_id" not in history.columns:
        return athlete_id
    athletes = sorted(history["athlete_id"].dropna().astype(str).unique())
    if len(athletes) > 1:
        raise InputError(f"the history holds {len(athletes)} athletes ({', '.join(athletes[:5])}...); choose one with --athlete")
    return athletes[0] if athletes else None


def _feasible(catalog: Catalog, c: ProgramConstraints, prescriptions: dict, familiar: set) -> bool | None:
    """Whether any program satisfies `c` (None when undecided within 10 s)."""
    exercises = eligible_exercises(catalog, c, prescriptions, familiar)
    classes = prune_dominated(build_classes(exercises, c), c.max_exercises_per_day)
    model = build_model(classes, c, symmetric_day_groups=symmetric_groups(c), feasibility_only=True)
    run = run_solver(model.problem, 10.0, 1.0)
    if run["status"] == "infeasible":
        return False
    return True if run["objective"] is not None else None


def _value(var: Any) -> float:
    return float(var) if isinstance(var, (int, float)) else float(var.varValue or 0.0)


def _read_days(model: ProgramModel, c: ProgramConstraints) -> list[dict[str, Any]]:
    """The concrete program: each class's sets on a day split over its best `n` members."""
    days = []
    for d in model.days:
        day_type = max(DAY_TYPES, key=lambda k: _value(model.day_type[d, k]))
        entries = []
        for (i, day), sets_var in model.sets.items():
            if day != d:
                continue
            total, n = round(_value(sets_var)), round(_value(model.count[i, day]))
            if total <= 0 or n <= 0:
                continue
            base, extra = divmod(total, n)
            for j, member in enumerate(model.classes[i].members[:n]):
                entries.append(_entry(member, base + (1 if j < extra else 0)))
        entries.sort(key=lambda e: (not e["compound"], -e["sets"], e["name"].lower()))
        for e in entries:
            del e["compound"]
        days.append({"day": d + 1, "weekday": c.weekdays[d], "type": day_type, "exercises": entries})
    return days


def _entry(member: EligibleExercise, sets: int) -> dict[str, Any]:
    p = member.prescription
    return {
        "exercise_id": member.exercise_id,
        "name": member.name,
        "sets": int(sets),
        "reps": int(p.reps),
        "set_reps": None,  # straight sets (the routine objective's week writes falling ones)
        "load_kg": None if p.load_kg is None else round(float(p.load_kg), 2),
        "rest_s": round(float(p.rest_s), 1),
        "source": p.source,
        "category": member.category,
        "primary_muscles": sorted(member.primary),
        "secondary_muscles": sorted(member.secondary),
        "compound": member.compound,
    }


def _muscle_summary(days: list[dict[str, Any]], c: ProgramConstraints) -> dict[str, dict[str, Any]]:
    """Weekly effective sets, targets and direct-training days per muscle of the concrete program."""
    targets, hard = c.effective_targets(), c.effective_hard_targets()
    totals: dict[str, float] = {}
    sessions: dict[str, int] = {}
    for day in days:
        trained_today: set[str] = set()
        for e in day["exercises"]:
            for m in e["primary_muscles"]:
                totals[m] = totals.get(m, 0.0) + e["sets"]
            for m in e["secondary_muscles"]:
                totals[m] = totals.get(m, 0.0) + c.secondary_weight * e["sets"]
            trained_today.update(e["primary_muscles"])
        for m in trained_today:
            sessions[m] = sessions.get(m, 0) + 1
    return {
        m: {
            "effective_sets": round(totals.get(m, 0.0), 2),
            "target": targets.get(m),
            "hard_minimum": hard.get(m),
            "sessions": sessions.get(m, 0),
        }
        for m in sorted(set(totals) | set(targets) | set(hard))
    }
