"""Throwaway servers on 127.0.0.1 for the scale-out tests and benchmarks (never another address).

PostgreSQL (Debian's `initdb`/`pg_ctl`, run as a non-root user: PostgreSQL refuses root), Redis
(`redis-server`, the Celery broker) and Dagster Celery workers (`dagster-celery worker start`).
Each is a context manager that starts the server in a temporary folder, waits a bounded time for
it, and stops it (then removes the folder) on exit, also when the body fails.
`missing()` names what is not installed, for a skip message.
"""

import contextlib
import dataclasses
import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

HOST = "127.0.0.1"
PG_USER, PG_PASSWORD = "dagster", "dagster-local-only"
# Debian's postgres binaries live under /usr/lib/postgresql/<version>/bin, not on PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PYTHON_MODULES = {"dagster_postgres": "dagster-postgres", "dagster_celery": "dagster-celery",
                  "redis": "redis (Python client)", "psycopg2": "psycopg2-binary"}
START_TIMEOUT_S = 90.0


def find_binary(name: str) -> str | None:
    """`name` on PATH, else in Debian's PostgreSQL folder (newest version first)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob(PG_BIN_GLOB), reverse=True):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def missing(*, postgres: bool = True, redis: bool = False) -> list[str]:
    """What these servers need and this machine lacks (binaries, Python packages, a user)."""
    needs = []
    if postgres:
        needs += [b for b in ("initdb", "pg_ctl") if not find_binary(b)]
        if os.geteuid() == 0 and _server_user() is None:
            needs.append("a non-root user to run PostgreSQL as (the 'postgres' user)")
    if redis and not find_binary("redis-server"):
        needs.append("redis-server")
    modules = ["dagster_postgres", "psycopg2"] if postgres else []
    modules += ["dagster_celery", "redis"] if redis else []
    needs += [PYTHON_MODULES[m] for m in modules if importlib.util.find_spec(m) is None]
    return needs


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def _wait_for_port(port: int, deadline: float, process: subprocess.Popen | None = None) -> None:
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on {HOST}:{port} within the time limit")


@dataclasses.dataclass(frozen=True)
class Postgres:
    """A running server: connect as `user`/`password` on 127.0.0.1:`port`."""

    port: int
    data_dir: Path
    user: str = PG_USER
    password: str = PG_PASSWORD
    host: str = HOST

    def cpu_seconds(self) -> float:
        """CPU seconds of the server's processes so far (the postmaster leads their group)."""
        with contextlib.suppress(OSError, ValueError):
            return group_cpu_seconds([int((self.data_dir / "postmaster.pid").read_text().split()[0])])
        return 0.0

    def create_database(self, name: str) -> dict[str, str]:
        """Create database `name`; returns the `DAGSTER_PG_*` variables the instance files read."""
        import psycopg2

        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                      password=self.password, dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return {"DAGSTER_PG_HOST": self.host, "DAGSTER_PG_PORT": str(self.port), "DAGSTER_PG_USER": self.user,
                "DAGSTER_PG_PASSWORD": self.password, "DAGSTER_PG_DB": name}


