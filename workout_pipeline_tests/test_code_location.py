"""Loading the code location: cheap (no torch, GX, PuLP) and complete."""

import json
import subprocess
import sys

import dagster as dg

HEAVY = ("torch", "torch_geometric", "great_expectations", "pulp", "matplotlib", "sklearn")

EXPECTED_ASSETS = {
    "raw_log_files",
    "parsed_sets",
    "lifter_units",
    "validated_sets",
    "quarantined_sets",
    "exercise_catalog",
    "exercise_features",
    "training_graph",
    "progression_models",
    "model_evaluation",
    "progression_recommendations",
    "weekly_programs",
    "program_reports",
}


def test_loading_imports_no_heavy_library():
    code = (
        "import json, sys, workout_pipeline.definitions as d;"
        "d.defs.resolve_asset_graph();"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_definitions_validate_and_hold_the_whole_graph():
    from workout_pipeline.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == EXPECTED_ASSETS
    # Lineage follows DESIGN.md's asset graph.
    parents = {key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys} for key in graph.get_all_asset_keys()}
    assert parents["parsed_sets"] == {"raw_log_files"}
    assert parents["validated_sets"] == {"parsed_sets"}
    assert parents["lifter_units"] == {"raw_log_files"}
    assert "lifter_units" in parents["weekly_programs"]
    # the lifter's unit sets the plates of their default load steps (and the unit of the reasons)
    assert parents["exercise_features"] == {"validated_sets", "exercise_catalog", "lifter_units"}
    assert parents["training_graph"] == {"exercise_features"}
    assert parents["progression_models"] == {"training_graph"}
    assert parents["model_evaluation"] == {"training_graph", "progression_models"}
    assert "progression_models" in parents["progression_recommendations"]
    assert "lifter_units" in parents["progression_recommendations"]
    assert "progression_recommendations" in parents["weekly_programs"]
    assert "weekly_programs" in parents["program_reports"]

    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(groups.values()) == {"ingest", "catalog", "model", "programs"}
    assert graph.get(dg.AssetKey("progression_models")).assets_def.op.pool == "gpu"
    for key in graph.get_all_asset_keys():
        assert graph.get(key).kinds, f"{key} has no kinds"

    checks = {c.to_user_string() for c in graph.asset_check_keys}
    assert {"validated_sets:passes_expectations", "training_graph:no_leakage", "model_evaluation:model_beats_repeat_last", "weekly_programs:meets_hard_constraints"} <= checks
    blocking = {
        spec.key.to_user_string()
        for assets_def in {graph.get(k).assets_def for k in graph.get_all_asset_keys()}
        for spec in assets_def.check_specs
        if spec.blocking
    }
    assert {"validated_sets:passes_expectations", "training_graph:no_leakage"} <= blocking


def test_storage_and_inbox_come_from_environment(tmp_path):
    code = (
        "import json, workout_pipeline.definitions as d;"
        "p = d.defs.resources['paths'];"
        "print(json.dumps([p.storage_dir, p.inbox_dir]))"
    )
    env = {"WORKOUT_PIPELINE_STORAGE": str(tmp_path / "s"), "WORKOUT_PIPELINE_INBOX": str(tmp_path / "i"), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [str(tmp_path / "s"), str(tmp_path / "i")]


def test_instance_yaml_sets_gpu_pool_and_telemetry(tmp_path):
    import shutil

    from workout_pipeline.paths import REPO_ROOT

    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        pool_config = instance.get_concurrency_config().pool_config
        assert pool_config.default_pool_limit == 1
        assert instance.event_log_storage.supports_global_concurrency_limits
    assert "enabled: false" in (REPO_ROOT / "dagster.yaml").read_text()
