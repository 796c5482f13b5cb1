"""Exercise-name resolution: layers, equipment safety, user aliases, localised names, coverage."""

import json
import csv
import re
from pathlib import Path

import pytest

from workout_pipeline.catalog import load_builtin_catalog, load_free_exercise_db
from workout_pipeline.catalog.loading import BUILTIN_CATALOG_CSV
from workout_pipeline.catalog.resolve import (
    ALIASES_CSV,
    ExerciseResolver,
    Resolution,
    default_resolver,
    read_alias_file,
)
from workout_pipeline.errors import InputError

SAMPLE_CSV = Path(__file__).parent / "data" / "resolution_sample.csv"


def _resolve(name: str, **kwargs) -> str | None:
    return default_resolver(**kwargs).resolve(name).exercise_id


def test_hand_checked_sample_of_100_names():
    with open(SAMPLE_CSV, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 100
    resolver = default_resolver()
    misses = []
    for row in rows:
        expected = row["expected_exercise_id"] or None
        got = resolver.resolve(row["exercise_raw"])
        if got.exercise_id != expected:
            misses.append(f"{row['exercise_raw']!r}: expected {expected}, got {got.exercise_id} ({got.method})")
    print("\n".join(["resolution sample misses:", *misses]) if misses else "resolution sample: no misses")
    assert 1 - len(misses) / len(rows) >= 0.98, misses


def test_every_sample_expectation_is_a_catalog_id():
    ids = set(load_builtin_catalog().ids)
    with open(SAMPLE_CSV, encoding="utf-8", newline="") as handle:
        expected = {row["expected_exercise_id"] for row in csv.DictReader(handle)} - {""}
    assert expected <= ids, expected - ids


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Bench Press (Barbell)", "bench_press_barbell"),
        ("Bench Press (Dumbbell)", "bench_press_dumbbell"),
        ("Dumbbell Bench Press", "bench_press_dumbbell"),
        ("Barbell Bench Press", "bench_press_barbell"),
        ("DB Bench Press", "bench_press_dumbbell"),
        ("Bench Press (Smith Machine)", "bench_press_smith_machine"),
        ("Squat (Smith Machine)", "squat_smith_machine"),
        ("Smith Machine Squat", "squat_smith_machine"),
        ("Squat (Barbell)", "squat_barbell"),
        ("Lat Pulldown (Cable)", "lat_pulldown_cable"),
        ("Lat Pulldown (Machine)", "lat_pulldown_machine"),
        ("Bench Pres (Dumbbell)", "bench_press_dumbbell"),  # a typo stays within the equipment
        ("Bicep Curl (EZ Bar)", "bicep_curl_ez_bar"),
        ("Bicep Curl (Barbell)", "bicep_curl_barbell"),
    ],
)
def test_equipment_variants_do_not_collapse(name, expected):
    assert _resolve(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Zorblax Widget Press",
        "Bench Press (Kettlebell)",  # no kettlebell bench in the catalog: not the barbell one
        "Hip Adduction (Band)",  # must not become hip abduction (one letter apart)
        "Cable Kickback",  # triceps or glutes: ambiguous, so unresolved
        "Extension (Machine)",
        "",
        "   ",
    ],
)
def test_unknown_or_ambiguous_names_stay_unresolved(name):
    resolution = default_resolver().resolve(name)
    assert resolution.exercise_id is None
    assert resolution.method == "unresolved"
    assert resolution.confidence == 0.0


