"""Fixed vocabularies of a catalog row: columns, equipment and its load step, mechanics, kinds."""

# Column order of every loaded catalog (built-in, imported or user-supplied).
CATALOG_COLUMNS: tuple[str, ...] = (
    "exercise_id",
    "name",
    "primary_muscles",
    "secondary_muscles",
    "category",
    "equipment",
    "mechanic",
    "loadable",
    "load_step_kg",
    "kind",
    "source",
)

# Smallest load change the equipment allows, in kg: what a prescribed load is rounded to.
# barbell/ez_bar/smith: a pair of 1.25 kg plates; dumbbell: the usual 2 kg rack spacing;
# cable/machine: the common 2.5 kg stack pin step (plate-loaded machines: 1.25 kg per side);
# kettlebell: 4 kg between competition bells; plate: lifting a single plate, 5 kg apart;
# bodyweight: a 2.5 kg plate on a dip belt; band/other: no weight scale, 1 kg as a neutral step.
LOAD_STEP_KG: dict[str, float] = {
    "barbell": 2.5,
    "dumbbell": 2.0,
    "cable": 2.5,
    "machine": 2.5,
    "smith_machine": 2.5,
    "ez_bar": 2.5,
    "kettlebell": 4.0,
    "plate": 5.0,
    "bodyweight": 2.5,
    "band": 1.0,
    "other": 1.0,
}

EQUIPMENT: tuple[str, ...] = tuple(LOAD_STEP_KG)

MECHANICS: tuple[str, ...] = ("compound", "isolation")

# What kind of work an exercise is (free-exercise-db's `category`, lower-case, spaces as `_`).
KINDS: tuple[str, ...] = (
    "strength",
    "powerlifting",
    "olympic_weightlifting",
    "strongman",
    "plyometrics",
    "stretching",
    "cardio",
)

# Kinds that count as resistance training (weekly set volume, program selection).
STRENGTH_KINDS: frozenset[str] = frozenset({"strength", "powerlifting", "olympic_weightlifting", "strongman"})
