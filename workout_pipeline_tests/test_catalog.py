"""The built-in catalog, free-exercise-db import, own-layout files and catalog validation."""

import json

import pandas as pd
import pytest

from workout_pipeline.catalog import (
    CATALOG_COLUMNS,
    CATEGORIES,
    EQUIPMENT,
    LOAD_STEP_KG,
    MUSCLE_CATEGORY,
    MUSCLES,
    STRENGTH_KINDS,
    load_builtin_catalog,
    load_catalog,
    load_free_exercise_db,
    validate_catalog,
)
from workout_pipeline.catalog.records import Catalog, Exercise
from workout_pipeline.errors import InputError


def _assert_well_formed(catalog: pd.DataFrame) -> None:
    assert list(catalog.columns) == list(CATALOG_COLUMNS)
    assert catalog["exercise_id"].is_unique
    for column in ("primary_muscles", "secondary_muscles"):
        for muscles in catalog[column]:
            assert isinstance(muscles, list)
            assert set(muscles) <= set(MUSCLES)
    assert all(catalog["primary_muscles"].map(len) > 0)
    assert set(catalog["category"]) <= set(CATEGORIES)
    assert set(catalog["equipment"]) <= set(EQUIPMENT)
    assert set(catalog["mechanic"]) <= {"compound", "isolation"}
    assert catalog["loadable"].dtype == bool
    assert (catalog["load_step_kg"] > 0).all()


def test_builtin_catalog_covers_common_exercises():
    catalog = load_catalog().to_frame()
    _assert_well_formed(catalog)
    assert len(catalog) >= 250
    assert catalog["kind"].isin(STRENGTH_KINDS).sum() >= 250
    assert set(catalog["source"]) == {"builtin"}
    by_id = catalog.set_index("exercise_id")
    for exercise_id in (
        "bench_press_barbell",
        "bench_press_dumbbell",
        "squat_barbell",
        "squat_smith_machine",
        "deadlift_barbell",
        "lat_pulldown_cable",
        "hip_adduction_machine",
        "pull_up",
        "bicep_curl_ez_bar",
        "goblet_squat_kettlebell",
    ):
        assert exercise_id in by_id.index, exercise_id
    assert by_id.loc["bench_press_barbell", "primary_muscles"] == ["chest"]
    assert by_id.loc["bench_press_barbell", "category"] == "push"
    assert by_id.loc["squat_barbell", "category"] == "legs"
    assert by_id.loc["lat_pulldown_cable", "category"] == "pull"
    assert not by_id.loc["pull_up", "loadable"]
    assert by_id.loc["pull_up_weighted", "loadable"]
    # Every equipment in the vocabulary appears, each with its own load step.
    assert set(catalog["equipment"]) == set(EQUIPMENT)
    for equipment, step in zip(catalog["equipment"], catalog["load_step_kg"]):
        assert step == LOAD_STEP_KG[equipment]


def test_builtin_category_follows_first_primary_muscle():
    catalog = load_builtin_catalog().to_frame()
    derived = catalog["primary_muscles"].map(lambda muscles: MUSCLE_CATEGORY[muscles[0]])
    assert (derived == catalog["category"]).all()


