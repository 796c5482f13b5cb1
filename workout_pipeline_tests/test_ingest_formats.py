"""Round trips per export format: write a small file as the app would, parse it, compare."""

import math

import pandas as pd
import pytest

from workout_pipeline.ingest import parse_log_file
from workout_pipeline.ingest.values import LB_TO_KG
from workout_pipeline.schema import CANONICAL_COLUMNS


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _accounted(log):
    assert log.error is None, log.error
    assert log.rows_in + log.expanded_sets == len(log.sets) + len(log.rejected) + log.non_set_rows
    assert list(log.sets.columns) == list(CANONICAL_COLUMNS)


def _rows(log, *columns):
    return [tuple(None if (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in row)
            for row in log.sets[list(columns)].itertuples(index=False)]


STRONG_CLASSIC = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",W,20,10,0,0,"","",\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",1,62.5,5,0,0,"","",8\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",Rest Timer,0,0,0,120,"","",\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",2,62.5,5,0,0,"","",8.5\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",F,57.5,7,0,0,"","",10\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",D,42.5,9,0,0,"","",\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",Note,0,0,0,0,"felt good","",\n'
    '2024-03-01 18:00:00,"Push",1h 2m,"Running",1,0,0,5,1500,"","",\n'
)


def test_strong_classic_set_types_rest_timer_and_non_set_rows(tmp_path):
    log = parse_log_file(_write(tmp_path, "a.csv", STRONG_CLASSIC), "alice", unit="kg")
    _accounted(log)
    assert log.format == "strong_classic" and log.rows_in == 8 and log.non_set_rows == 2
    assert _rows(log, "set_index", "set_type", "weight_kg", "reps", "rpe", "rest_s") == [
        (0, "warmup", 20.0, 10, None, None),
        (1, "normal", 62.5, 5, 8.0, 120.0),
        (2, "normal", 62.5, 5, 8.5, None),
        (3, "failure", 57.5, 7, 10.0, None),
        (4, "drop", 42.5, 9, None, None),
        (0, "normal", 0.0, 0, None, None),
    ]
    running = log.sets.iloc[-1]
    assert running["distance_m"] == 5000.0 and running["duration_s"] == 1500.0
    assert set(log.sets["session_id"]) == {"alice:20240301T180000"}
    assert log.sets["source_row"].tolist() == [1, 2, 4, 5, 6, 8]
    assert set(log.sets["source_format"]) == {"strong_classic"}


@pytest.mark.parametrize(
    "header",
    [
        "Datum,Workout-Name,Dauer,Name der Übung,Satz-Reihenfolge,Gewicht,Wiederholungen,Distanz,Sekunden,Notizen,Workout-Notizen,RPE",
        "日期,锻炼名称,时长,运动名称,设置顺序,重量,次,距离,秒,备注,锻炼备注,RPE",
        # A language we have no table for: recognised by the shape of the rows.
        "Päiväys,Treenin nimi,Kesto,Liikkeen nimi,Sarjajärjestys,Paino,Toistot,Matka,Sekuntit,Muistiinpanot,Treenin muistiinpanot,RPE",
    ],
)
def test_strong_translated_headers(tmp_path, header):
    body = STRONG_CLASSIC.split("\n", 1)[1]
    log = parse_log_file(_write(tmp_path, "x.csv", header + "\n" + body), "bob", unit="kg")
    _accounted(log)
    assert log.format == "strong_classic"
    assert len(log.sets) == 6 and log.non_set_rows == 2
    assert log.sets["rest_s"].iloc[1] == 120.0


def test_strong_translated_rest_timer_and_note_rows_by_their_shape(tmp_path):
    """Strong translates "Rest Timer" and "Note": rows with an unknown label and nothing but
    Seconds (or a note) are the timer and note rows in any language; a row with work in it and
    an unknown label stays quarantined."""
    header = "Datum,Workout-Name,Dauer,Name der Übung,Satz-Reihenfolge,Gewicht,Wiederholungen,Distanz,Sekunden,Notizen,Workout-Notizen,RPE"
    body = (STRONG_CLASSIC.split("\n", 1)[1]
            .replace(",Rest Timer,", ",Pausen-Timer,")
            .replace(",Note,", ",Notiz,"))
    body += '2024-03-01 18:00:00,"Push",1h 2m,"Bench Press (Barbell)",Zz,50,5,0,0,"","",\n'
    log = parse_log_file(_write(tmp_path, "de.csv", header + "\n" + body), "bob", unit="kg")
    _accounted(log)
    assert log.non_set_rows == 2 and len(log.sets) == 6
    assert log.sets["rest_s"].iloc[1] == 120.0
    assert log.rejected["reason"].tolist() == ["unknown_set_order"]


