"""How the ranking score was chosen: Precision@3 - base rate on rolling folds of the training period.

Usage:
    .venv/bin/python benchmarks/ranking_validation.py

Only training-period pairs (train and validation) are read; test pairs are never scored. Folds,
per athlete by target day: V (the validation slice, trained on the train split) and Q2, Q3 (the
second and third quarter of the training period, each trained on the pairs before it). Each
variant is a binary LightGBM with the ranking booster's settings (`progress.RANKING_BOOSTER`),
early-stopped on the fold it is scored on ("same fold") or on the fold before the one it is
scored on ("next fold": Q2 -> Q3, Q3 -> V), and on each lifter left out of training (trained
on the other lifters, scored on the left-out lifter's Q3 and V). Variants: the label (DESIGN.md's,
or the strict one the progress head used before) and the readiness features on or off. The
adopted ranking is "DESIGN.md's label + readiness" (docs/model_choices.md).
"""

import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
warnings.filterwarnings("ignore")


def _folds(pairs) -> dict:
    """name -> (fit mask, evaluation mask) over the training period."""
    from workout_pipeline.model.graph import SPLIT_TRAIN, SPLIT_VALIDATION

    split = pairs["split"].to_numpy()
    day = pairs["target_date"].dt.normalize().to_numpy()
    folds = {}
    for name, (low, high) in {"Q2": (0.25, 0.5), "Q3": (0.5, 0.75)}.items():
        fit, evaluate = np.zeros(len(pairs), bool), np.zeros(len(pairs), bool)
        for athlete in pairs["athlete_id"].unique():
            mine = (pairs["athlete_id"] == athlete).to_numpy() & (split == SPLIT_TRAIN)
            days = np.sort(np.unique(day[mine]))
            if len(days) < 8:
                continue
            start = days[int(len(days) * low / 0.75)]
            end = days[int(len(days) * high / 0.75)] if high < 0.75 else days[-1] + np.timedelta64(1, "D")
            evaluate |= mine & (day >= start) & (day < end)
            fit |= mine & (day < start)
        folds[name] = (fit, evaluate)
    folds["V"] = (split == SPLIT_TRAIN, split == SPLIT_VALIDATION)
    return folds


def main() -> None:
    import lightgbm as lgb

    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.model import boost, build_features, build_training_graph
    from workout_pipeline.model.metrics import precision_at_k, progress_base_rate, progressed
    from workout_pipeline.model.progress import RANKING_BOOSTER
    from workout_pipeline.model.readiness import node_readiness
    from workout_pipeline.paths import SHARED_LOGS_DIR

    report = ingest_paths([SHARED_LOGS_DIR])
    graph = build_training_graph(build_features(report.validated, load_catalog(), report.units))
    pairs = graph.pairs
    src = pairs["src"].to_numpy()
    plain = np.hstack([graph.x_raw.numpy()[src], graph.pair_x.numpy()]).astype(np.float64)
    inputs = {False: plain, True: np.hstack([plain, node_readiness(graph.nodes)[src]])}
    labels = {label: progressed(pairs["prev_weight_kg"], pairs["prev_reps"], pairs["y_weight_kg"], pairs["y_reps"],
                                label=label).astype(float) for label in ("design", "strict")}
    folds = _folds(pairs)
    params = boost._params(RANKING_BOOSTER, "progress", 0)

    def gain(mask, score) -> float:
        frame = pairs[mask].assign(_score=score)
        return precision_at_k(frame, "prev_weight_kg", 3, score="_score") - progress_base_rate(frame)

    def scores(features, label, fit, stop, scored):
        train = lgb.Dataset(features[fit], label=labels[label][fit])
        valid = lgb.Dataset(features[stop], label=labels[label][stop], reference=train)
        booster = lgb.train(params, train, RANKING_BOOSTER.max_rounds, valid_sets=[valid],
                            callbacks=[lgb.early_stopping(boost.EARLY_STOPPING_ROUNDS, verbose=False)])
        return booster.predict(features[scored], raw_score=True)

    athletes = [a for a in sorted(pairs["athlete_id"].unique()) if folds["V"][1][(pairs["athlete_id"] == a).to_numpy()].sum() > 20]
    print("| label | readiness | same fold Q2 / Q3 / V | mean | next fold Q3 / V | mean | left-out lifter (mean of "
          f"{2 * len(athletes)}) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, ready in (("strict", False), ("design", False), ("strict", True), ("design", True)):
        features = inputs[ready]
        same = [gain(ev, scores(features, label, fit, ev, ev)) for fit, ev in folds.values()]
        following = [gain(folds[b][1], scores(features, label, folds[a][0], folds[a][1], folds[b][1]))
                     for a, b in (("Q2", "Q3"), ("Q3", "V"))]
        left_out = []
        for athlete in athletes:
            mine = (pairs["athlete_id"] == athlete).to_numpy()
            fit, stop = folds["V"][0] & ~mine, folds["V"][1] & ~mine
            for fold in ("Q3", "V"):
                scored = folds[fold][1] & mine
                left_out.append(gain(scored, scores(features, label, fit, stop, scored)))
        print(f"| {label} | {'yes' if ready else 'no'} | {' / '.join(f'{v:+.3f}' for v in same)} | {np.mean(same):+.3f} | "
              f"{' / '.join(f'{v:+.3f}' for v in following)} | {np.mean(following):+.3f} | {np.mean(left_out):+.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