@contextlib.contextmanager
def postgres_server(timeout_s: float = START_TIMEOUT_S) -> Iterator[Postgres]:
    """A PostgreSQL cluster in a fresh folder under /tmp, listening on 127.0.0.1 only.

    As root the cluster belongs to the `postgres` user (the folder is handed to it), otherwise to
    the current user. Password (scram) authentication; the Unix socket sits in the folder.
    """
    user = _server_user() if os.geteuid() == 0 else None
    as_user = {"user": user.pw_uid, "group": user.pw_gid} if user else {}
    root = Path(tempfile.mkdtemp(prefix="wp-postgres-"))
    data, log = root / "data", root / "server.log"
    port = free_port()
    started = False
    try:
        password_file = root / "password"
        password_file.write_text(PG_PASSWORD + "\n")
        if user:
            for path in (root, password_file):
                os.chown(path, user.pw_uid, user.pw_gid)
        subprocess.run(
            [find_binary("initdb"), "-D", str(data), "-U", PG_USER, f"--pwfile={password_file}",
             "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, timeout=timeout_s, **as_user,
        )
        options = f"-c listen_addresses={HOST} -p {port} -k {root} -c fsync=off"
        subprocess.run(
            [find_binary("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", str(int(timeout_s)), "start"],
            check=True, capture_output=True, timeout=timeout_s + 10, **as_user,
        )
        started = True
        _wait_for_port(port, time.monotonic() + timeout_s)
        yield Postgres(port=port, data_dir=data)
    except subprocess.CalledProcessError as failure:
        log_text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {failure.stderr!r} {log_text}") from failure
    finally:
        if started:
            subprocess.run([find_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "30", "stop"],
                           capture_output=True, timeout=40, **as_user)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_server(timeout_s: float = START_TIMEOUT_S) -> Iterator[str]:
    """A Redis server (no persistence) on 127.0.0.1; yields its URL `redis://127.0.0.1:PORT`."""
    root = Path(tempfile.mkdtemp(prefix="wp-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [find_binary("redis-server"), "--bind", HOST, "--port", str(port), "--dir", str(root),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(root / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, time.monotonic() + timeout_s, process)
        yield f"redis://{HOST}:{port}"
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def group_cpu_seconds(group_ids: Sequence[int]) -> float:
    """User + system CPU seconds of the live processes in these process groups (Linux /proc).

    For servers and workers that are not waited for by this process (so `getrusage` of the
    children misses them): read before stopping them.
    """
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) in group_ids:  # pgrp; utime and stime follow at 11 and 12
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def _stop(process: subprocess.Popen, grace_s: float = 20.0, group: bool = False) -> None:
    """SIGTERM (to the process group when `group`), then SIGKILL after `grace_s`."""
    if process.poll() is not None:
        return
    send = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    with contextlib.suppress(ProcessLookupError):
        send(signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            send(signal.SIGKILL)
        process.wait(timeout=grace_s)


@contextlib.contextmanager
def celery_workers(
    workers: Mapping[str, Sequence[str]],
    config_yaml: Path,
    env: Mapping[str, str],
    log_dir: Path,
    timeout_s: float = START_TIMEOUT_S * 2,
    cpu_seconds: dict[str, float] | None = None,
) -> Iterator[dict[str, str]]:
    """Start one Dagster Celery worker process per entry of `workers` (name -> queues).

    Each is `dagster-celery worker start` with the solo pool (one task at a time, in the worker's
    own process), so N entries are N worker processes. `env` (DAGSTER_HOME, the broker URL, the
    pipeline's folders) is added to this process's environment. Yields name -> Celery node name
    (`name@host`, what the run's engine events report) once every worker says it is ready.
    When the body ends, `cpu_seconds["workers"]` (if given) gets the workers' CPU seconds.
    """
    cpu_seconds = {} if cpu_seconds is None else cpu_seconds
    dagster_celery = str(Path(sys.executable).with_name("dagster-celery"))
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **env}
    # `dagster-celery` starts `celery` by name: this interpreter's scripts come first.
    full_env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), full_env.get("PATH", "")])
    processes: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        for name, queues in workers.items():
            logs[name] = log_dir / f"worker-{name}.log"
            queue_args = [arg for queue in queues for arg in ("-q", queue)]
            with logs[name].open("wb") as log:
                processes[name] = subprocess.Popen(
                    [dagster_celery, "worker", "start", "-A", "dagster_celery.app", "-y", str(config_yaml),
                     "-n", name, *queue_args, "--loglevel", "INFO", "--", "--pool=solo", "--without-heartbeat",
                     "--without-gossip", "--without-mingle"],
                    stdout=log, stderr=subprocess.STDOUT, env=full_env, start_new_session=True,
                )
        deadline = time.monotonic() + timeout_s
        waiting = set(workers)
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                if processes[name].poll() is not None:
                    raise RuntimeError(f"Celery worker {name} exited: {logs[name].read_text(errors='replace')[-2000:]}")
                if " ready." in logs[name].read_text(errors="replace"):
                    waiting.discard(name)
            time.sleep(0.5)
        if waiting:
            raise TimeoutError(f"Celery workers not ready in {timeout_s:.0f} s: {sorted(waiting)}")
        host = socket.gethostname()
        nodes = {name: f"{name}@{host}" for name in workers}
        yield nodes
        # Each worker is the leader of its own process group (the wrapper and its celery process).
        cpu_seconds["workers"] = group_cpu_seconds([process.pid for process in processes.values()])
    finally:
        for process in processes.values():
            _stop(process, group=True)
