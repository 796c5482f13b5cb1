"""`workout-pipeline ingest PATH... --out DIR`: read app exports into the accumulating set store."""

from typing import Any

import click

from workout_pipeline.cli import json_command
from workout_pipeline.errors import InputError


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Store folder: validated_sets.parquet and quarantined_sets.parquet accumulate here.")
@click.option("--athlete", default=None, help="Athlete id for files given directly (default: the file stem).")
@click.option("--unit", type=click.Choice(["auto", "kg", "lb"]), default="auto", show_default=True,
              help="Unit of loads in files that do not say (auto infers it from the loads).")
@click.option("--aliases", "aliases_file", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Your exercise-name aliases: CSV with header exercise_raw,exercise_id (or a JSON/YAML mapping); "
                   "default $WORKOUT_PIPELINE_ALIASES.")
@click.option("--catalog", "catalog_path", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Exercise catalog names resolve against (default: $WORKOUT_PIPELINE_CATALOG, else built-in).")
@json_command
def command(paths: tuple[str, ...], out_dir: str, athlete: str | None, unit: str, aliases_file: str | None,
            catalog_path: str | None) -> dict[str, Any]:
    """Parse, validate and store training-log exports (Strong, Hevy, FitNotes, Fitbod, canonical).

    A folder PATH holds one athlete per file (named by the file stem), or one subfolder per
    athlete (named by the subfolder). Unreadable files get an error in `per_file` and the others
    go on; the command fails (exit 2) only when no file could be read.
    """
    from workout_pipeline.pipeline import load_exercise_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.settings import Settings

    settings = Settings.from_env(aliases_path=aliases_file, catalog_path=catalog_path)
    catalog = load_exercise_catalog(settings)
    report = ingest_paths(paths, out_dir=out_dir, athlete=athlete, unit=unit, catalog=catalog,
                          user_aliases=settings.aliases_path)
    errors = [entry for entry in report.summary["per_file"] if entry["error"]]
    if errors and len(errors) == len(report.summary["per_file"]):
        first = errors[0]["error"]
        more = f" (and {len(errors) - 1} more unreadable file(s))" if len(errors) > 1 else ""
        raise InputError(f"nothing could be read: {first}{more}")
    return report.summary
