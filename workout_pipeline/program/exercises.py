"""From a catalog (plus the athlete's history and recommendations) to what the model optimises.

Every eligible exercise gets a `Prescription` (reps, rest, load: from the recommendations
table, else the athlete's last top set, else defaults) and thereby a time per set. Exercises
that are identical for the model (same day category, same contributions to the targeted
muscles, same primary muscles for the per-session rules, same time per set, same selection cost)
form one `ExerciseClass`; the fast formulation works on classes and picks the concrete
exercises afterwards.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from workout_pipeline.catalog.records import Catalog, as_catalog
from workout_pipeline.program.constraints import DAY_TYPES, ProgramConstraints
from workout_pipeline.program.prescribe import rest_seconds

# Equipment every lifter has, whatever `equipment` lists.
ALWAYS_AVAILABLE_EQUIPMENT: frozenset[str] = frozenset({"bodyweight"})
SET_OVERHEAD_S = 20.0  # set-up and unracking, per set
SECONDS_PER_REP = 7.0


@dataclass(frozen=True)
class Prescription:
    """Load, reps and rest for one exercise, and where they came from."""

    reps: int
    rest_s: float | None  # None until filled by the rest rule (`prescribe.rest_seconds`)
    load_kg: float | None
    source: str  # model | history | default

    @property
    def set_seconds(self) -> float:
        """Time one set takes, rest included: 20 s + 7 s per rep + rest."""
        return SET_OVERHEAD_S + SECONDS_PER_REP * self.reps + self.rest_s


@dataclass(frozen=True)
class EligibleExercise:
    """One catalog exercise the model may prescribe."""

    exercise_id: str
    name: str
    category: str  # push | pull | legs | core
    primary: frozenset[str]
    secondary: frozenset[str]
    compound: bool
    prescription: Prescription
    preferred: bool
    avoided: bool
    familiar: bool  # in the athlete's history
    equipment: str = "other"
    load_step_kg: float | None = None
    cost: float | None = None  # routine objective: the quality cost (program/quality.py)
    set_range: tuple[int, int] | None = None  # sets per session allowed (routine objective: near the lifter's own)


@dataclass(frozen=True)
class ExerciseClass:
    """Exercises the model cannot tell apart; `members` are ordered best first."""

    category: str
    contributions: tuple[tuple[str, float], ...]  # (muscle, sets credited per set), targeted muscles
    primary: frozenset[str]  # muscles whose direct work counts for the per-session rules
    set_seconds: float
    selection_cost: float
    members: tuple[EligibleExercise, ...]
    set_range: tuple[int, int] | None = None  # sets per exercise and day; None: `min_sets..max_sets`

    @property
    def size(self) -> int:
        return len(self.members)


def set_bounds(cls: ExerciseClass, constraints: ProgramConstraints) -> tuple[int, int]:
    """The least and most sets one exercise of the class may get on a day: its own range
    (inside `min_sets..max_sets`), else those two."""
    return cls.set_range if cls.set_range is not None else (constraints.min_sets, constraints.max_sets)


def _matches(exercise_id: str, name: str, wanted: frozenset[str]) -> bool:
    return exercise_id.lower() in wanted or name.lower() in wanted


def _lowered(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values)


def eligible_exercises(
    catalog: Catalog,
    constraints: ProgramConstraints,
    prescriptions: dict[str, Prescription] | None = None,
    familiar_ids: Iterable[str] = (),
) -> list[EligibleExercise]:
    """Filter the catalog by kind, equipment and exclusions and attach prescriptions.

    Args:
        catalog: The typed exercise catalog (`load_catalog`).
        constraints: Validated constraints.
        prescriptions: exercise_id -> Prescription from history/recommendations.
        familiar_ids: Exercise ids the athlete has done (favoured when `favour_history`).

    Returns:
        The eligible exercises, in catalog order.
    """
    catalog = as_catalog(catalog)
    prescriptions = prescriptions or {}
    familiar = frozenset(familiar_ids) if constraints.favour_history else frozenset()
    excluded = _lowered(constraints.exclude_exercises)
    preferred = _lowered(constraints.prefer_exercises)
    avoided = _lowered(constraints.avoid_exercises)
    excluded_muscles = frozenset(constraints.exclude_muscles)
    kinds = frozenset(constraints.exercise_kinds)
    equipment = None if constraints.equipment is None else frozenset(constraints.equipment) | ALWAYS_AVAILABLE_EQUIPMENT
    out: list[EligibleExercise] = []
    for record in catalog:
        exercise_id, name, category = record.exercise_id, record.name, record.category
        primary = frozenset(record.primary_muscles)
        secondary = frozenset(record.secondary_muscles) - primary
        if category not in DAY_TYPES + ("core",) or not primary:
            continue
        if record.kind not in kinds:
            continue
        if equipment is not None and record.equipment not in equipment:
            continue
        # an injured muscle is spared direct and indirect work
        if (primary | secondary) & excluded_muscles or _matches(exercise_id, name, excluded):
            continue
        compound = record.compound
        prescription = prescriptions.get(exercise_id) or default_prescription(compound, constraints)
        if prescription.rest_s is None:  # not logged: the rest rule by kind and reps
            prescription = replace(prescription, rest_s=rest_seconds(compound, prescription.reps))
        out.append(
            EligibleExercise(
                exercise_id=exercise_id,
                name=name,
                category=category,
                primary=primary,
                secondary=secondary,
                compound=compound,
                prescription=prescription,
                preferred=_matches(exercise_id, name, preferred),
                avoided=_matches(exercise_id, name, avoided),
                familiar=exercise_id in familiar,
                equipment=record.equipment,
                load_step_kg=record.load_step_kg,
            )
        )
    return out


def default_prescription(compound: bool, constraints: ProgramConstraints) -> Prescription:
    """Reps and rest when neither recommendations nor history say anything."""
    if compound:
        return Prescription(constraints.default_reps_compound, constraints.default_rest_s_compound, None, "default")
    return Prescription(constraints.default_reps_isolation, constraints.default_rest_s_isolation, None, "default")


def selection_cost(exercise: EligibleExercise, constraints: ProgramConstraints) -> float:
    """Objective cost of selecting the exercise on a day: the seed's 0.01, lowered for preferred
    and familiar exercises, raised for avoided ones."""
    cost = constraints.exercise_cost if exercise.cost is None else exercise.cost
    if exercise.preferred:
        cost -= constraints.prefer_bonus
    if exercise.familiar and exercise.cost is None:
        cost -= constraints.history_bonus
    if exercise.avoided:
        cost += constraints.avoid_penalty
    return round(cost, 9)


def contributions(exercise: EligibleExercise, muscles: Iterable[str], secondary_weight: float) -> dict[str, float]:
    """Effective sets credited to each of `muscles` per set: 1 primary, `secondary_weight` secondary."""
    out: dict[str, float] = {}
    for muscle in muscles:
        if muscle in exercise.primary:
            out[muscle] = 1.0
        elif muscle in exercise.secondary and secondary_weight > 0:
            out[muscle] = secondary_weight
    return out


def _member_rank(exercise: EligibleExercise) -> tuple:
    # which concrete exercise of a class to prescribe first: preferred, familiar, compound, name
    return (not exercise.preferred, not exercise.familiar, not exercise.compound, exercise.name.lower())


def build_classes(
    exercises: list[EligibleExercise],
    constraints: ProgramConstraints,
    aggregate: bool = True,
) -> list[ExerciseClass]:
    """Group exercises the model cannot tell apart (or one class per exercise).

    Args:
        exercises: Eligible exercises.
        constraints: Validated constraints (which muscles are targeted, which rules are on).
        aggregate: False gives one class per exercise (the naive formulation).

    Returns:
        Classes in a deterministic order.
    """
    scored = sorted(set(constraints.effective_targets()) | set(constraints.effective_hard_targets()))
    per_session_rules = (
        constraints.max_hard_sets_per_muscle_session is not None
        or constraints.rest_between_muscle_sessions_h is not None
    )
    groups: dict[tuple, list[EligibleExercise]] = {}
    for index, exercise in enumerate(exercises):
        contrib = tuple(sorted(contributions(exercise, scored, constraints.secondary_weight).items()))
        # primaries matter for the per-session rules (all muscles) and session counts (targeted)
        primary = exercise.primary if per_session_rules else exercise.primary & frozenset(scored)
        key = (
            exercise.category,
            contrib,
            tuple(sorted(primary)),
            round(exercise.prescription.set_seconds, 6),
            selection_cost(exercise, constraints),
            exercise.set_range,
        )
        if not aggregate:
            key = key + (index,)
        groups.setdefault(key, []).append(exercise)
    classes = [
        ExerciseClass(
            category=key[0],
            contributions=key[1],
            primary=frozenset(key[2]),
            set_seconds=key[3],
            selection_cost=key[4],
            members=tuple(sorted(members, key=_member_rank)),
            set_range=key[5],
        )
        for key, members in groups.items()
    ]
    return sorted(classes, key=lambda c: (c.category, c.contributions, sorted(c.primary), c.set_seconds, c.selection_cost, c.members[0].exercise_id))


def prune_dominated(classes: list[ExerciseClass], max_per_day: int) -> list[ExerciseClass]:
    """Drop classes another class beats in every respect.

    Class A is dominated by B when both have the same category and the same contributions to
    the scored muscles and the same range of sets, B's primary muscles are a subset of A's (so B
    is never held back more by the per-session rules), B is no slower and no more expensive, and
    B alone can fill any day (it has at least `max_per_day` members). Any use of A can then move to B without
    raising the objective or breaking a constraint, so the optimum is unchanged.
    """
    kept: list[ExerciseClass] = []
    by_signature: dict[tuple, list[ExerciseClass]] = {}
    for cls in classes:
        by_signature.setdefault((cls.category, cls.contributions, cls.set_range), []).append(cls)
    for group in by_signature.values():
        for a in group:
            dominated = any(
                b is not a
                and b.size >= max_per_day
                and b.primary <= a.primary
                and b.set_seconds <= a.set_seconds
                and b.selection_cost <= a.selection_cost
                and (b.primary, b.set_seconds, b.selection_cost) != (a.primary, a.set_seconds, a.selection_cost)
                for b in group
            )
            if not dominated:
                kept.append(a)
    return kept


def prescriptions_from_tables(
    history: pd.DataFrame | None,
    recommendations: pd.DataFrame | None,
    athlete_id: str | None,
) -> tuple[dict[str, Prescription], set[str]]:
    """Prescriptions per catalog exercise id, and the ids the athlete has done.

    Recommendations (columns athlete_id, exercise_id, load_kg, reps, rest_s, ...) win; then the
    top set of the athlete's last occurrence of the exercise in the validated sets.

    Args:
        history: Canonical validated sets (may hold several athletes) or None.
        recommendations: Recommendations table or None.
        athlete_id: Whose rows to use; None uses all rows.

    Returns:
        (exercise_id -> Prescription, set of exercise ids in the history).
    """
    from workout_pipeline.program.prescribe import read_recommendations
    from workout_pipeline.program.routine import last_occurrences, last_top_sets, working_lift_sets

    out: dict[str, Prescription] = {}
    familiar: set[str] = set()
    if history is not None and len(history):
        sets = working_lift_sets(history, athlete_id)
        familiar = set(sets["exercise_id"].unique())
        if len(sets):
            rests = last_occurrences(sets).groupby("exercise_id")["rest_s"].median()
            for exercise_id, top in last_top_sets(sets).iterrows():
                weight, rest = top["weight_kg"], rests.get(exercise_id)
                out[str(exercise_id)] = Prescription(
                    reps=int(top["reps"]),
                    rest_s=None if rest is None or pd.isna(rest) else float(rest),
                    load_kg=None if pd.isna(weight) or float(weight) <= 0 else float(weight),
                    source="history",
                )
    for exercise_id, rec in read_recommendations(recommendations, athlete_id).items():
        out[exercise_id] = Prescription(reps=rec.reps, rest_s=rec.rest_s, load_kg=rec.load_kg, source="model")
    return out, familiar
