"""The whole asset graph materialised on small simulated logs in an ephemeral instance."""

import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from workout_pipeline.definitions import build_definitions
from workout_pipeline.defs.inbox import scan_inbox

EPOCHS = 3
RUN_CONFIG = {"ops": {"progression_models": {"config": {"epochs": EPOCHS, "seed": 0}}}}
# A short solver budget: the test checks wiring and hard constraints, not optimality.
PROGRAM_CONFIG = {"ops": {"weekly_programs": {"config": {"time_limit_s": 3.0}}}}


def write_small_inbox(inbox: Path) -> None:
    """Two simulated athletes in two app formats, one broken file, one file with bad rows."""
    from workout_pipeline.simulate import simulate_athletes, write_export

    sets = simulate_athletes(n_athletes=2, weeks=12, seed=3)
    athletes = sorted(sets["athlete_id"].unique())
    (inbox / "ann").mkdir(parents=True)
    write_export(sets[sets["athlete_id"] == athletes[0]], inbox / "ann" / "strong export.csv", "strong_classic")
    write_export(sets[sets["athlete_id"] == athletes[1]], inbox / "ben.csv", "hevy")
    # A few unusable rows in Ben's export: they must land in quarantine with a reason.
    with (inbox / "ben.csv").open("a", encoding="utf-8") as handle:
        handle.write('"Upper A","1 Jul 2025, 10:00","1 Jul 2025, 11:00","","Bench Press (Barbell)",,"",0,"normal",-40,5,,,\n')
        handle.write('"Upper A","1 Jul 2025, 10:00","1 Jul 2025, 11:00","","Bench Press (Barbell)",,"",1,"normal",60,-3,,,\n')
    (inbox / "broken.csv").write_bytes(b"\x00\x01\x02 not a training log \xff\xfe")


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    evaluations = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            evaluations[f"{data.asset_key.to_user_string()}:{data.check_name}"] = data.passed
    return evaluations


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Materialise every asset once (shared by the tests below)."""
    root = tmp_path_factory.mktemp("graph")
    inbox, storage = root / "inbox", root / "storage"
    write_small_inbox(inbox)
    defs = build_definitions(storage_dir=str(storage), inbox_dir=str(inbox))
    assets = [*defs.assets, *defs.asset_checks]
    resources = dict(defs.resources)
    files, _ = scan_inbox(inbox)
    athletes = sorted({f.athlete_id for f in files} - {"broken"})
    runs: dict[str, dg.ExecuteInProcessResult] = {}
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("inbox_files", [f.partition_key for f in files])
        instance.add_dynamic_partitions("athletes", athletes)
        for found in files:
            runs[f"ingest:{found.partition_key}"] = dg.materialize(
                assets,
                selection=dg.AssetSelection.groups("ingest"),
                partition_key=found.partition_key,
                instance=instance,
                resources=resources,
                raise_on_error=False,
            )
        runs["model"] = dg.materialize(
            assets,
            selection=dg.AssetSelection.groups("catalog", "model"),
            instance=instance,
            resources=resources,
            run_config=RUN_CONFIG,
            raise_on_error=False,
        )
        for athlete in athletes:
            runs[f"program:{athlete}"] = dg.materialize(
                assets,
                selection=dg.AssetSelection.groups("programs"),
                partition_key=athlete,
                instance=instance,
                resources=resources,
                run_config=PROGRAM_CONFIG,
                raise_on_error=False,
            )
        yield {"runs": runs, "storage": storage, "athletes": athletes, "files": files, "assets": assets, "resources": resources, "instance": instance}


def test_good_files_ingest_and_the_broken_one_fails_alone(pipeline):
    runs = pipeline["runs"]
    ann_key = next(f.partition_key for f in pipeline["files"] if f.athlete_id == "ann")
    assert ann_key == "ann__strong export.csv"  # readable and unique: no hash needed
    assert runs[f"ingest:{ann_key}"].success
    assert runs["ingest:ben.csv"].success
    broken = runs["ingest:broken.csv"]
    assert not broken.success
    failure = next(e for e in broken.all_events if e.event_type_value == "STEP_FAILURE")
    assert "broken.csv" in failure.event_specific_data.error.message


def test_ingest_checks_and_quarantine(pipeline):
    storage = pipeline["storage"]
    checks = check_results(pipeline["runs"]["ingest:ben.csv"])
    assert checks == {
        "parsed_sets:every_row_accounted_for": True,
        "validated_sets:passes_expectations": True,
        "validated_sets:rows_conserved": True,
    }
    parsed = pd.read_parquet(storage / "tables" / "parsed_sets" / "ben.csv.parquet")
    validated = pd.read_parquet(storage / "tables" / "validated_sets" / "ben.csv.parquet")
    quarantined = pd.read_parquet(storage / "tables" / "quarantined_sets" / "ben.csv.parquet")
    assert len(parsed) == len(validated) + len(quarantined)
    assert len(quarantined) >= 2 and quarantined["reason"].notna().all()
    assert set(validated["athlete_id"]) == {"ben"}
    assert set(validated["source_file"]) == {"ben.csv"}
    assert validated["exercise_id"].notna().mean() > 0.8
    assert (storage / "raw" / "ben.csv").exists()  # the snapshot the parser read


def test_model_run_trains_evaluates_and_recommends(pipeline):
    run = pipeline["runs"]["model"]
    assert run.success
    checks = check_results(run)
    assert checks["training_graph:no_leakage"] is True
    assert "model_evaluation:model_beats_repeat_last" in checks  # WARN only: never blocks
    storage = pipeline["storage"]
    metrics = json.loads((storage / "json" / "model_evaluation.json").read_text())
    assert {"graphsage", "repeat_last"} <= set(metrics["models"])
    assert (storage / "model" / "predictions.parquet").exists()
    assert (storage / "artifacts" / "progression_models.pt").exists()
    recommendations = pd.read_parquet(storage / "tables" / "progression_recommendations.parquet")
    assert set(recommendations["athlete_id"]) == set(pipeline["athletes"])
    evaluation = run.asset_materializations_for_node("model_evaluation")[0]
    assert "metrics" in evaluation.metadata and "predictions_plot" in evaluation.metadata
    # the recommendations say what the lifters are told, decision by decision
    told = run.asset_materializations_for_node("progression_recommendations")[0].metadata
    counts = recommendations["decision"].value_counts()
    assert {k: told[f"decision_{k}"].value for k in counts.index} == counts.to_dict()


def test_programs_and_reports_per_athlete(pipeline):
    storage = pipeline["storage"]
    for athlete in pipeline["athletes"]:
        run = pipeline["runs"][f"program:{athlete}"]
        assert run.success, athlete
        assert check_results(run) == {"weekly_programs:meets_hard_constraints": True}
        program = json.loads((storage / "programs" / athlete / "program.json").read_text())
        assert program["status"] in ("optimal", "feasible") and program["days"]
        report_dir = storage / "reports" / athlete
        assert {"report.md", "report.html", "weekly_volume.png"} <= {p.name for p in report_dir.iterdir()}
        materialization = run.asset_materializations_for_node("program_reports")[0]
        assert "weekly_volume_per_muscle" in materialization.metadata
        assert "data:image/png;base64," in materialization.metadata["weekly_volume_per_muscle"].value


def test_leaking_graph_blocks_training(pipeline, monkeypatch):
    """The blocking no-leakage check stops the run before the model trains on a leaky split."""
    import workout_pipeline.model as model_module

    monkeypatch.setattr(model_module, "check_no_leakage", lambda graph: ["test target visible to a training node"])
    result = dg.materialize(
        pipeline["assets"],
        selection=dg.AssetSelection.assets("training_graph", "progression_models"),
        instance=pipeline["instance"],
        resources=pipeline["resources"],
        run_config=RUN_CONFIG,
        raise_on_error=False,
    )
    assert check_results(result) == {"training_graph:no_leakage": False}
    assert not result.asset_materializations_for_node("progression_models")