def test_strong_2015_unit_columns(tmp_path):
    text = (
        "Date,Workout Name,Exercise Name,Set Order,lb,Reps,mi,Seconds,Notes,Workout Notes\n"
        '2015-06-01 07:00:00,"A","Squat (Barbell)",1,225,5,,0,"",""\n'
        '2015-06-01 07:00:00,"A","Cycling",1,0,0,2,600,"",""\n'
    )
    log = parse_log_file(_write(tmp_path, "old.csv", text), "carl")
    _accounted(log)
    assert log.unit == "lb" and "header" in log.unit_reason
    assert log.sets["weight_kg"].iloc[0] == pytest.approx(225 * LB_TO_KG)
    assert log.sets["distance_m"].iloc[1] == pytest.approx(2 * 1609.344)


def test_strong_semicolon_with_header_decimal_comma_and_row_units(tmp_path):
    text = (
        "Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;Notes;Workout Notes;Workout Duration\r\n"
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;"72,5";kg;5;;;;0;"";"";1h\r\n'
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";2;135;lbs;4;7,5;;;0;;;1h\r\n'
        '2019-01-11 12:31:54;"Leg";"Rowing";1;0;kg;0;;2;km;480;;;1h\r\n'
        "\r\n\r\n"
    )
    log = parse_log_file(_write(tmp_path, "s.csv", "\ufeff" + text), "dana")
    _accounted(log)
    assert log.format == "strong_semicolon" and log.rows_in == 3 and log.unit == "mixed"
    assert log.sets["weight_kg"].tolist()[:2] == [72.5, pytest.approx(135 * LB_TO_KG, abs=1e-3)]
    assert log.sets["rpe"].iloc[1] == 7.5
    assert log.sets["distance_m"].iloc[2] == 2000.0


def test_strong_semicolon_without_header(tmp_path):
    text = (
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;20;kg;5;;;;0;"";""\n'
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";2;20;kg;4;;;;0;;\n'
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";3;20;kg;6;;;;0;;\n'
    )
    log = parse_log_file(_write(tmp_path, "h.csv", text), "eve")
    _accounted(log)
    assert log.format == "strong_semicolon" and log.rows_in == 3
    assert _rows(log, "set_index", "reps", "source_row") == [(0, 5, 1), (1, 4, 2), (2, 6, 3)]


def test_strong_v6_lbs_and_miles(tmp_path):
    text = (
        '"Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";"Weight (lbs)";"Reps";"RPE";"Distance (miles)";"Seconds";"Notes";"Workout Notes"\n'
        '"1";"2025-03-09 14:08:49";"Push";"4543";"Bench Press (Barbell)";"1";"135";"5";"";"";"";"";""\n'
        '"1";"2025-03-09 14:08:49";"Push";"4543";"Treadmill";"1";"";"";"";"1.5";"900";"";""\n'
    )
    log = parse_log_file(_write(tmp_path, "v6.csv", text), "fay")
    _accounted(log)
    assert log.format == "strong_v6" and log.unit == "lb"
    assert log.sets["weight_kg"].iloc[0] == pytest.approx(61.2350, abs=1e-3)
    assert log.sets["distance_m"].iloc[1] == pytest.approx(1.5 * 1609.344)
    assert log.sets["duration_s"].iloc[1] == 900.0


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("13 Jan 2026, 18:43", "2026-01-13 18:43"),
        ("13 de jan. de 2026, 18:43", "2026-01-13 18:43"),
        ("13 jan 2026, 18:43", "2026-01-13 18:43"),
        ("13 Oca 2026, 18:43", "2026-01-13 18:43"),
        ("5 Şub 2026, 07:05", "2026-02-05 07:05"),
        ("13 dic 2025, 18:43", "2025-12-13 18:43"),
        ("13. März 2025, 18:43", "2025-03-13 18:43"),
        ("13 févr. 2025, 18:43", "2025-02-13 18:43"),
        ("Jan 13, 2026, 6:43 PM", "2026-01-13 18:43"),
        ("2026-01-13T18:43:00Z", "2026-01-13 18:43"),
        ("2026-01-13 18:43:00", "2026-01-13 18:43"),
    ],
)
def test_hevy_dates_in_app_languages(tmp_path, start, expected):
    text = (
        "title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_kg,reps,distance_km,duration_seconds,rpe\n"
        f'"Lower","{start}","{start}","","Squat (Barbell)",,"",0,"warmup",60,5,,,\n'
    )
    log = parse_log_file(_write(tmp_path, "hevy.csv", text), "gus")
    _accounted(log)
    assert log.sets["performed_at"].iloc[0] == pd.Timestamp(expected)


