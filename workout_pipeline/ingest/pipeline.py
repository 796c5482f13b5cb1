# Over 400 lines: the run over many files (identity, guards, batched validation, parse workers, summary) is one flow.
"""Ingesting many exports: parse, validate, resolve exercise names, merge into the store, summarise.

The CLI (`workout-pipeline ingest`) and the Dagster assets both call these functions.
"""

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workout_pipeline.ingest.identity import assign_athletes, one_spelling, proposed_athlete
from workout_pipeline.ingest.parse import ParsedLog, parse_log_file
from workout_pipeline.ingest.store import empty_athletes_frame, merge_into_store, run_spans, to_athletes
from workout_pipeline.ingest.validate import ValidationOutcome, validate_many, validate_sets
from workout_pipeline.schema import compact_text, concat_canonical, empty_canonical_frame, resolution_summary, to_canonical

# Files a folder PATH contributes (others, e.g. a README beside the exports, are left alone).
LOG_SUFFIXES = (".csv", ".tsv", ".parquet")
# From this many files on, parsing runs in worker processes (starting one takes about a second).
PARALLEL_MIN_FILES = 64
PARSE_WORKERS_MAX = 8


class IngestReport:
    """What one ingest run read and produced.

    Attributes:
        summary: The CLI's JSON summary (see DESIGN.md, plus ``unresolved`` and ``store``).
        validated: Validated canonical sets of this run (exercise_id filled). The run holds them
            compact (``schema.TEXT_COLUMNS`` as categoricals); the first access converts them to
            the contract dtypes and drops the compact copy.
        quarantined: Quarantined rows of this run, with ``reason``.
        checks: GX check results per file name (``ValidationOutcome.checks``).
        athletes: The lifter's unit per athlete (``athlete_id, unit, unit_source, unit_reason``).
    """

    def __init__(self, summary: dict[str, Any], validated: pd.DataFrame | None = None,
                 quarantined: pd.DataFrame | None = None, checks: dict[str, list[dict[str, Any]]] | None = None,
                 athletes: pd.DataFrame | None = None) -> None:
        self.summary = summary
        self._validated = empty_canonical_frame() if validated is None else validated
        self.quarantined = empty_canonical_frame(with_reason=True) if quarantined is None else quarantined
        self.checks = {} if checks is None else checks
        self.athletes = empty_athletes_frame() if athletes is None else athletes

    @property
    def units(self) -> dict[str, str]:
        """The lifter's unit (kg or lb) per athlete, from ``athletes``."""
        return dict(zip(self.athletes["athlete_id"].astype(str), self.athletes["unit"].astype(str)))

    @property
    def validated(self) -> pd.DataFrame:
        self._validated = to_canonical(self._validated)
        return self._validated


def athlete_id_for(path: str | Path, root: str | Path | None = None) -> str:
    """The athlete a log file belongs to (DESIGN.md "Identity", before collisions).

    A file one folder below `root` (``root/<athlete>/strong.csv``) is named by that folder; any
    other file by its folder when its name is an app's default export name (``strong.csv``,
    ``workout_data.csv``...), else by its stem without re-download suffixes (``alice (1).csv``
    -> ``alice``).
    """
    path = Path(path)
    if root is not None:
        try:
            relative = path.relative_to(Path(root))
        except ValueError:
            relative = Path(path.name)
        if len(relative.parts) >= 2:
            return one_spelling(relative.parts[0])
    return proposed_athlete(path, folder=_folder_name(path))


def _folder_name(path: Path) -> str:
    """The name of the folder holding `path` (resolved, so `./strong.csv` is named too)."""
    parent = path.parent
    return parent.name or parent.resolve().name


