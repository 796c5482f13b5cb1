"""1,000 simulated athletes' weekly programs (routine objective) on 2 worker processes.

Simulates `--athletes` lifters (`workout_pipeline.simulate`, 13 weeks), resolves their exercise
names as ingest does (`resolve_exercises`), then solves each one's next week with
`solve_program` (1 s budget, gap 0.5%) in `--workers` processes. Reports the wall time, the
machine's load average before and after, and the spread of solve times and proven gaps.
Results go to the `program_fleet` section of docs/benchmarks.md.

Run: .venv/bin/python benchmarks/program_fleet.py [--athletes 1000] [--workers 2] [--time-limit 1]
(on a loaded machine a 1 s wall budget is a fraction of a core: `--time-limit` scales it, and the
CPU seconds are reported beside the wall time)

To iterate on the misses: `--json fleet.json` saves one row per athlete (gap, seconds, stages);
`--labels sim001,sim042` (or `--labels @file`, one label a line) re-runs only those athletes of
the same fleet and prints each one's stages (objective / bound / seconds); `--only-misses
fleet.json` re-runs the athletes that file has not proven within 0.5% in the budget.
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402

_HISTORY = None
_LIMIT = 1.0


def _init(path: str, limit: float) -> None:
    global _HISTORY, _LIMIT
    import pandas as pd

    _HISTORY = pd.read_parquet(path)
    _LIMIT = limit


def _one(athlete: str) -> tuple[str, float, float, float, str, float, dict]:
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.errors import InputError
    from workout_pipeline.program import solve_program

    own = _HISTORY[_HISTORY["athlete_id"] == athlete]
    started, cpu = time.perf_counter(), time.process_time()
    try:
        r = solve_program(load_catalog(), None, history=own, athlete_id=athlete, time_limit_s=_LIMIT, week_start="2025-07-07")
    except InputError as error:
        return athlete, time.perf_counter() - started, float("nan"), float("nan"), f"error: {error}", time.process_time() - cpu, {}
    stages = {k: v for k, v in r.stages.items() if isinstance(v, dict)} | {"bound": r.lower_bound}
    return athlete, time.perf_counter() - started, r.gap, r.objective, r.status, time.process_time() - cpu, stages


def _in_budget(result: tuple, limit: float) -> bool:
    """Proven within 0.5% in the budget (5% over it allowed for the process's own overhead)."""
    return result[2] == result[2] and result[2] <= 0.005 and result[1] <= 1.05 * limit


def _chosen(args: argparse.Namespace) -> set[str] | None:
    """The athletes `--labels` or `--only-misses` name (None: all)."""
    if args.only_misses:
        with open(args.only_misses, encoding="utf-8") as f:
            rows = json.load(f)
        return {r["athlete"] for r in rows if not r["in_budget"]}
    if args.labels:
        text = Path(args.labels[1:]).read_text(encoding="utf-8") if args.labels.startswith("@") else args.labels
        return {label.strip() for label in text.replace(",", "\n").splitlines() if label.strip()}
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=1.0, help="solver budget per athlete (s)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--labels", default="", help="only these athletes (comma-separated, or @file)")
    parser.add_argument("--only-misses", default="", help="only the athletes a --json file did not prove in budget")
    parser.add_argument("--json", default="", help="save one row per athlete here")
    args = parser.parse_args()
    chosen = _chosen(args)
    if chosen is not None:
        args.no_write = True
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import tempfile

    from workout_pipeline.ingest.pipeline import resolve_exercises
    from workout_pipeline.simulate import simulate_athletes

    load_before = os.getloadavg()
    began = time.perf_counter()
    sets = resolve_exercises(simulate_athletes(args.athletes, weeks=13, seed=0))
    sets = sets[sets["exercise_id"].notna()]
    prepared = time.perf_counter() - began
    athletes = sorted(a for a in sets["athlete_id"].unique() if chosen is None or a in chosen)
    if chosen is not None and len(athletes) < len(chosen):
        print(f"not in this fleet: {', '.join(sorted(chosen - set(athletes)))}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "sets.parquet")
        sets.to_parquet(path)
        began = time.perf_counter()
        with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(path, args.time_limit)) as pool:
            results = list(pool.map(_one, athletes, chunksize=8))
        wall = time.perf_counter() - began
    load_after = os.getloadavg()
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime
    solve_cpu = sum(r[5] for r in results)
    times = sorted(r[1] for r in results)
    gaps = sorted(r[2] for r in results if r[2] == r[2])
    errors = [r for r in results if r[4].startswith("error")]
    within = sum(g <= 0.005 for g in gaps)
    in_budget = sum(_in_budget(r, args.time_limit) for r in results)
    q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")  # noqa: E731
    lines = [
        f"{len(athletes)} simulated athletes (13 weeks each, `simulate_athletes(seed=0)`), routine objective, "
        f"{args.time_limit:g} s budget each, {args.workers} worker processes on a {os.cpu_count()}-core machine shared with other "
        f"sessions (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after).",
        "",
        f"CPU time of the {args.workers} workers (imports included): {worker_cpu:.0f} s, i.e. "
        f"**{worker_cpu / args.workers:.0f} s on {args.workers} dedicated cores**; the solves alone: {solve_cpu:.0f} CPU-s "
        f"({solve_cpu / len(athletes):.2f} s per athlete). The wall time below is on the shared machine.",
        "",
        "| Athletes | Wall time (programs) | Simulate + resolve | Solve time median / p90 / max | "
        "Proven within 0.5% | Proven within 0.5% in the budget | Gap median / p90 / max | Errors (no program) |",
        "|---|---|---|---|---|---|---|---|",
        f"| {len(athletes)} | **{wall:.0f} s** | {prepared:.0f} s | {q(times, .5):.2f} / {q(times, .9):.2f} / "
        f"{times[-1]:.2f} s | {within}/{len(gaps)} | {in_budget}/{len(gaps)} | {100 * q(gaps, .5):.2f}% / {100 * q(gaps, .9):.2f}% / "
        f"{100 * gaps[-1]:.2f}% | {len(errors)} |",
    ]
    for r in errors[:3]:
        lines.append(f"\n{r[0]}: {r[4]}")
    markdown = "\n".join(lines)
    if chosen is not None:
        for r in results:
            print(f"{r[0]} gap {100 * r[2]:6.2f}% wall {r[1]:5.2f} s cpu {r[5]:5.2f} s {json.dumps(r[6], default=str)}")
    if args.json:
        rows = [{"athlete": r[0], "seconds": r[1], "gap": r[2], "objective": r[3], "status": r[4], "cpu": r[5],
                 "in_budget": _in_budget(r, args.time_limit), "stages": r[6]}
                for r in results]
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    if not args.no_write:
        write_section("program_fleet", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
