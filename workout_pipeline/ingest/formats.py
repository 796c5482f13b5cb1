"""Recognising an export's format and column meanings from its content (not its file name)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import pandas as pd

from workout_pipeline.schema import CANONICAL_COLUMNS

# Strong-family column roles by header text, in English and in the languages Strong translates
# its export header into (lower case). Unknown languages fall back to column position.
_STRONG_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "日期", "日付", "날짜", "fecha", "data", "дата", "tarih", "päivämäärä"),
    "workout_name": ("workout name", "workout-name", "workoutname", "锻炼名称", "训练名称", "ワークアウト名",
                     "nombre del entrenamiento", "nom de l'entraînement", "nome do treino", "nome allenamento",
                     "название тренировки", "trainingsnaam"),
    "duration": ("duration", "workout duration", "dauer", "时长", "时间", "期間", "duración", "durée", "duração",
                 "durata", "длительность", "duur"),
    "exercise": ("exercise name", "exercise", "name der übung", "übungsname", "übung", "运动名称", "练习名称",
                 "エクササイズ名", "nombre del ejercicio", "ejercicio", "nom de l'exercice", "exercice",
                 "nome do exercício", "exercício", "nome esercizio", "esercizio", "упражнение",
                 "название упражнения", "oefening"),
    "set_order": ("set order", "satz-reihenfolge", "satzreihenfolge", "satz", "设置顺序", "组序", "セット順序",
                  "orden de serie", "orden de la serie", "ordre des séries", "ordre de série", "ordem da série",
                  "ordine serie", "порядок подходов", "setvolgorde"),
    "weight": ("weight", "gewicht", "重量", "peso", "poids", "вес", "gewicht (kg)"),
    "reps": ("reps", "wiederholungen", "wdh.", "wdh", "次", "次数", "回数", "repeticiones", "reps.",
             "répétitions", "repetições", "ripetizioni", "повторения", "herhalingen"),
    "distance": ("distance", "distanz", "entfernung", "距离", "距離", "distancia", "distância", "distanza",
                 "расстояние", "afstand"),
    "seconds": ("seconds", "sekunden", "秒", "秒数", "segundos", "secondes", "secondi", "секунды", "seconden"),
    "notes": ("notes", "notizen", "anmerkungen", "备注", "メモ", "notas", "note", "заметки", "notities"),
    "workout_notes": ("workout notes", "workout-notizen", "trainingsnotizen", "锻炼备注", "训练备注",
                      "notas del entrenamiento", "notes d'entraînement", "notas do treino", "note allenamento",
                      "заметки к тренировке"),
    "rpe": ("rpe",),
    "weight_unit": ("weight unit", "gewichtseinheit", "重量单位", "unidad de peso"),
    "distance_unit": ("distance unit", "distanzeinheit", "距离单位", "unidad de distancia"),
    "workout_number": ("workout #",),
}
_STRONG_ROLE_BY_NAME = {name: role for role, names in _STRONG_ROLE_NAMES.items() for name in names}
# 2015-era and v6 headers carry the unit in the column name.
_UNIT_COLUMNS = {
    "kg": ("weight", "kg"), "kgs": ("weight", "kg"), "lb": ("weight", "lb"), "lbs": ("weight", "lb"),
    "weight (kg)": ("weight", "kg"), "weight (kgs)": ("weight", "kg"), "weight (lbs)": ("weight", "lb"),
    "weight (lb)": ("weight", "lb"), "km": ("distance", "km"), "mi": ("distance", "mi"),
    "miles": ("distance", "mi"), "distance (meters)": ("distance", "m"), "distance (m)": ("distance", "m"),
    "distance (km)": ("distance", "km"), "distance (miles)": ("distance", "mi"),
    "distance (mi)": ("distance", "mi"), "duration (sec)": ("duration", None), "seconds (sec)": ("seconds", None),
}
# Strong's classic export column order, used when the header is in a language we do not know.
STRONG_CLASSIC_POSITIONS = ("date", "workout_name", "duration", "exercise", "set_order", "weight", "reps",
                            "distance", "seconds", "notes", "workout_notes", "rpe")
# Strong's semicolon export column order (the header row is sometimes missing).
STRONG_SEMICOLON_POSITIONS = ("date", "workout_name", "exercise", "set_order", "weight", "weight_unit", "reps",
                              "rpe", "distance", "distance_unit", "seconds", "notes", "workout_notes", "duration")

_DATE_LIKE = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_SET_ORDER_LIKE = re.compile(r"^\s*(\d+|[WFDwfd]|rest timer|note)\s*$", re.IGNORECASE)
_NUMBER_LIKE = re.compile(r"^\s*-?\d*[.,]?\d*\s*$")


@dataclass
class FormatMatch:
    """What an export is and where its fields are.

    Attributes:
        format: ``strong_classic``, ``strong_semicolon``, ``strong_v6``, ``hevy``, ``fitnotes``,
            ``fitbod`` or ``canonical``.
        has_header: Whether the first record is a header row.
        columns: Role (or canonical column) -> field position.
        units: Role -> unit stated by the header (e.g. ``{"weight": "lb"}``).
        how: How the format was recognised (for the summary).
    """

    format: str
    has_header: bool
    columns: dict[str, int]
    units: dict[str, str] = field(default_factory=dict)
    how: str = "header"


def normalise_header(cell: str) -> str:
    """Lower-case a header cell and strip quotes, BOM and surrounding space."""
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').strip().lower().split())


def detect_format(records: list[list[str]]) -> FormatMatch | None:
    """Recognise the export format from its first records; None when it is not one we read."""
    if not records:
        return None
    header = [normalise_header(cell) for cell in records[0]]
    names = set(header)
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    if {"exercise_title", "start_time"} <= names:
        return FormatMatch("hevy", True, position, _suffix_units(names))
    if {"performed_at", "exercise_raw", "set_index", "weight_kg", "reps"} <= names:
        return FormatMatch("canonical", True, {c: position[c] for c in CANONICAL_COLUMNS if c in position})
    if {"date", "exercise", "sets", "reps", "weight"} <= names:
        return FormatMatch("fitbod", True, position)
    if {"date", "exercise", "category", "reps"} <= names:
        return FormatMatch("fitnotes", True, position, _fitnotes_units(names))
    strong = _strong_by_names(header)
    if strong is not None:
        return strong
    return _strong_by_shape(records)


def _suffix_units(names: set[str]) -> dict[str, str]:
    units = {}
    if "weight_lbs" in names:
        units["weight"] = "lb"
    elif "weight_kg" in names:
        units["weight"] = "kg"
    if "distance_miles" in names:
        units["distance"] = "mi"
    elif "distance_km" in names:
        units["distance"] = "km"
    elif "distance_meters" in names:
        units["distance"] = "m"
    return units


def _fitnotes_units(names: set[str]) -> dict[str, str]:
    if "weight (lbs)" in names or "weight (lb)" in names:
        return {"weight": "lb"}
    if "weight (kgs)" in names or "weight (kg)" in names:
        return {"weight": "kg"}
    return {}


def _strong_by_names(header: list[str]) -> FormatMatch | None:
    columns: dict[str, int] = {}
    units: dict[str, str] = {}
    for i, name in enumerate(header):
        if name in _UNIT_COLUMNS:
            role, unit = _UNIT_COLUMNS[name]
            columns.setdefault(role, i)
            if unit:
                units[role] = unit
        elif name in _STRONG_ROLE_BY_NAME:
            columns.setdefault(_STRONG_ROLE_BY_NAME[name], i)
    if not {"date", "exercise", "set_order"} <= columns.keys() or not ({"weight", "reps"} & columns.keys()):
        return None
    if "workout_number" in columns or any(n.startswith("weight (") for n in header):
        return FormatMatch("strong_v6", True, columns, units)
    if "weight_unit" in columns:
        return FormatMatch("strong_semicolon", True, columns, units)
    return FormatMatch("strong_classic", True, columns, units)


def _strong_by_shape(records: list[list[str]]) -> FormatMatch | None:
    """Strong exports with an unknown-language header or no header, recognised by their cells."""
    first, sample = records[0], records[1:51]
    # Headerless semicolon export: the first record is already a set row with a unit cell.
    if _looks_like_strong_row(first, STRONG_SEMICOLON_POSITIONS):
        rows = records[:50]
        if sum(_looks_like_strong_row(r, STRONG_SEMICOLON_POSITIONS) for r in rows) >= 0.8 * len(rows):
            return FormatMatch("strong_semicolon", False, _positions(STRONG_SEMICOLON_POSITIONS, len(first)),
                               how="column shape (no header row)")
    if sample and 9 <= len(first) <= 12 and not _DATE_LIKE.match(first[0]):
        if sum(_looks_like_strong_row(r, STRONG_CLASSIC_POSITIONS) for r in sample) >= 0.8 * len(sample):
            return FormatMatch("strong_classic", True, _positions(STRONG_CLASSIC_POSITIONS, len(first)),
                               how="column shape (header language not recognised)")
    return None


def _positions(layout: tuple[str, ...], width: int) -> dict[str, int]:
    return {role: i for i, role in enumerate(layout[:width])}


def _looks_like_strong_row(record: list[str], layout: tuple[str, ...]) -> bool:
    if len(record) < 9:
        return False
    cell = dict(zip(layout, record))
    if not _DATE_LIKE.match(cell.get("date", "")) or not _SET_ORDER_LIKE.match(cell.get("set_order", "")):
        return False
    if "weight_unit" in layout and normalise_header(cell.get("weight_unit", "")) not in ("kg", "kgs", "lb", "lbs", ""):
        return False
    return bool(_NUMBER_LIKE.match(cell.get("weight", "")) and _NUMBER_LIKE.match(cell.get("reps", "")))


def records_to_frame(records: Iterable[list[str]], columns: dict[str, int], width: int,
                     chunk_size: int = 100_000) -> pd.DataFrame:
    """Pick the mapped fields of the data records into a frame of text columns, chunk by chunk.

    Args:
        records: Data records (header excluded).
        columns: Role -> field position.
        width: Field count of a well-formed record (the header's).
        chunk_size: Records turned into columns at a time (bounds the memory of Python lists).

    Returns:
        One row per record (index = 0-based data row) with the mapped text columns, plus
        ``reason`` = ``wrong_field_count`` for records with missing fields or extra non-empty ones.
    """
    names = list(columns)
    positions = [columns[name] for name in names]
    take = max(positions + [width - 1]) + 1
    unmapped = sorted(set(range(width)) - set(positions))
    filler = [""] * take
    chunks = []
    iterator = iter(records)
    while True:
        chunk = list(islice(iterator, chunk_size))
        if not chunk:
            break
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        reasons = np.full(len(chunk), None, dtype=object)
        reasons[lengths < width] = "wrong_field_count"
        longer = np.flatnonzero(lengths > width)
        blank_tail = np.array([not any(chunk[i][width:]) for i in longer], dtype=bool)
        reasons[longer[~blank_tail]] = "wrong_field_count"
        extra_empty = np.zeros(len(chunk), dtype=bool)
        extra_empty[longer[blank_tail]] = True
        for i in np.flatnonzero(lengths < take):
            chunk[i] = chunk[i] + filler[lengths[i]:]
        fields = list(zip(*chunk))
        data = {name: np.array(fields[pos], dtype=object) for name, pos in zip(names, positions)}
        data["reason"] = reasons
        data["_extra_empty"] = extra_empty
        # Text outside the mapped fields (an extra field, a column we do not read) makes a row.
        other_text = np.zeros(len(chunk), dtype=bool)
        other_text[longer[~blank_tail]] = True
        for pos in unmapped:
            other_text |= np.array(fields[pos], dtype=object) != ""
        data["_other_text"] = other_text
        # dtype=object: no per-chunk string inference; columns are factorised once downstream.
        chunks.append(pd.DataFrame(data, dtype=object))
        del chunk, fields
    if not chunks:
        return pd.DataFrame({name: np.array([], dtype=object) for name in names + ["reason"]})
    frame = pd.concat(chunks, ignore_index=True)
    other_text = frame.pop("_other_text").to_numpy(dtype=bool)
    # Empty extra fields are a writer's trailing delimiter when most rows have them; on a few
    # rows they mean a field split in two (an unquoted comma) shifted the row.
    extra_empty = frame.pop("_extra_empty").to_numpy(dtype=bool)
    if extra_empty.sum() < 0.5 * len(frame):
        frame.loc[extra_empty, "reason"] = "wrong_field_count"
    frame = drop_blank_rows(frame, names, lambda rows: other_text[rows])
    frame["reason"] = frame["reason"].astype("string")
    return frame


def drop_blank_rows(frame: pd.DataFrame, names: list[str],
                    other_text: Callable[[np.ndarray], np.ndarray] | None = None) -> pd.DataFrame:
    """Drop lines of bare delimiters (",,,,"): blank lines, not data rows.

    A line with text in any field is a row (counted, and quarantined if unreadable), even when
    every field in `names` is empty: `other_text(rows)` says which of the rows (positions)
    whose `names` fields are empty hold text elsewhere (extra fields, columns not read).
    """
    blank = (frame[names[0]] == "").to_numpy(dtype=bool, copy=True) if names else np.zeros(len(frame), dtype=bool)
    for name in names[1:]:
        candidates = np.flatnonzero(blank)
        if not len(candidates):
            break
        blank[candidates] = frame[name].to_numpy()[candidates] == ""
    candidates = np.flatnonzero(blank)
    if len(candidates) and other_text is not None:
        blank[candidates] = ~np.asarray(other_text(candidates), dtype=bool)
    return frame[~blank].reset_index(drop=True) if blank.any() else frame


def uniform_table_bytes(text: str) -> bytes | None:
    """`text` as UTF-8 for ``read_uniform_table``, or None when the fast path cannot apply
    (empty text, text not starting with its first record, or text that cannot be encoded)."""
    if not text or text[0] in "\n\r \t":
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def read_uniform_table(data: bytes, delimiter: str, has_header: bool, columns: dict[str, int],
                       width: int, dictionary: bool = False) -> pd.DataFrame | None:
    """Fast path: read the data rows with pyarrow's CSV reader when every row is well formed.

    Returns the same frame as ``records_to_frame`` (text columns by role, ``reason`` all
    missing), or None when any row has a field count other than `width` or pyarrow cannot
    parse it (e.g. a truncated quote): the caller then takes the row-by-row path, which
    quarantines such rows individually. `data` is the text's UTF-8 (``uniform_table_bytes``);
    with `dictionary` the columns are categoricals (exports repeat a few texts per column on
    many rows: a big file's columns take a fraction of the memory).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid_rows: list[int | None] = []

    def on_invalid_row(row) -> str:
        invalid_rows.append(row.number)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, skip_rows=1 if has_header else 0),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             newlines_in_values=True, invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()
                              for i in range(width)},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if invalid_rows or table.num_columns != width:
        return None
    frame = pd.DataFrame({role: table.column(position).to_pandas() for role, position in columns.items()})
    frame["reason"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    unmapped = sorted(set(range(width)) - set(columns.values()))

    def other_text(rows: np.ndarray) -> np.ndarray:  # only rows whose mapped fields are all empty
        cells = [table.column(position).take(pa.array(rows)).to_pylist() for position in unmapped]
        return np.array([any(row) for row in zip(*cells)] if cells else [False] * len(rows), dtype=bool)

    return drop_blank_rows(frame, list(columns), other_text)
