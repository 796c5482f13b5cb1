"""Settings in one place: every default, and the environment read once (`Settings.from_env`).

The CLI builds a `Settings` from its options over the environment; the Dagster resources are
built from `Settings.from_env()`; domain functions take the values they need as arguments and
never read the environment themselves.

| variable | setting |
|---|---|
| `WORKOUT_PIPELINE_STORAGE` | `storage_dir` (default `./storage`) |
| `WORKOUT_PIPELINE_INBOX` | `inbox_dir` (default `./inbox`) |
| `WORKOUT_PIPELINE_CATALOG` | `catalog_path` (default: the built-in catalog) |
| `WORKOUT_PIPELINE_CONSTRAINTS` | `constraints_path` (default: the program's defaults) |
| `WORKOUT_PIPELINE_ALIASES` | `aliases_path` (the user's exercise-name aliases) |
| `WORKOUT_PIPELINE_DEVICE` | `device` (auto, cpu, cuda, cuda:N) |
| `WORKOUT_PIPELINE_TIMEZONE` | `timezone` of the weekly schedule (default UTC) |
| `WORKOUT_PIPELINE_DATA_DIR` | where the shipped data lives (`data/`; `paths.DATA_DIR`) |
| `WORKOUT_PIPELINE_SHARED_DATA` | the public logs and catalogs beside the checkout (`paths.SHARED_DATA_DIR`) |
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

ENV_PREFIX = "WORKOUT_PIPELINE_"


def data_dir_override(name: str) -> Path | None:
    """`$WORKOUT_PIPELINE_<name>` as a folder, for `paths` (where shipped and shared data live)."""
    value = os.environ.get(ENV_PREFIX + name, "").strip()
    return Path(value) if value else None


@dataclass(frozen=True)
class SolverSettings:
    """The weekly program solver's budget.

    Attributes:
        time_limit_s: Wall-clock budget of one program solve.
        gap: Relative optimality gap at which the search stops.
    """

    time_limit_s: float = 10.0
    gap: float = 0.005


@dataclass(frozen=True)
class TrainingSettings:
    """How models are trained and evaluated.

    Attributes:
        seed: Random seed.
        epochs: Maximum epochs (None: the model's own default).
        test_fraction: Share of each athlete's last training days held out for evaluation.
        threads: Torch CPU threads (None: the model's default for this machine).
    """

    seed: int = 0
    epochs: int | None = None
    test_fraction: float = 0.2
    threads: int | None = None


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default.

    Attributes:
        storage_dir: Root for every file the Dagster assets write.
        inbox_dir: Folder of exports the inbox sensor watches.
        catalog_path: Exercise catalog file; None is the built-in catalog.
        constraints_path: Program constraints file; None is the defaults.
        aliases_path: The user's exercise-name alias file; None is none.
        device: Training device: auto (CUDA when present), cpu, cuda or cuda:N.
        timezone: IANA time zone of the weekly schedule.
        solver: Program solver budget.
        training: Model training settings.
    """

    storage_dir: Path = Path("storage").absolute()
    inbox_dir: Path = Path("inbox").absolute()
    catalog_path: Path | None = None
    constraints_path: Path | None = None
    aliases_path: Path | None = None
    device: str = "auto"
    timezone: str = "UTC"
    solver: SolverSettings = field(default_factory=SolverSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Settings from `WORKOUT_PIPELINE_*` variables (the table above), then `overrides`."""
        env = os.environ if environ is None else environ

        def value(name: str) -> str:
            return env.get(ENV_PREFIX + name, "").strip()

        def optional_path(name: str) -> Path | None:
            return Path(value(name)) if value(name) else None

        settings = cls(
            storage_dir=Path(value("STORAGE") or "storage").absolute(),
            inbox_dir=Path(value("INBOX") or "inbox").absolute(),
            catalog_path=optional_path("CATALOG"),
            constraints_path=optional_path("CONSTRAINTS"),
            aliases_path=optional_path("ALIASES"),
            device=value("DEVICE") or "auto",
            timezone=value("TIMEZONE") or "UTC",
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
