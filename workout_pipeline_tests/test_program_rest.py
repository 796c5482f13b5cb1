"""The 48 h rule between direct sessions of a muscle is a coach's default: a lifter whose own
sessions break it week after week (legs on Monday, deadlifts on Tuesday) gets a week without it,
and one who sets it keeps it."""

import pandas as pd
import pytest

from workout_pipeline.catalog import load_catalog
from workout_pipeline.errors import InputError
from workout_pipeline.program import render_program_markdown, solve_program
from workout_pipeline.program.routine import read_routine

WEEK = {0: ["squat_barbell", "leg_press_machine"], 1: ["deadlift_barbell", "bent_over_row_barbell"],
        3: ["bench_press_barbell", "overhead_press_barbell"], 4: ["pull_up", "lat_pulldown_cable"]}


def _sessions(athlete: str, weekdays: dict[int, list[str]], weeks: int = 10) -> pd.DataFrame:
    """`weeks` weeks of sessions on `weekdays` (0 = Monday), three sets of each lift."""
    rows = []
    start = pd.Timestamp("2026-01-05 18:00")
    for week in range(weeks):
        for day, lifts in weekdays.items():
            when = start + pd.Timedelta(days=7 * week + day)
            for lift in lifts:
                for i in range(3):
                    rows.append({"athlete_id": athlete, "session_id": f"s{week}{day}", "performed_at": when,
                                 "exercise_raw": lift, "exercise_id": lift, "set_index": i, "set_type": "normal",
                                 "weight_kg": 60.0 + week, "reps": 8, "rest_s": None, "source_row": len(rows) + 1})
    return pd.DataFrame(rows)


def _muscles():
    return {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in load_catalog()}


def test_routine_counts_the_weeks_a_muscle_was_trained_again_within_the_rule():
    """Squats on Monday and deadlifts on Tuesday share glutes and hamstrings: every week rests
    them one day. With the deadlift on Thursday no week does (the week's other sessions share
    no primary muscle with the day before)."""
    back_to_back = read_routine(_sessions("bo", WEEK), "bo", _muscles())
    assert back_to_back.fewest_rest_days == (1,) * 10
    assert back_to_back.weeks_resting_less(48) == 10 and back_to_back.weeks_resting_less(24) == 0
    apart = read_routine(_sessions("al", {0: WEEK[0], 3: WEEK[1], 4: WEEK[3]}), "al", _muscles())
    assert apart.weeks_resting_less(48) == 0 and min(apart.fewest_rest_days) >= 3


def test_a_lifter_who_trains_legs_two_days_running_keeps_their_week():
    """bo squats on Mondays and deadlifts on Tuesdays every week: the default 48 h rule would
    push one of them off the week's first two days; it is off for bo, the week keeps all eight
    of their lifts, and program.md says why. Set in the constraints, the rule holds."""
    catalog = load_catalog()
    history = _sessions("bo", WEEK)
    result = solve_program(catalog, None, history=history, athlete_id="bo", week_start="2026-03-16")
    assert result.constraints["rest_between_muscle_sessions_h"] is None
    assert result.routine["rest_rule_off_because"] == "your sessions" and result.routine["weeks_resting_less"] == [10, 10]
    assert {e["exercise_id"] for d in result.days for e in d["exercises"]} >= {lift for lifts in WEEK.values() for lift in lifts}
    assert result.routine["trained_without_rest"] == ["glutes"]  # squat on Monday, deadlift on Tuesday
    assert "in 10 of the 10 weeks you trained in that time, and this week does too (glutes)" in render_program_markdown(result)
    kept = solve_program(catalog, {"rest_between_muscle_sessions_h": 48}, history=history, athlete_id="bo", week_start="2026-03-16")
    assert kept.constraints["rest_between_muscle_sessions_h"] == 48 and not kept.routine["rest_rule_off"]
    assert "48 hours" not in render_program_markdown(kept) and not kept.routine["trained_without_rest"]


def _squats(weekdays_by_week: list[tuple[int, ...]]) -> pd.DataFrame:
    """One squat set on each of the given weekdays, week after week."""
    start = pd.Timestamp("2026-01-05 07:00")
    days = [start + pd.Timedelta(days=7 * week + day) for week, weekdays in enumerate(weekdays_by_week) for day in weekdays]
    return pd.DataFrame([{"athlete_id": "sam", "session_id": f"s{k}", "performed_at": when, "exercise_raw": "Squat",
                          "exercise_id": "squat_barbell", "set_index": 0, "set_type": "normal", "weight_kg": 100.0,
                          "reps": 5, "rest_s": None, "source_row": k + 1} for k, when in enumerate(days)])


def test_a_lifter_who_squats_every_day_gets_a_week_without_the_48_h_default():
    """Six squat sessions a week: their sessions break the 48 h default every week, so it is
    off and the week has six squat days. A lifter who set the rule keeps it, and the error names
    it; ann's two days a week keep the default."""
    catalog = load_catalog()
    daily = _squats([(0, 1, 2, 3, 4, 5)] * 11)
    result = solve_program(catalog, None, history=daily, athlete_id="sam", week_start="2026-03-23")
    assert len(result.days) == 6 and result.constraints["rest_between_muscle_sessions_h"] is None
    assert all(d["exercises"][0]["exercise_id"] == "squat_barbell" for d in result.days)
    assert result.routine["rest_rule_off_because"] == "your sessions" and "48 hours" in render_program_markdown(result)
    with pytest.raises(InputError, match="rest_between_muscle_sessions_h=48"):
        solve_program(catalog, {"rest_between_muscle_sessions_h": 48}, history=daily, athlete_id="sam", time_limit_s=5)
    ann = solve_program(catalog, None, history=_sessions("ann", {0: WEEK[1], 3: WEEK[0]}, weeks=8), athlete_id="ann",
                        week_start="2026-03-04")
    assert ann.constraints["rest_between_muscle_sessions_h"] == 48 and not ann.routine["rest_rule_off"]
    assert "48 hours" not in render_program_markdown(ann)


def test_when_the_default_leaves_no_week_it_is_switched_off():
    """sam squatted on Mondays, Wednesdays and Fridays, then daily for the last 2 of 12 weeks:
    too few weeks break the rule, so it starts on, but the 4-day week of squat days (Mon, Tue,
    Thu, Fri) has no program under it (an error before): it is switched off, and the week says so."""
    result = solve_program(load_catalog(), None, history=_squats([(0, 2, 4)] * 10 + [(0, 1, 2, 3, 4, 5)] * 2), athlete_id="sam",
                           week_start="2026-03-30")
    assert result.routine["weeks_resting_less"] == [2, 12] and result.routine["rest_rule_off_because"] == "no week"
    assert len(result.days) == 4 and result.constraints["rest_between_muscle_sessions_h"] is None
    assert "left no week of your routine" in render_program_markdown(result)
