# Over 400 lines: one reader per app format (Strong, Hevy, FitNotes, Fitbod, canonical) over the shared value rules, so the formats stay alike.
"""Parsing one app export into canonical set rows (plus the rows it could not read, with reasons).

Over 400 lines on purpose: one builder per app format around shared row-flagging helpers.
"""

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from workout_pipeline.errors import InputError
from workout_pipeline.ingest.formats import FormatMatch, detect_format, read_uniform_table, records_to_frame, uniform_table_bytes
from workout_pipeline.ingest.identity import named_athlete_conflict
from workout_pipeline.ingest.text import iter_records, read_log_text, sniff_delimiter
from workout_pipeline.ingest.units import (conversion_evidence, infer_weight_unit, latest_typed_unit, recent_typed_unit,
                                           snap_converted_kg)
from workout_pipeline.ingest.values import (
    DISTANCE_TO_M,
    LB_TO_KG,
    blank_to_na,
    distance_factor,
    map_distinct,
    parse_clock_durations,
    parse_datetimes,
    parse_numbers,
    to_naive_utc,
)
from workout_pipeline.ingest.values import WEIGHT_UNIT_TO_KG, WEIGHT_UNIT_WORDS
from workout_pipeline.schema import (
    COMPACT_TEXT,
    canonical_dtypes,
    cast_column,
    constant_column,
    empty_canonical_frame,
    null_column,
    row_codes,
    to_canonical,
)

UNIT_CHOICES = ("auto", "kg", "lb")
# Required fields per format (roles for Strong, column names otherwise): without them no set can be read.
_REQUIRED = {
    "strong": ("date", "exercise", "set_order", "weight", "reps"),
    "hevy": ("start_time", "exercise_title", "reps"),
    "fitnotes": ("date", "exercise", "reps"),
    "fitbod": ("date", "exercise", "sets", "reps", "weight"),
    "canonical": ("performed_at", "exercise_raw", "reps", "weight_kg"),
}
_STRONG_SET_TYPES = {"w": "warmup", "f": "failure", "d": "drop"}
_STRONG_NON_SET_ROWS = ("rest timer", "note")
_HEVY_SET_TYPES = {"normal": "normal", "warmup": "warmup", "failure": "failure", "dropset": "drop", "drop": "drop"}
# A cell a spreadsheet would run as a formula (CSV injection), e.g. "=cmd|' /C calc'!A0" or
# "@SUM(1+1)*cmd|...": any "=" start, or +/-/@ followed by a pipe or a function call. Names such
# as "-Push Up (Knees)" (space before the parenthesis) stay names.
_FORMULA_LIKE = r"^=|^[+\-@].*(?:\||[A-Za-z]\()"
_MAX_FITBOD_SETS = 50
# Characters that would make a name render or compare differently from what it shows: C0/C1
# controls (NUL, newlines inside a quoted name) and the bidirectional overrides and isolates
# (U+202E "right-to-left override" turns `Squat` into what looks like another name).
_CONTROL_CHARS = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
# Strong numbers its sets 1, 2, 3 ...: anything else with digits (1.5, -1, 1e308) is not a set order.
_SET_NUMBER = r"^\d{1,4}$"
# What `_logged` calls the optional values it reads, in its warnings.
_LOGGED_NAMES = {"rpe": "RPE", "duration_s": "duration (Seconds/Time)", "distance_m": "distance"}
# Characters read to recognise the format (the header and the first records).
_HEAD_CHARS = 64 * 1024


