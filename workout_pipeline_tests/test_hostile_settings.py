"""Hostile hand-written settings: the constraints file, the alias file and --week-start.

YAML alias bombs, FIFOs and devices, oversized files, duplicate keys, values whose repr is huge,
week starts that are empty, zoned or out of range, and keys the objective would ignore. Each case
ends in one short `error:` line with exit code 2, never a traceback, a hang or exit 1."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workout_pipeline.cli import main
from workout_pipeline.errors import InputError
from workout_pipeline.program.constraints import load_constraints
from workout_pipeline.program.planner import next_monday, parse_week_start
from workout_pipeline.userfiles import MAX_SETTINGS_BYTES, SettingsSyntaxError, load_json, load_yaml

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
ROW = '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n'
CLI = Path(sys.executable).with_name("workout-pipeline")


def _one_error_line(stderr: str, longest: int = 400) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr[:2000]
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert len(lines[0]) <= longest, lines[0][:2000]
    return lines[0]


def _cli(*args, timeout=60, env=None):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), **(env or {})}
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def _program(*args):
    return CliRunner().invoke(main, ["program", *map(str, args)])


def _alias_bomb(key: str, levels: int) -> str:
    """`levels` + 1 anchors, each a list of ten aliases of the one before: 10**(levels+1) leaves."""
    lines = [f"{key}:", "  - &l0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _shared_lists(levels: int) -> list:
    value: list = ["a"] * 10
    for _ in range(levels):
        value = [value] * 10
    return value


# --- YAML alias bombs and huge values ----------------------------------------------------------


@pytest.mark.parametrize("key", ["deload", "training_days", "objective", "weekdays", "targets"])
def test_a_yaml_alias_bomb_is_one_short_line(tmp_path, key):
    bomb = tmp_path / "c.yaml"
    bomb.write_text(_alias_bomb(key, 6))  # 10**7 leaves in under 500 bytes
    assert bomb.stat().st_size < 500
    done = _program("--constraints", bomb, "--out", tmp_path / "p")
    assert done.exit_code == 2
    assert "aliases expand" in _one_error_line(done.stderr)


def test_load_yaml_refuses_big_expansions_cycles_and_duplicate_keys():
    with pytest.raises(SettingsSyntaxError, match="aliases expand the document by more than"):
        load_yaml(_alias_bomb("deload", 8))  # 10**9 leaves: never walked
    with pytest.raises(SettingsSyntaxError, match="refers to a node that holds it"):
        load_yaml("a: &x [1, *x]\n")
    with pytest.raises(SettingsSyntaxError, match=r"key 'deload' is given twice \(line 2"):
        load_yaml("deload: true\ndeload: false\n")
    with pytest.raises(SettingsSyntaxError, match="key 'deload' is given twice"):
        load_json('{"deload": true, "deload": false}')
    # what safe_load reads stays the same: a few aliases, merge keys that override, no python tags
    assert load_yaml("base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3}\nlist: [*b, *b]\n") == {
        "base": {"x": 1, "y": 2}, "use": {"x": 1, "y": 3}, "list": [{"x": 1, "y": 2}] * 2}
    with pytest.raises(SettingsSyntaxError):
        load_yaml("x: !!python/object/apply:os.system [echo]\n")
    with pytest.raises(SettingsSyntaxError):
        load_yaml("[" * 100_000)
    with pytest.raises(SettingsSyntaxError):
        load_json("[" * 100_000)


def test_a_huge_value_is_shown_short():
    for raw, key in (
        ({"deload": _shared_lists(5)}, "deload"),  # its repr alone is ~6 MB
        ({"objective": _shared_lists(5)}, "objective"),
        ({"training_days": _shared_lists(5)}, "training_days"),
        ({"max_sets": 10**5000}, "max_sets"),  # repr() of it raises ValueError
        ({"targets": {"x" * 1_000_000: 1}}, "targets"),
        ({"weekdays": ["x" * 1_000_000]}, "weekdays"),
        ({"equipment": ["x" * 1_000_000]}, "equipment"),
        ({"x" * 1_000_000: 1}, "unknown constraints key"),
        ({f"k{i}": 1 for i in range(10_000)}, "unknown constraints key"),
    ):
        with pytest.raises(InputError, match=key) as caught:
            load_constraints(raw)
        assert len(str(caught.value)) < 300 and "\n" not in str(caught.value), key


# --- FIFOs, devices and big files --------------------------------------------------------------


def test_a_fifo_or_device_as_the_constraints_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "ff.yaml")
    # Opening a FIFO blocks for ever: the timeout turns a regression into a failure.
    for args, env in (
        (["--constraints", tmp_path / "ff.yaml"], None),
        ([], {"WORKOUT_PIPELINE_CONSTRAINTS": str(tmp_path / "ff.yaml")}),
    ):
        done = _cli("program", *args, "--out", tmp_path / "p", timeout=60, env=env)
        assert done.returncode == 2
        assert "ff.yaml: it is a FIFO, not a regular file" in _one_error_line(done.stderr)
    zero = _program("--constraints", "/dev/zero", "--out", tmp_path / "p")
    assert zero.exit_code == 2
    assert "/dev/zero: it is a character device" in _one_error_line(zero.stderr)
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (MAX_SETTINGS_BYTES // 10 + 1))
    done = _program("--constraints", big, "--out", tmp_path / "p")
    assert done.exit_code == 2 and "larger than 1 MiB" in _one_error_line(done.stderr)
    folder = _program("--constraints", tmp_path, "--out", tmp_path / "p")  # click refuses it first
    assert folder.exit_code == 2
    _one_error_line(folder.stderr)


def test_a_fifo_device_or_deep_file_as_the_alias_file_is_refused(tmp_path):
    export = tmp_path / "kim.csv"
    export.write_text(HEADER + ROW, encoding="utf-8")
    os.mkfifo(tmp_path / "ff.csv")
    for args, env in (
        (["--aliases", tmp_path / "ff.csv"], None),
        ([], {"WORKOUT_PIPELINE_ALIASES": str(tmp_path / "ff.csv")}),
    ):
        done = _cli("ingest", export, "--out", tmp_path / "o", *args, timeout=60, env=env)
        assert done.returncode == 2
        assert "cannot read alias file" in _one_error_line(done.stderr) and "FIFO" in done.stderr
    zero = CliRunner().invoke(main, ["ingest", str(export), "--out", str(tmp_path / "o"), "--aliases", "/dev/zero"])
    assert zero.exit_code == 2 and "character device" in _one_error_line(zero.stderr)
    for name in ("deep.json", "deep.yaml"):
        (tmp_path / name).write_text("[" * 100_000)
        deep = CliRunner().invoke(main, ["ingest", str(export), "--out", str(tmp_path / "o"), "--aliases", str(tmp_path / name)])
        assert deep.exit_code == 2 and "alias file is not valid" in _one_error_line(deep.stderr)


# --- --week-start ------------------------------------------------------------------------------


def test_a_bad_week_start_is_one_line_exit_2(tmp_path):
    for value, message in (
        ("", "is empty"),
        ("   ", "is empty"),
        ("1900-01-01", "outside 1990.."),
        ("1989-12-31", "outside 1990.."),
        ("2999-01-01", "outside 1990.."),
        ("next tuesday", "is not a date"),
        ("2026-02-30", "is not a date"),
        ("99999-01-01", "is not a date"),
    ):
        done = _program("--week-start", value, "--out", tmp_path / "p")
        assert done.exit_code == 2, (value, done.stderr)
        line = _one_error_line(done.stderr)
        assert line.startswith("error: --week-start ") and message in line, line


def test_a_zoned_week_start_takes_its_own_calendar_date():
    # 23:30 on Wednesday in UTC-8 is Thursday in UTC: the week is the one of the date written.
    monday = next_monday("2026-07-29T23:30-08:00")
    assert monday == pd.Timestamp("2026-07-27") and monday.tzinfo is None
    assert next_monday("2026-08-02T10:00+05:00") == pd.Timestamp("2026-07-27")
    assert parse_week_start(pd.Timestamp("2026-07-29 10:00", tz="Asia/Tokyo")) == pd.Timestamp("2026-07-29")
    assert next_monday(" 2026-07-29 ") == pd.Timestamp("2026-07-27")
    with pytest.raises(InputError, match="week_start"):
        next_monday(pd.NaT)


# --- keys the objective ignores, weekday names, exercise kinds ---------------------------------


def test_a_split_under_the_routine_objective_is_an_error(tmp_path):
    with pytest.raises(InputError, match="split applies to objective: seed"):
        load_constraints({"split": {"pull": 1, "push": 0, "legs": 0}})
    with pytest.raises(InputError, match="split applies to objective: seed"):
        load_constraints({"objective": "routine", "training_days": 3, "split": {"push": 2, "pull": 2, "legs": 2}})
    # the default for the days given is no instruction; the seed objective reads any split
    assert load_constraints({"training_days": 6, "split": {"push": 2, "pull": 2, "legs": 2}}).objective == "routine"
    assert load_constraints({"objective": "seed", "split": {"pull": 1, "push": 0, "legs": 0}}).split["pull"] == 1
    # a routine program's constraints (the routine may change training_days) read back as they are
    routine = dataclasses.replace(load_constraints({}), training_days=3, weekdays=("Mon", "Wed", "Fri"))
    assert "split" not in routine.to_dict()
    assert load_constraints(routine.to_dict()).training_days == 3
    assert "split" in load_constraints({"objective": "seed"}).to_dict()
    (tmp_path / "c.yaml").write_text("split: {pull: 1, push: 0, legs: 0}\n")
    done = _program("--constraints", tmp_path / "c.yaml", "--out", tmp_path / "p")
    assert done.exit_code == 2 and "split applies to objective: seed" in _one_error_line(done.stderr)


def test_weekday_names_and_exercise_kinds_are_checked():
    for names in (["Monkey"], ["Mon", "Frisbee"], ["Sa"], ["tuesdays"]):
        with pytest.raises(InputError, match="unknown weekday"):
            load_constraints({"weekdays": names})
    c = load_constraints({"weekdays": ["monday", "Tues", "THURS", "Sat", " sunday "]})
    assert c.weekdays == ("Mon", "Tue", "Thu", "Sat", "Sun") and c.training_days == 5
    with pytest.raises(InputError, match="unknown kind.*bogus.*known: strength"):
        load_constraints({"exercise_kinds": ["strength", "bogus"]})
    assert load_constraints({"exercise_kinds": ["Olympic Weightlifting"]}).exercise_kinds == ("olympic_weightlifting",)


def test_a_key_given_twice_in_a_constraints_file_is_an_error(tmp_path):
    (tmp_path / "c.yaml").write_text("deload: true\ntraining_days: 3\ndeload: false\n")
    (tmp_path / "c.json").write_text('{"deload": true, "deload": false}')
    for name in ("c.yaml", "c.json"):
        done = _program("--constraints", tmp_path / name, "--out", tmp_path / "p")
        assert done.exit_code == 2 and "key 'deload' is given twice" in _one_error_line(done.stderr)
