"""Hostile input: special files, links leaving a folder, out-of-range dates, non-finite
constraints, usage mistakes, output modes and Markdown injection. Each case ends in one
`error:` line or accounted rows, never a traceback or a hang."""

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workout_pipeline.atomic import write_text_atomic
from workout_pipeline.cli import main
from workout_pipeline.errors import InputError
from workout_pipeline.ingest import ingest_paths, load_store
from workout_pipeline.markdown import escape_md
from workout_pipeline.program.constraints import load_constraints

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
CLI = Path(sys.executable).with_name("workout-pipeline")


def _row(date="2024-03-01 18:00:00", exercise="Squat (Barbell)", order=1, reps=5):
    return f'{date},"A",1h,"{exercise}",{order},100,{reps},0,0,"","",\n'


def _export(path, *rows):
    path.write_text(HEADER + "".join(rows or [_row()]), encoding="utf-8")
    return path


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def _cli(*args, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


# --- special files and links -----------------------------------------------------------------


def test_fifo_and_device_are_rejected_without_opening(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _export(folder / "alice.csv")
    os.mkfifo(folder / "pipe.csv")  # inside a folder
    os.mkfifo(tmp_path / "direct.csv")  # given directly
    # A FIFO that is opened blocks for ever: the timeout turns a regression into a failure.
    done = _cli("ingest", folder, tmp_path / "direct.csv", "/dev/zero", "--out", tmp_path / "out", timeout=90)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    errors = {Path(e["file"]).name: e["error"] for e in summary["per_file"] if e["error"]}
    assert errors == {
        "pipe.csv": f"{folder / 'pipe.csv'} is a FIFO, not a log file; not opened",
        "direct.csv": f"{tmp_path / 'direct.csv'} is a FIFO, not a log file; not opened",
        "zero": "/dev/zero is a character device, not a log file; not opened",
    }
    assert summary["valid"] == 1 and summary["athletes"] == ["alice"]
    only_special = _cli("ingest", tmp_path / "direct.csv", "--out", tmp_path / "out2", timeout=90)
    assert only_special.returncode == 2 and "FIFO" in _one_error_line(only_special.stderr)


def test_links_leaving_the_folder_are_skipped_and_content_never_echoed(tmp_path):
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-LINE,do not print\n")
    _export(secret.parent / "real.csv")
    folder = tmp_path / "in"
    (folder / "bob").mkdir(parents=True)
    _export(folder / "alice.csv")
    os.symlink(secret, folder / "leak.csv")
    os.symlink(secret.parent, folder / "carol")  # a subfolder link leaving the folder
    os.symlink(folder / "alice.csv", folder / "bob" / "inside.csv")  # stays inside: read
    report = ingest_paths([folder])
    assert report.summary["skipped"] == [
        {"file": str(folder / "leak.csv"), "reason": f"a link that leaves {folder}"},
        {"file": str(folder / "carol"), "reason": f"a link that leaves {folder}"},
    ]
    assert report.summary["athletes"] == ["alice", "bob"]
    # Given directly, an unknown file is an error that names it without echoing its content.
    direct = ingest_paths([secret])
    error = direct.summary["per_file"][0]["error"]
    assert "unknown format" in error and "TOP-SECRET" not in error and "do not print" not in error


def test_every_visible_folder_entry_is_read_or_noted(tmp_path):
    """Files that are not exports and folders nested too deep are listed under `skipped`."""
    folder = tmp_path / "in"
    (folder / "bob" / "old").mkdir(parents=True)
    _export(folder / "alice.csv")
    _export(folder / "bob" / "strong.csv")
    (folder / "notes.json").write_text("{}")
    (folder / "bob" / "LICENSE").write_text("text")
    (folder / ".hidden.csv").write_text("x")
    report = ingest_paths([folder])
    assert report.summary["athletes"] == ["alice", "bob"]
    assert sorted((Path(s["file"]).relative_to(folder).as_posix(), s["reason"].split(" (")[0])
                  for s in report.summary["skipped"]) == [
        ("bob/LICENSE", "not a log file"), ("bob/old", "a folder two levels down"), ("notes.json", "not a log file")]


# --- dates and the per-file guard ------------------------------------------------------------


def test_far_dates_are_quarantined_and_the_other_files_go_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _export(folder / "alice.csv", _row(), _row(date="2300-01-01 10:00:00", order=2), _row(date="0001-01-01 10:00:00", order=3))
    _export(folder / "bob.csv", _row(date="9999-12-31 23:00:00"), _row(date="1500-06-01 10:00:00", order=2))
    _export(folder / "carol.csv")
    report = ingest_paths([folder], out_dir=tmp_path / "out")
    assert report.summary["by_reason"] == {"date_out_of_range": 4}
    assert report.summary["valid"] == 2 and report.summary["rows_in"] == 6
    validated, quarantined = load_store(tmp_path / "out")
    assert sorted(validated["athlete_id"]) == ["alice", "carol"]
    assert sorted(quarantined["performed_at"].dt.year) == [1, 1500, 2300, 9999]


def test_a_file_that_breaks_validation_stops_only_itself(tmp_path, monkeypatch):
    from workout_pipeline.ingest import pipeline, validate

    real = validate.validate_sets

    def fragile(frame, now=None):
        if (frame["athlete_id"] == "bob").any():
            raise RuntimeError("boom")
        return real(frame, now)

    monkeypatch.setattr(pipeline, "validate_many", lambda frames, now=None: (_ for _ in ()).throw(RuntimeError("x")))
    monkeypatch.setattr(pipeline, "validate_sets", fragile)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("alice", "bob", "carol"):
        _export(folder / f"{name}.csv")
    report = ingest_paths([folder], out_dir=tmp_path / "out")
    errors = {e["athlete"]: e["error"] for e in report.summary["per_file"]}
    assert errors == {"alice": None, "bob": "bob.csv: could not validate (RuntimeError)", "carol": None}
    assert sorted(load_store(tmp_path / "out")[0]["athlete_id"]) == ["alice", "carol"]


# --- constraints and usage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"training_days": float("inf")}, "training_days"),
        ({"training_days": float("nan")}, "training_days"),
        ({"min_sets": float("-inf")}, "min_sets"),
        ({"max_sets": 10**400}, "max_sets"),
        ({"secondary_weight": float("nan")}, "secondary_weight"),
        ({"session_minutes": float("inf")}, "session_minutes"),
        ({"targets": {"chest": float("inf")}}, "targets.chest"),
        ({"split": {"push": float("nan")}}, "push"),
    ],
)
def test_non_finite_constraints_name_their_key(raw, key):
    with pytest.raises(InputError, match=rf"constraints key {key} ") as caught:
        load_constraints(raw)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        ("c.yaml", "training_days: .inf\n", "training_days"),
        ("c.yaml", "training_days: .nan\n", "training_days"),
        ("c.json", '{"training_days": 1e999}', "training_days"),
        ("c.json", '{"min_sets": 1e400}', "min_sets"),
    ],
)
def test_program_cli_non_finite_is_one_line_exit_2(tmp_path, name, text, key):
    (tmp_path / name).write_text(text)
    done = CliRunner().invoke(main, ["program", "--targets", str(tmp_path / name), "--out", str(tmp_path / "p")])
    assert done.exit_code == 2
    assert f"constraints key {key}" in _one_error_line(done.stderr)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["ingest"],
        ["ingest", "x.csv"],
        ["ingest", "x.csv", "--out", "{file}"],
        ["ingest", "x.csv", "--out", "o", "--unit", "stone"],
        ["evaluate"],
        ["evaluate", "x.csv", "--out", "o", "--seed", "many"],
        ["program", "--out", "{file}"],
        ["program", "--nope"],
        ["demo", "--nope"],
    ],
)
def test_usage_mistakes_are_one_error_line_exit_2(tmp_path, args):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    done = CliRunner().invoke(main, [arg.replace("{file}", str(a_file)) for arg in args])
    assert done.exit_code == 2, done.output
    _one_error_line(done.stderr)
    assert done.stdout == ""


