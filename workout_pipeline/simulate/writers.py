# Over 400 lines: one writer per app export format (seven), written from the same format facts, kept side by side.
"""Writers for the app export formats, from a canonical set table.

These are independent of the ingestion readers (written from the same format facts), so a
round trip through both catches mistakes on either side. Every writer takes the canonical set
table (`schema.CANONICAL_COLUMNS`) plus, optionally, a session table (`session_id`,
`workout_name`, `duration_s`, `workout_notes`, as `SimulatedLog.sessions`) and exercise notes
(`session_id`, `exercise_raw`, `note`); without them workouts are named "Workout" and durations are
estimated from the sets (20 s + 4 s per rep + the logged rest, or 90 s).

Set order in the file is the frame's row order within each session (the order the sets were
logged); sessions are written oldest first except for Hevy (newest first, as Hevy exports).
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from workout_pipeline.atomic import atomic_path
from workout_pipeline.schema import CANONICAL_COLUMNS, to_canonical
from workout_pipeline.simulate.lifts import KG_PER_LB, category_for

STRONG_CLASSIC_HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE"
)
STRONG_SEMICOLON_HEADER = (
    "Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;"
    "Notes;Workout Notes"
)
STRONG_V6_COLUMNS = (
    "Workout #", "Date", "Workout Name", "Duration (sec)", "Exercise Name", "Set Order", "Weight (kg)", "Reps",
    "RPE", "Distance (meters)", "Seconds", "Notes", "Workout Notes",
)
HEVY_COLUMNS = (
    "title", "start_time", "end_time", "description", "exercise_title", "superset_id", "exercise_notes",
    "set_index", "set_type", "weight_kg", "reps", "distance_km", "duration_seconds", "rpe",
)
FITNOTES_COLUMNS = ("Date", "Exercise", "Category", "Weight (kgs)", "Reps", "Distance", "Distance Unit", "Time", "Comment")
FITBOD_COLUMNS = ("Date", "Exercise", "Sets", "Reps", "Weight", "isWarmup", "Note")

_CHUNK_ROWS = 100_000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STRONG_SET_MARK = {"warmup": "W", "failure": "F", "drop": "D"}
_HEVY_SET_TYPE = {"normal": "normal", "warmup": "warmup", "failure": "failure", "drop": "dropset"}


def export_header(fmt: str, unit: str = "kg") -> str:
    """The exact header line a format's file starts with (for tests and readers)."""
    _check_unit(unit)
    if fmt == "strong_classic":
        return STRONG_CLASSIC_HEADER
    if fmt == "strong_semicolon":
        return STRONG_SEMICOLON_HEADER
    if fmt == "strong_v6":
        cols = [c.replace("Weight (kg)", "Weight (lbs)") if unit == "lb" else c for c in STRONG_V6_COLUMNS]
        cols = [c.replace("Distance (meters)", "Distance (miles)") if unit == "lb" else c for c in cols]
        return ";".join(f'"{c}"' for c in cols)
    if fmt == "hevy":
        cols = [{"weight_kg": "weight_lbs", "distance_km": "distance_miles"}.get(c, c) if unit == "lb" else c for c in HEVY_COLUMNS]
        return ",".join(f'"{c}"' for c in cols)
    if fmt == "fitnotes":
        cols = [c.replace("(kgs)", "(lbs)") if unit == "lb" else c for c in FITNOTES_COLUMNS]
        return ",".join(cols)
    if fmt == "fitbod":
        return ",".join(FITBOD_COLUMNS)
    if fmt == "canonical":
        return ",".join(CANONICAL_COLUMNS)
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")


