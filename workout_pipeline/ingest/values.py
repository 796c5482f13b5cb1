"""Vectorised parsing of the numbers, dates and durations apps write into their exports."""

import re

import numpy as np
import pandas as pd

LB_TO_KG = 0.45359237
STONE_TO_KG = 14 * LB_TO_KG
# Weight-unit cells as apps and people write them (lower case, trailing dot removed) -> unit.
WEIGHT_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "кг", "公斤", "千克", "킬로그램"), "kg"),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds", "#", "фунт", "фунты", "磅", "파운드"), "lb"),
    **dict.fromkeys(("st", "stone", "stones"), "st"),
}
WEIGHT_UNIT_TO_KG: dict[str, float] = {"kg": 1.0, "lb": LB_TO_KG, "st": STONE_TO_KG}
MILE_TO_M = 1609.344
DISTANCE_TO_M = {"m": 1.0, "meters": 1.0, "metres": 1.0, "km": 1000.0, "mi": MILE_TO_M, "miles": MILE_TO_M,
                 "mile": MILE_TO_M, "ft": 0.3048, "feet": 0.3048, "yd": 0.9144, "yards": 0.9144}

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")

# Month names and abbreviations as apps print them in common languages (lower case, no dots).
_MONTHS: dict[str, int] = {}
for _month, _names in enumerate(
    [
        "jan january januar janvier janv enero ene gennaio gen janeiro januari oca ocak sty stycznia янв января 1月",
        "feb february februar fév fev févr fevr février fevrier febrero febbraio fevereiro februari şub şubat sub subat lut lutego фев февр февраля 2月",
        "mar march märz mär maerz mars marzo março marco maart mrt mart mar marca марта мар 3月",
        "apr april avril abril abr aprile nisan nis kwi kwietnia апр апреля 4月",
        "may mai mayo maggio mag maio mei mayıs mayis maj maja мая май 5月",
        "jun june juni juin junio giugno giu junho haziran haz cze czerwca июн июня 6月",
        "jul july juli juil juillet julio luglio lug julho temmuz tem lip lipca июл июля 7月",
        "aug august août aout agosto ago augustus ağustos agustos ağu agu sie sierpnia авг августа 8月",
        "sep sept september septembre septiembre set settembre setembro eylül eylul eyl wrz września сен сент сентября 9月",
        "oct october oktober okt octobre octubre ottobre ott outubro out ekim eki paź paz października окт октября 10月",
        "nov november novembre noviembre novembro kasım kasim kas lis listopada ноя нояб ноября 11月",
        "dec december dezember dez décembre decembre déc diciembre dic dicembre dezembro aralık aralik ara gru grudnia дек декабря 12月",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _month)
# Ambiguous across languages ("mar" is March in English, Tuesday nowhere; "ago"/"set" fine): keep first.

_NAMED_MONTH_DATE = re.compile(
    r"^\s*(?P<day>\d{1,2})\.?\s+(?:de\s+)?(?P<month>[^\W\d_]+)\.?,?\s+(?:de\s+)?(?P<year>\d{4})(?:\s*г\.?)?,?"
    r"(?:\s+(?:at\s+|à\s+|um\s+|às\s+|a\s+las\s+)?(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?)?\s*$",
    re.IGNORECASE,
)
_MONTH_FIRST_DATE = re.compile(
    r"^\s*(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4}),?"
    r"(?:\s+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?)?\s*$",
    re.IGNORECASE,
)


def blank_to_na(values: pd.Series) -> pd.Series:
    """Strip text cells and turn empty ones into missing values (each distinct text once)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="string").str.strip()
    distinct = distinct.mask(distinct == "").array
    return pd.Series(distinct.take(codes, allow_fill=True), index=values.index, dtype="string")


def map_distinct(values: pd.Series, func) -> pd.Series:
    """Apply a vectorised `func` to the distinct values only and spread the result back.

    Exports repeat the same few texts (dates, loads, names) on many rows, so this is much
    faster than transforming every row. Missing values map to missing.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NA, index=values.index, dtype=object)
    if isinstance(uniques.dtype, pd.CategoricalDtype):  # a categorical's distinct values as themselves
        uniques = uniques.astype(uniques.categories.dtype)
    mapped = np.asarray(func(pd.Series(uniques)).to_numpy())
    result = pd.Series(mapped[np.where(codes >= 0, codes, 0)], index=values.index)
    return result.where(codes >= 0) if (codes < 0).any() else result