@dataclass
class ParsedLog:
    """One export parsed into canonical rows.

    Attributes:
        path: The file.
        athlete_id: Whose log it is.
        athlete_named: The caller named the athlete (``parse_log_file``'s `athlete_named`).
        format: Recognised format (None when unreadable).
        unit: Unit the loads were written in (``kg``/``lb``; ``mixed`` when rows say so).
        unit_reason: Why that unit (header, override or the inference's evidence).
        unit_confidence: ``stated`` (the file says), ``override`` (``--unit``), ``confident``
            or ``ambiguous`` (inferred from strong or weak evidence).
        unit_evidence: Log-odds for lb of each inference evidence item (when inferred).
        lifter_unit: The unit the lifter typed loads in (``kg``/``lb``): the export's unit,
            unless its loads are conversions of round loads in the other unit.
        lifter_unit_source: ``export``, ``inferred`` or ``override``.
        rows_in: Data rows in the file (header and blank lines not counted).
        non_set_rows: Rows that are not sets (Strong ``Rest Timer`` / ``Note`` rows).
        sets: Canonical frame of the readable set rows.
        rejected: Canonical frame plus ``reason`` of the rows the parser could not read.
        error: Why the file as a whole could not be read, else None.
        expanded_sets: Extra sets created by rows standing for several sets (Fitbod ``Sets``),
            so ``rows_in + expanded_sets == len(sets) + len(rejected) + non_set_rows``.
        encoding: Detected text encoding.
        dropped_values: Rows per canonical column whose negative value was not stored (`_logged`).
        warnings: Lines for the summary's warnings (which rows lost which value, and why).
    """

    path: Path
    athlete_id: str
    format: str | None = None
    unit: str | None = None
    unit_reason: str | None = None
    rows_in: int = 0
    non_set_rows: int = 0
    sets: pd.DataFrame = field(default_factory=empty_canonical_frame)
    rejected: pd.DataFrame = field(default_factory=lambda: empty_canonical_frame(with_reason=True))
    error: str | None = None
    expanded_sets: int = 0
    encoding: str | None = None
    unit_confidence: str | None = None
    unit_evidence: dict[str, float] = field(default_factory=dict)
    lifter_unit: str | None = None
    lifter_unit_source: str | None = None
    athlete_named: bool = False
    dropped_values: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def parse_log_file(path: str | Path, athlete_id: str, unit: str = "auto", compact: bool | None = False,
                   athlete_named: bool = False) -> ParsedLog:
    """Parse one exported log into canonical set rows; never raises for bad content.

    Args:
        path: The export (Strong, Hevy, FitNotes, Fitbod or canonical CSV/Parquet).
        athlete_id: Whose log it is (one file is one athlete's log).
        unit: ``auto`` infers kg vs lb where the file does not say; ``kg`` / ``lb`` overrides.
        compact: Return ``sets`` with text columns as categoricals (``schema.TEXT_COLUMNS``)
            instead of the contract's string dtype; None: as parsed (categoricals for big
            exports, from ``_RELEASE_ROWS`` rows on, where they save memory; what
            ``ingest_paths`` asks for).
        athlete_named: `athlete_id` was named by the caller (``--athlete``), not derived from
            the file's name: a canonical table whose athlete_id column names another athlete is
            then an error (never stored under either id); otherwise the column's ids are kept.

    Returns:
        A ParsedLog; ``error`` is set (and the frames empty) when the file cannot be read.
    """
    path = Path(path)
    log = ParsedLog(path=path, athlete_id=athlete_id, athlete_named=athlete_named)
    if unit not in UNIT_CHOICES:
        log.error = f"unit must be one of {', '.join(UNIT_CHOICES)}, not {unit!r}"
        return log
    try:
        # Absurd numbers (1e308 kg, 20-digit loads) overflow on the way and are quarantined by
        # the range checks; numpy's overflow warnings would only print noise on stderr.
        with np.errstate(all="ignore"):
            _parse_into(log, unit)
    except InputError as exc:
        log.error = " ".join(str(exc).split())
    except Exception as exc:  # noqa: BLE001 - any content problem must become a one-line error
        log.error = f"{path.name}: could not be parsed ({type(exc).__name__})"  # no content echoed
    if log.error:
        log.sets, log.rejected = empty_canonical_frame(), empty_canonical_frame(with_reason=True)
        log.rows_in = log.non_set_rows = log.expanded_sets = 0
        log.dropped_values, log.warnings = {}, []
    if compact is not None:
        log.sets = to_canonical(log.sets, compact=compact)
    return log


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic


def _parse_into(log: ParsedLog, unit: str) -> None:
    """Read, recognise and normalise the file into `log` (raises InputError when unusable)."""
    if log.path.is_file() and _starts_with(log.path, b"PAR1"):
        draft = _canonical_parquet(log)
    else:
        draft = _text_draft(log, unit)  # the text and its raw columns are freed on return (memory)
    if draft is not None:
        _finish(log, draft)


def _text_draft(log: ParsedLog, unit: str) -> pd.DataFrame | None:
    """A text export's rows as a draft (None when it has no data rows)."""
    path = log.path
    text, log.encoding = read_log_text(path)
    delimiter = sniff_delimiter(text)
    # Recognise the format from the first records of a prefix (the last one may be cut).
    prefix = text[:_HEAD_CHARS]
    head = list(islice(iter_records(prefix, delimiter), 51))
    if len(prefix) < len(text) and len(head) > 1:
        head = head[:-1]
    match = detect_format(head)
    if match is None:
        # The file's content is never echoed (it may be anything, e.g. a followed link's target).
        fields = len(head[0]) if head else 0
        raise InputError(f"{path.name}: unknown format (a first line of {fields} field(s) that is no "
                         "Strong, Hevy, FitNotes, Fitbod or canonical header)")
    log.format = match.format
    family = "strong" if match.format.startswith("strong") else match.format
    missing = [name for name in _REQUIRED[family] if name not in match.columns]
    if family == "hevy" and not {"weight_kg", "weight_lbs"} & match.columns.keys():
        missing.append("weight_kg|weight_lbs")
    if missing:
        raise InputError(f"{path.name}: {match.format} export is missing required column(s): {', '.join(missing)}")
    width = len(head[0])
    del head, prefix
    data = uniform_table_bytes(text)
    if data is not None:
        del text  # the text or its bytes, never both, beside the table (memory)
    frame = None if data is None else read_uniform_table(data, delimiter, match.has_header, match.columns, width,
                                                          dictionary=len(data) >= _DICTIONARY_BYTES)
    if frame is None:
        text = text if data is None else data.decode("utf-8")
        data = None
        records = iter_records(text, delimiter)
        if match.has_header:
            next(records, None)
        frame = records_to_frame(records, match.columns, width)
        del records
    text = data = None
    log.rows_in = len(frame)
    if log.rows_in == 0:
        return None  # a header without rows: nothing to read, nothing lost
    frame["source_row"] = np.arange(1, len(frame) + 1)
    builder = {
        "strong": _strong,
        "hevy": _hevy,
        "fitnotes": _fitnotes,
        "fitbod": _fitbod,
        "canonical": _canonical_text,
    }[family]
    return builder(frame, match, log, unit, decimal_comma=delimiter == ";")


