"""The inbox sensor: new, unchanged, changed, bad and hostile files."""

import json
import os
import unicodedata

import dagster as dg
import pytest

from workout_pipeline.defs.inbox import find_inbox_file, is_safe_key, partition_key_for, safe_name, scan_inbox
from workout_pipeline.defs.resources import PipelinePaths
from workout_pipeline.defs.sensors import inbox_sensor

CSV = "Date,Exercise Name,Weight,Reps\n2024-01-01 10:00:00,Bench Press,60,5\n"


@pytest.fixture()
def instance():
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def evaluate(instance, inbox, cursor=None):
    """Run the sensor once and apply its partition requests, as the daemon would."""
    paths = PipelinePaths(storage_dir=str(inbox.parent / "storage"), inbox_dir=str(inbox))
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": paths}) as context:
        result = inbox_sensor(context)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_new_file_then_same_then_changed(tmp_path, instance):
    inbox = tmp_path / "inbox"
    (inbox / "alice").mkdir(parents=True)
    log = inbox / "alice" / "strong.csv"
    log.write_text(CSV)
    (inbox / "bob.csv").write_text(CSV)

    first = evaluate(instance, inbox)
    keys = sorted(r.partition_key for r in first.run_requests)
    assert keys == ["alice__strong.csv", "bob.csv"]
    assert set(instance.get_dynamic_partitions("athletes")) == {"alice", "bob"}
    assert set(instance.get_dynamic_partitions("inbox_files")) == set(keys)
    assert all(r.tags["workout_pipeline/athlete"] in {"alice", "bob"} for r in first.run_requests)

    again = evaluate(instance, inbox, first.cursor)
    assert again.run_requests == []
    assert again.dynamic_partitions_requests == []

    log.write_text(CSV + "2024-01-03 10:00:00,Bench Press,62.5,5\n")
    os.utime(log, ns=(log.stat().st_atime_ns, log.stat().st_mtime_ns + 1_000_000_000))
    changed = evaluate(instance, inbox, again.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["alice__strong.csv"]
    # A new run key, so the daemon does not deduplicate it against the first run.
    assert changed.run_requests[0].run_key != next(r.run_key for r in first.run_requests if r.partition_key == "alice__strong.csv")
    assert changed.dynamic_partitions_requests == []


def test_cursor_stays_small_and_forgets_removed_files(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(50):
        (inbox / f"athlete{i}.csv").write_text(CSV)
    result = evaluate(instance, inbox)
    assert len(result.run_requests) == 50
    assert len(result.cursor) < 50 * 40
    for i in range(25):
        (inbox / f"athlete{i}.csv").unlink()
    later = evaluate(instance, inbox, result.cursor)
    assert len(json.loads(later.cursor)["f"]) == 25


def test_bad_files_do_not_stop_the_sensor(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = tmp_path / "secret.csv"
    outside.write_text(CSV)
    (inbox / "good.csv").write_text(CSV)
    os.symlink(outside, inbox / "escape.csv")  # points outside the inbox
    os.symlink(tmp_path / "missing.csv", inbox / "dangling.csv")
    (inbox / "folder.csv").mkdir()  # a folder named like a log
    (inbox / "notes.txt").write_text("not a log")
    (inbox / ".partial.csv").write_text(CSV)  # hidden: an upload in progress
    unreadable = inbox / "locked.csv"
    unreadable.write_text(CSV)
    unreadable.chmod(0)

    result = evaluate(instance, inbox)
    keys = [r.partition_key for r in result.run_requests]
    assert "good.csv" in keys
    assert not any(k.startswith(("escape", "dangling", "notes", "partial")) for k in keys)
    if not os.access(unreadable, os.R_OK):  # root can read anything
        assert "locked.csv" not in keys
    _, skipped = scan_inbox(inbox)
    reasons = {s.relative_path: s.reason for s in skipped}
    assert "outside the inbox" in reasons["escape.csv"]
    assert "dangling.csv" in reasons


def test_corrupt_cursor_starts_afresh(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text(CSV)
    result = evaluate(instance, inbox, cursor="{not json")
    assert [r.partition_key for r in result.run_requests] == ["a.csv"]


def test_missing_inbox_is_a_skip(tmp_path, instance):
    result = evaluate(instance, tmp_path / "nowhere")
    assert result.run_requests == []
    assert result.skip_reason


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.csv", "..csv", "a/../b.csv", "名前 (1).csv", "x" * 300 + ".csv", "$(rm -rf ~).csv", "con\u0000.csv"],
)
def test_safe_name_never_escapes(name):
    cleaned = safe_name(name)
    assert cleaned and is_safe_key(cleaned)
    assert "/" not in cleaned and ".." not in cleaned and not cleaned.startswith(".")
    assert len(cleaned) <= 80


def _assert_keys_safe_and_reversible(inbox, keys):
    for key in keys:
        assert ".." not in key and "/" not in key and "\\" not in key and not key.startswith((".", " "))
        assert not any(unicodedata.category(c)[0] == "C" for c in key)
        assert len(key.encode("utf-8")) < 255
    # Each key maps back to exactly one real file, inside the inbox.
    files, _ = scan_inbox(inbox)
    assert {f.partition_key for f in files} == set(keys)
    assert len({f.path for f in files}) == len(files)
    for key in keys:
        assert find_inbox_file(inbox, key).path.resolve().is_relative_to(inbox.resolve())


def test_odd_names_get_safe_unique_keys(tmp_path, instance):
    inbox = tmp_path / "inbox"
    (inbox / "evil..name").mkdir(parents=True)
    (inbox / "evil..name" / "my export (1).csv").write_text(CSV)
    (inbox / "my export (1).csv").write_text(CSV)
    (inbox / "my_export_1_.csv").write_text(CSV)  # sanitises to the same base name
    (inbox / "lifter \u00e9.csv").write_text(CSV)
    result = evaluate(instance, inbox)
    keys = [r.partition_key for r in result.run_requests]
    assert len(keys) == len(set(keys)) == 4
    assert "lifter \u00e9.csv" in keys  # readable: letters kept
    _assert_keys_safe_and_reversible(inbox, keys)


def test_unicode_and_look_alike_names_stay_apart(tmp_path, instance):
    """The issue's cases: 李/, 王/, 名前.csv and athlete/ were one athlete; x y/ and x_y/ shared a key;
    a literal a_b-50a29e02.csv collided with the hashed key of a b.csv."""
    inbox = tmp_path / "inbox"
    for folder in ("李", "王", "athlete", "x y", "x_y", "Алиса", "Aлиса", "e\u0301", "\u00e9", "a__b", "a"):
        (inbox / folder).mkdir(parents=True)
        (inbox / folder / "strong.csv").write_text(CSV)
    (inbox / "a" / "_b__c.csv").write_text(CSV)  # must not meet a__b/c.csv
    (inbox / "a__b" / "c.csv").write_text(CSV)
    for name in ("名前.csv", "a b.csv", "a_b-50a29e02.csv", "a%20b.csv", "evil\u202egnp.csv", "tab\tname.csv"):
        (inbox / name).write_text(CSV)
    files, skipped = scan_inbox(inbox)
    assert not skipped
    keys = [f.partition_key for f in files]
    assert len(keys) == len(set(keys)) == 19
    athletes = {f.relative_path: f.athlete_id for f in files}
    assert athletes["李/strong.csv"] == "李" and athletes["王/strong.csv"] == "王"
    assert athletes["名前.csv"] == "名前" and athletes["athlete/strong.csv"] == "athlete"
    assert athletes["x y/strong.csv"] == "x y" != athletes["x_y/strong.csv"] == "x_y"
    assert athletes["Алиса/strong.csv"] != athletes["Aлиса/strong.csv"]  # Cyrillic vs Latin A
    # NFD and NFC folders: two files (two keys), one athlete in one spelling, as the CLI names them
    assert athletes["e\u0301/strong.csv"] == athletes["\u00e9/strong.csv"] == "\u00e9"
    assert len(set(athletes.values())) == 16  # 11 folders (two of them one name) + 6 top-level files
    assert "名前.csv" in keys and "李__strong.csv" in keys
    assert all("\u202e" not in k and "\t" not in k for k in keys)
    _assert_keys_safe_and_reversible(inbox, keys)
    result = evaluate(instance, inbox)
    assert sorted(r.partition_key for r in result.run_requests) == sorted(keys)
    assert set(instance.get_dynamic_partitions("athletes")) == {f.athlete_id for f in files}


def test_redownload_in_inbox_is_the_same_athlete(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("bob.csv", "bob (1).csv", "bob-2.csv", "carol_1.csv"):
        (inbox / name).write_text(CSV)
    files, _ = scan_inbox(inbox)
    athletes = {f.relative_path: f.athlete_id for f in files}
    assert athletes == {"bob.csv": "bob", "bob (1).csv": "bob", "bob-2.csv": "bob", "carol_1.csv": "carol_1"}
    assert len({f.partition_key for f in files}) == 4


@pytest.mark.parametrize("parts", [("a", "b.csv"), ("a__b.csv",), ("a_", "_b.csv"), ("a", "__b.csv"), ("..", "x.csv"),
                                   ("x" * 300 + ".csv",), ("%41.csv",), ("A.csv",), (" a.csv",), ("a.csv ",)])
def test_partition_keys_are_injective(parts):
    others = [("a", "b.csv"), ("a__b.csv",), ("a_", "_b.csv"), ("a", "__b.csv"), ("%41.csv",), ("A.csv",),
              (" a.csv",), ("a.csv ",), ("a.csv",), ("x" * 300 + ".csv",), ("x" * 301 + ".csv",)]
    key = partition_key_for(parts)
    assert ".." not in key and "/" not in key
    for other in others:
        assert (partition_key_for(other) == key) == (other == parts)
