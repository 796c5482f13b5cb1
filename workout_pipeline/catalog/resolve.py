"""Name resolution: what apps and people write (`Bench Press (Barbell)`, `BB bench`,
`Supino Reto (Barra)`) → catalog exercise ids, in layers, first hit wins:

1. ``user_alias``: the user's alias file (CSV `exercise_raw,exercise_id`; an empty id keeps the
   name unresolved on purpose), from the `user_aliases` argument and `$WORKOUT_PIPELINE_ALIASES`.
2. ``exact``: the catalog's display name, ignoring case and spacing.
3. ``alias``: `data/catalog/aliases.csv`, app names the rules below do not cover.
4. ``normalised``: the same movement words and equipment as a catalog exercise after
   normalisation (`catalog.normalise`); a name without equipment takes the movement's default
   variant, its first row in the catalog (confidence 0.85 when there are several).
5. ``fuzzy``: (a) a typo match scored with rapidfuzz: every word paired with a catalog word at
   least 75% similar (OSA distance; only words the catalog never uses may be misspelt, so
   `adduction` never pairs with `abduction`) and a mean of at least `fuzzy_threshold`; then
   (b) a partial word match: the name and a catalog exercise share movement words and differ
   only by descriptive qualifiers (`paused`, `belt`, `seated`: `normalise.DESCRIPTIVE_WORDS`),
   words the catalog never uses (`Leg Press Technogym`) or, when two or more words are shared,
   muscle words (`Straight Arm Lat Pulldown`). A variant word (`front`, `incline`, `single`,
   `close`, `rope`...: `normalise.VARIANT_WORDS`) names another lift and is never dropped:
   `Front Squat (Smith Machine)` stays unresolved rather than becoming the Smith back squat.
   Both only look at exercises with the equipment the name states (so a dumbbell bench never
   becomes a barbell bench), and a tie between exercises with different primary muscles leaves
   the name unresolved.

Anything else stays unresolved (`exercise_id` None) rather than guessed.

Over 400 lines on purpose: the alias-file readers and the resolution layers share one index.
"""

import csv
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workout_pipeline.catalog.normalise import (
    MUSCLE_WORDS,
    POSTURES,
    QUALIFIERS,
    VARIANT_WORDS,
    NameNormaliser,
    ParsedName,
    has_cjk,
    read_synonyms,
    swaps_posture,
)
from workout_pipeline.errors import InputError
from workout_pipeline.paths import DATA_DIR
from workout_pipeline.userfiles import load_json, load_yaml, read_settings_text, short_repr

ALIASES_CSV = DATA_DIR / "catalog" / "aliases.csv"
SYNONYMS_CSV = DATA_DIR / "catalog" / "synonyms.csv"
DEFAULT_FUZZY_THRESHOLD = 0.85
_WORD_PAIR_MIN_SIMILARITY = 0.75
# Movements with a grip to choose: on them `hammer` is the hammer (neutral) grip. On anything else
# (`Hammer Chest Dip`, `Crunch Hammer Machine`) and on a named machine it is the Hammer Strength
# make, which says nothing about the lift.
_GRIP_MOVEMENTS = frozenset("curl press row pulldown pull chin raise extension fly pushdown pullover shrug".split())


@dataclass(frozen=True)
class Resolution:
    """How one logged name resolved.

    Attributes:
        exercise_id: The catalog id, or None when unresolved.
        confidence: 1.0 for aliases and exact names, lower for normalised and fuzzy matches.
        method: user_alias | exact | alias | normalised | fuzzy | unresolved.
        matched: The catalog name or alias it matched, if any.
    """

    exercise_id: str | None
    confidence: float
    method: str  # alias | user_alias | exact | normalised | fuzzy | unresolved
    matched: str | None = None


UNRESOLVED = Resolution(None, 0.0, "unresolved")


@dataclass(frozen=True)
class _Entry:
    exercise_id: str
    name: str
    equipment: str
    parsed: ParsedName
    primary: tuple[str, ...]


