"""The memory and per-file shortcuts of ingestion give the same rows as the plain paths."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

import workout_pipeline.ingest.parse as parse
from workout_pipeline.ingest import ingest_paths
from workout_pipeline.ingest.store import store_order
from workout_pipeline.ingest.values import _parse_distinct_text_numbers, parse_numbers


@pytest.mark.parametrize("cells", [
    ["5", "+5", "-3.5", ".5", "5.", "1.000", "62.5", "0", "", None],
    ["9" * 400, "17", "2.25"],  # a number too long to be finite is unreadable
])
def test_plain_number_fast_path_agrees_with_the_separator_rules(cells):
    numbers, bad = parse_numbers(pd.Series(cells, dtype=object))
    stripped = pd.Series([c.strip() if c and c.strip() else None for c in cells], dtype="string")
    slow_numbers, slow_bad = _parse_distinct_text_numbers(stripped, decimal_comma=False)
    pd.testing.assert_series_equal(numbers, slow_numbers.astype("float64"), check_names=False)
    assert bad.tolist() == slow_bad.tolist()


def test_big_draft_path_parses_a_real_log_like_the_small_one(real_logs, monkeypatch):
    path = next(iter(real_logs.values()))
    small = parse.parse_log_file(path, "someone")
    monkeypatch.setattr(parse, "_RELEASE_ROWS", 0)  # every draft gives up its columns one by one
    big = parse.parse_log_file(path, "someone")
    assert len(small.sets) > 100
    pd.testing.assert_frame_equal(small.sets, big.sets)
    pd.testing.assert_frame_equal(small.rejected, big.rejected)


def test_store_writes_validated_sets_in_store_order(real_logs, tmp_path):
    path = next(iter(real_logs.values()))
    report = ingest_paths([path], out_dir=tmp_path / "store", athlete="someone")
    assert store_order(report.validated) is not None  # the run's rows are in file order, not store order
    stored = pq.read_table(tmp_path / "store" / "validated_sets.parquet").to_pandas()
    assert len(stored) == len(report.validated)
    assert store_order(stored) is None
    key = ["performed_at", "exercise_raw", "set_index", "source_row"]
    expected = report.validated.sort_values(key, kind="stable")["source_row"].astype(int).tolist()
    assert stored["source_row"].astype(int).tolist() == expected


def _store_tables(folder):
    from workout_pipeline.ingest import read_store

    return read_store(folder)


@pytest.mark.parametrize("again", [False, True])
def test_compact_run_stores_what_the_plain_run_stores(real_logs, tmp_path, monkeypatch, again):
    """A big export's run holds text as categoricals (parse, validation, names, merge): the same
    summary, report and store as the plain run, into an empty store and into one holding the
    same history already (the merge's keys and spans on compact rows)."""
    folder = next(iter(real_logs.values())).parent.parent
    plain = ingest_paths([folder], out_dir=tmp_path / "plain")
    if again:
        plain = ingest_paths([folder], out_dir=tmp_path / "plain")
        ingest_paths([folder], out_dir=tmp_path / "compact")
    monkeypatch.setattr(parse, "_RELEASE_ROWS", 0)  # every file parsed the big way, held compact
    monkeypatch.setattr(parse, "_DICTIONARY_BYTES", 0)
    compact = ingest_paths([folder], out_dir=tmp_path / "compact")
    assert isinstance(compact._validated["exercise_raw"].dtype, pd.CategoricalDtype)
    for report in (plain, compact):
        report.summary.pop("store")
        for entry in report.summary["per_file"]:
            entry.pop("file")
    assert compact.summary == plain.summary
    pd.testing.assert_frame_equal(compact.validated, plain.validated)  # contract dtypes on access
    pd.testing.assert_frame_equal(compact.quarantined, plain.quarantined)
    for mine, theirs in zip(_store_tables(tmp_path / "compact"), _store_tables(tmp_path / "plain")):
        pd.testing.assert_frame_equal(mine, theirs)
    stored = pq.read_schema(tmp_path / "compact" / "validated_sets.parquet")
    assert stored == pq.read_schema(tmp_path / "plain" / "validated_sets.parquet")


def test_compact_store_read_joins_row_groups_like_one_read(real_logs, tmp_path, monkeypatch):
    """A store table of several row groups, read compact a row group at a time, equals the whole
    table read at once (values, order and the compact dtypes, categories joined across groups)."""
    import os

    from workout_pipeline.ingest import read_store
    from workout_pipeline.ingest import store as store_module
    from workout_pipeline.schema import to_canonical

    ingest_paths(list(real_logs.values()), out_dir=tmp_path / "store")
    path = os.path.realpath(tmp_path / "store" / "validated_sets.parquet")
    whole = pd.read_parquet(path)
    store_module.write_table(whole, type(tmp_path)(path), rows_per_group=997)  # many small row groups
    assert pq.ParquetFile(path).num_row_groups > 5
    compact = read_store(tmp_path / "store", compact=True).validated
    pd.testing.assert_frame_equal(compact, to_canonical(whole, compact=True))
    pd.testing.assert_frame_equal(read_store(tmp_path / "store").validated, to_canonical(whole))
