"""The report's own plot: planned weekly sets per muscle against the target."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from workout_pipeline.atomic import atomic_path


def pyplot():
    """matplotlib's pyplot on the Agg backend, with text drawn as written: exercise names and
    athlete ids are never TeX (`Bench Press $\\foo$` in a log stopped `evaluate` with a
    mathtext error)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt

    return plt


def plot_weekly_volume(muscle_rows: Sequence[Mapping[str, Any]], path: str | Path, title: str = "") -> Path:
    """Horizontal bars of planned weekly sets per muscle, with the target marked.

    Args:
        muscle_rows: `{muscle, target, planned}` rows (`report_muscles`).
        path: PNG file to write (atomically).
        title: Optional chart title.
    """
    plt = pyplot()
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
        ax.set_title(title or "Weekly sets per muscle")
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return Path(path)
