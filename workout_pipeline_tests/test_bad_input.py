"""Malformed input: every file gives accounted rows or a one-line error, never a traceback.

The bad files are generated here (small, deterministic). A few cases run the real
`workout-pipeline` executable in a subprocess; the rest use click's CliRunner in-process.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workout_pipeline.cli import main

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
GOOD = [
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n',
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",2,100,5,0,0,"","",\n',
    '2024-03-01 18:00:00,"A",1h,"Bench Press (Barbell)",1,70,8,0,0,"","",\n',
]
CLI = Path(sys.executable).with_name("workout-pipeline")


def _row(date="2024-03-01 18:00:00", exercise='"Squat (Barbell)"', order="3", weight="100", reps="5", rpe=""):
    return f'{date},"A",1h,{exercise},{order},{weight},{reps},0,0,"","",{rpe}\n'


# name -> (bytes, expected): expected is ("error", fragment of the message) or
# ("rows", {reason: count}) for a file whose rows are all accounted (plus the 3 good rows).
CASES = {
    "zero_byte.csv": (b"", ("error", "empty")),
    "blank_lines.csv": (b"\n\r\n   \n", ("error", "empty")),
    "image.csv": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ("error", "PNG image")),
    "workbook.csv": (b"PK\x03\x04" + b"\x00" * 200, ("error", "zip archive")),
    "garbage.csv": (bytes((i * 37 + 11) % 256 for i in range(4000)), ("error", "")),
    "broken.parquet": (b"PAR1" + b"\x00garbage" * 20, ("error", "Parquet")),
    "one_huge_line.csv": (b"x" * 1_000_000, ("error", "unknown format")),
    "unknown_format.csv": (b"foo,bar,baz\n1,2,3\n4,5,6\n", ("error", "unknown format")),
    "missing_reps_column.csv": (
        b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight\n2024-03-01 18:00:00,A,1h,Squat,1,100\n",
        ("error", "missing required column(s): reps")),
    "header_only.csv": (HEADER.encode(), ("rows", {})),
    "truncated_mid_row.csv": ((HEADER + "".join(GOOD) + '2024-03-01 18:00:00,"A",1h,"Squat (Bar').encode(),
                              ("rows", {"wrong_field_count": 1})),
    # Text only in a 13th, unnamed field: a row (counted, quarantined), not a blank line.
    "text_in_extra_field.csv": ((HEADER + "".join(GOOD) + ",,,,,,,,,,,,SOMETHING\n" + ",,,,,,,,,,,\n").encode(),
                                ("rows", {"wrong_field_count": 1})),
    "shifted_columns.csv": ((HEADER + "".join(GOOD) + _row(exercise='"Squat", "Barbell"')).encode(),
                            ("rows", {"wrong_field_count": 1})),
    "absurd_values.csv": ((HEADER + "".join(GOOD) + _row(reps="9999") + _row(order="4", weight="5000")
                           + _row(order="5", rpe="42") + _row(order="6", reps="-3")).encode(),
                          ("rows", {"reps_out_of_range": 2, "weight_out_of_range": 1, "rpe_out_of_range": 1})),
    "future_dates.csv": ((HEADER + "".join(GOOD) + _row(date="2099-01-01 10:00:00")).encode(),
                         ("rows", {"date_out_of_range": 1})),
    "before_1990.csv": ((HEADER + "".join(GOOD) + _row(date="1985-05-05 10:00:00")).encode(),
                        ("rows", {"date_out_of_range": 1})),
    # Years a nanosecond timestamp cannot hold (it ends in 2262) must not stop anything.
    "far_dates.csv": ((HEADER + "".join(GOOD) + _row(date="2300-01-01 10:00:00") + _row(order="4", date="1500-06-01 10:00:00")
                       + _row(order="5", date="0001-03-01 10:00:00") + _row(order="6", date="9999-12-31 10:00:00")).encode(),
                      ("rows", {"date_out_of_range": 4})),
    "bad_dates.csv": ((HEADER + "".join(GOOD) + _row(date="someday") + _row(date="")).encode(),
                      ("rows", {"unparseable_date": 1, "missing_date": 1})),
    # Clock times no clock shows are unreadable, not rolled into the next hour or day.
    "impossible_times.csv": ((HEADER + "".join(GOOD) + _row(date='"Jan 13, 2024 12:99 PM"')
                              + _row(date="13/01/2024 99:99") + _row(date='"13 Jan 2024, 30:75"')
                              + _row(date='"Jan 13, 2024 13:30 PM"') + _row(date="2024年1月13日 24:00")
                              + _row(date="13.01.2024 10:00:60")).encode(),
                             ("rows", {"unparseable_date": 6})),
    "duplicates.csv": ((HEADER + "".join(GOOD) + GOOD[0] + GOOD[0]).encode(), ("rows", {"duplicate": 2})),
    "bad_numbers.csv": ((HEADER + "".join(GOOD) + _row(reps="five") + _row(order="4", weight="1OO")
                         + _row(order="5", reps="7.5")).encode(),
                        ("rows", {"bad_number": 2, "non_integer_reps": 1})),
    "formula_cells.csv": ((HEADER + "".join(GOOD) + _row(exercise="\"=cmd|' /C calc'!A0\"")
                           + _row(order="4", weight="=1+1")).encode(),
                          ("rows", {"formula_like_cell": 1, "bad_number": 1})),
    "missing_exercise.csv": ((HEADER + "".join(GOOD) + _row(exercise='""')).encode(), ("rows", {"missing_exercise": 1})),
    "unknown_set_order.csv": ((HEADER + "".join(GOOD) + _row(order="X")).encode(), ("rows", {"unknown_set_order": 1})),
    "utf16.csv": ((HEADER + "".join(GOOD)).encode("utf-16"), ("rows", {})),
    "cp1252.csv": ((HEADER + "".join(GOOD) + _row(exercise='"Développé couché – barre"')).encode("cp1252"),
                   ("rows", {})),
}


def _write(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CASES[name][0])
    return path


def _check_one_line_error(stderr: str, fragment: str):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert fragment in lines[0]
    assert "Traceback" not in stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_alone(tmp_path, name):
    path = _write(tmp_path, name)
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(tmp_path / "out"), "--unit", "kg"])
    kind, expected = CASES[name][1]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if kind == "error":
        assert result.exit_code == 2
        _check_one_line_error(result.stderr, expected)
        return
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    (entry,) = summary["per_file"]
    assert entry["error"] is None
    assert entry["rows_in"] == entry["valid"] + entry["quarantined"] + entry["non_set_rows"]
    assert summary["by_reason"] == expected
    assert entry["valid"] == (0 if name == "header_only.csv" else len(GOOD) + (name == "cp1252.csv"))


def test_a_directory_and_a_missing_path(tmp_path):
    (tmp_path / "empty_dir").mkdir()
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "empty_dir"), str(tmp_path / "nope.csv"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    _check_one_line_error(result.stderr, "no log files")


def test_bad_files_do_not_stop_good_ones_real_cli(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("zero_byte.csv", "image.csv", "absurd_values.csv", "one_huge_line.csv"):
        (inbox / name).write_bytes(CASES[name][0])
    (inbox / "alice.csv").write_text(HEADER + "".join(GOOD), encoding="utf-8")
    (inbox / "notes.md").write_text("not a log, not picked up")
    done = subprocess.run([str(CLI), "ingest", str(inbox), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    by_file = {Path(entry["file"]).name: entry for entry in summary["per_file"]}
    assert set(by_file) == {"zero_byte.csv", "image.csv", "absurd_values.csv", "one_huge_line.csv", "alice.csv"}
    assert by_file["alice.csv"]["valid"] == 3 and by_file["alice.csv"]["athlete"] == "alice"
    assert by_file["absurd_values.csv"]["quarantined"] == 4
    assert all(by_file[n]["error"] for n in ("zero_byte.csv", "image.csv", "one_huge_line.csv"))
    assert summary["valid"] == 6 and summary["quarantined"] == 4
    assert summary["athletes"] == ["absurd_values", "alice"]
    assert (tmp_path / "out" / "validated_sets.parquet").exists()


@pytest.mark.parametrize("name", ["zero_byte.csv", "one_huge_line.csv"])
def test_nothing_readable_exits_2_real_cli(tmp_path, name):
    path = _write(tmp_path, name)
    done = subprocess.run([str(CLI), "ingest", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    _check_one_line_error(done.stderr, "nothing could be read")
    assert not (tmp_path / "out" / "validated_sets.parquet").exists()


def test_bad_aliases_file_and_bad_unit(tmp_path):
    good = tmp_path / "alice.csv"
    good.write_text(HEADER + "".join(GOOD), encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,id\nBB bench,barbell_bench_press\n")
    result = CliRunner().invoke(main, ["ingest", str(good), "--out", str(tmp_path / "o"), "--aliases", str(aliases)])
    assert result.exit_code == 2
    _check_one_line_error(result.stderr, "exercise_raw,exercise_id")
    result = CliRunner().invoke(main, ["ingest", str(good), "--out", str(tmp_path / "o"), "--unit", "stone"])
    assert result.exit_code == 2 and "Traceback" not in result.output
