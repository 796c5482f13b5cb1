"""Routine objective: a development set of hard weeks, proven share at a 1 s budget.

Instances (harder than the public five's own weeks): each public lifter's own week, the same
lifter at 2, 3 and 4 days, with no chest (an injury), and with barbell + dumbbell only; and
`--simulated` simulated athletes (`simulate_athletes(seed=1)`, 13 weeks) with their own defaults.
`--seed 2 --no-public` draws a fresh set of simulated athletes that no change was tuned on: a
holdout check of what the development set says.
Each is solved once at `--budget` seconds (gap 0.5%). Prints one line per instance and a
summary (proven within 0.5%, median / max wall and CPU seconds, no-program count); `--json`
saves the rows for a before/after comparison. `--budget 10` (the CLI's default) reads what the
issue's lifter check reads: the weeks proven within 0.5% in at most 1 s ("in at most 1 s").

Run: .venv/bin/python benchmarks/program_devset.py [--simulated 40] [--seed 1] [--no-public] [--budget 1] [--json out.json]
"""

import argparse
import json
import os
import statistics
import time

VARIANTS = [
    ("own week", {}),
    *((f"{days} days", {"training_days": days}) for days in (2, 3, 4)),
    ("no chest", {"exclude_muscles": ["chest"]}),
    ("barbell + dumbbell", {"equipment": ["barbell", "dumbbell"]}),
]


def instances(n_simulated: int, seed: int = 1, public: bool = True) -> list[tuple[str, dict, object, str]]:
    """(label, constraints, history, athlete) for every instance of the set."""
    import tempfile

    from workout_pipeline.ingest.pipeline import ingest_paths, resolve_exercises
    from workout_pipeline.paths import public_log_files
    from workout_pipeline.program import read_history_store
    from workout_pipeline.simulate import simulate_athletes

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (public_log_files() if public else {}).items():
            ingest_paths([path], out_dir=f"{tmp}/{name}", athlete=name)
            history, _ = read_history_store(f"{tmp}/{name}")
            out += [(f"{name}, {label}", c, history, name) for label, c in VARIANTS]
    if n_simulated:
        sets = resolve_exercises(simulate_athletes(n_simulated, weeks=13, seed=seed))
        sets = sets[sets["exercise_id"].notna()]
        for athlete in sorted(sets["athlete_id"].unique()):
            out.append((f"simulated {athlete}", {}, sets[sets["athlete_id"] == athlete], athlete))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulated", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1, help="simulated athletes' seed (1: the development set)")
    parser.add_argument("--no-public", action="store_true", help="simulated athletes only")
    parser.add_argument("--budget", type=float, default=1.0)
    parser.add_argument("--only", default="", help="substring of the labels to run")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.errors import InputError
    from workout_pipeline.program import solve_program

    catalog = load_catalog()
    rows = []
    load = os.getloadavg()[0]
    for label, c, history, athlete in instances(args.simulated, args.seed, not args.no_public):
        if args.only and args.only not in label:
            continue
        started, cpu = time.perf_counter(), time.process_time()
        try:
            r = solve_program(catalog, dict(c), history=history, athlete_id=athlete, time_limit_s=args.budget,
                              week_start="2026-12-07")
            row = {"label": label, "gap": r.gap, "objective": r.objective, "bound": r.lower_bound,
                   "classes": r.n_classes, "stages": {k: v for k, v in r.stages.items() if isinstance(v, dict)}}
        except InputError as error:
            row = {"label": label, "gap": None, "error": str(error)}
        row.update(seconds=time.perf_counter() - started, cpu=time.process_time() - cpu)
        rows.append(row)
        gap = "-" if row["gap"] is None else f"{100 * row['gap']:.2f}%"
        print(f"{label:45s} {gap:>8s} {row['seconds']:6.2f} s cpu {row['cpu']:5.2f} s "
              f"obj {row.get('objective', float('nan')):.3f} classes {row.get('classes', '-')} "
              f"{json.dumps(row.get('stages', row.get('error')), default=str)[:200]}", flush=True)
    proven = sum(r["gap"] is not None and r["gap"] <= 0.005 and r["seconds"] <= args.budget * 1.05 for r in rows)
    within = sum(r["gap"] is not None and r["gap"] <= 0.005 for r in rows)
    in_1s = sum(r["gap"] is not None and r["gap"] <= 0.005 and r["seconds"] <= 1.0 for r in rows)
    secs, cpus = sorted(r["seconds"] for r in rows), sorted(r["cpu"] for r in rows)
    print(f"\n{len(rows)} instances, budget {args.budget:g} s, load average {load:.1f} -> {os.getloadavg()[0]:.1f}: "
          f"proven within 0.5% in budget {proven}, in at most 1 s {in_1s}, within 0.5% at all {within}, no program "
          f"{sum(r['gap'] is None for r in rows)}; wall median {statistics.median(secs):.2f} max {secs[-1]:.2f} s; "
          f"CPU median {statistics.median(cpus):.2f} max {cpus[-1]:.2f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1, default=str)


if __name__ == "__main__":
    main()
