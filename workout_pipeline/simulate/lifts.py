"""The simulator's lift library: app names, equipment, load grids, strength ratios and split days.

Names are the ones the apps really write: Strong and Hevy share most names
(`Bench Press (Barbell)`), FitNotes and Fitbod use their own (`Flat Barbell Bench Press`,
`Barbell Bench Press`). Strength ratios are rough one-rep-max-to-bodyweight ratios of an
intermediate lifter (per hand for dumbbells, on the effective load for bodyweight lifts), taken
from common strength-standard tables; they only need to be plausible, not exact.
"""

from dataclasses import dataclass

import numpy as np

LB_PER_KG = 1 / 0.45359237
KG_PER_LB = 0.45359237

NAMINGS: tuple[str, ...] = ("strong", "hevy", "fitnotes", "fitbod")


@dataclass(frozen=True)
class Lift:
    """One lift the simulated lifters can do.

    Attributes:
        key: Stable internal key.
        names: App name per naming style (`strong`, `hevy`, `fitnotes`, `fitbod`).
        category: FitNotes category (Chest, Back, Legs, Shoulders, Biceps, Triceps, Abs).
        equipment: Load-grid family: barbell, ez_bar, dumbbell, machine, cable, plate_machine,
            bodyweight.
        compound: Heavy multi-joint lift that gets warm-up sets and longer rests.
        ratio: Intermediate one-rep max over bodyweight (on the effective load).
        rep_range: Double-progression rep range (low, high).
        days: Split day types this lift belongs to.
        lower_body: Lower-body barbell lifts progress in bigger linear jumps.
        bodyweight_share: Share of bodyweight that is part of the moved load (pull-up 1.0).
    """

    key: str
    names: dict[str, str]
    category: str
    equipment: str
    compound: bool
    ratio: float
    rep_range: tuple[int, int]
    days: tuple[str, ...]
    lower_body: bool = False
    bodyweight_share: float = 0.0

    def name(self, naming: str) -> str:
        """The lift's name as the given app writes it."""
        return self.names.get(naming) or self.names["strong"]


def _lift(key, strong, hevy, fitnotes, fitbod, category, equipment, compound, ratio, reps, days, **kw):
    """Compact table row -> `Lift` (Hevy name defaults to Strong's; days space-separated)."""
    names = {"strong": strong, "hevy": hevy or strong, "fitnotes": fitnotes, "fitbod": fitbod}
    return Lift(key, names, category, equipment, compound, ratio, reps, tuple(days.split()), **kw)