def test_non_string_names_are_unresolved():
    resolver = default_resolver()
    assert resolver.resolve(None).exercise_id is None
    assert resolver.resolve(float("nan")).exercise_id is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Bench Press (Barbell)", "bench_press_barbell"),
        ("Incline Bench Press (Dumbbell)", "incline_bench_press_dumbbell"),
        ("Straight Leg Deadlift", "stiff_leg_deadlift_barbell"),
        ("Hip Adduction (Machine)", "hip_adduction_machine"),
        ("Hip Abductor (Machine)", "hip_abduction_machine"),
        ("Butterfly (Pec Deck)", "chest_fly_machine"),
        ("Triceps Rope Pushdown", "triceps_rope_pushdown"),
        ("Flat Barbell Bench Press", "bench_press_barbell"),
        ("Barbell Squat", "squat_barbell"),
        ("Lying Triceps Extension", "skullcrusher_barbell"),
        ("Rope Push Down", "triceps_rope_pushdown"),
        ("OHP", "overhead_press_barbell"),
        ("BB RDL", "romanian_deadlift_barbell"),
        ("pull-ups", "pull_up"),
        ("One Arm Dumbbell Row", "bent_over_one_arm_row_dumbbell"),
        ("Curls (Dumbbells)", "bicep_curl_dumbbell"),
        ("Lateral Rasie (Dumbbell)", "lateral_raise_dumbbell"),
        ("Inclne Bench Press (Barbell)", "incline_bench_press_barbell"),
    ],
)
def test_app_names_abbreviations_and_typos(name, expected):
    assert _resolve(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Portuguese (Hevy/Strong in pt-BR)
        ("Supino Reto (Barra)", "bench_press_barbell"),
        ("Supino Inclinado (Halteres)", "incline_bench_press_dumbbell"),
        ("Levantamento Terra (Barra)", "deadlift_barbell"),
        ("Rosca Martelo (Halteres)", "hammer_curl_dumbbell"),
        ("Elevação Lateral (Halteres)", "lateral_raise_dumbbell"),
        ("Cadeira Extensora (Máquina)", "leg_extension_machine"),
        ("Barra Fixa", "pull_up"),
        # German
        ("Bankdrücken (Kurzhantel)", "bench_press_dumbbell"),
        ("Kniebeuge (Multipresse)", "squat_smith_machine"),
        ("Klimmzüge", "pull_up"),
        ("Rudern sitzend (Kabel)", "seated_row_cable"),
        ("Schulterdrücken (Kurzhantel)", "overhead_press_dumbbell"),
        # Spanish
        ("Press de Banca (Barra)", "bench_press_barbell"),
        ("Peso Muerto (Barra)", "deadlift_barbell"),
        ("Jalón al Pecho (Polea)", "lat_pulldown_cable"),
        ("Elevaciones Laterales (Mancuerna)", "lateral_raise_dumbbell"),
        ("Dominadas", "pull_up"),
        # Chinese (Strong zh)
        ("卧推（杠铃）", "bench_press_barbell"),
        ("深蹲（杠铃）", "squat_barbell"),
    ],
)
def test_localised_names(name, expected):
    assert _resolve(name) == expected


def test_every_builtin_name_resolves_to_itself_in_any_spelling():
    resolver = default_resolver()
    wrong = []
    suffix = re.compile(r"^(.*) \(([^()]+)\)$")
    catalog = load_builtin_catalog().to_frame()
    for exercise_id, name in zip(catalog["exercise_id"], catalog["name"]):
        spellings = [name, name.upper(), f"  {name.lower()}  "]
        match = suffix.match(name)
        if match:
            spellings.append(f"{match.group(2)} {match.group(1)}")  # equipment as a prefix
        for spelling in spellings:
            got = resolver.resolve(spelling).exercise_id
            if got != exercise_id:
                wrong.append((spelling, exercise_id, got))
    assert not wrong


def test_normalisation_keeps_builtin_exercises_apart():
    """No two built-in exercises may normalise to the same words and equipment."""
    from collections import Counter

    from workout_pipeline.catalog.normalise import NameNormaliser, read_synonyms
    from workout_pipeline.catalog.resolve import SYNONYMS_CSV

    normaliser = NameNormaliser(read_synonyms(SYNONYMS_CSV))
    catalog = load_builtin_catalog().to_frame()
    keys = Counter(
        (normaliser.parse(name).words, equipment) for name, equipment in zip(catalog["name"], catalog["equipment"])
    )
    assert [key for key, count in keys.items() if count > 1] == []
    # Built-in aliases that normalise alike must agree on the id.
    by_key: dict[str, set] = {}
    for raw, exercise_id in read_alias_file(ALIASES_CSV).items():
        by_key.setdefault(normaliser.parse(raw).key, set()).add(exercise_id)
    assert {key: ids for key, ids in by_key.items() if len(ids) > 1} == {}


