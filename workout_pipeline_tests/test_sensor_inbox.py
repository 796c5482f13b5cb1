"""The inbox sensor: new, unchanged, changed, bad and hostile files."""

import json
import os

import dagster as dg
import pytest

from workout_pipeline.defs.inbox import is_safe_key, safe_name, scan_inbox
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
    for key in keys:
        assert is_safe_key(key.replace("__", "_")) and ".." not in key and "/" not in key
    athletes = instance.get_dynamic_partitions("athletes")
    assert all(is_safe_key(a) for a in athletes)
    # Each key maps back to exactly one real file, inside the inbox.
    files, _ = scan_inbox(inbox)
    assert {f.partition_key for f in files} == set(keys)
    assert all(f.path.resolve().is_relative_to(inbox.resolve()) for f in files)
