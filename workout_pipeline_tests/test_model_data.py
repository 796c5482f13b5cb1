"""Small hand-made canonical set tables shared by the model, feature, graph and split tests."""

import numpy as np
import pandas as pd

from workout_pipeline.schema import to_canonical

LIFTS = (
    ("bench_press_barbell", "Bench Press (Barbell)", 60.0),
    ("squat_barbell", "Squat (Barbell)", 80.0),
    ("lat_pulldown_cable", "Lat Pulldown (Cable)", 50.0),
    ("overhead_press_barbell", "Overhead Press (Barbell)", 40.0),
)


def sets_frame(rows: list[dict]) -> pd.DataFrame:
    """Canonical frame from partial rows (missing columns filled)."""
    filled = []
    for i, row in enumerate(rows):
        base = {
            "athlete_id": "a",
            "set_type": "normal",
            "rpe": np.nan,
            "rest_s": np.nan,
            "duration_s": np.nan,
            "distance_m": np.nan,
            "source_file": "test.csv",
            "source_row": i + 1,
            "source_format": "test",
            "exercise_id": None,
        }
        base.update(row)
        base.setdefault("session_id", f"{base['athlete_id']}|{base['performed_at']}")
        filled.append(base)
    frame = pd.DataFrame(filled)
    frame["exercise_id"] = frame["exercise_id"].astype("string")
    return to_canonical(frame)


def synthetic_sets(n_athletes: int = 2, sessions: int = 24, seed: int = 0) -> pd.DataFrame:
    """Athletes doing 4 lifts every 3-4 days with double progression (8-12 reps) and noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(n_athletes):
        day = pd.Timestamp("2024-01-01 18:00")
        state = {lift: [start + 5 * a, 8] for lift, _, start in LIFTS}
        for s in range(sessions):
            day = day + pd.Timedelta(days=int(rng.integers(3, 5)))
            for lift, raw, _ in LIFTS:
                weight, reps = state[lift]
                for set_index in range(3):
                    rows.append(
                        {
                            "athlete_id": f"ath{a}",
                            "session_id": f"ath{a}-{s}",
                            "performed_at": day,
                            "exercise_raw": raw,
                            "exercise_id": lift,
                            "set_index": set_index,
                            "weight_kg": weight,
                            "reps": max(reps - set_index // 2, 1),
                            "rest_s": 120.0 + 10 * set_index,
                        }
                    )
                if reps >= 12:
                    state[lift] = [weight + 2.5, 8]
                elif rng.random() < 0.6:
                    state[lift] = [weight, reps + 1]
    return sets_frame(rows)


def catalog_frame():
    """A four-exercise typed catalog (built from a table in the catalog's columns)."""
    from workout_pipeline.catalog.records import as_catalog

    return as_catalog(pd.DataFrame(
        {
            "exercise_id": ["bench_press_barbell", "squat_barbell", "lat_pulldown_cable", "overhead_press_barbell"],
            "name": ["Bench Press (Barbell)", "Squat (Barbell)", "Lat Pulldown (Cable)", "Overhead Press (Barbell)"],
            "primary_muscles": [["chest"], ["quads"], ["lats"], ["front_delts"]],
            "secondary_muscles": [["front_delts", "triceps"], ["glutes"], ["biceps", "upper_back"], ["triceps"]],
            "category": ["push", "legs", "pull", "push"],
            "equipment": ["barbell", "barbell", "cable", "barbell"],
            "mechanic": ["compound", "compound", "compound", "compound"],
            "loadable": [True, True, True, True],
            "load_step_kg": [2.5, 2.5, 2.5, 2.5],
            "kind": ["strength"] * 4,
            "source": ["test"] * 4,
        }
    ))
