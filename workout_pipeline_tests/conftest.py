"""Shared fixtures: the real public logs beside the checkout, and a temporary Dagster home."""

import warnings

import pytest

from workout_pipeline.paths import FREE_EXERCISE_DB_JSON, public_log_files

warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch_geometric")


@pytest.fixture(scope="session")
def real_logs():
    """{athlete folder name: csv path} of ../shared/data/logs; skip if the folder is absent."""
    logs = public_log_files()
    if not logs:
        pytest.skip("../shared/data/logs is not present beside the checkout")
    return logs


@pytest.fixture(scope="session")
def free_exercise_db_json():
    if not FREE_EXERCISE_DB_JSON.exists():
        pytest.skip("free-exercise-db catalog is not present beside the checkout")
    return FREE_EXERCISE_DB_JSON


@pytest.fixture()
def dagster_home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def one_torch_thread():
    """pytest -n 2 runs two workers on two cores: one torch thread each avoids oversubscription
    (use with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
