"""Exercise-name normalisation: turn what an app or a person wrote into movement words + equipment.

`Bench Press (Barbell)`, `Barbell Bench Press`, `BB bench press` and `Supino Reto (Barra)` all
become the movement words {bench, press} with equipment {barbell}. Steps:

1. Unicode folding: accents dropped, `ß` → `ss`, case folded, apostrophes removed, any other
   punctuation (parentheses, hyphens, slashes) becomes a space.
2. Each word is made singular (`curls` → `curl`, `crunches` → `crunch`, `calves` → `calf`).
3. Phrase synonyms from `data/catalog/synonyms.csv` (abbreviations such as DB/BB/OHP/RDL,
   spelling variants, localised names and equipment words) are replaced, longest first.
4. Equipment words are taken out into the equipment set; stop words, numbers and set schemes
   (`45`, `5x5`) are dropped.
5. Steps 3-4 repeat once on what is left (so an equipment word between two words of a phrase,
   as in `Rear Delt Dumbbell Raise`, does not hide the phrase).
6. Separately, `expand` applies "whole-name" synonyms (`curl` alone means `bicep curl`) when
   nothing but qualifiers is left besides them; the resolver uses it as a second try.

The movement words are compared as a set, so word order does not matter.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workout_pipeline.errors import InputError

# Equipment words (after synonyms) → the catalog equipment vocabulary.
EQUIPMENT_WORDS: dict[str, str] = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "cable": "cable",
    "machine": "machine",
    "smith": "smith_machine",
    "band": "band",
    "kettlebell": "kettlebell",
    "ezbar": "ez_bar",
    "plate": "plate",
    "bodyweight": "bodyweight",
}

# Words that carry no meaning for matching (English, German, Portuguese, Spanish, French, Italian,
# Turkish, Russian).
STOP_WORDS: frozenset[str] = frozenset(
    "the a an on with of in for to at flat "
    "de da do das dos com em e na no "
    "mit am im auf zur zum der die und "
    "con en la el los las al del y "
    "le du des au avec et "
    "di il lo alla al ai col "
    "ile ve "
    "с со на в во для и к по от из у".split()
)

# Qualifiers that name a different lift: a front squat is not a back squat, an incline press not
# a flat one, a single-arm press not a barbell press, a close-grip, reverse-grip (underhand),
# overhand, neutral/hammer-grip or rope variant not the ordinary one, an assisted or weighted
# pull-up not the bodyweight one (its logged weight means something else), a high row not a row.
# A name keeps them: it matches only a catalog exercise that has them too, or stays unresolved.
# (`reverse`, `lying`, `calf`... are plain movement words, never dropped either; `one arm`,
# `one leg`, `unilateral` become `single arm` / `single leg` through synonyms.)
VARIANT_WORDS: frozenset[str] = frozenset(
    "close narrow neutral supinated pronated underhand overhand single one front incline decline "
    "assisted weighted rope hammer high".split()
)

# Words that only say how a set was done, or on which make of machine: the lift is the same, so
# a name may add or omit them (`Bench Press - Paused`, `Squat (belt)`, `Tempo Squat`, `Deficit
# Romanian Deadlift`, `Alternating Dumbbell Curl`, `Seated Shoulder Press (Machine)`; a wide grip
# is the usual one on pulldowns, pull-ups and rows, so `wide` is one too). Where the
# catalog has an exercise that keeps the word (`Pause Squat`, `Deficit Deadlift`), it is preferred.
# `seated` and `standing` may be dropped but never swapped for each other (calf raises):
# `swaps_posture`.
DESCRIPTIVE_WORDS: frozenset[str] = frozenset(
    "medium grip wide arm alternating seated standing isolateral pause paused tempo deficit heavy light "
    "bar v strict horizontal vertical low plateloaded straight conventional "
    "belt beltless chain strap sleeve wrap".split()
)
POSTURES: frozenset[str] = frozenset({"seated", "standing"})


def swaps_posture(words: frozenset[str], other: frozenset[str]) -> bool:
    """Whether one name is seated and the other standing (calf raises, curls, presses): a name
    may leave its posture out, never swap it. The one rule for the resolver, the whole-name
    synonyms and the crosswalk."""
    return ("seated" in words and "standing" in other) or ("standing" in words and "seated" in other)


# Grip, stance and side words (both kinds above): a whole-name synonym may be applied under them.
QUALIFIERS: frozenset[str] = VARIANT_WORDS | DESCRIPTIVE_WORDS

# Muscle words an app may leave out of a name (`Rope Pushdown` is the triceps rope pushdown).
# Not `calf`: a calf raise is a lift of its own (`Single Leg Calf Raise` is no leg raise).
MUSCLE_WORDS: frozenset[str] = frozenset(
    "chest pec tricep bicep lat delt glute quad hamstring ab oblique trap shoulder".split()
)

_SINGULAR_EXCEPTIONS: dict[str, str] = {
    "calves": "calf",
    "flies": "fly",
    "flyes": "fly",
    "flye": "fly",
    "ups": "up",
    "abs": "ab",
    "triceps": "tricep",
    "biceps": "bicep",
    "quads": "quad",
    "series": "series",
    # Four-letter plurals (other four-letter words ending in s, like a misspelt `pres`, stay).
    "dips": "dip",
    "lats": "lat",
    "rows": "row",
    "legs": "leg",
    "arms": "arm",
    "hips": "hip",
    "toes": "toe",
    "pecs": "pec",
    "bars": "bar",
    }
_KEEP_ENDINGS = ("ss", "us", "is")
# Letters Unicode decomposition leaves alone (Turkish dotless i, Nordic, Polish, ligatures).
_LETTER_FOLDS = str.maketrans({"ß": "ss", "ẞ": "ss", "ı": "i", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae",
                               "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th"})
_ES_PLURAL_ENDINGS = ("ches", "shes", "sses", "xes")
# Numbers and set schemes in a name (`Leg Press 45°`, `Squat 5x5`, `Incline 30`) name no movement.
_SCHEME = re.compile(r"^\d+(?:x\d+)*$")
# Word characters kept: Latin (after folding), Greek and Cyrillic, kana, CJK and Hangul.
_NON_WORD = re.compile(r"[^0-9a-z\u03b1-\u03c9\u0430-\u044f\u0451\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def has_cjk(text: str) -> bool:
    """Whether the text has Chinese, Japanese or Korean characters."""
    return _CJK.search(text) is not None


def _singular(word: str) -> str:
    if word in _SINGULAR_EXCEPTIONS:
        return _SINGULAR_EXCEPTIONS[word]
    if len(word) > 4 and word.endswith(_ES_PLURAL_ENDINGS):
        return word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith(_KEEP_ENDINGS):
        return word[:-1]
    return word


def fold(text: str) -> str:
    """Case-, accent- and punctuation-folded text with singular words, single-spaced."""
    text = unicodedata.normalize("NFKD", str(text).translate(_LETTER_FOLDS))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = re.sub(r"['’`´]", "", text)
    return " ".join(_singular(word) for word in _NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class ParsedName:
    """A name reduced to its movement words and the equipment it names.

    Attributes:
        words: Movement words (a set: order does not matter).
        equipment: Catalog equipment values named in it (empty when it names none).
    """

    words: frozenset[str]
    equipment: frozenset[str]

    @property
    def key(self) -> str:
        """A stable lookup key: sorted words, then sorted equipment."""
        return " ".join(sorted(self.words)) + "|" + ",".join(sorted(self.equipment))

    @property
    def movement(self) -> str:
        """The movement words sorted and joined (what fuzzy matching compares)."""
        return " ".join(sorted(self.words))


class NameNormaliser:
    """Parses exercise names with a table of phrase synonyms.

    Args:
        synonyms: Rows of (phrase, replacement, scope) where scope is ``phrase`` (replace the
            phrase anywhere) or ``whole`` (replace only when it is the whole movement apart
            from qualifiers). Phrases and replacements are folded like names.
    """

    def __init__(self, synonyms: Iterable[tuple[str, str, str]]):
        phrases: dict[str, str] = {}
        cjk_phrases: dict[str, str] = {}
        self._whole: dict[frozenset[str], str] = {}
        for phrase, replacement, scope in synonyms:
            folded_phrase, folded_replacement = fold(phrase), fold(replacement)
            if not folded_phrase:
                continue
            if scope == "whole":
                self._whole[frozenset(folded_phrase.split())] = folded_replacement
            elif _CJK.search(folded_phrase):
                cjk_phrases[folded_phrase.replace(" ", "")] = folded_replacement
            else:
                phrases[folded_phrase] = folded_replacement
        self._phrases = phrases
        self._cjk_phrases = dict(sorted(cjk_phrases.items(), key=lambda item: -len(item[0])))
        ordered = sorted(phrases, key=lambda phrase: (-len(phrase.split()), -len(phrase)))
        self._phrase_pattern = (
            re.compile(r"(?<!\S)(" + "|".join(re.escape(p) for p in ordered) + r")(?!\S)") if ordered else None
        )

    def _apply_phrases(self, text: str) -> str:
        for phrase, replacement in self._cjk_phrases.items():
            if phrase in text:
                text = text.replace(phrase, f" {replacement} ")
        if self._phrase_pattern is not None:
            text = self._phrase_pattern.sub(lambda match: self._phrases[match.group(1)], text)
        return " ".join(text.split())

    @staticmethod
    def _split_equipment(text: str, equipment: set[str]) -> list[str]:
        words = []
        for word in text.split():
            if word in EQUIPMENT_WORDS:
                equipment.add(EQUIPMENT_WORDS[word])
            elif word not in STOP_WORDS and not _SCHEME.match(word):
                words.append(word)
        return words

    def parse(self, name: str) -> ParsedName:
        """Reduce a name to movement words and equipment (steps 1-4 of the module docstring)."""
        equipment: set[str] = set()
        words = self._split_equipment(self._apply_phrases(fold(name)), equipment)
        words = self._split_equipment(self._apply_phrases(" ".join(words)), equipment)
        return ParsedName(frozenset(words), frozenset(equipment))

    def expand(self, parsed: ParsedName) -> ParsedName | None:
        """Apply a whole-name synonym (`curl` alone → `bicep curl`), or None when none applies.

        The whole word set is tried first, then the words without qualifiers (which are kept),
        so `One Arm Row` becomes `bent over single arm row`. The resolver tries this only after
        the name as written found no exact match, so `Seated Row` stays the seated row.
        """
        equipment = set(parsed.equipment)
        if parsed.words in self._whole:
            words = self._split_equipment(self._whole[parsed.words], equipment)
            return ParsedName(frozenset(words), frozenset(equipment))
        core = frozenset(word for word in parsed.words if word not in QUALIFIERS)
        if core != parsed.words and core in self._whole:
            words = frozenset(self._split_equipment(self._whole[core], equipment))
            if swaps_posture(parsed.words, words):
                return None  # `Seated Calf Raise` is not made the standing one
            return ParsedName(words | (parsed.words - core), frozenset(equipment))
        return None


def read_synonyms(path: Path) -> list[tuple[str, str, str]]:
    """Read `synonyms.csv` (columns phrase, replacement, scope[, language]).

    Raises:
        InputError: The file lacks the columns or has an unknown scope.
    """
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"phrase", "replacement"} <= set(reader.fieldnames):
            raise InputError(f"{path}: synonyms file needs columns phrase,replacement")
        for line, row in enumerate(reader, start=2):
            scope = (row.get("scope") or "phrase").strip() or "phrase"
            if scope not in ("phrase", "whole"):
                raise InputError(f"{path}:{line}: scope must be phrase or whole, got {scope!r}")
            rows.append(((row["phrase"] or "").strip(), (row["replacement"] or "").strip(), scope))
    return rows
