"""Benchmark: ingest + validate one million generated Strong-format sets.

The parent process writes a 1M-row Strong classic CSV (vectorised numpy/pandas) into a temp
folder; a fresh child process then runs the same function as `workout-pipeline ingest`
(`ingest_paths`: read + decode + parse + unit inference + Great Expectations validation +
exercise resolution + atomic Parquet store write) and reports its wall time per phase and its
peak resident memory (`ru_maxrss`, so the generator's memory is not counted). The result is
written into the `ingest` section of docs/benchmarks.md.

Usage: .venv/bin/python benchmarks/ingest.py [--sets 1000000]
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

import numpy as np
import pandas as pd

GOAL_SECONDS = 20.0
GOAL_MEMORY_GB = 2.0
EXERCISES = np.array([
    "Bench Press (Barbell)", "Squat (Barbell)", "Deadlift (Barbell)", "Overhead Press (Barbell)",
    "Bent Over Row (Barbell)", "Lat Pulldown (Cable)", "Bicep Curl (Dumbbell)", "Triceps Pushdown (Cable)",
    "Leg Press", "Lateral Raise (Dumbbell)", "Pull Up", "Incline Bench Press (Dumbbell)",
])


def generate_strong_csv(path: Path, n_sets: int, seed: int = 0, hours_between_sessions: int = 3) -> None:
    """Write a Strong classic export of `n_sets` set rows (5 exercises x 4 sets per session)."""
    rng = np.random.default_rng(seed)
    sets_per_session = 20
    row = np.arange(n_sets)
    session = row // sets_per_session
    # One session every 3 hours from 2005 keeps 50k sessions in the past.
    start = pd.Timestamp("2005-01-01 07:00:00") + pd.to_timedelta(session * hours_between_sessions, unit="h")
    exercise = (session * 7 + (row % sets_per_session) // 4) % len(EXERCISES)
    set_order = (row % 4 + 1).astype(str).astype(object)
    set_order[rng.random(n_sets) < 0.05] = "W"
    weight = np.round(rng.uniform(10, 160, n_sets) / 2.5) * 2.5
    reps = rng.integers(1, 16, n_sets)
    frame = pd.DataFrame({
        "Date": start.strftime("%Y-%m-%d %H:%M:%S"),
        "Workout Name": "Generated",
        "Duration": "1h 10m",
        "Exercise Name": EXERCISES[exercise],
        "Set Order": set_order,
        "Weight": weight,
        "Reps": reps,
        "Distance": 0,
        "Seconds": 0,
        "Notes": "",
        "Workout Notes": "",
        "RPE": np.where(rng.random(n_sets) < 0.3, rng.integers(6, 11, n_sets).astype(str), ""),
    })
    # A few bad rows so the quarantine path is exercised too.
    bad = rng.choice(n_sets, size=max(1, n_sets // 10_000), replace=False)
    frame.loc[bad, "Reps"] = 250
    frame.to_csv(path, index=False)


def measure(csv_path: str, out_dir: str, malformed_path: str) -> dict:
    """Run the ingest in this (fresh) process and return timings and peak memory."""
    started = time.perf_counter()
    from workout_pipeline.ingest import ingest_paths, parse_log_file, validate_sets

    imported = time.perf_counter()
    cpu_before = time.process_time()
    report = ingest_paths([csv_path], out_dir=out_dir, athlete="bench")
    total = time.perf_counter() - imported
    cpu = time.process_time() - cpu_before
    max_rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    summary = report.summary
    del report
    # Phase split on a second run of the parts (the first run warmed GX's import).
    t0 = time.perf_counter()
    log = parse_log_file(csv_path, "bench")
    t1 = time.perf_counter()
    validate_sets(log.sets)
    t2 = time.perf_counter()
    del log
    # Next week's export repeats the whole history: merging it into the 1M-set store adds nothing.
    again = ingest_paths([csv_path], out_dir=out_dir, athlete="bench").summary["store"]
    t3 = time.perf_counter()
    # One malformed row sends the file to the row-by-row reader (per-row field counts).
    malformed = parse_log_file(malformed_path, "bench")
    t4 = time.perf_counter()
    return {
        "import_s": imported - started,
        "ingest_s": total,
        "ingest_cpu_s": cpu,
        "parse_s": t1 - t0,
        "validate_s": t2 - t1,
        "reingest_s": t3 - t2,
        "malformed_parse_s": t4 - t3,
        "malformed_rejected": malformed.rejected["reason"].value_counts().to_dict(),
        "reingest_added": again["added"],
        "reingest_unchanged": again["unchanged"],
        "max_rss_gb": max_rss_gb,
        "rows_in": summary["rows_in"],
        "valid": summary["valid"],
        "quarantined": summary["quarantined"],
        "by_reason": summary["by_reason"],
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1_000_000)
    parser.add_argument("--measure", nargs=3, metavar=("CSV", "OUT", "MALFORMED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "bench.csv"
        t = time.perf_counter()
        generate_strong_csv(csv_path, args.sets)
        generated_s = time.perf_counter() - t
        size_mb = csv_path.stat().st_size / 1e6
        malformed_path = Path(tmp) / "bench_malformed.csv"
        with malformed_path.open("w", encoding="utf-8") as out, csv_path.open(encoding="utf-8") as source:
            out.write(source.read())
            # An unquoted comma in the exercise name shifts the row by one field.
            out.write("2006-01-01 07:00:00,Generated,1h 10m,Squat, Barbell,1,100.0,5,0,0,,,\n")
        child = subprocess.run([sys.executable, __file__, "--measure", str(csv_path), str(Path(tmp) / "store"),
                                str(malformed_path)], check=True, capture_output=True, text=True)
        result = json.loads(child.stdout.strip().splitlines()[-1])
    end_to_end = result["import_s"] + result["ingest_s"]
    verdict = lambda ok: "meets" if ok else "MISSES"  # noqa: E731
    markdown = f"""