LIFTS: tuple[Lift, ...] = (
    # push
    _lift("bench", "Bench Press (Barbell)", None, "Flat Barbell Bench Press", "Barbell Bench Press",
          "Chest", "barbell", True, 1.0, (5, 8), "push upper"),
    _lift("incline_db", "Incline Bench Press (Dumbbell)", None, "Incline Dumbbell Bench Press",
          "Incline Dumbbell Bench Press", "Chest", "dumbbell", True, 0.34, (8, 12), "push upper"),
    _lift("incline_bb", "Incline Bench Press (Barbell)", None, "Incline Barbell Bench Press",
          "Incline Bench Press", "Chest", "barbell", True, 0.82, (6, 10), "push upper"),
    _lift("ohp", "Overhead Press (Barbell)", None, "Overhead Press", "Barbell Shoulder Press",
          "Shoulders", "barbell", True, 0.62, (5, 8), "push upper"),
    _lift("db_press", "Shoulder Press (Dumbbell)", None, "Seated Dumbbell Press", "Dumbbell Shoulder Press",
          "Shoulders", "dumbbell", True, 0.27, (8, 12), "push upper"),
    _lift("chest_press", "Chest Press (Machine)", None, "Machine Chest Press", "Machine Chest Press",
          "Chest", "machine", False, 0.9, (8, 12), "push upper"),
    _lift("fly", "Cable Crossover", "Cable Fly Crossovers", "Cable Crossover", "Cable Crossover Fly",
          "Chest", "cable", False, 0.3, (10, 15), "push upper"),
    _lift("lateral", "Lateral Raise (Dumbbell)", None, "Lateral Dumbbell Raise", "Dumbbell Lateral Raise",
          "Shoulders", "dumbbell", False, 0.13, (12, 15), "push upper"),
    _lift("pushdown", "Triceps Pushdown (Cable - Straight Bar)", "Triceps Pushdown", "Cable Tricep Pushdown",
          "Cable Tricep Pushdown", "Triceps", "cable", False, 0.42, (10, 15), "push upper"),
    _lift("skull", "Skullcrusher (Barbell)", None, "EZ-Bar Skullcrusher", "Skullcrusher",
          "Triceps", "ez_bar", False, 0.38, (8, 12), "push"),
    _lift("dip", "Triceps Dip", None, "Parallel Bar Triceps Dip", "Dip", "Triceps", "bodyweight", True,
          1.45, (6, 12), "push", bodyweight_share=1.0),
    # pull
    _lift("deadlift", "Deadlift (Barbell)", None, "Deadlift", "Deadlift", "Back", "barbell", True, 1.7,
          (5, 8), "pull lower", lower_body=True),
    _lift("row", "Bent Over Row (Barbell)", None, "Barbell Row", "Barbell Bent Over Row", "Back", "barbell",
          True, 0.85, (6, 10), "pull upper"),
    _lift("pulldown", "Lat Pulldown (Cable)", None, "Lat Pulldown", "Lat Pulldown", "Back", "cable", True,
          0.85, (8, 12), "pull upper"),
    _lift("pullup", "Pull Up", None, "Pull Up", "Pull Up", "Back", "bodyweight", True, 1.3, (5, 10),
          "pull upper", bodyweight_share=1.0),
    _lift("chinup", "Chin Up", None, "Chin Up", "Chin Up", "Back", "bodyweight", True, 1.33, (6, 10),
          "pull", bodyweight_share=1.0),
    _lift("cable_row", "Seated Row (Cable)", "Seated Cable Row - V Grip (Cable)", "Seated Cable Row",
          "Seated Cable Row", "Back", "cable", True, 0.85, (8, 12), "pull upper"),
    _lift("face_pull", "Face Pull (Cable)", "Face Pull", "Cable Face Pull", "Face Pull", "Shoulders", "cable",
          False, 0.35, (12, 15), "pull upper"),
    _lift("curl_bb", "Bicep Curl (Barbell)", None, "Barbell Curl", "Barbell Curl", "Biceps", "ez_bar",
          False, 0.5, (8, 12), "pull upper"),
    _lift("hammer", "Hammer Curl (Dumbbell)", None, "Dumbbell Hammer Curl", "Dumbbell Hammer Curl",
          "Biceps", "dumbbell", False, 0.2, (10, 12), "pull upper"),
    _lift("curl_db", "Bicep Curl (Dumbbell)", None, "Dumbbell Curl", "Dumbbell Bicep Curl", "Biceps",
          "dumbbell", False, 0.19, (10, 12), "pull"),
    _lift("shrug", "Shrug (Dumbbell)", None, "Dumbbell Shrug", "Dumbbell Shrug", "Back", "dumbbell", False,
          0.5, (10, 15), "pull"),
    # legs
    _lift("squat", "Squat (Barbell)", None, "Barbell Squat", "Back Squat", "Legs", "barbell", True, 1.4,
          (5, 8), "legs lower", lower_body=True),
    _lift("front_squat", "Front Squat (Barbell)", None, "Barbell Front Squat", "Front Squat", "Legs",
          "barbell", True, 1.1, (5, 8), "legs lower", lower_body=True),
    _lift("rdl", "Romanian Deadlift (Barbell)", None, "Romanian Deadlift", "Romanian Deadlift", "Legs",
          "barbell", True, 1.2, (6, 10), "legs lower", lower_body=True),
    _lift("leg_press", "Leg Press", "Leg Press (Machine)", "Leg Press", "Leg Press", "Legs", "plate_machine",
          True, 2.6, (8, 12), "legs lower", lower_body=True),
    _lift("hip_thrust", "Hip Thrust (Barbell)", None, "Barbell Hip Thrust", "Barbell Hip Thrust", "Legs",
          "barbell", True, 1.5, (8, 12), "legs lower", lower_body=True),
    _lift("split_squat", "Bulgarian Split Squat", "Bulgarian Split Squat", "Dumbbell Bulgarian Split Squat",
          "Dumbbell Bulgarian Split Squat", "Legs", "dumbbell", True, 0.3, (8, 12), "legs lower"),
    _lift("leg_ext", "Leg Extension (Machine)", None, "Leg Extension Machine", "Leg Extension", "Legs",
          "machine", False, 0.85, (10, 15), "legs lower"),
    _lift("leg_curl", "Lying Leg Curl (Machine)", None, "Lying Leg Curl Machine", "Lying Hamstrings Curl",
          "Legs", "machine", False, 0.6, (10, 15), "legs lower"),
    _lift("seated_curl", "Seated Leg Curl (Machine)", None, "Seated Leg Curl Machine", "Seated Leg Curl",
          "Legs", "machine", False, 0.65, (10, 15), "legs lower"),
    _lift("calf", "Standing Calf Raise (Machine)", None, "Standing Calf Raise Machine", "Machine Calf Raise",
          "Legs", "machine", False, 1.3, (10, 15), "legs lower"),
    # core
    _lift("leg_raise", "Hanging Leg Raise", None, "Hanging Leg Raise", "Hanging Leg Raise", "Abs",
          "bodyweight", False, 0.55, (10, 15), "legs lower pull", bodyweight_share=0.35),
    _lift("cable_crunch", "Cable Crunch", None, "Cable Crunch", "Cable Crunch", "Abs", "cable", False, 0.6,
          (10, 15), "legs lower push"),
)



