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
    from workout_pipeline.jsonable import plain

    click.echo(json.dumps(plain(payload), default=str, sort_keys=False))


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


COMMAND_MODULES: dict[str, str] = {
    "ingest": "workout_pipeline.commands.ingest",
    "evaluate": "workout_pipeline.commands.evaluate",
    "program": "workout_pipeline.commands.program",
    "demo": "workout_pipeline.commands.demo",
}


class LazyCommandGroup(click.Group):
    """Imports a sub-command's module only when it is used, so `--help` and each command stay
    fast and a command module can import this one without a circular import."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        import importlib

        return importlib.import_module(module_name).command


@click.group(cls=LazyCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workout-pipeline")
def main() -> None:
    """Ingest training logs, learn progression, plan next week."""


if __name__ == "__main__":
    main()
