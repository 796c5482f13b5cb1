"""CLI sub-commands, one module each (each exposes `command`)."""
