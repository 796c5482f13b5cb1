"""Program reports: Markdown + HTML from a program document, plots beside them, escaping."""

import pandas as pd

from workout_pipeline.reports import program_days, program_muscles, render_report, write_program_report

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
            "athlete_id": ["alice", "alice"],
            "exercise_raw": ["Bench Press (Barbell)", "Squat (Barbell)"],
            "exercise_id": ["Barbell_Bench_Press", "Squat"],
            "last_date": pd.to_datetime(["2025-06-01", "2025-06-02"]),
            "weight_kg": [82.5, 120.0],
            "reps": [8, 5],
        }
    )


def test_program_document_is_read_in_the_planner_layout():
    days = program_days(PROGRAM)
    assert [d["name"] for d in days] == ["Mon", "Wed"]
    assert days[0]["exercises"][0]["weight_kg"] == 82.5
    assert days[0]["exercises"][1]["weight_kg"] is None
    muscles = {row["muscle"]: row for row in program_muscles(PROGRAM)}
    assert muscles["quads"] == {"muscle": "quads", "target": 12.0, "planned": 5.0}


def test_report_files_and_content(tmp_path):
    report = write_program_report("alice", PROGRAM, recommendations(), tmp_path / "alice")
    markdown = report.markdown_path.read_text()
    html = report.html_path.read_text()
    assert report.volume_chart is not None and report.volume_chart.read_bytes()[:4] == b"\x89PNG"
    assert "![weekly volume per muscle](weekly_volume.png)" in markdown
    assert "| Squat | 5 | 5 | 120.0 | 180 |" in markdown
    assert "Dips \\| weighted" in markdown  # pipes escaped inside table cells
    assert "Bench Press (Barbell)" in markdown and "2025-06-01" in markdown
    assert "data:image/png;base64," in html  # the HTML is self-contained
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "optimality gap 0.40%" in markdown
    # Written atomically: no temporary files left behind.
    assert sorted(p.name for p in (tmp_path / "alice").iterdir()) == ["report.html", "report.md", "weekly_volume.png"]


def test_empty_program_and_no_recommendations(tmp_path):
    report = write_program_report("bob", {"status": "feasible", "days": [], "muscles": {}}, pd.DataFrame(), tmp_path)
    markdown = report.markdown_path.read_text()
    assert "No training days" in markdown and "No recommendations" in markdown
    assert report.volume_chart is None


def test_render_report_is_pure():
    context = {
        "athlete_id": "x",
        "generated": "now",
        "status": "optimal",
        "gap": None,
        "days": program_days(PROGRAM),
        "muscles": program_muscles(PROGRAM),
        "rec_columns": [],
        "rec_rows": [],
        "plots": {},
        "extra_plots": [],
    }
    markdown, html = render_report(context)
    assert markdown.startswith("# Training report: x")
    assert "<h1>Training report: x</h1>" in html
