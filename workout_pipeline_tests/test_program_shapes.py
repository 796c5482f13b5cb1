"""How the week's days share the lifter's kinds of session (`week_shape.template_days`)."""

from workout_pipeline.program.week_shape import template_days
from workout_pipeline.program.routine import DayTemplate


def _kinds(*sessions: int) -> list[DayTemplate]:
    return [DayTemplate((f"lift_{k}",), n, frozenset()) for k, n in enumerate(sessions)]


def _days(sessions: tuple[int, ...], n: int, per_week: float) -> list[int]:
    kinds = _kinds(*sessions)
    return [kinds.index(t) for t in template_days(kinds, n, per_week)]


def test_a_kind_done_twice_a_week_keeps_two_days():
    """Legs 16 times in 9 weeks (1.8 a week) beside three kinds done 7-9 times: a 4-day week
    has two leg days, spread apart (before: one, and the fourth kind a day)."""
    assert _days((16, 9, 7, 7), 4, 39 / 9) == [0, 1, 2, 0]


def test_no_kind_gets_more_days_than_the_lifter_does_it():
    """Legs twice a week, upper once, pull and push every other week (10 weeks): legs keep two
    days, not three (D'Hondt alone would give them three)."""
    assert _days((20, 10, 5, 5), 4, 4.0) == [0, 1, 2, 0]


def test_kinds_done_alike_keep_one_day_each_in_rotation():
    """Kinds done about as often share the days as the rotation did: one each, the most
    frequent first, and a fifth day for the most frequent again."""
    assert _days((9, 8, 8, 8), 3, 3.0) == [0, 1, 2]
    assert _days((10, 10, 10, 5), 5, 3.5) == [0, 1, 2, 3, 0]
    assert _days((32, 1), 3, 2.5) == [0, 0, 0]  # a one-off session gets no day of a 3-day week