def test_hevy_lbs_set_types_and_repeated_exercise_blocks(tmp_path):
    text = (
        "title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_lbs,reps,distance_miles,duration_seconds,rpe\n"
        '"Upper","14 Jan 2026, 18:00","14 Jan 2026, 19:00","","Bench Press (Barbell)",,"",0,"warmup",95,8,,,\n'
        '"Upper","14 Jan 2026, 18:00","14 Jan 2026, 19:00","","Bench Press (Barbell)",,"",1,"normal",185,5,,,8\n'
        '"Upper","14 Jan 2026, 18:00","14 Jan 2026, 19:00","","Bench Press (Barbell)",,"",2,"dropset",135,10,,,\n'
        '"Upper","14 Jan 2026, 18:00","14 Jan 2026, 19:00","","Bench Press (Barbell)",,"",0,"failure",135,12,,,10\n'
        '"Upper","14 Jan 2026, 18:00","14 Jan 2026, 19:00","","Walking",,"",0,"normal",,,1,600,\n'
        '"Lower","13 Jan 2026, 18:00","13 Jan 2026, 19:00","","Squat (Barbell)",,"",0,"normal",225,5,,,\n'
    )
    log = parse_log_file(_write(tmp_path, "hevy.csv", text), "hal")
    _accounted(log)
    assert log.unit == "lb"
    bench = log.sets[log.sets["exercise_raw"] == "Bench Press (Barbell)"]
    assert bench["set_index"].tolist() == [0, 1, 2, 3]  # second block renumbered, no collision
    assert bench["set_type"].tolist() == ["warmup", "normal", "drop", "failure"]
    assert bench["weight_kg"].iloc[1] == pytest.approx(185 * LB_TO_KG, abs=1e-6)
    walk = log.sets[log.sets["exercise_raw"] == "Walking"].iloc[0]
    assert walk["distance_m"] == pytest.approx(1609.344) and walk["duration_s"] == 600.0
    assert pd.isna(walk["weight_kg"]) and pd.isna(walk["reps"])


def test_fitnotes(tmp_path):
    text = (
        "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,Comment\n"
        "2021-05-02,Flat Barbell Bench Press,Chest,80.0,5,,,,\n"
        "2021-05-02,Flat Barbell Bench Press,Chest,80.0,5,,,,\n"
        "2021-05-02,Flat Barbell Bench Press,Chest,85.0,3,,,,\n"
        "2021-05-02,Treadmill,Cardio,,,3.2,km,0:20:00,\n"
        "2021-05-01,Deadlift,Back,140.0,5,,,,\n"
    )
    log = parse_log_file(_write(tmp_path, "fitnotes.csv", text), "ivy")
    _accounted(log)
    assert log.format == "fitnotes" and log.unit == "kg"
    # Identical rows are separate sets in FitNotes (no set numbers): indexed in file order.
    assert _rows(log, "exercise_raw", "set_index", "weight_kg", "reps")[:3] == [
        ("Flat Barbell Bench Press", 0, 80.0, 5),
        ("Flat Barbell Bench Press", 1, 80.0, 5),
        ("Flat Barbell Bench Press", 2, 85.0, 3),
    ]
    treadmill = log.sets.iloc[3]
    assert treadmill["distance_m"] == 3200.0 and treadmill["duration_s"] == 1200.0


def test_fitnotes_weight_unit_column(tmp_path):
    text = "Date,Exercise,Category,Weight,Weight Unit,Reps\n2021-05-02,Squat,Legs,225,lbs,5\n2021-05-02,Squat,Legs,100,kgs,5\n"
    log = parse_log_file(_write(tmp_path, "fn.csv", text), "jo")
    _accounted(log)
    assert log.sets["weight_kg"].tolist() == [pytest.approx(102.06, abs=0.01), 100.0]


def test_fitbod_expands_sets(tmp_path):
    text = (
        "Date,Exercise,Sets,Reps,Weight,isWarmup,Note,multiplier\n"
        "2022-01-05 17:00:00 +0000,Barbell Squat,1,8,60,true,,1\n"
        "2022-01-05 17:00:00 +0000,Barbell Squat,3,5,102.5,false,,1\n"
        "2022-01-05 17:00:00 +0000,Dumbbell Curl,2,10,12.5,false,,2\n"
    )
    log = parse_log_file(_write(tmp_path, "fitbod.csv", text), "kim")
    _accounted(log)
    assert log.format == "fitbod" and log.rows_in == 3 and log.expanded_sets == 3 and len(log.sets) == 6
    squat = log.sets[log.sets["exercise_raw"] == "Barbell Squat"]
    assert squat["set_index"].tolist() == [0, 1, 2, 3]
    assert squat["set_type"].tolist() == ["warmup", "normal", "normal", "normal"]
    assert squat["source_row"].tolist() == [1, 2, 2, 2]