def _flag(draft: pd.DataFrame, mask: pd.Series, reason: str) -> None:
    """Give rows matching `mask` a parser reason unless they already have one (first reason wins)."""
    mask = mask.fillna(False).to_numpy(dtype=bool) & draft["reason"].isna().to_numpy()
    if mask.any():  # most checks flag nothing: skip the (costly) assignment
        draft.loc[mask, "reason"] = reason


def _weights_to_kg(values: pd.Series, row_units: pd.Series | None, header_unit: str | None, log: ParsedLog,
                   unit: str, names: pd.Series, draft: pd.DataFrame, header: str | None = None) -> pd.Series:
    """Convert loads to kg: a row's own unit cell wins, then a header unit (`header` names its
    column in the reason), then the override (``--unit``), then the inference from the loads and
    exercises (``units.infer_weight_unit``).

    Unit cells that name no weight unit we know are quarantined (``unknown_weight_unit``)
    rather than guessed; stone is converted (1 st = 14 lb). The lifter's unit is the one their
    latest loads were typed in (``units.latest_typed_unit``), except under ``--unit``.
    """
    # the sets' reps where the format has read them already (the inference weighs a load by its reps)
    reps = draft["reps"].to_numpy(dtype=float, na_value=np.nan) if "reps" in draft else None
    if row_units is not None:
        units = map_distinct(blank_to_na(row_units), lambda cells: cells.str.strip().str.lower().str.rstrip(".").map(
            lambda cell: WEIGHT_UNIT_WORDS.get(cell, "?")))
        stated = units.notna() & (units != "?")
        _flag(draft, (units == "?") & values.notna(), "unknown_weight_unit")
        if stated.any():
            present = sorted(units[stated].unique().tolist())
            rest = ~stated & values.notna()
            fallback = unit if unit != "auto" else None
            if fallback is None:
                inferred = infer_weight_unit(values[rest].to_numpy(dtype=float), names[rest],
                                             reps=None if reps is None else reps[rest.to_numpy(dtype=bool)])
                fallback = inferred.unit
            units = units.where(stated, fallback)
            log.unit = present[0] if len(present) == 1 else "mixed"
            log.unit_reason = "unit column in the file" + (f"; rows without one: {fallback}" if rest.any() else "")
            log.unit_confidence = "stated"
            counts = units[stated].value_counts()
            log.lifter_unit = "lb" if counts.get("lb", 0) > counts.get("kg", 0) + counts.get("st", 0) else "kg"
            log.lifter_unit_source = "export"
            _latest_stated_unit(values, units.where(stated), draft, log)
            factor = units.map(WEIGHT_UNIT_TO_KG).to_numpy(dtype=float)
            return _snap_where_lb(values * factor, factor != 1.0)
    if header_unit:
        log.unit, log.unit_confidence = header_unit, "stated"
        log.unit_reason = f"header says {header_unit}" + (f" ({header})" if header else "")
        log.lifter_unit, log.lifter_unit_source = header_unit, "export"
        converted = conversion_evidence(values.to_numpy(dtype=float))
        if converted is not None and converted.entered_in not in (None, header_unit):
            log.unit_reason += f" ({converted.reason})"
            log.lifter_unit, log.lifter_unit_source = converted.entered_in, "inferred"
    elif unit != "auto":
        log.unit, log.unit_reason, log.unit_confidence = unit, f"--unit {unit}", "override"
        log.lifter_unit, log.lifter_unit_source = unit, "override"
    else:
        inferred = infer_weight_unit(values.to_numpy(dtype=float), names, reps=reps)
        log.unit, log.unit_reason = inferred.unit, f"inferred: {inferred.reason}"
        log.unit_confidence, log.unit_evidence = inferred.confidence, dict(inferred.evidence)
        log.lifter_unit, log.lifter_unit_source = inferred.entered_in or inferred.unit, "inferred"
    if log.unit_confidence != "override":
        _latest_typed_unit(values, draft, log)
    if log.unit == "lb":
        return _snap_where_lb(values * LB_TO_KG, np.ones(len(values), dtype=bool))
    return values


def _row_order(draft: pd.DataFrame, n: int) -> np.ndarray:
    """Rows by date (a row without one counts as the oldest), else in file order."""
    return draft["performed_at"].to_numpy("datetime64[ns]").astype(np.int64) if "performed_at" in draft else np.arange(n)


