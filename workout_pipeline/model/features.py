# Over 400 lines: every occurrence feature is computed here, in one pass, so each has one definition.
"""Per-occurrence features: one row per athlete x session x exercise, built from past data only.

An *occurrence* is all working sets (set_type normal or failure) of one exercise in one session
(DESIGN.md "Evaluation protocol"). Every feature of an occurrence uses that occurrence and
earlier ones of the same athlete, never later sessions, so an occurrence row may stand in for
"what was known right after this session".
"""

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workout_pipeline.catalog.muscles import CATEGORIES, MUSCLES
from workout_pipeline.catalog.records import Catalog, Exercise, as_catalog
from workout_pipeline.catalog.vocabulary import LOAD_STEP_KG
from workout_pipeline.ingest.values import LB_TO_KG
from workout_pipeline.schema import WORKING_SET_TYPES

# Equipment classes used as node features (each is also a catalog equipment with a load step).
EQUIPMENT_CLASSES: tuple[str, ...] = ("barbell", "dumbbell", "machine", "cable", "bodyweight", "other")
# Secondary muscles count half a set (the published convention).
SECONDARY_MUSCLE_WEIGHT = 0.5
# Window over which "how many sets did this muscle get lately" is counted.
WEEKLY_WINDOW_DAYS = 7
# Occurrences that define an exercise's working rep range (double progression).
REP_RANGE_WINDOW = 8

# Numeric columns that become node features (in this order), see `node_feature_columns`.
BASE_FEATURE_COLUMNS: tuple[str, ...] = (
    "log_top_weight",
    "top_reps",
    "log_e1rm_best",
    "load_rel_best",
    "e1rm_rel_best",
    "top_rpe_filled",
    "has_rpe",
    "n_sets",
    "log_volume",
    "rest_min_filled",
    "has_rest",
    "days_since_prev_clipped",
    "has_prev",
    "weight_lag1_rel",
    "weight_lag2_rel",
    "weight_lag3_rel",
    "reps_lag1",
    "reps_lag2",
    "reps_lag3",
    "recent_max_weight_rel",
    "e1rm_slope_rel",
    "hit_top_of_range",
    "rep_range_top",
    "rep_range_bottom",
    "reps_position_in_range",
    "repeat_rate",
    "same_load_streak",
    "log_occurrence_index",
    "progressed_last",
    "weight_change_sign",
    "step_rel",
    "is_weighted",
    "session_position",
    "session_n_exercises",
    "primary_weekly_sets",
    "primary_days_since_clipped",
    "muscles_known",
    "athlete_sessions_last_week",
    "athlete_repeat_rate",
    "median3_weight_rel",
    "lift_recent_change_rate",
    "lift_recent_abs_change_rel",
    "athlete_recent_change_rate",
    "athlete_recent_abs_change_rel",
)
# Window (days) of the athlete's recent load-change behaviour (regimes shift: deloads, peaking).
RECENT_WINDOW_DAYS = 14


def node_feature_columns() -> list[str]:
    """All numeric feature columns of `build_features` output that the models read."""
    return (
        list(BASE_FEATURE_COLUMNS)
        + [f"category_{c}" for c in CATEGORIES + ("unknown",)]
        + [f"equipment_{e}" for e in EQUIPMENT_CLASSES]
    )


def epley_e1rm(weight_kg, reps):
    """Epley estimated one-rep max: weight x (1 + reps / 30) (reps 1 gives ~weight)."""
    return np.asarray(weight_kg, dtype=float) * (1.0 + np.asarray(reps, dtype=float) / 30.0)


def rpe_e1rm(weight_kg, reps, rpe):
    """RPE-aware e1RM: Epley at reps + reps in reserve (10 - RPE); NaN where RPE is missing."""
    rpe = np.asarray(rpe, dtype=float)
    reserve = np.clip(10.0 - rpe, 0.0, 5.0)
    return epley_e1rm(weight_kg, np.asarray(reps, dtype=float) + reserve)


def exercise_key(exercise_id: pd.Series, exercise_raw: pd.Series) -> pd.Series:
    """The key one exercise is tracked by: the catalog id, else the normalised raw name."""
    raw = exercise_raw.astype("string").fillna("").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    return exercise_id.astype("string").fillna("raw:" + raw)


