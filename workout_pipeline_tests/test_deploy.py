"""Deployment configs under deploy/ parse, carry the keys they need, and pass Dagster's schema."""

import json
import shutil

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config

from workout_pipeline.paths import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
INSTANCE_FILES = ("dagster-k8s.yaml", "dagster-celery.yaml")


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [*INSTANCE_FILES, "../dagster.yaml"])
def test_instance_files_validate_against_dagster_schema(name, tmp_path):
    shutil.copy(DEPLOY / name, tmp_path / "dagster.yaml")
    config, custom_class = dagster_instance_config(str(tmp_path))
    assert custom_class is None
    assert config["telemetry"]["enabled"] is False
    assert config["concurrency"]["pools"]["default_limit"] == 1


@pytest.mark.parametrize("name", INSTANCE_FILES)
def test_instance_files_use_postgres_from_environment(name):
    storage = load(name)["storage"]
    assert list(storage) == ["postgres"]
    db = storage["postgres"]["postgres_db"]
    assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"}  # no secret in the file
    assert {"hostname", "username", "db_name"} <= set(db)


def test_k8s_instance_launches_runs_as_pods():
    launcher = load("dagster-k8s.yaml")["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    assert launcher["config"]["job_namespace"]


def test_k8s_run_config_and_training_gpu_request():
    execution = load("run-config-k8s.yaml")["execution"]["config"]
    assert execution["step_k8s_config"]["container_config"]["resources"]
    from workout_pipeline.definitions import defs

    tags = defs.resolve_asset_graph().get(dg.AssetKey("progression_models")).assets_def.op.tags
    k8s = json.loads(tags["dagster-k8s/config"])
    assert k8s["container_config"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert tags["dagster-celery/queue"] == "gpu"


def test_celery_configs():
    for name in ("run-config-celery.yaml", "celery-worker.yaml"):
        config = load(name)["execution"]["config"]
        assert config["broker"] == {"env": "DAGSTER_CELERY_BROKER_URL"}
        assert "workout_pipeline.definitions" in config["include"]


def test_helm_values_serve_the_code_location():
    values = load("helm-values.yaml")
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "workout_pipeline.definitions"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["telemetry"]["enabled"] is False


def test_configmap_sets_pipeline_environment():
    config_map = load("k8s-configmap.yaml")
    assert config_map["kind"] == "ConfigMap"
    data = config_map["data"]
    assert {"WORKOUT_PIPELINE_STORAGE", "WORKOUT_PIPELINE_INBOX", "WORKOUT_PIPELINE_TIMEZONE"} <= set(data)


def test_workspace_loads_the_module():
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    module = workspace["load_from"][0]["python_module"]
    assert module["module_name"] == "workout_pipeline.definitions"


def test_a_broken_instance_file_is_rejected(tmp_path):
    (tmp_path / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: -3\n")
    with pytest.raises(dg.DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))