def parse_numbers(values: pd.Series, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    """Parse text cells as floats.

    Args:
        values: Text cells (empty or missing cells mean "not recorded").
        decimal_comma: Also read ``72,5`` as 72.5 (semicolon-separated European exports);
            a lone comma between digits is read as a decimal comma in any case.

    Thousands separators are read from the column's own style: ``1,000`` is 1000 where other
    cells use a decimal point (``62.5``) and 1.0 where they use decimal commas (``62,5``);
    with no other decimals to tell (and no ``decimal_comma`` hint) it is unreadable (``bad``)
    rather than guessed. ``1,000.5`` and ``1.000,5`` are read by their last separator.

    Returns:
        ``(numbers, bad)``: floats with NaN for missing or unreadable cells, and a mask of the
        cells that held text but no readable number.
    """
    codes, uniques = pd.factorize(blank_to_na(values), use_na_sentinel=True)
    numbers = np.full(len(codes), np.nan)
    bad = np.zeros(len(codes), dtype=bool)
    if len(uniques):
        distinct_numbers, distinct_bad = _parse_distinct_numbers(uniques, decimal_comma)
        present = codes >= 0
        numbers[present] = distinct_numbers.to_numpy(dtype=float)[codes[present]]
        bad[present] = distinct_bad.to_numpy(dtype=bool)[codes[present]]
    return pd.Series(numbers, index=values.index), pd.Series(bad, index=values.index)


_GROUPED_COMMA = r"^[-+]?[1-9]\d{0,2}(?:,\d{3})+$"  # 1,000 or 12,500: thousands or a 3-decimal comma
_GROUPED_DOT = r"^[-+]?[1-9]\d{0,2}(?:\.\d{3})+$"  # 1.000: thousands (European) or a 3-decimal point
_BOTH = r"^[-+]?\d{1,3}(?:[.,]\d{3})*[.,]\d+$"


# A plain number (digits with at most one decimal point): read as is whatever the column's style,
# since the separator rules below only change cells with a comma, a space or 3-digit dot groups.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _parse_distinct_numbers(uniques, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    cells = [str(cell) for cell in uniques]
    # Fast path (most exports): every distinct cell is a plain number. A 3-digit dot group
    # ("1.000") is read as a decimal here too: without comma cells the rules below keep it.
    if all(_PLAIN_NUMBER.fullmatch(cell) for cell in cells):
        numbers = pd.Series(np.asarray(cells, dtype=float))
        return numbers.where(np.isfinite(numbers)), pd.Series(~np.isfinite(numbers.to_numpy()))
    return _parse_distinct_text_numbers(pd.Series(cells, dtype="string"), decimal_comma)


def _parse_distinct_text_numbers(text: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    present = text.notna()
    normalised = text.str.replace("\u00a0", "", regex=False).str.replace("\u202f", "", regex=False)
    normalised = normalised.str.replace(" ", "", regex=False)
    has = lambda pattern: normalised.str.match(pattern).fillna(False).astype(bool)  # noqa: E731
    grouped_comma, grouped_dot = has(_GROUPED_COMMA), has(_GROUPED_DOT)
    both = normalised.str.contains(",", regex=False).fillna(False) & normalised.str.contains(".", regex=False).fillna(False)
    both = both.astype(bool) & has(_BOTH)
    # The column's decimal style, from cells that are not 3-digit groups.
    plain = ~grouped_comma & ~grouped_dot & ~both
    uses_point = bool((plain & has(r"^[-+]?\d*\.\d+$")).any()) or bool((both & normalised.str.match(r".*,\d{3}\.\d+$").fillna(False)).any())
    column_uses_comma = bool((plain & has(r"^[-+]?\d*,\d+$")).any())
    uses_comma = decimal_comma or column_uses_comma
    looks_decimal_comma = has(_DECIMAL_COMMA.pattern) & ~grouped_comma
    if decimal_comma:
        looks_decimal_comma = normalised.str.contains(",", regex=False).fillna(False).astype(bool) & ~normalised.str.contains(
            ".", regex=False
        ).fillna(False).astype(bool) & ~grouped_comma
    normalised = normalised.mask(looks_decimal_comma, normalised.str.replace(",", ".", regex=False))
    # Both separators: the last one is the decimal mark, the other groups thousands.
    last_is_comma = both & normalised.str.match(r".*,\d+$").fillna(False).astype(bool)
    normalised = normalised.mask(both & ~last_is_comma, normalised.str.replace(",", "", regex=False))
    normalised = normalised.mask(last_is_comma, normalised.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    # 3-digit groups: thousands where the column's decimals say so, else unreadable.
    ambiguous = pd.Series(False, index=text.index)
    if grouped_comma.any():
        if uses_point and not uses_comma:
            normalised = normalised.mask(grouped_comma, normalised.str.replace(",", "", regex=False))
        elif uses_comma and not uses_point:
            normalised = normalised.mask(grouped_comma, normalised.str.replace(",", ".", regex=False))
        else:
            ambiguous |= grouped_comma
    if grouped_dot.any() and column_uses_comma and not uses_point:
        normalised = normalised.mask(grouped_dot, normalised.str.replace(".", "", regex=False))
    numbers = pd.to_numeric(normalised.mask(ambiguous), errors="coerce").astype("float64")
    numbers = numbers.where(np.isfinite(numbers))
    bad = present & numbers.isna()
    return numbers, bad.astype(bool)


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Parse timestamps as apps write them, returning naive ``datetime64[us]`` (NaT if unreadable).

    ISO-like text (with or without time, ``T``, fractional seconds or a UTC offset, which is
    converted to UTC) is parsed in one vectorised pass; what is left is tried as
    "13 Jan 2026, 18:43"-style dates with month names in common app languages, then as
    other common layouts (12-hour clocks, US month-first with names).
    """
    # Exports repeat each session's timestamp on every set row: parse each distinct text once.
    codes, uniques = pd.factorize(blank_to_na(values), use_na_sentinel=True)
    parsed = _parse_distinct_datetimes(pd.Series(uniques, dtype="string"))
    taken = parsed.to_numpy()[np.where(codes >= 0, codes, 0)] if len(parsed) else np.full(len(codes), np.datetime64("NaT"))
    result = pd.Series(taken, index=values.index).astype("datetime64[us]")
    return result.where(codes >= 0)


def _parse_distinct_datetimes(text: pd.Series) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    present = text.notna()
    if not present.any():
        return result
    iso = text[present].str.match(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?$")
    iso_index = iso[iso.fillna(False).astype(bool)].index
    if len(iso_index):
        result.loc[iso_index] = to_naive_utc(pd.to_datetime(text[iso_index], format="ISO8601", errors="coerce", utc=True))
    remaining = result.isna() & present
    if remaining.any():
        result.loc[remaining[remaining].index] = _parse_named_months(text[remaining])
    remaining = result.isna() & present
    if remaining.any():
        result.loc[remaining[remaining].index] = _parse_numeric_day_month(text[remaining])
    remaining = result.isna() & present
    if remaining.any():
        result.loc[remaining[remaining].index] = _parse_year_first(text[remaining])
    remaining = result.isna() & present
    if remaining.any():
        # Anything else pandas can read unambiguously (e.g. "2020/09/29 7:10:22 PM").
        parsed = pd.to_datetime(text[remaining], format="mixed", errors="coerce", utc=True)
        result.loc[remaining[remaining].index] = to_naive_utc(parsed)
    return result


_NUMERIC_DATE = re.compile(
    r"^\s*(?P<first>\d{1,2})(?P<sep>[./-])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2}),?"
    r"(?:[\sT]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second_s>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?)?\s*$",
    re.IGNORECASE,
)


def _parse_numeric_day_month(text: pd.Series) -> pd.Series:
    """``05.01.2023 17:30`` (dots: always day first) and ``1/5/2023`` / ``13/1/2023`` (slashes:
    day first when any date of the file has a first number above 12, else US month first)."""
    parts = text.str.extract(_NUMERIC_DATE)
    first = pd.to_numeric(parts["first"], errors="coerce")
    second = pd.to_numeric(parts["second"], errors="coerce")
    day_first = (parts["sep"] == ".").fillna(False).astype(bool) | bool((first > 12).any())
    year = pd.to_numeric(parts["year"], errors="coerce")
    year = year.where(year >= 100, year + 2000)
    frame = pd.DataFrame({
        "year": year,
        "month": second.where(day_first, first),
        "day": first.where(day_first, second),
        **_clock(parts, second="second_s"),
    })
    return _assemble(frame)


def _clock(parts: pd.DataFrame, second: str = "second") -> dict[str, pd.Series]:
    """Hour, minute and second columns from a date regex's groups (``hour``, ``minute``, the
    `second` group and an optional ``ampm``), 0 where the text has no time. A 12-hour clock's
    hour is made 24-hour; one over 12 there (``13:30 PM``) is NaN, so ``_assemble`` gives NaT."""
    hour = pd.to_numeric(parts["hour"], errors="coerce")
    ampm = (parts["ampm"].str.lower().str.replace(r"[.\s]", "", regex=True) if "ampm" in parts
            else pd.Series(pd.NA, index=parts.index, dtype="string"))
    pm, am = (ampm == "pm").fillna(False).astype(bool), (ampm == "am").fillna(False).astype(bool)
    twelve_hour_bad = (am | pm) & (hour > 12)
    hour = hour.where(~(pm & (hour < 12)), hour + 12)
    hour = hour.where(~(am & (hour == 12)), 0)
    return {"hour": hour.fillna(0).mask(twelve_hour_bad),
            "minute": pd.to_numeric(parts["minute"], errors="coerce").fillna(0),
            "second": pd.to_numeric(parts[second], errors="coerce").fillna(0)}


def _assemble(frame: pd.DataFrame) -> pd.Series:
    """Timestamps from year..second columns; NaT where a part is missing or out of range."""
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    ok = frame.notna().all(axis=1) & frame["month"].between(1, 12) & frame["day"].between(1, 31)
    # pandas adds hours, minutes and seconds as durations: 12:99 would be 13:39, 30:75 the next day.
    ok &= frame["hour"].between(0, 23) & frame["minute"].between(0, 59) & frame["second"].between(0, 59)
    if ok.any():
        out.loc[ok[ok].index] = pd.to_datetime(frame[ok], errors="coerce").astype("datetime64[us]")
    return out


_YEAR_FIRST_DATE = re.compile(
    r"^\s*(?P<year>\d{4})\s*(?:年|\.)\s*(?P<month>\d{1,2})\s*(?:月|\.)\s*(?P<day>\d{1,2})\s*(?:日|\.)?,?"
    r"\s*(?:(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*$"
)


def _parse_year_first(text: pd.Series) -> pd.Series:
    """CJK and Korean app dates: ``2026年1月13日 18:43``, ``2026. 1. 13. 18:43``."""
    parts = text.str.extract(_YEAR_FIRST_DATE)
    frame = pd.DataFrame({
        "year": pd.to_numeric(parts["year"], errors="coerce"),
        "month": pd.to_numeric(parts["month"], errors="coerce"),
        "day": pd.to_numeric(parts["day"], errors="coerce"),
        **_clock(parts),
    })
    return _assemble(frame)


def to_naive_utc(stamps: pd.Series) -> pd.Series:
    """Timestamps as naive ``datetime64[us]``: ones with a time zone converted to UTC first
    (how every input's offsets are stored), naive ones as they are."""
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_convert(None)
    return stamps.astype("datetime64[us]")


def _parse_named_months(text: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for pattern in (_NAMED_MONTH_DATE, _MONTH_FIRST_DATE):
        todo = out.isna()
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        month = parts["month"].str.lower().str.rstrip(".").map(_MONTHS)
        frame = pd.DataFrame({
            "year": pd.to_numeric(parts["year"], errors="coerce"),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(parts["day"], errors="coerce"),
            **_clock(parts),
        })
        parsed = _assemble(frame)
        out.loc[parsed.index] = parsed
    return out


def parse_clock_durations(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ``h:mm:ss`` / ``mm:ss`` or plain-seconds cells into seconds (with a bad-cell mask)."""
    text = blank_to_na(values)
    seconds, bad = parse_numbers(text)
    clock = text.str.extract(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")
    clock_seconds = (
        pd.to_numeric(clock[0], errors="coerce").fillna(0) * 3600
        + pd.to_numeric(clock[1], errors="coerce") * 60
        + pd.to_numeric(clock[2], errors="coerce")
    )
    is_clock = clock_seconds.notna()
    seconds = seconds.where(~is_clock, clock_seconds).astype("float64")
    return seconds, (bad & ~is_clock).astype(bool)


def distance_factor(units: pd.Series, default_unit: str) -> pd.Series:
    """Metres per unit for each row's distance unit text (unknown units give NaN)."""
    unit = blank_to_na(units).str.lower().str.rstrip(".").fillna(default_unit)
    return unit.map(DISTANCE_TO_M).astype("float64")