def test_canonical_csv_and_parquet_round_trip(tmp_path):
    strong = parse_log_file(_write(tmp_path, "a.csv", STRONG_CLASSIC), "alice", unit="kg")
    csv_path = tmp_path / "canon.csv"
    strong.sets.to_csv(csv_path, index=False)
    parquet_path = tmp_path / "canon.parquet"
    strong.sets.to_parquet(parquet_path, index=False)
    for path in (csv_path, parquet_path):
        log = parse_log_file(path, "ignored")
        _accounted(log)
        assert log.format == "canonical"
        compare = ["athlete_id", "session_id", "performed_at", "exercise_raw", "set_index", "set_type",
                   "weight_kg", "reps", "rpe", "rest_s", "duration_s", "distance_m"]
        pd.testing.assert_frame_equal(log.sets[compare], strong.sets[compare])


def test_canonical_parquet_times_with_a_zone_are_stored_in_utc_like_csv(tmp_path):
    rows = pd.DataFrame({"athlete_id": ["alice"] * 2, "exercise_raw": ["Squat"] * 2, "set_index": [0, 1],
                         "weight_kg": [100.0, 100.0], "reps": [5, 5]})
    texts = ["2024-01-13T18:00:00+02:00", "2024-01-13T18:30:00.500+02:00"]
    rows.assign(performed_at=texts).to_csv(tmp_path / "zoned.csv", index=False)
    rows.assign(performed_at=pd.to_datetime(texts, format="ISO8601")).to_parquet(tmp_path / "zoned.parquet")
    rows.assign(performed_at=pd.to_datetime(["2024-01-13 18:00:00", "2024-01-13 18:30:00.5"], format="ISO8601")).to_parquet(
        tmp_path / "naive.parquet")
    expected = [pd.Timestamp("2024-01-13 16:00"), pd.Timestamp("2024-01-13 16:30:00.5")]
    for name in ("zoned.csv", "zoned.parquet"):  # the same sets, not two copies an hour or two apart
        log = parse_log_file(tmp_path / name, "alice")
        _accounted(log)
        assert log.sets["performed_at"].tolist() == expected, name
    naive = parse_log_file(tmp_path / "naive.parquet", "alice")  # no zone: the time as written
    assert naive.sets["performed_at"].tolist() == [pd.Timestamp("2024-01-13 18:00"), pd.Timestamp("2024-01-13 18:30:00.5")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig"])
def test_encodings(tmp_path, encoding):
    text = (
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\r\n"
        '2024-03-01 18:00:00,"Müde",1h,"Presse à cuisses",1,100,10,0,0,"très lourd","",\r\n'
        '2024-03-01 18:00:00,"Müde",1h,"Presse à cuisses",2,100,10,0,0,"","",\r\n'
    )
    log = parse_log_file(_write(tmp_path, "enc.csv", text, encoding), "lea", unit="kg")
    _accounted(log)
    assert log.sets["exercise_raw"].tolist() == ["Presse à cuisses"] * 2


def test_quoted_newlines_and_newest_first(tmp_path):
    text = (
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
        '2024-03-08 18:00:00,"B",1h,"Squat (Barbell)",1,100,5,0,0,"line one\nline two","",\n'
        '2024-03-08 18:00:00,"B",1h,"Squat (Barbell)",2,100,5,0,0,"","",\n'
        '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,95,5,0,0,"","",\n'
    )
    log = parse_log_file(_write(tmp_path, "n.csv", text), "max", unit="kg")
    _accounted(log)
    assert log.rows_in == 3
    assert _rows(log, "session_id", "set_index", "source_row") == [
        ("max:20240308T180000", 0, 1), ("max:20240308T180000", 1, 2), ("max:20240301T180000", 0, 3)]


def test_exact_duplicate_rows_share_an_identity(tmp_path):
    line = '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n'
    header = STRONG_CLASSIC.split("\n", 1)[0] + "\n"
    log = parse_log_file(_write(tmp_path, "d.csv", header + line + line), "ned", unit="kg")
    _accounted(log)
    assert log.sets["set_index"].tolist() == [0, 0]


def test_unit_override(tmp_path):
    log = parse_log_file(_write(tmp_path, "a.csv", STRONG_CLASSIC), "alice", unit="lb")
    assert log.unit == "lb" and log.unit_reason == "--unit lb"
    assert log.sets["weight_kg"].iloc[1] == pytest.approx(62.5 * LB_TO_KG, abs=1e-4)


def test_trailing_delimiters_and_bare_delimiter_lines(tmp_path):
    header = STRONG_CLASSIC.split("\n", 1)[0] + ",\n"
    rows = ['2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",,\n',
            '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",2,100,5,0,0,"","",,\n',
            ",,,,,,,,,,,,\n", ",,,,,,,,,,,,\n"]
    log = parse_log_file(_write(tmp_path, "t.csv", header + "".join(rows)), "olga", unit="kg")
    _accounted(log)
    assert log.rows_in == 2 and len(log.sets) == 2
    # Without the writer's trailing delimiter on the header, one extra empty field on every row
    # is still tolerated; on a single row among many it means a shifted row.
    plain_header = STRONG_CLASSIC.split("\n", 1)[0] + "\n"
    log = parse_log_file(_write(tmp_path, "u.csv", plain_header + "".join(rows[:2])), "olga", unit="kg")
    _accounted(log)
    assert len(log.sets) == 2 and log.rejected.empty


def test_fast_and_row_by_row_readers_agree(tmp_path, monkeypatch, real_logs):
    """pyarrow's reader (well-formed files) and the csv-module path (any file) give the same rows."""
    from workout_pipeline.ingest import parse as parse_module

    files = [_write(tmp_path, "a.csv", STRONG_CLASSIC), *real_logs.values()]
    fast = [parse_log_file(path, "x") for path in files]
    monkeypatch.setattr(parse_module, "read_uniform_table", lambda *args, **kwargs: None)
    slow = [parse_log_file(path, "x") for path in files]
    for a, b in zip(fast, slow):
        _accounted(a)
        assert (a.rows_in, a.unit, a.non_set_rows) == (b.rows_in, b.unit, b.non_set_rows)
        pd.testing.assert_frame_equal(a.sets, b.sets)
        pd.testing.assert_frame_equal(a.rejected, b.rejected)


def test_formula_like_names_are_quarantined_but_odd_names_are_kept(tmp_path):
    header = STRONG_CLASSIC.split("\n", 1)[0] + "\n"
    names = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|x", "=HYPERLINK(\"\"http://x\"\")", "-Push Up (Knees)", "+ Incline Curl (Dumbbell)"]
    rows = [f'2024-03-01 18:00:00,"A",1h,"{name}",1,10,5,0,0,"","",\n' for name in names]
    log = parse_log_file(_write(tmp_path, "f.csv", header + "".join(rows)), "pia", unit="kg")
    _accounted(log)
    assert log.rejected["reason"].tolist() == ["formula_like_cell"] * 3
    assert log.sets["exercise_raw"].tolist() == ["-Push Up (Knees)", "+ Incline Curl (Dumbbell)"]


def test_row_by_row_reader_judges_extra_empty_fields_over_the_whole_file():
    from workout_pipeline.ingest.formats import records_to_frame

    good = ["2024-03-01", "Squat", "1"]
    # The shifted row is alone in its chunk: it must still be judged against the whole file.
    records = [good, good, good, ["2024-03-01", "Squat", "Barbell", ""], good[:2]]
    frame = records_to_frame(records, {"date": 0, "exercise": 1, "set_order": 2}, width=3, chunk_size=3)
    assert frame["reason"].tolist()[3:] == ["wrong_field_count", "wrong_field_count"]
    assert frame["reason"].isna().sum() == 3


@pytest.mark.parametrize("tail", ["", ",,\n"])  # uniform rows (pyarrow), or a short line (read row by row)
def test_a_line_with_text_only_in_a_column_not_read_is_a_row(tmp_path, tail):
    # "note" is no canonical column: a line with text there alone is still a row, never dropped
    # as blank; a line of bare delimiters is blank.
    text = ("athlete_id,performed_at,exercise_raw,set_index,weight_kg,reps,note\n"
            "alice,2024-01-13T18:00:00,Squat,0,100,5,\n,,,,,,hello\n,,,,,,\n" + tail)
    log = parse_log_file(_write(tmp_path, "canon.csv", text), "alice")
    _accounted(log)
    assert log.rows_in == 2 and len(log.sets) == 1
    assert log.rejected["reason"].tolist() == ["missing_date"]
