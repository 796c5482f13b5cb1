"""Program reports: Markdown + HTML from template files, plots beside them, escaping."""

import pandas as pd

from workout_pipeline.program.report import muscle_rows, render_program_markdown, week_days
from workout_pipeline.reports import escape_markdown, write_program_report

PROGRAM = {
    "status": "optimal",
    "objective": 3.2,
    "gap": 0.004,
    "solve_seconds": 1.2,
    "athlete_id": "alice",
    "days": [
        {
            "day": 1,
            "weekday": "Mon",
            "type": "push",
            "exercises": [
                {"exercise_id": "Barbell_Bench_Press", "name": "Bench Press <script>alert(1)</script>", "sets": 4, "reps": 8, "load_kg": 82.5, "rest_s": 150.0, "source": "model"},
                {"exercise_id": "Dips", "name": "Dips | weighted", "sets": 3, "reps": 10, "load_kg": None, "rest_s": 90.0, "source": "default"},
            ],
        },
        {"day": 2, "weekday": "Wed", "type": "legs", "exercises": [{"exercise_id": "Squat", "name": "Squat", "sets": 5, "reps": 5, "load_kg": 120.0, "rest_s": 180.0}]},
    ],
    "muscles": {
        "chest": {"effective_sets": 11.5, "target": 12, "hard_minimum": None, "sessions": 2},
        "quads": {"effective_sets": 5.0, "target": 12, "hard_minimum": 4, "sessions": 1},
    },
}


def recommendations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "athlete_id": ["alice", "alice", "alice"],
            "exercise_raw": ["Bench Press (Barbell)", "Squat (Barbell)", "Leg Extension (Machine)"],
            "exercise_id": ["Barbell_Bench_Press", "Squat", "leg_extension_machine"],
            "last_date": pd.to_datetime(["2025-06-01", "2025-06-02", "2025-06-02"]),
            "load_kg": [82.5, 120.0, 50.0],
            "reps": [8, 5, 12],
            "sets": [4, 5, 3],
            "reason": ["last 4x8 at 80 kg: +2.5 kg", "same load", "same load"],
        }
    )


def test_program_document_is_read_in_the_planner_layout():
    days = week_days(PROGRAM)
    assert [d["title"] for d in days] == ["Monday: push", "Wednesday: legs"]
    assert days[0]["exercises"][0]["load"] == "82.5 kg"
    assert days[0]["exercises"][1]["load"] == "-"
    assert days[0]["exercises"][0]["rest"] == "2.5 min"
    muscles = {row["muscle"]: row for row in muscle_rows(PROGRAM)}
    assert (muscles["quads"]["target"], muscles["quads"]["planned"]) == (12, 5.0)


def test_report_files_and_content(tmp_path):
    report = write_program_report("alice", PROGRAM, recommendations(), tmp_path / "alice")
    markdown = report.markdown_path.read_text()
    html = report.html_path.read_text()
    assert report.volume_chart is not None and report.volume_chart.read_bytes()[:4] == b"\x89PNG"
    assert "![weekly sets per muscle](weekly_volume.png)" in markdown
    assert "| Squat | 5 x 5 | 120 kg | 3 min |" in markdown
    assert "Dips \\| weighted" in markdown  # pipes escaped inside table cells
    assert "<script>" not in markdown and "\\<script\\>" in markdown  # names never become HTML
    assert "Bench Press (Barbell)" in markdown and "2025-06-01" in markdown
    # Only the week's lifts: the leg extension is not in this program.
    assert "Leg Extension" not in markdown and "Leg Extension" not in html
    assert "data:image/png;base64," in html  # the HTML is self-contained
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "proven gap 0.40%" in markdown and markdown.index("proven gap") > markdown.index("Weekly sets")
    # Written atomically: no temporary files left behind.
    assert sorted(p.name for p in (tmp_path / "alice").iterdir()) == ["report.html", "report.md", "weekly_volume.png"]


def test_empty_program_and_no_recommendations(tmp_path):
    report = write_program_report("bob", {"status": "feasible", "days": [], "muscles": {}}, pd.DataFrame(), tmp_path)
    markdown = report.markdown_path.read_text()
    assert "No training days" in markdown and "No model advice" in markdown
    assert report.volume_chart is None


def test_markdown_escaping():
    assert escape_markdown("a|b\nc") == "a\\|b c"
    assert escape_markdown("<img onerror=x>") == "\\<img onerror=x\\>"
    assert escape_markdown("[link](http://x)") == "\\[link\\](http://x)"