def _latest_typed_unit(values: pd.Series, draft: pd.DataFrame, log: ParsedLog) -> None:
    """The lifter's unit from their latest loads when those were typed in another unit than the
    file's majority (`units.recent_typed_unit`): a lifter who switched from kg to lb is shown lb."""
    if log.unit not in ("kg", "lb"):
        return
    recent = recent_typed_unit(values.to_numpy(dtype=float), log.unit, _row_order(draft, len(values)))
    if recent is not None and recent[0] != log.lifter_unit:
        log.lifter_unit, log.lifter_unit_source = recent[0], "inferred"
        log.unit_reason = f"{log.unit_reason}; your latest {recent[1]} loads were typed in {recent[0]}"


def _latest_stated_unit(values: pd.Series, units: pd.Series, draft: pd.DataFrame, log: ParsedLog) -> None:
    """With a unit column the rows say what each load was typed in: the latest loads decide the
    lifter's unit by the same rule (`units.latest_typed_unit`), so a lifter who logged kg for months
    and lb since is shown lb. Stone counts with kg (as in the majority it replaces)."""
    loaded = (values > 0).fillna(False).to_numpy(dtype=bool)
    typed_lb = units.map({"lb": 1.0, "kg": 0.0, "st": 0.0}).to_numpy(dtype=float, na_value=np.nan)
    recent = latest_typed_unit(np.where(loaded, typed_lb, np.nan), _row_order(draft, len(values)))
    if recent is not None and recent[0] != log.lifter_unit:
        log.lifter_unit = recent[0]
        log.unit_reason = f"{log.unit_reason}; your latest {recent[1]} loads were typed in {recent[0]}"


def _snap_where_lb(weight_kg: pd.Series, converted: np.ndarray) -> pd.Series:
    snapped = snap_converted_kg(weight_kg.to_numpy(dtype=float))
    return pd.Series(np.where(converted, snapped, weight_kg.to_numpy(dtype=float)), index=weight_kg.index)


def _reps(frame: pd.DataFrame, column: str, draft: pd.DataFrame, decimal_comma: bool) -> None:
    """Parse reps into ``draft`` (whole numbers only: 7.5 reps is quarantined, not rounded)."""
    reps, bad = parse_numbers(frame[column], decimal_comma)
    _flag(draft, bad, "bad_number")
    whole = reps == np.round(reps)
    _flag(draft, reps.notna() & ~whole, "non_integer_reps")
    huge = whole & (reps.abs() > 2**31)  # no integer column holds it (validation bounds the rest)
    _flag(draft, huge, "reps_out_of_range")
    draft["reps"] = reps.where(whole & ~huge).round().astype("Int64")


def _number(frame: pd.DataFrame, column: str | None, draft: pd.DataFrame, decimal_comma: bool) -> pd.Series:
    """Parse an optional numeric column (NaN when absent); unreadable cells flag ``bad_number``."""
    if column is None or column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    values, bad = parse_numbers(frame[column], decimal_comma)
    _flag(draft, bad, "bad_number")
    return values


def _logged(values: pd.Series, column: str, draft: pd.DataFrame, log: ParsedLog) -> pd.Series:
    """An optional RPE, duration or distance of an app that writes 0 for "not logged" (Strong,
    FitNotes, Fitbod): 0 is null. A negative is no value a lifter logs: it is not stored, the
    rest of the set is read as usual, and the set rows are counted in ``log.dropped_values``
    and named in ``log.warnings`` (the summary's warnings)."""
    negative = (values < 0).to_numpy(dtype=bool) & ~draft["non_set"].to_numpy(dtype=bool)
    if negative.any():
        rows = draft["source_row"].to_numpy()[negative]
        log.dropped_values[column] = len(rows)
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        log.warnings.append(f"{log.path.name}: a negative {_LOGGED_NAMES[column]} is not stored (data row(s) {shown}); "
                            "the rest of each set is kept")
    return values.where(values > 0)


def _base_draft(frame: pd.DataFrame, date_column: str, exercise_column: str) -> pd.DataFrame:
    """The fields every format has: session start, exercise name, provenance and row problems."""
    draft = pd.DataFrame(index=frame.index)
    draft["reason"] = frame["reason"]
    draft["source_row"] = frame["source_row"]
    draft["performed_at"] = parse_datetimes(frame[date_column])
    draft["exercise_raw"] = cast_column(blank_to_na(frame[exercise_column]), _text_dtype(len(frame)))
    draft["non_set"] = False
    draft["numbered"] = True  # the format numbers its sets (so repeated identical rows are duplicates)
    _flag(draft, blank_to_na(frame[date_column]).isna(), "missing_date")
    _flag(draft, draft["performed_at"].isna(), "unparseable_date")
    _flag(draft, map_distinct(draft["exercise_raw"], lambda names: names.str.match(_FORMULA_LIKE)), "formula_like_cell")
    _flag(draft, map_distinct(draft["exercise_raw"], lambda names: names.str.contains(_CONTROL_CHARS)),
          "control_character_in_name")
    return draft


def _workout_name(draft: pd.DataFrame, frame: pd.DataFrame, column: str) -> None:
    """The app's routine name (Strong "Workout Name", Hevy "title", FitNotes "Category"), or null."""
    draft["workout_name"] = cast_column(blank_to_na(frame[column]), _text_dtype(len(frame))) if column in frame else pd.NA


