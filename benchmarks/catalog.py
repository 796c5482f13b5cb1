"""Benchmark the catalog: load times, resolver build time and name-resolution throughput.

Goals: the default resolver is ready well under a second in a fresh process; resolving the
distinct names of a large export takes seconds, not minutes. Results go to the `catalog`
section of docs/benchmarks.md.
"""

import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402

_COLD_START = """
import json, time
t0 = time.perf_counter()
from workout_pipeline.catalog.resolve import default_resolver
t1 = time.perf_counter()
resolver = default_resolver()
t2 = time.perf_counter()
resolver.resolve("Bench Press (Barbell)")
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1}))
"""


def _cold_start() -> dict:
    out = subprocess.run([sys.executable, "-c", _COLD_START], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _noisy_names(names: list[str], count: int, seed: int = 7) -> list[str]:
    """Distinct, realistic variations: case, word order, equipment prefix, typos, junk words."""
    rng = random.Random(seed)
    junk = ["Technogym", "heavy", "pause", "(Gym 2)", "new", "v2", "left", "Zorblax"]
    out = set()
    while len(out) < count:
        words = rng.choice(names).replace("(", "").replace(")", "").split()
        roll = rng.random()
        if roll < 0.3:
            rng.shuffle(words)
        elif roll < 0.6 and words:
            i = rng.randrange(len(words))
            word = words[i]
            if len(word) > 4:
                j = rng.randrange(1, len(word) - 1)
                words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        if rng.random() < 0.5:
            words.append(rng.choice(junk))
        out.add(" ".join(words) + f" #{len(out)}")
    return sorted(out)


def main() -> None:
    cold = min((_cold_start() for _ in range(3)), key=lambda r: r["import_s"] + r["build_s"])

    from workout_pipeline.catalog import load_builtin_catalog, load_free_exercise_db
    from workout_pipeline.catalog.resolve import ExerciseResolver
    from workout_pipeline.paths import FREE_EXERCISE_DB_JSON

    t0 = time.perf_counter()
    builtin = load_builtin_catalog()
    builtin_s = time.perf_counter() - t0
    fedb_s = None
    if FREE_EXERCISE_DB_JSON.exists():
        t0 = time.perf_counter()
        load_free_exercise_db(FREE_EXERCISE_DB_JSON)
        fedb_s = time.perf_counter() - t0

    names = _noisy_names(list(builtin["name"]), 5000)
    resolver = ExerciseResolver()  # fresh: no cached resolutions
    t0 = time.perf_counter()
    resolved = resolver.resolve_many(names)
    resolve_s = time.perf_counter() - t0
    share = sum(r.exercise_id is not None for r in resolved.values()) / len(names)

    rows = [
        ("import `catalog.resolve` in a fresh process (mostly pandas)", f"{cold['import_s']:.2f} s", ""),
        ("build the default resolver (catalog + aliases + synonyms)", f"{cold['build_s']:.2f} s", ""),
        ("import + build together", f"{cold['import_s'] + cold['build_s']:.2f} s", "< 1 s"),
        ("`load_builtin_catalog()` (362 rows)", f"{builtin_s * 1000:.0f} ms", ""),
        ("`load_free_exercise_db()` (873 rows)", "n/a" if fedb_s is None else f"{fedb_s * 1000:.0f} ms", ""),
        (
            f"resolve {len(names):,} distinct noisy names",
            f"{resolve_s:.2f} s ({len(names) / resolve_s:,.0f} names/s)",
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    markdown = f"""`benchmarks/catalog.py`: catalog loading and exercise-name resolution.

| measure | value | goal |
| --- | --- | --- |
{table}

The noisy names are built-in names with shuffled words, swapped letters, junk words
(`Technogym`, `(Gym 2)`, `Zorblax`) and a `#n` counter; {share:.0%} of them resolved. That share is not an
accuracy figure (some variations are unresolvable on purpose); accuracy is measured by the
hand-checked sample in `workout_pipeline_tests/data/resolution_sample.csv`.
Each distinct name is resolved once per resolver (ingestion resolves distinct names, not rows).
"""
    write_section("catalog", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
