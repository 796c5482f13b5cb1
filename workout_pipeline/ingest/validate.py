"""Validating canonical set rows with a Great Expectations suite; failing rows go to quarantine.

The suite is defined in code and run on an ephemeral GX context. Its per-expectation
unexpected-row indices decide which rows are quarantined, with one short reason code per row
(the first failed rule in the order below). Great Expectations is imported only when rows are
validated, because importing it takes seconds. ``validate_many`` runs the suite once over the
rows of many files (GX's fixed cost per run dominates small files) and splits the outcome back
per file; the duplicate rule stays per file. Dates outside 1990..next year are quarantined
before anything converts them to nanosecond timestamps (which end in 2262).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workout_pipeline.schema import (
    CANONICAL_COLUMNS,
    CANONICAL_DTYPES,
    SET_IDENTITY,
    SET_TYPES,
    empty_canonical_frame,
    row_codes,
    share_categories,
    to_canonical,
)

MAX_REPS = 100
MAX_WEIGHT_KG = 600.0
MAX_DURATION_S = 24 * 3600.0
MAX_DISTANCE_M = 1_000_000.0
EARLIEST_YEAR = 1990
EARLIEST_DATE = datetime(EARLIEST_YEAR, 1, 1)
# Exports carry local wall-clock time: allow a day ahead of this machine's UTC clock.
FUTURE_SLACK = timedelta(days=1)


@dataclass
class ValidationOutcome:
    """Validated and quarantined rows, plus what each GX expectation found.

    Attributes:
        validated: Canonical rows that passed every expectation.
        quarantined: Canonical rows plus ``reason`` (first failed rule).
        checks: One dict per expectation: ``name``, ``success``, ``unexpected_count``,
            ``description``, ``expectation`` (GX class) and ``quarantines`` (whether its
            unexpected rows go to quarantine under the check name as reason).
    """

    validated: pd.DataFrame
    quarantined: pd.DataFrame
    checks: list[dict[str, Any]] = field(default_factory=list)


def _rules(now: datetime) -> list[tuple[str | None, str, str, dict[str, Any]]]:
    """(check name, GX expectation class, description, kwargs) in priority order.

    A check named like a quarantine reason (``*_out_of_range``, ``duplicate`` ...) sends its
    unexpected rows to quarantine with that reason; the others are structural checks that
    should never fail for parser output (their failures still show in ``checks``).
    """
    latest = now + FUTURE_SLACK
    return [
        ("canonical_columns", "ExpectTableColumnsToMatchSet", "the canonical columns are all present",
         {"column_set": list(CANONICAL_COLUMNS) + ["has_measurement", FILE_KEY], "exact_match": True}),
        ("performed_at_is_timestamp", "ExpectColumnValuesToBeOfType", "session starts are timestamps",
         {"column": "performed_at", "type_": "datetime64[ns]"}),
        ("weight_kg_is_number", "ExpectColumnValuesToBeOfType", "loads are numbers (kg)",
         {"column": "weight_kg", "type_": "float64"}),
        ("reps_is_number", "ExpectColumnValuesToBeOfType", "reps are numbers", {"column": "reps", "type_": "float64"}),
        ("missing_exercise", "ExpectColumnValuesToNotBeNull", "every set names its exercise", {"column": "exercise_raw"}),
        ("unparseable_date", "ExpectColumnValuesToNotBeNull", "every set has a session start", {"column": "performed_at"}),
        ("date_out_of_range", "ExpectColumnValuesToBeBetween", f"session years are within {EARLIEST_YEAR}..{now.year + 1}",
         {"column": "performed_at", "min_value": pd.Timestamp(EARLIEST_DATE),
          "max_value": pd.Timestamp(datetime(now.year + 1, 12, 31, 23, 59, 59))}),
        ("future_date", "ExpectColumnValuesToBeBetween", f"sessions are not in the future (after {latest:%Y-%m-%d %H:%M})",
         {"column": "performed_at", "max_value": pd.Timestamp(latest)}),
        ("reps_out_of_range", "ExpectColumnValuesToBeBetween", f"reps are within 0..{MAX_REPS}",
         {"column": "reps", "min_value": 0, "max_value": MAX_REPS}),
        ("weight_out_of_range", "ExpectColumnValuesToBeBetween", f"loads are within 0..{MAX_WEIGHT_KG:g} kg",
         {"column": "weight_kg", "min_value": 0.0, "max_value": MAX_WEIGHT_KG}),
        ("rpe_out_of_range", "ExpectColumnValuesToBeBetween", "RPE is within 1..10",
         {"column": "rpe", "min_value": 1.0, "max_value": 10.0}),
        ("duration_out_of_range", "ExpectColumnValuesToBeBetween", "set durations are within 0 s..24 h",
         {"column": "duration_s", "min_value": 0.0, "max_value": MAX_DURATION_S}),
        ("distance_out_of_range", "ExpectColumnValuesToBeBetween", "distances are within 0..1000 km",
         {"column": "distance_m", "min_value": 0.0, "max_value": MAX_DISTANCE_M}),
        ("rest_out_of_range", "ExpectColumnValuesToBeBetween", "rests are within 0 s..24 h",
         {"column": "rest_s", "min_value": 0.0, "max_value": MAX_DURATION_S}),
        ("invalid_set_type", "ExpectColumnValuesToBeInSet", f"set_type is one of {', '.join(SET_TYPES)}",
         {"column": "set_type", "value_set": list(SET_TYPES)}),
        ("missing_measurement", "ExpectColumnValuesToBeInSet", "every set records reps, a duration or a distance",
         {"column": "has_measurement", "value_set": [True]}),
        ("athlete_present", "ExpectColumnValuesToNotBeNull", "every set has an athlete", {"column": "athlete_id"}),
        ("set_index_present", "ExpectColumnValuesToNotBeNull", "every set has a set index", {"column": "set_index"}),
        ("source_row_present", "ExpectColumnValuesToNotBeNull", "every set points back to its source row", {"column": "source_row"}),
        ("duplicate", "ExpectCompoundColumnsToBeUnique",
         "a set identity (athlete, session start, exercise, set index) appears once per file; later copies are quarantined",
         {"column_list": list(SET_IDENTITY) + [FILE_KEY]}),
    ]


def with_all_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing canonical columns as typed nulls (``schema.to_canonical`` cannot cast an
    untyped all-NA column to float)."""
    missing = [c for c in CANONICAL_COLUMNS if c not in frame.columns]
    if not missing:
        return frame
    frame = frame.copy()
    for column in missing:
        frame[column] = pd.Series(index=frame.index, dtype=CANONICAL_DTYPES[column])
    return frame


