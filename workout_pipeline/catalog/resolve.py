"""Name resolution from what apps write to catalog ids.

PLACEHOLDER INTERFACE (the catalog work replaces the body, keeping these names):
`Resolution`, `ExerciseResolver.resolve`, `ExerciseResolver.resolve_many`, `default_resolver`.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Resolution:
    exercise_id: str | None
    confidence: float
    method: str  # alias | user_alias | exact | normalised | fuzzy | unresolved
    matched: str | None = None


class ExerciseResolver:
    def __init__(self, catalog=None, user_aliases=None):
        self.catalog = catalog
        self.user_aliases = user_aliases

    def resolve(self, name: str) -> Resolution:
        return Resolution(None, 0.0, "unresolved")

    def resolve_many(self, names: Iterable[str]) -> dict[str, Resolution]:
        return {name: self.resolve(name) for name in set(names)}


def default_resolver(user_aliases=None) -> ExerciseResolver:
    return ExerciseResolver(user_aliases=user_aliases)
