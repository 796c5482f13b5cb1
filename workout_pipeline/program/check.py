"""Re-checking a written program against the hard rules of its constraints (the asset check)."""

from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints, load_constraints


def hard_constraint_problems(program: dict[str, Any], constraints: ProgramConstraints) -> list[str]:
    """Hard rules a solved program must satisfy, re-checked on the written result (`program.json`).

    Checks the solver status, the number of training days, exercises per day, sets per
    exercise, excluded and required exercises and hard muscle minimums. The rules are the ones
    the program records as in force (`constraints`: the routine's defaults filled in, names
    resolved to ids) when it carries them, else `constraints`.

    Returns:
        One line per problem (empty when the program holds every rule).
    """
    problems: list[str] = []
    status = str(program.get("status", "")).lower()
    if status not in ("optimal", "feasible"):
        problems.append(f"solver status {program.get('status')!r} is not a feasible solution")
    days = program.get("days") or []
    c = load_constraints(program["constraints"]) if program.get("constraints") else constraints
    limit = c.training_days
    if len(days) > limit:
        problems.append(f"{len(days)} training days, at most {limit} allowed")
    seen: set[str] = set()
    for day in days:
        name = f"{day.get('weekday', day.get('day'))} {day.get('date') or ''}".strip()
        exercises = day.get("exercises") or []
        if not c.min_exercises_per_day <= len(exercises) <= c.max_exercises_per_day:
            problems.append(f"{name}: {len(exercises)} exercises, allowed {c.min_exercises_per_day}..{c.max_exercises_per_day}")
        for exercise in exercises:
            seen.add(str(exercise.get("exercise_id")))
            sets = exercise.get("sets")
            if sets is not None and not c.min_sets <= int(sets) <= c.max_sets:
                problems.append(f"{name}: {exercise.get('name')} has {sets} sets, allowed {c.min_sets}..{c.max_sets}")
            if str(exercise.get("exercise_id")) in c.exclude_exercises:
                problems.append(f"{name}: {exercise.get('name')} is excluded")
    for required in c.require_exercises:
        if required not in seen:
            problems.append(f"required exercise {required} is not in the week")
    for muscle, values in (program.get("muscles") or {}).items():
        minimum = values.get("hard_minimum") if isinstance(values, dict) else None
        achieved = values.get("effective_sets") if isinstance(values, dict) else None
        if minimum is not None and achieved is not None and float(achieved) + 1e-6 < float(minimum):
            problems.append(f"{muscle}: {achieved} effective sets, hard minimum {minimum}")
    return problems
