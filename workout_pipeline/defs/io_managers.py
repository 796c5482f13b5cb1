"""IO managers: Parquet for tables, JSON for small documents, torch files for models.

No DataFrame or model ever goes through pickle. All of them are partition-aware: a partitioned
asset gets one file per partition, and a downstream asset that reads several partitions of it
(an unpartitioned asset reads all of them) gets them combined. Every write is atomic.
"""

import hashlib
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from workout_pipeline.atomic import atomic_path, write_json_atomic, write_parquet_atomic
from workout_pipeline.defs.inbox import is_safe_key, safe_name

# Definition-metadata keys naming the save/load functions of a torch artifact ("module:function"),
# or the to-JSON / from-JSON functions of a typed JSON artifact.
SAVE_FN_KEY = "workout_pipeline/save_fn"
LOAD_FN_KEY = "workout_pipeline/load_fn"
TO_JSON_KEY = "workout_pipeline/to_json"
FROM_JSON_KEY = "workout_pipeline/from_json"


def partition_file_stem(partition_key: str) -> str:
    """A file name for a partition key that can never point outside its folder."""
    if is_safe_key(partition_key):
        return partition_key
    digest = hashlib.sha1(partition_key.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{safe_name(partition_key, fallback='partition')}-{digest}"


class _PartitionedFileIOManager(dg.ConfigurableIOManager):
    """Shared path logic: `<base_dir>/<asset key path>[/<partition>]<suffix>`."""

    base_dir: str

    def _suffix(self) -> str:
        raise NotImplementedError

    def _asset_dir(self, asset_key: dg.AssetKey) -> Path:
        return Path(self.base_dir).joinpath(*(safe_name(part) for part in asset_key.path))

    def path_for(self, asset_key: dg.AssetKey, partition_key: str | None) -> Path:
        """Where an asset (partition) is stored."""
        folder = self._asset_dir(asset_key)
        if partition_key is None:
            return folder.with_name(folder.name + self._suffix())
        return folder / f"{partition_file_stem(partition_key)}{self._suffix()}"

    def _output_path(self, context: dg.OutputContext) -> Path:
        partition = context.asset_partition_key if context.has_asset_partitions else None
        return self.path_for(context.asset_key, partition)

    def _input_paths(self, context: dg.InputContext) -> tuple[list[tuple[str, Path]], bool]:
        """[(partition key or "", path)] to read, and whether the upstream is partitioned."""
        if context.has_asset_partitions:
            keys = list(context.asset_partition_keys)
            return [(key, self.path_for(context.asset_key, key)) for key in keys], True
        return [("", self.path_for(context.asset_key, None))], False


class ParquetIOManager(_PartitionedFileIOManager):
    """Stores pandas DataFrames as Parquet; several upstream partitions are concatenated.

    Partitions are concatenated in the order they were written (oldest first) and partitions
    never materialised are skipped with a warning.
    """

    def _suffix(self) -> str:
        return ".parquet"

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        import pandas as pd

        if obj is None:
            return
        if not isinstance(obj, pd.DataFrame):
            raise dg.Failure(f"{context.asset_key.to_user_string()}: expected a DataFrame, got {type(obj).__name__}")
        path = write_parquet_atomic(obj, self._output_path(context))
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path)), "rows": int(len(obj))})

    def load_input(self, context: dg.InputContext) -> Any:
        import pandas as pd

        paths, partitioned = self._input_paths(context)
        if not partitioned:
            return pd.read_parquet(paths[0][1])
        frames = []
        missing = []
        present = []
        for key, path in paths:
            if path.exists():
                present.append(path)
            else:
                missing.append(key)
        # Oldest-written partition first, so "keep last" de-duplication keeps the newest export.
        for path in sorted(present, key=lambda p: p.stat().st_mtime_ns):
            frames.append(pd.read_parquet(path))
        if missing:
            # A partition that never materialised (e.g. a file added but not yet ingested).
            context.log.warning(f"{context.asset_key.to_user_string()}: {len(missing)} partition(s) not materialised yet: {missing[:5]}")
        frames = [frame for frame in frames if len(frame.columns)]
        if not frames:
            return pd.DataFrame()
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, ignore_index=True)


class JsonIOManager(_PartitionedFileIOManager):
    """Stores JSON-serialisable documents; several upstream partitions load as {key: doc}.

    A typed artifact names its codec in definition metadata (`workout_pipeline/to_json` and
    `workout_pipeline/from_json`, "module:function"): the asset returns the typed object and its
    readers get it back, typed (e.g. the exercise `Catalog`).
    """

    def _suffix(self) -> str:
        return ".json"

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        to_json = (context.definition_metadata or {}).get(TO_JSON_KEY)
        document = _resolve_function(str(to_json))(obj) if to_json else obj
        path = write_json_atomic(document, self._output_path(context))
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> Any:
        paths, partitioned = self._input_paths(context)
        upstream_metadata = context.upstream_output.definition_metadata if context.upstream_output else None
        from_json = (upstream_metadata or {}).get(FROM_JSON_KEY)
        decode = _resolve_function(str(from_json)) if from_json else (lambda document: document)
        if not partitioned:
            return decode(json.loads(paths[0][1].read_text(encoding="utf-8")))
        docs = {key: decode(json.loads(path.read_text(encoding="utf-8"))) for key, path in paths if path.exists()}
        if len(paths) == 1:
            return next(iter(docs.values()))
        return docs


def _resolve_function(dotted: str) -> Callable[..., Any]:
    module_name, _, function_name = dotted.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


class TorchIOManager(_PartitionedFileIOManager):
    """Stores torch artifacts (tensors, graphs, state dicts), loaded with `weights_only=True`.

    An asset may name its own save/load pair in definition metadata
    (`workout_pipeline/save_fn`, `workout_pipeline/load_fn`, as "module:function"; called as
    `save(obj, path)` and `load(path)`), so the domain module that defines the artifact also
    defines its file format; otherwise `torch.save` / `torch.load(weights_only=True)` is used.
    """

    def _suffix(self) -> str:
        return ".pt"

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        path = self._output_path(context)
        save_name = (context.definition_metadata or {}).get(SAVE_FN_KEY)
        with atomic_path(path) as tmp:
            if save_name:
                _resolve_function(str(save_name))(obj, tmp)
            else:
                import torch

                torch.save(obj, tmp)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> Any:
        paths, partitioned = self._input_paths(context)
        if partitioned and len(paths) != 1:
            raise dg.Failure("TorchIOManager loads one partition at a time")
        path = paths[0][1]
        upstream_metadata = context.upstream_output.definition_metadata if context.upstream_output else None
        load_name = (upstream_metadata or {}).get(LOAD_FN_KEY)
        if load_name:
            return _resolve_function(str(load_name))(path)
        import torch

        return torch.load(path, weights_only=True)