def test_builtin_catalog_is_typed_and_immutable():
    import dataclasses

    catalog = load_builtin_catalog()
    assert isinstance(catalog, Catalog) and all(isinstance(e, Exercise) for e in catalog)
    first = catalog.exercises[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "changed"
    assert isinstance(first.primary_muscles, tuple)
    assert catalog[first.exercise_id] is first and catalog.get("no_such_id") is None
    assert load_builtin_catalog() is catalog  # built and validated once


def test_catalog_round_trips_through_json():
    catalog = load_builtin_catalog()
    assert Catalog.from_json(json.loads(json.dumps(catalog.to_json()))) == catalog


def test_free_exercise_db_import(free_exercise_db_json):
    catalog = load_free_exercise_db(free_exercise_db_json).to_frame()
    _assert_well_formed(catalog)
    assert len(catalog) == 873
    assert set(catalog["source"]) == {"free-exercise-db"}
    # Every category is derived from the (single) primary muscle; none left empty.
    derived = catalog["primary_muscles"].map(lambda muscles: MUSCLE_CATEGORY[muscles[0]])
    assert (derived == catalog["category"]).all()
    assert set(catalog["category"]) == set(CATEGORIES)
    # The source's own category is kept as `kind`, so strength work can be filtered.
    raw = json.loads(free_exercise_db_json.read_text(encoding="utf-8"))
    expected_kinds = pd.Series([r["category"].replace(" ", "_") for r in raw]).value_counts().to_dict()
    assert catalog["kind"].value_counts().to_dict() == expected_kinds
    assert catalog["kind"].isin(STRENGTH_KINDS).sum() == 675
    by_name = catalog.set_index("name")
    # `shoulders` is split into delt heads by what the exercise does.
    assert by_name.loc["Face Pull", "primary_muscles"] == ["rear_delts"]
    assert by_name.loc["Side Lateral Raise", "primary_muscles"] == ["side_delts"]
    assert by_name.loc["Reverse Flyes", "primary_muscles"] == ["rear_delts"]
    assert by_name.loc["Standing Military Press", "primary_muscles"] == ["front_delts"]
    assert "side_delts" in by_name.loc["Standing Military Press", "secondary_muscles"]
    assert by_name.loc["Front Dumbbell Raise", "primary_muscles"] == ["front_delts"]
    assert by_name.loc["Upright Barbell Row", "primary_muscles"] == ["side_delts"]
    # `middle back` is our upper_back; abdominals split into abs/obliques.
    assert by_name.loc["Seated Cable Rows", "primary_muscles"] == ["upper_back"]
    assert by_name.loc["Russian Twist", "primary_muscles"] == ["obliques"]
    assert by_name.loc["Smith Machine Bench Press", "equipment"] == "smith_machine"
    assert by_name.loc["Barbell Full Squat", "category"] == "legs"


def test_load_catalog_detects_free_exercise_db_layout(free_exercise_db_json):
    assert len(load_catalog(free_exercise_db_json)) == 873


def _write_own_csv(catalog: pd.DataFrame, path) -> None:
    out = catalog.copy()
    for column in ("primary_muscles", "secondary_muscles"):
        out[column] = out[column].map(";".join)
    out.to_csv(path, index=False)


def test_own_csv_layout_round_trips(tmp_path):
    builtin = load_builtin_catalog().to_frame()
    path = tmp_path / "mine.csv"
    _write_own_csv(builtin, path)
    reloaded = load_catalog(path).to_frame()
    pd.testing.assert_frame_equal(reloaded, builtin)


def test_own_layout_fills_optional_columns(tmp_path):
    path = tmp_path / "gym.json"
    path.write_text(
        json.dumps(
            {
                "exercises": [
                    {"exercise_id": "belt_press", "name": "Belt Press", "primary_muscles": ["chest"], "equipment": "machine"},
                    {
                        "exercise_id": "neck_curl",
                        "name": "Neck Curl",
                        "primary_muscles": ["neck"],
                        "secondary_muscles": [],
                        "equipment": "plate",
                        "kind": "strength",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    catalog = load_catalog(path).to_frame().set_index("exercise_id")
    assert catalog.loc["belt_press", "category"] == "push"
    assert catalog.loc["belt_press", "mechanic"] == "isolation"
    assert catalog.loc["belt_press", "loadable"]
    assert catalog.loc["belt_press", "load_step_kg"] == LOAD_STEP_KG["machine"]
    assert catalog.loc["neck_curl", "category"] == "pull"
    assert catalog.loc["neck_curl", "source"] == "gym.json"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("weird.json", json.dumps([{"title": "Bench", "muscle": "chest"}]), "unknown catalog layout"),
        ("weird.json", json.dumps({"a": 1}), "unknown catalog layout"),
        ("broken.json", "[{", "cannot read catalog JSON"),
        ("weird.csv", "title,muscle\nBench,chest\n", "missing columns exercise_id"),
        ("catalog.xlsx", "x", "unknown catalog file type"),
    ],
)
def test_unknown_layouts_are_input_errors(tmp_path, filename, content, message):
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        load_catalog(path)
    assert "\n" not in str(error.value)


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_catalog(tmp_path / "nope.csv")


def _tiny_catalog() -> pd.DataFrame:
    return load_builtin_catalog().to_frame().head(5).reset_index(drop=True)


def test_validation_names_duplicate_ids():
    catalog = _tiny_catalog()
    catalog.loc[1, "exercise_id"] = catalog.loc[0, "exercise_id"]
    with pytest.raises(InputError, match=f"duplicate exercise ids: {catalog.loc[0, 'exercise_id']}"):
        validate_catalog(catalog)


def test_validation_names_unknown_muscles():
    catalog = _tiny_catalog()
    catalog.at[2, "secondary_muscles"] = ["pecs"]
    with pytest.raises(InputError, match=rf"{catalog.loc[2, 'exercise_id']} \(pecs\)"):
        validate_catalog(catalog)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("category", "arms", "unknown category arms"),
        ("equipment", "sandbag", "unknown equipment sandbag"),
        ("mechanic", "both", "unknown mechanic both"),
        ("load_step_kg", 0.0, "load_step_kg must be a positive number"),
        ("primary_muscles", [], "without a primary muscle"),
    ],
)
def test_validation_rejects_unknown_values(column, value, message):
    catalog = _tiny_catalog()
    catalog[column] = catalog[column].astype(object)
    catalog.at[3, column] = value
    with pytest.raises(InputError, match=message) as error:
        validate_catalog(catalog, origin="my.csv")
    assert catalog.loc[3, "exercise_id"] in str(error.value)
    assert str(error.value).startswith("my.csv: ")


def test_invalid_own_csv_reports_the_file_and_ids(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "exercise_id,name,primary_muscles,equipment\n"
        "curl,Curl,biceps,dumbbell\n"
        "curl,Curl again,biceps,dumbbell\n"
        "press,Press,delts,barbell\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="bad.csv: duplicate exercise ids: curl"):
        load_catalog(path)
    path.write_text("exercise_id,name,primary_muscles,equipment\npress,Press,delts,barbell\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"press \(delts\)"):
        load_catalog(path)


def test_free_exercise_db_with_unknown_muscle_is_rejected(tmp_path):
    path = tmp_path / "exercises.json"
    record = {"id": "Odd", "name": "Odd", "force": None, "primaryMuscles": ["pecs"], "secondaryMuscles": [],
              "equipment": "barbell", "mechanic": None, "category": "strength"}
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(InputError, match="unknown muscle 'pecs'"):
        load_catalog(path)