def test_out_that_is_a_file_in_a_real_process(tmp_path):
    (tmp_path / "a_file").write_text("x")
    done = _cli("ingest", _export(tmp_path / "alice.csv"), "--out", tmp_path / "a_file")
    assert done.returncode == 2 and "is a file" in _one_error_line(done.stderr)


# --- output modes and Markdown ---------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_respect_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_text_atomic("hello", tmp_path / "out.txt")
        ingest_paths([_export(tmp_path / "alice.csv")], out_dir=tmp_path / "store")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "store" / "validated_sets.parquet").stat().st_mode) == mode


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("Dips | weighted", "Dips \\| weighted"),
        ("**bold** _it_ `code` ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("- not a list", "\\- not a list"),
        ("2024 plan", "2024 plan"),
        ("two\nlines &amp;", "two lines \\&amp;"),
        ("Squat (Barbell)", "Squat (Barbell)"),
    ],
)
def test_escape_md(name, shown):
    assert escape_md(name) == shown


def test_markdown_outputs_escape_names(tmp_path):
    from workout_pipeline.program.report import render_program_markdown
    from workout_pipeline.reports import write_program_report

    evil = "<img src=x onerror=alert(1)>"
    program = {"formulation": "fast", "status": "optimal", "objective": 1.0, "gap": 0.0, "solve_seconds": 0.1,
               "n_exercises_considered": 1, "athlete_id": evil, "muscles": {},
               "days": [{"weekday": "Mon", "type": "push",
                         "exercises": [{"name": evil, "sets": 3, "reps": 8, "load_kg": None, "rest_s": 90.0}]}]}
    text = render_program_markdown(program)
    assert evil not in text and "\\<img" in text
    recommendations = pd.DataFrame({"athlete_id": ["a"], "exercise_raw": [evil], "exercise_id": [None],
                                    "last_date": pd.to_datetime(["2025-06-01"]), "weight_kg": [80.0], "reps": [8]})
    program["days"][0]["exercises"][0]["exercise_id"] = "x"
    program["muscles"] = {"chest": {"effective_sets": 3.0, "target": 12, "hard_minimum": None, "sessions": 1}}
    markdown = write_program_report(evil, program, recommendations, tmp_path / "r").markdown_path.read_text()
    assert evil not in markdown and markdown.count("\\<img") >= 2