def _strong(frame, match: FormatMatch, log: ParsedLog, unit: str, decimal_comma: bool) -> pd.DataFrame:
    """Strong classic / semicolon / v6: Set Order is a number, W/F/D, or a non-set row."""
    draft = _base_draft(frame, "date", "exercise")
    _workout_name(draft, frame, "workout_name")
    order = blank_to_na(frame["set_order"]).str.lower()
    is_rest = (order == "rest timer").fillna(False).astype(bool)
    non_set = order.isin(_STRONG_NON_SET_ROWS).fillna(False).astype(bool) & draft["reason"].isna()
    numeric_order = map_distinct(order, lambda orders: pd.to_numeric(orders.where(orders.str.match(_SET_NUMBER)),
                                                                      errors="coerce"))
    # A Set Order with digits that is not a set number (1.5, -1, 1e308) is quarantined; a word
    # there may be a translated Rest Timer / Note label (below).
    odd_order = map_distinct(order, lambda orders: ~orders.str.match(_SET_NUMBER) & orders.str.contains(r"\d"))
    _flag(draft, odd_order.astype("boolean").fillna(False), "bad_set_order")
    set_type = order.map(_STRONG_SET_TYPES).astype("string")
    set_type = set_type.mask(numeric_order.notna(), "normal")
    draft["set_type"] = set_type
    draft["set_order"] = order
    weights = _number(frame, "weight", draft, decimal_comma)
    _reps(frame, "reps", draft, decimal_comma)
    rpe = _number(frame, "rpe" if "rpe" in frame else None, draft, decimal_comma)
    seconds = _number(frame, "seconds" if "seconds" in frame else None, draft, decimal_comma)
    distance = _number(frame, "distance" if "distance" in frame else None, draft, decimal_comma)
    # Strong translates its "Rest Timer" and "Note" labels. Whatever the language, a row with
    # an unknown word in Set Order, no weight, reps or distance, and only Seconds (a timer) or
    # only a note is one of them; a row with work in it stays quarantined as unknown.
    labelled = order.notna() & numeric_order.isna() & set_type.isna() & ~non_set & draft["reason"].isna()
    no_work = (weights.fillna(0) == 0) & (draft["reps"].fillna(0) == 0).astype(bool) & (distance.fillna(0) == 0)
    timer_like = (labelled & no_work & (seconds > 0)).fillna(False).astype(bool)
    noted = blank_to_na(frame["notes"]).notna() if "notes" in frame else pd.Series(False, index=frame.index)
    note_like = (labelled & no_work & ~(seconds > 0) & noted).fillna(False).astype(bool)
    is_rest = is_rest | timer_like
    non_set = non_set | timer_like | note_like
    draft["non_set"] = non_set
    _flag(draft, ~non_set & set_type.isna(), "unknown_set_order")
    set_rows = ~non_set
    weight_kg = _weights_to_kg(weights.where(set_rows), frame["weight_unit"] if "weight_unit" in frame else None,
                               match.units.get("weight"), log, unit, draft["exercise_raw"], draft)
    draft["weight_kg"] = weight_kg
    default_distance = match.units.get("distance") or ("mi" if log.unit == "lb" else "km")
    factor = (distance_factor(frame["distance_unit"], default_distance) if "distance_unit" in frame
              else pd.Series(DISTANCE_TO_M[default_distance], index=frame.index))
    draft["distance_m"] = _logged(distance, "distance_m", draft, log) * factor
    draft["duration_s"] = _logged(seconds, "duration_s", draft, log)
    draft["rpe"] = _logged(rpe, "rpe", draft, log)
    # A Rest Timer row's Seconds is the rest after the set row before it.
    draft["rest_s"] = np.nan
    previous_set = pd.Series(np.where(set_rows, np.arange(len(draft)), np.nan), index=draft.index).ffill()
    rest_rows = is_rest & non_set & previous_set.notna() & seconds.notna()
    if rest_rows.any():
        targets = previous_set[rest_rows].astype(int).to_numpy()
        draft.loc[draft.index[targets], "rest_s"] = seconds[rest_rows].to_numpy()
    return draft


