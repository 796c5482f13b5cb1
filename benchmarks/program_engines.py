"""Engines side by side on the seed objective's hard instances: HiGHS, SCIP and CP-SAT.

Each instance's models are written as MPS files (the full aggregated model and the week master
of `program/master.py` with the lattice's either-or cut and congruences, as the fast path solves
them) and handed to each engine for the same time limit, one engine at a time: HiGHS 1.15
(highspy, one thread), SCIP (PySCIPOpt, one thread), CP-SAT (OR-Tools' model builder, 2 workers;
it scales the fractional objective coefficients to integers). We report each engine's best
objective, its proven bound and the gap. The engines other than HiGHS are not dependencies of the
project: install them next to it to run this (`pip install pyscipopt==6.3.0 ortools==9.15.6755`,
e.g. with `--target DIR` and DIR on PYTHONPATH); a missing engine is reported as such.
Results go to the `program_engines` section of docs/benchmarks.md.

Run: PYTHONPATH=.:DIR .venv/bin/python benchmarks/program_engines.py [--limit 10] [--no-write]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402

SEED_LIKE = {"objective": "seed", "training_days": 7, "split": {"push": 2, "pull": 2, "legs": 2}, "session_minutes": None,
             "max_hard_sets_per_muscle_session": None, "min_sessions_per_muscle": None,
             "rest_between_muscle_sessions_h": None}
INSTANCES = [
    ("seed rules, 7 days, secondary weight 0.25", {**SEED_LIKE, "secondary_weight": 0.25}),
    ("seed rules, 3 days", {**SEED_LIKE, "training_days": 3, "split": {"push": 1, "pull": 1, "legs": 1}}),
]


def _models(raw: dict, folder: str) -> dict[str, str]:
    """MPS files of the instance's full aggregated model and week master (built-in catalog)."""
    from workout_pipeline.catalog import load_catalog
    from workout_pipeline.program.constraints import load_constraints
    from workout_pipeline.program.exercises import build_classes, eligible_exercises, prune_dominated
    from workout_pipeline.program.layout import symmetric_groups
    from workout_pipeline.program.lattice import fewest_extra_sets, residue_lattice
    from workout_pipeline.program.master import build_master
    from workout_pipeline.program.milp import build_model

    c = load_constraints(raw)
    classes = prune_dominated(build_classes(eligible_exercises(load_catalog(), c), c), c.max_exercises_per_day)
    residues = residue_lattice(classes, c)
    fewest = fewest_extra_sets(classes, c)
    cut = (fewest[0], 1.0 / residues.scale) if residues is not None and fewest is not None else None
    paths = {"full model": f"{folder}/full.mps", "week master": f"{folder}/master.mps"}
    build_model(classes, c, symmetric_day_groups=symmetric_groups(c)).problem.writeMPS(paths["full model"])
    build_master(classes, c, cut, residues).problem.writeMPS(paths["week master"])
    return paths


def _highs(path: str, limit: float) -> tuple[float | None, float | None]:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.readModel(path)
    h.run()
    info = h.getInfo()
    objective = info.objective_function_value if info.primal_solution_status == 2 else None
    return objective, info.mip_dual_bound


def _scip(path: str, limit: float) -> tuple[float | None, float | None]:
    import pyscipopt

    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(path)
    m.setParam("limits/time", limit)
    m.setParam("limits/gap", 1e-6)
    m.setParam("parallel/maxnthreads", 1)
    m.optimize()
    return (m.getObjVal() if m.getNSols() else None), m.getDualbound()


def _cpsat(path: str, limit: float) -> tuple[float | None, float | None]:
    from ortools.linear_solver.python import model_builder as mb

    model = mb.Model()
    model.import_from_mps_file(path)
    solver = mb.Solver("sat")
    solver.set_time_limit_in_seconds(limit)
    solver.set_solver_specific_parameters("num_workers:2")
    status = solver.solve(model)
    found = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
    return (solver.objective_value if found else None), (solver.best_objective_bound if found else None)


ENGINES = {"HiGHS": _highs, "SCIP": _scip, "CP-SAT": _cpsat}


def _cell(engine: str, path: str, limit: float) -> str:
    """One engine on one MPS file, in its own process (OR-Tools bundles a HiGHS of its own whose
    symbols clash with highspy's when both are loaded in one process)."""
    import json
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--engine", engine, "--mps", path, "--limit", str(limit)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return "not installed" if "ModuleNotFoundError" in last else f"error: {last[:60]}"
    found = json.loads(done.stdout.strip().splitlines()[-1])
    objective, bound, seconds = found["objective"], found["bound"], found["seconds"]
    if objective is None:
        return f"no solution in {seconds:.1f} s" + (f", bound {bound:.3f}" if bound is not None else "")
    gap = max(0.0, objective - bound) / abs(objective) if bound is not None else 1.0
    return f"{seconds:.1f} s, {objective:.3f} / {bound:.3f} ({100 * gap:.1f}%)"


def _one(engine: str, path: str, limit: float) -> None:
    import json

    started = time.perf_counter()
    objective, bound = ENGINES[engine](path, limit)
    print(json.dumps({"objective": objective, "bound": bound, "seconds": time.perf_counter() - started}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--engine", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument("--mps", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        _one(args.engine, args.mps, args.limit)
        return
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, raw in INSTANCES:
            for model, path in _models(raw, folder).items():
                cells = [_cell(engine, path, args.limit) for engine in ENGINES]
                rows.append(f"| {label} | {model} | " + " | ".join(cells) + " |")
                print(rows[-1], flush=True)
    markdown = "\n".join([
        f"Engines on the seed objective's hard instances (built-in catalog), {args.limit:g} s each, one engine at a "
        f"time; load average {load:.1f} on the 2-core machine at the start. Cell: time, best objective / proven "
        "bound (gap). HiGHS and SCIP one thread, CP-SAT 2 workers (objective scaled to integers).",
        "",
        "| Instance | Model | " + " | ".join(ENGINES) + " |",
        "|---|---|" + "---|" * len(ENGINES),
        *rows,
    ])
    if not args.no_write:
        write_section("program_engines", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