def equipment_from_name(name: str) -> str:
    """Equipment class from an app's exercise name, e.g. "Bench Press (Barbell)" -> barbell."""
    lowered = (name or "").lower()
    patterns = [
        ("barbell", r"barbell|\bbb\b|smith|ez bar|trap bar|olympic"),
        ("dumbbell", r"dumbbell|\bdb\b|kettlebell"),
        ("machine", r"machine|leg press|hack squat|pec deck|lever|plate loaded|assisted"),
        ("cable", r"cable|pulldown|pushdown|band"),
        ("bodyweight", r"bodyweight|body weight|pull[- ]?up|chin[- ]?up|push[- ]?up|dip|plank|crunch"),
    ]
    for label, pattern in patterns:
        if re.search(pattern, lowered):
            return label
    return "other"


def equipment_class(catalog_equipment: str | None, name: str) -> str:
    """Map a catalog equipment string (free-exercise-db style) or else the raw name to a class."""
    if isinstance(catalog_equipment, str) and catalog_equipment:
        lowered = catalog_equipment.lower()
        if "barbell" in lowered or "e-z" in lowered or "ez" == lowered:
            return "barbell"
        if "dumbbell" in lowered or "kettlebell" in lowered:
            return "dumbbell"
        if "machine" in lowered:
            return "machine"
        if "cable" in lowered or "band" in lowered:
            return "cable"
        if "body" in lowered:
            return "bodyweight"
    return equipment_from_name(name)


def _occurrences(validated_sets: pd.DataFrame) -> pd.DataFrame:
    """Collapse working sets to one row per occurrence with top set, volume, sets, rest, RPE."""
    sets = validated_sets
    working = sets[sets["set_type"].astype("string").isin(WORKING_SET_TYPES).fillna(False).to_numpy(bool)]
    working = working[working["reps"].notna().to_numpy(bool)]
    frame = pd.DataFrame(
        {
            "athlete_id": working["athlete_id"].astype(str).to_numpy(),
            "session_id": working["session_id"].astype(str).to_numpy(),
            "performed_at": pd.to_datetime(working["performed_at"]).to_numpy(),
            "exercise_raw": working["exercise_raw"].astype("string").fillna("").to_numpy(object),
            "exercise_id": working["exercise_id"].astype("string").to_numpy(object),
            "set_index": pd.to_numeric(working["set_index"], errors="coerce").fillna(0).to_numpy(float),
            "weight_kg": pd.to_numeric(working["weight_kg"], errors="coerce").fillna(0.0).clip(lower=0).to_numpy(float),
            "reps": pd.to_numeric(working["reps"], errors="coerce").to_numpy(float),
            "rpe": pd.to_numeric(working["rpe"], errors="coerce").to_numpy(float),
            "rest_s": pd.to_numeric(working["rest_s"], errors="coerce").to_numpy(float),
            "source_row": pd.to_numeric(working["source_row"], errors="coerce").fillna(0).to_numpy(float),
            "workout_name": _workout_names(working),
        }
    )
    frame = frame[frame["reps"] > 0]
    if frame.empty:
        return frame
    frame["exercise_id"] = frame["exercise_id"].where(pd.notna(frame["exercise_id"]), None)
    frame["exercise_key"] = exercise_key(frame["exercise_id"].astype("string"), frame["exercise_raw"])
    frame["session_start"] = frame.groupby(["athlete_id", "session_id"])["performed_at"].transform("min")
    frame["volume"] = frame["weight_kg"] * frame["reps"]
    frame["set_e1rm"] = epley_e1rm(frame["weight_kg"], frame["reps"])
    frame["set_e1rm_rpe"] = rpe_e1rm(frame["weight_kg"], frame["reps"], frame["rpe"])
    keys = ["athlete_id", "session_id", "exercise_key"]
    # Top set = heaviest working set, ties broken by more reps.
    frame = frame.sort_values(keys + ["weight_kg", "reps"], ascending=[True, True, True, False, False], kind="stable")
    grouped = frame.groupby(keys, sort=False)
    top = grouped.head(1).set_index(keys)
    # how the working sets were spread around the top weight (readiness.SET_FACTS)
    at_top = frame["weight_kg"].to_numpy() >= grouped["weight_kg"].transform("max").to_numpy() - 1e-6
    at_top_sets = frame[at_top].groupby(keys, sort=False)
    occ = pd.DataFrame(
        {
            "date": top["session_start"],
            "exercise_raw": top["exercise_raw"],
            "exercise_id": top["exercise_id"],
            "top_weight_kg": top["weight_kg"],
            "top_reps": top["reps"],
            "top_rpe": top["rpe"],
            "n_sets": grouped.size(),
            "total_reps": grouped["reps"].sum(),
            "volume_kg": grouped["volume"].sum(),
            "rest_mean_s": grouped["rest_s"].mean(),
            "e1rm_epley": grouped["set_e1rm"].max(),
            "e1rm_rpe": grouped["set_e1rm_rpe"].max(),
            "first_row": grouped["source_row"].min(),
            "first_set_time": grouped["performed_at"].min(),
            "workout_name": grouped["workout_name"].first(),
            "top_sets": at_top_sets.size(),
            "min_weight_kg": grouped["weight_kg"].min(),
            "max_reps": grouped["reps"].max(),
            "top_min_reps": at_top_sets["reps"].min(),
        }
    ).reset_index()
    return occ


