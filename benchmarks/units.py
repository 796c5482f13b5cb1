"""Benchmark: how often unit inference names the lifter's unit, on simulated athletes.

The simulator (`workout_pipeline.simulate`) draws athletes (about a quarter lifting in pounds)
whose loads sit on their unit's equipment grid: 20-kg bar with 1.25-kg plates or 45-lb bar with
2.5-lb plates, kg or lb dumbbell racks, 5-kg or 10-lb stacks. Each athlete's loads, written in
their own unit without a unit column, go through `ingest.units.infer_weight_unit` with the
exercise names. Nothing is fitted to these athletes (the inference has no trained parameters),
so this is not a metric on training data. The result is written into the `units` section of
docs/benchmarks.md.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/units.py [--athletes 300] [--seed 11]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402


def measure(n_athletes: int, weeks: int, seed: int) -> dict:
    from workout_pipeline.ingest.units import infer_weight_unit
    from workout_pipeline.ingest.values import LB_TO_KG
    from workout_pipeline.simulate.athletes import random_profiles, simulate_profiles

    profiles = random_profiles(n_athletes, seed=seed)
    log = simulate_profiles(profiles, weeks=weeks, seed=seed)
    units = {p.athlete_id: p.unit for p in profiles}
    right = ambiguous = ambiguous_right = lb_right = 0
    started = time.perf_counter()
    for athlete, sets in log.sets.groupby("athlete_id"):
        unit = units[athlete]
        loads = sets["weight_kg"].to_numpy(float)
        written = loads if unit == "kg" else np.round(loads / LB_TO_KG, 3)
        inferred = infer_weight_unit(written, sets["exercise_raw"].to_numpy(object))
        right += inferred.unit == unit
        lb_right += unit == "lb" and inferred.unit == "lb"
        if inferred.confidence == "ambiguous":
            ambiguous += 1
            ambiguous_right += inferred.unit == unit
    return {"athletes": len(units), "lb_athletes": sum(u == "lb" for u in units.values()), "weeks": weeks,
            "right": right, "lb_right": lb_right, "ambiguous": ambiguous, "ambiguous_right": ambiguous_right,
            "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rows = [measure(args.athletes, weeks, args.seed) for weeks in (1, 4, 12)]
    lines = ["| weeks of log | athletes (lb) | unit right | kg right | lb right | ambiguous (of them right) | inference time |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        kg_athletes = row["athletes"] - row["lb_athletes"]
        lines.append(f"| {row['weeks']} | {row['athletes']} ({row['lb_athletes']}) | {row['right']}/{row['athletes']} | "
                     f"{row['right'] - row['lb_right']}/{kg_athletes} | {row['lb_right']}/{row['lb_athletes']} | "
                     f"{row['ambiguous']} ({row['ambiguous_right']}) | {row['seconds']:.1f} s |")
    text = ("Unit inference on simulated athletes whose loads sit on their unit's equipment grid "
            "(`benchmarks/units.py`; no unit column, exercise names given).\n\n" + "\n".join(lines))
    print(text)
    write_section("units", text)


if __name__ == "__main__":
    main()
