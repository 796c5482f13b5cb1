"""One pipeline: the CLI and the Dagster assets give identical results on identical inputs.

The inputs include two copies of one export (a re-download), which both paths must count once.
Also: names resolve against the configured catalog (free-exercise-db) in both paths.
"""

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from workout_pipeline.cli import main as cli
from workout_pipeline.paths import DATA_DIR
from workout_pipeline.schema import SET_IDENTITY

DEMO = DATA_DIR / "demo"
EPOCHS = "5"


def _invoke(*args: str) -> dict:
    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return json.loads(done.output.strip().splitlines()[-1])


def _sorted(frame: pd.DataFrame, keys) -> pd.DataFrame:
    return frame.sort_values(list(keys), kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory):
    """The same inbox through the CLI (ingest, evaluate, program) and through the assets."""
    from workout_pipeline.defs.demo import materialize_inbox

    root = tmp_path_factory.mktemp("one_pipeline")
    inbox = root / "assets" / "inbox"
    (inbox / "alice").mkdir(parents=True)
    shutil.copy(DEMO / "alice.csv", inbox / "alice" / "strong.csv")
    shutil.copy(DEMO / "alice.csv", inbox / "alice" / "strong (1).csv")  # a re-download
    shutil.copy(DEMO / "dana.csv", inbox / "dana.csv")

    store, program_dir = root / "cli" / "store", root / "cli" / "program"
    ingested = _invoke("ingest", str(inbox), "--out", str(store))
    _invoke("evaluate", str(inbox), "--out", str(store), "--seed", "0", "--epochs", EPOCHS)
    _invoke("program", "--history", str(store), "--athlete", "alice", "--out", str(program_dir), "--time-limit", "3")

    summary = materialize_inbox(root / "assets", epochs=int(EPOCHS), seed=0, solve_seconds=3.0)
    assert all(outcome == "success" for outcome in summary["runs"].values()), summary["runs"]
    return {"store": store, "program": program_dir, "storage": root / "assets" / "storage", "ingested": ingested}


def test_validated_sets_are_identical_and_the_copy_counts_once(both_paths):
    from workout_pipeline.pipeline import combine_validated_sets

    cli_sets = pd.read_parquet(both_paths["store"] / "validated_sets.parquet")
    partitions = sorted((both_paths["storage"] / "tables" / "validated_sets").glob("*.parquet"))
    assert len(partitions) == 3
    asset_sets = combine_validated_sets(pd.concat([pd.read_parquet(p) for p in partitions], ignore_index=True))
    assert len(cli_sets) == len(asset_sets) < sum(len(pd.read_parquet(p)) for p in partitions)
    assert set(cli_sets["athlete_id"]) == {"alice", "dana"}
    assert (cli_sets["athlete_id"] == "alice").sum() == (asset_sets["athlete_id"] == "alice").sum() > 0
    columns = [c for c in cli_sets.columns if c != "source_file"]  # provenance: full path vs inbox path
    pd.testing.assert_frame_equal(_sorted(cli_sets[columns], SET_IDENTITY), _sorted(asset_sets[columns], SET_IDENTITY))


def test_predictions_and_recommendations_are_identical(both_paths):
    storage = both_paths["storage"]
    cli_predictions = pd.read_parquet(both_paths["store"] / "predictions.parquet")
    asset_predictions = pd.read_parquet(storage / "model" / "predictions.parquet")
    keys = ["athlete_id", "exercise_raw", "target_date"]
    pd.testing.assert_frame_equal(_sorted(cli_predictions, keys), _sorted(asset_predictions, keys), rtol=1e-5)
    cli_recs = pd.read_parquet(both_paths["store"] / "recommendations.parquet")
    asset_recs = pd.read_parquet(storage / "tables" / "progression_recommendations.parquet")
    keys = ["athlete_id", "exercise_raw"]
    pd.testing.assert_frame_equal(_sorted(cli_recs, keys), _sorted(asset_recs, keys), rtol=1e-5)


def test_programs_are_identical(both_paths):
    cli_program = json.loads((both_paths["program"] / "program.json").read_text())
    asset_program = json.loads((both_paths["storage"] / "programs" / "alice" / "program.json").read_text())
    for key in ("days", "muscles", "status", "objective"):
        assert cli_program[key] == asset_program[key], key