def _workout_names(sets: pd.DataFrame) -> np.ndarray:
    """The routine name of each set's session (null-safe; older tables have no such column)."""
    if "workout_name" not in sets.columns:
        return np.full(len(sets), None, dtype=object)
    names = sets["workout_name"].astype("string").str.strip().str.lower()
    return names.where(names.notna() & (names != ""), None).to_numpy(object)


def build_features(validated_sets: pd.DataFrame, catalog: Catalog | None = None,
                   units: "Mapping[str, str] | None" = None) -> pd.DataFrame:
    """One row per exercise occurrence with features that use only that session and earlier ones.

    Args:
        validated_sets: the canonical set table (validated rows). Sets whose `exercise_id` is
            null still count, keyed by their normalised raw name (muscles then unknown).
        catalog: the typed exercise `Catalog` (muscles, category, equipment, load step) or None.
        units: the lifter's unit per athlete (kg or lb, as the store keeps it: `IngestReport.units`);
            an athlete without one is a pound lifter when their loads are kg exports of round
            pound entries. A pound lifter's default plate steps are whole 5 lb steps.

    Returns:
        A Parquet-able frame sorted by athlete, date and session position: identifiers
        (`athlete_id`, `session_id`, `exercise_key`, `exercise_id`, `exercise_raw`, `date`), raw
        occurrence facts (`top_weight_kg`, `top_reps`, `n_sets`, `volume_kg`, `rest_mean_s`,
        `e1rm`, `load_step_kg`, ...) and the numeric columns of `node_feature_columns()`.
    """
    catalog = as_catalog(catalog) if catalog is not None else None
    occ = _occurrences(validated_sets)
    columns_out = ["athlete_id", "session_id", "exercise_key", "exercise_id", "exercise_raw", "date", "workout_name"]
    if occ.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns_out + node_feature_columns()})

    # Session order: by time, then the order exercises appear in the log.
    occ = occ.sort_values(["athlete_id", "date", "session_id", "first_set_time", "first_row"], kind="stable")
    occ["session_position"] = occ.groupby(["athlete_id", "session_id"]).cumcount().astype(float)
    occ["session_n_exercises"] = occ.groupby(["athlete_id", "session_id"])["exercise_key"].transform("size").astype(float)

    # Catalog facts (muscles, category, equipment, plate step) per exercise.
    info = [catalog.get(eid) if catalog is not None else None for eid in occ["exercise_id"]]
    occ["primary_muscles"] = [list(i.primary_muscles) if i else [] for i in info]
    occ["secondary_muscles"] = [list(i.secondary_muscles) if i else [] for i in info]
    occ["equipment_class"] = [
        equipment_class(i.equipment if i else None, raw) for i, raw in zip(info, occ["exercise_raw"])
    ]
    occ["category"] = [_category(i) for i in info]
    # Compound or isolation: the catalog's mechanic, else more than one muscle named (unknown: compound).
    occ["compound"] = [float(i.compound) if i else 1.0 for i in info]
    catalog_step = np.array([i.load_step_kg if i else np.nan for i in info], dtype=float)

    # e1RM: RPE-aware where RPE was logged, Epley otherwise.
    occ["e1rm"] = np.where(np.isfinite(occ["e1rm_rpe"]), occ["e1rm_rpe"], occ["e1rm_epley"])

    occ = occ.sort_values(["athlete_id", "exercise_key", "date", "session_id"], kind="stable").reset_index(drop=True)
    by_lift = occ.groupby(["athlete_id", "exercise_key"], sort=False)
    weight = occ["top_weight_kg"]
    reps = occ["top_reps"]
    occ["occurrence_index"] = by_lift.cumcount().astype(float)
    occ["e1rm_best"] = by_lift["e1rm"].cummax()
    scale = occ["e1rm_best"].where(occ["e1rm_best"] > 0, np.nan)
    prev_date = by_lift["date"].shift(1)
    occ["days_since_prev"] = (occ["date"] - prev_date).dt.total_seconds() / 86400.0
    for lag in (1, 2, 3):
        prev_w = by_lift["top_weight_kg"].shift(lag)
        prev_r = by_lift["top_reps"].shift(lag)
        occ[f"weight_lag{lag}_rel"] = ((prev_w - weight) / scale).fillna(0.0)
        occ[f"reps_lag{lag}"] = (prev_r - reps).fillna(0.0).clip(-30, 30)
    prev_w1 = by_lift["top_weight_kg"].shift(1)
    prev_r1 = by_lift["top_reps"].shift(1)
    occ["recent_max_weight_rel"] = (
        (by_lift["top_weight_kg"].transform(lambda s: s.rolling(4, min_periods=1).max()) - weight) / scale
    ).fillna(0.0)

    # e1RM trend: least-squares slope over the last 4 occurrences (per occurrence), relative.
    occ["e1rm_slope_rel"] = (_rolling_slope(occ, "e1rm", 4) / scale).fillna(0.0)
    # The same trend on the top set's plain Epley e1RM, in kg per occurrence (e1rm_trend baseline).
    occ["top_set_e1rm"] = epley_e1rm(weight, reps)
    occ["top_set_e1rm_slope"] = _rolling_slope(occ, "top_set_e1rm", 4).fillna(0.0)

    # Working rep range inferred from the lift's recent top sets (double progression's "range").
    occ["rep_range_top"] = by_lift["top_reps"].transform(lambda s: s.rolling(REP_RANGE_WINDOW, min_periods=1).max())
    occ["rep_range_bottom"] = by_lift["top_reps"].transform(lambda s: s.rolling(REP_RANGE_WINDOW, min_periods=1).min())
    occ["hit_top_of_range"] = ((reps >= occ["rep_range_top"]) & (occ["occurrence_index"] >= 2)).astype(float)
    width = occ["rep_range_top"] - occ["rep_range_bottom"]
    occ["reps_position_in_range"] = np.where(width > 0, (reps - occ["rep_range_bottom"]) / width.where(width > 0, 1), 1.0)

    same_load = (weight == prev_w1) & prev_w1.notna()
    occ["repeated_load"] = same_load.astype(float)
    occ["repeat_rate"] = (
        by_lift["repeated_load"].transform(lambda s: s.cumsum()) / occ["occurrence_index"].where(occ["occurrence_index"] > 0)
    ).fillna(0.5)
    occ["same_load_streak"] = _streak(same_load, occ["athlete_id"] + "|" + occ["exercise_key"])
    # Volatility regime: how often and how much this lift's load moved lately, and where the
    # recent median load sits (volatile lifts revert toward it, steady ones repeat).
    occ["median3_weight_rel"] = (
        (by_lift["top_weight_kg"].transform(lambda s: s.rolling(3, min_periods=1).median()) - weight) / scale
    ).fillna(0.0)
    has_previous = prev_w1.notna()
    occ["_changed"] = ((weight != prev_w1) & has_previous).astype(float)
    occ["_abs_change_rel"] = ((weight - prev_w1).abs() / scale).where(has_previous, 0.0).fillna(0.0)
    occ["_has_previous"] = has_previous.astype(float)
    recent = lambda s: s.rolling(4, min_periods=1).sum()  # noqa: E731 - last 4 transitions
    transitions = by_lift["_has_previous"].transform(recent)
    occ["lift_recent_change_rate"] = (by_lift["_changed"].transform(recent) / transitions.where(transitions > 0)).fillna(0.5)
    occ["lift_recent_abs_change_rel"] = (by_lift["_abs_change_rel"].transform(recent) / transitions.where(transitions > 0)).fillna(0.0)
    occ["progressed_last"] = ((weight > prev_w1) | ((weight == prev_w1) & (reps > prev_r1))).astype(float)
    occ["weight_change_sign"] = np.sign((weight - prev_w1).fillna(0.0))
    occ["load_step_kg"] = _plate_steps(occ, catalog_step, _pound_lifters(occ, units or {}))
    occ["step_rel"] = (occ["load_step_kg"] / scale).fillna(0.0).clip(upper=1.0)

    occ = _muscle_features(occ)
    occ = _athlete_features(occ)

    occ["log_top_weight"] = np.log1p(weight)
    occ["log_e1rm_best"] = np.log1p(occ["e1rm_best"].fillna(0.0))
    occ["load_rel_best"] = (weight / scale).fillna(0.0)
    occ["e1rm_rel_best"] = (occ["e1rm"] / scale).fillna(0.0)
    occ["top_rpe_filled"] = occ["top_rpe"].fillna(0.0)
    occ["has_rpe"] = occ["top_rpe"].notna().astype(float)
    occ["log_volume"] = np.log1p(occ["volume_kg"])
    occ["rest_min_filled"] = (occ["rest_mean_s"] / 60.0).fillna(0.0)
    occ["has_rest"] = occ["rest_mean_s"].notna().astype(float)
    occ["days_since_prev_clipped"] = occ["days_since_prev"].fillna(60.0).clip(upper=60.0)
    occ["has_prev"] = occ["days_since_prev"].notna().astype(float)
    occ["log_occurrence_index"] = np.log1p(occ["occurrence_index"])
    occ["is_weighted"] = (weight > 0).astype(float)
    for cat in CATEGORIES + ("unknown",):
        occ[f"category_{cat}"] = (occ["category"] == cat).astype(float)
    for eq in EQUIPMENT_CLASSES:
        occ[f"equipment_{eq}"] = (occ["equipment_class"] == eq).astype(float)

    occ = occ.sort_values(["athlete_id", "date", "session_id", "session_position"], kind="stable").reset_index(drop=True)
    facts = [
        "top_weight_kg",
        "top_reps",
        "top_rpe",
        "n_sets",
        "total_reps",
        "volume_kg",
        "rest_mean_s",
        "e1rm_epley",
        "e1rm_rpe",
        "e1rm",
        "e1rm_best",
        "top_set_e1rm",
        "top_set_e1rm_slope",
        "days_since_prev",
        "occurrence_index",
        "load_step_kg",
        "equipment_class",
        "category",
        "compound",
        "primary_muscles",
        "secondary_muscles",
        "top_sets",
        "min_weight_kg",
        "max_reps",
        "top_min_reps",
    ]
    out = occ[columns_out + facts + [c for c in node_feature_columns() if c not in facts]].copy()
    out["exercise_id"] = out["exercise_id"].astype("string")
    out["exercise_raw"] = out["exercise_raw"].astype("string")
    out["workout_name"] = out["workout_name"].astype("string")
    for column in node_feature_columns():
        out[column] = out[column].astype(float).fillna(0.0)
    return out


