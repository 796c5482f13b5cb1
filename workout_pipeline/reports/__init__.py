"""Per-athlete program reports: Markdown and HTML (jinja2) with tables and PNG plots.

Plain functions (no Dagster): the `program_reports` asset and any script call
`write_program_report`. Plots are written as PNG files beside the report; the HTML embeds them
(base64) so it is one self-contained file, the Markdown links them by file name.
"""

import base64
import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workout_pipeline.atomic import atomic_path, write_text_atomic

# Columns of the recommendations table shown in reports (those present, in this order).
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "exercise_raw",
    "exercise_id",
    "last_date",
    "load_kg",
    "weight_kg",
    "reps",
    "sets",
    "rest_s",
    "confidence",
    "reason",
)


def atomic_png(target: str | Path) -> contextlib.AbstractContextManager[Path]:
    """Like `atomic_path`, but the temporary file keeps the `.png` suffix, because plotting
    functions pick the image format from the file name."""
    return atomic_path(target, suffix=Path(target).suffix or ".png")


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


def _first(mapping: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    return default


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def program_days(program: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Training days of a program document as `{name, type, exercises: [...]}` dicts.

    Each exercise is `{name, exercise_id, sets, reps, weight_kg, rest_s}` (missing values None).
    """
    days_raw = program.get("days") or []
    if isinstance(days_raw, Mapping):
        days_raw = [{"day": name, **(value if isinstance(value, Mapping) else {"exercises": value})} for name, value in days_raw.items()]
    days: list[dict[str, Any]] = []
    for index, day in enumerate(days_raw):
        if not isinstance(day, Mapping):
            continue
        exercises = []
        for item in _first(day, "exercises", "prescriptions", "items", default=[]) or []:
            if not isinstance(item, Mapping):
                continue
            exercises.append(
                {
                    "name": str(_first(item, "name", "exercise_name", "exercise_raw", "exercise_id", default="?")),
                    "exercise_id": _first(item, "exercise_id", "id"),
                    "sets": _first(item, "sets", "n_sets"),
                    "reps": _first(item, "reps", "target_reps"),
                    "weight_kg": _number(_first(item, "weight_kg", "load_kg", "load")),
                    "rest_s": _number(_first(item, "rest_s", "rest_seconds")),
                }
            )
        days.append(
            {
                "name": str(_first(day, "weekday", "day", "name", "label", default=f"Day {index + 1}")),
                "type": str(_first(day, "type", "day_type", "split", default="")),
                "minutes": _number(_first(day, "minutes", "session_minutes", "duration_min")),
                "exercises": exercises,
            }
        )
    return days


def program_muscles(program: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-muscle weekly volume of a program as `{muscle, target, planned}` rows."""
    raw = program.get("muscles") or {}
    rows: list[dict[str, Any]] = []
    if isinstance(raw, Mapping):
        items = [(name, value) for name, value in raw.items()]
    else:
        items = [(_first(value, "muscle", "name", default="?"), value) for value in raw if isinstance(value, Mapping)]
    for name, value in items:
        if isinstance(value, Mapping):
            planned = _number(_first(value, "effective_sets", "planned", "sets", "achieved", "contribution"))
            target = _number(_first(value, "target", "target_sets"))
        else:
            planned, target = _number(value), None
        rows.append({"muscle": str(name), "target": target, "planned": planned})
    return rows


def plot_weekly_volume(muscle_rows: Sequence[Mapping[str, Any]], path: str | Path, title: str = "") -> Path:
    """Horizontal bars of planned weekly sets per muscle, with the target marked.

    Args:
        muscle_rows: Rows from `program_muscles`.
        path: PNG file to write (atomically).
        title: Optional chart title.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [row for row in muscle_rows if row.get("planned") is not None or row.get("target") is not None]
    names = [str(row["muscle"]) for row in rows]
    planned = [row.get("planned") or 0.0 for row in rows]
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * max(len(rows), 4) + 1.2), dpi=100)
    try:
        positions = list(range(len(rows)))
        ax.barh(positions, planned, color="#4C72B0", label="planned sets")
        targets = [(pos, row["target"]) for pos, row in zip(positions, rows) if row.get("target") is not None]
        if targets:
            ax.scatter([t for _, t in targets], [p for p, _ in targets], marker="|", s=250, color="#C44E52", label="target", zorder=3)
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_xlabel("weekly sets (secondary muscles count partially)")
        ax.set_title(title or "Weekly volume per muscle")
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        with atomic_png(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return Path(path)


def recommendation_rows(recommendations: Any, limit: int = 40) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a recommendations DataFrame for the report tables."""
    if recommendations is None or len(recommendations) == 0:
        return [], []
    columns = [c for c in RECOMMENDATION_COLUMNS if c in recommendations.columns]
    if not columns:
        columns = [c for c in recommendations.columns if c != "athlete_id"][:8]
    rows = []
    for record in recommendations[columns].head(limit).to_dict("records"):
        rows.append({key: _display(value) for key, value in record.items()})
    return columns, rows


def _display(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.4g}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return "" if text in ("<NA>", "NaT", "nan") else text


_MARKDOWN_TEMPLATE = """# Training report: {{ athlete_id }}

Generated {{ generated }}. Solver status: **{{ status }}**{% if gap is not none %}, optimality gap {{ "%.2f"|format(gap * 100) }}%{% endif %}.

## Next week's program
{% for day in days %}
### {{ day.name }}{% if day.type %} ({{ day.type }}){% endif %}

| exercise | sets | reps | load (kg) | rest (s) |
|---|---|---|---|---|
{% for ex in day.exercises -%}
| {{ ex.name | md }} | {{ ex.sets if ex.sets is not none else "" }} | {{ ex.reps if ex.reps is not none else "" }} | {{ "%.1f"|format(ex.weight_kg) if ex.weight_kg is not none else "" }} | {{ "%.0f"|format(ex.rest_s) if ex.rest_s is not none else "" }} |
{% endfor %}
{% else %}
_No training days in this program._
{% endfor %}
## Weekly volume per muscle

{% if plots.get("weekly_volume") %}![weekly volume per muscle]({{ plots["weekly_volume"] }})
{% endif %}
| muscle | target sets | planned sets |
|---|---|---|
{% for row in muscles -%}
| {{ row.muscle }} | {{ "%.1f"|format(row.target) if row.target is not none else "" }} | {{ "%.1f"|format(row.planned) if row.planned is not none else "" }} |
{% endfor %}
## Recommendations for the next session

{% if rec_rows %}| {{ rec_columns | join(" | ") }} |
|{% for c in rec_columns %}---|{% endfor %}
{% for row in rec_rows -%}
| {% for c in rec_columns %}{{ row[c] | md }} | {% endfor %}
{% endfor %}{% else %}_No recommendations (not enough history)._
{% endif %}
{% for name, file in extra_plots %}
### {{ name }}

![{{ name }}]({{ file }})
{% endfor %}
"""

_HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Training report: {{ athlete_id }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; }
.meta { color: #555; }
</style></head>
<body>
<h1>Training report: {{ athlete_id }}</h1>
<p class="meta">Generated {{ generated }}. Solver status: <strong>{{ status }}</strong>{% if gap is not none %}, optimality gap {{ "%.2f"|format(gap * 100) }}%{% endif %}.</p>
<h2>Next week's program</h2>
{% for day in days %}
<h3>{{ day.name }}{% if day.type %} ({{ day.type }}){% endif %}</h3>
<table><tr><th>exercise</th><th>sets</th><th>reps</th><th>load (kg)</th><th>rest (s)</th></tr>
{% for ex in day.exercises %}<tr><td>{{ ex.name }}</td><td>{{ ex.sets if ex.sets is not none else "" }}</td><td>{{ ex.reps if ex.reps is not none else "" }}</td><td>{{ "%.1f"|format(ex.weight_kg) if ex.weight_kg is not none else "" }}</td><td>{{ "%.0f"|format(ex.rest_s) if ex.rest_s is not none else "" }}</td></tr>
{% endfor %}</table>
{% else %}<p><em>No training days in this program.</em></p>{% endfor %}
<h2>Weekly volume per muscle</h2>
{% if images.get("weekly_volume") %}<img alt="weekly volume per muscle" src="data:image/png;base64,{{ images["weekly_volume"] }}">{% endif %}
<table><tr><th>muscle</th><th>target sets</th><th>planned sets</th></tr>
{% for row in muscles %}<tr><td>{{ row.muscle }}</td><td>{{ "%.1f"|format(row.target) if row.target is not none else "" }}</td><td>{{ "%.1f"|format(row.planned) if row.planned is not none else "" }}</td></tr>
{% endfor %}</table>
<h2>Recommendations for the next session</h2>
{% if rec_rows %}<table><tr>{% for c in rec_columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rec_rows %}<tr>{% for c in rec_columns %}<td>{{ row[c] }}</td>{% endfor %}</tr>
{% endfor %}</table>{% else %}<p><em>No recommendations (not enough history).</em></p>{% endif %}
{% for name, file in extra_plots %}<h3>{{ name }}</h3><img alt="{{ name }}" src="data:image/png;base64,{{ images[name] }}">
{% endfor %}
</body></html>
"""


def _environment(autoescape: bool):
    import jinja2

    env = jinja2.Environment(autoescape=autoescape, undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=True)
    env.filters["md"] = lambda value: str(value).replace("|", "\\|").replace("\n", " ")
    return env


def render_report(context: Mapping[str, Any], images: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Render (Markdown, HTML) from a report context (see `write_program_report`)."""
    markdown = _environment(autoescape=False).from_string(_MARKDOWN_TEMPLATE).render(**context)
    html = _environment(autoescape=True).from_string(_HTML_TEMPLATE).render(**context, images=dict(images or {}))
    return markdown, html


def write_program_report(
    athlete_id: str,
    program: Mapping[str, Any],
    recommendations: Any,
    out_dir: str | Path,
    features: Any = None,
) -> ProgramReport:
    """Write `report.md`, `report.html` and the PNG plots for one athlete into `out_dir`.

    Args:
        athlete_id: The athlete (used in titles only).
        program: The program document (`ProgramResult.to_dict()`).
        recommendations: This athlete's recommendations DataFrame (may be empty).
        out_dir: Folder for the report files (created).
        features: This athlete's exercise features; when given, the model's e1RM history plot
            is added (`workout_pipeline.model.plot_e1rm_history`).

    Returns:
        The written paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    days = program_days(program)
    muscles = program_muscles(program)
    plots: dict[str, Path] = {}
    volume_chart = None
    if muscles:
        volume_chart = plot_weekly_volume(muscles, out / "weekly_volume.png", title=f"{athlete_id}: weekly sets per muscle")
        plots["weekly_volume"] = volume_chart
    extra: list[tuple[str, str]] = []
    if features is not None and len(features):
        history = _e1rm_plot(features, recommendations, athlete_id, out / "e1rm_history.png")
        plots["e1RM history"] = history
        extra.append(("e1RM history", history.name))
    columns, rows = recommendation_rows(recommendations)
    context = {
        "athlete_id": athlete_id,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "status": program.get("status", "unknown"),
        "gap": _number(program.get("gap")),
        "days": days,
        "muscles": muscles,
        "rec_columns": columns,
        "rec_rows": rows,
        "plots": {name: path.name for name, path in plots.items()},
        "extra_plots": extra,
    }
    images = {name: base64.b64encode(path.read_bytes()).decode("ascii") for name, path in plots.items()}
    markdown, html = render_report(context, images)
    markdown_path = write_text_atomic(markdown, out / "report.md")
    html_path = write_text_atomic(html, out / "report.html")
    return ProgramReport(markdown_path, html_path, volume_chart, plots, muscles)


def _e1rm_plot(features: Any, recommendations: Any, athlete_id: str, path: Path) -> Path:
    from workout_pipeline.model import plot_e1rm_history

    with atomic_png(path) as tmp:
        plot_e1rm_history(features, recommendations, athlete_id, tmp)
    return path
