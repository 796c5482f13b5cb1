"""`dagster dev` serves the asset graph: checked through GraphQL and headless Chromium.

Chromium comes from the Debian packages `chromium` / `chromium-driver`
(`scripts/ensure_chromium.sh` installs them); the test skips, saying so, only when no Chromium
binary exists. Set WORKOUT_PIPELINE_SCREENSHOT_DIR to keep the PNG for a look.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workout_pipeline.paths import REPO_ROOT
from workout_pipeline_tests.test_code_location import EXPECTED_ASSETS  # the one list of the assets

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STARTUP_TIMEOUT_S = 150
CHROMIUM_TIMEOUT_S = 90


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str, timeout: float = 10) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_for_assets(port: int, process: subprocess.Popen, log: Path) -> list[str]:
    """Poll until the webserver answers with the code location's assets (bounded)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            data = graphql(port, "{ assetNodes { assetKey { path } } }")
            names = ["/".join(node["assetKey"]["path"]) for node in (data.get("data") or {}).get("assetNodes") or []]
            if names:
                return names
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last_error = str(exc)
        time.sleep(1.0)
    pytest.fail(f"dagster dev did not serve assets within {STARTUP_TIMEOUT_S}s ({last_error}):\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop dagster dev and every child it started (its own process group), bounded."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # dagster dev shuts its children down on interrupt
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:
            time.sleep(1)  # let children of the group exit too


def chromium(binary: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", *args],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_S,
    )


def test_dagster_dev_lists_the_asset_graph(tmp_path):
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (run scripts/ensure_chromium.sh; needs apt-get and root)")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "WORKOUT_PIPELINE_STORAGE": str(tmp_path / "storage"),
        "WORKOUT_PIPELINE_INBOX": str(tmp_path / "inbox"),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    port = free_port()
    log = tmp_path / "dagster_dev.log"
    dagster = Path(sys.executable).with_name("dagster")
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", str(REPO_ROOT / "workspace.yaml")],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like `set -m`, so it can be stopped whole
        )
    try:
        served = wait_for_assets(port, process, log)
        assert set(EXPECTED_ASSETS) <= set(served)
        # Dismiss the first-visit community dialog so the screenshot shows the page.
        graphql(port, "mutation { setNuxSeen }")

        url = f"http://127.0.0.1:{port}/assets"
        # A tall window: the catalog is a virtualised list that renders only the rows in view.
        dom = chromium(binary, "--window-size=1600,4000", "--virtual-time-budget=20000", "--dump-dom", url)
        assert dom.returncode == 0, dom.stderr[-2000:]
        missing = [name for name in EXPECTED_ASSETS if name not in dom.stdout]
        assert not missing, f"asset catalog page does not list {missing}"
        for group in ("ingest", "catalog", "model", "programs"):
            assert group in dom.stdout

        screenshot = tmp_path / "assets.png"
        shot = chromium(binary, "--window-size=1600,1000", "--virtual-time-budget=20000", f"--screenshot={screenshot}", url)
        assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
        assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
        keep = os.environ.get("WORKOUT_PIPELINE_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(screenshot, Path(keep) / "dagster_assets.png")
    finally:
        stop(process)
    assert process.poll() is not None
