"""The routine objective's cost per selected exercise: familiar, standard, compound, equipment.

    cost(e) = exercise_cost
            + new_exercise_cost      if the lifter has never logged e          (3.0)
            + stale_exercise_cost    if logged, but not in the recent weeks    (1.0)
            + rare_lift_cost·(1 - its recent sessions / the most-done lift's)  (0.02;
                                     a lift of the recent weeks: among equals, the one the
                                     lifter does most often)
            + nonstandard_cost       if e is not a standard lift (below)       (1.0;
                                     half for a variant of a standard lift)
            + QUALIFIER_COST * qualifiers(e)   (0.05 per word, at most 3)
            + isolation_cost         if e is an isolation exercise             (0.1)
            + EQUIPMENT_COST[equipment of e]                                   (0 .. 0.5)
            - prefer_bonus if preferred;  + avoid_penalty if avoided

and, per day, `off_routine_day_cost` (0.5) when a lift the lifter does goes on a day whose
template does not hold it. A set that closes a target gap below the lifter's own volume is worth
`under_penalty` (10; above it `growth_penalty`, 1), so a new exercise enters only where the
lifter's own lifts cannot cover a targeted muscle, and then
the most standard, compound, free-weight one; an obscure catalog entry costs at least
`nonstandard_cost` more than an equivalent standard lift, and a new one `new_exercise_cost`
more than the lifter's staple.

A *standard lift* is one whose name holds one of `STANDARD_LIFTS` (the movements coaches
program: squat, bench press, deadlift, overhead press, rows, pull-ups, curls, ...) as
consecutive words, so "Barbell Bench Press - Medium Grip" and "Bench Press (Dumbbell)" are
standard and "Jerk Balance", "Pallof Press" or "Bayesian Curl" are not. A standard lift whose
name also has a `VARIANT_WORDS` word ("Box Squat", "Chin Up (Weighted)") is a variant and costs
half of `nonstandard_cost`. Each word a name adds to its movement besides the equipment
(*qualifiers*: "Front" Squat, "Bulgarian" Split Squat, "Incline" Bench Press) makes it a little
less standard, so "Squat (Barbell)" beats "Front Squat (Barbell)" as a fill-in. That phrase is also the lift's *movement*: the routine model puts at
most one exercise of a movement the lifter does not already do on a day.

The *foundation lifts* (`FOUNDATION_LIFTS`) are the six movements a coach builds a beginner's
week on: the squat, bench press, deadlift, overhead press, a row and a pull-up or chin-up.
`foundation_rank` orders them before every other movement; it breaks ties between fill-ins of
equal cost (a squat before a lunge, not the alphabet), and `plan.starter_staples` takes a
lifter without history's plain form of each (`program/plan.py`). Within a day, lifts the
lifter's own order does not place go compound first, then by `session_rank` (the foundation
lifts first, squat before bench press, overhead press, deadlift, row and pull-up).
"""

import functools
import re

STANDARD_LIFTS: tuple[str, ...] = (
    "bench press", "chest press", "chest fly", "cable crossover", "push up", "chest dip", "dips",
    "overhead press", "shoulder press", "military press", "lateral raise", "reverse fly", "face pull", "shrug",
    "pull up", "chin up", "lat pulldown", "pulldown", "seated row", "cable row", "bent over row", "one arm row",
    "pendlay row", "t bar row", "chest supported row", "iso lateral row", "inverted row", "back extension",
    "deadlift", "hip thrust", "glute bridge", "squat", "leg press", "leg extension", "leg curl",
    "lunge", "split squat", "step up", "calf raise", "calf press", "bicep curl", "biceps curl", "barbell curl",
    "dumbbell curl", "hammer curl", "preacher curl", "incline curl", "triceps pushdown", "tricep pushdown",
    "rope pushdown", "triceps extension", "tricep extension", "skullcrusher", "skull crusher", "triceps dip",
    "crunch", "hanging leg raise", "hanging knee raise", "leg raise", "plank", "ab wheel", "ab roller", "sit up",
    "hip abduction", "hip adduction", "good morning", "barbell row", "dumbbell row",
)
VARIANT_WORDS: frozenset[str] = frozenset({
    "weighted", "assisted", "band", "jump", "kneeling", "powerlifting", "deficit", "pause", "box", "single",
    "rear", "sissy", "zercher", "jefferson", "landmine", "close", "wide", "bicycle", "decline", "reverse",
    "underhand", "upright", "sumo", "suitcase", "bottoms", "half", "partial",
})