def _category(exercise: Exercise | None) -> str:
    """push/pull/legs/core from the catalog, "unknown" for names the catalog does not know."""
    return exercise.category if exercise is not None and exercise.category in CATEGORIES else "unknown"


def _rolling_slope(occ: pd.DataFrame, column: str, window: int) -> pd.Series:
    """Per-lift least-squares slope of `column` against occurrence index over a trailing window."""
    idx = occ["occurrence_index"]
    y = occ[column]
    group = occ["athlete_id"] + "|" + occ["exercise_key"]
    frame = pd.DataFrame({"g": group, "x": idx, "y": y, "xy": idx * y, "xx": idx * idx, "one": 1.0})
    sums = frame.groupby("g", sort=False)[["x", "y", "xy", "xx", "one"]].rolling(window, min_periods=2).sum()
    sums = sums.reset_index(level=0, drop=True).sort_index()
    n = sums["one"]
    var = sums["xx"] - sums["x"] ** 2 / n
    cov = sums["xy"] - sums["x"] * sums["y"] / n
    return (cov / var.where(var > 0)).reindex(occ.index)


def _streak(flag: pd.Series, group: pd.Series) -> pd.Series:
    """Length of the current run of True values of `flag` within each group (0 when False)."""
    run_id = (~flag).groupby(group, sort=False).cumsum()
    return flag.astype(float).groupby([group, run_id], sort=False).cumsum()


