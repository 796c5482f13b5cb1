"""Explaining infeasible constraints: a minimal set of rule groups that cannot hold together.

Deletion filter over rule groups: start from every group switched on (infeasible); switch each
group off in turn and keep it off when the rest is still infeasible. What stays on is a
minimal conflicting set: switching off any one of its groups makes the program feasible.
"""

import dataclasses
from collections.abc import Callable

from workout_pipeline.program.constraints import ProgramConstraints

# How each group is switched off (value the relaxed constraints take).
_RELAXED: dict[str, Callable[[ProgramConstraints], dict]] = {
    "split": lambda c: {"split": {"push": 0, "pull": 0, "legs": 0}},
    "min_exercises_per_day": lambda c: {"min_exercises_per_day": 0},
    "max_exercises_per_day": lambda c: {"max_exercises_per_day": 30},
    "min_sets": lambda c: {"min_sets": 1},
    "session_minutes": lambda c: {"session_minutes": None},
    "hard_targets": lambda c: {"hard_targets": {}},
    "max_hard_sets_per_muscle_session": lambda c: {"max_hard_sets_per_muscle_session": None},
    "min_sessions_per_muscle": lambda c: {"min_sessions_per_muscle": None},
    "rest_between_muscle_sessions_h": lambda c: {"rest_between_muscle_sessions_h": None},
    "equipment": lambda c: {"equipment": None},
    "exclude_muscles": lambda c: {"exclude_muscles": ()},
    "exclude_exercises": lambda c: {"exclude_exercises": ()},
    "require_exercises": lambda c: {"require_exercises": ()},
}

# Groups that are on in these constraints (an absent rule cannot be part of a conflict).
def active_groups(c: ProgramConstraints) -> list[str]:
    """Rule groups that constrain anything under `c`."""
    on = {
        "split": any(c.split.values()),
        "min_exercises_per_day": c.min_exercises_per_day > 0,
        "max_exercises_per_day": c.max_exercises_per_day < 30,
        "min_sets": c.min_sets > 1,
        "session_minutes": c.session_minutes is not None,
        "hard_targets": bool(c.hard_targets),
        "max_hard_sets_per_muscle_session": c.max_hard_sets_per_muscle_session is not None,
        "min_sessions_per_muscle": c.min_sessions_per_muscle is not None,
        "rest_between_muscle_sessions_h": c.rest_between_muscle_sessions_h is not None,
        "equipment": c.equipment is not None,
        "exclude_muscles": bool(c.exclude_muscles),
        "exclude_exercises": bool(c.exclude_exercises),
        "require_exercises": bool(c.require_exercises),
    }
    return [g for g in _RELAXED if on[g]]


def relax(c: ProgramConstraints, groups: list[str]) -> ProgramConstraints:
    """`c` with the named rule groups switched off."""
    changes: dict = {}
    for group in groups:
        changes.update(_RELAXED[group](c))
    return dataclasses.replace(c, **changes)


def _describe(group: str, c: ProgramConstraints) -> str:
    value = {
        "split": lambda: f"split={c.split} with training_days={c.training_days}",
        "min_exercises_per_day": lambda: f"min_exercises_per_day={c.min_exercises_per_day}",
        "max_exercises_per_day": lambda: f"max_exercises_per_day={c.max_exercises_per_day}",
        "min_sets": lambda: f"min_sets={c.min_sets}",
        "session_minutes": lambda: f"session_minutes={c.session_minutes:g}",
        "hard_targets": lambda: f"hard_targets={c.hard_targets}",
        "max_hard_sets_per_muscle_session": lambda: f"max_hard_sets_per_muscle_session={c.max_hard_sets_per_muscle_session:g}",
        "min_sessions_per_muscle": lambda: f"min_sessions_per_muscle={c.min_sessions_per_muscle}",
        "rest_between_muscle_sessions_h": lambda: f"rest_between_muscle_sessions_h={c.rest_between_muscle_sessions_h:g} on {'/'.join(c.weekdays)}",
        "equipment": lambda: f"equipment={list(c.equipment or ())}",
        "exclude_muscles": lambda: f"exclude_muscles={list(c.exclude_muscles)}",
        "exclude_exercises": lambda: f"exclude_exercises={list(c.exclude_exercises)}",
        "require_exercises": lambda: f"require_exercises={list(c.require_exercises)}",
    }[group]()
    return value.replace("'", "")


def explain_infeasibility(c: ProgramConstraints, is_feasible: Callable[[ProgramConstraints], bool | None]) -> str:
    """A one-line explanation naming a minimal set of conflicting rule groups.

    Args:
        c: The infeasible constraints.
        is_feasible: Feasibility test (True, False, or None when it could not decide in time;
            undecided counts as feasible, so a group is never blamed without proof).

    Returns:
        The message, e.g. "infeasible constraints: session_minutes=20 conflicts with
        min_exercises_per_day=3, min_sets=3 (switching off any one of them makes a program possible)".
    """
    groups = active_groups(c)
    if is_feasible(relax(c, groups)) is False:
        return (
            f"infeasible constraints even with every optional rule off: training_days={c.training_days}, "
            f"exercise_kinds={list(c.exercise_kinds)} and the catalog leave no possible program"
        )
    conflict = list(groups)
    for group in groups:
        trial = [g for g in conflict if g != group]
        off = [g for g in groups if g not in trial]
        if is_feasible(relax(c, off)) is False:
            conflict = trial
    parts = [_describe(g, c) for g in conflict]
    if len(parts) == 1:
        return (
            f"infeasible constraints: {parts[0]} cannot be met with training_days={c.training_days} "
            f"({'/'.join(c.weekdays)}) and this catalog"
        )
    return (
        f"infeasible constraints: {parts[0]} conflicts with {'; '.join(parts[1:])} "
        "(switching off any one of them makes a program possible)"
    )