def _hevy(frame, match: FormatMatch, log: ParsedLog, unit: str, decimal_comma: bool) -> pd.DataFrame:
    """Hevy: one row per set with set_type; the unit is in the weight column's name."""
    draft = _base_draft(frame, "start_time", "exercise_title")
    _workout_name(draft, frame, "title")
    raw_type = blank_to_na(frame["set_type"]).str.lower() if "set_type" in frame else pd.Series("normal", index=frame.index)
    draft["set_type"] = raw_type.map(_HEVY_SET_TYPES).fillna(raw_type).fillna("normal").astype("string")
    draft["set_order"] = blank_to_na(frame["set_index"]) if "set_index" in frame else pd.NA
    weight_column = "weight_lbs" if "weight_lbs" in frame else "weight_kg"
    weights = _number(frame, weight_column, draft, decimal_comma)
    _reps(frame, "reps", draft, decimal_comma)
    # The column names the unit; the lifter's unit follows the same rule as other exports (a kg
    # export of loads typed in pounds, 61.235 for 135 lb, gives a pound lifter).
    draft["weight_kg"] = _weights_to_kg(weights, None, "lb" if weight_column == "weight_lbs" else "kg", log, unit,
                                        draft["exercise_raw"], draft, header=weight_column)
    distance_column = next((c for c in ("distance_km", "distance_miles", "distance_meters") if c in frame), None)
    distance = _number(frame, distance_column, draft, decimal_comma)
    draft["distance_m"] = distance * DISTANCE_TO_M[match.units.get("distance", "km")]
    draft["duration_s"] = _number(frame, "duration_seconds" if "duration_seconds" in frame else None, draft, decimal_comma)
    draft["rpe"] = _number(frame, "rpe" if "rpe" in frame else None, draft, decimal_comma)
    draft["rest_s"] = np.nan
    return draft


def _fitnotes(frame, match: FormatMatch, log: ParsedLog, unit: str, decimal_comma: bool) -> pd.DataFrame:
    """FitNotes: date-only sessions, sets in file order, unit in the header or a unit column."""
    draft = _base_draft(frame, "date", "exercise")
    _workout_name(draft, frame, "category")
    draft["numbered"] = False  # FitNotes lists sets in order without numbers
    draft["set_type"] = "normal"
    draft["set_order"] = pd.NA
    weight_column = next((c for c in frame.columns if c.startswith("weight") and "unit" not in c), None)
    weights = _number(frame, weight_column, draft, decimal_comma)
    unit_column = "weight unit" if "weight unit" in frame else None
    draft["weight_kg"] = _weights_to_kg(weights, frame[unit_column] if unit_column else None,
                                        match.units.get("weight"), log, unit, draft["exercise_raw"], draft)
    _reps(frame, "reps", draft, decimal_comma)
    distance = _number(frame, "distance" if "distance" in frame else None, draft, decimal_comma)
    factor = distance_factor(frame["distance unit"], "km") if "distance unit" in frame else 1000.0
    draft["distance_m"] = _logged(distance, "distance_m", draft, log) * factor
    if "time" in frame:
        seconds, bad = parse_clock_durations(frame["time"])
        _flag(draft, bad, "bad_number")
        draft["duration_s"] = _logged(seconds, "duration_s", draft, log)
    else:
        draft["duration_s"] = np.nan
    draft["rpe"] = np.nan
    draft["rest_s"] = np.nan
    return draft


def _fitbod(frame, match: FormatMatch, log: ParsedLog, unit: str, decimal_comma: bool) -> pd.DataFrame:
    """Fitbod: a row may stand for ``Sets`` identical sets; loads carry no unit (inferred)."""
    draft = _base_draft(frame, "date", "exercise")
    draft["numbered"] = False
    warmup = blank_to_na(frame["iswarmup"]).str.lower().isin(["true", "1", "yes"]) if "iswarmup" in frame else False
    draft["set_type"] = pd.Series(np.where(warmup, "warmup", "normal"), index=frame.index, dtype="string")
    draft["set_order"] = pd.NA
    weights = _number(frame, "weight", draft, decimal_comma)
    # Fitbod's optional multiplier column (per-side loads) is left aside: the logged load is kept as is.
    draft["weight_kg"] = _weights_to_kg(weights, None, None, log, unit, draft["exercise_raw"], draft)
    _reps(frame, "reps", draft, decimal_comma)
    draft["distance_m"] = _number(frame, "distance" if "distance" in frame else None, draft, decimal_comma)
    draft["duration_s"] = _number(frame, "duration" if "duration" in frame else None, draft, decimal_comma)
    draft["distance_m"] = _logged(draft["distance_m"], "distance_m", draft, log)
    draft["duration_s"] = _logged(draft["duration_s"], "duration_s", draft, log)
    draft["rpe"] = np.nan
    draft["rest_s"] = np.nan
    sets, bad = parse_numbers(frame["sets"], decimal_comma)
    _flag(draft, bad, "bad_number")
    _flag(draft, sets.notna() & ((sets < 1) | (sets > _MAX_FITBOD_SETS) | (sets != np.round(sets))), "sets_out_of_range")
    # One row may stand for several identical sets: repeat it; rejected rows stay one row.
    repeats = sets.fillna(1).where(draft["reason"].isna(), 1).clip(1, _MAX_FITBOD_SETS).round().astype(int)
    log.expanded_sets = int(repeats.sum() - len(repeats))
    return draft.loc[draft.index.repeat(repeats)].reset_index(drop=True)


def _canonical_text(frame, match: FormatMatch, log: ParsedLog, unit: str, decimal_comma: bool) -> pd.DataFrame:
    """The project's own canonical table written as CSV."""
    draft = _base_draft(frame, "performed_at", "exercise_raw")
    return _canonical_common(frame, draft, log, decimal_comma)