def write_export(
    frame: pd.DataFrame,
    path: str | Path,
    fmt: str,
    unit: str = "kg",
    sessions: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
) -> Path:
    """Write a canonical set table as one app's export file (atomically).

    Args:
        frame: Canonical set table (one athlete per file is what apps export; several athletes
            are written one after another).
        path: Target file.
        fmt: One of `EXPORT_FORMATS`.
        unit: `kg` or `lb`: the unit weights (and distances: km or miles) are written in.
            Fitbod and the canonical CSV are always kg / metres.
        sessions: Optional session table (`session_id`, `workout_name`, `duration_s`,
            `workout_notes`).
        notes: Optional exercise notes (`session_id`, `exercise_raw`, `note`).

    Returns:
        The path written.

    Raises:
        ValueError: Unknown format or unit.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
    _check_unit(unit)
    table = _prepare(frame, sessions, notes)
    if fmt == "hevy":
        table = _newest_first(table)
    path = Path(path)
    with atomic_path(path) as tmp:
        # newline="" keeps the "\n" line ends exactly (byte-identical files on every platform).
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(export_header(fmt, unit) + "\n")
            # Formatting in slices keeps memory flat for million-set files; everything that
            # looks across rows (set numbering, blocks, workout numbers) is done in _prepare.
            for start in range(0, len(table), _CHUNK_ROWS):
                handle.write(EXPORT_FORMATS[fmt](table.iloc[start: start + _CHUNK_ROWS], unit))
    return path


def _check_unit(unit: str) -> None:
    if unit not in ("kg", "lb"):
        raise ValueError(f"unit must be 'kg' or 'lb', not {unit!r}")


# --------------------------------------------------------------------------------------------
# shared preparation and formatting


def _prepare(frame: pd.DataFrame, sessions: pd.DataFrame | None, notes: pd.DataFrame | None) -> pd.DataFrame:
    """Canonical rows in file order with session name, duration, notes and helper columns."""
    table = to_canonical(frame)
    table["_row"] = np.arange(len(table))
    # Sessions oldest first; sets keep their logged order inside a session.
    table = table.sort_values(["athlete_id", "performed_at", "session_id", "_row"], kind="stable").reset_index(drop=True)
    if sessions is not None and len(sessions):
        meta = sessions.drop_duplicates("session_id").set_index("session_id")
        sid = table["session_id"]
        table["workout_name"] = sid.map(meta["workout_name"]) if "workout_name" in meta else pd.NA
        table["_session_s"] = sid.map(meta["duration_s"]) if "duration_s" in meta else np.nan
        table["workout_notes"] = sid.map(meta["workout_notes"]) if "workout_notes" in meta else pd.NA
    else:
        table["workout_name"] = pd.NA
        table["_session_s"] = np.nan
        table["workout_notes"] = pd.NA
    table["workout_name"] = table["workout_name"].astype("string").fillna("Workout")
    table["workout_notes"] = table["workout_notes"].astype("string").fillna("")
    estimated = (
        (20 + 4 * table["reps"].fillna(0).astype(float) + table["rest_s"].fillna(90.0)).groupby(table["session_id"]).transform("sum")
        + 300
    )
    table["_session_s"] = pd.to_numeric(table["_session_s"], errors="coerce").fillna(estimated)
    table["ended_at"] = table["performed_at"] + pd.to_timedelta(table["_session_s"].round(), unit="s")
    # Exercise block boundaries (an exercise's sets in one session).
    table["_first_of_session"] = _changes(table["session_id"])
    table["_first_of_block"] = table["_first_of_session"] | _changes(table["exercise_raw"])
    table["exercise_note"] = ""
    if notes is not None and len(notes):
        key = notes.drop_duplicates(["session_id", "exercise_raw"]).set_index(["session_id", "exercise_raw"])["note"]
        idx = pd.MultiIndex.from_arrays([table["session_id"].astype(object), table["exercise_raw"].astype(object)])
        table["exercise_note"] = pd.Series(key.reindex(idx).to_numpy(), index=table.index).fillna("").astype(str)
    table["_set_order"] = _strong_set_order(table)
    table["_workout_no"] = np.cumsum(_changes(table["session_id"]))
    return table


def _newest_first(table: pd.DataFrame) -> pd.DataFrame:
    """Sessions newest first (as Hevy exports), sets inside a session in logged order."""
    start = table["performed_at"].astype("int64").to_numpy()
    order = np.lexsort((np.arange(len(table)), -start))
    return table.iloc[order].reset_index(drop=True)


def _changes(values: pd.Series) -> np.ndarray:
    """True where a value differs from the one before (and on the first row)."""
    arr = values.astype(object).to_numpy()
    out = np.ones(arr.size, dtype=bool)
    out[1:] = arr[1:] != arr[:-1]
    return out


def _per_distinct(values: pd.Series, format_unique) -> pd.Series:
    """Apply `format_unique` (array of distinct values -> array of text) once per distinct value.

    Logs repeat the same names, loads and rep counts on thousands of rows, so formatting the
    distinct values and gathering is far cheaper than formatting every cell.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    formatted = np.asarray(format_unique(np.asarray(uniques, dtype=object)), dtype=object)
    out = np.append(formatted, "")[codes]  # code -1 (missing) -> ""
    return pd.Series(out, index=values.index, dtype=object)


