"""Writing a solved program: `program.json` for machines, `program.md` for the lifter."""

from pathlib import Path
from typing import Any

from workout_pipeline.atomic import write_json_atomic, write_text_atomic
from workout_pipeline.markdown import escape_md

_DAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}


def _load(value: float | None) -> str:
    return "-" if value is None else f"{value:g} kg"


def render_program_markdown(result: Any) -> str:
    """A readable Markdown week: one table per training day, then weekly volume per muscle.

    Args:
        result: A `ProgramResult` (or its `to_dict()`).

    Returns:
        The Markdown text.
    """
    data = result.to_dict() if hasattr(result, "to_dict") else result
    lines = ["# Weekly program" + (" (deload week)" if data.get("deload") else ""), ""]
    if data.get("athlete_id"):
        lines += [f"Athlete: **{escape_md(data['athlete_id'])}**", ""]
    lines += [
        f"Solver: {data['formulation']} formulation, status **{data['status']}**, objective "
        f"{data['objective']:.4f}, proven gap {100 * data['gap']:.2f}%, {data['solve_seconds']:.2f} s, "
        f"{data['n_exercises_considered']} exercises considered.",
        "",
    ]
    for day in data["days"]:
        total_sets = sum(e["sets"] for e in day["exercises"])
        lines += [f"## {_DAY_NAMES.get(day['weekday'], day['weekday'])}: {day['type']} ({total_sets} sets)", ""]
        lines += ["| Exercise | Sets x reps | Load | Rest |", "|---|---|---|---|"]
        for e in day["exercises"]:
            rest = f"{e['rest_s'] / 60:.1f} min" if e["rest_s"] >= 60 else f"{e['rest_s']:.0f} s"
            lines.append(f"| {escape_md(e['name'])} | {e['sets']} x {e['reps']} | {_load(e['load_kg'])} | {rest} |")
        lines.append("")
    lines += ["## Weekly volume per muscle", "", "| Muscle | Effective sets | Target | Sessions |", "|---|---|---|---|"]
    for muscle, info in data["muscles"].items():
        target = "-" if info["target"] is None else f"{info['target']:g}"
        if info.get("hard_minimum") is not None:
            target += f" (at least {info['hard_minimum']:g})"
        lines.append(f"| {muscle.replace('_', ' ')} | {info['effective_sets']:g} | {target} | {info['sessions']} |")
    lines += [
        "",
        "Effective sets count 1 per set for a primary muscle and the secondary weight for a secondary one. "
        "Loads come from the model's recommendations, else your last top set; '-' means pick a load you can "
        "do for the reps with 1-3 in reserve.",
        "",
    ]
    return "\n".join(lines)


def write_program(result: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write `program.json` and `program.md` into `out_dir` atomically.

    Returns:
        {"json": path, "markdown": path}
    """
    out_dir = Path(out_dir)
    json_path = write_json_atomic(result.to_dict(), out_dir / "program.json")
    md_path = write_text_atomic(render_program_markdown(result), out_dir / "program.md")
    return {"json": json_path, "markdown": md_path}
