"""End-to-end timings: cold `workout-pipeline demo` and loading the Dagster code location.

Goals: a cold demo (fresh output folder, new Dagster instance) within 90 s, and loading the code
location (`import workout_pipeline.definitions` + resolving the asset graph) within 3 s.
Results go to the `end_to_end` section of docs/benchmarks.md.

Usage: .venv/bin/python benchmarks/end_to_end.py [--load-repeats 5] [--no-write]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

from workout_pipeline.defs.demo import DEMO_EPOCHS, DEMO_SOLVE_SECONDS  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_GOAL_S = 90.0
LOAD_GOAL_S = 3.0

LOAD_SNIPPET = """
import sys, time
started = time.perf_counter()
import workout_pipeline.definitions as location
location.defs.resolve_asset_graph()
elapsed = time.perf_counter() - started
heavy = [m for m in ("torch", "torch_geometric", "great_expectations", "pulp") if m in sys.modules]
print(f"{elapsed:.4f} {','.join(heavy) or '-'}")
"""


def measure_load(repeats: int) -> tuple[list[float], list[float], str]:
    """(in-process load seconds, whole-process seconds, heavy modules imported) per repeat."""
    inner, outer, heavy = [], [], "-"
    for _ in range(repeats):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120)
        outer.append(time.perf_counter() - started)
        seconds, heavy = out.stdout.split()
        inner.append(float(seconds))
    return inner, outer, heavy


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_demo() -> tuple[float, float, dict, float]:
    """(wall s, CPU s, demo JSON summary, peak RSS MiB of the demo process) on a fresh folder."""
    cli = Path(sys.executable).with_name("workout-pipeline")
    with tempfile.TemporaryDirectory(prefix="e2e_") as tmp:
        cpu_before = _children_cpu_seconds()
        started = time.perf_counter()
        out = subprocess.run([str(cli), "demo", "--out", str(Path(tmp) / "out")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise SystemExit(f"demo failed ({out.returncode}): {out.stderr.strip().splitlines()[-1:]}")
        summary = json.loads(out.stdout.strip().splitlines()[-1])
    cpu = _children_cpu_seconds() - cpu_before
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, cpu, summary, peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch docs/benchmarks.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    inner, outer, heavy = measure_load(args.load_repeats)
    demo_s, demo_cpu, summary, peak_mib = measure_demo()
    load_after = os.getloadavg()[0]
    load_median = statistics.median(inner)
    runs = summary.get("runs", {})
    lines = [
        "| measurement | result | goal |",
        "|---|---|---|",
        f"| cold `workout-pipeline demo` (fresh out dir, {len(summary.get('athletes', []))} athletes, "
        f"{sum(1 for k in runs if k.startswith('ingest:'))} files, {len(runs)} runs) | {demo_s:.1f} s "
        f"{'(met)' if demo_s <= DEMO_GOAL_S else '(MISSED)'} | <= {DEMO_GOAL_S:.0f} s |",
        f"| same, CPU time (user + system, all threads) | {demo_cpu:.1f} s | - |",
        f"| demo peak memory (largest process) | {peak_mib:.0f} MiB | - |",
        f"| code-location load, median of {len(inner)} (import + resolve asset graph) | {load_median:.2f} s "
        f"{'(met)' if load_median <= LOAD_GOAL_S else '(MISSED)'} | <= {LOAD_GOAL_S:.0f} s |",
        f"| same, whole Python process incl. interpreter start, median | {statistics.median(outer):.2f} s | - |",
        f"| heavy modules imported by loading | {heavy} | none |",
        "",
        f"Machine load average (1 min) {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores: "
        "wall-clock times above a load of about 2 include waiting for other processes' CPU. "
        f"The demo trains at most {DEMO_EPOCHS} epochs and gives each athlete's MILP {DEMO_SOLVE_SECONDS:g} s "
        "(`workout-pipeline demo --epochs/--solve-seconds`).",
        "",
        f"Demo steps as the demo reported them: {demo_s:.1f} s wall, {summary.get('seconds')} s inside the command; "
        f"runs: {', '.join(f'{k}={v}' for k, v in runs.items())}.",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        write_section("end_to_end", markdown)


if __name__ == "__main__":
    main()
