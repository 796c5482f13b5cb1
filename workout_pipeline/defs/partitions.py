"""Partitions: one per inbox file (ingestion) and one per athlete (programs and reports)."""

import dagster as dg

# Keys are the sanitised inbox paths from `workout_pipeline.defs.inbox.scan_inbox`.
inbox_file_partitions = dg.DynamicPartitionsDefinition(name="inbox_files")
# Keys are the sanitised athlete ids (inbox folder name or file stem).
athlete_partitions = dg.DynamicPartitionsDefinition(name="athletes")
