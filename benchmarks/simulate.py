"""Benchmark the lifter simulator and the export writers; results go to docs/benchmarks.md.

    .venv/bin/python benchmarks/simulate.py [--sizes 100000 1000000] [--no-docs]

Each size runs in a fresh subprocess so peak memory (max RSS) belongs to that size alone.
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

WRITE_FORMATS = ("strong_classic", "hevy")


def measure_one(n_sets: int) -> dict:
    """Simulate `n_sets` sets and write them in each of WRITE_FORMATS; times and peak RSS."""
    from workout_pipeline.simulate import simulate_sets, write_export

    started = time.perf_counter()
    log = simulate_sets(n_sets, seed=0)
    result = {
        "sets": len(log.sets),
        "athletes": int(log.sets["athlete_id"].nunique()),
        "simulate_s": round(time.perf_counter() - started, 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in WRITE_FORMATS:
            began = time.perf_counter()
            path = write_export(log.sets, Path(tmp) / f"{fmt}.csv", fmt, sessions=log.sessions, notes=log.notes)
            result[f"write_{fmt}_s"] = round(time.perf_counter() - began, 2)
            result[f"{fmt}_mb"] = round(path.stat().st_size / 1e6, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-docs", action="store_true", help="print only, do not rewrite docs/benchmarks.md")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return
    load_before = os.getloadavg()[0]
    rows = []
    for size in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1])
    lines = [
        "`simulate_sets(N)` (26-week athletes, seed 0) then `write_export` of the same sets; each size in a fresh",
        "process (peak RSS covers simulation and both writes). Goal: 100k sets simulated in a few seconds,",
        "1M in well under a minute.",
        f"1-minute load average when the run started: {load_before:.1f} on this 2-core machine (other work running",
        "beside it inflates the times).",
        "",
        "| sets | athletes | simulate (s) | write strong_classic (s) | write hevy (s) | strong_classic MB | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['sets']:,} | {r['athletes']} | {r['simulate_s']} | {r['write_strong_classic_s']} | "
            f"{r['write_hevy_s']} | {r['strong_classic_mb']} | {r['peak_rss_mb']:.0f} |"
        )
    if not args.no_docs:
        from _report import write_section

        write_section("simulate", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