`benchmarks/ingest.py`: {args.sets:,} generated Strong-classic set rows ({size_mb:.0f} MB CSV, generated in
{generated_s:.1f} s, not counted), ingested by `ingest_paths` (the function behind `workout-pipeline
ingest`) in a fresh process: decode + CSV split + vectorised parse + unit inference + Great
Expectations validation + exercise resolution + atomic Parquet store write. Well-formed files are
read by pyarrow's CSV reader; a file with any row of the wrong field count is read row by row
(Python's csv module) so that row can be quarantined on its own.

| measure | value | goal |
| --- | --- | --- |
| ingest wall time (one call, includes GX's lazy import) | {result['ingest_s']:.1f} s | <= {GOAL_SECONDS:g} s ({verdict(result['ingest_s'] <= GOAL_SECONDS)}) |
| CPU time of that call (user + system, this process) | {result['ingest_cpu_s']:.1f} s | |
| package import (`workout_pipeline.ingest`) | {result['import_s']:.2f} s | |
| parse only (second run) | {result['parse_s']:.1f} s | |
| GX validation only (second run) | {result['validate_s']:.1f} s | |
| peak resident memory of the ingest call (`ru_maxrss`) | {result['max_rss_gb']:.2f} GB | <= {GOAL_MEMORY_GB:g} GB ({verdict(result['max_rss_gb'] <= GOAL_MEMORY_GB)}) |
| same export again into the 1M-set store (upsert) | {result['reingest_s']:.1f} s: {result['reingest_added']:,} added, {result['reingest_unchanged']:,} unchanged | no duplicates |
| parse only, same file plus one malformed row (row-by-row reader) | {result['malformed_parse_s']:.1f} s, rejected: {json.dumps(result['malformed_rejected'])} | |
| rows in / valid / quarantined | {result['rows_in']:,} / {result['valid']:,} / {result['quarantined']:,} | every row accounted |

Quarantine reasons: {json.dumps(result['by_reason'])} (the generator plants one reps=250 row per 10,000).
Import + ingest together: {end_to_end:.1f} s. The machine (2 cores) was shared with other work while
measuring (1-minute load average {result['load_average']:.1f} at the end), so wall times are upper
bounds; with no other load the wall time is close to the CPU time.
"""
    print(markdown)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import write_section

    write_section("ingest", markdown)


if __name__ == "__main__":
    main()