def test_program_md_and_report_md_show_the_same_week_table(tmp_path):
    """One rendering of the week (templates/week.md.j2) in program.md and report.md."""
    import re

    program_md = render_program_markdown(PROGRAM)
    report_md = write_program_report("alice", PROGRAM, recommendations(), tmp_path).markdown_path.read_text()
    week = program_md.split("## Weekly volume")[0]
    rows = re.findall(r"^\|.*\|$", week, flags=re.M)
    assert len(rows) == 2 * 2 + 3  # two days: header and rule each, three exercises
    assert all(row in report_md for row in rows)
    assert "| Squat | 5 x 5 | 120 kg | 3 min |" in program_md
    assert program_md.index("proven gap 0.40%") > program_md.index("Weekly volume")
    assert "\\<script\\>" in program_md and "<script>" not in program_md


def test_a_pound_lifters_report_shows_the_models_loads_in_pounds(tmp_path):
    program = {**PROGRAM, "unit": "lb"}
    markdown = write_program_report("alice", program, recommendations(), tmp_path).markdown_path.read_text()
    advice = markdown.split("## What the model says")[1]
    assert "4 x 8 at 181.9 lb" in advice and "5 x 5 at 264.6 lb" in advice  # 82.5 kg, 120 kg
    assert "at 82.5 kg" not in advice and "at 120 kg" not in advice


def test_a_one_day_week_reads_one_training_day():
    """'so this week has 1 training day', not '1 training days' (a lifter who trains once a week)."""
    one_day = {**PROGRAM, "days": PROGRAM["days"][1:],
               "routine": {"sessions_per_week": 1.12, "recent_weeks": 12, "last_session": "2021-11-08",
                           "rest_rule_off_because": None}}
    assert "so this week has 1 training day, laid out" in render_program_markdown(one_day)
    once = {**one_day, "routine": {**one_day["routine"], "sessions_per_week": 1.0}}
    assert "you trained once a week in your last 12 weeks" in render_program_markdown(once)
    assert "so this week has 2 training days, laid out" in render_program_markdown({**one_day, "days": PROGRAM["days"]})


def test_plots_draw_names_as_written_not_as_tex(tmp_path):
    """A lift logged as `Bench Press $\\foo$` (or an athlete id with `$`) is drawn as text: as TeX
    it stopped `evaluate` for every athlete with matplotlib's 'Unknown symbol: \\foo'."""
    from workout_pipeline.model.plots import plot_e1rm_history
    from workout_pipeline.reports.plots import plot_weekly_volume

    name, athlete = "Bench Press $\\foo$", "$x^$"
    features = pd.DataFrame({"athlete_id": [athlete] * 3, "exercise_key": ["bench"] * 3, "exercise_raw": [name] * 3,
                             "date": pd.to_datetime(["2025-01-01", "2025-01-04", "2025-01-08"]),
                             "e1rm": [100.0, 101.0, 102.0], "days_since_prev": [float("nan"), 3.0, 4.0]})
    recs = pd.DataFrame({"athlete_id": [athlete], "exercise_raw": [name], "last_date": pd.to_datetime(["2025-01-08"]),
                         "load_kg": [80.0], "reps": [8]})
    e1rm = plot_e1rm_history(features, recs, athlete, tmp_path / "e1rm.png")
    volume = plot_weekly_volume([{"muscle": "chest $\\foo$", "target": 10, "planned": 8}], tmp_path / "v.png", title=name)
    for path in (e1rm, volume):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_program_csv_cells_open_as_text_in_a_spreadsheet():
    """An exercise named `=HYPERLINK(...)` in the lifter's own catalog file, or `+`/`@`/`-` before
    a word, opens as text (a leading apostrophe); '-' (pick a load) and numbers stay."""
    import csv
    import io

    from workout_pipeline.program.report import render_program_csv

    names = ['=HYPERLINK("http://x","y")', "+Deadlift", "@Row", "-Push Up", "\tTab"]
    program = {**PROGRAM, "days": [{"day": 1, "weekday": "Mon", "type": "push", "exercises": [
        {"exercise_id": f"x{i}", "name": name, "sets": 3, "reps": 8, "load_kg": None, "rest_s": 90.0, "source": "default"}
        for i, name in enumerate(names)]}]}
    rows = list(csv.DictReader(io.StringIO(render_program_csv(program))))
    assert [row["exercise"] for row in rows] == ["'" + name for name in names]
    assert {row["load"] for row in rows} == {"-"} and {row["sets"] for row in rows} == {"3"}
