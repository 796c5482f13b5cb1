"""Writing a solved program: `program.json`, `program.md`, `program.csv` and `program.ics`.

`program_week_rows` is the one table of the week (day, date, type, exercise, sets, reps, load,
unit, rest, source, reason, set_reps) that the Markdown, the CSV, the Dagster metadata and the HTML
report all show.
"""

import csv
import io
import re
from pathlib import Path
from typing import Any

from workout_pipeline.atomic import atomic_outputs

_DAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
# `set_reps` last (added after the others): each set's reps where they fall ('5, 4, 4, 3'), else empty
WEEK_COLUMNS: tuple[str, ...] = ("day", "date", "day_type", "exercise", "sets", "reps", "load", "unit", "rest", "source", "reason",
                                  "set_reps")


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
                "set_reps": ", ".join(str(int(r)) for r in e.get("set_reps") or ()),
            })
    return rows


def scheme(row: dict[str, Any]) -> str:
    """'3 x 8', or '4 x 5, 4, 4, 3' where the reps fall over the sets (`set_reps`)."""
    return f"{row['sets']} x {row.get('set_reps') or row['reps']}"


def week_days(result: Any) -> list[dict[str, Any]]:
    """`program_week_rows` grouped by training day: [{title, total_sets, exercises: [{name, sets,
    reps, scheme, load, rest, reason}]}], what the week template (`reports/templates/week.md.j2`) shows."""
    days: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in program_week_rows(result):
        days.setdefault((row["day"], row["date"], row["day_type"]), []).append(
            {"name": row["exercise"], "sets": row["sets"], "reps": row["reps"], "scheme": scheme(row), "load": row["load"],
             "rest": row["rest"], "reason": row["reason"] or row["source"]})
    return [{"title": " ".join(part for part in (day, date) if part) + f": {day_type}",
             "total_sets": sum(e["sets"] for e in rows), "exercises": rows}
            for (day, date, day_type), rows in days.items()]


def muscle_rows(result: Any) -> list[dict[str, Any]]:
    """Weekly volume per muscle: {muscle, target, planned, sessions} with display text."""
    rows = []
    for muscle, info in (_data(result).get("muscles") or {}).items():
        target, planned = info.get("target"), info.get("effective_sets")
        target_text = "-" if target is None else f"{target:g}"
        if info.get("hard_minimum") is not None:
            target_text += f" (at least {info['hard_minimum']:g})"
        rows.append({"muscle": muscle.replace("_", " "), "target": target, "planned": planned,
                     "sessions": info.get("sessions", ""), "target_text": target_text,
                     "planned_text": "-" if planned is None else f"{planned:g}"})
    return rows


def solver_line(result: Any) -> str:
    """How the week was solved, in one line (shown last, for the curious)."""
    data = _data(result)
    if data.get("gap") is None or data.get("objective") is None:
        return f"Solver status {data.get('status')}."
    return (f"Objective {data.get('objective_name', 'seed')} ({data.get('formulation', 'fast')} formulation): status "
            f"{data['status']}, value {data['objective']:.4f}, proven gap {100 * data['gap']:.2f}%, "
            f"{data.get('solve_seconds', 0.0):.2f} s, {data.get('n_exercises_considered', 0)} exercises considered.")


def render_program_markdown(result: Any) -> str:
    """The week for the lifter (`reports/templates/program.md.j2`): one table per day with dates,
    loads in their unit and one short reason per exercise; weekly volume per muscle; the solver
    details at the end."""
    from workout_pipeline.program.plan import STARTER_REASON
    from workout_pipeline.reports import render_markdown

    data = _data(result)
    sources = {row["source"] for row in program_week_rows(data)}
    where = [text for source, text in (
        ("model", "'model' loads come from the progression model's recommendations"),
        ("history", "'history' loads come from your last top set (dated), reduced after a break"),
        ("default", "'-' means pick a load you can lift for the reps with 2-3 reps to spare"),
    ) if source in sources]
    routine = data.get("routine")
    if routine:
        routine = {**routine, "sessions_per_week": f"{routine['sessions_per_week']:g}",
                   "recent_weeks": routine.get("recent_weeks", 12)}
    days = week_days(data)
    starters = list(dict.fromkeys(e["name"] for day in data.get("days", []) for e in day["exercises"]
                                  if e.get("reason", "").startswith(STARTER_REASON)))
    return render_markdown("program.md.j2", {
        "week_start": data.get("week_start"), "deload": data.get("deload"), "athlete_id": data.get("athlete_id"),
        "routine": routine, "starters": starters, "days": days, "muscles": muscle_rows(data), "where": where,
        "solver_line": solver_line(data),
    })


def render_program_csv(result: Any) -> str:
    """The week's rows as CSV (`WEEK_COLUMNS`), every text cell safe to open in a spreadsheet
    (`spreadsheet_text`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(WEEK_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_text(value) for key, value in row.items()} for row in program_week_rows(result))
    return buffer.getvalue()


def spreadsheet_text(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: one starting like a formula (=, +, @, a tab or a
    carriage return, or - before anything but a number; an exercise named in the lifter's own
    catalog file as `=HYPERLINK(...)`) gets a leading apostrophe (OWASP's CSV-injection advice).
    "-" alone (pick a load) and numbers stay as they are."""
    if not isinstance(value, str) or not value or value == "-":
        return value
    if value[0] in "=+@\t\r" or (value[0] == "-" and not re.fullmatch(r"-\d+(\.\d+)?", value)):
        return "'" + value
    return value


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
        event.add("description", "\n".join(f"{r['exercise']}: {scheme(r)}{'' if r['load'] == '-' else ' at ' + r['load']}, rest {r['rest']}" for r in mine))
        calendar.add_component(event)
    return calendar.to_ical()


def write_program(result: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write `program.json`, `program.md`, `program.csv` and `program.ics` into `out_dir`, all four
    or none (`atomic.atomic_outputs`): each is staged first and they are renamed into place
    together, `program.json` (the program's record) last.

    Returns:
        {"json": path, "markdown": path, "csv": path, "ics": path}
    """
    with atomic_outputs(out_dir, record="program.json") as batch:
        paths = {
            "json": batch.write_json("program.json", _data(result)),
            "markdown": batch.write_text("program.md", render_program_markdown(result)),
            "csv": batch.write_text("program.csv", render_program_csv(result)),
            "ics": batch.write_bytes("program.ics", render_program_ics(result)),
        }
    return paths