def _quote(values: pd.Series) -> pd.Series:
    """Always-quoted CSV fields ("" inside doubled); missing -> ``""``."""
    quoted = _per_distinct(values, lambda u: ['"' + str(v).replace('"', '""') + '"' for v in u])
    return quoted.where(quoted != "", '""')


def _minimal(values: pd.Series, sep: str = ",") -> pd.Series:
    """CSV fields quoted only when they need it (separator, quote or line break inside)."""
    specials = (sep, '"', "\r", "\n")

    def render(unique):
        out = []
        for value in unique:
            text = str(value)
            needs = any(ch in text for ch in specials)
            out.append('"' + text.replace('"', '""') + '"' if needs else text)
        return out

    return _per_distinct(values, render)


def _number(values: pd.Series, decimals: int | None, style: str) -> pd.Series:
    """Format numbers; NaN -> "".

    style: `point` always shows a decimal point (`75.0`, Strong), `compact` drops a zero
    fraction (`90`, `86.25`, Hevy), `int` writes integers.
    """
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if style == "int":
        arr = np.round(arr)
    elif decimals is not None:  # None: full precision
        arr = np.round(arr, decimals)
    rounded = pd.Series(arr, index=values.index)

    def render(unique):
        unique = unique.astype(float)
        as_int = [str(int(v)) for v in unique]
        if style == "int":
            return as_int
        # repr is the shortest text that reads back exactly ('75.0', '61.23').
        text = [repr(float(v)) for v in unique]
        if style == "compact":
            text = [i if float(v).is_integer() else t for v, i, t in zip(unique, as_int, text)]
        return text

    return _per_distinct(rounded, render)


def _strftime(stamps: pd.Series, fmt: str) -> pd.Series:
    """`strftime` done once per distinct timestamp (sessions repeat on every set row)."""
    codes, uniques = pd.factorize(stamps)
    formatted = pd.Series(uniques).dt.strftime(fmt).to_numpy(dtype=object)
    out = np.where(codes >= 0, formatted[np.maximum(codes, 0)] if len(formatted) else "", "")
    return pd.Series(out, index=stamps.index, dtype=object)


def _weights(table: pd.DataFrame, unit: str) -> pd.Series:
    weight = table["weight_kg"].astype(float)
    return weight / KG_PER_LB if unit == "lb" else weight


def _distance(table: pd.DataFrame, unit: str) -> pd.Series:
    """Distance in km (kg users) or miles (lb users)."""
    metres = table["distance_m"].astype(float)
    return metres / 1609.344 if unit == "lb" else metres / 1000.0


def _strong_duration(seconds: pd.Series) -> pd.Series:
    """Strong's `1h 5m` / `51m` / `2h` duration text."""
    minutes = np.round(seconds.to_numpy(dtype=float) / 60).astype(np.int64)
    hours, mins = np.divmod(minutes, 60)
    out = [f"{h}h {m}m" if h and m else (f"{h}h" if h else f"{m}m") for h, m in zip(hours, mins)]
    return pd.Series(out, index=seconds.index, dtype=object)


def _strong_set_order(table: pd.DataFrame) -> pd.Series:
    """1..n for normal sets of an exercise block; W / F / D for warm-up, failure, drop sets."""
    set_type = table["set_type"].astype(object).fillna("normal").to_numpy()  # untyped sets count as normal
    marks = np.array([_STRONG_SET_MARK.get(t, "") for t in set_type], dtype=object)
    normal = (marks == "").astype(np.int64)
    counter = pd.Series(normal).groupby(np.cumsum(table["_first_of_block"].to_numpy())).cumsum().to_numpy()
    return pd.Series(np.where(normal == 1, counter.astype(str), marks), index=table.index, dtype=object)


