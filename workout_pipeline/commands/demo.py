"""`workout-pipeline demo`: run the whole asset graph on the demo logs (see `workout_pipeline.defs.demo`)."""

import os
from pathlib import Path
from typing import Any

import click

from workout_pipeline.cli import json_command
from workout_pipeline.defs.demo import DEMO_DATA_DIR, DEMO_EPOCHS, DEMO_SOLVE_SECONDS, run_demo


@click.command("demo")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--data", "data_dir", default=str(DEMO_DATA_DIR), show_default=True, type=click.Path(file_okay=False), help="Folder of demo logs.")
@click.option("--epochs", type=click.IntRange(min=1), default=DEMO_EPOCHS, show_default=True, help="Maximum training epochs.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--solve-seconds",
    type=click.FloatRange(min=0.5),
    default=DEMO_SOLVE_SECONDS,
    show_default=True,
    help="Time limit of each athlete's program solve.",
)
@json_command
def command(out_dir: str, data_dir: str, epochs: int | None, seed: int, solve_seconds: float) -> dict[str, Any]:
    """Run the whole asset graph on the demo logs and say where the outputs are."""
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return run_demo(Path(out_dir), Path(data_dir), epochs=epochs, seed=seed, solve_seconds=solve_seconds)