def _name_athletes(listed: list[tuple[Path, Path | None, str | None]], athlete: str | None
                   ) -> tuple[list[tuple[Path, str | None, str | None]], list[str]]:
    """Athlete ids for listed (file, root folder or None, error) items, unique per source."""
    folders: dict[Path, list[str]] = {}
    for path, _, error in listed:
        if error is None:
            folders.setdefault(path.parent, []).append(path.stem)
    proposals = []
    for path, root, error in listed:
        if error is not None:
            continue
        if athlete:
            proposals.append((path, athlete, "--athlete"))
            continue
        own = path.stem  # once, not once per sibling (a folder of 1,000 exports)
        siblings = [stem for stem in folders[path.parent] if stem != own]
        relative = path.relative_to(root).parts if root is not None else (path.name,)
        if len(relative) >= 2:  # root/<athlete>/<export>: the subfolder is the athlete
            proposed = one_spelling(relative[0])
        else:
            proposed = proposed_athlete(path, siblings, folder=_folder_name(path))
        proposals.append((path, proposed, str(path.parent.resolve())))
    ids, warnings = assign_athletes(proposals)
    named = iter(ids)
    items = [(path, None if error is not None else next(named), error) for path, _, error in listed]
    return items, warnings


def resolve_exercises(frame: pd.DataFrame, resolver: Any = None) -> pd.DataFrame:
    """Fill ``exercise_id`` from the exercise-name resolver (a copy is returned).

    Args:
        frame: Canonical rows.
        resolver: An object with ``resolve_many(names) -> {name: Resolution}``; defaults to
            ``workout_pipeline.catalog.resolve.default_resolver()``.
    """
    out = frame.copy(deep=False)  # copy-on-write: only the replaced column is new (memory)
    if out.empty:
        return out
    if resolver is None:
        from workout_pipeline.catalog.resolve import default_resolver

        resolver = default_resolver()
    # Each distinct (name, id already carried) pair once, spread back by codes (memory).
    codes, names = pd.factorize(out["exercise_raw"], use_na_sentinel=True)
    names = [str(name) for name in names]
    resolutions = resolver.resolve_many(names) if names else {}
    resolved_ids = [getattr(resolutions.get(name), "exercise_id", None) for name in names]
    carried_codes, carried = pd.factorize(out["exercise_id"], use_na_sentinel=True)
    width = len(carried) + 1
    pair_codes, pairs = pd.factorize((codes.astype(np.int64) + 1) * width + carried_codes + 1)
    # A resolved id wins; where the resolver has none, keep the id a canonical input carried.
    ids = [found if (found := resolved_ids[name - 1] if name > 0 else None) is not None
           else str(carried[kept - 1]) if kept > 0 else None for name, kept in zip(pairs // width, pairs % width)]
    id_codes, distinct_ids = pd.factorize(pd.array(ids, dtype="string"), use_na_sentinel=True)
    column = pd.Series(pd.Categorical.from_codes(id_codes[pair_codes] if len(pair_codes) else pair_codes,
                                                 dtype=pd.CategoricalDtype(pd.Index(distinct_ids, dtype="string"))),
                       index=out.index)
    compact = isinstance(out["exercise_id"].dtype, pd.CategoricalDtype)
    out["exercise_id"] = compact_text(column) if compact else column.astype("string")
    return out


@dataclass
class CheckedSets:
    """One file's sets after validation and name resolution (the step both paths run).

    Attributes:
        validated: Canonical sets that passed every expectation, exercise ids filled.
        quarantined: Parser rejections then failed expectations, each with `reason`.
        checks: The GX check results (``ValidationOutcome.checks``).
    """

    validated: pd.DataFrame
    quarantined: pd.DataFrame
    checks: list[dict[str, Any]]


def validate_and_resolve(sets: pd.DataFrame, rejected: pd.DataFrame, resolver: Any) -> CheckedSets:
    """Validate parsed sets (GX), then resolve exercise names in both resulting tables.

    Args:
        sets: Parsed canonical sets of one file.
        rejected: Rows the parser already rejected (with `reason`).
        resolver: The resolver of the configured catalog (`catalog.crosswalk.build_resolver`).
    """
    return resolve_checked(validate_sets(to_canonical(sets)), rejected, resolver)


def resolve_checked(outcome: ValidationOutcome, rejected: pd.DataFrame, resolver: Any, compact: bool = False
                    ) -> CheckedSets:
    """Resolve exercise names in a file's validation outcome and its parser rejections
    (`compact`: the validated table keeps categorical text, see ``schema.TEXT_COLUMNS``)."""
    validated, quarantined = _resolve_tables([outcome.validated], [rejected, outcome.quarantined], resolver, compact)
    return CheckedSets(validated, quarantined, outcome.checks)


def _resolve_tables(validated: list[pd.DataFrame], held: list[pd.DataFrame], resolver: Any, compact: bool = False
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The validated frames stacked and resolved, and the held (quarantined) ones likewise."""
    resolved = to_canonical(resolve_exercises(_stack(validated, with_reason=False, compact=compact), resolver),
                            compact=compact)
    # Most files of a batch have nothing held: stack only the others (1,000 files).
    quarantined = concat_canonical([frame for frame in held if len(frame)], with_reason=True)
    return resolved, to_canonical(resolve_exercises(quarantined, resolver), with_reason=True)


def _resolve_all(ready: list[tuple[int, ParsedLog, ValidationOutcome]], resolver: Any, compact: bool
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[np.ndarray | str]]:
    """``resolve_checked`` for every file of a run at once (its per-file cost is paid once).

    Returns the run's validated and quarantined tables (file by file, as if each file had been
    resolved alone and the results stacked) and per file its (validated, quarantined) row
    counts, or its one-line error when the batch fails and that file's own resolution does too.
    """
    if not ready:
        return _stack([], with_reason=False, compact=compact), _stack([], with_reason=True), []
    sizes: list[np.ndarray | str]
    try:
        validated, quarantined = _resolve_tables(
            [outcome.validated for _, _, outcome in ready],
            [frame for _, log, outcome in ready for frame in (log.rejected, outcome.quarantined)], resolver, compact)
        sizes = [np.array([len(outcome.validated), len(log.rejected) + len(outcome.quarantined)])
                 for _, log, outcome in ready]
    except Exception:  # noqa: BLE001 - find the file that fails; the others go on
        results = [_guarded(log.path, "resolve", lambda log=log, outcome=outcome: resolve_checked(
            outcome, log.rejected, resolver, compact)) for _, log, outcome in ready]
        good = [r for r in results if not isinstance(r, str)]
        sizes = [r if isinstance(r, str) else np.array([len(r.validated), len(r.quarantined)]) for r in results]
        validated = _stack([r.validated for r in good], with_reason=False, compact=compact)
        quarantined = _stack([r.quarantined for r in good], with_reason=True)
    for _, log, outcome in ready:  # keep one copy of a big file's rows, not three (memory)
        log.rejected = outcome.validated = outcome.quarantined = None
    return validated, quarantined, sizes


def expand_paths(paths: Iterable[str | Path], athlete: str | None = None,
                 skipped: list[dict[str, str]] | None = None) -> list[tuple[Path, str | None, str | None]]:
    """Turn the PATH arguments into (file, athlete, error) triples (see ``identify_paths``)."""
    return identify_paths(paths, athlete, skipped)[0]


def identify_paths(paths: Iterable[str | Path], athlete: str | None = None,
                   skipped: list[dict[str, str]] | None = None
                   ) -> tuple[list[tuple[Path, str | None, str | None]], list[str]]:
    """Turn the PATH arguments into (file, athlete, error) triples plus identity warnings.

    A folder contributes its log files (suffixes in LOG_SUFFIXES, hidden files skipped) and
    the log files of its direct subfolders, named by the subfolder. Every file is named by
    `athlete` when given, else by the identity rule (``athlete_id_for``); two different
    sources that would share an id get distinct ids and a warning. Entries of a folder that
    are links resolving outside it are not read: they are appended to `skipped` as
    ``{"file", "reason"}``.
    """
    skipped = [] if skipped is None else skipped
    listed: list[tuple[Path, Path | None, str | None]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            listed.append((path, None, None))
            continue
        inside = _InsideFolder(path, skipped)
        found = [p for p in sorted(path.iterdir()) if _is_log_file(p, skipped) and inside(p)]
        for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".") and inside(p)):
            for entry in sorted(sub.iterdir()):
                if entry.is_dir() and not entry.name.startswith("."):
                    skipped.append({"file": str(entry), "reason": "a folder two levels down (not read)"})
                elif _is_log_file(entry, skipped) and inside(entry):
                    found.append(entry)
        if not found:
            listed.append((path, None, f"{path} is a folder with no log files ({', '.join(LOG_SUFFIXES)})"))
        listed += [(p, path, None) for p in found]
    return _name_athletes(listed, athlete)


class _InsideFolder:
    """Whether a folder entry stays inside the folder once links are resolved (else noted)."""

    def __init__(self, root: Path, skipped: list[dict[str, str]]) -> None:
        self.root, self.real_root, self.skipped = root, Path(os.path.realpath(root)), skipped

    def __call__(self, path: Path) -> bool:
        if Path(os.path.realpath(path)).is_relative_to(self.real_root):
            return True
        self.skipped.append({"file": str(path), "reason": f"a link that leaves {self.root}"})
        return False


def _is_log_file(path: Path, skipped: list[dict[str, str]]) -> bool:
    """Whether a folder entry is read as an export; other visible files are noted in `skipped`."""
    # Not is_file(): a FIFO or device named like an export must be reported, not passed over.
    if path.is_dir() or path.name.startswith("."):
        return False
    if path.suffix.lower() in LOG_SUFFIXES:
        return True
    skipped.append({"file": str(path), "reason": f"not a log file (reads {', '.join(LOG_SUFFIXES)})"})
    return False


def special_file_error(path: Path) -> str | None:
    """Why `path` must not be opened (a FIFO, device or socket blocks or never ends), else None.

    Only ``stat`` is called; a missing file is left to the parser's own message.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    from workout_pipeline.userfiles import file_kind

    return f"{path} is {file_kind(mode)}, not a log file; not opened"


def ingest_paths(
    paths: Iterable[str | Path],
    out_dir: str | Path | None = None,
    athlete: str | None = None,
    unit: str = "auto",
    user_aliases: str | Path | Mapping[str, str | None] | None = None,
    resolver: Any = None,
    catalog: Any = None,
) -> IngestReport:
    """Ingest exports: parse, validate (GX), resolve exercises and optionally merge into a store.

    Args:
        paths: Files and folders (see ``expand_paths``).
        out_dir: Store folder to merge into; None only returns the frames.
        athlete: Athlete id for every file (``--athlete``; default: ``athlete_id_for``). A
            canonical table whose athlete_id column names someone else is then that file's error.
        unit: ``auto``, ``kg`` or ``lb`` for files that do not state their unit.
        user_aliases: The user's exercise-name aliases (alias file path or mapping).
        resolver: A resolver to use instead of ``build_resolver(catalog, user_aliases)``.
        catalog: The configured `Catalog` names resolve against (None: the built-in one).

    Returns:
        The IngestReport. A file that cannot be read gets its ``error`` in ``per_file`` and the
        others go on; the caller decides what "nothing could be read" means.
    """
    skipped: list[dict[str, str]] = []
    items, warnings = identify_paths(paths, athlete, skipped)
    if resolver is None:
        from workout_pipeline.catalog.crosswalk import build_resolver

        resolver = build_resolver(catalog, user_aliases)
    per_file: list[dict[str, Any]] = []
    logs: list[tuple[int, ParsedLog]] = []  # (position in per_file, parsed log) of readable files
    items = [(path, athlete_id, error or special_file_error(path)) for path, athlete_id, error in items]
    parsed = iter(parse_many([(path, athlete_id, unit, bool(athlete)) for path, athlete_id, error in items
                              if error is None]))
    for path, athlete_id, error in items:
        if error is not None:
            per_file.append(_file_entry(path, athlete_id, None, error=error))
            continue
        log = next(parsed)
        if isinstance(log, str) or log.error:
            per_file.append(_file_entry(path, athlete_id, None if isinstance(log, str) else log,
                                        error=log if isinstance(log, str) else None))
            continue
        logs.append((len(per_file), log))
        per_file.append({})  # filled in below
    resolver = _BatchResolver(resolver, [log for _, log in logs])
    units = lifter_units(file_lifter_unit(log) for _, log in logs)  # before validation releases the parsed rows
    # A run with a big export holds its sets compact (categorical text) from parsing to the store.
    compact = any(isinstance(log.sets["athlete_id"].dtype, pd.CategoricalDtype) for _, log in logs)
    if compact:
        release_memory()
    outcomes = _validate_each([log for _, log in logs], compact)
    if compact:
        release_memory()
    ready: list[tuple[int, ParsedLog, ValidationOutcome]] = []
    for number, (position, log) in enumerate(logs):
        outcome, outcomes[number] = outcomes[number], None
        if isinstance(outcome, str):
            per_file[position] = _file_entry(log.path, log.athlete_id, None, error=outcome)
        else:
            ready.append((position, log, outcome))
    validated_all, quarantined_all, sizes = _resolve_all(ready, resolver, compact)
    ingested_files, file_rows = [], []
    checks: dict[str, list[dict[str, Any]]] = {}
    starts = np.zeros(2, dtype=np.int64)  # where this file's rows begin in the two tables
    for (position, log, outcome), size in zip(ready, sizes):
        path, athlete_id = log.path, log.athlete_id
        if isinstance(size, str):
            per_file[position] = _file_entry(path, athlete_id, None, error=size)
            continue
        ends = starts + size
        rows = slice(int(starts[0]), int(ends[0])), slice(int(starts[1]), int(ends[1]))
        validated, quarantined = validated_all.iloc[rows[0]], quarantined_all.iloc[rows[1]]
        starts = ends
        ingested_files.append((athlete_id, path.name))
        file_rows.append(rows)
        checks[str(path)] = outcome.checks
        per_file[position] = _file_entry(path, athlete_id, log, validated, quarantined)
    if compact:
        release_memory()
    summary = _summary(per_file, validated_all, quarantined_all)
    if skipped:
        summary["skipped"] = skipped
    summary["warnings"] = warnings + [
        f"{entry['file']}: unit {entry['unit']} is ambiguous ({entry['unit_reason']})"
        for entry in per_file if entry.get("unit_confidence") == "ambiguous"
    ] + [line for _, log, _ in ready for line in log.warnings]
    athletes = units[units["athlete_id"].isin({athlete_id for athlete_id, _ in ingested_files})].reset_index(drop=True)
    if out_dir is not None and any(entry["error"] is None for entry in per_file):
        # each file its own span; a file's rows a later file of the run restates are that file's
        spans, superseded_valid, superseded_quarantine = run_spans(validated_all, quarantined_all, file_rows)
        summary["store"] = {"out": str(out_dir), **merge_into_store(
            out_dir, validated_all[~superseded_valid] if superseded_valid.any() else validated_all,
            quarantined_all[~superseded_quarantine] if superseded_quarantine.any() else quarantined_all,
            ingested_files, athletes=athletes, spans=spans)}
    return IngestReport(summary=summary, validated=validated_all, quarantined=quarantined_all, checks=checks,
                        athletes=athletes)


def release_memory() -> None:
    """Hand memory freed by a finished stage back to the system (glibc's malloc and Arrow's
    pool keep freed pages for reuse, so each stage would start from the last one's peak).
    Measured on a 200 MB export: see docs/benchmarks.md, "ingest at scale"."""
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()  # Great Expectations' objects hold their batch's frame in reference cycles
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        pass


def file_lifter_unit(log: ParsedLog, source: str | None = None) -> dict[str, Any] | None:
    """One export's evidence for its lifter's unit: {athlete_id, unit, unit_source, unit_reason,
    latest} (None for an unreadable file or one without a unit). `source` names the file in the
    reason (default: its file name)."""
    if log.error or log.lifter_unit not in ("kg", "lb"):
        return None
    latest = log.sets["performed_at"].max() if len(log.sets) else pd.NaT
    reason = log.unit_reason or ""
    if log.lifter_unit != log.unit:
        reason = f"loads typed in {log.lifter_unit}, exported in {log.unit}: {reason}"
    return {"athlete_id": log.athlete_id, "unit": log.lifter_unit, "unit_source": log.lifter_unit_source,
            "unit_reason": f"{source or log.path.name}: {reason}",
            "latest": None if pd.isna(latest) else pd.Timestamp(latest).isoformat()}


def lifter_units(evidence: Iterable[dict[str, Any] | None]) -> pd.DataFrame:
    """The lifter's unit per athlete (the store's ``athletes`` table) from `file_lifter_unit` rows.

    Each athlete's unit is that of their export with the latest set (the unit they use now);
    a stated unit (export or ``--unit``) beats an inferred one of the same export.
    """
    rows: dict[str, tuple] = {}
    for item in evidence:
        if item is None:
            continue
        latest = pd.Timestamp.min if item.get("latest") is None else pd.Timestamp(item["latest"])
        key = (latest, item["unit_source"] != "inferred")
        current = rows.get(item["athlete_id"])
        if current is None or key >= current[0]:
            rows[item["athlete_id"]] = (key, item["unit"], item["unit_source"], item["unit_reason"])
    return to_athletes(pd.DataFrame(
        [(athlete, unit, source, reason) for athlete, (_, unit, source, reason) in sorted(rows.items())],
        columns=["athlete_id", "unit", "unit_source", "unit_reason"]))


def parse_many(jobs: list[tuple[Path, str | None, str, bool]]) -> list[ParsedLog | str]:
    """``parse_log_file`` for each (path, athlete, unit, athlete named by --athlete), guarded (an
    exception becomes the file's one-line error). Many files are parsed in worker processes, one
    per core: parsing is the per-file cost that remains once validation runs once for the whole
    batch. Workers are spawned, so a script calling this on many files needs the usual
    ``if __name__ == "__main__":`` guard (without it the pool fails and parsing stays here)."""
    workers = min(len(os.sched_getaffinity(0)), PARSE_WORKERS_MAX)
    if len(jobs) >= PARALLEL_MIN_FILES and workers > 1:
        import concurrent.futures
        import multiprocessing

        try:
            # spawn: forking a process that may hold threads (Dagster, GX) is not safe.
            with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                return list(pool.map(_parse_one, jobs, chunksize=max(1, len(jobs) // (8 * workers))))
        except (OSError, RuntimeError, concurrent.futures.process.BrokenProcessPool, AssertionError):
            pass  # no worker processes here (e.g. inside a daemon process): parse in this one
    return [_parse_one(job) for job in jobs]


def _parse_one(job: tuple[Path, str | None, str, bool]) -> ParsedLog | str:
    path, athlete_id, unit, named = job
    return _guarded(path, "parse", lambda: parse_log_file(path, athlete_id, unit=unit, compact=None, athlete_named=named))


def _guarded(path: Path, stage: str, step):
    """Run one file's step; any exception becomes that file's one-line error (the others go on).

    The message names the file, the stage and the exception type, never the file's content.
    """
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        return f"{path.name}: could not {stage} ({type(exc).__name__})"


def _validate_each(logs: list[ParsedLog], compact: bool) -> list[ValidationOutcome | str]:
    """Validate every file's sets in one GX run; if that fails, file by file (guarded)."""
    if not logs:
        return []
    options = {"compact": True} if compact else {}
    try:
        outcomes = list(validate_many([log.sets for log in logs], **options))
    except Exception:  # noqa: BLE001 - find the file that breaks validation; the others go on
        outcomes = [_guarded(log.path, "validate", lambda log=log: validate_sets(log.sets, **options)) for log in logs]
    for log in logs:
        log.sets = None  # the outcomes hold the rows now (memory: a big export is held once)
    return outcomes


class _BatchResolver:
    """Resolves the exercise names of every file of a run with one call of the real resolver
    (its per-call cost is paid once); a name it has not seen goes to the real one."""

    def __init__(self, resolver: Any, logs: list[ParsedLog]) -> None:
        self.resolver = resolver
        names: set[str] = set()
        for log in logs:
            for frame in (log.sets, log.rejected):
                names.update(str(name) for name in frame["exercise_raw"].unique() if not pd.isna(name))
        try:
            self.known = dict(resolver.resolve_many(sorted(names))) if names else {}
        except Exception:  # noqa: BLE001 - the per-file calls (guarded) will say which file fails
            self.known = {}

    def resolve_many(self, names: list[str]) -> dict[str, Any]:
        unknown = [name for name in names if name not in self.known]
        if unknown:
            self.known.update(self.resolver.resolve_many(unknown))
        return {name: self.known[name] for name in names}


def _stack(frames: list[pd.DataFrame], with_reason: bool, compact: bool = False) -> pd.DataFrame:
    """Concatenate per-file canonical frames (no copy for the common single-file run)."""
    return concat_canonical(frames, with_reason=with_reason, compact=compact)


def _file_entry(path: Path, athlete_id: str | None, log: ParsedLog | None, validated: pd.DataFrame | None = None,
                quarantined: pd.DataFrame | None = None, error: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file": str(path),
        "athlete": athlete_id,
        "format": log.format if log else None,
        "unit": log.unit if log else None,
        "unit_reason": log.unit_reason if log else None,
        "rows_in": log.rows_in if log and not log.error else 0,
        "valid": 0 if validated is None else len(validated),
        "quarantined": 0 if quarantined is None else len(quarantined),
        "non_set_rows": log.non_set_rows if log else 0,
        "error": error or (log.error if log else None),
    }
    if log is not None and log.unit:
        entry["unit_confidence"] = log.unit_confidence  # stated | override | confident | ambiguous
        entry["lifter_unit"] = log.lifter_unit  # the unit the loads were typed in
    if log is not None and log.unit_evidence:
        entry["unit_evidence"] = log.unit_evidence  # log-odds for lb per evidence item
    if log is not None and log.dropped_values:
        entry["dropped_values"] = dict(log.dropped_values)  # rows whose negative RPE/duration/distance was not stored
    if log is not None and log.expanded_sets:
        entry["expanded_sets"] = log.expanded_sets  # rows standing for several sets (Fitbod "Sets")
    if quarantined is not None and len(quarantined):
        entry["by_reason"] = {k: int(v) for k, v in quarantined["reason"].value_counts().sort_index().items()}
    return entry


def _summary(per_file: list[dict[str, Any]], validated: pd.DataFrame, quarantined: pd.DataFrame) -> dict[str, Any]:
    resolved_share, unresolved = resolution_summary(validated)
    by_reason = quarantined["reason"].value_counts().sort_index() if len(quarantined) else pd.Series(dtype=int)
    read_ok = [entry for entry in per_file if entry["error"] is None]
    expanded = sum(entry.get("expanded_sets", 0) for entry in per_file)
    summary = {
        "files": len(per_file),
        "rows_in": sum(entry["rows_in"] for entry in per_file),
        "valid": len(validated),
        "quarantined": len(quarantined),
        "non_set_rows": sum(entry["non_set_rows"] for entry in per_file),
        "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "resolved_share": round(resolved_share, 4),
        "athletes": sorted({entry["athlete"] for entry in read_ok if entry["athlete"]}),
        "per_file": per_file,
        "unresolved": [{"exercise_raw": str(name), "sets": int(count)} for name, count in unresolved.items()],
    }
    if expanded:
        # rows_in + expanded_sets == valid + quarantined + non_set_rows
        summary["expanded_sets"] = expanded
    return summary
