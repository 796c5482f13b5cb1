"""IO managers: partition-aware Parquet/JSON, torch with weights_only, never outside base_dir."""

import json

import dagster as dg
import pandas as pd
import pytest

from workout_pipeline.defs.io_managers import JsonIOManager, ParquetIOManager, TorchIOManager, partition_file_stem

files = dg.DynamicPartitionsDefinition(name="files")


class PickledObject:
    """An arbitrary object: loading it would need unpickling code, which weights_only refuses."""


def frame(value: int) -> pd.DataFrame:
    return pd.DataFrame({"athlete_id": ["a"], "value": [value]})


@dg.asset(partitions_def=files, io_manager_key="parquet")
def per_file(context: dg.AssetExecutionContext) -> pd.DataFrame:
    return frame(int(context.partition_key.split("-")[-1]))


@dg.asset(io_manager_key="parquet")
def combined(per_file: pd.DataFrame) -> pd.DataFrame:
    return per_file.sort_values("value").reset_index(drop=True)


@dg.asset(partitions_def=files, io_manager_key="json")
def doc(context: dg.AssetExecutionContext) -> dict:
    return {"key": context.partition_key}


@dg.asset(io_manager_key="json")
def docs(doc: dict) -> dict:
    return {"n": len(doc)}


def test_unpartitioned_downstream_reads_all_partitions(tmp_path):
    resources = {"parquet": ParquetIOManager(base_dir=str(tmp_path / "t")), "json": JsonIOManager(base_dir=str(tmp_path / "j"))}
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("files", ["f-1", "f-2", "f-3"])
        for key in ("f-1", "f-2", "f-3"):
            assert dg.materialize([per_file, doc], partition_key=key, instance=instance, resources=resources).success
        result = dg.materialize([per_file, combined, doc, docs], selection=[combined, docs], instance=instance, resources=resources)
        assert result.success
    assert pd.read_parquet(tmp_path / "t" / "combined.parquet")["value"].tolist() == [1, 2, 3]
    assert (tmp_path / "t" / "per_file" / "f-2.parquet").exists()
    assert json.loads((tmp_path / "j" / "docs.json").read_text()) == {"n": 3}


def test_missing_partitions_are_skipped_not_fatal(tmp_path):
    resources = {"parquet": ParquetIOManager(base_dir=str(tmp_path)), "json": JsonIOManager(base_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("files", ["f-1", "f-2"])
        assert dg.materialize([per_file], partition_key="f-2", instance=instance, resources=resources).success
        assert dg.materialize([per_file, combined], selection=[combined], instance=instance, resources=resources).success
    assert pd.read_parquet(tmp_path / "combined.parquet")["value"].tolist() == [2]


@pytest.mark.parametrize("key", ["../../etc/passwd", "a/b", "..", ".hidden", "x" * 500, "名前"])
def test_partition_file_names_stay_inside(key, tmp_path):
    manager = ParquetIOManager(base_dir=str(tmp_path))
    path = manager.path_for(dg.AssetKey(["asset"]), key)
    assert path.resolve().parent == (tmp_path / "asset").resolve()
    assert "/" not in partition_file_stem(key)
    assert partition_file_stem(key) != partition_file_stem(key + "x")


def test_torch_io_manager_roundtrip_weights_only(tmp_path):
    import torch

    @dg.asset(io_manager_key="torch")
    def weights() -> dict:
        return {"w": torch.arange(6.0).reshape(2, 3), "names": ["a", "b"]}

    @dg.asset(io_manager_key="torch")
    def doubled(weights: dict) -> dict:
        return {"w": weights["w"] * 2, "names": weights["names"]}

    resources = {"torch": TorchIOManager(base_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        assert dg.materialize([weights, doubled], resources=resources, instance=instance).success
    loaded = torch.load(tmp_path / "doubled.pt", weights_only=True)
    assert loaded["w"][1, 2].item() == 10.0


def test_torch_io_manager_refuses_pickled_code(tmp_path):
    import torch

    path = tmp_path / "evil.pt"
    torch.save({"obj": PickledObject()}, path)

    @dg.asset(io_manager_key="torch")
    def evil() -> dict:
        return {}

    @dg.asset(io_manager_key="torch")
    def reader(evil: dict) -> dict:
        return evil

    resources = {"torch": TorchIOManager(base_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([evil.to_source_asset(), reader], resources=resources, instance=instance, raise_on_error=False)
    assert not result.success


def test_parquet_io_manager_rejects_non_frames(tmp_path):
    @dg.asset(io_manager_key="parquet")
    def not_a_frame() -> dict:
        return {"a": 1}

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [not_a_frame], resources={"parquet": ParquetIOManager(base_dir=str(tmp_path))}, instance=instance, raise_on_error=False
        )
    assert not result.success
