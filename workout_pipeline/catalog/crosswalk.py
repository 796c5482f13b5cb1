"""Name resolution against the catalog the user configured, not only the built-in one.

The built-in resolver (`catalog.resolve`) knows how apps name their lifts (aliases, languages,
abbreviations), but only for built-in ids. For another catalog (free-exercise-db, the user's own
file) a logged name is resolved in two ways, first hit wins:

1. ``crosswalk``: resolve with the built-in resolver, then map that built-in exercise to the
   configured catalog's closest exercise: a shared primary muscle, the most similar movement
   words, the same equipment preferred (`match_exercise`).
2. ``direct``: the resolver's layers run on the configured catalog's own names.

`build_resolver(catalog, user_aliases)` picks the plain built-in resolver when the catalog is the
built-in one, so both paths (CLI and assets) resolve the same way for the same catalog.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace

from workout_pipeline.catalog.records import Catalog, Exercise

# Words that name the ordinary version of a lift: ignored when comparing names.
_NEUTRAL_WORDS = frozenset({"grip", "medium", "regular", "standard", "the", "with", "of", "a", "to"})
# Least weighted word overlap for a crosswalk match (see `_overlap`).
MIN_OVERLAP = 0.45
# A candidate with other equipment counts less: a little for another stack or machine (catalogs
# file a lat pulldown as cable or machine), more for anything else.
SIMILAR_EQUIPMENT_FACTOR = 0.9
OTHER_EQUIPMENT_FACTOR = 0.75
_EQUIPMENT_GROUPS = ({"cable", "machine", "smith_machine"}, {"barbell", "ez_bar"}, {"dumbbell", "kettlebell"},
                     {"bodyweight", "other"})


def _equipment_factor(one: str, other: str) -> float:
    if one == other:
        return 1.0
    if any(one in group and other in group for group in _EQUIPMENT_GROUPS):
        return SIMILAR_EQUIPMENT_FACTOR
    return OTHER_EQUIPMENT_FACTOR


def _overlap(words: frozenset[str], other: frozenset[str], qualifiers: frozenset[str]) -> float:
    """Weighted Jaccard overlap of two names' movement words.

    Qualifiers (incline, close, one, ...) weigh 2, since they change the lift; neutral words
    (grip, medium) weigh 0; the rest 1.
    """

    def weight(word: str) -> float:
        if word in _NEUTRAL_WORDS:
            return 0.0
        return 2.0 if word in qualifiers else 1.0

    union = sum(weight(w) for w in words | other)
    if union == 0:
        return 0.0
    return sum(weight(w) for w in words & other) / union


class CrosswalkResolver:
    """Resolves logged names to ids of a configured (non built-in) catalog.

    Args:
        catalog: The configured catalog.
        user_aliases: The user's alias file or mapping (ids in the configured catalog are
            honoured by the direct layer; built-in ids by the crosswalk).
    """

    def __init__(self, catalog: Catalog, user_aliases=None):
        from workout_pipeline.catalog.loading import load_builtin_catalog
        from workout_pipeline.catalog.resolve import ExerciseResolver

        self.catalog = catalog
        self._builtin = load_builtin_catalog()
        _check_alias_targets(user_aliases, (catalog, self._builtin))
        self._via_builtin = ExerciseResolver(user_aliases=_aliases_in(user_aliases, self._builtin))
        self._direct = ExerciseResolver(catalog, user_aliases=_aliases_in(user_aliases, catalog))
        self._normaliser = self._direct.normaliser
        self._parsed = {e.exercise_id: self._normaliser.parse(e.name).words for e in catalog}
        self._cache: dict[str, object] = {}
        self._matches: dict[str, tuple[str | None, float]] = {}

    def match_exercise(self, builtin_id: str) -> tuple[str | None, float]:
        """The configured catalog's closest exercise to a built-in one, with its overlap score."""
        if builtin_id not in self._matches:
            self._matches[builtin_id] = self._closest(builtin_id)
        return self._matches[builtin_id]

    def _closest(self, builtin_id: str) -> tuple[str | None, float]:
        from workout_pipeline.catalog.resolve import QUALIFIERS

        if builtin_id in self.catalog:
            return builtin_id, 1.0
        source: Exercise = self._builtin[builtin_id]
        words = self._normaliser.parse(source.name).words
        best: tuple[float, int, str] | None = None
        for candidate in self.catalog:
            if not set(candidate.primary_muscles) & set(source.primary_muscles):
                continue
            score = _overlap(words, self._parsed[candidate.exercise_id], QUALIFIERS)
            score *= _equipment_factor(source.equipment, candidate.equipment)
            key = (score, -len(candidate.name), candidate.exercise_id)
            if score >= MIN_OVERLAP and (best is None or key[:2] > best[:2]):
                best = key
        return (best[2], best[0]) if best else (None, 0.0)

    def resolve(self, name: str):
        """The `Resolution` of one logged name (see the module docstring)."""
        if name in self._cache:
            return self._cache[name]
        via = self._via_builtin.resolve(name)
        resolution = None
        if via.exercise_id is not None:
            target, score = self.match_exercise(via.exercise_id)
            if target is not None:
                resolution = replace(via, exercise_id=target, confidence=round(via.confidence * score, 3),
                                     method=f"crosswalk:{via.method}", matched=self.catalog[target].name)
        if resolution is None:
            resolution = self._direct.resolve(name)
        self._cache[name] = resolution
        return resolution

    def resolve_many(self, names: Iterable[str]) -> dict:
        """Resolve each distinct name once; returns {name: Resolution}."""
        return {name: self.resolve(name) for name in dict.fromkeys(names)}


def _aliases_in(user_aliases, catalog: Catalog):
    """The part of a user alias table whose targets are ids of `catalog` (or None)."""
    if user_aliases is None:
        return None
    from workout_pipeline.catalog.resolve import read_alias_file

    table = user_aliases if isinstance(user_aliases, Mapping) else read_alias_file(user_aliases)
    return {raw: target for raw, target in table.items() if target is None or target in catalog}


def _check_alias_targets(user_aliases, catalogs: Iterable[Catalog]) -> None:
    """An alias pointing to an id in none of the catalogs is a user error, not a silent miss."""
    if user_aliases is None:
        return
    from workout_pipeline.catalog.resolve import read_alias_file
    from workout_pipeline.errors import InputError

    table = user_aliases if isinstance(user_aliases, Mapping) else read_alias_file(user_aliases)
    catalogs = list(catalogs)
    unknown = sorted({t for t in table.values() if t is not None and not any(t in c for c in catalogs)})
    if unknown:
        raise InputError(f"user aliases point to ids in no catalog: {', '.join(unknown[:8])}")


def build_resolver(catalog: Catalog | None = None, user_aliases=None):
    """The resolver for the catalog in use: the built-in resolver for the built-in catalog,
    else a `CrosswalkResolver` over the configured one."""
    from workout_pipeline.catalog.loading import load_builtin_catalog
    from workout_pipeline.catalog.resolve import default_resolver

    if catalog is None or catalog is load_builtin_catalog():
        return default_resolver(user_aliases)
    return CrosswalkResolver(catalog, user_aliases)
