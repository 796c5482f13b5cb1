"""Errors that mean "the user's input is unusable" (the CLI turns them into exit 2)."""


class InputError(Exception):
    """Unusable input: unreadable file, unknown format, infeasible constraints, bad config.

    The message is shown to the user as a single `error: ...` line, so keep it to one line
    and make it say what is wrong and where.
    """
