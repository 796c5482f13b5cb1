# Over 400 lines: the simulator's three vectorised stages (profiles, sessions, sets) share their random state and tables.
"""A seeded simulator of realistic lifters that writes the canonical set table.

How it works, in three vectorised stages:

1. **Calendar** (per athlete): a weekly split (3-6 days) on fixed weekdays; holidays (whole weeks
   off), randomly missed sessions, and deload weeks every few weeks for trained lifters.
2. **Progression** (all athlete-lift series at once, one step per occurrence): each lift has a
   latent one-rep max that grows with diminishing returns (`1 - exp(-k / tau)`) plus a slow random
   walk; a session's capacity is that times a readiness/fatigue factor (daily noise, position in
   the session, weeks since the last deload, time off), and each set loses reps to the sets
   before it, more so after a short rest. The lifter picks the load by their
   scheme (novice linear progression, double progression, or RPE-based top sets), the reps they
   get follow from Epley's formula at that capacity, and the outcome decides the next load
   ("reached the top of the range -> add a plate step", "missed -> repeat", "three stalls ->
   drop about 10%"). Loads always sit on real plate/dumbbell/stack steps.
3. **Sets**: warm-up ramps before heavy compounds, working sets, occasional failure and drop
   sets, RPE on some sessions and rest-timer values on some, conditioning finishers (treadmill
   runs, timed planks) for some lifters, then one canonical row per set.

Everything is drawn from one `numpy.random.Generator` seeded by `seed`, so the same arguments give
the identical frame.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workout_pipeline.schema import to_canonical
from workout_pipeline.simulate.lifts import (
    DAY_TEMPLATES,
    FINISHERS,
    KG_PER_LB,
    LIFT_INDEX,
    LIFTS,
    NAMINGS,
    SPLITS,
    WEEKDAYS,
    load_grid,
)

LEVELS: tuple[str, ...] = ("novice", "intermediate", "advanced")
SIMULATED = "simulated"
# Logs end here by default (a fixed Monday, so output never depends on today's date and long
# simulations do not run into the future).
DEFAULT_END = date(2025, 7, 7)

# Progression schemes (codes used in the vectorised state).
LINEAR, DOUBLE, RPE = 0, 1, 2
MAX_WORK_SETS = 5
GRID_KEYS: tuple[tuple[str, str], ...] = tuple(
    (equipment, unit)
    for unit in ("kg", "lb")
    for equipment in ("barbell", "ez_bar", "dumbbell", "machine", "cable", "plate_machine", "bodyweight")
)

# Per training level: strength relative to the intermediate standard, total possible gain over a
# long run, gain time-constant in occurrences, starting load as a share of capacity, lost reps
# per extra set, reps left in reserve.
_LEVEL_TRAITS = {
    "novice": dict(strength=0.62, gain=0.45, tau=18.0, start_share=0.78, set_fatigue=0.6, rir=0.0),
    "intermediate": dict(strength=1.0, gain=0.14, tau=30.0, start_share=0.88, set_fatigue=0.9, rir=1.0),
    "advanced": dict(strength=1.35, gain=0.09, tau=35.0, start_share=0.92, set_fatigue=0.8, rir=1.0),
}


@dataclass(frozen=True)
class AthleteProfile:
    """Who a simulated lifter is and how they log.

    Attributes:
        athlete_id: Id written into `athlete_id` and `session_id`.
        level: novice (linear progression), intermediate (double progression) or advanced
            (RPE-based top sets on compounds, double progression on accessories).
        days_per_week: 3-6 planned sessions a week (3: push/pull/legs, 4: upper/lower,
            5: upper/lower + push/pull/legs, 6: push/pull/legs twice).
        unit: Unit the lifter's plates are in (`kg` or `lb`); loads sit on that unit's steps.
        naming: App naming style of the exercise names (`strong`, `hevy`, `fitnotes`, `fitbod`).
        bodyweight_kg: Bodyweight, scales every lift's strength.
        start_hour: Usual session start (local hour, fractional).
        exercises_per_session: How many slots of the day's template the lifter does.
        miss_rate: Chance that a planned session does not happen.
        holidays_per_year: Expected number of 1-2 week breaks a year.
        deload_every_weeks: A deload week after this many training weeks (None: no planned
            deloads; lifts are reset after repeated stalls instead).
        warmup_logging: Share of heavy-compound occurrences whose warm-ups are logged.
        rpe_logging: Share of sessions logged with RPE.
        rest_logging: Share of sessions with rest-timer values.
        drop_set_rate: Chance of a drop set after an isolation lift.
        failure_marking: Chance that a set taken to failure is marked as such.
        conditioning_rate: Share of sessions that end with a treadmill run (duration and
            distance, no load or reps) or timed planks (duration only).
    """

    athlete_id: str
    level: str = "intermediate"
    days_per_week: int = 4
    unit: str = "kg"
    naming: str = "strong"
    bodyweight_kg: float = 80.0
    start_hour: float = 18.0
    exercises_per_session: int = 5
    miss_rate: float = 0.08
    holidays_per_year: float = 3.0
    deload_every_weeks: int | None = 6
    warmup_logging: float = 0.9
    rpe_logging: float = 0.0
    rest_logging: float = 0.1
    drop_set_rate: float = 0.1
    failure_marking: float = 0.5
    conditioning_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")
        if self.days_per_week not in SPLITS:
            raise ValueError(f"days_per_week must be one of {sorted(SPLITS)}, not {self.days_per_week}")
        if self.unit not in ("kg", "lb"):
            raise ValueError(f"unit must be kg or lb, not {self.unit!r}")
        if self.naming not in NAMINGS:
            raise ValueError(f"naming must be one of {NAMINGS}, not {self.naming!r}")
        if not 1 <= self.exercises_per_session <= 7:
            raise ValueError("exercises_per_session must be 1..7")
        if not self.bodyweight_kg > 0:
            raise ValueError("bodyweight_kg must be positive")
        shares = (self.miss_rate, self.warmup_logging, self.rpe_logging, self.rest_logging, self.drop_set_rate,
                  self.failure_marking, self.conditioning_rate)
        if not all(0.0 <= share <= 1.0 for share in shares):
            raise ValueError("rates and logging shares must lie in [0, 1]")
        if self.deload_every_weeks is not None and self.deload_every_weeks < 1:
            raise ValueError("deload_every_weeks must be at least 1 (or None)")


@dataclass
class SimulatedLog:
    """A simulation's output.

    Attributes:
        sets: The canonical set table (`schema.CANONICAL_COLUMNS`), one row per set, ordered by
            athlete, session, exercise and set.
        sessions: One row per session: `session_id`, `athlete_id`, `started_at`, `duration_s`,
            `workout_name`, `workout_notes`, `deload` (what app exports carry beyond sets).
        notes: Exercise notes: `session_id`, `exercise_raw`, `note`.
        profiles: The athletes' profiles.
        truth: The hidden state behind each lifted exercise occurrence, for checking models
            against what really drove the numbers: `athlete_id`, `session_id`, `performed_at`,
            `exercise_raw`, `latent_e1rm_kg` (the slowly growing one-rep max, including the
            bodyweight share of bodyweight lifts), `today_e1rm_kg` (that times the day's
            readiness, fatigue and position), `scheme` (linear / double / rpe), `deload`.
    """

    sets: pd.DataFrame
    sessions: pd.DataFrame
    notes: pd.DataFrame
    profiles: list[AthleteProfile]
    truth: pd.DataFrame | None = None


def random_profiles(n_athletes: int, seed: int = 0) -> list[AthleteProfile]:
    """Draw `n_athletes` varied profiles; levels cycle novice, intermediate, advanced.

    Args:
        n_athletes: How many profiles.
        seed: Seed of the draw (the same seed gives the same profiles).

    Returns:
        The profiles, ids `sim000`, `sim001`, ... (wider when there are more than 1000).
    """
    rng = np.random.default_rng([seed, 1])
    width = max(3, len(str(max(n_athletes - 1, 0))))
    profiles = []
    for i in range(n_athletes):
        level = LEVELS[i % 3]
        days = {
            "novice": rng.choice([3, 3, 4]),
            "intermediate": rng.choice([3, 4, 4, 5]),
            "advanced": rng.choice([4, 5, 6]),
        }[level]
        profiles.append(
            AthleteProfile(
                athlete_id=f"sim{i:0{width}d}",
                level=level,
                days_per_week=int(days),
                unit="lb" if rng.random() < 0.25 else "kg",
                naming="hevy" if rng.random() < 0.3 else "strong",
                bodyweight_kg=float(np.round(rng.normal(80 if rng.random() < 0.7 else 62, 9), 1)),
                start_hour=float(rng.choice([6.5, 12.0, 17.5, 19.0]) + rng.normal(0, 0.5)),
                exercises_per_session=int({"novice": 4, "intermediate": 4, "advanced": 5}[level] + rng.integers(0, 2)),
                miss_rate=float(rng.uniform(0.04, 0.15)),
                holidays_per_year=float(rng.uniform(2, 5)),
                deload_every_weeks=None if level == "novice" else int(rng.integers(4, 9)),
                # Logging habits vary; trained lifters log more (some never log warm-ups).
                warmup_logging=float(
                    {"novice": rng.choice([0.5, 0.9]), "intermediate": rng.choice([0.0, 0.7, 0.95], p=[0.2, 0.4, 0.4]),
                     "advanced": rng.choice([0.8, 0.95])}[level]
                ),
                rpe_logging={"novice": 0.0, "intermediate": 0.05, "advanced": 0.85}[level],
                rest_logging=float(
                    {"novice": rng.uniform(0.0, 0.1), "intermediate": rng.choice([0.05, 0.2]),
                     "advanced": rng.choice([0.3, 0.6])}[level]
                ),
                drop_set_rate={"novice": 0.0, "intermediate": 0.1, "advanced": 0.15}[level],
                failure_marking=float(rng.uniform(0.3, 0.9)),
                conditioning_rate=float(rng.choice([0.0, 0.15, 0.4], p=[0.5, 0.3, 0.2])),
            )
        )
    return profiles


def simulate_athletes(
    n_athletes: int = 3, weeks: int = 26, seed: int = 0, start: date | None = None
) -> pd.DataFrame:
    """Simulate `n_athletes` lifters with varied profiles for `weeks` weeks.

    Args:
        n_athletes: Number of athletes (levels cycle novice, intermediate, advanced).
        weeks: Length of the log in weeks.
        seed: Random seed; the same arguments give an identical frame.
        start: First day (moved back to its Monday); default: `weeks` before `DEFAULT_END`
            (26 weeks start on 2025-01-06).

    Returns:
        The canonical set table (`schema.to_canonical`), `exercise_id` null and the `source_*`
        columns set to `simulated`.
    """
    return simulate_profiles(random_profiles(n_athletes, seed), weeks=weeks, seed=seed, start=start).sets


def simulate_profiles(
    profiles: list[AthleteProfile], weeks: int = 26, seed: int = 0, start: date | None = None
) -> SimulatedLog:
    """Simulate the given athletes (sets plus session metadata for the app writers).

    Args:
        profiles: One profile per athlete (ids must be unique).
        weeks: Length of the log in weeks (>= 1).
        seed: Random seed.
        start: First day (moved back to its Monday); default: `weeks` before `DEFAULT_END`.

    Returns:
        A `SimulatedLog`.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    ids = [p.athlete_id for p in profiles]
    if len(set(ids)) != len(ids):
        raise ValueError("athlete ids must be unique")
    rng = np.random.default_rng([seed, 2])
    if start is None:
        start = DEFAULT_END - timedelta(weeks=weeks)
    monday = start - timedelta(days=start.weekday())
    grids = _Grids()
    calendars = [_calendar(p, a, weeks, monday, rng) for a, p in enumerate(profiles)]
    sessions = pd.concat([c[0] for c in calendars], ignore_index=True) if calendars else None
    if sessions is None or sessions.empty:
        empty = to_canonical(pd.DataFrame())
        no_notes = pd.DataFrame(columns=["session_id", "exercise_raw", "note"])
        return SimulatedLog(empty, _empty_sessions(), no_notes, list(profiles))
    occurrences = pd.concat([c[1] for c in calendars], ignore_index=True)
    series = pd.concat([c[2] for c in calendars], ignore_index=True)
    occ, ser, work = _progress(occurrences, series, sessions, profiles, grids, rng)
    sets, set_seconds = _expand_sets(occ, ser, work, sessions, profiles, grids, rng)
    truth = _truth(occ, ser, sessions, profiles)
    sessions, notes = _session_meta(sessions, set_seconds, occ, work, profiles, rng)
    return SimulatedLog(sets=sets, sessions=sessions, notes=notes, profiles=list(profiles), truth=truth)


