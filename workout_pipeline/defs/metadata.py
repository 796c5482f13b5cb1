"""Helpers that turn tables and plots into Dagster metadata a user can read in the UI."""

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from workout_pipeline.jsonable import plain


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, max_rows: int = 50) -> str:
    """Render rows (dicts) as a Markdown table, at most `max_rows` of them."""
    if not rows:
        return "_(none)_"
    columns = list(columns or rows[0].keys())
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows[:max_rows]:
        lines.append("| " + " | ".join(_cell(row.get(column)) for column in columns) + " |")
    if len(rows) > max_rows:
        lines.append(f"\n_{len(rows) - max_rows} more rows not shown_")
    return "\n".join(lines)


def png_markdown(path: str | Path, alt: str) -> dg.MetadataValue:
    """A PNG file embedded as a base64 Markdown image (shown inline in the Dagster UI)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{data})")


def value_counts_markdown(series: Any, label: str, max_rows: int = 30) -> dg.MetadataValue:
    """Counts of a column's values as a two-column Markdown table."""
    return counts_markdown(series.fillna("(missing)").astype(str).value_counts(), label, "rows", max_rows)


def counts_markdown(counts: Any, label: str, count_label: str = "rows", max_rows: int = 30) -> dg.MetadataValue:
    """Already-counted values ({value: count} Series) as a two-column Markdown table."""
    rows = [{label: name, count_label: int(count)} for name, count in counts.items()]
    return dg.MetadataValue.md(markdown_table(rows, [label, count_label], max_rows))
