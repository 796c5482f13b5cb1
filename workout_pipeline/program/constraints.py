# Over 400 lines: every key of the constraints file, its default and its validation, in one schema.
"""The weekly program's constraints file (JSON or YAML): schema, defaults and validation.

Every key is optional; absent keys take literature defaults. Unknown keys and bad values raise
`InputError` with a one-line message naming the key. See docs/program.md for the reference.
"""

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from workout_pipeline.catalog.muscles import MUSCLES
from workout_pipeline.catalog.vocabulary import EQUIPMENT, KINDS, STRENGTH_KINDS
from workout_pipeline.errors import InputError
from workout_pipeline.userfiles import load_json, load_yaml, read_settings_text, short_repr

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_NAMES: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# routine: start from the lifter's own routine, with per-exercise quality costs (the default);
# seed: the seed formulation's objective, solved exactly (fast or naive formulation).
OBJECTIVES: tuple[str, ...] = ("routine", "seed")
DAY_TYPES: tuple[str, ...] = ("push", "pull", "legs")

# Weekly effective sets per muscle: 10-20 for the major muscles (Schoenfeld et al. 2017,
# Israetel's MEV-MAV ranges), a little less for muscles that get indirect work from compounds.
DEFAULT_TARGETS: dict[str, float] = {
    "chest": 12,
    "lats": 12,
    "upper_back": 10,
    "front_delts": 6,
    "side_delts": 10,
    "rear_delts": 8,
    "triceps": 10,
    "biceps": 10,
    "quads": 12,
    "hamstrings": 10,
    "glutes": 10,
    "calves": 8,
    "abs": 8,
}

# Default weekday for each number of training days (spread so rest days fall between blocks).
DEFAULT_WEEKDAYS: dict[int, tuple[str, ...]] = {
    1: ("Mon",),
    2: ("Mon", "Thu"),
    3: ("Mon", "Wed", "Fri"),
    4: ("Mon", "Tue", "Thu", "Fri"),
    5: ("Mon", "Tue", "Wed", "Fri", "Sat"),
    6: ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat"),
    7: WEEKDAYS,
}
DEFAULT_REST_H = 48.0  # a coach's default between direct sessions of a muscle (the 48 h rule)


