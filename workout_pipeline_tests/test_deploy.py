"""Deployment configs under deploy/ parse, pass Dagster's instance schema, and every Kubernetes
object validates against the Kubernetes 1.37 object schemas (kubernetes-validate, offline).

What runs for real (Postgres instance, Celery workers) is in test_scaleout.py.
"""

import json
import shutil

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config

from workout_pipeline.paths import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
INSTANCE_FILES = ("dagster-k8s.yaml", "dagster-celery.yaml", "dagster-postgres.yaml")
K8S_VERSION = "1.37.0"
K8S_FILES = ("k8s-configmap.yaml", "k8s/storage.yaml", "k8s/celery-workers.yaml")


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
    assert db["scheme"] == "postgresql+psycopg2"  # the driver dagster-postgres installs


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
        assert config["backend"] == {"env": "DAGSTER_CELERY_BACKEND_URL"}
        assert "workout_pipeline.celery_definitions" in config["include"]


def test_celery_configs_pass_the_executor_schema():
    pytest.importorskip("dagster_celery", reason="needs dagster-celery (the scale extra)")
    from dagster._config import process_config
    from dagster_celery import celery_executor

    config = load("run-config-celery.yaml")["execution"]["config"]
    environment = {"DAGSTER_CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                   "DAGSTER_CELERY_BACKEND_URL": "redis://127.0.0.1:6379/1"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        result = process_config(celery_executor.config_schema.config_type, config)
    assert result.success, result.errors
    assert result.value["broker"] == environment["DAGSTER_CELERY_BROKER_URL"]
    assert not process_config(celery_executor.config_schema.config_type, {**config, "brokr": "x"}).success


def k8s_objects(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((DEPLOY / name).read_text(encoding="utf-8")) if doc]


@pytest.mark.parametrize("name", K8S_FILES)
def test_kubernetes_objects_validate_against_the_object_schemas(name):
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="needs kubernetes-validate (the scale extra)")
    objects = k8s_objects(name)
    assert objects
    for obj in objects:
        assert kubernetes_validate.validate(obj, K8S_VERSION, strict=True)  # raises on any schema error
        assert obj["metadata"]["namespace" if obj["kind"] != "Namespace" else "name"] == "workout-pipeline"


def _pod_with(container_config: dict) -> dict:
    container = {"name": "step", "image": "registry.example.com/workout-pipeline:0.1.0", **container_config}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "step"}, "spec": {"containers": [container]}}


def test_step_pod_settings_are_valid_container_specs():
    """The container settings dagster-k8s merges into step pods (run config, training op tag)."""
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="needs kubernetes-validate (the scale extra)")
    from workout_pipeline.defs.assets.model import TRAINING_OP_TAGS

    step = load("run-config-k8s.yaml")["execution"]["config"]["step_k8s_config"]["container_config"]
    training = TRAINING_OP_TAGS["dagster-k8s/config"]["container_config"]
    for container_config in (step, training):
        assert kubernetes_validate.validate(_pod_with(container_config), K8S_VERSION, strict=True)
    broken = {"resources": {"limits": {"memory": ["4Gi"]}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(_pod_with(broken), K8S_VERSION, strict=True)


def test_a_broken_kubernetes_object_is_rejected():
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="needs kubernetes-validate (the scale extra)")
    deployment = next(o for o in k8s_objects("k8s/celery-workers.yaml") if o["kind"] == "Deployment")
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_celery_worker_deployments_serve_the_two_queues_with_the_shipped_config():
    objects = k8s_objects("k8s/celery-workers.yaml")
    config_map = next(o for o in objects if o["kind"] == "ConfigMap")
    assert yaml.safe_load(config_map["data"]["celery-worker.yaml"]) == load("celery-worker.yaml")
    queues = {}
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        command = container["command"]
        queues[command[command.index("-q") + 1]] = container["resources"]["limits"].get("nvidia.com/gpu")
    assert queues == {"dagster": None, "gpu": "1"}


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
