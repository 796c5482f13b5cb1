"""Scale-out: 200 simulated athletes ingested and given weekly programs, in one process and on
two Celery workers, side by side (wall time and CPU time).

Both modes run the same asset graph through `materialize_inbox` on the same inbox (one export
per athlete): one ingestion run per file, one model run, one program run per athlete.
- in-process: the embedded default (SQLite instance), runs one after another in this process.
- celery: a throwaway PostgreSQL instance (deploy/dagster-celery.yaml), Redis broker, two CPU
  workers on the `dagster` queue plus one worker on the `gpu` queue (training only), runs of a
  phase started `--parallel-runs` at a time (deploy/run-config-celery.yaml).
Each mode runs in its own child process; CPU is user+system time of that process and every
process it started: run processes and Redis (waited for), Celery workers and the PostgreSQL
server (read from /proc before they stop).
Results go to the `scaleout` section of docs/benchmarks.md.

Usage: .venv/bin/python benchmarks/scaleout.py [--athletes 200] [--weeks 8] [--solve-seconds 1]
       [--epochs 2] [--parallel-runs 4] [--no-write]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("strong_classic", "hevy", "fitnotes")


def write_inbox(inbox: Path, athletes: int, weeks: int, seed: int = 7) -> int:
    """One export per simulated athlete; returns the number of logged sets."""
    from workout_pipeline.simulate import simulate_athletes, write_export

    sets = simulate_athletes(n_athletes=athletes, weeks=weeks, seed=seed)
    inbox.mkdir(parents=True, exist_ok=True)
    for i, (athlete, rows) in enumerate(sets.groupby("athlete_id")):
        write_export(rows, inbox / f"{athlete}.csv", FORMATS[i % len(FORMATS)])
    return len(sets)


def run_mode(mode: str, out: Path, args: argparse.Namespace) -> dict:
    """Materialise the inbox under `out` (this process is the child of `measure`)."""
    from workout_pipeline.defs.demo import materialize_inbox

    budget = {"epochs": args.epochs, "seed": 0, "solve_seconds": args.solve_seconds}
    if mode == "in-process":
        summary = materialize_inbox(out, **budget)
        return {"runs": summary["runs"]}

    from workout_pipeline.defs.scaleout import local_celery_cluster

    with local_celery_cluster(out, parallel_runs=args.parallel_runs) as cluster:
        summary = materialize_inbox(out, instance_yaml=cluster.instance_yaml, run_batch=cluster.runs, **budget)
        steps, nodes = cluster.placements(), cluster.nodes
    per_worker = {name: sum(1 for s in steps if s["worker"] == node) for name, node in nodes.items()}
    return {"runs": summary["runs"], "steps_per_worker": per_worker,
            "servers_cpu_s": {k: round(v, 1) for k, v in cluster.cpu_seconds.items()}}


def measure(mode: str, inbox: Path, args: argparse.Namespace) -> dict:
    """Run one mode in a child process on a copy of the inbox; wall and CPU seconds."""
    import shutil

    out = Path(tempfile.mkdtemp(prefix=f"wp-scaleout-{mode}-"))
    shutil.copytree(inbox, out / "inbox")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--out", str(out), "--epochs", str(args.epochs),
         "--solve-seconds", str(args.solve_seconds), "--parallel-runs", str(args.parallel_runs)],
        capture_output=True, text=True, timeout=args.timeout,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Waited-for processes (run processes, Redis) plus what getrusage cannot see: the Celery
    # workers (their wrapper is stopped before them) and the PostgreSQL daemon.
    servers = result.get("servers_cpu_s", {})
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + sum(servers.values())
    phases = phase_seconds(done.stderr)
    shutil.rmtree(out, ignore_errors=True)
    runs = result["runs"]
    return {"mode": mode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "runs": len(runs),
            "failed": sorted(k for k, v in runs.items() if v != "success"), **phases,
            **{key: result[key] for key in ("steps_per_worker", "servers_cpu_s") if key in result}}


def phase_seconds(stderr: str) -> dict:
    """Sum of run seconds per phase from the `demo: LABEL: outcome (S s)` lines."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if line.startswith("demo: ") and line.endswith(" s)"):
            label = line.split(": ")[1].split(":")[0]
            totals[label] = totals.get(label, 0.0) + float(line.rsplit("(", 1)[1].split()[0])
    return {f"{phase}_run_s": round(seconds, 1) for phase, seconds in totals.items()}


def table(results: list[dict], args: argparse.Namespace, n_sets: int, cores: int, load: float) -> str:
    base = results[0]
    lines = [
        f"{args.athletes} simulated athletes ({args.weeks} weeks each, {n_sets} logged sets, one export "
        f"per athlete), the whole asset graph: {args.athletes} ingestion runs, one model run "
        f"({args.epochs} epochs), {args.athletes} program runs (solver budget {args.solve_seconds:g} s "
        "per athlete: a shorter budget than the default 10 s, so the benchmark fits the machine; "
        "the default budget makes the program phase larger and the scale-out gain larger).",
        "",
        "| mode | wall s | CPU s (all processes) | of which workers / Postgres | speed-up | ingestion runs s (sum) | model run s | program runs s (sum) | steps per worker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        workers = ", ".join(f"{k} {v}" for k, v in r.get("steps_per_worker", {}).items()) or "-"
        servers = r.get("servers_cpu_s", {})
        split = f"{servers['workers']} / {servers['postgres']}" if servers else "-"
        lines.append(
            f"| {r['mode']} | {r['wall_s']} | {r['cpu_s']} | {split} | {base['wall_s'] / r['wall_s']:.2f}x | "
            f"{r.get('ingest_run_s', '-')} | {r.get('model_run_s', '-')} | {r.get('program_run_s', '-')} | {workers} |"
        )
    failed = [f"{r['mode']}: {', '.join(r['failed'])}" for r in results if r["failed"]]
    lines += [
        "",
        f"Runs that failed: {'; '.join(failed) if failed else 'none'}. Run seconds are summed over runs "
        "(in the Celery mode runs of a phase overlap, so the sum exceeds the phase's wall time).",
        "",
        f"The machine has {cores} cores and is shared with other agents working at the same time "
        f"(load average {load:.1f} when the benchmark started), so "
        "both modes compete for the same two cores with unrelated work: two Celery workers cannot "
        "be faster than two cores allow, and each Celery step pays for a task round trip through "
        "Redis, a step process that loads the code location, and Postgres event writes. The layout "
        "pays off where workers sit on separate machines (docs/deploy.md, scaling).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--solve-seconds", type=float, default=1.0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--parallel-runs", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--modes", default="in-process,celery")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child, Path(args.out), args)))
        return

    from workout_pipeline import local_servers

    missing = local_servers.missing(postgres=True, redis=True)
    if missing:
        raise SystemExit(f"needs {', '.join(missing)}")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wp-scaleout-inbox-") as folder:
        n_sets = write_inbox(Path(folder), args.athletes, args.weeks)
        results = []
        for mode in args.modes.split(","):
            results.append(measure(mode, Path(folder), args))
            print(json.dumps(results[-1]), flush=True)
    markdown = table(results, args, n_sets, os.cpu_count() or 1, load)
    print(markdown)
    if not args.no_write:
        write_section("scaleout", markdown)


if __name__ == "__main__":
    main()