# --------------------------------------------------------------------------------------------
# stage 1: calendars


def _empty_sessions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session_id": pd.Series(dtype="string"),
            "athlete_id": pd.Series(dtype="string"),
            "started_at": pd.Series(dtype="datetime64[us]"),
            "duration_s": pd.Series(dtype="float64"),
            "workout_name": pd.Series(dtype="string"),
            "workout_notes": pd.Series(dtype="string"),
            "deload": pd.Series(dtype="bool"),
        }
    )


def _pick_day_lifts(profile: AthleteProfile, rng: np.random.Generator) -> dict[str, list[int]]:
    """Choose the athlete's lifts for each day of their split (variants B differ from A)."""
    chosen: dict[str, list[int]] = {}
    preference = {key: rng.random() for key in LIFT_INDEX}  # the athlete's taste
    for day in SPLITS[profile.days_per_week]:
        base, _, variant = day.partition(" ")
        shift = 1 if variant == "B" else 0
        lifts: list[int] = []
        for slot in DAY_TEMPLATES[base][: profile.exercises_per_session]:
            ranked = sorted(slot, key=lambda k: preference[k])
            ranked = ranked[shift % len(ranked):] + ranked[: shift % len(ranked)]
            pick = next((LIFT_INDEX[k] for k in ranked if LIFT_INDEX[k] not in lifts), None)
            if pick is not None:
                lifts.append(pick)
        chosen[day] = lifts
    return chosen