def _clock(seconds: pd.Series) -> pd.Series:
    """`H:MM:SS` for a timed set (FitNotes `Time`); "" when not timed."""
    arr = pd.to_numeric(seconds, errors="coerce").to_numpy(dtype=float)
    out = [
        "" if np.isnan(v) else f"{int(v) // 3600}:{int(v) // 60 % 60:02d}:{int(v) % 60:02d}" for v in np.round(arr)
    ]
    return pd.Series(out, index=seconds.index, dtype=object)


def _join(columns: list[pd.Series], sep: str) -> pd.Series:
    """Join pre-formatted fields into lines (index of the first column kept)."""
    as_lists = [c.to_numpy(dtype=object).tolist() if c.dtype == object else c.astype(str).tolist() for c in columns]
    return pd.Series([sep.join(fields) for fields in zip(*as_lists)], index=columns[0].index, dtype=object)





def _lines(lines: pd.Series) -> str:
    """Lines joined into the text of one chunk (each line ends with a newline)."""
    return "".join(line + "\n" for line in lines.tolist())


def _interleave(set_lines: pd.Series, extra: list[tuple[pd.Series, int]]) -> pd.Series:
    """Merge extra rows (e.g. Strong Note / Rest Timer rows) into the set rows.

    Each extra series is indexed by the set row it belongs to; offset -1 puts it before that set,
    +1 after it.
    """
    keys = [pd.Series(set_lines.index.to_numpy() * 3, dtype=np.int64)]
    parts = [pd.Series(set_lines.to_numpy(), dtype=object)]
    for lines, offset in extra:
        keys.append(pd.Series(lines.index.to_numpy() * 3 + offset, dtype=np.int64))
        parts.append(pd.Series(lines.to_numpy(), dtype=object))
    key = pd.concat(keys, ignore_index=True)
    text = pd.concat(parts, ignore_index=True)
    return text.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# formats


def _write_strong_classic(table: pd.DataFrame, unit: str) -> str:
    """Strong's comma export (the one Strong writes today).

    Quirks: `Date` is the session start (`YYYY-MM-DD HH:MM:SS`, local time, no zone); `Duration`
    is text (`1h 5m`, `51m`, `2h`); `Set Order` counts normal sets 1..n and marks warm-up /
    failure / drop sets `W` / `F` / `D`; weights carry no unit (the user's unit: kg, or lb for
    `unit="lb"`); `Distance` in km or miles; text fields are double-quoted. Two kinds of non-set
    rows: a `Rest Timer` row after a set whose rest was timed (`Seconds` = rest, other numbers
    0) and a `Note` row before an exercise's first set (`Notes` = the note, numbers 0). As in
    real exports, `Notes` is `""` on an exercise's first row and `Workout Notes` is filled on the
    workout's first row only (other cells empty).
    """
    date = _strftime(table["performed_at"], "%Y-%m-%d %H:%M:%S")
    name = _quote(table["workout_name"])
    duration = _strong_duration(table["_session_s"])
    exercise = _quote(table["exercise_raw"])
    set_lines = _join(
        [
            date, name, duration, exercise, table["_set_order"],
            _number(_weights(table, unit), 2, "point"), _number(table["reps"], 0, "int"),
            _number(_distance(table, unit).fillna(0), 3, "compact"),
            _number(table["duration_s"].fillna(0), 0, "int"),
            pd.Series(np.where(table["_first_of_block"], '""', ""), index=table.index),
            pd.Series(np.where(table["_first_of_session"], _quote(table["workout_notes"]), ""), index=table.index),
            _number(table["rpe"], 1, "compact"),
        ],
        ",",
    )
    rest = table["rest_s"].notna()
    rest_lines = _join(
        [date[rest], name[rest], duration[rest], exercise[rest], pd.Series("Rest Timer", index=table.index[rest]),
         pd.Series("0", index=table.index[rest]), pd.Series("0", index=table.index[rest]),
         pd.Series("0", index=table.index[rest]), _number(table["rest_s"][rest], 0, "int"),
         pd.Series('""', index=table.index[rest]), pd.Series("", index=table.index[rest]),
         pd.Series("", index=table.index[rest])],
        ",",
    )
    noted = table["_first_of_block"] & (table["exercise_note"] != "")
    note_lines = _join(
        [date[noted], name[noted], duration[noted], exercise[noted], pd.Series("Note", index=table.index[noted]),
         pd.Series("0", index=table.index[noted]), pd.Series("0", index=table.index[noted]),
         pd.Series("0", index=table.index[noted]), pd.Series("0", index=table.index[noted]),
         _quote(table["exercise_note"][noted]), pd.Series("", index=table.index[noted]),
         pd.Series("", index=table.index[noted])],
        ",",
    )
    return _lines(_interleave(set_lines, [(note_lines, -1), (rest_lines, 1)]))


