"""Load MAE against repeat_last on the validation slice, honestly: the per-athlete gate is tuned
on an inner validation slice and scored on the outer one it never saw (test pairs unused).

Usage:
    .venv/bin/python benchmarks/load_validation.py [--seeds 0,1,2] [--logs DIR] [--write-docs] [--json PATH]

`train_models` tunes each athlete's gate threshold on the validation slice, so the validation
score it reports is in-sample for that choice. Here the training pairs are split again like
`build_training_graph` splits them (the last VALIDATION_FRACTION of each athlete's training
days becomes the inner validation slice), the default load models (GraphSAGE, LightGBM and
their blend) are trained and tuned on that, and the real validation slice is scored once: a
development estimate of what a change does on test, without looking at test. Each choice
about the load heads and the gate in docs/model_choices.md was compared this way. Results go to the `load_validation` section of docs/benchmarks.md.
"""

import argparse
import copy
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

MODELS = ("graphsage", "lightgbm", "blend")
UNUSED = -1


def inner_split(graph):
    """A copy of the graph whose pairs are re-split: the validation slice becomes the scored
    slice (SPLIT_TEST), the last VALIDATION_FRACTION of each athlete's training days the inner
    validation slice, test pairs unused."""
    import math

    import numpy as np
    import pandas as pd

    from workout_pipeline.model.graph import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, VALIDATION_FRACTION

    pairs = graph.pairs.copy()
    old = pairs["split"].to_numpy()
    new = np.full(len(pairs), UNUSED)
    new[old == SPLIT_VALIDATION] = SPLIT_TEST
    days = pd.to_datetime(pairs["target_date"]).dt.normalize().to_numpy()
    athletes = pairs["athlete_id"].astype(str).to_numpy()
    for athlete in np.unique(athletes):
        mine = (old == SPLIT_TRAIN) & (athletes == athlete)
        new[mine] = SPLIT_TRAIN
        train_days = np.unique(days[mine])
        if len(train_days) >= 4:
            start = train_days[-max(1, math.ceil(len(train_days) * VALIDATION_FRACTION))]
            new[mine & (days >= start)] = SPLIT_VALIDATION
    inner = copy.copy(graph)
    inner.pairs = pairs.assign(split=new)
    return inner


def scored(inner, trained) -> dict:
    """Per model: MAE / repeat_last's on the scored slice, pooled and per athlete, and the gate."""
    import numpy as np

    from workout_pipeline.model.graph import SPLIT_TEST
    from workout_pipeline.model.train import decode, pair_outputs

    rows = np.flatnonzero(inner.pairs["split"].to_numpy() == SPLIT_TEST)
    pairs = inner.pairs.iloc[rows]
    actual = pairs["y_weight_kg"].to_numpy(float)
    repeat = np.abs(actual - pairs["prev_weight_kg"].to_numpy(float))
    athletes = pairs["athlete_id"].astype(str).to_numpy()
    result = {}
    for name in MODELS:
        error = np.abs(decode(pair_outputs(trained, name, inner, rows), pairs, trained.thresholds[name])["weight_kg"] - actual)
        result[name] = {
            "ratio": float(error.mean() / repeat.mean()),
            "per_athlete": {a: _ratio(error[athletes == a].mean(), repeat[athletes == a].mean()) for a in np.unique(athletes)},
            "thresholds": trained.thresholds[name],
        }
    return result


def _ratio(error: float, repeat: float) -> float:
    """error / repeat_last's (an athlete whose scored loads all repeat: 1 when the model repeats
    them too, else infinitely worse)."""
    if repeat > 0:
        return float(error / repeat)
    return 1.0 if error == 0 else float("inf")


def run(logs: Path, seeds: list[int]) -> dict:
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.model import build_features, build_training_graph, train_models
    from workout_pipeline.model.config import DEFAULT_MODELS

    report = ingest_paths([logs])
    inner = inner_split(build_training_graph(build_features(report.validated, load_catalog(), report.units)))
    models = {name: DEFAULT_MODELS[name] for name in MODELS}
    runs = {}
    for seed in seeds:
        runs[seed] = scored(inner, train_models(inner, seed=seed, models=models, threads=1, progress=None))
        print(f"seed {seed}: " + ", ".join(f"{n} {v['ratio']:.3f}" for n, v in runs[seed].items()), flush=True)
    return runs


def table(runs: dict) -> str:
    seeds = list(runs)
    athletes = sorted({a for r in runs.values() for m in r.values() for a in m["per_athlete"]})
    text = (f"Validation slice scored once per seed (seeds {', '.join(map(str, seeds))}; mean ± sd), every choice "
            "tuned on the inner validation slice: load MAE / repeat_last's\n\n"
            "| model | pooled | worst athlete | " + " | ".join(athletes) + " |\n| --- | ---: | ---: |" + " ---: |" * len(athletes) + "\n")
    for name in MODELS:
        ratios = [r[name]["ratio"] for r in runs.values()]
        worst = [max(r[name]["per_athlete"].values()) for r in runs.values()]
        cells = [statistics.fmean(r[name]["per_athlete"].get(a, 1.0) for r in runs.values()) for a in athletes]
        spread = f" ± {statistics.stdev(ratios):.3f}" if len(ratios) > 1 else ""
        text += (f"| {name} | {statistics.fmean(ratios):.3f}{spread} | {statistics.fmean(worst):.3f} | "
                 + " | ".join(f"{c:.3f}" for c in cells) + " |\n")
    return text


def main() -> None:
    from workout_pipeline.paths import SHARED_LOGS_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--logs", type=Path, default=SHARED_LOGS_DIR)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs = run(args.logs, [int(s) for s in args.seeds.split(",")])
    text = table(runs)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1, default=str))
    if args.write_docs:
        from _report import write_section

        write_section("load_validation", text)


if __name__ == "__main__":
    main()
