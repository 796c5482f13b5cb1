"""Dagster resources: where things live, which settings apply, and which device trains the model.

All values come from `workout_pipeline.settings.Settings` (the environment is read there, once).
"""

from pathlib import Path

import dagster as dg

from workout_pipeline.settings import Settings, SolverSettings, TrainingSettings


class PipelinePaths(dg.ConfigurableResource):
    """Folders and optional input files of the pipeline.

    Attributes:
        storage_dir: Root for every file the assets write (tables, models, programs, reports).
        inbox_dir: Folder of athlete exports the sensor watches.
        catalog_path: Optional external exercise catalog; empty means the built-in catalog.
        constraints_path: Optional program constraints file (YAML/JSON); empty means defaults.
        aliases_path: Optional exercise-name alias file; empty means none.
    """

    storage_dir: str
    inbox_dir: str
    catalog_path: str = ""
    constraints_path: str = ""
    aliases_path: str = ""

    def storage(self, *parts: str) -> Path:
        """A path under the storage root (parts must already be safe names)."""
        return Path(self.storage_dir).joinpath(*parts)

    def settings(self, training: TrainingSettings | None = None, solver: SolverSettings | None = None) -> Settings:
        """The domain settings these paths stand for (what the pipeline steps take)."""
        return Settings(
            storage_dir=Path(self.storage_dir),
            inbox_dir=Path(self.inbox_dir),
            catalog_path=Path(self.catalog_path) if self.catalog_path else None,
            constraints_path=Path(self.constraints_path) if self.constraints_path else None,
            aliases_path=Path(self.aliases_path) if self.aliases_path else None,
            training=training or TrainingSettings(),
            solver=solver or SolverSettings(),
        )


class DeviceResource(dg.ConfigurableResource):
    """Which torch device trains and evaluates the model.

    Attributes:
        device: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
    """

    device: str = "auto"

    def resolve(self) -> str:
        """The device to use (imports torch only when a model asset runs)."""
        from workout_pipeline.errors import InputError
        from workout_pipeline.device import resolve_device

        try:
            return resolve_device(self.device)
        except InputError as exc:
            raise dg.Failure(description=str(exc)) from exc


def build_resources(settings: Settings | None = None) -> dict:
    """The resources of the code location (IO managers included), from `Settings.from_env()` by default."""
    from workout_pipeline.defs.io_managers import JsonIOManager, ParquetIOManager, TorchIOManager

    settings = settings or Settings.from_env()
    storage = settings.storage_dir
    return {
        "paths": PipelinePaths(
            storage_dir=str(storage),
            inbox_dir=str(settings.inbox_dir),
            catalog_path=str(settings.catalog_path or ""),
            constraints_path=str(settings.constraints_path or ""),
            aliases_path=str(settings.aliases_path or ""),
        ),
        "device": DeviceResource(device=settings.device),
        "parquet_io_manager": ParquetIOManager(base_dir=str(Path(storage) / "tables")),
        "json_io_manager": JsonIOManager(base_dir=str(Path(storage) / "json")),
        "torch_io_manager": TorchIOManager(base_dir=str(Path(storage) / "artifacts")),
    }
