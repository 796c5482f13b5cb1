"""Per-athlete reports: Markdown and HTML rendered from template files (`templates/`, jinja2).

`write_program_report` renders a solved program (`ProgramResult` or its `to_dict()`), the
athlete's recommendations for the week's lifts and their plots. Plain functions (no Dagster):
the `program_reports` asset calls them. The HTML embeds its plots (one self-contained file);
the Markdown links them by file name.
"""

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workout_pipeline.atomic import write_text_atomic
from workout_pipeline.jsonable import plain
from workout_pipeline.markdown import escape_md
from workout_pipeline.reports.plots import plot_weekly_volume

TEMPLATES_DIR = Path(__file__).parent / "templates"
# What the report shows of a recommendation: (column, header).
RECOMMENDATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("exercise_raw", "Lift"), ("next", "Next session"), ("reason", "Why"), ("last_date", "Last done"),
)


@dataclass
class ProgramReport:
    """Files written for one athlete's report.

    Attributes:
        markdown_path: The Markdown report.
        html_path: The self-contained HTML report.
        volume_chart: PNG of weekly sets per muscle vs target (None when the program has none).
        plots: Every PNG written, by name.
        muscle_rows: The per-muscle table (muscle, target, planned sets).
    """

    markdown_path: Path
    html_path: Path
    volume_chart: Path | None
    plots: dict[str, Path] = field(default_factory=dict)
    muscle_rows: list[dict[str, Any]] = field(default_factory=list)


def escape_markdown(value: Any) -> str:
    """Text safe inside a Markdown table cell: no table breaks, no HTML, no link or emphasis syntax."""
    return escape_md("" if value is None else value)  # the one implementation: workout_pipeline.markdown


def _environment(autoescape: bool):
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, lstrip_blocks=True)
    env.filters["md"] = escape_markdown
    return env


def report_days(program: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The week as report rows: `{title, exercises: [{name, sets, reps, load, rest, reason}]}`,
    from the program's one week table (`workout_pipeline.program.program_week_rows`)."""
    from workout_pipeline.program.report import program_week_rows

    days: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in program_week_rows(program):
        days.setdefault((row["day"], row["date"], row["day_type"]), []).append(
            {"name": row["exercise"], "sets": row["sets"], "reps": row["reps"], "load": row["load"], "rest": row["rest"],
             "reason": row["reason"] or row["source"]})
    return [{"title": " ".join(part for part in (day, date) if part) + f": {day_type}", "exercises": rows}
            for (day, date, day_type), rows in days.items()]


def report_muscles(program: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-muscle weekly volume as `{muscle, target, planned}` rows (numbers and display text)."""
    rows = []
    for muscle, info in (program.get("muscles") or {}).items():
        target, planned = info.get("target"), info.get("effective_sets")
        rows.append({
            "muscle": muscle.replace("_", " "),
            "target": target,
            "planned": planned,
            "target_text": "-" if target is None else f"{target:g}",
            "planned_text": "-" if planned is None else f"{planned:g}",
        })
    return rows


def recommendation_rows(recommendations: Any, exercise_ids: set[str]) -> list[dict[str, str]]:
    """The recommendations for the week's lifts only, as display text."""
    if recommendations is None or len(recommendations) == 0:
        return []
    rows = []
    for record in recommendations.to_dict("records"):
        if record.get("exercise_id") not in exercise_ids:
            continue
        load, reps, sets = plain(record.get("load_kg")), plain(record.get("reps")), plain(record.get("sets"))
        scheme = f"{sets:g} x {reps:g}" if sets is not None and reps is not None else ""
        last = plain(record.get("last_date"))
        rows.append({
            "exercise_raw": str(record.get("exercise_raw") or record.get("exercise_id")),
            "next": f"{scheme} at {load:g} kg" if load else scheme,
            "reason": str(plain(record.get("reason")) or ""),
            "last_date": str(last)[:10] if last else "",
        })
    return rows


def _solver_line(program: Mapping[str, Any]) -> str:
    gap = program.get("gap")
    return (f"Solver: status {program.get('status')}, objective {program.get('objective')}, "
            f"proven gap {100 * gap:.2f}%, {program.get('solve_seconds')} s." if gap is not None else
            f"Solver: status {program.get('status')}.")


def write_program_report(athlete_id: str, program: Any, recommendations: Any, out_dir: str | Path,
                         features: Any = None) -> ProgramReport:
    """Write `report.md`, `report.html` and the PNG plots for one athlete into `out_dir`.

    Args:
        athlete_id: The athlete (used in titles only).
        program: A `ProgramResult` or its `to_dict()` (`program.json`).
        recommendations: This athlete's recommendations DataFrame (may be empty).
        out_dir: Folder for the report files (created).
        features: This athlete's exercise features; when given, the e1RM history plot is added.

    Returns:
        The written paths.
    """
    from workout_pipeline.model import plot_e1rm_history

    program = program.to_dict() if hasattr(program, "to_dict") else program
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    muscles = report_muscles(program)
    plots: dict[str, Path] = {}
    volume_chart = None
    if muscles:
        volume_chart = plot_weekly_volume(muscles, out / "weekly_volume.png", title=f"{athlete_id}: weekly sets per muscle")
        plots["weekly_volume"] = volume_chart
    extra: list[tuple[str, str]] = []
    if features is not None and len(features):
        plots["e1RM history"] = plot_e1rm_history(features, recommendations, athlete_id, out / "e1rm_history.png")
        extra.append(("e1RM history", plots["e1RM history"].name))
    week_ids = {e["exercise_id"] for day in program["days"] for e in day["exercises"]}
    context = {
        "athlete_id": athlete_id,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "days": report_days(program),
        "muscles": muscles,
        "rec_keys": [key for key, _ in RECOMMENDATION_FIELDS],
        "rec_headers": [header for _, header in RECOMMENDATION_FIELDS],
        "rec_rows": recommendation_rows(recommendations, week_ids),
        "plots": {name: path.name for name, path in plots.items()},
        "extra_plots": extra,
        "solver_line": _solver_line(program),
    }
    images = {name: base64.b64encode(path.read_bytes()).decode("ascii") for name, path in plots.items()}
    markdown = _environment(autoescape=False).get_template("report.md.j2").render(**context)
    html = _environment(autoescape=True).get_template("report.html.j2").render(**context, images=images)
    markdown_path = write_text_atomic(markdown, out / "report.md")
    html_path = write_text_atomic(html, out / "report.html")
    return ProgramReport(markdown_path, html_path, volume_chart, plots, muscles)
