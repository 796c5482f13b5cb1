"""A lower bound from the objective's number lattice (a group relaxation of the exact hit).

Why the LP bound is weak: it meets every muscle target exactly with fractional sets. Integer
programs rarely can. Write each class's weekly sets as `S_c = q*N_c + X_c` (q = min_sets,
N_c exercises, X_c >= 0 extra sets). With contributions that are multiples of 1/g
(g = 2 for the 0.5 secondary weight) and targets that are too, a program that meets every
target exactly satisfies, for each muscle m, `sum_c (g*p_cm) X_c = g*t_m (mod q)`, because the
`q*N_c` part contributes multiples of q. The fewest extra sets that satisfy all these
congruences is a shortest path in the group Z_q^M (found by meeting in the middle over small
sums). A program that misses some target is off by at least 1/g there and pays at least
min(under, over penalty)/g. Both cases give valid lower bounds on the full model; the smaller
one bounds every program.
"""

from fractions import Fraction
from typing import Any

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass

_MAX_HALF_DEPTH = 3  # sums of up to 3 generators per side: paths of up to 6 extra sets


def _scale(values: list[float]) -> int | None:
    """Smallest g (<= 100) making every value an integer, or None."""
    g = 1
    for value in values:
        g = g * Fraction(value).limit_denominator(100).denominator // _gcd(g, Fraction(value).limit_denominator(100).denominator)
        if g > 100:
            return None
    if any(abs(g * v - round(g * v)) > 1e-9 for v in values):
        return None
    return g


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def fewest_extra_sets(classes: list[ExerciseClass], constraints: ProgramConstraints) -> tuple[int, int] | None:
    """(fewest extra sets any exact-hit program needs, scale g), or None when not applicable.

    The first value is a lower bound: `_MAX_HALF_DEPTH * 2 + 1` when no path of up to
    `2 * _MAX_HALF_DEPTH` generators reaches the targets' residue.
    """
    import numpy as np

    targets = constraints.effective_targets()
    muscles = sorted(targets)
    q = constraints.min_sets
    if not muscles or q <= 1:
        return None
    weights = [w for cls in classes for _, w in cls.contributions]
    g = _scale(list(targets.values()) + weights)
    if g is None:
        return None
    goal = np.array([round(g * targets[m]) % q for m in muscles], dtype=np.int64)
    generators = np.unique(
        np.array([[round(g * dict(cls.contributions).get(m, 0.0)) % q for m in muscles] for cls in classes], dtype=np.int64)
        .reshape(-1, len(muscles)),
        axis=0,
    )
    generators = generators[generators.any(axis=1)]
    powers = q ** np.arange(len(muscles), dtype=np.int64)

    def encode(states: Any) -> Any:
        return np.unique(states @ powers)

    if not goal.any():
        return 0, g
    if len(generators) == 0:
        return 2 * _MAX_HALF_DEPTH + 1, g
    # layers[k]: residues of sums of at most k generators (rows, and their codes); grown lazily
    layers = [np.zeros((1, len(muscles)), dtype=np.int64)]
    codes = [encode(layers[0])]
    for total in range(1, 2 * _MAX_HALF_DEPTH + 1):
        a = (total + 1) // 2
        b = total - a
        while len(layers) <= a:
            grown = (layers[-1][:, None, :] + generators[None, :, :]).reshape(-1, len(muscles)) % q
            grown = np.concatenate([layers[-1], grown])
            grown_codes, first = np.unique(grown @ powers, return_index=True)
            layers.append(grown[first])
            codes.append(grown_codes)
        # goal = x + y with x in layers[a], y in layers[b]  <=>  (goal - x) mod q in layers[b]
        needed = ((goal[None, :] - layers[a]) % q) @ powers
        if np.isin(needed, codes[b]).any():
            return total, g
    return 2 * _MAX_HALF_DEPTH + 1, g


def _smooth_floor(total_sets: int, n_days: int) -> float:
    remainder = total_sets % n_days
    return 2.0 * remainder * (n_days - remainder) / n_days


def lattice_bound(classes: list[ExerciseClass], constraints: ProgramConstraints) -> float | None:
    """A lower bound on the full model's optimum from the lattice argument (module docstring).

    Returns None when the argument does not apply (targets or weights off a small lattice,
    no targets, one-set minimums).
    """
    c = constraints
    found = fewest_extra_sets(classes, c)
    if found is None:
        return None
    extra, g = found
    n_days = c.training_days
    min_exercises = n_days * c.min_exercises_per_day
    cheapest = min((cls.selection_cost for cls in classes), default=0.0)
    miss_cost = min(c.under_penalty, c.over_penalty) / g

    def best(min_extra: int) -> float:
        # cost of the cheapest (exercises, extra sets) pair at or above the minimums; the
        # smoothness floor is at most smoothness_cost * n_days / 2, so a short scan suffices
        slack = c.smoothness_cost * n_days / 2
        value = float("inf")
        for n in range(min_exercises, min_exercises + 50):
            base = c.set_cost * c.min_sets * n + cheapest * n
            if base + c.set_cost * min_extra > value:
                break
            for x in range(min_extra, min_extra + 50):
                linear = base + c.set_cost * x
                if linear > value:
                    break
                total = c.min_sets * n + x
                value = min(value, linear + c.smoothness_cost * _smooth_floor(total, n_days))
                if linear - slack > value:
                    break
        return value

    return min(best(extra), best(0) + miss_cost)