@dataclass(frozen=True)
class ProgramConstraints:
    """Validated constraints and objective settings of the weekly program model.

    Attributes mirror the constraints-file keys one to one (docs/program.md). A value of None
    for an optional rule switches that rule off.
    """

    training_days: int = 6
    weekdays: tuple[str, ...] = DEFAULT_WEEKDAYS[6]
    min_sets: int = 3
    max_sets: int = 5
    min_exercises_per_day: int = 3
    max_exercises_per_day: int = 6
    secondary_weight: float = 0.5
    targets: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    hard_targets: dict[str, float] = field(default_factory=dict)
    split: dict[str, int] = field(default_factory=lambda: {"push": 2, "pull": 2, "legs": 2})
    session_minutes: float | None = 90.0
    equipment: tuple[str, ...] | None = None
    exclude_muscles: tuple[str, ...] = ()
    exclude_exercises: tuple[str, ...] = ()
    prefer_exercises: tuple[str, ...] = ()
    avoid_exercises: tuple[str, ...] = ()
    favour_history: bool = True
    familiar_first: bool = True
    deload: bool = False
    deload_factor: float = 0.6
    max_hard_sets_per_muscle_session: float | None = 8.0
    min_sessions_per_muscle: int | None = 2
    rest_between_muscle_sessions_h: float | None = DEFAULT_REST_H
    exercise_kinds: tuple[str, ...] = tuple(sorted(STRENGTH_KINDS))
    default_reps_compound: int = 8
    default_reps_isolation: int = 12
    default_rest_s_compound: float = 150.0
    default_rest_s_isolation: float = 90.0
    under_penalty: float = 10.0
    growth_penalty: float = 1.0  # routine objective: a set short of a target, above the lifter's own volume
    over_penalty: float = 1.0
    set_cost: float = 0.05
    exercise_cost: float = 0.01
    smoothness_cost: float = 0.01
    prefer_bonus: float = 0.006
    history_bonus: float = 0.003
    avoid_penalty: float = 0.5
    objective: str = "routine"
    require_exercises: tuple[str, ...] = ()
    # routine objective (docs/program.md, "The routine objective"): costs per selected exercise
    new_exercise_cost: float = 3.0
    stale_exercise_cost: float = 1.0
    rare_lift_cost: float = 0.02  # a recent lift done in fewer sessions than the lifter's most-done one, at most
    nonstandard_cost: float = 1.0
    isolation_cost: float = 0.1
    off_routine_day_cost: float = 0.5
    staple_miss_penalty: float = 20.0
    target_tolerance: float = 0.0  # routine default 2: a free band of this width around each target
    recent_weeks: int = 12
    staples: int = 5
    # keys the file or dict set explicitly (routine defaults fill the others from the history)
    given: frozenset[str] = field(default=frozenset(), compare=False)
    # the lifter's own weekly sets per muscle (routine defaults, where the targets are theirs):
    # sets short of a target down to these cost growth_penalty each, below them under_penalty
    target_floors: dict[str, float] = field(default_factory=dict, compare=False)

    def effective_targets(self) -> dict[str, float]:
        """Soft weekly targets after injuries (excluded muscles) and the deload factor."""
        factor = self.deload_factor if self.deload else 1.0
        return {
            m: round(v * factor, 4)
            for m, v in self.targets.items()
            if m not in self.exclude_muscles and v > 0
        }

    def growth_room(self) -> dict[str, float]:
        """Per targeted muscle, the sets between the lifter's own volume and the lower edge of
        the target's free band (`target_floors`): short of the target by at most this, a week
        pays `growth_penalty` a set, not `under_penalty` (the deload factor scales both ends)."""
        factor = self.deload_factor if self.deload else 1.0
        edge = self.target_tolerance / 2
        targets = self.effective_targets()
        return {m: round(targets[m] - edge - floor * factor, 4) for m, floor in self.target_floors.items()
                if m in targets and targets[m] - edge - floor * factor > 1e-9}

    def effective_hard_targets(self) -> dict[str, float]:
        """Hard weekly minimums after the deload factor (excluded muscles keep theirs: a
        conflict between an injury and a hard target is reported, not hidden)."""
        factor = self.deload_factor if self.deload else 1.0
        return {m: round(v * factor, 4) for m, v in self.hard_targets.items() if v > 0}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples as lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("given", "target_floors") or (f.name == "split" and self.objective != "seed"):
                continue  # the split is the seed objective's alone (`_split`)
            value = getattr(self, f.name)
            out[f.name] = sorted(value) if isinstance(value, frozenset) else list(value) if isinstance(value, tuple) else value
        return out


_FIELD_NAMES = {f.name for f in fields(ProgramConstraints)} - {"given", "target_floors"}


def load_constraints(path_or_dict: "str | Path | dict[str, Any] | None" = None) -> ProgramConstraints:
    """Read and validate a constraints file or dict.

    Args:
        path_or_dict: a JSON/YAML file path, an already-parsed dict, or None for the defaults.

    Returns:
        The validated `ProgramConstraints`.

    Raises:
        InputError: unreadable file, unknown key or bad value (one-line message).
    """
    if path_or_dict is None:
        raw: dict[str, Any] = {}
    elif isinstance(path_or_dict, dict):
        raw = dict(path_or_dict)
    else:
        raw = _read_file(Path(path_or_dict))
    return _validate(raw)


