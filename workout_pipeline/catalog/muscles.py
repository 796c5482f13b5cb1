"""The one fixed muscle vocabulary the whole project uses (catalog, features, program targets)."""

MUSCLES: tuple[str, ...] = (
    "chest",
    "front_delts",
    "side_delts",
    "rear_delts",
    "triceps",
    "biceps",
    "forearms",
    "lats",
    "upper_back",  # rhomboids, mid traps, teres: "middle back" in free-exercise-db
    "traps",  # upper traps (shrugs)
    "lower_back",
    "abs",
    "obliques",
    "glutes",
    "quads",
    "hamstrings",
    "adductors",
    "abductors",
    "calves",
    "neck",
)

# Day categories of the push/pull/legs split (core work fits any day).
CATEGORIES: tuple[str, ...] = ("push", "pull", "legs", "core")

# Which day type a muscle belongs to when an exercise's category must be derived from muscles.
MUSCLE_CATEGORY: dict[str, str] = {
    "chest": "push",
    "front_delts": "push",
    "side_delts": "push",
    "triceps": "push",
    "rear_delts": "pull",
    "biceps": "pull",
    "forearms": "pull",
    "lats": "pull",
    "upper_back": "pull",
    "traps": "pull",
    "lower_back": "legs",
    "glutes": "legs",
    "quads": "legs",
    "hamstrings": "legs",
    "adductors": "legs",
    "abductors": "legs",
    "calves": "legs",
    "abs": "core",
    "obliques": "core",
    "neck": "pull",
}
