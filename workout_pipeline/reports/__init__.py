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


def render_markdown(template: str, context: Mapping[str, Any]) -> str:
    """Render one of the Markdown templates (`templates/`), names escaped with `escape_markdown`."""
    import re

    text = _environment(autoescape=False).get_template(template).render(**context)
    return re.sub(r"\n{3,}", "\n\n", text)  # template blocks leave blank lines; Markdown needs one


def recommendation_rows(recommendations: Any, exercise_ids: set[str], unit: str = "kg") -> list[dict[str, str]]:
    """The recommendations for the week's lifts only, as display text, loads in `unit`."""
    from workout_pipeline.program.loads import load_in_unit

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
            "next": f"{scheme} at {load_in_unit(load, unit)}" if load else scheme,
            "reason": str(plain(record.get("reason")) or ""),
            "last_date": str(last)[:10] if last else "",
        })
    return rows


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
    from workout_pipeline.program.report import muscle_rows, solver_line, week_days

    program = program.to_dict() if hasattr(program, "to_dict") else program
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    muscles = muscle_rows(program)
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
        "days": week_days(program),
        "muscles": muscles,
        "rec_keys": [key for key, _ in RECOMMENDATION_FIELDS],
        "rec_headers": [header for _, header in RECOMMENDATION_FIELDS],
        "rec_rows": recommendation_rows(recommendations, week_ids, str(program.get("unit") or "kg")),
        "plots": {name: path.name for name, path in plots.items()},
        "extra_plots": extra,
        "solver_line": solver_line(program),
    }
    images = {name: base64.b64encode(path.read_bytes()).decode("ascii") for name, path in plots.items()}
    markdown = render_markdown("report.md.j2", context)
    html = _environment(autoescape=True).get_template("report.html.j2").render(**context, images=images)
    markdown_path = write_text_atomic(markdown, out / "report.md")
    html_path = write_text_atomic(html, out / "report.html")
    return ProgramReport(markdown_path, html_path, volume_chart, plots, muscles)