def _calendar(profile, athlete_idx, weeks, monday, rng):
    """Sessions, occurrences and lift series of one athlete."""
    split = SPLITS[profile.days_per_week]
    weekdays = np.array(WEEKDAYS[profile.days_per_week])
    # Holidays: whole weeks off (1-2 weeks each), never in the first three or the last two weeks.
    off_weeks = np.zeros(weeks, dtype=bool)
    n_breaks = rng.poisson(profile.holidays_per_year * weeks / 52)
    if weeks >= 12 and profile.holidays_per_year > 0:
        n_breaks = max(n_breaks, 1)  # nobody trains three months without a week off
    for _ in range(n_breaks if weeks >= 6 else 0):
        first = int(rng.integers(3, weeks - 2))  # training resumes after it
        off_weeks[first: first + int(rng.integers(1, 3))] = True
    # Deload weeks after `deload_every_weeks` training weeks; a holiday resets the count.
    deload_week = np.zeros(weeks, dtype=bool)
    weeks_since_rest = np.zeros(weeks, dtype=float)
    count = 0
    for w in range(weeks):
        if off_weeks[w]:
            count = 0
            continue
        if profile.deload_every_weeks and count >= profile.deload_every_weeks:
            deload_week[w] = True
            count = 0
            continue
        weeks_since_rest[w] = count
        count += 1
    week_of_slot = np.repeat(np.arange(weeks), len(weekdays))
    day_offset = week_of_slot * 7 + np.tile(weekdays, weeks)
    keep = ~off_weeks[week_of_slot] & (rng.random(week_of_slot.size) >= profile.miss_rate)
    week_of_slot, day_offset = week_of_slot[keep], day_offset[keep]
    n = day_offset.size
    # Start time: the usual hour plus noise; seconds as an app records them.
    start_seconds = np.clip(profile.start_hour * 3600 + rng.normal(0, 2400, n), 5 * 3600, 22 * 3600)
    start_seconds = np.floor(start_seconds).astype(np.int64)
    base = np.datetime64(monday, "s")
    started = base + (day_offset.astype(np.int64) * 86400 + start_seconds).astype("timedelta64[s]")
    started_us = started.astype("datetime64[us]")
    day_names = np.array(split, dtype=object)[np.arange(n) % len(split)]
    # Session readiness: good and bad days, fatigue since the last rest week, time off.
    gap_days = np.diff(day_offset, prepend=day_offset[0] - 2) if n else day_offset
    readiness = (
        rng.normal(0, 0.03, n)
        - 0.004 * np.minimum(weeks_since_rest[week_of_slot], 8)
        - np.minimum(0.004 * np.maximum(gap_days - 9, 0), 0.08)
    )
    session_ids = [f"{profile.athlete_id}:{pd.Timestamp(t):%Y%m%dT%H%M%S}" for t in started]
    sessions = pd.DataFrame(
        {
            "athlete_idx": athlete_idx,
            "session_id": session_ids,
            "athlete_id": profile.athlete_id,
            "started_at": started_us,
            "workout_name": day_names,
            "deload": deload_week[week_of_slot],
            "readiness": readiness,
            "day": day_offset,
        }
    )
    # Occurrences: each session's lifts, accessories skipped now and then.
    day_lifts = _pick_day_lifts(profile, rng)
    per_session = [day_lifts[d] for d in day_names]
    lengths = np.array([len(x) for x in per_session], dtype=np.int64)
    lift = np.concatenate([np.array(x, dtype=np.int64) for x in per_session]) if n else np.array([], dtype=np.int64)
    session_local = np.repeat(np.arange(n), lengths)
    position = np.arange(lift.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    skip = (position >= 3) & (rng.random(lift.size) < 0.06)
    lift, session_local, position = lift[~skip], session_local[~skip], position[~skip]
    occurrences = pd.DataFrame(
        {"athlete_idx": athlete_idx, "session_local": session_local, "lift": lift, "position": position}
    )
    used = np.unique(lift)
    series = pd.DataFrame({"athlete_idx": athlete_idx, "lift": used})
    return sessions, occurrences, series


# --------------------------------------------------------------------------------------------
# stage 2: progression


class _Grids:
    """All load grids in one padded array, with vectorised rounding and stepping."""

    def __init__(self) -> None:
        grids = [load_grid(e, u) for e, u in GRID_KEYS]
        self.length = np.array([g.size for g in grids])
        width = self.length.max()
        self.values = np.full((len(grids), width), np.inf)
        for i, g in enumerate(grids):
            self.values[i, : g.size] = g
        # Offsetting each row lets one searchsorted serve every grid.
        self._offset = 1e6
        flat = self.values.copy()
        for i in range(len(grids)):
            flat[i, self.length[i]:] = grids[i][-1] + 1e5
        self._flat = (flat + np.arange(len(grids))[:, None] * self._offset).ravel()
        self._width = width

    def index_of(self, grid: np.ndarray, load: np.ndarray) -> np.ndarray:
        """Index of the grid load nearest to `load` (per row's grid)."""
        pos = np.searchsorted(self._flat, load + grid * self._offset)
        idx = pos - grid * self._width
        hi = np.clip(idx, 0, self.length[grid] - 1)
        lo = np.clip(idx - 1, 0, self.length[grid] - 1)
        pick_lo = np.abs(self.values[grid, lo] - load) <= np.abs(self.values[grid, hi] - load)
        return np.where(pick_lo, lo, hi)

    def at(self, grid: np.ndarray, index: np.ndarray) -> np.ndarray:
        return self.values[grid, np.clip(index, 0, self.length[grid] - 1)]

    def clip(self, grid: np.ndarray, index: np.ndarray) -> np.ndarray:
        return np.clip(index, 0, self.length[grid] - 1)


def _series_table(series, profiles, rng) -> pd.DataFrame:
    """Per athlete-lift constants: capacity, growth, scheme, rep targets, grid."""
    a = series["athlete_idx"].to_numpy()
    li = series["lift"].to_numpy()
    prof = [profiles[i] for i in a]
    lifts = [LIFTS[i] for i in li]
    traits = [_LEVEL_TRAITS[p.level] for p in prof]
    unit_factor = np.array([1.0 if p.unit == "kg" else 1 / KG_PER_LB for p in prof])
    bodyweight = np.array([p.bodyweight_kg for p in prof]) * unit_factor
    bw_share = np.array([lf.bodyweight_share for lf in lifts])
    ratio = np.array([lf.ratio for lf in lifts])
    strength = np.array([t["strength"] for t in traits])
    capacity = bodyweight * ratio * strength * np.exp(rng.normal(0, 0.12, len(a)))
    # Bodyweight lifts: everyone can do a few reps (beginners would otherwise log nothing).
    min_capacity = bodyweight * bw_share * 1.12
    capacity = np.where(bw_share > 0, np.maximum(capacity, min_capacity), capacity)
    compound = np.array([lf.compound for lf in lifts])
    level = np.array([p.level for p in prof])
    scheme = np.full(len(a), DOUBLE)
    barbellish = np.array([lf.equipment in ("barbell", "plate_machine") for lf in lifts]) & compound
    scheme[(level == "novice") & barbellish] = LINEAR
    scheme[(level == "advanced") & barbellish] = RPE
    lo = np.array([lf.rep_range[0] for lf in lifts])
    hi = np.array([lf.rep_range[1] for lf in lifts])
    work_sets = np.where(compound, 3 + ((level != "novice") & (rng.random(len(a)) < 0.5)), 3)
    work_sets = np.where(level == "advanced", np.maximum(work_sets, 3 + compound), work_sets)
    work_sets = np.minimum(work_sets, MAX_WORK_SETS)
    unit_offset = np.array([0 if p.unit == "kg" else len(GRID_KEYS) // 2 for p in prof])
    equip_index = {e: i for i, (e, u) in enumerate(GRID_KEYS) if u == "kg"}
    grid = unit_offset + np.array([equip_index[lf.equipment] for lf in lifts])
    lower = np.array([lf.lower_body for lf in lifts])
    return pd.DataFrame(
        {
            "athlete_idx": a,
            "lift": li,
            "capacity": capacity,
            # Bodyweight lifts gain less on the moved load (bodyweight itself does not grow).
            "gain": np.array([t["gain"] for t in traits]) * np.exp(rng.normal(0, 0.25, len(a)))
            * np.where(bw_share > 0, 0.5, 1.0),
            "tau": np.array([t["tau"] for t in traits]),
            "start_share": np.array([t["start_share"] for t in traits]),
            "set_fatigue": np.array([t["set_fatigue"] for t in traits]) * np.exp(rng.normal(0, 0.2, len(a))),
            "rir": np.array([t["rir"] for t in traits]),
            "scheme": scheme,
            "lo": lo,
            "hi": hi,
            "work_sets": work_sets,
            "grid": grid,
            "bw_load": bodyweight * bw_share,
            "linear_step": np.where(lower, 2, 1),
            "compound": compound,
            "usual_rest": np.where(compound, 150.0, 80.0) * np.where(level == "advanced", 1.25, 1.0),
            "unit_factor": unit_factor,
            "failure_marking": np.array([p.failure_marking for p in prof]),
        }
    )


def _epley_reps(capacity, load):
    """Reps possible at `load` for a one-rep max of `capacity` (Epley, inverted)."""
    return 30.0 * (capacity / np.maximum(load, 1e-6) - 1.0)


def _progress(occurrences, series, sessions, profiles, grids, rng):
    """Run every series' progression, one occurrence step at a time (vectorised across series)."""
    # Sessions are stored athlete by athlete in date order: global index = athlete offset + local.
    offsets = sessions.reset_index().groupby("athlete_idx")["index"].min()
    occ = occurrences.copy()
    occ["session"] = offsets.loc[occ["athlete_idx"]].to_numpy() + occ["session_local"].to_numpy()
    ser = _series_table(series, profiles, rng)
    series_key = ser["athlete_idx"].to_numpy() * len(LIFTS) + ser["lift"].to_numpy()
    occ_key = occ["athlete_idx"].to_numpy() * len(LIFTS) + occ["lift"].to_numpy()
    order = np.argsort(series_key)
    occ["series"] = order[np.searchsorted(series_key[order], occ_key)]
    occ = occ.sort_values(["series", "session"], kind="stable").reset_index(drop=True)
    occ["k"] = occ.groupby("series").cumcount().to_numpy()
    n_occ = len(occ)
    s_idx = occ["series"].to_numpy()
    sess = occ["session"].to_numpy()

    # Latent one-rep max: diminishing-returns growth plus a slow random walk.
    k = occ["k"].to_numpy().astype(float)
    walk = rng.normal(0, 0.007, n_occ)
    walk = np.cumsum(walk)
    first_of_series = np.r_[True, s_idx[1:] != s_idx[:-1]]
    walk -= _group_start_values(np.r_[0.0, walk[:-1]], first_of_series)
    cap = ser["capacity"].to_numpy()
    growth = 1 + ser["gain"].to_numpy()[s_idx] * (1 - np.exp(-k / ser["tau"].to_numpy()[s_idx]))
    latent = cap[s_idx] * growth * np.exp(walk)
    readiness = sessions["readiness"].to_numpy()[sess] - 0.01 * occ["position"].to_numpy()
    today = latent * np.exp(readiness)
    deload = sessions["deload"].to_numpy()[sess]

    n_ser = len(ser)
    grid = ser["grid"].to_numpy()
    bw = ser["bw_load"].to_numpy()
    scheme = ser["scheme"].to_numpy()
    lo, hi = ser["lo"].to_numpy(), ser["hi"].to_numpy()
    work_sets = ser["work_sets"].to_numpy()
    set_fatigue = ser["set_fatigue"].to_numpy()
    rir = ser["rir"].to_numpy()
    # Starting load: a comfortable share of what the lifter could do for the target reps.
    start_load = cap * ser["start_share"].to_numpy() / (1 + (lo + rir + 1) / 30) - bw
    state_idx = grids.index_of(grid, np.maximum(start_load, 0))
    stalls = np.zeros(n_ser, dtype=np.int64)
    last_total = np.zeros(n_ser)
    # RPE lifters know their numbers: their running e1RM estimate starts close to the truth.
    estimate = cap * np.exp(rng.normal(-0.03, 0.02, n_ser))

    loads = np.full((n_occ, MAX_WORK_SETS), np.nan)
    reps = np.zeros((n_occ, MAX_WORK_SETS), dtype=np.int64)
    failed = np.zeros((n_occ, MAX_WORK_SETS), dtype=bool)
    rir_left = np.zeros((n_occ, MAX_WORK_SETS))
    n_sets = np.zeros(n_occ, dtype=np.int64)
    noise = rng.normal(0, 0.45, (n_occ, MAX_WORK_SETS))
    # Rest after each working set, drawn up front: a short rest leaves the next set weaker
    # (each earlier set costs `set_fatigue` reps, scaled by sqrt(usual rest / rest taken)).
    usual_rest = ser["usual_rest"].to_numpy()[s_idx][:, None]
    work_rest = np.round(usual_rest * np.exp(rng.normal(0, 0.25, (n_occ, MAX_WORK_SETS))) / 5) * 5
    recovery_cost = np.sqrt(usual_rest / np.maximum(work_rest, 5.0))
    carried_fatigue = np.cumsum(recovery_cost, axis=1) - recovery_cost
    set_no = np.arange(MAX_WORK_SETS)[None, :]

    step_rows = np.argsort(occ["k"].to_numpy(), kind="stable")
    bounds = np.searchsorted(occ["k"].to_numpy()[step_rows], np.arange(occ["k"].max() + 2))
    for step in range(len(bounds) - 1):
        rows = step_rows[bounds[step]: bounds[step + 1]]
        if rows.size == 0:
            continue
        s = s_idx[rows]
        g = grid[s]
        is_deload = deload[rows]
        c = today[rows]
        sch = scheme[s]
        # Planned top load by scheme.
        idx = state_idx[s].copy()
        rpe_load = estimate[s] / (1 + (lo[s] + 2) / 30) - bw[s]
        idx = np.where(sch == RPE, grids.index_of(g, np.maximum(rpe_load, 0)), idx)
        deload_idx = grids.index_of(g, np.maximum((grids.at(g, idx) + bw[s]) * 0.85 - bw[s], 0))
        idx = np.where(is_deload, deload_idx, idx)
        top = grids.at(g, idx)
        backoff = grids.at(g, grids.index_of(g, np.maximum((top + bw[s]) * 0.9 - bw[s], 0)))
        nset = np.where(is_deload, np.maximum(work_sets[s] - 1, 2), work_sets[s])
        set_load = np.where((sch == RPE)[:, None] & (set_no > 0), backoff[:, None], top[:, None])
        effective = set_load + bw[s][:, None]
        possible = _epley_reps(c[:, None], effective) - carried_fatigue[rows] * set_fatigue[s][:, None] + noise[rows]
        possible_int = np.floor(possible).astype(np.int64)
        target = np.where(sch == LINEAR, lo[s], hi[s])[:, None] * np.ones_like(set_no)
        target = np.where((sch == RPE)[:, None], np.where(set_no == 0, lo[s][:, None], lo[s][:, None] + 2), target)
        target = np.where(is_deload[:, None], lo[s][:, None], target)
        # The reps a set must make: the target (linear, RPE) or the bottom of the range (double).
        must_make = np.where((sch == DOUBLE) & ~is_deload, lo[s], 0)[:, None]
        must_make = np.where(must_make > 0, must_make, target)
        # Lifters stop a rep or two short of failure, unless that would miss the minimum: then
        # they grind to failure for it.
        stop_short = np.where(sch == LINEAR, 0, rir[s])[:, None]
        relaxed = np.minimum(target, np.floor(possible - stop_short).astype(np.int64))
        pushed = np.minimum(must_make, possible_int)
        got = np.where(relaxed < must_make, np.maximum(relaxed, pushed), relaxed)
        got = np.clip(got, 1, None)
        active = set_no < nset[:, None]
        # A set far below the minimum ends the exercise (nobody grinds out a 4th set of 1 rep).
        way_off = active & (got < must_make - 2) & (set_no >= 1)
        active &= np.cumsum(np.c_[np.zeros(len(rows), dtype=bool), way_off[:, :-1]], axis=1) == 0
        nset = active.sum(axis=1)
        loads[rows] = np.where(active, set_load, np.nan)
        reps[rows] = np.where(active, got, 0)
        failed[rows] = active & (got < must_make)
        rir_left[rows] = np.where(active, np.clip(possible - got, 0, 5), 0)
        n_sets[rows] = nset

        # Outcome -> next state (deload sessions leave the state alone).
        upd = ~is_deload
        hit_all = np.all(~active | (got >= target), axis=1)
        # Double progression: the top set at the top of the range and no set below its bottom.
        top_of_range = (got[:, 0] >= hi[s]) & np.all(~active | (got >= lo[s][:, None]), axis=1)
        total = np.where(active, got, 0).sum(axis=1)
        min_reps = np.where(active, got, 10_000).min(axis=1)
        lin = upd & (sch == LINEAR)
        dbl = upd & (sch == DOUBLE)
        rpe = upd & (sch == RPE)
        new_idx = idx.copy()
        new_stalls = stalls[s].copy()
        # Linear: add the step when every set made the target, else repeat; 3 misses -> reset.
        new_idx = np.where(lin & hit_all, idx + ser["linear_step"].to_numpy()[s], new_idx)
        new_stalls = np.where(lin & hit_all, 0, np.where(lin, new_stalls + 1, new_stalls))
        # Double progression: every set at the top of the range -> next step; more total reps
        # than last time is progress; otherwise a stall.
        improved = total > last_total[s]
        new_idx = np.where(dbl & top_of_range, idx + 1, new_idx)
        new_stalls = np.where(dbl & (top_of_range | improved), 0, np.where(dbl, new_stalls + 1, new_stalls))
        new_stalls = np.where(dbl & (min_reps < lo[s]) & ~top_of_range, new_stalls + 1, new_stalls)
        reset = (lin | dbl) & (new_stalls >= 3)
        reset_idx = grids.index_of(g, np.maximum((top + bw[s]) * 0.9 - bw[s], 0))
        new_idx = np.where(reset, np.minimum(reset_idx, idx - 1), new_idx)
        new_stalls = np.where(reset, 0, new_stalls)
        state_idx[s] = np.where(upd, grids.clip(g, new_idx), state_idx[s])
        stalls[s] = np.where(upd, new_stalls, stalls[s])
        last_total[s] = np.where(upd, np.where(reset | (dbl & top_of_range), 0, total), last_total[s])
        # RPE: update the running e1RM estimate from the top set (reps + reps in reserve).
        observed = (top + bw[s]) * (1 + (got[:, 0] + np.round(rir_left[rows, 0])) / 30)
        estimate[s] = np.where(rpe, 0.65 * estimate[s] + 0.35 * observed, estimate[s])

    occ["n_sets"] = n_sets
    occ["today"] = today
    occ["latent"] = latent
    occ["deload"] = deload
    occ_arrays = {"loads": loads, "reps": reps, "failed": failed, "rir_left": rir_left, "rest": work_rest}
    return occ, ser, occ_arrays


def _group_start_values(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each position, `values` at the start of its group (groups begin where `starts`)."""
    start_pos = np.maximum.accumulate(np.where(starts, np.arange(values.size), 0))
    return values[start_pos]


# --------------------------------------------------------------------------------------------
# stage 3: sets

_WARMUP_SHARES = np.array([0.0, 0.5, 0.7, 0.85])  # 0.0 = the empty bar
_WARMUP_REPS = np.array([10, 5, 3, 2])
_MAX_WARMUPS = {"novice": 2, "intermediate": 3, "advanced": 4}


def _expand_sets(occ, ser, work, sessions, profiles, grids, rng):
    """One row per set (warm-ups, working sets, drop sets) in canonical layout.

    Returns:
        (canonical sets frame, seconds each set took including the rest after it), the latter
        used for session durations.
    """
    s_idx = occ["series"].to_numpy()
    sess = occ["session"].to_numpy()
    athlete = occ["athlete_idx"].to_numpy()
    n_occ = len(occ)
    g = ser["grid"].to_numpy()[s_idx]
    bw = ser["bw_load"].to_numpy()[s_idx]
    compound = ser["compound"].to_numpy()[s_idx]
    lift = occ["lift"].to_numpy()
    equipment = np.array([lf.equipment for lf in LIFTS])[lift]
    level = np.array([p.level for p in profiles])[athlete]
    n_sets = occ["n_sets"].to_numpy()
    loads, reps, failed, rir_left = work["loads"], work["reps"], work["failed"], work["rir_left"]
    top = loads[:, 0]
    deload = occ["deload"].to_numpy()
    position = occ["position"].to_numpy()

    # Warm-ups: a ramp to the working load on heavy compounds, when the lifter logs them.
    warm_p = np.array([p.warmup_logging for p in profiles])[athlete] * np.where(position < 2, 1.0, 0.5)
    logs_warmup = compound & (equipment != "bodyweight") & (rng.random(n_occ) < warm_p)
    shares = np.where((equipment == "barbell")[:, None], _WARMUP_SHARES[None, :], np.array([-1, 0.5, -1, -1])[None, :])
    wu_target = (top[:, None] + bw[:, None]) * shares - bw[:, None]
    wu_load = grids.at(g[:, None].repeat(4, 1), grids.index_of(g[:, None], wu_target))
    wu_load = np.where(shares == 0.0, grids.values[g, 0][:, None], wu_load)
    lightest_work = np.nanmin(np.where(np.isnan(loads), np.inf, loads), axis=1)
    valid = (shares >= 0) & (wu_load <= 0.9 * top[:, None]) & (wu_load < lightest_work[:, None])
    valid &= (wu_load > 0) & logs_warmup[:, None]
    valid[:, 0] &= wu_load[:, 0] <= 0.6 * top
    previous = np.zeros(n_occ)
    for j in range(4):  # keep a strictly rising ramp
        valid[:, j] &= wu_load[:, j] > previous
        previous = np.where(valid[:, j], wu_load[:, j], previous)
    max_wu = np.vectorize(_MAX_WARMUPS.get)(level)
    from_right = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]
    valid &= from_right <= max_wu[:, None]

    # Drop sets after isolation lifts.
    drop_rate = np.array([p.drop_set_rate for p in profiles])[athlete]
    last = loads[np.arange(n_occ), np.maximum(n_sets - 1, 0)]
    drop_load = grids.at(g, grids.index_of(g, 0.75 * last))
    has_drop = (~compound) & (~deload) & (equipment != "bodyweight") & (drop_load < last) & (drop_load > 0)
    has_drop &= rng.random(n_occ) < drop_rate
    fatigue = ser["set_fatigue"].to_numpy()[s_idx]
    drop_reps = np.clip(np.floor(_epley_reps(occ["today"].to_numpy(), drop_load + bw) - n_sets * fatigue), 3, 25)

    # Assemble blocks: (occurrence, order within occurrence, load, reps, type, reps in reserve).
    wu_occ, wu_j = np.nonzero(valid)
    wk_occ, wk_j = np.nonzero(np.arange(MAX_WORK_SETS)[None, :] < n_sets[:, None])
    dr_occ = np.nonzero(has_drop)[0]
    mark = rng.random(wk_occ.size) < ser["failure_marking"].to_numpy()[s_idx[wk_occ]]
    work_type = np.where(failed[wk_occ, wk_j] & mark, "failure", "normal")
    occ_row = np.concatenate([wu_occ, wk_occ, dr_occ])
    order = np.concatenate([wu_j, 10 + wk_j, np.full(dr_occ.size, 20)])
    load = np.concatenate([wu_load[wu_occ, wu_j], loads[wk_occ, wk_j], drop_load[dr_occ]])
    # Barbell ramps taper the reps; a single dumbbell/machine warm-up set is a light set of 10.
    wu_reps = np.where(equipment[wu_occ] == "barbell", _WARMUP_REPS[wu_j], 10)
    rep_count = np.concatenate([wu_reps, reps[wk_occ, wk_j], drop_reps[dr_occ]]).astype(np.int64)
    set_type = np.concatenate([np.full(wu_occ.size, "warmup"), work_type, np.full(dr_occ.size, "drop")])
    in_reserve = np.concatenate([np.full(wu_occ.size, np.nan), rir_left[wk_occ, wk_j], np.zeros(dr_occ.size)])
    planned_rest = np.concatenate([np.full(wu_occ.size, np.nan), work["rest"][wk_occ, wk_j], np.full(dr_occ.size, np.nan)])

    # Per-row attributes, then conditioning finishers (treadmill runs, planks) at session ends.
    n_lift_rows = occ_row.size
    row_session = sess[occ_row]
    row_position = position[occ_row]
    row_athlete = athlete[occ_row]
    row_lift = lift[occ_row]
    row_compound = compound[occ_row]
    load = load.astype(float)
    rep_count = rep_count.astype(float)
    duration = np.full(n_lift_rows, np.nan)
    distance = np.full(n_lift_rows, np.nan)
    fin = _finishers(sessions, profiles, rng)
    row_session = np.concatenate([row_session, fin["session"]])
    row_position = np.concatenate([row_position, np.full(fin["session"].size, 100)])
    order = np.concatenate([order, fin["order"]])
    row_athlete = np.concatenate([row_athlete, sessions["athlete_idx"].to_numpy()[fin["session"]]])
    row_lift = np.concatenate([row_lift, len(LIFTS) + fin["kind"]])
    row_compound = np.concatenate([row_compound, np.zeros(fin["session"].size, dtype=bool)])
    load = np.concatenate([load, np.full(fin["session"].size, np.nan)])
    rep_count = np.concatenate([rep_count, np.full(fin["session"].size, np.nan)])
    set_type = np.concatenate([set_type, np.full(fin["session"].size, "normal")])
    in_reserve = np.concatenate([in_reserve, np.full(fin["session"].size, np.nan)])
    planned_rest = np.concatenate([planned_rest, np.full(fin["session"].size, np.nan)])
    duration = np.concatenate([duration, fin["duration"]])
    distance = np.concatenate([distance, fin["distance"]])

    # Row order: athlete's sessions by date, exercises by position, sets warm-up -> work -> drop.
    row_order = np.lexsort((order, row_position, row_session))
    row_session, row_position, row_athlete = row_session[row_order], row_position[row_order], row_athlete[row_order]
    row_lift, row_compound, load = row_lift[row_order], row_compound[row_order], load[row_order]
    rep_count, set_type, in_reserve = rep_count[row_order], set_type[row_order], in_reserve[row_order]
    duration, distance, planned_rest = duration[row_order], distance[row_order], planned_rest[row_order]
    n_rows = row_session.size
    new_block = np.r_[True, (row_session[1:] != row_session[:-1]) | (row_position[1:] != row_position[:-1])]
    set_index = np.arange(n_rows) - _group_start_values(np.arange(n_rows), new_block)
    row_level = np.array([p.level for p in profiles])[row_athlete]

    # RPE on sessions the lifter logs it: 10 minus the reps left, as felt (noisy, half points).
    session_athlete = sessions["athlete_idx"].to_numpy()
    session_rpe = rng.random(len(sessions)) < np.array([p.rpe_logging for p in profiles])[session_athlete]
    felt = np.round(2 * (10 - in_reserve + rng.normal(0, 0.35, n_rows))) / 2
    rpe = np.where(session_rpe[row_session] & (set_type != "warmup"), np.clip(felt, 6, 10), np.nan)

    # Rest after each set (working sets: as drawn with their effect on the next set); logged on
    # some sessions only.
    base = np.where(set_type == "warmup", 60.0, np.where(row_compound, 150.0, 80.0))
    base *= np.where(row_level == "advanced", 1.25, 1.0)
    drawn = np.round(base * np.exp(rng.normal(0, 0.25, n_rows)) / 5) * 5
    rest_taken = np.where(np.isnan(planned_rest), drawn, planned_rest)
    last_of_session = np.r_[row_session[1:] != row_session[:-1], True]
    session_rest = rng.random(len(sessions)) < np.array([p.rest_logging for p in profiles])[session_athlete]
    rest = np.where(session_rest[row_session] & ~last_of_session, rest_taken, np.nan)
    set_seconds = np.where(np.isnan(duration), 20 + 4 * np.nan_to_num(rep_count), duration)
    set_seconds += np.where(last_of_session, 0, rest_taken)

    unit_factor = np.array([1.0 if p.unit == "kg" else KG_PER_LB for p in profiles])
    everything = LIFTS + FINISHERS
    names = {n: np.array([x.name(n) for x in everything], dtype=object) for n in NAMINGS}
    naming = np.array([p.naming for p in profiles], dtype=object)
    exercise = np.empty(n_rows, dtype=object)
    for style, table in names.items():
        pick = naming[row_athlete] == style
        exercise[pick] = table[row_lift[pick]]
    started = sessions["started_at"].to_numpy()
    new_athlete = np.r_[True, row_athlete[1:] != row_athlete[:-1]]
    frame = pd.DataFrame(
        {
            "athlete_id": sessions["athlete_id"].to_numpy()[row_session],
            "session_id": sessions["session_id"].to_numpy()[row_session],
            "performed_at": started[row_session],
            "exercise_raw": exercise,
            "exercise_id": pd.NA,
            "set_index": set_index,
            "set_type": set_type,
            "weight_kg": load * unit_factor[row_athlete],
            "reps": pd.array(np.where(np.isnan(rep_count), 0, rep_count).astype(np.int64), dtype="Int64"),
            "rpe": rpe,
            "rest_s": rest,
            "duration_s": duration,
            "distance_m": distance,
            "source_file": SIMULATED,
            "source_row": np.arange(n_rows) - _group_start_values(np.arange(n_rows), new_athlete) + 1,
            "source_format": SIMULATED,
        }
    )
    frame.loc[np.isnan(rep_count), "reps"] = pd.NA
    return to_canonical(frame), pd.Series(set_seconds).groupby(row_session).sum()


def _finishers(sessions, profiles, rng) -> dict[str, np.ndarray]:
    """Conditioning at the end of some sessions: one treadmill run or 2-3 timed planks.

    Returns:
        Arrays per row: `session` (global index), `kind` (index into FINISHERS), `order`,
        `duration` (s) and `distance` (m, runs only).
    """
    athlete = sessions["athlete_idx"].to_numpy()
    rate = np.array([p.conditioning_rate for p in profiles])[athlete]
    chosen = np.nonzero(rng.random(len(sessions)) < rate)[0]
    runs = rng.random(chosen.size) < 0.5
    n_sets = np.where(runs, 1, rng.integers(2, 4, chosen.size))
    session = np.repeat(chosen, n_sets)
    kind = np.repeat(np.where(runs, 0, 1), n_sets)
    order = np.arange(session.size) - np.repeat(np.cumsum(n_sets) - n_sets, n_sets)
    minutes = np.clip(np.round(np.exp(rng.normal(np.log(18), 0.35, session.size))), 5, 60)
    speed = np.clip(rng.normal(2.6, 0.3, session.size), 1.6, 4.0)  # m/s, an easy run
    plank = np.clip(np.round(rng.normal(60, 15, session.size) / 5) * 5, 20, 180)
    return {
        "session": session,
        "kind": kind,
        "order": order,
        "duration": np.where(kind == 0, minutes * 60, plank),
        "distance": np.where(kind == 0, np.round(minutes * 60 * speed / 10) * 10, np.nan),
    }


def _truth(occ, ser, sessions, profiles) -> pd.DataFrame:
    """The latent one-rep maxes per occurrence in kg, in the set table's order."""
    athlete = occ["athlete_idx"].to_numpy()
    to_kg = np.array([1.0 if p.unit == "kg" else KG_PER_LB for p in profiles])[athlete]
    naming = np.array([p.naming for p in profiles], dtype=object)[athlete]
    names = [LIFTS[li].name(n) for li, n in zip(occ["lift"].to_numpy(), naming)]
    session = occ["session"].to_numpy()
    truth = pd.DataFrame(
        {
            "athlete_id": sessions["athlete_id"].to_numpy()[session],
            "session_id": sessions["session_id"].to_numpy()[session],
            "performed_at": sessions["started_at"].to_numpy()[session],
            "exercise_raw": names,
            "latent_e1rm_kg": occ["latent"].to_numpy() * to_kg,
            "today_e1rm_kg": occ["today"].to_numpy() * to_kg,
            "scheme": np.array(["linear", "double", "rpe"])[ser["scheme"].to_numpy()[occ["series"].to_numpy()]],
            "deload": occ["deload"].to_numpy(),
            "_order": session * 100 + occ["position"].to_numpy(),
        }
    )
    truth = truth.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    for column in ("athlete_id", "session_id", "exercise_raw", "scheme"):
        truth[column] = truth[column].astype("string")
    return truth


def _session_meta(sessions, set_seconds, occ, work, profiles, rng):
    """Session table (name, duration, notes) and exercise notes for the app writers."""
    out = sessions.copy()
    out["duration_s"] = set_seconds.reindex(range(len(out))).fillna(0).to_numpy() + 300.0
    notes = np.full(len(out), None, dtype=object)
    mood = out["readiness"].to_numpy()
    pick = rng.random(len(out))
    notes[(mood > 0.04) & (pick < 0.4)] = "Felt strong today"
    notes[(mood < -0.05) & (pick < 0.4)] = "Tired, slept badly"
    notes[out["deload"].to_numpy()] = "Deload week"
    out["workout_notes"] = pd.Series(notes, dtype="string")
    columns = ["session_id", "athlete_id", "started_at", "duration_s", "workout_name", "workout_notes", "deload"]
    sessions_out = out[columns].copy()
    sessions_out["session_id"] = sessions_out["session_id"].astype("string")
    sessions_out["athlete_id"] = sessions_out["athlete_id"].astype("string")
    sessions_out["workout_name"] = sessions_out["workout_name"].astype("string")
    # Exercise notes: a lifter sometimes writes down a missed set.
    missed = work["failed"].any(axis=1) & (rng.random(len(occ)) < 0.15)
    rows = occ.loc[missed, ["session", "lift"]]
    naming = {i: p.naming for i, p in enumerate(profiles)}
    athlete = occ.loc[missed, "athlete_idx"].to_numpy()
    exercise_notes = pd.DataFrame(
        {
            "session_id": out["session_id"].to_numpy()[rows["session"].to_numpy()],
            "exercise_raw": [LIFTS[li].name(naming[a]) for li, a in zip(rows["lift"], athlete)],
            "note": "Missed reps, repeat next time",
        }
    )
    return sessions_out.reset_index(drop=True), exercise_notes


def simulate_sets(n_sets: int, weeks: int = 26, seed: int = 0, start: date | None = None) -> SimulatedLog:
    """Simulate about `n_sets` sets (for benchmarks): enough random athletes, then the first `n_sets` rows.

    Args:
        n_sets: Number of set rows wanted (>= 1).
        weeks: Weeks per athlete.
        seed: Random seed.
        start: First day (default: `weeks` before `DEFAULT_END`).

    Returns:
        A `SimulatedLog` with exactly `n_sets` set rows (the last athlete may be cut mid-log).
    """
    if n_sets < 1:
        raise ValueError("n_sets must be at least 1")
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    n_athletes = max(1, int(np.ceil(n_sets / (weeks * 60))))
    while True:
        log = simulate_profiles(random_profiles(n_athletes, seed), weeks=weeks, seed=seed, start=start)
        if len(log.sets) >= n_sets:
            break
        n_athletes = int(np.ceil(n_athletes * 1.25 * n_sets / max(len(log.sets), 1))) + 1
    sets = log.sets.iloc[:n_sets].reset_index(drop=True)
    kept = set(sets["session_id"].unique())
    log.sessions = log.sessions[log.sessions["session_id"].isin(kept)].reset_index(drop=True)
    log.notes = log.notes[log.notes["session_id"].isin(kept)].reset_index(drop=True)
    log.truth = log.truth[log.truth["session_id"].isin(kept)].reset_index(drop=True)
    log.sets = sets
    return log