def _canonical_common(frame: pd.DataFrame, draft: pd.DataFrame, log: ParsedLog, decimal_comma: bool) -> pd.DataFrame:
    """Canonical columns read back; the file's own athlete_id and exercise_id are kept."""
    text = lambda c: blank_to_na(frame[c]) if c in frame else pd.Series(pd.NA, index=frame.index, dtype="string")  # noqa: E731
    draft["set_type"] = text("set_type").str.lower().fillna("normal")
    draft["set_order"] = text("set_index")
    draft["weight_kg"] = _number(frame, "weight_kg", draft, decimal_comma)
    _reps(frame, "reps", draft, decimal_comma)
    for column in ("rpe", "rest_s", "duration_s", "distance_m"):
        draft[column] = _number(frame, column if column in frame else None, draft, decimal_comma)
    ids = text("athlete_id")
    if log.athlete_named:  # the file may name only that athlete (in any spelling): stored under the named id
        if (conflict := named_athlete_conflict(ids.dropna().unique(), log.athlete_id, log.path.name)) is not None:
            raise InputError(conflict)
        ids = pd.Series(pd.NA, index=ids.index, dtype="string")
    draft["athlete_id"] = ids.fillna(log.athlete_id)
    draft["exercise_id"] = text("exercise_id")
    draft["workout_name"] = text("workout_name")
    log.unit, log.unit_reason = "kg", "canonical table (weight_kg)"
    log.unit_confidence, log.lifter_unit, log.lifter_unit_source = "stated", "kg", "export"
    return draft


