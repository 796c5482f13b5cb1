"""Whose log a file is (DESIGN.md "Identity"), shared by the CLI and the inbox.

The athlete is ``--athlete``; else the export's folder when the file has a name the app gives
every export (``strong.csv``, Hevy's ``workout_data.csv``, ``FitNotes_Export_2024_01_05.csv``);
else the file stem. Re-download suffixes (``strong (1).csv``, ``alice copy.csv``, and ``-2`` /
``_1`` where another file of the folder or an app's name is what is left) are dropped, so a
re-download is the same athlete (and the store updates its sets instead of duplicating them).
Two different sources (different folders) that would get one id get distinct ids instead,
and a warning says so. Ids are NFC-normalised, so a name spelt decomposed (as macOS writes
folder names) is the same id as the composed spelling.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

# Stems (case-folded, re-download suffix removed) that apps give every export: the file name
# then says nothing about the person, the folder does. A trailing date/time is allowed.
_APP_DEFAULT_STEM = re.compile(
    r"^(?:"
    r"strong(?:[ _-]?workouts?)?(?:[ _-]?(?:export|data|raw|log))?"
    r"|hevy(?:[ _-]?workouts?)?(?:[ _-]?(?:export|data|raw))?"
    r"|workouts?(?:[ _-]?(?:data|export|log|history|raw))?|workoutexport"
    r"|fitnotes(?:[ _-]?export)?.*|fitbod.*|jefit.*|alpha[ _-]?progression.*|boostcamp.*|gymbook.*"
    r"|export|exported[ _-]?data|data|training[ _-]?(?:log|data|history)|log|history|sets"
    r")(?:[ _-]+[\d][\d _:.-]*)?$"
)
# Always a re-download or copy: `name (1)`, `name(2)`, `name - Copy`, `name copy`, `name copy 2`.
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|\s+-\s+copy(?:\s*\(\d{1,3}\))?|\s+copy(?:\s+\d{1,3})?)$", re.IGNORECASE)
# Maybe a re-download (`name-2`, `name_1`, `name 2`): only when what is left is known.
_NUMBER_SUFFIX = re.compile(r"[-_ ]\d{1,2}$")


def is_app_default_name(stem: str) -> bool:
    """Whether a file stem is a name an app gives every export (re-download suffix ignored)."""
    return bool(_APP_DEFAULT_STEM.match(strip_copy_suffix(stem).casefold()))


def strip_copy_suffix(stem: str) -> str:
    """Drop browser/file-manager copy suffixes (`` (1)``, `` - Copy``, `` copy``), repeatedly."""
    previous = None
    while previous != stem:
        previous, stem = stem, _COPY_SUFFIX.sub("", stem).rstrip()
    return stem or previous


def base_stem(stem: str, siblings: Sequence[str] = ()) -> str:
    """The stem without re-download suffixes.

    ``-N`` / ``_N`` / `` N`` is dropped only where it is one: what is left is an app's default
    name or the stem of another file beside it (``alice.csv`` and ``alice-2.csv``).
    """
    stem = strip_copy_suffix(stem)
    numbered = _NUMBER_SUFFIX.search(stem)
    if numbered and numbered.start() > 0:
        left = stem[: numbered.start()]
        others = {strip_copy_suffix(s).casefold() for s in siblings}
        if _APP_DEFAULT_STEM.match(left.casefold()) or left.casefold() in others:
            return left
    return stem


def proposed_athlete(path: Path, siblings: Sequence[str] = (), folder: str | None = None) -> str:
    """The athlete a file would be without collisions.

    Args:
        path: The export.
        siblings: Stems of the other exports in its folder (to recognise ``-2`` re-downloads).
        folder: The folder that names it when the file name is an app default (None: the
            file's parent folder; "" for no folder, e.g. the top of an inbox).
    """
    stem = base_stem(path.stem, siblings)
    if is_app_default_name(stem):
        name = path.parent.name if folder is None else folder
        if name and name not in (".", ".."):
            stem = name
    return one_spelling(stem)


def one_spelling(name: str) -> str:
    """One spelling per visible name: macOS writes folder names decomposed (NFD), others composed."""
    return unicodedata.normalize("NFC", name)


def assign_athletes(files: Sequence[tuple[Path, str, str]]) -> tuple[list[str], list[str]]:
    """Make ids unique per source.

    Args:
        files: (path, proposed athlete id, source) per file; the source is the folder that
            holds the export (re-downloads share it) or an explicit ``--athlete`` marker.

    Returns:
        (athlete id per file, warnings). The first source (in argument order) of an id keeps
        it; later different sources get ``id-2``, ``id-3``..., each with a warning naming them.
    """
    first_source: dict[str, str] = {}
    renamed: dict[tuple[str, str], str] = {}
    taken = {proposed for _, proposed, _ in files}
    ids, warnings = [], []
    for path, proposed, source in files:
        owner = first_source.setdefault(proposed, source)
        if owner == source:
            ids.append(proposed)
            continue
        key = (proposed, source)
        if key not in renamed:
            n = 2
            while f"{proposed}-{n}" in taken:
                n += 1
            renamed[key] = f"{proposed}-{n}"
            taken.add(renamed[key])
            warnings.append(
                f"athlete id {proposed!r} is claimed by two different sources ({owner} and {source}); "
                f"{path} is ingested as {renamed[key]!r} (pass --athlete to choose)"
            )
        ids.append(renamed[key])
    return ids, warnings


def named_athlete_conflict(file_ids: Iterable[str], named: str, file_name: str) -> str | None:
    """Why a file is not read when it names its own athletes (a canonical table's ``athlete_id``
    column) and they are not the athlete the caller named (``--athlete``); None when they agree
    (NFC spellings alike) or the file names nobody.

    Neither side wins: stored under the named id, another person's sets would be merged into
    this one's history; under the file's ids, they would replace that person's stored sets
    while the run reports the named athlete. The file is refused whole, naming both.
    """
    others = sorted({one_spelling(str(i)) for i in file_ids} - {one_spelling(named)})
    if not others:
        return None
    shown = ", ".join(repr(other[:40]) for other in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return (f"{file_name}: its athlete_id column names {shown}, not {named!r} given by --athlete; not ingested "
            "(leave out --athlete to store the file under its own ids, or correct the column)")