EQUIPMENT_COST: dict[str, float] = {
    "barbell": 0.0,
    "dumbbell": 0.0,
    "bodyweight": 0.05,
    "ez_bar": 0.05,
    "cable": 0.1,
    "machine": 0.1,
    "smith_machine": 0.2,
    "kettlebell": 0.3,
    "plate": 0.3,
    "band": 0.5,
    "other": 0.5,
}

# each group: the movements that can stand for it, the coach's first choice first
FOUNDATION_LIFTS: tuple[tuple[str, ...], ...] = (
    ("squat",), ("bench press",), ("deadlift",), ("overhead press",),
    ("bent over row", "pendlay row", "barbell row", "dumbbell row", "one arm row", "t bar row", "inverted row",
     "seated row", "cable row"),
    ("pull up", "chin up", "lat pulldown"),
)
# a session's foundation lifts in this order (indices into FOUNDATION_LIFTS): squat, bench press,
# overhead press, deadlift, row, pull-up
SESSION_ORDER: tuple[int, ...] = (0, 1, 3, 2, 4, 5)
QUALIFIER_COST = 0.05
_EQUIPMENT_WORDS = frozenset({"barbell", "dumbbell", "dumbbells", "cable", "machine", "smith", "ez", "bar", "kettlebell",
                              "band", "plate", "loaded", "bodyweight", "with", "the", "on", "a"})

# longest phrases first, so "incline curl" wins over "curl"-like shorter matches
_BY_LENGTH = sorted(STANDARD_LIFTS, key=lambda lift: (-len(lift), lift))


@functools.lru_cache(maxsize=8192)
def _text(name: str) -> str:
    text = re.sub(r"[^a-z ]+", " ", name.lower().replace("-", " "))
    text = text.replace("pullup", "pull up").replace("chinup", "chin up").replace("pushup", "push up")
    return " " + " ".join(text.split()) + " "


@functools.lru_cache(maxsize=8192)
def movement(name: str) -> str | None:
    """The standard movement an exercise is a form of (module docstring), or None (cached: the
    week's pool asks it of every catalog exercise once per targeted muscle)."""
    text = _text(name)
    return next((lift for lift in _BY_LENGTH if f" {lift} " in text), None)


def standardness(name: str) -> float:
    """1 for a standard lift, 0.5 for a variant of one, 0 otherwise (module docstring)."""
    lift = movement(name)
    if lift is None:
        return 0.0
    return 0.5 if (set(_text(name).split()) - set(lift.split())) & VARIANT_WORDS else 1.0


def qualifiers(name: str) -> int:
    """Words the name adds to its movement besides equipment (at most 3; module docstring)."""
    lift = movement(name)
    plain = set(_text(re.sub(r"\([^)]*\)", " ", name)).split())
    return min(3, len(plain - set((lift or "").split()) - _EQUIPMENT_WORDS))


def foundation_group(name: str) -> int | None:
    """Which of `FOUNDATION_LIFTS` the exercise is a form of (its index), or None."""
    lift = movement(name)
    return next((i for i, group in enumerate(FOUNDATION_LIFTS) if lift in group), None)


def foundation_rank(name: str) -> tuple[int, int]:
    """Coaching priority of a movement (smaller first; module docstring): a foundation lift
    first (by its place in its group: a pull-up before a chin-up), everything else after them."""
    lift = movement(name)
    group = foundation_group(name)
    return (0, FOUNDATION_LIFTS[group].index(lift)) if group is not None else (1, 0)


def session_rank(name: str) -> tuple[int, int]:
    """Where a lift goes in a session when the lifter's own order does not say (smaller
    first): the foundation lifts in `SESSION_ORDER` (the squat first, as Starting Strength and
    StrongLifts 5x5 order them), then everything else."""
    group = foundation_group(name)
    if group is None:
        return (len(SESSION_ORDER), 0)
    return (SESSION_ORDER.index(group), foundation_rank(name)[1])


def is_standard(name: str) -> bool:
    """Whether the exercise is a standard lift, variants included (module docstring)."""
    return movement(name) is not None


def quality_cost(name: str, compound: bool, equipment: str, new: bool, stale: bool, constraints,
                 rarity: float = 0.0) -> float:
    """The per-exercise part of the routine objective (module docstring), before preferences;
    `rarity`: 1 - a recent lift's sessions / the lifter's most-done lift's (0 for others)."""
    c = constraints
    cost = c.exercise_cost
    cost += c.new_exercise_cost if new else c.stale_exercise_cost if stale else 0.0
    cost += c.rare_lift_cost * rarity
    cost += (1.0 - standardness(name)) * c.nonstandard_cost
    cost += QUALIFIER_COST * qualifiers(name)
    cost += 0.0 if compound else c.isolation_cost
    cost += EQUIPMENT_COST.get(equipment, EQUIPMENT_COST["other"])
    return round(cost, 6)
