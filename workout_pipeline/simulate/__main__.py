"""`python -m workout_pipeline.simulate`: regenerate the demo data, or write a simulated export.

    python -m workout_pipeline.simulate --demo [--out DIR] [--seed 7]
    python -m workout_pipeline.simulate --sets N --format FMT --out FILE [--unit kg|lb] [--seed S]

The second form simulates enough athletes (26 weeks each) to reach about N sets, keeps the
first N rows, and writes them in FMT (for benchmarks). The last stdout line is a JSON summary.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from workout_pipeline.paths import DATA_DIR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workout_pipeline.simulate", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--demo", action="store_true", help="regenerate the shipped demo exports")
    mode.add_argument("--sets", type=int, help="simulate about this many sets and write them")
    parser.add_argument("--format", default="strong_classic", help="export format for --sets")
    parser.add_argument("--unit", default="kg", choices=["kg", "lb"], help="weight unit for --sets")
    parser.add_argument("--out", type=Path, help="output folder (--demo) or file (--sets)")
    parser.add_argument("--seed", type=int, help="random seed (demo default 7, otherwise 0)")
    parser.add_argument("--weeks", type=int, default=26, help="weeks per athlete for --sets")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the entry point; returns the process exit code (2 with a one-line error on bad input)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (OSError, ValueError) as exc:
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    """Do what the parsed arguments ask; print the JSON summary line."""
    from workout_pipeline.simulate import EXPORT_FORMATS, generate_demo, simulate_sets, write_export

    started = time.perf_counter()
    if args.demo:
        from workout_pipeline.simulate.demo import DEMO_SEED

        paths = generate_demo(args.out or DATA_DIR / "demo", seed=DEMO_SEED if args.seed is None else args.seed)
        summary = {"files": [str(p) for p in paths], "seconds": round(time.perf_counter() - started, 3)}
    else:
        if args.out is None:
            print("error: --sets needs --out FILE", file=sys.stderr)
            return 2
        if args.format not in EXPORT_FORMATS:
            print(f"error: unknown format {args.format!r}; known: {', '.join(EXPORT_FORMATS)}", file=sys.stderr)
            return 2
        if args.out.is_dir():
            print(f"error: --out {args.out} is a folder; give a file path", file=sys.stderr)
            return 2
        if args.sets < 1:
            print("error: --sets must be at least 1", file=sys.stderr)
            return 2
        log = simulate_sets(args.sets, weeks=args.weeks, seed=args.seed or 0)
        simulated = time.perf_counter()
        write_export(log.sets, args.out, args.format, unit=args.unit, sessions=log.sessions, notes=log.notes)
        summary = {
            "file": str(args.out),
            "format": args.format,
            "sets": len(log.sets),
            "athletes": int(log.sets["athlete_id"].nunique()),
            "simulate_seconds": round(simulated - started, 3),
            "write_seconds": round(time.perf_counter() - simulated, 3),
        }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