# Which input frame a row came from (validate_many): duplicates are looked for per file.
FILE_KEY = "batch_file"
# Checks that describe the table rather than sending rows to quarantine.
STRUCTURAL_CHECKS = (
    "canonical_columns", "performed_at_is_timestamp", "weight_kg_is_number", "reps_is_number",
    "athlete_present", "set_index_present", "source_row_present",
)


def _gx_frame(frame: pd.DataFrame, file_of: np.ndarray) -> pd.DataFrame:
    """The canonical rows as GX's pandas engine handles them fastest: numbers as float64 (NaN
    for missing), timestamps as datetime64[ns] (years already checked), text kept in pandas'
    Arrow-backed string dtype; plus ``has_measurement`` and the file key."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in CANONICAL_COLUMNS:
        values = frame[column].reset_index(drop=True)
        if column == "performed_at":
            out[column] = values.astype("datetime64[ns]")
        elif pd.api.types.is_numeric_dtype(values):
            out[column] = values.astype("float64")
        elif not isinstance(values.dtype, pd.CategoricalDtype):  # compact text stays as it is (memory)
            out[column] = values.astype("string")
        else:
            out[column] = values
    out["has_measurement"] = out["reps"].notna() | out["duration_s"].notna() | out["distance_m"].notna()
    out[FILE_KEY] = file_of
    return out


def out_of_range_years(performed_at: pd.Series, now: datetime) -> np.ndarray:
    """Rows whose session year is outside EARLIEST_YEAR..next year (nulls are not)."""
    years = performed_at.dt.year
    return ((years < EARLIEST_YEAR) | (years > now.year + 1)).fillna(False).astype(bool).to_numpy()


def validate_sets(frame: pd.DataFrame, now: datetime | None = None, compact: bool = False) -> ValidationOutcome:
    """Run the GX suite on canonical set rows and split them into validated and quarantined.

    Args:
        frame: Canonical set rows (e.g. ``ParsedLog.sets``).
        now: The reference time for the date rules (default: this machine's local time,
            since exports carry local wall-clock times; a day of slack is added).

        compact: Keep the validated rows' text columns categorical (``schema.TEXT_COLUMNS``);
            quarantined rows are always in the contract dtypes.

    Returns:
        The ValidationOutcome; every input row is in exactly one of its two frames.
    """
    return validate_many([frame], now, compact)[0]


def validate_many(frames: list[pd.DataFrame], now: datetime | None = None, compact: bool = False
                  ) -> list[ValidationOutcome]:
    """``validate_sets`` for several files' rows with one GX run; one outcome per frame, as if
    each had been validated alone (duplicates are looked for within a frame)."""
    canonical = [to_canonical(with_all_columns(frame), compact=compact) for frame in frames]
    if compact and len(canonical) > 1:
        canonical = share_categories(canonical)  # one category set per column: the stack stays compact
    sizes = [len(frame) for frame in canonical]
    now = now or datetime.now()
    rules = _rules(now)
    if not sum(sizes):
        checks = [_check(name, cls, desc, True, 0) for name, cls, desc, _ in rules]
        return [ValidationOutcome(frame, empty_canonical_frame(with_reason=True), list(checks)) for frame in canonical]

    combined = pd.concat(canonical, ignore_index=True) if len(canonical) > 1 else canonical[0]
    file_of = np.repeat(np.arange(len(canonical)), sizes)
    bad_year = out_of_range_years(combined["performed_at"], now)
    checked = np.flatnonzero(~bad_year)  # the rows GX sees, by position in `combined`
    # Every row's year is plausible (the usual case): no copy of the rows for GX's frame.
    gx_frame = _gx_frame(combined.iloc[checked] if bad_year.any() else combined, file_of[checked])
    results = _run_gx(gx_frame, rules) if len(gx_frame) else [
        {"success": True, "unexpected_count": 0, "unexpected_index_list": [], "exception": ""} for _ in rules]
    reasons = pd.Series(pd.NA, index=combined.index, dtype="string")
    reasons.iloc[np.flatnonzero(bad_year)] = "date_out_of_range"
    counts = np.zeros((len(rules), len(canonical)), dtype=np.int64)
    table_success = []
    for number, ((name, _, _, _), result) in enumerate(zip(rules, results)):
        reason = None if name in STRUCTURAL_CHECKS else name
        unexpected = checked[np.asarray(result["unexpected_index_list"], dtype=np.int64)]
        if reason is not None and not result["success"] and not len(unexpected):
            # GX raised inside the expectation: never let that pass rows silently.
            raise RuntimeError(f"Great Expectations could not evaluate check {name!r}: {result['exception']}")
        if name == "date_out_of_range":
            unexpected = np.union1d(unexpected, np.flatnonzero(bad_year))
        if len(unexpected):  # GX's count (for duplicates: every copy)
            counts[number] = np.bincount(file_of[unexpected], minlength=len(canonical))
        if reason == "duplicate" and len(unexpected):
            # GX flags every copy; the first occurrence of an identity (per file) stays valid.
            later_copy = pd.Series(row_codes(gx_frame, list(SET_IDENTITY) + [FILE_KEY])).duplicated(keep="first").to_numpy()
            positions = np.asarray(result["unexpected_index_list"], dtype=np.int64)
            unexpected = checked[positions[later_copy[positions]]]
        if reason is not None and len(unexpected):
            free = reasons.iloc[unexpected].isna().to_numpy()
            reasons.iloc[unexpected[free]] = reason
        table_success.append(bool(result["success"]) and not (name == "date_out_of_range" and bad_year.any()))
    # GX's global project context keeps the last batch's frame alive until the next context:
    # empty it in place so its columns are freed now (measured: 250 MB for a 200 MB export).
    for column in list(gx_frame.columns):
        del gx_frame[column]
    bad = reasons.notna().to_numpy()
    outcomes = []
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for index, frame in enumerate(canonical):
        rows = slice(starts[index], starts[index + 1])
        file_bad = bad[rows]
        if file_bad.any():
            quarantined = frame[file_bad].copy()
            quarantined["reason"] = reasons.iloc[rows][file_bad].to_numpy()
            quarantined = to_canonical(quarantined, with_reason=True)
        else:  # most files of a batch (no per-file frame work: 1,000 files)
            quarantined = empty_canonical_frame(with_reason=True)
        checks = [_file_check(rule, results[number], counts[number, index], table_success[number])
                  for number, rule in enumerate(rules)]
        outcomes.append(ValidationOutcome(
            validated=frame[~file_bad].reset_index(drop=True) if file_bad.any() else frame,
            quarantined=quarantined,
            checks=checks,
        ))
    return outcomes


def _file_check(rule, result: dict[str, Any], file_count: int, table_success: bool) -> dict[str, Any]:
    """One file's entry for a rule: row checks count that file's rows; a structural check that
    flags no row (a column's type) reports the batch's result."""
    name, cls, description, _ = rule
    if name in STRUCTURAL_CHECKS and not file_count:
        return _check(name, cls, description, table_success, 0 if table_success else result["unexpected_count"])
    return _check(name, cls, description, not file_count, file_count)


def _check(name: str, expectation: str, description: str, success: bool, unexpected_count: int) -> dict[str, Any]:
    return {"name": name, "success": bool(success), "unexpected_count": int(unexpected_count),
            "description": description, "expectation": expectation,
            "quarantines": name not in STRUCTURAL_CHECKS}


def _run_gx(gx_frame: pd.DataFrame, rules) -> list[dict[str, Any]]:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("ingest")
        .add_dataframe_asset("canonical_sets")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": gx_frame})
    )
    suite = gx.ExpectationSuite(name="canonical_sets")
    for number, (_, cls, _, kwargs) in enumerate(rules):
        suite.add_expectation(getattr(gxe, cls)(**kwargs, meta={"rule": number}))
    validation = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    results: list[dict[str, Any]] = [{}] * len(rules)
    for result in validation.results:
        details = result.result or {}
        indices = details.get("unexpected_index_list") or []
        results[int(result.expectation_config.meta["rule"])] = ({
            "success": bool(result.success),
            "unexpected_count": int(details.get("unexpected_count") or 0),
            "unexpected_index_list": [i if isinstance(i, (int, np.integer)) else next(iter(i.values())) for i in indices],
            "exception": str((result.exception_info or {}).get("exception_message", ""))[:200],
        })
    if not all(results):
        raise RuntimeError("Great Expectations returned a different number of results than expectations")
    return results
