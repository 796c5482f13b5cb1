"""Where the project's shipped data and the shared public data live (overridable: see `settings`)."""

from pathlib import Path

from workout_pipeline.settings import data_dir_override

REPO_ROOT = Path(__file__).resolve().parents[1]

# Shipped data: built-in catalog, aliases, demo logs.
DATA_DIR = data_dir_override("DATA_DIR") or REPO_ROOT / "data"

# Public logs and catalogs that sit beside the checkout (read in place, never copied).
SHARED_DATA_DIR = data_dir_override("SHARED_DATA") or REPO_ROOT.parent / "shared" / "data"
SHARED_LOGS_DIR = SHARED_DATA_DIR / "logs"
FREE_EXERCISE_DB_JSON = SHARED_DATA_DIR / "catalogs" / "free-exercise-db" / "exercises.json"


def public_log_files() -> dict[str, Path]:
    """The public real logs by folder name (one athlete each); empty when not present."""
    if not SHARED_LOGS_DIR.is_dir():
        return {}
    found: dict[str, Path] = {}
    for folder in sorted(p for p in SHARED_LOGS_DIR.iterdir() if p.is_dir()):
        csvs = sorted(folder.glob("*.csv"))
        if csvs:
            found[folder.name] = csvs[0]
    return found