def test_free_exercise_db_catalog_resolves_the_demo_logs(free_exercise_db_json, tmp_path):
    """The configured catalog is the one names resolve against: >= 95% of working sets get an
    exercise with known muscles, through the CLI and through the ingest step the assets run."""
    from workout_pipeline import pipeline
    from workout_pipeline.ingest import parse_log_file
    from workout_pipeline.schema import resolution_summary
    from workout_pipeline.settings import Settings

    summary = _invoke("ingest", str(DEMO), "--out", str(tmp_path / "store"), "--catalog", str(free_exercise_db_json))
    assert summary["resolved_share"] >= 0.95
    settings = Settings(catalog_path=free_exercise_db_json)
    catalog = pipeline.load_exercise_catalog(settings)
    resolver = pipeline.name_resolver(catalog, settings)
    validated = pd.read_parquet(tmp_path / "store" / "validated_sets.parquet")
    assert validated["exercise_id"].dropna().map(lambda i: bool(catalog[i].primary_muscles)).all()
    for path in sorted(DEMO.glob("*.csv")):
        parsed = parse_log_file(path, path.stem)
        checked = pipeline.check_parsed_sets(parsed.sets, parsed.rejected, resolver)
        share, _ = resolution_summary(checked.validated)
        assert share >= 0.95, path.name


def test_the_assets_use_the_stores_rule_for_the_lifters_unit():
    """Per-export unit evidence (the `lifter_units` asset) gives the unit the CLI's store keeps:
    the latest export's unit, a stated unit over an inferred one of the same date."""
    from workout_pipeline.pipeline import athlete_unit

    def doc(unit, source, latest, athlete="ann"):
        return {"athlete_id": athlete, "unit": unit, "unit_source": source, "unit_reason": "r", "latest": latest}

    by_file = {
        "ann__old.csv": doc("kg", "export", "2024-01-01T10:00:00"),
        "ann__new.csv": doc("lb", "inferred", "2025-01-01T10:00:00"),
        "bob.csv": doc("kg", "export", "2026-01-01T10:00:00", athlete="bob"),
        "broken.csv": {},
    }
    assert athlete_unit(by_file, "ann") == "lb"
    assert athlete_unit(by_file, "bob") == "kg"
    assert athlete_unit(by_file, "nobody") is None
    assert athlete_unit(doc("lb", "export", None), "ann") == "lb"  # a single partition loads as one document
    same_day = {"a": doc("kg", "inferred", "2025-01-01T10:00:00"), "b": doc("lb", "export", "2025-01-01T10:00:00")}
    assert athlete_unit(same_day, "ann") == "lb"


def test_combined_sets_keep_the_stores_rule_a_newer_export_is_the_truth_for_its_span(tmp_path):
    """The asset path's history is the store's: alice's newer export (written after the older
    one) deleted a set of a session both hold: gone from the combined sets, as from the store;
    her sets before that export's span stay, and bob's on the same day are untouched."""
    from workout_pipeline.ingest import ingest_paths, load_store
    from workout_pipeline.pipeline import combine_validated_sets

    header = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    early = '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n'
    session = ['2024-03-08 18:00:00,"A",1h,"Squat (Barbell)",1,102.5,5,0,0,"","",\n',
               '2024-03-08 18:00:00,"A",1h,"Squat (Barbell)",2,102.5,5,0,0,"","",\n']
    files = {"old.csv": [early] + session, "new.csv": session[:1]}
    frames = []
    for name, lines in files.items():
        (tmp_path / name).write_text(header + "".join(lines), encoding="utf-8")
        frames.append(ingest_paths([tmp_path / name], athlete="alice").validated)
    (tmp_path / "bob.csv").write_text(header + "".join(session), encoding="utf-8")
    bob = ingest_paths([tmp_path / "bob.csv"], athlete="bob").validated
    combined = combine_validated_sets(pd.concat([frames[0], bob, frames[1]], ignore_index=True))
    for name in files:
        ingest_paths([tmp_path / name], out_dir=tmp_path / "store", athlete="alice")
    stored = load_store(tmp_path / "store")[0]
    alice = combined[combined["athlete_id"] == "alice"]
    assert len(alice) == len(stored) == 2 and (combined["athlete_id"] == "bob").sum() == 2
    assert sorted(alice["performed_at"].astype(str)) == sorted(stored["performed_at"].astype(str))
