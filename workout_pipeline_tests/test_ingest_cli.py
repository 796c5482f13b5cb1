"""The `ingest` command's contract: JSON keys, folder layouts, --athlete, --aliases, resolution summary."""

import json

import pandas as pd
from click.testing import CliRunner

from workout_pipeline.catalog.resolve import Resolution, default_resolver
from workout_pipeline.cli import main
from workout_pipeline.ingest import athlete_id_for, ingest_paths, resolve_exercises

HEADER = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
ROWS = (
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",W,60,5,0,0,"","",\n'
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",1,100,5,0,0,"","",\n'
    '2024-03-01 18:00:00,"A",1h,"Squat (Barbell)",2,100,5,0,0,"","",\n'
    '2024-03-01 18:00:00,"A",1h,"Zorblax Thing",1,30,10,0,0,"","",\n'
    '2024-03-01 18:00:00,"A",1h,"My Weird Squat",1,80,5,0,0,"","",\n'
)
KEYS = ["files", "rows_in", "valid", "quarantined", "non_set_rows", "by_reason", "resolved_share", "athletes", "per_file"]
FILE_KEYS = ["file", "athlete", "format", "unit", "unit_reason", "rows_in", "valid", "quarantined", "non_set_rows", "error"]


def _invoke(*args):
    result = CliRunner().invoke(main, ["ingest", *map(str, args)])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_json_contract_and_athlete_option(tmp_path):
    export = tmp_path / "strong.csv"
    export.write_text(HEADER + ROWS, encoding="utf-8")
    summary = _invoke(export, "--out", tmp_path / "out", "--athlete", "zoe")
    assert list(summary)[: len(KEYS)] == KEYS and "unresolved" in summary
    (entry,) = summary["per_file"]
    assert list(entry)[: len(FILE_KEYS)] == FILE_KEYS
    assert summary["athletes"] == ["zoe"] and entry["athlete"] == "zoe"
    assert (summary["rows_in"], summary["valid"], summary["quarantined"]) == (5, 5, 0)
    stored = pd.read_parquet(tmp_path / "out" / "validated_sets.parquet")
    assert set(stored["athlete_id"]) == {"zoe"} and len(stored) == 5


def test_folder_layouts(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "bob").mkdir(parents=True)
    (inbox / "alice.csv").write_text(HEADER + ROWS, encoding="utf-8")
    (inbox / "bob" / "strong.csv").write_text(HEADER + ROWS, encoding="utf-8")
    (inbox / ".hidden.csv").write_text("junk")
    summary = _invoke(inbox, "--out", tmp_path / "out")
    assert summary["athletes"] == ["alice", "bob"] and summary["files"] == 2
    assert athlete_id_for(inbox / "bob" / "strong.csv", root=inbox) == "bob"
    assert athlete_id_for(inbox / "alice.csv") == "alice"


def test_aliases_file_resolves_a_users_own_name(tmp_path):
    squat_id = default_resolver().resolve("Squat (Barbell)").exercise_id
    assert squat_id is not None
    export = tmp_path / "kim.csv"
    export.write_text(HEADER + ROWS, encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(f"exercise_raw,exercise_id\nMy Weird Squat,{squat_id}\n", encoding="utf-8")
    before = _invoke(export, "--out", tmp_path / "o1")
    after = _invoke(export, "--out", tmp_path / "o2", "--aliases", aliases)
    unresolved_before = {u["exercise_raw"] for u in before["unresolved"]}
    unresolved_after = {u["exercise_raw"] for u in after["unresolved"]}
    assert "My Weird Squat" in unresolved_before and "My Weird Squat" not in unresolved_after
    assert after["resolved_share"] > before["resolved_share"]
    stored = pd.read_parquet(tmp_path / "o2" / "validated_sets.parquet")
    assert set(stored.loc[stored["exercise_raw"] == "My Weird Squat", "exercise_id"]) == {squat_id}


class _OnlySquats:
    def resolve_many(self, names):
        return {n: Resolution("squat" if "Squat" in n else None, 1.0, "exact") for n in names}


def test_resolved_share_counts_working_sets_and_unresolved_is_sorted(tmp_path):
    export = tmp_path / "lee.csv"
    rows = ROWS + '2024-03-01 18:00:00,"A",1h,"Zorblax Thing",2,30,10,0,0,"","",\n'
    export.write_text(HEADER + rows, encoding="utf-8")
    report = ingest_paths([export], resolver=_OnlySquats())
    # Working sets: 2 squats + 1 weird squat + 2 Zorblax (the warm-up does not count).
    assert report.summary["resolved_share"] == 0.6
    assert report.summary["unresolved"] == [{"exercise_raw": "Zorblax Thing", "sets": 2}]
    filled = resolve_exercises(report.validated.assign(exercise_id=None), _OnlySquats())
    assert filled["exercise_id"].notna().sum() == 4