def _write_strong_semicolon(table: pd.DataFrame, unit: str) -> str:
    """Strong's older semicolon export (about 2018-2020).

    Quirks: semicolon-separated; a `Weight Unit` (`kg` / `lbs`) and `Distance Unit` (`km` /
    `mi`) column beside the numbers; text fields quoted; empty RPE and distance cells when
    not logged; `Set Order` 1..n for normal sets, W / F / D otherwise. No duration column.
    """
    weight_unit = "kg" if unit == "kg" else "lbs"
    distance = _distance(table, unit)
    has_distance = distance.notna()
    lines = _join(
        [
            _strftime(table["performed_at"], "%Y-%m-%d %H:%M:%S"),
            _quote(table["workout_name"]), _quote(table["exercise_raw"]), table["_set_order"],
            _number(_weights(table, unit), 2, "compact"), pd.Series(weight_unit, index=table.index),
            _number(table["reps"], 0, "int"), _number(table["rpe"], 1, "compact"),
            _number(distance, 3, "compact"),
            pd.Series(np.where(has_distance, "km" if unit == "kg" else "mi", ""), index=table.index),
            _number(table["duration_s"].fillna(0), 0, "int"),
            pd.Series(np.where(table["_first_of_block"], _quote(table["exercise_note"]), ""), index=table.index),
            pd.Series(np.where(table["_first_of_session"], _quote(table["workout_notes"]), ""), index=table.index),
        ],
        ";",
    )
    return _lines(lines)


def _write_strong_v6(table: pd.DataFrame, unit: str) -> str:
    """Strong 6.x semicolon export.

    Quirks: every field double-quoted, semicolons; `Workout #` numbers sessions 1..n oldest
    first; `Duration (sec)` integer seconds; weights in `Weight (kg)` or `Weight (lbs)` with full
    precision; `Distance (meters)` (or miles for lb); empty cells for unlogged RPE/distance;
    `Set Order` 1..n for normal sets, W / F / D otherwise.
    """
    distance = table["distance_m"].astype(float)
    if unit == "lb":
        distance = distance / 1609.344
    columns = [
        table["_workout_no"].astype(str), _strftime(table["performed_at"], "%Y-%m-%d %H:%M:%S"),
        table["workout_name"], _number(table["_session_s"], 0, "int"), table["exercise_raw"],
        table["_set_order"], _number(_weights(table, unit), 5, "compact"), _number(table["reps"], 0, "int"),
        _number(table["rpe"], 1, "compact"), _number(distance, 3, "compact"),
        _number(table["duration_s"], 0, "int"),
        pd.Series(np.where(table["_first_of_block"], table["exercise_note"], ""), index=table.index),
        pd.Series(np.where(table["_first_of_session"], table["workout_notes"], ""), index=table.index),
    ]
    lines = _join([_quote(pd.Series(c, index=table.index)) for c in columns], ";")
    return _lines(lines)


def _hevy_time(stamps: pd.Series) -> pd.Series:
    """Hevy's English date: `13 Jan 2026, 18:43` (no zero padding of the day)."""
    codes, uniques = pd.factorize(stamps)
    unique = pd.Series(uniques)
    text = [f"{t.day} {_MONTHS[t.month - 1]} {t.year}, {t:%H:%M}" for t in unique]
    return pd.Series(np.array(text, dtype=object)[codes] if len(text) else [], index=stamps.index, dtype=object)


