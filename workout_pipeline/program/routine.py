"""The lifter's own routine, read from their recent history: the default shape of their week.

From the last `recent_weeks` weeks (12 by default) of working sets:
- **sessions per week**: sessions divided by the calendar weeks that hold at least one
  session (a two-week holiday does not halve the rate); the week gets that many days, rounded.
  A session is a training day (`training_days`: two workouts logged on one day are one);
- **staples**: the lifts done in the most sessions; among lifts tied at the cut, those that
  train primary muscles the staples so far do not (a push / pull / legs lifter's squat, not a
  third press), then more sets, then name;
- **day templates**: sessions grouped by the lifts they share (a session joins the group whose
  usual lifts it overlaps most, Jaccard >= 1/3, else starts a new one); a template's lifts are
  those in at least a third of its sessions, in the order the lifter does them;
- **weekly effective sets per muscle** (primary 1, secondary `secondary_weight`): where the
  default targets start. Like every set count here (staples' tie-break, sets per lift and
  session, the per-session cap) it leaves out warm-ups logged as working sets (`ramp_sets`: a
  lift's sets in a session before its first at the working weight; 135 x 15 and 205 x 4 before
  235 x 5), so a lifter who logs their warm-ups is not given them again as working sets;
- per lift: the last top set, its date, and the lifter's rep range and usual reps (min, max and
  median reps of the recent sets at the working weight, `_working_weight_reps`) (`LiftHistory`),
  and its usual sets (the median of its working sets per recent session), how its reps fell
  over its sets at the top load last time (`rep_profiles`), and its recent top sets;
- per recent week, the fewest days between two of its sessions that train a muscle directly
  (`fewest_rest_days`): a lifter who squats on Monday and deadlifts on Tuesday week after week
  does not follow the coach's 48 h default, and the week follows them (`week_shape.routine_defaults`).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workout_pipeline.catalog.muscles import MUSCLE_CATEGORY
from workout_pipeline.program.prescribe import LiftHistory
from workout_pipeline.schema import WORKING_SET_TYPES

_JOIN_SIMILARITY = 1 / 3
_TEMPLATE_SHARE = 1 / 3
# A lift's rep range and usual reps (the median) come from its recent sets at the working weight
# (within 90% of their session's heaviest) in sessions at a load comparable to the last top set's
# (within a factor of 2): warm-ups logged as normal sets do not count, and a lifter who moved from
# 125 lb x 25 to 8 lb x 12 on another machine is told 12 reps at 8 lb's e1RM, not 22-23.
WORKING_WEIGHT_SHARE = 0.9
COMPARABLE_LOAD_FACTOR = 2.0


@dataclass(frozen=True)
class DayTemplate:
    """One kind of session the lifter does: its lifts in their usual order."""

    exercises: tuple[str, ...]
    sessions: int
    seen: frozenset[str]  # every lift logged in one of its sessions


@dataclass(frozen=True)
class Routine:
    """What the lifter's recent history says about their week (module docstring)."""

    athlete_id: str | None
    last_date: pd.Timestamp
    sessions_per_week: float
    staples: tuple[str, ...]
    templates: tuple[DayTemplate, ...]
    recent: dict[str, int]  # exercise_id -> sessions in the recent window
    ever: frozenset[str]  # every exercise id the lifter has logged
    weekly_sets: dict[str, float]  # muscle -> effective sets per week, recent window
    direct_sets: dict[str, float]  # muscle -> sets per week as a primary muscle
    max_direct_per_session: float = 0.0  # most direct sets of one muscle in one recent session
    usual_sets: float = 3.0  # median sets of one lift in one recent session
    lift_sets: dict[str, float] = field(default_factory=dict)  # exercise_id -> its median sets per recent session
    logged_names: dict[str, str] = field(default_factory=dict)  # exercise_id -> name as logged
    lifts: dict[str, dict[str, Any]] = field(default_factory=dict)  # exercise_id -> last top set etc.
    fewest_rest_days: tuple[int, ...] = ()  # per recent week with a session: `_fewest_rest_days`

    def weeks_resting_less(self, rest_h: float) -> int:
        """How many recent weeks trained a muscle directly twice within `rest_h` hours."""
        return sum(days * 24 < rest_h for days in self.fewest_rest_days)

    @property
    def days(self) -> int:
        return int(min(7, max(1, round(self.sessions_per_week))))

    def lift_history(self, exercise_id: str, week_start: pd.Timestamp) -> LiftHistory | None:
        info = self.lifts.get(exercise_id)
        if info is None:
            return None
        days = (week_start.normalize() - info["date"].normalize()).days
        return LiftHistory(
            last_load_kg=info["load_kg"],
            last_reps=info["reps"],
            last_date=info["date"].date().isoformat(),
            days_since=float(max(days, 0)),
            rep_range=info["rep_range"],
            usual_reps=info["usual_reps"],
            rep_profile=info.get("rep_profile", ()),
            recent_tops=info.get("recent_tops", ()),
        )


