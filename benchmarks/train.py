"""Model quality on the public logs across seeds (with LightGBM and the prescriptions), training
time, and scaling on simulated logs.

Usage:
    .venv/bin/python benchmarks/train.py [--write-docs] [--seeds 0,1,2,3,4] [--ablations]
                                         [--skip-scaling] [--sizes 25000,50000,100000,200000]

- Public logs (all five athletes in ../shared/data/logs together): ingest, features, graph, and
  for each seed every default model (GraphSAGE, GCN, MLP, LightGBM, LightGBM on GraphSAGE
  embeddings) beside the rules, timed: load MAE (and vs repeat_last, per athlete), Precision@3
  against its random-ranking base rate, and the prescriptions (share met, mean e1RM asked,
  pooled and per athlete; the models at their validation-tuned target rate and at the
  double-progression-ask operating point `@dp_ask`, with the Equal progress table: validation
  asks matched, test met shares beside double progression's). Models include `blend`
  (GraphSAGE and LightGBM weighted on validation). Test numbers are computed once per seed;
  nothing is chosen by them. `--ablations` adds the GraphSAGE ablations (seed 0); `--json PATH`
  writes every seed's metrics.
  `--write-docs` rewrites the results block in docs/model.md.
- Scaling: simulated athletes at growing set counts; features, graph and a fixed-epoch
  GraphSAGE fit, timed.
Results go to the `train` section of docs/benchmarks.md.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

MODEL_MD = REPO / "docs" / "model.md"
RX_SHOWN = ("graphsage", "graphsage@dp_ask", "graphsage@lifter", "gcn", "mlp", "lightgbm", "lightgbm@dp_ask", "graphsage_lightgbm",
            "blend", "blend@dp_ask", "ask_only@dp_ask", "concentrate@dp_ask", "double_progression", "plus_one_step")
# Models whose equal-progress comparison with double progression is tabled.
EQUAL_ASK_SHOWN = ("graphsage", "lightgbm", "graphsage_lightgbm", "blend")


def _public_logs(seeds: list[int], with_ablations: bool, threads: int) -> tuple[dict, dict, dict]:
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.ingest import ingest_paths
    from workout_pipeline.model import (
        ABLATION_MODELS,
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
    features = build_features(report.validated, catalog, report.units)
    timings["features_s"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_training_graph(features)
    assert check_no_leakage(graph) == []
    timings["graph_s"] = time.perf_counter() - started
    runs = {}
    for seed in seeds:
        started = time.perf_counter()
        trained = train_models(graph, seed=seed, threads=threads)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        runs[seed], _ = evaluate_models(graph, trained)
        runs[seed]["_train_s"], runs[seed]["_evaluate_s"] = train_s, time.perf_counter() - started
        print(f"seed {seed}: trained in {train_s:.1f} s", flush=True)
    ablations = {}
    if with_ablations:
        extra = train_models(graph, seed=seeds[0], models=ABLATION_MODELS, threads=threads)
        ablation_metrics, _ = evaluate_models(graph, extra)
        ablations = {name: ablation_metrics["models"][name] for name in ABLATION_MODELS}
    sizes = {"sets": int(len(report.validated)), "nodes": graph.num_nodes, "edges": int(graph.edge_index.shape[1])}
    return runs, ablations, {**timings, **sizes}


def _mean_sd(values: list[float], digits: int = 3) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    mean = statistics.fmean(values)
    return f"{mean:.{digits}f}" if len(values) == 1 else f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def _results_table(runs: dict, ablations: dict) -> str:
    seeds = list(runs)
    first = runs[seeds[0]]
    athletes = first["athletes"]
    models = list(first["models"])
    text = (
        f"Seeds {', '.join(map(str, seeds))} (mean ± sd over seeds); {first['n_test_pairs']} test pairs, "
        f"{first['n_train_pairs']} train + {first['n_validation_pairs']} validation pairs; "
        f"{100 * first['share_test_pairs_repeating_load']:.0f}% of test pairs repeat the last load; Precision@K "
        f"base rate (random ranking) {first['progress_base_rate']:.3f} (DESIGN.md's progress: more weight, or more "
        f"reps at the same weight; with the strict label, more weight for at least as many reps, "
        f"{first['progress_base_rate_strict']:.3f}).\n\n"
        "**Predictions**\n\n"
        "| model | load MAE (kg) | vs repeat_last | worst athlete vs repeat_last | reps MAE | P@3 | P@3 - base "
        "| P@3 - base, strict label |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )
    for name in models:
        ratio, worst, p3, p3_old = [], [], [], []
        for run in runs.values():
            values, repeat = run["models"][name], run["models"]["repeat_last"]
            ratio.append(values["load_mae_kg"] / repeat["load_mae_kg"])
            per, rep = values["load_mae_kg_per_athlete"], repeat["load_mae_kg_per_athlete"]
            worst.append(max(per[a] / rep[a] for a in athletes if rep[a]))
            p3.append(values["precision_at_3"] - run["progress_base_rate"])
            p3_old.append(values["precision_at_3_strict"] - run["progress_base_rate_strict"])
        text += (
            f"| {name} | {_mean_sd([r['models'][name]['load_mae_kg'] for r in runs.values()])} | {_mean_sd(ratio)} | "
            f"{_mean_sd(worst)} | {_mean_sd([r['models'][name]['reps_mae'] for r in runs.values()])} | "
            f"{_mean_sd([r['models'][name]['precision_at_3'] for r in runs.values()])} | {_mean_sd(p3)} | {_mean_sd(p3_old)} |\n"
        )
    text += _ranking_table(runs)
    text += (
        "\n**Prescriptions** (met: the actual next top set's Epley e1RM reaches the prescription's; asked: the "
        "prescription's e1RM minus the last top set's)\n\n"
        "| prescriber | caution | share met | chance told (calibrated on validation) | e1RM asked (kg) | e1RM asked (%) |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |\n"
    )
    for name in RX_SHOWN:
        if name not in first["prescriptions"]:
            continue
        rows = [r["prescriptions"][name] for r in runs.values()]
        text += (
            f"| {name} | {_mean_sd([x['caution'] for x in rows], 2)} | {_mean_sd([x['share_met'] for x in rows])} | "
            f"{_mean_sd([x.get('mean_confidence') for x in rows])} | "
            f"{_mean_sd([x['mean_e1rm_increase_kg'] for x in rows], 2)} | {_mean_sd([x['mean_e1rm_increase_pct'] for x in rows], 2)} |\n"
        )
    text += _equal_ask_table(runs)
    text += "\n**Load MAE vs repeat_last per athlete** (mean over seeds)\n\n| model | " + " | ".join(athletes) + " |\n"
    text += "| --- |" + " ---: |" * len(athletes) + "\n"
    for name in models:
        cells = [
            statistics.fmean(r["models"][name]["load_mae_kg_per_athlete"][a] / r["models"]["repeat_last"]["load_mae_kg_per_athlete"][a]
                             for r in runs.values())
            for a in athletes
        ]
        text += f"| {name} | " + " | ".join(f"{c:.3f}" for c in cells) + " |\n"
    text += "\n**Prescriptions per athlete: share met / mean e1RM asked (kg)** (mean over seeds)\n\n| prescriber | "
    text += " | ".join(athletes) + " |\n| --- |" + " ---: |" * len(athletes) + "\n"
    for name in RX_SHOWN:
        if name not in first["prescriptions"]:
            continue
        cells = []
        for a in athletes:
            per = [r["prescriptions"][name]["per_athlete"][a] for r in runs.values()]
            cells.append(f"{statistics.fmean(p['share_met'] for p in per):.2f} / {statistics.fmean(p['mean_e1rm_increase_kg'] for p in per):+.1f}")
        text += f"| {name} | " + " | ".join(cells) + " |\n"
    if ablations:
        text += "\n**Ablations** (seed " + str(seeds[0]) + ")\n\n| model | load MAE (kg) | reps MAE | P@3 |\n| --- | ---: | ---: | ---: |\n"
        text += "".join(f"| {n} | {v['load_mae_kg']:.3f} | {v['reps_mae']:.3f} | {v['precision_at_3']:.3f} |\n" for n, v in ablations.items())
    return text


def _ranking_table(runs: dict) -> str:
    """Precision@3 minus the base rate (DESIGN.md's label): on validation (what the ranking was
    chosen on), on test, and on test per athlete (each against the athlete's own base rate)."""
    first = next(iter(runs.values()))
    athletes = first["athletes"]
    text = (
        "\n**Which lifts progress: Precision@3 - base rate** (DESIGN.md's label; validation: the slice the ranking "
        "was chosen on; per athlete: against that athlete's own base rate, mean over seeds)\n\n"
        "| model | validation | test | " + " | ".join(athletes) + " |\n| --- | ---: | ---: |" + " ---: |" * len(athletes) + "\n"
    )
    for name in first["models"]:
        if "precision_at_3_gain_per_athlete" not in first["models"][name]:
            continue
        validation = [r["training"][name].get("validation_precision_at_3_gain") for r in runs.values() if name in r.get("training", {})]
        test = [r["models"][name]["precision_at_3"] - r["progress_base_rate"] for r in runs.values()]
        per = [statistics.fmean(r["models"][name]["precision_at_3_gain_per_athlete"].get(a, float("nan")) for r in runs.values())
               for a in athletes]
        text += f"| {name} | {_mean_sd(validation)} | {_mean_sd(test)} | " + " | ".join(f"{c:+.3f}" for c in per) + " |\n"
    return text


def _equal_ask_table(runs: dict) -> str:
    """Each model at the caution whose validation prescriptions ask as much as double
    progression's (matched on validation), then its test met share and ask beside the rule's."""
    text = (
        "\n**Equal progress** (the caution is set on the validation slice so the model asks, on average, what double "
        "progression asks there; then both are scored once on test; `ask_only`: the skill-free control, each option's "
        "chance from its ask alone, fitted on the training pairs; `concentrate`: the second control, which holds every lift "
        "but asks the biggest step where it asks at least a threshold matched on validation; its caution column is "
        "that threshold)\n\n"
        "| model | validation: asked % (model / DP) | validation: met (model / DP) | test: asked % (model / DP) "
        "| test: lifts asked to progress (model / DP) | test: met (model / DP) | test: met - DP's |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )
    first = next(iter(runs.values()))
    for name in EQUAL_ASK_SHOWN + ("ask_only", "concentrate"):
        if f"{name}@dp_ask" not in first["prescriptions"]:
            continue
        if name in ("ask_only", "concentrate"):
            val = [r["prescriptions"][f"{name}@dp_ask"]["validation"] for r in runs.values()]
        elif "validation_prescriptions" in first["training"].get(name, {}):
            val = [r["training"][name]["validation_prescriptions"] for r in runs.values()]
        else:
            continue
        test = [r["prescriptions"][f"{name}@dp_ask"] for r in runs.values()]
        rule = [r["prescriptions"]["double_progression"] for r in runs.values()]
        text += (
            f"| {name} | {_mean_sd([v['dp_ask']['mean_e1rm_increase_pct'] for v in val], 2)} / "
            f"{_mean_sd([v['rule']['mean_e1rm_increase_pct'] for v in val], 2)} | "
            f"{_mean_sd([v['dp_ask']['share_met'] for v in val])} / {_mean_sd([v['rule']['share_met'] for v in val])} | "
            f"{_mean_sd([t['mean_e1rm_increase_pct'] for t in test], 2)} / {_mean_sd([t['mean_e1rm_increase_pct'] for t in rule], 2)} | "
            f"{_mean_sd([t['share_asked_progress'] for t in test], 2)} / {_mean_sd([t['share_asked_progress'] for t in rule], 2)} | "
            f"{_mean_sd([t['share_met'] for t in test])} / {_mean_sd([t['share_met'] for t in rule])} | "
            f"{_mean_sd([t['share_met'] - d['share_met'] for t, d in zip(test, rule)])} |\n"
        )
    return text


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
        train_models(graph, seed=seed, epochs=epochs, models={"graphsage": DEFAULT_MODELS["graphsage"]}, progress=None,
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


def _previous_scaling() -> str:
    """The scaling table already in docs/benchmarks.md (kept when --skip-scaling)."""
    from _report import BENCHMARKS_MD

    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else ""
    found = re.search(r"<!-- train:start -->.*?(\nScaling on simulated logs.*?\n)\n_[^\n]*_\n<!-- train:end -->", text, re.S)
    return ("\n_Scaling table kept from the previous run (this run used --skip-scaling)._\n" + found.group(1)) if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the results block in docs/model.md")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    parser.add_argument("--scaling-epochs", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--json", default=None, help="also write every seed's metrics to this JSON file")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: train.default_threads(), 1 on <= 2 cores)")
    args = parser.parse_args()
    from workout_pipeline.model.train import default_threads

    args.threads = args.threads or default_threads()  # passed to every train_models call
    seeds = [int(s) for s in args.seeds.split(",") if s]
    import os

    load_before = os.getloadavg()[0]
    runs, ablations, public = _public_logs(seeds, args.ablations, args.threads)
    load_after = os.getloadavg()[0]
    table = _results_table(runs, ablations)
    print(table)
    if args.json:
        import json

        Path(args.json).write_text(json.dumps({str(k): v for k, v in runs.items()}, indent=1), encoding="utf-8")
    if args.write_docs:
        _write_model_md(table, ".venv/bin/python benchmarks/train.py --write-docs")
    train_s = [r["_train_s"] for r in runs.values()]
    evaluate_s = [r["_evaluate_s"] for r in runs.values()]
    section = (
        f"Public logs (5 athletes, {public['sets']} valid sets, {public['nodes']} occurrence nodes, "
        f"{public['edges']} edges), seeds {', '.join(map(str, seeds))}, CPU, {args.threads} torch thread(s); "
        f"1-minute load average {load_before:.1f} at the start, {load_after:.1f} at the end:\n\n"
        "| step | seconds |\n| --- | ---: |\n"
        f"| ingest | {public['ingest_s']:.1f} |\n| features | {public['features_s']:.1f} |\n"
        f"| graph | {public['graph_s']:.1f} |\n"
        f"| train GraphSAGE + GCN + MLP + LightGBM x 2 + blend (per seed) | {_mean_sd(train_s, 1)} |\n"
        f"| evaluate (all models, per seed) | {_mean_sd(evaluate_s, 1)} |\n\n"
    )
    for name, info in runs[seeds[0]]["training"].items():
        section += f"- {name} (seed {seeds[0]}): epoch/rounds {info['epochs']}, {info['seconds']:.1f} s\n"
    section += "\n" + table
    if not args.skip_scaling:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        rows = _scaling(sizes, args.scaling_epochs, seeds[0], args.threads)
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
    else:
        section += _previous_scaling()
    print(section)
    if not args.no_write:
        from _report import write_section

        write_section("train", section)


if __name__ == "__main__":
    main()