def test_many_files_parse_in_workers_with_the_same_result(tmp_path, monkeypatch):
    from workout_pipeline.ingest import pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    files = 10
    for number in range(files):
        _export(folder / f"lifter{number:03d}.csv", _row(order=1, reps=5 + number % 3), _row(order=2, reps=250))
    (folder / "broken.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 4)  # the real threshold is 64 files
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0, 1})  # workers even on one core
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    in_workers = ingest_paths([folder])
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime > children_cpu  # worker processes did run
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 10**9)
    in_process = ingest_paths([folder])
    assert in_workers.summary == in_process.summary
    assert in_workers.summary["valid"] == files and in_workers.summary["quarantined"] == files
    assert [e["error"] for e in in_workers.summary["per_file"] if e["error"]] == ["broken.csv is a PNG image, not a CSV export"]


# --- absurd numbers in any cell ----------------------------------------------------------------
ABSURD = ("99999999999999999999", "-99999999999999999999", "1e308", "1e400", "inf", "nan",
          "12345678901234567890123456789012345678901234567890")


@pytest.mark.parametrize("fmt", ["strong_classic", "strong_v6", "hevy", "fitnotes", "fitbod", "canonical"])
def test_absurd_numbers_in_any_cell_stay_in_their_row(tmp_path, fmt):
    """A 20-digit rep count or a 1e308 load in one cell quarantines (or keeps) that row; the file
    still parses, every row is accounted for, and numpy prints no overflow warnings."""
    import csv
    import io
    import warnings

    from workout_pipeline.ingest import parse_log_file
    from workout_pipeline.simulate.athletes import simulate_sets
    from workout_pipeline.simulate.writers import write_export

    base = write_export(simulate_sets(12, weeks=1, seed=3).sets, tmp_path / "base.csv", fmt)
    text = base.read_text(encoding="utf-8")
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    expected = parse_log_file(base, athlete_id="a")
    assert expected.error is None and expected.rows_in == len(rows) - 1
    for col in range(len(rows[0])):
        for value in ABSURD:
            changed = [list(row) for row in rows]
            changed[1][col] = value
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(changed)
            path = tmp_path / f"{fmt}.csv"
            path.write_text(buffer.getvalue(), encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                parsed = parse_log_file(path, athlete_id="a")
            assert parsed.error is None, (rows[0][col], value, parsed.error)
            assert parsed.rows_in == expected.rows_in, (rows[0][col], value)
            accounted = len(parsed.sets) + len(parsed.rejected) + parsed.non_set_rows
            assert accounted == parsed.rows_in + parsed.expanded_sets, (rows[0][col], value)


def test_a_rest_timer_row_with_a_bad_cell_is_counted_once(tmp_path):
    """Quarantined with its reason, not also counted as a non-set row."""
    from workout_pipeline.ingest import parse_log_file

    timer = '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",Rest Timer,0,{reps},0,90,"","",\n'
    path = _export(tmp_path / "a.csv", _row(), timer.format(reps=0), _row(order=2), timer.format(reps="2300-01-01"))
    parsed = parse_log_file(path, athlete_id="a")
    assert (parsed.rows_in, len(parsed.sets), parsed.non_set_rows) == (4, 2, 1)
    assert parsed.rejected["reason"].tolist() == ["bad_number"]
    assert len(parsed.sets) + len(parsed.rejected) + parsed.non_set_rows == parsed.rows_in