# the canonical columns a routine and the seed path's last top sets read (the others are not
# carried through their filters: ferreiragabrielw-hevy's routine 0.118 -> 0.086 CPU-s)
_COLUMNS = ("athlete_id", "session_id", "performed_at", "exercise_id", "exercise_raw", "set_index", "set_type", "weight_kg",
            "reps", "rest_s", "source_row")


def working_lift_sets(history: pd.DataFrame, athlete_id: str | None) -> pd.DataFrame:
    """The athlete's working sets of catalog lifts with reps (the sets a routine is made of)."""
    sets = history[[c for c in _COLUMNS if c in history.columns]]
    if athlete_id is not None and "athlete_id" in sets.columns:
        sets = sets[sets["athlete_id"] == athlete_id]
    sets = sets[sets["exercise_id"].notna() & sets["set_type"].isin(WORKING_SET_TYPES)]
    sets = sets[sets["reps"].notna() & (sets["reps"] > 0)]
    return sets.assign(exercise_id=sets["exercise_id"].astype(str))


def training_days(sets: pd.DataFrame) -> pd.DataFrame:
    """`sets` with `session_id` the day its session started: the week has a day for each day
    the lifter trains, so two workouts logged on one day (a morning and an evening session, or
    abs logged apart after the main one) are one training day, not two days of the week."""
    start = sets.groupby("session_id")["performed_at"].transform("min")
    return sets.assign(session_id=start.dt.strftime("%Y-%m-%d"))


def _staples(per_lift: pd.DataFrame, muscles: dict[str, tuple[frozenset, frozenset]], n: int) -> tuple[str, ...]:
    """The `n` lifts of the most sessions (`per_lift` sorted by sessions, sets, id); the lifts
    tied at the cut are taken one at a time, the one adding the most primary muscles first."""
    chosen: list[str] = []
    for _, tied in per_lift.groupby("sessions", sort=False):
        ids = list(tied["exercise_id"])
        if len(chosen) + len(ids) <= n:
            chosen += ids
            continue
        while len(chosen) < n:
            covered = set().union(*(muscles[e][0] for e in chosen))
            best = max(ids, key=lambda e: len(muscles[e][0] - covered))  # ties: the first (more sets)
            chosen.append(best)
            ids.remove(best)
        break
    return tuple(chosen)


def ramp_sets(sets: pd.DataFrame) -> pd.Series:
    """Warm-ups logged as working sets: each lift's sets in a session, in the order logged,
    before its first set at the working weight (within `WORKING_WEIGHT_SHARE` of that session's
    heaviest for the lift). Back-off sets after it count. A boolean mask aligned with `sets`."""
    by = ["performed_at", "source_row"] if "source_row" in sets.columns else ["performed_at"]
    ordered = sets.reset_index(drop=True).sort_values(by, kind="stable")  # positions: any index
    working, _ = _at_working_weight(ordered)
    reached = working.astype(int).groupby([ordered["session_id"], ordered["exercise_id"]]).cummax().astype(bool).sort_index()
    return pd.Series(~reached.to_numpy(), index=sets.index)