def test_resolution_layers_report_their_method():
    resolver = default_resolver()
    assert resolver.resolve("Bench Press (Barbell)") == Resolution(
        "bench_press_barbell", 1.0, "exact", "Bench Press (Barbell)"
    )
    assert resolver.resolve("Dumbbell Row").method == "alias"
    normalised = resolver.resolve("Barbell Bench Press")
    assert (normalised.method, normalised.confidence) == ("normalised", 0.95)
    # No equipment named: the movement's default (first) variant, with lower confidence.
    default_variant = resolver.resolve("Bench Press")
    assert (default_variant.exercise_id, default_variant.confidence) == ("bench_press_barbell", 0.85)
    fuzzy = resolver.resolve("Leg Press Technogym (Gelb)")
    assert (fuzzy.exercise_id, fuzzy.method) == ("leg_press_machine", "fuzzy")
    assert 0 < fuzzy.confidence < 0.95


def test_resolve_many_resolves_each_distinct_name_once():
    names = ["Bench Press (Barbell)", "Zorblax", "Bench Press (Barbell)", "Pull Up"]
    resolved = default_resolver().resolve_many(names)
    assert list(resolved) == ["Bench Press (Barbell)", "Zorblax", "Pull Up"]
    assert resolved["Zorblax"].exercise_id is None
    assert resolved["Pull Up"].exercise_id == "pull_up"


def test_default_resolver_is_cached():
    assert default_resolver() is default_resolver()


def _write_aliases(path: Path, rows: list[tuple[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["exercise_raw", "exercise_id"])
        writer.writerows(rows)
    return path


def test_user_aliases_override_builtin_layers(tmp_path):
    aliases = _write_aliases(
        tmp_path / "aliases.csv",
        [
            ("Bench Press (Barbell)", "bench_press_close_grip_barbell"),  # overrides an exact name
            ("Dumbbell Row", "chest_supported_row_dumbbell"),  # overrides a built-in alias
            ("Ohio State", "bicep_curl_ez_bar"),  # a personal name
            ("Chest Fly", ""),  # empty id: keep it unresolved on purpose
        ],
    )
    resolver = default_resolver(user_aliases=aliases)
    assert resolver.resolve("Bench Press (Barbell)") == Resolution(
        "bench_press_close_grip_barbell", 1.0, "user_alias", "Bench Press (Barbell)"
    )
    assert resolver.resolve("Dumbbell Row").exercise_id == "chest_supported_row_dumbbell"
    assert resolver.resolve("ohio  STATE").exercise_id == "bicep_curl_ez_bar"
    assert resolver.resolve("Chest Fly").exercise_id is None
    # The cached default resolver is unaffected.
    assert _resolve("Dumbbell Row") == "bent_over_one_arm_row_dumbbell"


def test_user_aliases_from_the_environment(tmp_path, monkeypatch):
    """`$WORKOUT_PIPELINE_ALIASES` is read once, into `Settings`; `--aliases` wins over it."""
    from click.testing import CliRunner

    from workout_pipeline.cli import main as cli
    from workout_pipeline.settings import Settings

    env_file = _write_aliases(tmp_path / "env.csv", [("Ohio State", "bicep_curl_ez_bar")])
    assert Settings.from_env({"WORKOUT_PIPELINE_ALIASES": str(env_file)}).aliases_path == env_file
    log = tmp_path / "alice.csv"
    log.write_text("athlete_id,session_id,performed_at,exercise_raw,set_index,set_type,weight_kg,reps\n"
                   "alice,s1,2024-01-01T10:00:00,Ohio State,0,normal,20,10\n", encoding="utf-8")
    monkeypatch.setenv("WORKOUT_PIPELINE_ALIASES", str(env_file))
    done = CliRunner().invoke(cli, ["ingest", str(log), "--out", str(tmp_path / "store")])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output.strip().splitlines()[-1])["unresolved"] == []
    explicit = _write_aliases(tmp_path / "mine.csv", [("Bench", "bench_press_barbell")])
    done = CliRunner().invoke(cli, ["ingest", str(log), "--out", str(tmp_path / "store2"), "--aliases", str(explicit)])
    assert json.loads(done.output.strip().splitlines()[-1])["unresolved"][0]["exercise_raw"] == "Ohio State"


def test_user_aliases_as_mapping_json_and_yaml(tmp_path):
    assert _resolve("Ohio State", user_aliases={"Ohio State": "bicep_curl_ez_bar"}) == "bicep_curl_ez_bar"
    json_file = tmp_path / "aliases.json"
    json_file.write_text('{"Ohio State": "bicep_curl_ez_bar"}', encoding="utf-8")
    assert read_alias_file(json_file) == {"Ohio State": "bicep_curl_ez_bar"}
    yaml_file = tmp_path / "aliases.yaml"
    yaml_file.write_text("Ohio State: bicep_curl_ez_bar\nLower Back: back_extension\n", encoding="utf-8")
    assert _resolve("Lower Back", user_aliases=yaml_file) == "back_extension"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("exercise_raw,exercise_id\nOhio State,not_an_exercise\n", "not in the catalog: not_an_exercise"),
        ("name,id\nOhio State,bicep_curl_ez_bar\n", "needs a header exercise_raw,exercise_id"),
        ("exercise_raw,exercise_id\nA,pull_up\nA,chin_up\n", "mapped to both pull_up and chin_up"),
    ],
)
def test_bad_user_alias_files_are_input_errors(tmp_path, content, message):
    path = tmp_path / "aliases.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        ExerciseResolver(user_aliases=path)
    assert "\n" not in str(error.value)


