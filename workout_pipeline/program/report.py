"""Writing a solved program: `program.json`, `program.md`, `program.csv` and `program.ics`.

`program_week_rows` is the one table of the week (day, date, type, exercise, sets, reps, load,
unit, rest, source, reason) that the Markdown, the CSV, the Dagster metadata and the HTML
report all show.
"""

import csv
import io
from pathlib import Path
from typing import Any

from workout_pipeline.atomic import write_json_atomic, write_text_atomic
from workout_pipeline.markdown import escape_md

_DAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
WEEK_COLUMNS: tuple[str, ...] = ("day", "date", "day_type", "exercise", "sets", "reps", "load", "unit", "rest", "source", "reason")


def _data(result: Any) -> dict[str, Any]:
    return result.to_dict() if hasattr(result, "to_dict") else result


def _rest(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 30 == 0 else f"{seconds:.0f} s"


def program_week_rows(result: Any) -> list[dict[str, Any]]:
    """One row per prescribed exercise, in the order of the week (columns `WEEK_COLUMNS`)."""
    data = _data(result)
    unit = data.get("unit") or "kg"
    rows = []
    for day in data.get("days") or []:
        for e in day.get("exercises") or []:
            load = e.get("load_text")
            if load is None:
                load = "-" if e.get("load_kg") is None else f"{e['load_kg']:g} kg"
            rows.append({
                "day": _DAY_NAMES.get(day.get("weekday"), day.get("weekday")),
                "date": day.get("date") or "",
                "day_type": day.get("type", ""),
                "exercise": e.get("name", e.get("exercise_id")),
                "sets": int(e.get("sets") or 0),
                "reps": int(e.get("reps") or 0),
                "load": load,
                "unit": e.get("unit", unit),
                "rest": _rest(e.get("rest_s")),
                "source": e.get("source", ""),
                "reason": e.get("reason", ""),
            })
    return rows


def render_program_markdown(result: Any) -> str:
    """The week for the lifter: one table per day with dates, loads in their unit and one short
    reason per exercise; weekly volume per muscle; the solver details at the end."""
    data = _data(result)
    rows = program_week_rows(data)
    title = "# Your week" + (f" from {data['week_start']}" if data.get("week_start") else "")
    lines = [title + (" (deload week)" if data.get("deload") else ""), ""]
    if data.get("athlete_id"):
        lines += [f"Athlete: **{escape_md(data['athlete_id'])}**", ""]
    routine = data.get("routine")
    if routine:
        lines += [
            f"Built from your routine: you trained {routine['sessions_per_week']:g} times a week in your last "
            f"{routine.get('recent_weeks', 12)} weeks of training (last session {routine['last_session']}), "
            f"so this week has {len(data['days'])} training days, laid out like your sessions, with your staple lifts.",
            "",
        ]
    sources = {r["source"] for r in rows}
    by_day: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_day.setdefault((row["day"], row["date"], row["day_type"]), []).append(row)
    for (day, date, day_type), day_rows in by_day.items():
        total = sum(r["sets"] for r in day_rows)
        lines += [f"## {day} {date}: {escape_md(day_type)} ({total} sets)", ""]
        lines += ["| Exercise | Sets x reps | Load | Rest | Why |", "|---|---|---|---|---|"]
        for r in day_rows:
            lines.append(f"| {escape_md(r['exercise'])} | {r['sets']} x {r['reps']} | {escape_md(r['load'])} | "
                         f"{r['rest']} | {escape_md(r['reason'])} |")
        lines.append("")
    lines += ["## Weekly volume per muscle", "", "| Muscle | Effective sets | Target | Sessions |", "|---|---|---|---|"]
    for muscle, info in data["muscles"].items():
        target = "-" if info["target"] is None else f"{info['target']:g}"
        if info.get("hard_minimum") is not None:
            target += f" (at least {info['hard_minimum']:g})"
        lines.append(f"| {muscle.replace('_', ' ')} | {info['effective_sets']:g} | {target} | {info['sessions']} |")
    where = []
    if "model" in sources:
        where.append("'model' loads come from the progression model's recommendations")
    if "history" in sources:
        where.append("'history' loads come from your last top set (dated), reduced after a break")
    if "default" in sources:
        where.append("'-' means pick a load you can lift for the reps with 2-3 reps to spare")
    lines += ["", "Effective sets count 1 per set for a primary muscle and the secondary weight for a secondary one. "
              + ("; ".join(where) + "." if where else ""), ""]
    lines += [
        "## Solver details",
        "",
        f"Objective {escape_md(data.get('objective_name', 'seed'))} ({data['formulation']} formulation): status "
        f"**{data['status']}**, value {data['objective']:.4f}, proven gap {100 * data['gap']:.2f}%, "
        f"{data['solve_seconds']:.2f} s, {data['n_exercises_considered']} exercises considered.",
        "",
    ]
    return "\n".join(lines)


def render_program_csv(result: Any) -> str:
    """The week's rows as CSV (`WEEK_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(WEEK_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(program_week_rows(result))
    return buffer.getvalue()


def render_program_ics(result: Any) -> bytes:
    """An iCalendar file: one all-day event per training day, listing its exercises."""
    import datetime as dt

    from icalendar import Calendar, Event

    data = _data(result)
    calendar = Calendar()
    calendar.add("prodid", "-//workout-pipeline//weekly program//EN")
    calendar.add("version", "2.0")
    rows = program_week_rows(data)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    for day in data.get("days") or []:
        if not day.get("date"):
            continue
        date = dt.date.fromisoformat(day["date"])
        mine = [r for r in rows if r["date"] == day["date"]]
        event = Event()
        event.add("uid", f"{data.get('athlete_id') or 'program'}-{day['date']}@workout-pipeline")
        event.add("dtstamp", stamp)
        event.add("dtstart", date)
        event.add("dtend", date + dt.timedelta(days=1))
        event.add("summary", f"Training: {day.get('type', '')} ({len(mine)} exercises)")
        event.add("description", "\n".join(f"{r['exercise']}: {r['sets']} x {r['reps']}, {r['load']}, rest {r['rest']}" for r in mine))
        calendar.add_component(event)
    return calendar.to_ical()


def write_program(result: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write `program.json`, `program.md`, `program.csv` and `program.ics` into `out_dir` atomically.

    Returns:
        {"json": path, "markdown": path, "csv": path, "ics": path}
    """
    from workout_pipeline.atomic import atomic_path

    out_dir = Path(out_dir)
    paths = {
        "json": write_json_atomic(_data(result), out_dir / "program.json"),
        "markdown": write_text_atomic(render_program_markdown(result), out_dir / "program.md"),
        "csv": write_text_atomic(render_program_csv(result), out_dir / "program.csv"),
    }
    with atomic_path(out_dir / "program.ics") as tmp:
        Path(tmp).write_bytes(render_program_ics(result))
    paths["ics"] = out_dir / "program.ics"
    return paths