def _fold_raw(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def read_alias_file(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """Read a user alias file: `{raw name: exercise id}` (an empty id means "leave unresolved").

    The documented format is a CSV with the header `exercise_raw,exercise_id`. A `.json`,
    `.yaml` or `.yml` file holding a `{name: id}` mapping is accepted as well.

    Args:
        path: The alias file.

    Returns:
        {raw name (spacing collapsed): exercise id or None}, in file order.

    Raises:
        InputError: Missing/unreadable file (or not a regular file of at most 1 MiB: the rule of
            `userfiles.read_settings_text`), wrong layout, or one name mapped to two ids.
    """
    path = Path(path)
    text = read_settings_text(path, "alias file", encoding="utf-8-sig")
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        return _alias_mapping(text, path)
    reader = csv.DictReader(text.splitlines())
    aliases: dict[str, str | None] = {}
    try:
        if not reader.fieldnames or not {"exercise_raw", "exercise_id"} <= {(f or "").strip() for f in reader.fieldnames}:
            raise InputError(f"{path}: alias file needs a header exercise_raw,exercise_id")
        for line, row in enumerate(reader, start=2):
            row = {(key or "").strip(): value for key, value in row.items()}
            raw = " ".join((row.get("exercise_raw") or "").split())
            target = (row.get("exercise_id") or "").strip() or None
            if not raw:
                continue
            if raw in aliases and aliases[raw] != target:
                raise InputError(f"{path}:{line}: {short_repr(raw)} is mapped to both {str(aliases[raw])[:60]} "
                                 f"and {str(target)[:60]}")
            aliases[raw] = target
    except csv.Error as error:  # e.g. a field over the csv module's 128 KiB limit
        raise InputError(f"{path}: alias file is not valid CSV ({error})") from None
    return aliases


def _alias_mapping(text: str, path: Path) -> dict[str, str | None]:
    try:
        data = load_json(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except ValueError as error:  # userfiles.SettingsSyntaxError: one line
        raise InputError(f"{path}: alias file is not valid {path.suffix[1:].upper()} ({error})") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping) or not all(isinstance(v, str | type(None)) for v in data.values()):
        raise InputError(f"{path}: alias file must map exercise names to catalog ids")
    return {" ".join(str(raw).split()): (target or "").strip() or None for raw, target in data.items()}


class _CatalogIndex:
    """Everything derived from a catalog that resolution needs; built once per catalog."""

    def __init__(self, catalog, normaliser: NameNormaliser, app_aliases: Mapping[str, str | None]):
        self.normaliser = normaliser
        self.entries: list[_Entry] = [
            _Entry(e.exercise_id, e.name, e.equipment, normaliser.parse(e.name), e.primary_muscles)
            for e in catalog
        ]
        self.ids = {entry.exercise_id for entry in self.entries}
        self.by_id = {entry.exercise_id: entry for entry in self.entries}
        self.by_name = {}
        self.by_words: dict[frozenset[str], list[_Entry]] = {}
        for entry in self.entries:
            self.by_name.setdefault(_fold_raw(entry.name), entry)
            self.by_words.setdefault(entry.parsed.words, []).append(entry)
        # A movement's default variant (for names that state no equipment) is its first row.
        self.defaults = [variants[0] for variants in self.by_words.values()]
        self.vocabulary = frozenset(word for entry in self.entries for word in entry.parsed.words)
        self._meaningful_words = sorted(self.vocabulary - QUALIFIERS)
        self._ignorable: dict[str, bool] = {}
        known = {raw: target for raw, target in app_aliases.items() if target is None or target in self.ids}
        self.alias_raw, self.alias_key = _alias_tables(known, normaliser)

    def ignorable(self, word: str) -> bool:
        """Whether a word a logged name adds may be ignored: a descriptive qualifier (`paused`,
        `belt`, not a variant word such as `front` or `single`), or a word the catalog never uses
        that is not a typo of one it does (`Technogym` yes, `Inclne` no)."""
        if word not in self._ignorable:
            self._ignorable[word] = self._is_ignorable(word)
        return self._ignorable[word]

    def _is_ignorable(self, word: str) -> bool:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if word in VARIANT_WORDS:
            return False
        if word in QUALIFIERS:
            return True
        if word in self.vocabulary or has_cjk(word):
            # A Chinese/Japanese/Korean run no synonym read is as likely a qualifier
            # (`上斜` incline, `反握` reverse grip) as noise: the name stays unresolved.
            return False
        if len(word) <= 3:
            return True
        near = process.extractOne(word, self._meaningful_words, scorer=OSA.normalized_similarity, score_cutoff=0.8)
        return near is None


def _alias_tables(aliases: Mapping[str, str | None], normaliser: NameNormaliser):
    by_raw = {_fold_raw(raw): (raw, target) for raw, target in aliases.items()}
    by_key = {}
    for raw, target in aliases.items():  # later rows win, as in `by_raw`
        parsed = normaliser.parse(raw)
        if parsed.words:
            by_key[parsed.key] = (raw, target)
    return by_raw, by_key


@functools.lru_cache(maxsize=1)
def _builtin_index() -> _CatalogIndex:
    from workout_pipeline.catalog.loading import load_builtin_catalog

    normaliser = NameNormaliser(read_synonyms(SYNONYMS_CSV))
    return _CatalogIndex(load_builtin_catalog(), normaliser, read_alias_file(ALIASES_CSV))


def _word_similarity(logged: str, catalog_word: str, vocabulary: frozenset[str]) -> float:
    """Similarity of a logged word to a catalog word; only misspelt words may match inexactly.

    A logged word the catalog itself uses (`adduction`) is a real word, not a typo of a
    neighbour (`abduction`), so it must match exactly; so must short words (`row`, `up`).
    """
    from rapidfuzz.distance import OSA

    if logged == catalog_word:
        return 1.0
    if logged in vocabulary or min(len(logged), len(catalog_word)) <= 3:
        return 0.0
    return OSA.normalized_similarity(logged, catalog_word)


def _aligned_similarity(query: frozenset[str], candidate: frozenset[str], vocabulary: frozenset[str]) -> float:
    """Mean best-pair similarity over all words of both names; 0 if any word has no close partner."""
    scores = []
    for word in query:
        scores.append(max(_word_similarity(word, other, vocabulary) for other in candidate))
    for other in candidate:
        scores.append(max(_word_similarity(word, other, vocabulary) for word in query))
    if min(scores) < _WORD_PAIR_MIN_SIMILARITY:
        return 0.0
    return sum(scores) / len(scores)


class ExerciseResolver:
    """Resolves logged exercise names to catalog ids (layers in the module docstring).

    Args:
        catalog: A typed `Catalog` (see `load_catalog`), a path to one, or None for the built-in.
        user_aliases: A user alias CSV path or a {raw name: id or None} mapping; ids must be in
            the catalog (`Settings.aliases_path` is the configured file; the domain never reads
            the environment).
        fuzzy_threshold: Minimum typo-match score (0-1) for the fuzzy layer.

    Raises:
        InputError: Unreadable alias or catalog files, or alias ids not in the catalog.
    """

    def __init__(self, catalog=None, user_aliases=None, *, fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD):
        if catalog is None:
            self._index = _builtin_index()
        else:
            if isinstance(catalog, str | os.PathLike):
                from workout_pipeline.catalog.loading import load_catalog

                catalog = load_catalog(catalog)
            builtin = _builtin_index()
            self._index = _CatalogIndex(catalog, builtin.normaliser, read_alias_file(ALIASES_CSV))
        self.catalog = catalog
        self.fuzzy_threshold = fuzzy_threshold
        merged, origin = self._user_alias_sources(user_aliases)
        unknown = sorted({target for target in merged.values() if target is not None and target not in self._index.ids})
        if unknown:
            raise InputError(f"{origin}: user aliases point to ids not in the catalog: {', '.join(unknown[:8])}")
        self.user_aliases = merged
        self._user_raw, self._user_key = _alias_tables(merged, self._index.normaliser)
        self._cache: dict[str, Resolution] = {}

    @staticmethod
    def _user_alias_sources(user_aliases) -> tuple[dict[str, str | None], str]:
        merged: dict[str, str | None] = {}
        origins = []
        if isinstance(user_aliases, Mapping):
            merged.update({" ".join(str(k).split()): (v or None) for k, v in user_aliases.items()})
            origins.append("user aliases")
        elif user_aliases is not None:
            merged.update(read_alias_file(user_aliases))
            origins.append(str(user_aliases))
        return merged, " / ".join(origins) or "user aliases"

    def resolve(self, name: str) -> Resolution:
        """Resolve one logged name.

        Args:
            name: The exercise name as the app or the person wrote it.

        Returns:
            The `Resolution`; `exercise_id` None when no layer found a confident match.
        """
        if not isinstance(name, str) or not name.strip():
            return UNRESOLVED
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    @property
    def normaliser(self) -> NameNormaliser:
        """How this resolver reads names (synonyms, ignorable words)."""
        return self._index.normaliser

    def describe(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """Movement words and equipment of a logged name, pooled with those of the catalog
        exercise it resolves to (whose equipment wins); used to tell what kind of lift it is."""
        parsed = self._index.normaliser.parse(name)
        resolution = self.resolve(name)
        entry = self._index.by_id.get(resolution.exercise_id) if resolution.exercise_id else None
        if entry is None:
            return parsed.words, parsed.equipment
        return parsed.words | entry.parsed.words, frozenset([entry.equipment])

    def resolve_many(self, names: Iterable[str]) -> dict[str, Resolution]:
        """Resolve each distinct name once; returns {name: Resolution}."""
        return {name: self.resolve(name) for name in dict.fromkeys(names)}

    def _resolve(self, name: str) -> Resolution:
        index = self._index
        raw = _fold_raw(name)
        parsed = index.normaliser.parse(name)
        user_hit = self._user_raw.get(raw) or self._user_key.get(parsed.key)
        if user_hit is not None:
            matched, target = user_hit
            return Resolution(target, 1.0 if target else 0.0, "user_alias", matched)
        entry = index.by_name.get(raw)
        if entry is not None:
            return Resolution(entry.exercise_id, 1.0, "exact", entry.name)
        alias_hit = index.alias_raw.get(raw) or index.alias_key.get(parsed.key)
        if alias_hit is not None:
            matched, target = alias_hit
            return Resolution(target, 1.0 if target else 0.0, "alias", matched)
        if not parsed.words:
            return UNRESOLVED
        expanded = index.normaliser.expand(parsed)
        attempts = [parsed] if expanded is None else [parsed, expanded]
        for step in (self._exact, self._typo, self._partial):
            for attempt in attempts:
                resolution = step(attempt)
                if resolution is not None:
                    return resolution
        return UNRESOLVED

    def _candidates(self, parsed: ParsedName) -> list[_Entry]:
        if parsed.equipment:
            return [entry for entry in self._index.entries if entry.equipment in parsed.equipment]
        return self._index.defaults

    def _exact(self, parsed: ParsedName) -> Resolution | None:
        variants = self._index.by_words.get(parsed.words)
        if not variants:
            return None
        if parsed.equipment:
            variants = [entry for entry in variants if entry.equipment in parsed.equipment]
            if not variants:
                return None
            return Resolution(variants[0].exercise_id, 0.95, "normalised", variants[0].name)
        confidence = 0.95 if len({entry.equipment for entry in variants}) == 1 else 0.85
        return Resolution(variants[0].exercise_id, confidence, "normalised", variants[0].name)

    @staticmethod
    def _unambiguous(scored: list[tuple[tuple, _Entry]]) -> _Entry | None:
        """The best-scored entry, or None when an equally scored one trains other muscles."""
        if not scored:
            return None
        scored.sort(key=lambda item: item[0], reverse=True)
        best_score, best = scored[0]
        for score, entry in scored[1:]:
            if score != best_score:
                break
            if set(entry.primary) != set(best.primary):
                return None
        return best

    def _droppable(self, word: str, parsed: ParsedName, shared: frozenset[str]) -> bool:
        """Whether a word of the logged name may be missing from a catalog exercise it matches."""
        if word in MUSCLE_WORDS and len(shared) >= 2:
            return True
        if word == "hammer" and "curl" not in parsed.words:
            return "machine" in parsed.equipment or not parsed.words & _GRIP_MOVEMENTS
        return self._index.ignorable(word)

    def _partial(self, parsed: ParsedName) -> Resolution | None:
        """A catalog exercise that shares movement words with the name and differs only by words
        that do not change the lift (never a variant word such as `front`, `incline`, `single`)."""
        query = parsed.words
        scored = []
        for entry in self._candidates(parsed):
            words = entry.parsed.words
            shared = query & words
            if not shared:
                continue
            if not all(self._droppable(word, parsed, shared) for word in query - words):
                continue
            # Unknown words must be fewer than the shared ones (`Zorblax Widget Press` is no press).
            if len(query - words - QUALIFIERS) >= len(shared):
                continue
            if not all(
                # a posture the logged name left out (`Dip Machine` -> seated dip), never swapped
                (word in POSTURES and not swaps_posture(query, frozenset({word})))
                or (word in MUSCLE_WORDS and len(shared) >= 2)
                for word in words - query
            ):
                continue
            scored.append(((len(shared), -len(query ^ words)), entry))
        best = self._unambiguous(scored)
        if best is None:
            return None
        shared = len(query & best.parsed.words)
        confidence = round(0.6 + 0.3 * shared / len(query | best.parsed.words), 3)
        return Resolution(best.exercise_id, confidence, "fuzzy", best.name)

    def _typo(self, parsed: ParsedName) -> Resolution | None:
        from rapidfuzz import fuzz, process

        candidates = self._candidates(parsed)
        hits = process.extract(
            parsed.movement,
            [entry.parsed.movement for entry in candidates],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=70,
            limit=8,
        )
        scored = []
        for _, _, position in hits:
            entry = candidates[position]
            similarity = _aligned_similarity(parsed.words, entry.parsed.words, self._index.vocabulary)
            if similarity >= self.fuzzy_threshold:
                scored.append(((round(similarity, 6),), entry))
        best = self._unambiguous(scored)
        if best is None:
            return None
        return Resolution(best.exercise_id, round(scored[0][0][0], 3), "fuzzy", best.name)


@functools.lru_cache(maxsize=1)
def _plain_default_resolver() -> ExerciseResolver:
    return ExerciseResolver()


def default_resolver(user_aliases=None) -> ExerciseResolver:
    """The resolver over the built-in catalog (cached; loading takes well under a second).

    Args:
        user_aliases: Optional user alias CSV path or mapping (see `ExerciseResolver`).

    Returns:
        An `ExerciseResolver`; the same instance on each call when no user aliases apply.
    """
    if user_aliases is None:
        return _plain_default_resolver()
    return ExerciseResolver(user_aliases=user_aliases)