def _write_hevy(table: pd.DataFrame, unit: str) -> str:
    """Hevy's workout export.

    Quirks: newest workout first (sets inside a workout in logged order); times to the minute
    as `13 Jan 2026, 18:43`; `set_index` 0-based over all sets of the exercise; `set_type`
    normal / warmup / failure / dropset; `weight_kg` (or `weight_lbs`) without a trailing `.0`;
    text quoted, empty numbers bare; `description` is the workout note, `exercise_notes` repeats
    the exercise note on each of its sets. No rest times.
    """
    t = table
    weight = _weights(t, unit)
    distance = _distance(t, unit)
    lines = _join(
        [
            _quote(t["workout_name"]), _quote(_hevy_time(t["performed_at"])), _quote(_hevy_time(t["ended_at"])),
            _quote(t["workout_notes"]), _quote(t["exercise_raw"]), pd.Series("", index=t.index), _quote(t["exercise_note"]),
            _number(t["set_index"], 0, "int"), _quote(t["set_type"].astype(object).map(_HEVY_SET_TYPE).fillna("normal")),
            _number(weight, 2, "compact"), _number(t["reps"], 0, "int"), _number(distance, 3, "compact"),
            _number(t["duration_s"], 0, "int"),
            _number(t["rpe"], 1, "compact"),
        ],
        ",",
    )
    return _lines(lines)


def _write_fitnotes(table: pd.DataFrame, unit: str) -> str:
    """FitNotes (Android) CSV export.

    Quirks: the date only (`YYYY-MM-DD`, no time: two sessions on one day merge); a FitNotes
    `Category` per exercise; `Weight (kgs)` or `Weight (lbs)`; no set types (warm-up, failure and
    drop sets are plain rows) and no RPE or rest; sets in logged order within a date; the
    exercise note goes into the first set's `Comment`; fields quoted only when needed.
    """
    weight_col = _number(_weights(table, unit), 2, "point")
    distance = _distance(table, unit)
    category = table["exercise_raw"].astype(object).map(lambda n: category_for(str(n)))
    lines = _join(
        [
            _strftime(table["performed_at"], "%Y-%m-%d"), _minimal(table["exercise_raw"]),
            category, weight_col, _number(table["reps"], 0, "int"), _number(distance, 3, "compact"),
            pd.Series(np.where(distance.notna(), "km" if unit == "kg" else "mi", ""), index=table.index),
            _clock(table["duration_s"]),
            _minimal(pd.Series(np.where(table["_first_of_block"], table["exercise_note"], ""), index=table.index)),
        ],
        ",",
    )
    return _lines(lines)


def _write_fitbod(table: pd.DataFrame, unit: str) -> str:
    """Fitbod CSV export.

    Quirks: always kg (the `unit` argument is ignored); `Date` with a UTC offset
    (`2025-01-06 18:35:48 +0000`); one row per set with `Sets` = 1; `isWarmup` true/false (failure
    and drop sets become plain sets); the note on the first set of an exercise.
    """
    del unit
    lines = _join(
        [
            _strftime(table["performed_at"], "%Y-%m-%d %H:%M:%S +0000"), _minimal(table["exercise_raw"]),
            pd.Series("1", index=table.index), _number(table["reps"], 0, "int"),
            _number(table["weight_kg"], 2, "point"),
            pd.Series(np.where(table["set_type"].astype(object) == "warmup", "true", "false"), index=table.index),
            _minimal(pd.Series(np.where(table["_first_of_block"], table["exercise_note"], ""), index=table.index)),
        ],
        ",",
    )
    return _lines(lines)


def _write_canonical(table: pd.DataFrame, unit: str) -> str:
    """The project's canonical columns as CSV (kg, seconds, metres; ISO timestamps; floats at
    full precision; text quoted only when needed)."""
    del unit
    text_columns = ("athlete_id", "session_id", "exercise_raw", "exercise_id", "set_type", "source_file", "source_format")
    int_columns = ("set_index", "reps", "source_row")
    fields = []
    for column in CANONICAL_COLUMNS:
        if column == "performed_at":
            fields.append(_strftime(table[column], "%Y-%m-%dT%H:%M:%S"))
        elif column in text_columns:
            fields.append(_minimal(table[column]))
        elif column in int_columns:
            fields.append(_number(table[column], 0, "int"))
        else:
            fields.append(_number(table[column], None, "point"))
    return _lines(_join(fields, ","))


EXPORT_FORMATS: dict[str, Callable[[pd.DataFrame, str], str]] = {
    "strong_classic": _write_strong_classic,
    "strong_semicolon": _write_strong_semicolon,
    "strong_v6": _write_strong_v6,
    "hevy": _write_hevy,
    "fitnotes": _write_fitnotes,
    "fitbod": _write_fitbod,
    "canonical": _write_canonical,
}
