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


def fail(message: str, code: int = 2) -> None:
    """Exit `code` (2: unusable input) with a one-line error on stderr."""
    one_line = " ".join(str(message).split())
    click.echo(f"error: {one_line}", err=True)
    sys.exit(code)


def json_command(func: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    """Wrap a command body: emit its returned dict as JSON; InputError, OSError and ValueError
    become a one-line `error:` with exit 2, any other exception a one-line `error:` with exit 1
    (a bug, but still no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            payload = func(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))
        except (OSError, ValueError) as exc:
            fail(f"{type(exc).__name__}: {exc}")
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - never a traceback
            fail(f"internal error ({type(exc).__name__}: {exc})", code=1)
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

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the CLI; a usage mistake (missing argument, bad option value, unknown command)
        is one `error:` line and exit 2 instead of click's usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # its message is the whole help text
            fail(f"missing command (one of {', '.join(self.list_commands(exc.ctx))}); see '{exc.ctx.command_path} --help'",
                 code=exc.exit_code)
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            fail(f"{exc.format_message()}{where}", code=exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), code=exc.exit_code)
        except click.Abort:
            fail("aborted", code=1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=LazyCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workout-pipeline")
def main() -> None:
    """Ingest training logs, learn progression, plan next week."""


if __name__ == "__main__":
    main()