def test_missing_user_alias_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read alias file"):
        default_resolver(user_aliases=tmp_path / "missing.csv")


def test_builtin_alias_table_points_at_catalog_ids():
    ids = set(load_builtin_catalog().ids)
    aliases = read_alias_file(ALIASES_CSV)
    assert aliases and set(aliases.values()) <= ids
    resolver = default_resolver()
    for raw, exercise_id in aliases.items():
        assert resolver.resolve(raw).exercise_id == exercise_id, raw


def test_resolver_over_an_imported_catalog(free_exercise_db_json):
    resolver = ExerciseResolver(catalog=load_free_exercise_db(free_exercise_db_json))
    assert resolver.resolve("Barbell Bench Press - Medium Grip").exercise_id == "barbell_bench_press_medium_grip"
    assert resolver.resolve("Face Pull").exercise_id == "face_pull"
    assert resolver.resolve("Zorblax Widget Press").exercise_id is None
    # Built-in aliases whose ids this catalog lacks are skipped, not errors.
    assert resolver.resolve("Dumbbell Row").exercise_id != "bent_over_one_arm_row_dumbbell"


def test_resolver_accepts_a_catalog_path():
    resolver = ExerciseResolver(catalog=BUILTIN_CATALOG_CSV)
    assert resolver.resolve("Barbell Bench Press").exercise_id == "bench_press_barbell"


def test_real_logs_resolve_at_least_95_percent_of_working_sets(real_logs):
    import pandas as pd

    from workout_pipeline.ingest import ingest_paths

    working_frames, shares = [], {}
    for athlete, path in real_logs.items():
        report = ingest_paths([path], athlete=athlete)
        shares[athlete] = report.summary["resolved_share"]
        validated = report.validated
        working_frames.append(validated[validated["set_type"].isin(["normal", "failure"])])
    working = pd.concat(working_frames, ignore_index=True)
    overall = working["exercise_id"].notna().mean()
    print(f"resolved share of valid working sets: overall {overall:.4f} ({len(working)} sets), per athlete {shares}")
    assert len(working) > 10_000
    assert overall >= 0.95
    assert all(share >= 0.95 for share in shares.values()), shares