def _pound_lifters(occ: pd.DataFrame, units: "Mapping[str, str]") -> np.ndarray:
    """Per occurrence: True when its athlete lifts in pounds: their unit in `units`, else their
    loads are kg exports of round pound entries (`program.store.unit_from_history`)."""
    from workout_pipeline.program.store import unit_from_history

    pound = {athlete: (units[str(athlete)] if str(athlete) in units
                       else unit_from_history(pd.DataFrame({"weight_kg": weights.to_numpy(float)}))) == "lb"
             for athlete, weights in occ.groupby("athlete_id", sort=False)["top_weight_kg"]}
    return occ["athlete_id"].map(pound).fillna(False).to_numpy(bool)


def _in_pound_plates(step_kg: float) -> float:
    """A kg step as the nearest whole number of 5 lb steps (at least one), in kg."""
    five_lb = 5 * LB_TO_KG
    return max(1, round(step_kg / five_lb)) * five_lb


def _plate_steps(occ: pd.DataFrame, catalog_step: np.ndarray, pound: np.ndarray | None = None) -> np.ndarray:
    """Load step per occurrence: the most common past load change of this lift (the athlete's
    real plates), else the catalog's step for the exercise, else the catalog's step for the equipment
    class (`catalog.vocabulary.LOAD_STEP_KG`); for a pound lifter (`pound`) those two defaults
    become whole 5 lb steps (2.5 kg -> 5 lb, 5 kg -> 10 lb)."""
    steps = np.empty(len(occ), dtype=float)
    weights = occ["top_weight_kg"].to_numpy(float)
    equipment = occ["equipment_class"].to_numpy(object)
    pound = np.zeros(len(occ), dtype=bool) if pound is None else pound
    for positions in occ.groupby(["athlete_id", "exercise_key"], sort=False).indices.values():
        counts: dict[float, int] = {}
        previous = None
        for pos in positions:
            current = weights[pos]
            if previous is not None:
                change = round(abs(current - previous), 2)
                if 0.2 <= change <= 10.0:
                    counts[change] = counts.get(change, 0) + 1
            previous = current
            if sum(counts.values()) >= 2:
                steps[pos] = min(max(counts, key=lambda c: (counts[c], -c)), 10.0)
                continue
            default = catalog_step[pos] if np.isfinite(catalog_step[pos]) else LOAD_STEP_KG.get(equipment[pos], LOAD_STEP_KG["other"])
            steps[pos] = _in_pound_plates(default) if pound[pos] else default
    return steps


