"""The `workout-pipeline` command line (contract in DESIGN.md).

Each sub-command lives in `workout_pipeline/commands/<name>.py` and calls the same domain
functions as the Dagster assets. Every command prints one JSON object as its last stdout line,
exits 0 on success and exits 2 with a one-line `error: ...` on stderr for unusable input.
"""

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from workout_pipeline.errors import InputError


def emit_json(payload: dict[str, Any]) -> None:
    """Print the command's JSON summary as the last stdout line."""
    click.echo(json.dumps(payload, default=_json_default, sort_keys=False))


def _json_default(value: Any) -> Any:
    # numpy / pandas scalars and paths in summaries
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def fail(message: str) -> None:
    """Exit 2 with a one-line error on stderr."""
    one_line = " ".join(str(message).split())
    click.echo(f"error: {one_line}", err=True)
    sys.exit(2)


def json_command(func: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    """Wrap a command body: emit its returned dict as JSON; InputError (and any unexpected
    error, so a user never sees a traceback) becomes a one-line `error:` with exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            payload = func(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))
        except (OSError, ValueError) as exc:
            fail(f"{type(exc).__name__}: {exc}")
        emit_json(payload)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workout-pipeline")
def main() -> None:
    """Ingest training logs, learn progression, plan next week."""


def _register() -> None:
    import importlib

    for name in ("ingest", "evaluate", "program", "demo"):
        try:
            module = importlib.import_module(f"workout_pipeline.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"workout_pipeline.commands.{name}":
                continue  # command not built yet
            raise
        main.add_command(module.command)


_register()

if __name__ == "__main__":
    main()