def _canonical_parquet(log: ParsedLog) -> pd.DataFrame | None:
    """The project's own canonical table as Parquet (None when it has no rows)."""
    log.format = "canonical"
    try:
        table = pd.read_parquet(log.path)
    except Exception as exc:  # noqa: BLE001 - a damaged Parquet file is a user input problem
        raise InputError(f"{log.path.name}: unreadable Parquet file ({type(exc).__name__})") from exc
    missing = [c for c in _REQUIRED["canonical"] if c not in table.columns]
    if missing:
        raise InputError(f"{log.path.name}: canonical table is missing required column(s): {', '.join(missing)}")
    frame = table.astype("string").reset_index(drop=True)
    log.rows_in = len(frame)
    if log.rows_in == 0:
        return None
    frame["source_row"] = np.arange(1, len(frame) + 1)
    frame["reason"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if "performed_at" in table and pd.api.types.is_datetime64_any_dtype(table["performed_at"]):
        # As the CSV path reads "...+02:00": in UTC, fractions of a second kept.
        frame["performed_at"] = to_naive_utc(table["performed_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
    draft = _base_draft(frame, "performed_at", "exercise_raw")
    return _canonical_common(frame, draft, log, decimal_comma=False)


def _finish(log: ParsedLog, draft: pd.DataFrame) -> None:
    """Add identities (session, set index), split readable from rejected rows, canonical dtypes.

    A big draft is emptied column by column as the two canonical tables are built, so a big
    export's draft and its canonical copy are never held whole at the same time (memory); a
    small one keeps its columns (giving them up costs more time than it saves).
    """
    big = len(draft) >= _RELEASE_ROWS
    take = draft.pop if big else draft.__getitem__
    text = _text_dtype(len(draft))
    if "athlete_id" not in draft:
        draft["athlete_id"] = constant_column(log.athlete_id, text, draft.index)
    # A big draft's repeated texts as categoricals from here on (a few bytes a row; the set
    # index and the canonical tables are built from them).
    for column in ("athlete_id", "exercise_raw", "exercise_id", "set_type", "workout_name", "set_order"):
        if column in draft:
            draft[column] = cast_column(draft[column], text)
    draft["session_id"] = cast_column(_session_ids(draft["athlete_id"], draft["performed_at"]), text)
    rejected_rows = draft["reason"].notna().to_numpy()
    # A non-set row (a Strong Rest Timer) with an unreadable cell is quarantined with its reason,
    # so it is counted once, as quarantined, not also as a non-set row.
    non_set = take("non_set").to_numpy(dtype=bool) & ~rejected_rows
    log.non_set_rows = int(non_set.sum())
    readable = ~rejected_rows & ~non_set
    every_row = bool(readable.all())
    content = [c for c in _SET_CONTENT if c in draft]
    set_index = _set_index(draft[content] if every_row else draft.loc[readable, content])
    reason = take("reason")
    sets: dict[str, pd.Series] = {}
    rejected: dict[str, pd.Series] = {}
    constants = {"source_file": log.path.name, "source_format": log.format}
    for column, dtype in canonical_dtypes(compact=big).items():
        if column in constants:
            values = constant_column(constants[column], dtype, reason.index)
        elif column in draft and column != "set_index":
            values = take(column)
        else:  # the readable rows' set index is set below; absent columns are nulls
            values = null_column(dtype, reason.index)
        values = cast_column(values, dtype)
        sets[column] = values.reset_index(drop=True) if every_row else values[readable].reset_index(drop=True)
        rejected[column] = values[rejected_rows].reset_index(drop=True)
        del values
    sets["set_index"] = set_index.reset_index(drop=True)
    rejected["reason"] = reason[rejected_rows].reset_index(drop=True)
    log.sets = to_canonical(pd.DataFrame(sets), compact=big)
    log.rejected = to_canonical(pd.DataFrame(rejected), with_reason=True)


def _session_ids(athletes: pd.Series, starts: pd.Series) -> pd.Series:
    """``<athlete>:<session start as %Y%m%dT%H%M%S>`` per row (null where either is), as a
    categorical built from the distinct (athlete, start) pairs, not per row."""
    athlete_codes, athlete_names = pd.factorize(athletes, use_na_sentinel=True)
    start_codes, distinct_starts = pd.factorize(starts, use_na_sentinel=True)
    stamp_codes, stamps = pd.factorize(pd.Series(distinct_starts, dtype=starts.dtype).dt.strftime("%Y%m%dT%H%M%S"))
    width = max(len(stamps), 1)
    row_stamps = stamp_codes[np.maximum(start_codes, 0)] if len(stamp_codes) else np.full(len(starts), -1)
    valid = (athlete_codes >= 0) & (start_codes >= 0) & (row_stamps >= 0)
    codes, pairs = pd.factorize(np.where(valid, athlete_codes.astype(np.int64) * width + row_stamps, -1))
    names = pd.Index(pd.Series(np.asarray(athlete_names, dtype=object)[np.maximum(pairs, 0) // width], dtype="string")
                     + ":" + pd.Series(np.asarray(stamps, dtype=object)[np.maximum(pairs, 0) % width], dtype="string"))
    categories = names[pairs >= 0].sort_values()
    recoded = np.where(pairs >= 0, categories.get_indexer(names), -1)[codes]
    return pd.Series(pd.Categorical.from_codes(recoded, dtype=pd.CategoricalDtype(categories)), index=athletes.index)


# Drafts from this many rows on give up their columns as they are copied (see `_finish`) and hold
# repeated texts as categoricals (measured: slower for small files, far smaller for big ones).
_RELEASE_ROWS = 100_000
# Text from this size on is read into dictionary-encoded columns (about _RELEASE_ROWS rows).
_DICTIONARY_BYTES = 8_000_000


def _text_dtype(rows: int) -> str:
    """The dtype a draft of `rows` rows holds its repeated texts in."""
    return COMPACT_TEXT if rows >= _RELEASE_ROWS else "string"
# What `_set_index` compares to tell repeated rows apart.
_SET_CONTENT = ("athlete_id", "performed_at", "exercise_raw", "numbered", "set_order", "set_type", "weight_kg", "reps",
                "rpe", "duration_s", "distance_m")


def _set_index(sets: pd.DataFrame) -> pd.Series:
    """0-based index of each set within its exercise in its session, in file order.

    For formats that number their sets, a row repeated exactly (same number and values) gets the
    index of its first occurrence, so validation can quarantine it as a duplicate. Formats that do
    not number sets (FitNotes, Fitbod) legitimately repeat identical rows for identical sets, and so
    do Strong's unnumbered W/F/D rows (two identical warm-ups are two sets): those count as repeats
    only as far as the numbered sets of their exercise are repeated (a whole block exported twice).
    """
    if sets.empty:
        return pd.Series(dtype="Int64")
    group = ["athlete_id", "performed_at", "exercise_raw"]
    group_id = row_codes(sets, group)
    content = ["set_order", "set_type", "weight_kg", "reps", "rpe", "duration_s", "distance_m"]
    row_content = None if not bool(sets["numbered"].iloc[0]) else row_codes(sets, content, start=group_id)
    if row_content is None or row_content.max() + 1 == len(row_content):  # dense codes: all distinct
        # Unnumbered sets, or no row repeats another: file order within the exercise is the index.
        return pd.Series(_cumcount(group_id), index=sets.index).astype("Int64")
    numbered = map_distinct(sets["set_order"], lambda orders: pd.to_numeric(orders, errors="coerce")).notna().to_numpy()
    copies = np.bincount(row_content)[row_content]
    # How many times each exercise block was exported (1 normally, 2 if the block is repeated).
    most = np.zeros(group_id.max() + 1, dtype=np.int64)
    np.maximum.at(most, group_id, np.where(numbered, copies, 1))
    block_copies = most[group_id]
    occurrence = _cumcount(row_content)
    distinct_unnumbered = np.ceil(copies / block_copies).astype(np.int64)
    copy_number = np.where(numbered, 0, occurrence % np.maximum(distinct_unnumbered, 1))
    distinct_id = pd.factorize(row_content * (int(copy_number.max()) + 1) + copy_number)[0]
    first = ~pd.Series(distinct_id).duplicated().to_numpy()
    index_of_distinct = np.empty(distinct_id.max() + 1, dtype=np.int64)
    index_of_distinct[distinct_id[first]] = _cumcount(group_id[first])
    return pd.Series(index_of_distinct[distinct_id], index=sets.index).astype("Int64")


def _cumcount(codes: np.ndarray) -> np.ndarray:
    """Position of each row among the earlier rows with the same code."""
    return pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()


__all__ = ["ParsedLog", "UNIT_CHOICES", "parse_log_file"]
