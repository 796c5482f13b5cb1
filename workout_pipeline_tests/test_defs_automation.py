"""Declarative automation: new ingested data flows downstream; a failed blocking check stops it."""

import dagster as dg

from workout_pipeline.definitions import build_definitions


def requested(result, *names: str) -> dict[str, int]:
    return {name: result.get_num_requested(dg.AssetKey(name)) for name in names}


def test_ingest_triggers_downstream_and_blocking_check_stops_it(tmp_path, monkeypatch):
    from workout_pipeline.simulate import simulate_athletes, write_export

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_export(simulate_athletes(n_athletes=1, weeks=8, seed=2), inbox / "ann.csv", "strong_classic")
    defs = build_definitions(storage_dir=str(tmp_path / "storage"), inbox_dir=str(inbox))
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        instance.add_dynamic_partitions("inbox_files", ["ann.csv"])
        instance.add_dynamic_partitions("athletes", ["ann"])
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0  # nothing ingested yet: nothing to do

        assert defs.resolve_job_def("ingest_job").execute_in_process(instance=instance, partition_key="ann.csv").success
        after_ingest = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        assert requested(after_ingest, "exercise_catalog", "exercise_features", "training_graph") == {
            "exercise_catalog": 1,
            "exercise_features": 1,
            "training_graph": 1,
        }

        # Build the graph with a leak reported by the check: the model must not train on it.
        import workout_pipeline.model as model_module

        monkeypatch.setattr(model_module, "check_no_leakage", lambda graph: ["target visible to training"])
        built = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=dg.AssetSelection.assets("exercise_catalog", "exercise_features", "training_graph"),
            instance=instance,
            resources=dict(defs.resources),
            raise_on_error=False,
        )
        # The graph is written, but its step fails on the blocking check.
        assert built.asset_materializations_for_node("training_graph")
        assert not built.success
        after_leak = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=after_ingest.cursor)
        assert requested(after_leak, "progression_models")["progression_models"] == 0
