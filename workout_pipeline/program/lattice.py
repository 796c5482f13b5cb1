"""The objective's number lattice: a lower bound, and the exact-hit weeks it points to.

Why the LP bound is weak: it meets every muscle target exactly with fractional sets. Integer
programs rarely can. Write each class's weekly sets as `S_c = q*N_c + X_c` (q = min_sets,
N_c exercises, X_c >= 0 extra sets). With contributions that are multiples of 1/g
(g = 2 for the 0.5 secondary weight) and targets that are too, a program that meets every
target exactly satisfies, for each muscle m, `sum_c (g*p_cm) X_c = g*t_m (mod q)`, because the
`q*N_c` part contributes multiples of q. So the residues mod q of the classes its extra sets
fall on (a multiset, its *pattern*) sum to the targets' residue. The fewest extra sets that
can do that is a shortest path in the group Z_q^M (found by meeting in the middle over small
sums). A program that misses some target is off by at least 1/g there and pays at least
min(under, over penalty)/g. Both cases give valid lower bounds on the full model; the smaller
one bounds every program.

The patterns of a given size are few (7 of size 4 on the full free-exercise-db catalog, out of
149 residues), and listing them all turns the congruences into constraints a MILP can use:
the week-level master restricted to exact-hit weeks whose extra sets follow one of the
patterns (`workout_pipeline.program.solve`) finds the best such week, or proves there is none,
in a fraction of a second, where the plain master cannot decide it in minutes. When none
exists, every exact-hit program needs at least one more extra set: the bound rises.
"""

import itertools
from dataclasses import dataclass
from fractions import Fraction

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass

_MAX_HALF_DEPTH = 3  # sums of up to 3 generators per side: paths of up to 6 extra sets
_MAX_PREFIXES = 60_000  # pattern listing: multisets of size k-2 tried at most
_MAX_PATTERNS = 400  # more patterns than this are not listed (the MILP would grow too large)


@dataclass(frozen=True)
class ResidueLattice:
    """The congruences every exact-hit program satisfies.

    Attributes:
        scale: g, making every contribution and target an integer.
        modulus: q = min_sets.
        muscles: The targeted muscles, in the order of the residue vectors.
        goal: g*t_m mod q per muscle.
        residues: Per class, g*p_cm mod q per muscle.
    """

    scale: int
    modulus: int
    muscles: tuple[str, ...]
    goal: tuple[int, ...]
    residues: tuple[tuple[int, ...], ...]

    def generators(self) -> list[tuple[int, ...]]:
        """The distinct residues of the classes, zero included when a class has it."""
        return sorted(set(self.residues))


def _scale(values: list[float]) -> int | None:
    """Smallest g (<= 100) making every value an integer, or None."""
    g = 1
    for value in values:
        denominator = Fraction(value).limit_denominator(100).denominator
        g = g * denominator // _gcd(g, denominator)
        if g > 100:
            return None
    if any(abs(g * v - round(g * v)) > 1e-9 for v in values):
        return None
    return g


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def residue_lattice(classes: list[ExerciseClass], constraints: ProgramConstraints) -> ResidueLattice | None:
    """The congruences of the exact hit, or None when the argument does not apply (no
    targets, one-set minimums, or targets and weights off a small lattice)."""
    targets = constraints.effective_targets()
    muscles = tuple(sorted(targets))
    q = constraints.min_sets
    if not muscles or q <= 1:
        return None
    g = _scale(list(targets.values()) + [w for cls in classes for _, w in cls.contributions])
    if g is None:
        return None
    goal = tuple(round(g * targets[m]) % q for m in muscles)
    residues = tuple(tuple(round(g * dict(cls.contributions).get(m, 0.0)) % q for m in muscles) for cls in classes)
    return ResidueLattice(g, q, muscles, goal, residues)