def _muscle_features(occ: pd.DataFrame) -> pd.DataFrame:
    """Weekly sets of the exercise's primary muscles (this session included) and days since
    they were last trained (before this session)."""
    weekly = np.zeros(len(occ))
    days_since = np.full(len(occ), np.nan)
    known = np.array([bool(p) for p in occ["primary_muscles"]], dtype=float)
    muscle_index = {m: i for i, m in enumerate(MUSCLES)}
    for _, rows in occ.groupby("athlete_id", sort=False).indices.items():
        sub = occ.iloc[rows]
        sessions = sub.groupby("session_id")["date"].first().sort_values()
        session_pos = {s: i for i, s in enumerate(sessions.index)}
        load = np.zeros((len(sessions), len(MUSCLES)))
        for sid, n_sets, primary, secondary in zip(sub["session_id"], sub["n_sets"], sub["primary_muscles"], sub["secondary_muscles"]):
            s = session_pos[sid]
            for m in primary:
                load[s, muscle_index[m]] += n_sets
            for m in secondary:
                load[s, muscle_index[m]] += SECONDARY_MUSCLE_WEIGHT * n_sets
        dates = sessions.to_numpy(dtype="datetime64[ns]")
        day = dates.astype("datetime64[s]").astype(np.int64) / 86400.0
        cumulative = np.vstack([np.zeros(len(MUSCLES)), np.cumsum(load, axis=0)])
        window_start = np.searchsorted(day, day - WEEKLY_WINDOW_DAYS, side="right")
        rolling = cumulative[1:] - cumulative[window_start]
        # last day each muscle was trained strictly before each session
        last_trained = np.full((len(sessions), len(MUSCLES)), np.nan)
        running = np.full(len(MUSCLES), np.nan)
        for s in range(len(sessions)):
            last_trained[s] = running
            running = np.where(load[s] > 0, day[s], running)
        for local, (sid, primary) in enumerate(zip(sub["session_id"], sub["primary_muscles"])):
            if not primary:
                continue
            s = session_pos[sid]
            cols = [muscle_index[m] for m in primary]
            weekly[rows[local]] = rolling[s, cols].mean()
            gaps = day[s] - last_trained[s, cols]
            days_since[rows[local]] = np.nanmin(gaps) if np.isfinite(gaps).any() else np.nan
    occ["primary_weekly_sets"] = weekly
    occ["primary_days_since_clipped"] = np.nan_to_num(days_since, nan=14.0).clip(max=14.0)
    occ["muscles_known"] = known
    return occ