def _at_working_weight(sets: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Which sets are at the working weight (within `WORKING_WEIGHT_SHARE` of the heaviest set
    of their lift and session), and that heaviest load, per set."""
    weight = sets["weight_kg"].fillna(0.0)
    heaviest = weight.groupby([sets["session_id"], sets["exercise_id"]]).transform("max")
    return weight >= WORKING_WEIGHT_SHARE * heaviest, heaviest


def last_occurrences(sets: pd.DataFrame) -> pd.DataFrame:
    """The sets of each lift's last occurrence (its latest `performed_at`)."""
    return sets[sets["performed_at"] == sets.groupby("exercise_id")["performed_at"].transform("max")]


def _top_sets_first(sets: pd.DataFrame) -> pd.DataFrame:
    """`sets` with each occurrence's top set (the heaviest working set; ties: more reps) ahead of
    its other sets: `drop_duplicates` on a lift (and session) keeps the top sets."""
    ranked = sets.assign(_w=sets["weight_kg"].fillna(0.0)).sort_values(["_w", "reps"], ascending=False, kind="stable")
    return ranked.drop(columns="_w")


def last_top_sets(sets: pd.DataFrame) -> pd.DataFrame:
    """Each lift's top set at its last occurrence: one row per `exercise_id` (the heaviest
    working set of its latest `performed_at`; ties: more reps), indexed by `exercise_id`."""
    return _top_sets_first(last_occurrences(sets)).drop_duplicates("exercise_id").set_index("exercise_id").sort_index()


def _per_lift(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[tuple]]:
    """`frame`'s rows (ordered by `exercise_id`, then as wanted) as tuples of `columns`, per lift."""
    ids = frame["exercise_id"].astype(str).to_numpy()
    rows = list(zip(*(frame[c].tolist() for c in columns)))
    return {ids[a]: rows[a:b] for a, b in _runs(ids)}


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of equal values in `keys`."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], dtype=int)
    return list(zip(starts.tolist(), [*starts[1:].tolist(), len(keys)]))


def read_routine(history: pd.DataFrame, athlete_id: str | None, muscles: dict[str, tuple[frozenset, frozenset]],
                 recent_weeks: int = 12, n_staples: int = 5, secondary_weight: float = 0.5) -> Routine | None:
    """The lifter's routine (module docstring); None without any working set of a catalog lift.

    Args:
        history: Canonical validated sets.
        athlete_id: Whose sets (None: all rows).
        muscles: exercise_id -> (primary, secondary) muscles, for the catalog in use.
        recent_weeks: Length of the recent window.
        n_staples: How many staples.
        secondary_weight: Credit of a secondary muscle per set.
    """
    sets = working_lift_sets(history, athlete_id)
    sets = sets[sets["exercise_id"].isin(list(muscles))]
    if not len(sets):
        return None
    sets = training_days(sets)
    last = sets["performed_at"].max()
    recent = sets[sets["performed_at"] > last - pd.Timedelta(weeks=recent_weeks)]
    session_start = recent.groupby("session_id")["performed_at"].min()
    active_weeks = max(1, session_start.dt.to_period("W").nunique())
    hard = recent[~ramp_sets(recent)]  # every session of a lift keeps its top set
    per_lift = hard.groupby("exercise_id").agg(sessions=("session_id", "nunique"), sets=("reps", "size")).reset_index()
    per_lift = per_lift.sort_values(["sessions", "sets", "exercise_id"], ascending=[False, False, True])
    weekly: dict[str, float] = {}
    direct: dict[str, float] = {}
    for exercise_id, n_sets in per_lift.set_index("exercise_id")["sets"].items():
        primary, secondary = muscles[exercise_id]
        for m in primary:
            weekly[m] = weekly.get(m, 0.0) + n_sets / active_weeks
            direct[m] = direct.get(m, 0.0) + n_sets / active_weeks
        for m in secondary - primary:
            weekly[m] = weekly.get(m, 0.0) + secondary_weight * n_sets / active_weeks
    per_session: dict[tuple[str, str], int] = {}
    lift_sets = hard.groupby(["session_id", "exercise_id"]).size()
    for (session_id, exercise_id), n_sets in lift_sets.items():
        for m in muscles[exercise_id][0]:
            per_session[session_id, m] = per_session.get((session_id, m), 0) + int(n_sets)
    return Routine(
        athlete_id=athlete_id,
        last_date=last,
        sessions_per_week=len(session_start) / active_weeks,
        staples=_staples(per_lift, muscles, n_staples),
        templates=_templates(recent),
        recent=dict(zip(per_lift["exercise_id"], per_lift["sessions"].astype(int))),
        ever=frozenset(sets["exercise_id"].unique()),
        weekly_sets={m: round(v, 2) for m, v in weekly.items()},
        direct_sets={m: round(v, 2) for m, v in direct.items()},
        max_direct_per_session=float(max(per_session.values(), default=0)),
        usual_sets=float(lift_sets.median()),
        lift_sets={e: float(v) for e, v in lift_sets.groupby(level="exercise_id").median().items()},
        logged_names=_logged_names(sets),
        lifts=_lifts(sets, recent),
        fewest_rest_days=_fewest_rest_days(lift_sets, muscles),
    )


def rested_muscles(primary) -> set[str]:
    """The muscles a lift trains directly that the 48 h default is read on: its primary muscles
    but abs and obliques."""
    return {m for m in primary if MUSCLE_CATEGORY.get(m) != "core"}


def _fewest_rest_days(lift_sets: pd.Series, muscles: dict[str, tuple[frozenset, frozenset]]) -> tuple[int, ...]:
    """Per calendar week with a session (in order), the fewest days from an earlier session to
    one of that week's sessions when both train a muscle directly (a primary muscle of one of
    their lifts; not abs or obliques: crunches every day say nothing of how the lifter rests
    their other muscles); 7 when none is within a week. `lift_sets` is indexed by (session_id, exercise_id)
    with session ids the training days (`training_days`)."""
    direct: dict[pd.Timestamp, set[str]] = {}
    for session_id, exercise_id in lift_sets.index:
        direct.setdefault(pd.Timestamp(session_id), set()).update(rested_muscles(muscles[exercise_id][0]))
    dates = sorted(direct)
    fewest: dict[Any, int] = {}
    for k, day in enumerate(dates):
        week = day.to_period("W")
        gaps = [(day - earlier).days for earlier in dates[max(0, k - 7):k]
                if (day - earlier).days < 7 and direct[day] & direct[earlier]]
        fewest[week] = min(fewest.get(week, 7), *gaps, 7)
    return tuple(fewest[w] for w in sorted(fewest))


def _logged_names(sets: pd.DataFrame) -> dict[str, str]:
    """Per lift, the name the lifter logs it under most often (ties: the first by sort order)."""
    if "exercise_raw" not in sets.columns:
        return {}
    counts = sets.groupby(["exercise_id", "exercise_raw"], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["exercise_id", "n", "exercise_raw"], ascending=[True, False, True], kind="stable")
    firsts = counts.drop_duplicates("exercise_id")
    return dict(zip(firsts["exercise_id"].astype(str), firsts["exercise_raw"].astype(str)))


def _lifts(sets: pd.DataFrame, recent: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per lift: its last top set (`last_top_sets`) and the rep range and usual reps of its
    recent sets at the working weight (`_working_weight_reps`; all its recent sets when none
    is, and all its sets when it has none recent). Vectorised over the lifts: a per-lift loop
    took 0.4 s for a lifter with 95 lifts, most of a 1 s solve."""
    last = last_occurrences(sets)  # both read only the last occurrences (and find them again in these, cheaply)
    top, profiles = last_top_sets(last), rep_profiles(last)
    session_tops = _top_sets_first(recent).drop_duplicates(["exercise_id", "session_id"])
    session_tops = session_tops.assign(load=session_tops["weight_kg"].fillna(0.0), day=session_tops["performed_at"].dt.strftime("%Y-%m-%d"))
    recent_tops = _per_lift(session_tops.sort_values(["exercise_id", "performed_at"], kind="stable"), ["load", "reps", "day"])
    window = pd.concat([recent, sets[~sets["exercise_id"].isin(recent["exercise_id"].unique())]])
    weights = top["weight_kg"].where(top["weight_kg"] > 0)  # no load: every session counts
    working = _working_weight_reps(window, window["exercise_id"].map(weights))
    has_working = working.groupby(window["exercise_id"]).transform("any")
    reps = window.loc[working | ~has_working].groupby("exercise_id")["reps"].agg(["min", "max", "median"]).reindex(top.index)
    out: dict[str, dict[str, Any]] = {}
    for exercise_id, date, weight, top_reps, low, high, median in zip(
            top.index, top["performed_at"], top["weight_kg"].tolist(), top["reps"].tolist(),
            reps["min"].tolist(), reps["max"].tolist(), reps["median"].tolist()):
        out[exercise_id] = {
            "date": date,
            "load_kg": None if pd.isna(weight) or float(weight) <= 0 else float(weight),
            "reps": int(top_reps),
            "rep_range": (int(low), int(high)),
            "usual_reps": int(round(float(median))),
            "rep_profile": profiles.get(exercise_id, ()),
            "recent_tops": tuple((float(w), int(r), d) for w, r, d in recent_tops.get(exercise_id, ())),
        }
    return out


def rep_profiles(sets: pd.DataFrame) -> dict[str, tuple[float, ...]]:
    """Per lift, how its reps fell over the sets of its last occurrence at the top set's load, in
    the order done: each such set's reps over the first's, never above an earlier set's (65 kg x
    4, 3, 3, 2 gives 1, 0.75, 0.75, 0.5; 12, 10, 11 gives 1, 0.83, 0.83; 6, 7, 6, 6 straight
    sets); only lifts with a set below the first.
    The week writes its sets the same way (`prescribe.set_reps`) rather than asking the top
    set's reps of every set."""
    last = last_occurrences(sets)
    last = last.sort_values(["exercise_id", "set_index"] if "set_index" in last.columns else ["exercise_id"], kind="stable")
    load = last["weight_kg"].fillna(0.0)
    at_top = last[(load - load.groupby(last["exercise_id"]).transform("max")).abs() < 1e-6]
    by_lift = at_top.groupby("exercise_id", sort=False)["reps"]
    share = (at_top["reps"].astype(float) / by_lift.transform("first").astype(float)).clip(upper=1.0)
    at_top = at_top.assign(share=share.groupby(at_top["exercise_id"]).cummin())
    falls = by_lift.transform("size").ge(2) & at_top["share"].groupby(at_top["exercise_id"]).transform("min").lt(1.0)
    return {k: tuple(float(v) for (v,) in rows) for k, rows in _per_lift(at_top[falls], ["share"]).items()}


def _working_weight_reps(sets: pd.DataFrame, last_load_kg: pd.Series) -> pd.Series:
    """Which sets count for a lift's reps (True): those at the working weight (within
    `WORKING_WEIGHT_SHARE` of the heaviest set of their lift and session) in the sessions whose
    heaviest set is comparable to the lift's last top set's load (`last_load_kg`, per row;
    within a factor `COMPARABLE_LOAD_FACTOR`; every session where it is missing: a bodyweight
    lift)."""
    working, heaviest = _at_working_weight(sets)
    comparable = heaviest.between(last_load_kg / COMPARABLE_LOAD_FACTOR, last_load_kg * COMPARABLE_LOAD_FACTOR)
    return working & (comparable | last_load_kg.isna())


def _templates(recent: pd.DataFrame) -> tuple[DayTemplate, ...]:
    # each session's lifts in the order first done; the sessions in the order they started (the
    # rows are in time order, so a session's first row is its start)
    by = ["performed_at", "source_row"] if "source_row" in recent.columns else ["performed_at"]
    ordered = recent.sort_values(by, kind="stable")
    session = pd.factorize(ordered["session_id"])[0]
    firsts = ordered.assign(_session=session).drop_duplicates(["_session", "exercise_id"]).sort_values("_session", kind="stable")
    ids = firsts["exercise_id"].tolist()
    groups: list[dict[str, Any]] = []
    for order in (ids[a:b] for a, b in _runs(firsts["_session"].to_numpy())):
        lifts = set(order)
        best, best_score = None, 0.0
        for group in groups:
            core = {e for e, n in group["count"].items() if n >= 0.5 * group["n"]}
            score = len(lifts & core) / len(lifts | core) if lifts | core else 0.0
            if score > best_score:
                best, best_score = group, score
        if best is None or best_score < _JOIN_SIMILARITY:
            best = {"n": 0, "count": {}, "position": {}}
            groups.append(best)
        best["n"] += 1
        for position, exercise_id in enumerate(order):
            best["count"][exercise_id] = best["count"].get(exercise_id, 0) + 1
            best["position"].setdefault(exercise_id, []).append(position)
    templates = []
    for group in sorted(groups, key=lambda g: -g["n"]):
        kept = [e for e, n in group["count"].items() if n >= max(1.0, _TEMPLATE_SHARE * group["n"])]
        kept.sort(key=lambda e: sum(group["position"][e]) / len(group["position"][e]))
        templates.append(DayTemplate(tuple(kept), group["n"], frozenset(group["count"])))
    return tuple(templates)
