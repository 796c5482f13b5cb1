"""Seeded simulator of realistic lifters, app-format export writers and the shipped demo data.

Public API:
    simulate_athletes(n_athletes=3, weeks=26, seed=0, start=None) -> canonical frame (logs end 2025-07-07)
    simulate_profiles(profiles, weeks, seed, start) -> SimulatedLog (sets + sessions + notes)
    simulate_sets(n_sets, weeks=26, seed=0) -> SimulatedLog with exactly n_sets rows (benchmarks)
    random_profiles(n_athletes, seed) -> list[AthleteProfile]
    write_export(frame, path, fmt, unit="kg", sessions=None, notes=None) -> Path
    export_header(fmt, unit="kg") -> str
    generate_demo(out_dir=DATA_DIR / "demo", seed=7) -> list[Path]
"""

from workout_pipeline.simulate.athletes import (
    AthleteProfile,
    SimulatedLog,
    random_profiles,
    simulate_athletes,
    simulate_profiles,
    simulate_sets,
)
from workout_pipeline.simulate.demo import DEMO_ATHLETES, DEMO_SEED, generate_demo
from workout_pipeline.simulate.writers import EXPORT_FORMATS, export_header, write_export

__all__ = [
    "AthleteProfile",
    "DEMO_ATHLETES",
    "DEMO_SEED",
    "EXPORT_FORMATS",
    "SimulatedLog",
    "export_header",
    "generate_demo",
    "random_profiles",
    "simulate_athletes",
    "simulate_profiles",
    "simulate_sets",
    "write_export",
]
