"""Training + evaluation time and model quality on the public logs, and scaling on simulated logs.

Usage:
    .venv/bin/python benchmarks/train.py [--write-docs] [--skip-scaling] [--sizes 25000,50000,100000,200000]

- Public logs (all five athletes in ../shared/data/logs together): ingest, features, graph,
  GraphSAGE + GCN + MLP (what `workout-pipeline evaluate` trains) and the rule baselines, timed;
  then the ablations (GraphSAGE depth 1/3, max aggregator, one relation; GAT).
  `--write-docs` rewrites the results table in docs/model.md.
- Scaling: simulated athletes (`workout_pipeline.simulate.simulate_athletes`) at growing set
  counts; features, graph and a fixed-epoch GraphSAGE fit, timed.
Results go to the `train` section of docs/benchmarks.md.
"""

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

MODEL_MD = REPO / "docs" / "model.md"


def _public_logs(seed: int, with_ablations: bool, extra_seeds: list[int], threads: int) -> tuple[dict, dict, dict, dict]:
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.model import (
        ABLATION_MODELS,
        DEFAULT_MODELS,
        build_features,
        build_training_graph,
        check_no_leakage,
        evaluate_models,
        train_models,
    )
    from workout_pipeline.paths import SHARED_LOGS_DIR

    timings = {}
    started = time.perf_counter()
    report = ingest_paths([SHARED_LOGS_DIR])
    timings["ingest_s"] = time.perf_counter() - started
    catalog = load_catalog()
    started = time.perf_counter()
    features = build_features(report.validated, catalog)
    timings["features_s"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_training_graph(features)
    assert check_no_leakage(graph) == []
    timings["graph_s"] = time.perf_counter() - started
    started = time.perf_counter()
    trained = train_models(graph, seed=seed, threads=threads)
    timings["train_s"] = time.perf_counter() - started
    started = time.perf_counter()
    metrics, _ = evaluate_models(graph, trained)
    timings["evaluate_s"] = time.perf_counter() - started
    seeds = {seed: metrics["models"]["graphsage"]}
    for other_seed in extra_seeds:
        again = train_models(graph, seed=other_seed, models={"graphsage": DEFAULT_MODELS["graphsage"]}, threads=threads)
        seeds[other_seed] = evaluate_models(graph, again)[0]["models"]["graphsage"]
    ablations = {}
    if with_ablations:
        extra = train_models(graph, seed=seed, models=ABLATION_MODELS, threads=threads)
        ablation_metrics, _ = evaluate_models(graph, extra)
        ablations = {name: ablation_metrics["models"][name] for name in ABLATION_MODELS}
        ablations["_training"] = ablation_metrics["training"]
    sizes = {"sets": int(len(report.validated)), "nodes": graph.num_nodes, "edges": int(graph.edge_index.shape[1])}
    return metrics, ablations, {**timings, **sizes}, seeds


def _results_table(metrics: dict, ablations: dict, seeds: dict) -> str:
    header = (
        "| model | load MAE (kg) | load RMSE (kg) | reps MAE | reps RMSE | load MAE median athlete | P@3 | P@5 |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )

    def row(name, values):
        return (
            f"| {name} | {values['load_mae_kg']:.3f} | {values['load_rmse_kg']:.3f} | {values['reps_mae']:.3f} | "
            f"{values['reps_rmse']:.3f} | {values['load_mae_kg_median_athlete']:.3f} | "
            f"{values['precision_at_3']:.3f} | {values['precision_at_5']:.3f} |\n"
        )

    main = header + "".join(row(n, v) for n, v in metrics["models"].items())
    text = f"**Models** ({metrics['n_test_pairs']} test pairs, {metrics['n_train_pairs']} train + " \
           f"{metrics['n_validation_pairs']} validation pairs; " \
           f"{100 * metrics['share_test_pairs_repeating_load']:.0f}% of test pairs repeat the last load)\n\n{main}"
    versus = metrics.get("graphsage_vs_repeat_last")
    if versus:
        verdict = "beats" if versus["difference_kg"] > 0 else "does NOT beat"
        text += (
            f"\nGraphSAGE {verdict} `repeat_last` on load MAE: {versus['load_mae_kg_graphsage']:.3f} vs "
            f"{versus['load_mae_kg_repeat_last']:.3f} kg ({versus['difference_kg']:+.3f} kg, "
            f"{versus['improvement_pct']:+.1f}%).\n"
        )
    if seeds:
        repeat = metrics["models"]["repeat_last"]["load_mae_kg"]
        text += "\n**GraphSAGE across seeds** (same split; load MAE vs repeat_last " + f"{repeat:.3f} kg)\n\n"
        text += "".join(
            f"- seed {s}: {v['load_mae_kg']:.3f} kg ({repeat - v['load_mae_kg']:+.3f} kg), reps MAE {v['reps_mae']:.3f}, "
            f"P@5 {v['precision_at_5']:.3f}\n"
            for s, v in seeds.items()
        )
        margins = [100.0 * (repeat - v["load_mae_kg"]) / repeat for v in seeds.values()]
        wins = sum(m > 0 for m in margins)
        text += (
            f"\nMargin over repeat_last across seeds {', '.join(str(s) for s in seeds)}: mean {sum(margins) / len(margins):+.2f}%, "
            f"min {min(margins):+.2f}%, max {max(margins):+.2f}% (better on {wins} of {len(margins)} seeds).\n"
        )
    if ablations:
        text += "\n**Ablations** (same split and seed)\n\n" + header
        text += "".join(row(n, v) for n, v in ablations.items() if not n.startswith("_"))
    per_athlete = "\n**Load MAE per athlete (kg)**\n\n| model | " + " | ".join(metrics["athletes"]) + " |\n"
    per_athlete += "| --- |" + " ---: |" * len(metrics["athletes"]) + "\n"
    for name, values in metrics["models"].items():
        per = values["load_mae_kg_per_athlete"]
        per_athlete += f"| {name} | " + " | ".join(f"{per.get(a, float('nan')):.2f}" for a in metrics["athletes"]) + " |\n"
    return text + per_athlete


def _write_model_md(table: str, command: str) -> None:
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    body = f"{start}\nProduced by `{command}`.\n\n{table.strip()}\n{end}"
    text = MODEL_MD.read_text(encoding="utf-8") if MODEL_MD.exists() else f"# Progression model\n\n{start}\n{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: body, text) if pattern.search(text) else text.rstrip() + "\n\n" + body + "\n"
    MODEL_MD.write_text(text, encoding="utf-8")


def _scaling(sizes: list[int], epochs: int, seed: int, threads: int) -> list[dict]:
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.model import DEFAULT_MODELS, build_features, build_training_graph, train_models
    from workout_pipeline.simulate import simulate_athletes

    catalog = load_catalog()
    probe = simulate_athletes(n_athletes=3, weeks=26, seed=seed)
    sets_per_athlete = max(len(probe) / 3.0, 1.0)
    rows = []
    for target in sizes:
        athletes = max(1, round(target / sets_per_athlete))
        sets = simulate_athletes(n_athletes=athletes, weeks=26, seed=seed)
        started = time.perf_counter()
        features = build_features(sets, catalog)
        features_s = time.perf_counter() - started
        started = time.perf_counter()
        graph = build_training_graph(features)
        graph_s = time.perf_counter() - started
        started = time.perf_counter()
        trained = train_models(graph, seed=seed, epochs=epochs, models={"graphsage": DEFAULT_MODELS["graphsage"]},
                               threads=threads)
        train_s = time.perf_counter() - started
        fits = epochs  # one early-stopping fit of at most `epochs` (the early-stopped weights are kept)
        rows.append(
            {
                "sets": int(len(sets)),
                "athletes": athletes,
                "nodes": graph.num_nodes,
                "edges": int(graph.edge_index.shape[1]),
                "features_s": features_s,
                "graph_s": graph_s,
                "train_s": train_s,
                "ms_per_epoch": 1000 * train_s / max(fits, 1),
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-docs", action="store_true", help="rewrite the results table in docs/model.md")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-ablations", action="store_true")
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    parser.add_argument("--scaling-epochs", type=int, default=30)
    parser.add_argument("--extra-seeds", default="1,2,3,4", help="GraphSAGE reruns with these seeds (robustness)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: train.default_threads(), 1 on <= 2 cores)")
    args = parser.parse_args()
    from workout_pipeline.model.train import default_threads

    args.threads = args.threads or default_threads()  # passed to every train_models call

    extra_seeds = [int(s) for s in args.extra_seeds.split(",") if s]
    metrics, ablations, public, seeds = _public_logs(args.seed, not args.skip_ablations, extra_seeds, args.threads)
    table = _results_table(metrics, ablations, seeds)
    print(table)
    if args.write_docs:
        _write_model_md(table, ".venv/bin/python benchmarks/train.py --write-docs")
    train_eval = public["train_s"] + public["evaluate_s"]
    section = (
        f"Public logs (5 athletes, {public['sets']} valid sets, {public['nodes']} occurrence nodes, "
        f"{public['edges']} edges), seed {args.seed}, CPU, {args.threads} torch thread(s):\n\n"
        "| step | seconds |\n| --- | ---: |\n"
        f"| ingest | {public['ingest_s']:.1f} |\n| features | {public['features_s']:.1f} |\n"
        f"| graph | {public['graph_s']:.1f} |\n| train GraphSAGE + GCN + MLP | {public['train_s']:.1f} |\n"
        f"| evaluate (all models) | {public['evaluate_s']:.1f} |\n"
        f"| **train + evaluate** (goal <= 60 s) | **{train_eval:.1f}** |\n\n"
    )
    for name, info in metrics["training"].items():
        section += f"- {name}: best epoch {info['epochs']} (early stopping), {info['seconds']:.1f} s\n"
    if not args.skip_scaling:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        rows = _scaling(sizes, args.scaling_epochs, args.seed, args.threads)
        section += (
            f"\nScaling on simulated logs (GraphSAGE, 3-network ensemble, at most {args.scaling_epochs} epochs):\n\n"
            "| sets | athletes | nodes | edges | features s | graph s | train s | ms/epoch |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        )
        section += "".join(
            f"| {r['sets']} | {r['athletes']} | {r['nodes']} | {r['edges']} | {r['features_s']:.1f} | "
            f"{r['graph_s']:.1f} | {r['train_s']:.1f} | {r['ms_per_epoch']:.0f} |\n"
            for r in rows
        )
    print(section)
    if not args.no_write:
        from _report import write_section

        write_section("train", section)


if __name__ == "__main__":
    main()