def _read_file(path: Path) -> dict[str, Any]:
    # A regular file of at most 1 MiB; YAML without duplicate keys or alias bombs (`userfiles`).
    text = read_settings_text(path, "constraints file")
    is_json = path.suffix.lower() == ".json"
    try:
        data = load_json(text) if is_json else load_yaml(text)
    except ValueError as exc:
        raise InputError(f"constraints file {path} is not valid {'JSON' if is_json else 'YAML'}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"constraints file {path} must hold a mapping of keys, got {type(data).__name__}")
    return data


def _listed(names: list[str], most: int = 8) -> str:
    """Names for an error line: at most `most` of them, each kept short."""
    shown = ", ".join(name if len(name) <= 40 else f"{name[:37]}..." for name in map(str, names[:most]))
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


def _validate(raw: dict[str, Any]) -> ProgramConstraints:
    unknown = sorted(set(map(str, raw)) - _FIELD_NAMES)
    if unknown:
        raise InputError(f"unknown constraints key(s): {_listed(unknown)} (see docs/program.md)")
    v: dict[str, Any] = {}
    # training_days defaults to the number of weekdays named, else six (push/pull/legs twice)
    days_default = len(raw["weekdays"]) if isinstance(raw.get("weekdays"), list) and raw["weekdays"] else 6
    v["training_days"] = _int(raw, "training_days", 1, 7, min(max(days_default, 1), 7))
    v["min_sets"] = _int(raw, "min_sets", 1, 20, 3)
    v["max_sets"] = _int(raw, "max_sets", 1, 20, 5)
    if v["max_sets"] < v["min_sets"]:
        raise InputError(f"max_sets ({v['max_sets']}) is below min_sets ({v['min_sets']})")
    v["min_exercises_per_day"] = _int(raw, "min_exercises_per_day", 0, 30, 3)
    v["max_exercises_per_day"] = _int(raw, "max_exercises_per_day", 1, 30, 6)
    if v["max_exercises_per_day"] < v["min_exercises_per_day"]:
        raise InputError("max_exercises_per_day is below min_exercises_per_day")
    v["secondary_weight"] = _number(raw, "secondary_weight", 0.0, 1.0, 0.5)
    v["targets"] = _muscle_map(raw, "targets", DEFAULT_TARGETS)
    v["hard_targets"] = _muscle_map(raw, "hard_targets", {})
    v["weekdays"] = _weekdays(raw, v["training_days"])
    v["session_minutes"] = _optional_number(raw, "session_minutes", 5.0, 600.0, 90.0)
    if "equipment" in raw and raw["equipment"] is not None:
        equipment = sorted({s.lower().replace(" ", "_") for s in _str_list(raw, "equipment")})
        unknown_equipment = [e for e in equipment if e not in EQUIPMENT]
        if unknown_equipment:
            raise InputError(
                f"constraints key equipment: unknown equipment {_listed(unknown_equipment)} (known: {', '.join(EQUIPMENT)})"
            )
        v["equipment"] = tuple(equipment)
    v["exclude_muscles"] = tuple(_muscle_list(raw, "exclude_muscles"))
    objective = raw.get("objective") or "routine"
    if not isinstance(objective, str) or objective not in OBJECTIVES:
        raise InputError(f"constraints key objective must be one of {', '.join(OBJECTIVES)}, got {_shown(objective)}")
    v["objective"] = objective
    v["split"] = _split(raw, v["training_days"], objective)
    for key in ("exclude_exercises", "prefer_exercises", "avoid_exercises", "require_exercises"):
        v[key] = tuple(_str_list(raw, key))
    if _present(raw, "exercise_kinds"):
        v["exercise_kinds"] = tuple(sorted({k.lower().replace(" ", "_") for k in _str_list(raw, "exercise_kinds")}))
        if not v["exercise_kinds"]:
            raise InputError("constraints key exercise_kinds must name at least one kind (e.g. strength)")
        unknown_kinds = [k for k in v["exercise_kinds"] if k not in KINDS]
        if unknown_kinds:
            raise InputError(f"constraints key exercise_kinds: unknown kind(s) {_listed(unknown_kinds)} (known: {', '.join(KINDS)})")
    v["favour_history"] = _bool(raw, "favour_history", True)
    v["familiar_first"] = _bool(raw, "familiar_first", True)
    v["deload"] = _bool(raw, "deload", False)
    v["deload_factor"] = _number(raw, "deload_factor", 0.1, 1.0, 0.6)
    v["max_hard_sets_per_muscle_session"] = _optional_number(raw, "max_hard_sets_per_muscle_session", 1.0, 100.0, 8.0)
    # twice a week needs two days of every type: on by default only with 6 or 7 training days
    sessions_default = 2 if v["training_days"] >= 6 else None
    if "min_sessions_per_muscle" in raw or sessions_default is not None:
        v["min_sessions_per_muscle"] = _optional_int(raw, "min_sessions_per_muscle", 1, 7, 2)
    else:
        v["min_sessions_per_muscle"] = None
    v["rest_between_muscle_sessions_h"] = _optional_number(raw, "rest_between_muscle_sessions_h", 0.0, 168.0, DEFAULT_REST_H)
    v["default_reps_compound"] = _int(raw, "default_reps_compound", 1, 100, 8)
    v["default_reps_isolation"] = _int(raw, "default_reps_isolation", 1, 100, 12)
    v["default_rest_s_compound"] = _number(raw, "default_rest_s_compound", 0.0, 1800.0, 150.0)
    v["default_rest_s_isolation"] = _number(raw, "default_rest_s_isolation", 0.0, 1800.0, 90.0)
    for key, default in (
        ("under_penalty", 10.0),
        ("growth_penalty", 1.0),
        ("over_penalty", 1.0),
        ("set_cost", 0.05),
        ("exercise_cost", 0.01),
        ("smoothness_cost", 0.01),
        ("prefer_bonus", 0.006),
        ("history_bonus", 0.003),
        ("avoid_penalty", 0.5),
        ("new_exercise_cost", 3.0),
        ("stale_exercise_cost", 1.0),
        ("rare_lift_cost", 0.02),
        ("nonstandard_cost", 1.0),
        ("isolation_cost", 0.1),
        ("off_routine_day_cost", 0.5),
        ("staple_miss_penalty", 20.0),
    ):
        v[key] = _number(raw, key, 0.0, 1000.0, default)
    if v["prefer_bonus"] + v["history_bonus"] > v["exercise_cost"] + 1e-12:
        # a negative cost per selected exercise would reward padding days with exercises
        raise InputError("prefer_bonus + history_bonus must not exceed exercise_cost")
    v["target_tolerance"] = _number(raw, "target_tolerance", 0.0, 20.0, 0.0)
    v["recent_weeks"] = _int(raw, "recent_weeks", 1, 104, 12)
    v["staples"] = _int(raw, "staples", 0, 20, 5)
    v["given"] = frozenset(str(k) for k, value in raw.items() if value is not None)
    return ProgramConstraints(**v)


def _present(raw: dict[str, Any], key: str) -> bool:
    return key in raw and raw[key] is not None


def _int(raw: dict[str, Any], key: str, lo: int, hi: int, default: int) -> int:
    if not _present(raw, key):
        return default
    value = raw[key]
    # Finite first: int(inf) overflows and int(nan) fails without naming the key.
    if not _finite(value) or value != int(value):
        raise InputError(f"constraints key {key} must be a finite integer, got {_shown(value)}")
    if not lo <= value <= hi:
        raise InputError(f"constraints key {key} must be between {lo} and {hi}, got {_shown(value)}")
    return int(value)


def _finite(value: Any) -> bool:
    """A real number (not a bool) that is neither infinite nor NaN; huge integers count
    (``math.isfinite`` cannot take them: they overflow a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _shown(value: Any) -> str:
    """A value for an error line, kept short (a 400-digit integer is a valid JSON number) and
    cheap: never a full repr, which for nested shared lists (YAML aliases) runs to gigabytes."""
    return short_repr(value)


def _optional_int(raw: dict[str, Any], key: str, lo: int, hi: int, default: int) -> int | None:
    if key in raw and raw[key] in (None, False):
        return None
    return _int(raw, key, lo, hi, default)


def _number(raw: dict[str, Any], key: str, lo: float, hi: float, default: float) -> float:
    if not _present(raw, key):
        return default
    value = raw[key]
    if not _finite(value):
        raise InputError(f"constraints key {key} must be a finite number, got {_shown(value)}")
    if not lo <= value <= hi:
        raise InputError(f"constraints key {key} must be between {lo:g} and {hi:g}, got {_shown(value)}")
    return float(value)


def _optional_number(raw: dict[str, Any], key: str, lo: float, hi: float, default: float) -> float | None:
    if key in raw and raw[key] in (None, False):
        return None
    return _number(raw, key, lo, hi, default)


def _bool(raw: dict[str, Any], key: str, default: bool) -> bool:
    if not _present(raw, key):
        return default
    if not isinstance(raw[key], bool):
        raise InputError(f"constraints key {key} must be true or false, got {_shown(raw[key])}")
    return raw[key]


def _str_list(raw: dict[str, Any], key: str) -> list[str]:
    if not _present(raw, key):
        return []
    value = raw[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise InputError(f"constraints key {key} must be a list of non-empty strings")
    return [s.strip() for s in value]


def _check_muscle(key: str, muscle: Any) -> str:
    if muscle not in MUSCLES:
        raise InputError(f"constraints key {key}: unknown muscle {_shown(muscle)} (known: {', '.join(MUSCLES)})")
    return muscle


def _muscle_list(raw: dict[str, Any], key: str) -> list[str]:
    return [_check_muscle(key, m) for m in _str_list(raw, key)]


def _muscle_map(raw: dict[str, Any], key: str, default: dict[str, float]) -> dict[str, float]:
    if not _present(raw, key):
        return dict(default)
    value = raw[key]
    if not isinstance(value, dict):
        raise InputError(f"constraints key {key} must map muscle -> weekly effective sets")
    out: dict[str, float] = {}
    for muscle, sets in value.items():
        _check_muscle(key, muscle)
        if not _finite(sets) or not 0 <= sets <= 100:
            raise InputError(f"constraints key {key}.{muscle} must be a number of sets between 0 and 100, got {_shown(sets)}")
        out[muscle] = float(sets)
    return out


def _split(raw: dict[str, Any], training_days: int, objective: str) -> dict[str, int]:
    base = min(2, training_days // 3)
    default = {t: base for t in DAY_TYPES}
    if not _present(raw, "split"):
        return default
    value = raw["split"]
    if not isinstance(value, dict):
        raise InputError("constraints key split must map push/pull/legs -> minimum days")
    bad = sorted(set(map(str, value)) - set(DAY_TYPES))
    if bad:
        raise InputError(f"constraints key split: unknown day type(s) {_listed(bad)} (use push, pull, legs)")
    split = {t: _int(value, t, 0, 7, 0) for t in DAY_TYPES}
    if objective != "seed" and split != default:
        # The routine objective lays out the days of the lifter's routine (or a coach's usual
        # split) and never reads this key: a split it would drop silently is an error.
        raise InputError("constraints key split applies to objective: seed; the routine objective takes its days "
                         "from your routine (remove split, or set objective: seed)")
    return split


def _weekdays(raw: dict[str, Any], training_days: int) -> tuple[str, ...]:
    if not _present(raw, "weekdays"):
        return DEFAULT_WEEKDAYS[training_days]
    names = _str_list(raw, "weekdays")
    canonical = []
    for name in names:
        # Mon, monday, Tues, THURS: the start (3 letters or more) of a weekday's name, any case
        folded = name.casefold()
        match = [w for w, full in zip(WEEKDAYS, _WEEKDAY_NAMES) if len(folded) >= 3 and full.startswith(folded)]
        if not match:
            raise InputError(f"constraints key weekdays: unknown weekday {_shown(name)} (use Mon..Sun or Monday..Sunday)")
        canonical.append(match[0])
    if len(set(canonical)) != len(canonical):
        raise InputError("constraints key weekdays lists a weekday twice")
    if len(canonical) != training_days:
        raise InputError(f"constraints key weekdays names {len(canonical)} days but training_days is {training_days}")
    return tuple(sorted(canonical, key=WEEKDAYS.index))


def constraints_with_options(path: "str | Path | None", days: int | None = None, exclude=(), require=(),
                             deload: bool = False) -> ProgramConstraints:
    """The constraints file with the command-line options on top (`--days`, `--exclude`,
    `--require`, `--deload`): options add to the file's lists and override its numbers."""
    raw = _read_file(Path(path)) if path is not None else {}
    if days is not None:
        raw["training_days"] = days
        raw.pop("weekdays", None)
        raw.pop("split", None)
    for key, extra in (("exclude_exercises", exclude), ("require_exercises", require)):
        if extra:
            raw[key] = _str_list(raw, key) + list(extra)
    if deload:
        raw["deload"] = True
    return _validate(raw)
