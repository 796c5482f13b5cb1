# Over 400 lines: the residue lattice, its shortest paths, pattern listing and the floors (exact and miss) read the same sums.
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
patterns (`workout_pipeline.program.stages`) finds the best such week, or proves there is none,
in a fraction of a second, where the plain master cannot decide it in minutes. When none
exists, every exact-hit program needs at least one more extra set: the bound rises.
"""

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from workout_pipeline.program.constraints import ProgramConstraints
from workout_pipeline.program.exercises import ExerciseClass

_BASE_HALF_DEPTH = 3  # sums of up to 3 generators per side: paths of up to 6 extra sets ...
_MAX_HALF_DEPTH = 4  # ... and of 4 (paths of 8) while a layer has at most _MAX_LAYER_ROWS candidate rows
_MAX_LAYER_ROWS = 3_000_000
_MAX_MISS_GOALS = 500  # deviation patterns whose fewest extra sets the miss floor looks up
_MAX_HALF_LISTS = 2_000_000  # pattern listing: multisets per half at most
_MAX_PATTERNS = 2000  # more patterns than this are not listed (the MILP would grow too large)


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


def integer_scale(values: list[float]) -> int | None:
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
    g = integer_scale(list(targets.values()) + [w for cls in classes for _, w in cls.contributions])
    if g is None:
        return None
    goal = tuple(round(g * targets[m]) % q for m in muscles)
    residues = tuple(tuple(round(g * dict(cls.contributions).get(m, 0.0)) % q for m in muscles) for cls in classes)
    return ResidueLattice(g, q, muscles, goal, residues)


def _powers(lattice: ResidueLattice):
    """Weights turning a residue vector into one integer, or None when they would overflow."""
    import numpy as np

    q, n_muscles = lattice.modulus, len(lattice.muscles)
    if q**n_muscles >= 2**62:
        return None
    return np.array([q**i for i in range(n_muscles)], dtype=np.int64)


def fewest_extra_sets(classes: list[ExerciseClass], constraints: ProgramConstraints) -> tuple[int, int] | None:
    """(fewest extra sets any exact-hit program needs, scale g), or None when not applicable.

    The first value is a lower bound: one more than the longest path searched (`_Sums.depth`)
    when no shorter path reaches the targets' residue.
    """
    lattice = residue_lattice(classes, constraints)
    if lattice is None:
        return None
    sums = _sums(lattice)
    if sums is None:
        return None
    return sums.fewest(lattice.goal), lattice.scale


class _Sums:
    """The distinct residues of sums of up to k generators (layer k), grown on demand, for shortest
    paths by meeting in the middle: `goal` is a sum of at most a + b generators iff goal - x is in
    layer b for some x in layer a. Layers go up to _BASE_HALF_DEPTH, and to _MAX_HALF_DEPTH while
    they stay small, so paths of up to `depth` generators are found."""

    def __init__(self, lattice: ResidueLattice) -> None:
        import numpy as np

        self.q = lattice.modulus
        self.powers = _powers(lattice)
        width = len(lattice.goal)
        self.generators = np.array([r for r in lattice.generators() if any(r)], dtype=np.int8).reshape(-1, width)
        self.layers = [np.zeros((1, width), dtype=np.int8)]
        self.codes = [np.zeros(1, dtype=np.int64)]
        self.saturated = not len(self.generators)

    def _grow(self, k: int) -> int:
        """Build layers up to k where allowed; returns the deepest layer there is."""
        import numpy as np

        while len(self.layers) <= k and not self.saturated and len(self.layers) <= _MAX_HALF_DEPTH:
            if len(self.layers) > _BASE_HALF_DEPTH and len(self.layers[-1]) * (len(self.generators) + 1) > _MAX_LAYER_ROWS:
                break  # deeper only while the layers stay small
            # one generator more, added one generator at a time (memory stays at one layer)
            grown = [self.layers[-1]] + [(self.layers[-1] + g) % self.q for g in self.generators]
            grown_codes = np.concatenate([part.astype(np.int64) @ self.powers for part in grown])
            unique_codes, first = np.unique(grown_codes, return_index=True)
            # every reachable residue reached already: deeper layers add nothing
            self.saturated = len(unique_codes) == len(self.codes[-1])
            self.layers.append(np.concatenate(grown)[first])
            self.codes.append(unique_codes)
        return len(self.layers) - 1

    @property
    def depth(self) -> int:
        """The longest path `fewest` searches (every path, once the layers are saturated)."""
        return 2 * self._grow(_MAX_HALF_DEPTH) if len(self.generators) else 0

    def reaches(self, goal, total: int) -> bool:
        """Whether `goal` is a sum of at most `total` generators (mod q); total <= depth."""
        import numpy as np

        a = self._grow((total + 1) // 2)
        a = min((total + 1) // 2, a)
        b = min(total - a, a)
        needed = ((np.asarray(goal, dtype=np.int64)[None, :] - self.layers[a]) % self.q) @ self.powers
        return bool(np.isin(needed, self.codes[b]).any())

    def fewest(self, goal, at_most: int | None = None) -> int:
        """Fewest generators summing to `goal` (mod q); a lower bound (the first length not
        searched) when none of up to `depth`, or `at_most` + 1 when none of up to `at_most`."""
        if not any(goal):
            return 0
        total = 0
        while at_most is None or total < at_most:
            total += 1
            if 2 * self._grow((total + 1) // 2) < total or not len(self.generators):
                return total  # longer than the layers reach: a lower bound
            if self.reaches(goal, total):
                return total
        return at_most + 1


@lru_cache(maxsize=4)
def _sums(lattice: ResidueLattice) -> "_Sums | None":
    return None if _powers(lattice) is None else _Sums(lattice)


def _nondecreasing(residue, size: int, q: int):
    """Every nondecreasing index tuple of length `size` over the rows of `residue` (one per
    multiset), and the sum of their residues mod q."""
    import numpy as np

    n = len(residue)
    rows = np.zeros((1, 0), dtype=np.int64)
    sums = np.zeros((1, residue.shape[1]), dtype=np.int8)
    for _ in range(size):
        low = rows[:, -1] if rows.shape[1] else np.zeros(len(rows), dtype=np.int64)
        counts = n - low
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        nxt = np.arange(counts.sum()) - starts + np.repeat(low, counts)
        rows = np.concatenate([np.repeat(rows, counts, axis=0), nxt[:, None]], axis=1)
        sums = (np.repeat(sums, counts, axis=0) + residue[nxt]) % q
    return rows, sums


def extra_set_patterns(lattice: ResidueLattice, extra: int) -> list[dict[tuple[int, ...], int]] | None:
    """Every multiset of `extra` class residues summing to the goal (mod q).

    Each pattern maps a residue to how many extra sets fall on classes with that residue; the
    extra sets of any exact-hit program with `extra` extra sets follow one of them. A multiset
    is listed once, as its sorted first half (`extra // 2` residues) joined to its second half
    on the residue the second half must reach.

    Returns:
        The patterns (possibly none), or None when there are too many to list.
    """
    import numpy as np

    gens = lattice.generators()
    powers = _powers(lattice)
    if powers is None:
        return None
    if extra == 0:
        return [{}] if not any(lattice.goal) else []
    q = lattice.modulus
    residue = np.array(gens, dtype=np.int64)
    goal = np.array(lattice.goal, dtype=np.int64)
    first_size = extra // 2
    if max(_multisets(len(gens), first_size), _multisets(len(gens), extra - first_size)) > _MAX_HALF_LISTS:
        return None
    small = residue.astype(np.int8)
    first, first_sums = _nondecreasing(small, first_size, q)
    second, second_sums = _nondecreasing(small, extra - first_size, q)
    need = ((goal - first_sums) % q) @ powers
    have = second_sums @ powers
    order = np.argsort(have, kind="stable")
    lo = np.searchsorted(have[order], need, side="left")
    matches = np.searchsorted(have[order], need, side="right") - lo
    if matches.sum() > 300 * _MAX_PATTERNS:  # each multiset is matched once per split of it (at most C(k, k//2))
        return None
    left = np.repeat(np.arange(len(first)), matches)
    # positions lo[i], lo[i]+1, ..., lo[i]+matches[i]-1 for every first half i
    offsets = np.arange(matches.sum()) - np.repeat(np.cumsum(matches) - matches, matches)
    right = order[np.repeat(lo, matches) + offsets]
    if first_size:
        keep = first[left, -1] <= second[right, 0]  # the split of a sorted multiset: each once
        left, right = left[keep], right[keep]
    if len(left) > _MAX_PATTERNS:
        return None
    patterns = []
    for i, j in zip(left, right):
        pattern: dict[tuple[int, ...], int] = {}
        for index in list(first[i]) + list(second[j]):
            pattern[gens[index]] = pattern.get(gens[index], 0) + 1
        patterns.append(pattern)
    return patterns


def listing_rows(lattice: ResidueLattice, extra: int) -> int:
    """How many half-multisets `extra_set_patterns` builds for `extra` (its time grows with it:
    about a microsecond a row on the 2-core machine)."""
    n = len(lattice.generators())
    return _multisets(n, extra // 2) + _multisets(n, extra - extra // 2)


def _multisets(n: int, k: int) -> int:
    from math import comb

    return comb(n + k - 1, k) if k > 0 else 1


def _smooth_floor(total_sets: int, n_days: int) -> float:
    remainder = total_sets % n_days
    return 2.0 * remainder * (n_days - remainder) / n_days


def lattice_bound(classes: list[ExerciseClass], constraints: ProgramConstraints) -> float | None:
    """A lower bound on the full model's optimum from the lattice argument (module docstring).

    Returns:
        The bound, or None when the argument does not apply (targets or weights off a small
        lattice, no targets, one-set minimums).
    """
    found = fewest_extra_sets(classes, constraints)
    return None if found is None else bound_for_extra(classes, constraints, *found)


def structural_floor(classes: list[ExerciseClass], constraints: ProgramConstraints, min_extra: int,
                     min_exercises: int | None = None) -> float:
    """The least set, selection and smoothness cost of a week with at least `min_extra` extra
    sets (sets beyond `min_sets` per exercise) and at least `min_exercises` exercises (default:
    the days' minimum): the cheapest (exercises, extra sets) pair at or above the minimums.
    Nondecreasing in both."""
    c = constraints
    n_days = c.training_days
    min_exercises = max(n_days * c.min_exercises_per_day, min_exercises or 0)
    cheapest = min((cls.selection_cost for cls in classes), default=0.0)
    # the smoothness floor is at most smoothness_cost * n_days / 2, so a short scan suffices
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


def fewest_costly_exercises(classes: list[ExerciseClass], constraints: ProgramConstraints, extra: int,
                            cutoff: float) -> int | None:
    """The fewest exercises n from which every week with at least `extra` extra sets costs at
    least `cutoff` (`structural_floor(extra, n) >= cutoff`): weeks that could beat `cutoff` have
    fewer. None when no count up to the days' maximum does (or the cutoff is infinite)."""
    c = constraints
    if cutoff == float("inf"):
        return None
    for n in range(c.training_days * c.min_exercises_per_day, c.training_days * c.max_exercises_per_day + 1):
        if structural_floor(classes, c, extra, n) >= cutoff:
            return n
    return None


@dataclass(frozen=True)
class MissCase:
    """Programs off their targets by deviations with one residue per muscle (mod q).

    Attributes:
        goal: The residue their extra sets reach: the targets' goal shifted by the deviations.
        cost: The least cost of such deviations.
        fewest: Fewest extra sets reaching `goal` (a lower bound, `_Sums.fewest`).
    """

    goal: tuple[int, ...]
    cost: float
    fewest: int


def miss_floor(classes: list[ExerciseClass], constraints: ProgramConstraints, lattice: ResidueLattice) -> float:
    """The least cost of a program that misses some target, listing deviations by cost
    (`miss_cases`, keeping only the cheapest)."""
    cases, rest = miss_cases(classes, constraints, lattice)
    floors = [case.cost + structural_floor(classes, constraints, case.fewest) for case in cases]
    plain = structural_floor(classes, constraints, 0) + min(constraints.under_penalty, constraints.over_penalty) / lattice.scale
    return max(min([rest, *floors]), plain)


def miss_cases(classes: list[ExerciseClass], constraints: ProgramConstraints, lattice: ResidueLattice,
               below: float | None = None) -> tuple[list[MissCase], float]:
    """The programs that miss some target, listed by the cost of their deviations.

    A program off its target on muscle m by d units of 1/g (over: d > 0, at over_penalty/g a unit;
    under: d < 0, at under_penalty/g) satisfies the congruence with the goal shifted by d: its
    extra sets reach `goal + d (mod q)`. So it costs at least its deviations plus the structural
    floor of the fewest extra sets reaching the shifted goal. Per muscle, a shift s costs at least
    `shift_cost[s]` (s = 0 with a deviation: a whole q units, never listed). The shifts are
    listed by their number of muscles while the cheapest of them can still cost less than
    `below` (None: than the cheapest listed so far). With too many to list, none, and the plain
    floor (the least deviation on top of the structural minimum).

    Returns:
        (cases, rest): every program that misses a target either has the deviations of a listed
        case (costing at least its cost plus the floor of its fewest extra sets) or costs at
        least `rest`.
    """
    c = constraints
    g, q = lattice.scale, lattice.modulus
    floors: dict[int, float] = {}

    def floor(extra: int) -> float:
        if extra not in floors:
            floors[extra] = structural_floor(classes, c, extra)
        return floors[extra]

    plain = floor(0) + min(c.under_penalty, c.over_penalty) / g
    sums = _sums(lattice)
    if sums is None:
        return [], plain
    over, under = c.over_penalty / g, c.under_penalty / g
    shift_cost = [min(over * (s or q), under * ((q - s) % q or q)) for s in range(q)]
    goal = list(lattice.goal)
    # a deviation of a whole q units on one muscle leaves the goal where it is
    unshifted = shift_cost[0] + floor(sums.fewest(goal))
    limit = unshifted if below is None else below
    cases: list[MissCase] = []
    looked_up = 0
    for size in range(1, len(goal) + 1):
        if floor(0) + size * min(shift_cost[1:]) >= limit:
            break
        for muscles in itertools.combinations(range(len(goal)), size):
            for shifts in itertools.product(range(1, q), repeat=size):
                cost = sum(shift_cost[s] for s in shifts)
                if floor(0) + cost >= limit:
                    continue
                looked_up += 1
                if looked_up > _MAX_MISS_GOALS:
                    return [], plain
                shifted = list(goal)
                for m, s in zip(muscles, shifts):
                    shifted[m] = (shifted[m] + s) % q
                # only paths short enough to cost less than the limit matter
                longest = 0
                while longest < 64 and cost + floor(longest + 1) < limit:
                    longest += 1
                fewest = sums.fewest(shifted, longest)
                if cost + floor(fewest) < limit:
                    cases.append(MissCase(tuple(shifted), cost, fewest))
                    if below is None:
                        limit = cost + floor(fewest)
    return cases, max(min(unshifted, limit), plain)


def bound_for_extra(classes: list[ExerciseClass], constraints: ProgramConstraints, extra: int | None, scale: int,
                    miss: float | None = None) -> float:
    """The lattice bound when exact-hit programs need at least `extra` extra sets (None: there
    is no exact-hit program, only the miss case remains). `miss`: the least cost of a program
    that misses a target (`miss_floor`); without it, the least deviation (1/g at the smaller
    penalty) on top of the structural minimum."""
    c = constraints
    if miss is None:
        miss = structural_floor(classes, c, 0) + min(c.under_penalty, c.over_penalty) / scale
    return miss if extra is None else min(structural_floor(classes, c, extra), miss)