def fewest_extra_sets(classes: list[ExerciseClass], constraints: ProgramConstraints) -> tuple[int, int] | None:
    """(fewest extra sets any exact-hit program needs, scale g), or None when not applicable.

    The first value is a lower bound: `_MAX_HALF_DEPTH * 2 + 1` when no path of up to
    `2 * _MAX_HALF_DEPTH` generators reaches the targets' residue.
    """
    import numpy as np

    lattice = residue_lattice(classes, constraints)
    if lattice is None:
        return None
    q, n_muscles = lattice.modulus, len(lattice.muscles)
    goal = np.array(lattice.goal, dtype=np.int64)
    generators = np.array([r for r in lattice.generators() if any(r)], dtype=np.int64).reshape(-1, n_muscles)
    # residue vectors as integers; object dtype keeps large q**M exact
    powers = np.array([q**i for i in range(n_muscles)], dtype=object if q**n_muscles >= 2**62 else np.int64)

    def encode(states):
        return np.unique(states.astype(powers.dtype) @ powers)

    if not goal.any():
        return 0, lattice.scale
    if len(generators) == 0:
        return 2 * _MAX_HALF_DEPTH + 1, lattice.scale
    # layers[k]: residues of sums of at most k generators (rows, and their codes); grown lazily
    layers = [np.zeros((1, n_muscles), dtype=np.int64)]
    codes = [encode(layers[0])]
    for total in range(1, 2 * _MAX_HALF_DEPTH + 1):
        a = (total + 1) // 2
        b = total - a
        while len(layers) <= a:
            grown = (layers[-1][:, None, :] + generators[None, :, :]).reshape(-1, n_muscles) % q
            grown = np.unique(np.concatenate([layers[-1], grown]), axis=0)
            layers.append(grown)
            codes.append(encode(grown))
        # goal = x + y with x in layers[a], y in layers[b]  <=>  (goal - x) mod q in layers[b]
        needed = ((goal[None, :] - layers[a]) % q).astype(powers.dtype) @ powers
        if np.isin(needed, codes[b]).any():
            return total, lattice.scale
    return 2 * _MAX_HALF_DEPTH + 1, lattice.scale


def extra_set_patterns(lattice: ResidueLattice, extra: int) -> list[dict[tuple[int, ...], int]] | None:
    """Every multiset of `extra` class residues summing to the goal (mod q).

    Each pattern maps a residue to how many extra sets fall on classes with that residue; the
    extra sets of any exact-hit program with `extra` extra sets follow one of them.

    Returns:
        The patterns (possibly none), or None when there are too many to list.
    """
    q = lattice.modulus
    gens = lattice.generators()
    goal = lattice.goal

    def minus(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
        return tuple((x - y) % q for x, y in zip(a, b))

    def counted(chosen: tuple[int, ...]) -> dict[tuple[int, ...], int]:
        pattern: dict[tuple[int, ...], int] = {}
        for index in chosen:
            pattern[gens[index]] = pattern.get(gens[index], 0) + 1
        return pattern

    if extra == 0:
        return [{}] if not any(goal) else []
    if extra == 1:
        return [counted((i,)) for i, r in enumerate(gens) if r == goal]
    # pairs by their residue sum; prefixes of extra-2 generators complete with one pair
    pairs: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for i, j in itertools.combinations_with_replacement(range(len(gens)), 2):
        total = tuple((x + y) % q for x, y in zip(gens[i], gens[j]))
        pairs.setdefault(total, []).append((i, j))
    prefix_count = _multisets(len(gens), extra - 2)
    if prefix_count > _MAX_PREFIXES:
        return None
    patterns = []
    for prefix in itertools.combinations_with_replacement(range(len(gens)), extra - 2):
        rest = goal
        for index in prefix:
            rest = minus(rest, gens[index])
        low = prefix[-1] if prefix else 0
        for i, j in pairs.get(rest, ()):
            if i >= low:  # nondecreasing indices: each multiset once
                patterns.append(counted(prefix + (i, j)))
                if len(patterns) > _MAX_PATTERNS:
                    return None
    return patterns


def _multisets(n: int, k: int) -> int:
    from math import comb

    return comb(n + k - 1, k) if k > 0 else 1


def _smooth_floor(total_sets: int, n_days: int) -> float:
    remainder = total_sets % n_days
    return 2.0 * remainder * (n_days - remainder) / n_days


def lattice_bound(classes: list[ExerciseClass], constraints: ProgramConstraints, min_extra: int | None = None) -> float | None:
    """A lower bound on the full model's optimum from the lattice argument (module docstring).

    Args:
        classes: The exercise classes.
        constraints: Validated constraints.
        min_extra: A proven minimum of extra sets for exact-hit programs, when known to be
            higher than the shortest path (all patterns of fewer extra sets shown infeasible).

    Returns:
        The bound, or None when the argument does not apply (targets or weights off a small
        lattice, no targets, one-set minimums).
    """
    c = constraints
    found = fewest_extra_sets(classes, c)
    if found is None:
        return None
    extra, g = found
    if min_extra is not None:
        extra = max(extra, min_extra)
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