@dataclass(frozen=True)
class Finisher:
    """Conditioning work logged by time (and distance): no load, no reps."""

    key: str
    names: dict[str, str]
    category: str

    def name(self, naming: str) -> str:
        """The exercise's name as the given app writes it."""
        return self.names.get(naming) or self.names["strong"]


FINISHERS: tuple[Finisher, ...] = (
    Finisher("treadmill", {"strong": "Running (Treadmill)", "hevy": "Treadmill", "fitnotes": "Treadmill",
                           "fitbod": "Running"}, "Cardio"),
    Finisher("plank", {"strong": "Plank", "hevy": "Plank", "fitnotes": "Plank", "fitbod": "Plank"}, "Abs"),
)

LIFT_INDEX: dict[str, int] = {lift.key: i for i, lift in enumerate(LIFTS)}

# Split-day templates: ordered slots, each a list of candidate lift keys (the athlete picks one
# per slot, never the same lift twice in a day). Main lifts come first, isolation work last.
DAY_TEMPLATES: dict[str, tuple[tuple[str, ...], ...]] = {
    "Push": (("bench",), ("incline_db", "ohp", "incline_bb"), ("db_press", "chest_press", "ohp"),
             ("lateral",), ("pushdown", "skull", "dip"), ("fly", "cable_crunch")),
    "Pull": (("deadlift", "row"), ("pulldown", "pullup"), ("cable_row", "row", "chinup"),
             ("face_pull",), ("curl_bb", "curl_db"), ("hammer", "shrug", "leg_raise")),
    "Legs": (("squat",), ("rdl",), ("leg_press", "split_squat", "front_squat"), ("leg_curl", "seated_curl"),
             ("leg_ext", "hip_thrust"), ("calf",), ("leg_raise", "cable_crunch")),
    "Upper": (("bench",), ("row", "cable_row"), ("ohp", "incline_db", "db_press"), ("pulldown", "pullup"),
              ("lateral", "face_pull"), ("curl_bb", "hammer"), ("pushdown", "skull")),
    "Lower": (("squat", "front_squat"), ("rdl", "deadlift"), ("leg_press", "split_squat", "hip_thrust"),
              ("leg_curl", "seated_curl"), ("leg_ext",), ("calf",), ("leg_raise", "cable_crunch")),
}

# Training days per week -> the rotation of split days (suffixes tell variants apart).
SPLITS: dict[int, tuple[str, ...]] = {
    3: ("Push", "Pull", "Legs"),
    4: ("Upper A", "Lower A", "Upper B", "Lower B"),
    5: ("Upper", "Lower", "Push", "Pull", "Legs"),
    6: ("Push A", "Pull A", "Legs A", "Push B", "Pull B", "Legs B"),
}

# Weekdays (0 = Monday) used for each weekly frequency.
WEEKDAYS: dict[int, tuple[int, ...]] = {
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
}


def _grid(start: float, stop: float, step: float) -> np.ndarray:
    return np.round(np.arange(start, stop + step / 2, step), 4)


def load_grid(equipment: str, unit: str) -> np.ndarray:
    """The loads a lifter can actually set up, in the athlete's unit, ascending.

    Barbells: 20 kg bar with 1.25 kg plates (2.5 kg jumps) or a 45 lb bar with 2.5 lb plates
    (5 lb jumps); curls and skullcrushers use a 7.5 kg / 15 lb EZ bar. Dumbbells: a typical rack (1 kg steps to 10 kg then 2 kg; 5 lb steps with the
    small 8/12 lb bells). Stacks: 5 kg / 10 lb (machines), 2.5 kg / 5 lb (cables). Plate-loaded
    machines: 5 kg / 10 lb pairs from an empty sled. Bodyweight: added load from 0.
    """
    if unit == "kg":
        grids = {
            "barbell": _grid(20, 400, 2.5),
            "ez_bar": _grid(7.5, 150, 2.5),
            "dumbbell": np.concatenate([_grid(1, 10, 1), _grid(12, 70, 2)]),
            "machine": _grid(5, 300, 5),
            "cable": _grid(2.5, 150, 2.5),
            "plate_machine": _grid(0, 600, 5),
            "bodyweight": _grid(0, 100, 2.5),
        }
    else:
        grids = {
            "barbell": _grid(45, 900, 5),
            "ez_bar": _grid(15, 330, 5),
            "dumbbell": np.concatenate([[5.0, 8.0, 10.0, 12.0], _grid(15, 150, 5)]),
            "machine": _grid(10, 650, 10),
            "cable": _grid(5, 330, 5),
            "plate_machine": _grid(0, 1300, 10),
            "bodyweight": _grid(0, 220, 5),
        }
    return grids[equipment]


def category_for(name: str) -> str:
    """FitNotes category of an exercise name in any naming style ('Other' when unknown)."""
    return _CATEGORY_BY_NAME.get(name.casefold(), "Other")


_CATEGORY_BY_NAME: dict[str, str] = {
    n.casefold(): lift.category for lift in LIFTS + FINISHERS for n in lift.names.values()
}
