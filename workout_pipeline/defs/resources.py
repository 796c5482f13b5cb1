"""Dagster resources: where things live and which device trains the model."""

import os
from pathlib import Path

import dagster as dg

STORAGE_ENV = "WORKOUT_PIPELINE_STORAGE"
INBOX_ENV = "WORKOUT_PIPELINE_INBOX"
CATALOG_ENV = "WORKOUT_PIPELINE_CATALOG"
CONSTRAINTS_ENV = "WORKOUT_PIPELINE_CONSTRAINTS"
DEVICE_ENV = "WORKOUT_PIPELINE_DEVICE"


def default_storage_dir() -> str:
    """Storage root: `$WORKOUT_PIPELINE_STORAGE`, else `./storage` (absolute)."""
    return str(Path(os.environ.get(STORAGE_ENV, "storage")).absolute())


def default_inbox_dir() -> str:
    """Inbox the sensor watches: `$WORKOUT_PIPELINE_INBOX`, else `./inbox` (absolute)."""
    return str(Path(os.environ.get(INBOX_ENV, "inbox")).absolute())


class PipelinePaths(dg.ConfigurableResource):
    """Folders and optional input files of the pipeline.

    Attributes:
        storage_dir: Root for every file the assets write (tables, models, programs, reports).
        inbox_dir: Folder of athlete exports the sensor watches.
        catalog_path: Optional external exercise catalog; empty means the built-in catalog.
        constraints_path: Optional program constraints file (YAML/JSON); empty means defaults.
    """

    storage_dir: str
    inbox_dir: str
    catalog_path: str = ""
    constraints_path: str = ""

    def storage(self, *parts: str) -> Path:
        """A path under the storage root (parts must already be safe names)."""
        return Path(self.storage_dir).joinpath(*parts)


class DeviceResource(dg.ConfigurableResource):
    """Which torch device trains and evaluates the model.

    Attributes:
        device: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
    """

    device: str = "auto"

    def resolve(self) -> str:
        """Resolve the device lazily (imports torch only when a model asset runs)."""
        import torch

        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device.startswith("cuda") and not torch.cuda.is_available():
            raise dg.Failure(f"device {self.device!r} requested but CUDA is not available")
        return self.device


def build_resources(storage_dir: str | None = None, inbox_dir: str | None = None) -> dict:
    """The resources of the code location (IO managers included), from env vars by default."""
    from workout_pipeline.defs.io_managers import JsonIOManager, ParquetIOManager, TorchIOManager

    storage = storage_dir or default_storage_dir()
    inbox = inbox_dir or default_inbox_dir()
    return {
        "paths": PipelinePaths(
            storage_dir=storage,
            inbox_dir=inbox,
            catalog_path=os.environ.get(CATALOG_ENV, ""),
            constraints_path=os.environ.get(CONSTRAINTS_ENV, ""),
        ),
        "device": DeviceResource(device=os.environ.get(DEVICE_ENV, "auto")),
        "parquet_io_manager": ParquetIOManager(base_dir=str(Path(storage) / "tables")),
        "json_io_manager": JsonIOManager(base_dir=str(Path(storage) / "json")),
        "torch_io_manager": TorchIOManager(base_dir=str(Path(storage) / "artifacts")),
    }
