"""Name resolution against the catalog the user configured, not only the built-in one.

The built-in resolver (`catalog.resolve`) knows how apps name their lifts (aliases, languages,
abbreviations), but only for built-in ids. For another catalog (free-exercise-db, the user's own
file) a logged name is resolved in two ways, first hit wins:

1. ``crosswalk``: resolve with the built-in resolver, then map that built-in exercise to the
   configured catalog's closest exercise that is the same lift: a shared primary muscle, the
   same variant words (`front`, `incline`, `single`...) and movement words, its equipment first,
   then the most similar words (`match_exercise`); none when the catalog lacks the lift.
2. ``direct``: the resolver's layers run on the configured catalog's own names (a loose match
   there may not contradict the built-in reading of the name either).

`build_resolver(catalog, user_aliases)` picks the plain built-in resolver when the catalog is the
built-in one, so both paths (CLI and assets) resolve the same way for the same catalog.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace

from workout_pipeline.catalog.records import Catalog, Exercise

# Words that name the ordinary version of a lift: ignored when comparing names.
_NEUTRAL_WORDS = frozenset({"grip", "medium", "regular", "standard", "the", "with", "of", "a", "to", "over"})
# Least weighted word overlap for a crosswalk match (see `_overlap`).
MIN_OVERLAP = 0.45
# Descriptive words (seated, alternating, isolateral) weigh less than movement words: they say
# how, not what.
DESCRIPTIVE_WORD_WEIGHT = 0.5
# Catalogs file a lat pulldown as cable or machine, a trap bar as barbell or other: equipment in one
# group is similar. Equipment ranks before word overlap (`_equipment_rank`): the best candidate
# with the exercise's own equipment wins over a closer name with other equipment (a cable fly is
# not the pec deck), then one of the same group, then any other.
_EQUIPMENT_GROUPS = ({"cable", "machine", "smith_machine"}, {"barbell", "ez_bar"}, {"dumbbell", "kettlebell"},
                     {"bodyweight", "other"})
# The reported match score (it scales the resolution's confidence) counts other equipment less.
SIMILAR_EQUIPMENT_FACTOR = 0.9
OTHER_EQUIPMENT_FACTOR = 0.75
_RANK_FACTOR = {3: 1.0, 2: 1.0, 1: SIMILAR_EQUIPMENT_FACTOR, 0: OTHER_EQUIPMENT_FACTOR}


# A bodyweight lift against one with external load: a bodyweight glute bridge is never the
# barbell one, whatever the words say. `other` (free-exercise-db's "none", medicine balls...) may
# be either; bands keep their closest cable or free-weight counterpart.
_UNLOADED = frozenset({"bodyweight"})
_LOADED = frozenset({"barbell", "ez_bar", "smith_machine", "dumbbell", "kettlebell", "cable", "machine", "plate"})


def _crosses_load(one: str, other: str) -> bool:
    return (one in _UNLOADED and other in _LOADED) or (one in _LOADED and other in _UNLOADED)


def _equipment_rank(one: str, other: str) -> int:
    """3 for the same equipment (bodyweight and other count as one: free-exercise-db files many
    bodyweight lifts under other, "none"); 2 for dumbbell and kettlebell (one bell in the hand,
    loaded alike); 1 for the same group; 0 otherwise."""
    if one == other or {one, other} == {"bodyweight", "other"}:
        return 3
    if {one, other} == {"dumbbell", "kettlebell"}:
        return 2
    return 1 if any(one in group and other in group for group in _EQUIPMENT_GROUPS) else 0


def _core(words: frozenset[str]) -> frozenset[str]:
    """The words that name the movement: no variant, descriptive, muscle or neutral words."""
    from workout_pipeline.catalog.normalise import DESCRIPTIVE_WORDS, MUSCLE_WORDS, VARIANT_WORDS

    return words - VARIANT_WORDS - DESCRIPTIVE_WORDS - MUSCLE_WORDS - _NEUTRAL_WORDS


def _kind_class(kind: str) -> str:
    """Stretching apart from the rest: catalogs file jump squats and battle ropes as strength,
    cardio or plyometrics alike, but a stretch is never a lift."""
    return "stretching" if kind == "stretching" else "work"


def _overlap(words: frozenset[str], other: frozenset[str], descriptive: frozenset[str], muscles: frozenset[str]) -> float:
    """Weighted Jaccard overlap of two names' movement words.

    Neutral words (grip, medium) weigh 0, descriptive ones (seated, paused) DESCRIPTIVE_WORD_WEIGHT,
    the rest 1; a muscle word counts only when both names have it (names often leave it out:
    `Barbell Curl` is the barbell bicep curl, `Dips - Chest Version` the chest dip). Variant words
    (front, incline, single...) are compared apart, as a set that must be equal (see
    `CrosswalkResolver._closest`).
    """

    def weight(word: str) -> float:
        if word in _NEUTRAL_WORDS or (word in muscles and not (word in words and word in other)):
            return 0.0
        return DESCRIPTIVE_WORD_WEIGHT if word in descriptive else 1.0

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
        self._builtin_words = frozenset(w for e in self._builtin for w in self._normaliser.parse(e.name).words)
        self._cache: dict[str, object] = {}
        self._matches: dict[str, tuple[str | None, float]] = {}
        self._reads: dict[str, frozenset[str] | None] = {}

    def match_exercise(self, builtin_id: str) -> tuple[str | None, float]:
        """The configured catalog's closest exercise to a built-in one, with its overlap score
        (after the equipment factor), or (None, 0.0) when it has no such lift."""
        if builtin_id not in self._matches:
            self._matches[builtin_id] = self._closest(builtin_id)
        return self._matches[builtin_id]

    def _closest(self, builtin_id: str) -> tuple[str | None, float]:
        """The configured catalog's exercise for a built-in one, or None when it has none.

        A candidate trains a primary muscle of the exercise, is the same movement (it has all the
        exercise's movement words, or the built-in resolver reads it as this movement: no word
        that names the lift is dropped, so a pistol squat is no bodyweight squat and a goblet
        squat no dumbbell squat), does not contradict it (`_contradicts`) and has a word overlap
        of at least MIN_OVERLAP after the equipment factor. The best one has the exercise's
        equipment (same, equivalent, same group, other: a cable fly is not the pec deck, a barbell
        curl not the machine curl), then the larger overlap, then the shorter name.
        """
        from workout_pipeline.catalog.normalise import DESCRIPTIVE_WORDS, MUSCLE_WORDS, VARIANT_WORDS

        if builtin_id in self.catalog:
            return builtin_id, 1.0
        source: Exercise = self._builtin[builtin_id]
        words = self._normaliser.parse(source.name).words
        variants = words & VARIANT_WORDS
        movement = _core(words)
        best: tuple[int, float, int, str] | None = None
        for candidate in self.catalog:
            if not set(candidate.primary_muscles) & set(source.primary_muscles):
                continue
            other = self._parsed[candidate.exercise_id]
            score = _overlap(words - variants, other - variants, DESCRIPTIVE_WORDS, MUSCLE_WORDS)
            rank = _equipment_rank(source.equipment, candidate.equipment)
            if score * _RANK_FACTOR[rank] < MIN_OVERLAP or self._contradicts(source, words, candidate):
                continue
            if not (movement <= other or _core(self._reading(candidate) or frozenset({""})) == movement):
                continue
            key = (rank, score, -len(candidate.name), candidate.exercise_id)
            if best is None or key[:3] > best[:3]:
                best = key
        return (best[3], round(best[1] * _RANK_FACTOR[best[0]], 3)) if best else (None, 0.0)

    def _contradicts(self, source: Exercise, words: frozenset[str], candidate: Exercise) -> bool:
        """Whether a configured-catalog exercise is another lift than a built-in one: other variant
        words (`front`, `incline`, `single`, `close`...: a front squat is no back squat, a single-leg
        press no single-leg extension), a seated lift for a standing one, a bodyweight lift for a
        loaded one, a stretch for a lift, or a name the built-in resolver reads as a built-in
        movement with a word the exercise lacks (`Weighted Bench Dip` is no weighted chest dip);
        nor may the candidate's name add a word that names lifts in the built-in catalog
        (`Zottman Preacher Curl` is no preacher curl; unknown words such as `version` may stay)."""
        from workout_pipeline.catalog.normalise import VARIANT_WORDS, swaps_posture

        other = self._parsed[candidate.exercise_id]
        return (other & VARIANT_WORDS != words & VARIANT_WORDS
                or bool(_core(other - words) & self._builtin_words)
                or _kind_class(candidate.kind) != _kind_class(source.kind)
                or swaps_posture(words, other)
                or _crosses_load(source.equipment, candidate.equipment)
                or not _core(self._reading(candidate) or frozenset()) <= words)

    def _reading(self, candidate: Exercise) -> frozenset[str] | None:
        """The movement words of the built-in exercise the built-in resolver reads the
        candidate's name as (None when it reads none). A name it cannot read is read again
        without its variant words: `Weighted Bench Dip` is a `Bench Dip`."""
        from workout_pipeline.catalog.normalise import VARIANT_WORDS
        from workout_pipeline.catalog.resolve import default_resolver

        if candidate.exercise_id not in self._reads:
            resolver = default_resolver()
            resolved = resolver.resolve(candidate.name).exercise_id
            parsed = self._normaliser.parse(candidate.name)
            if resolved is None and parsed.words & VARIANT_WORDS:
                rest = sorted(parsed.words - VARIANT_WORDS) + sorted(parsed.equipment)
                resolved = resolver.resolve(" ".join(rest)).exercise_id
            self._reads[candidate.exercise_id] = (
                None if resolved is None else self._normaliser.parse(self._builtin[resolved].name).words)
        return self._reads[candidate.exercise_id]

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
            if (via.exercise_id is not None and resolution.exercise_id is not None
                    and resolution.method not in ("exact", "alias", "user_alias")):
                # A looser direct match may not contradict what the built-in reading says
                # (`Glute Bridge` is the bodyweight one: not free-exercise-db's barbell bridge).
                from workout_pipeline.catalog.resolve import UNRESOLVED

                source = self._builtin[via.exercise_id]
                words = self._normaliser.parse(source.name).words
                if self._contradicts(source, words, self.catalog[resolution.exercise_id]):
                    resolution = UNRESOLVED
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