def _athlete_features(occ: pd.DataFrame) -> pd.DataFrame:
    """Athlete-level context: sessions in the past week, and how often they repeat loads overall."""
    occ = occ.sort_values(["athlete_id", "date", "session_id"], kind="stable")
    sessions_per_week = np.zeros(len(occ))
    athlete_repeat = np.zeros(len(occ))
    recent_change = np.zeros(len(occ))
    recent_abs = np.zeros(len(occ))
    for _, rows in occ.groupby("athlete_id", sort=False).indices.items():
        sub = occ.iloc[rows]
        day = sub["date"].to_numpy(dtype="datetime64[s]").astype(np.int64) / 86400.0
        session_day = sub.groupby("session_id", sort=False)["date"].first().to_numpy(dtype="datetime64[s]").astype(np.int64) / 86400.0
        session_day = np.sort(session_day)
        sessions_per_week[rows] = np.searchsorted(session_day, day, side="right") - np.searchsorted(
            session_day, day - WEEKLY_WINDOW_DAYS, side="right"
        )
        has_prev = sub["days_since_prev"].notna().to_numpy()
        repeated = sub["repeated_load"].to_numpy() * has_prev
        # only transitions completed by this session count (cumulative over the athlete's past)
        athlete_repeat[rows] = np.where(
            np.cumsum(has_prev) > 0, np.cumsum(repeated) / np.maximum(np.cumsum(has_prev), 1), 0.5
        )
        # transitions whose session lies in (day - RECENT_WINDOW_DAYS, day]: rows are time-sorted
        end = np.searchsorted(day, day, side="right")
        start = np.searchsorted(day, day - RECENT_WINDOW_DAYS, side="right")
        cum_prev = np.concatenate([[0.0], np.cumsum(has_prev)])
        cum_changed = np.concatenate([[0.0], np.cumsum(sub["_changed"].to_numpy())])
        cum_abs = np.concatenate([[0.0], np.cumsum(sub["_abs_change_rel"].to_numpy())])
        count = cum_prev[end] - cum_prev[start]
        recent_change[rows] = np.where(count > 0, (cum_changed[end] - cum_changed[start]) / np.maximum(count, 1), 0.5)
        recent_abs[rows] = np.where(count > 0, (cum_abs[end] - cum_abs[start]) / np.maximum(count, 1), 0.0)
    occ["athlete_sessions_last_week"] = sessions_per_week
    occ["athlete_repeat_rate"] = athlete_repeat
    occ["athlete_recent_change_rate"] = recent_change
    occ["athlete_recent_abs_change_rel"] = recent_abs
    return occ.sort_index()
