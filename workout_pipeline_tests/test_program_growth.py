"""Short of a routine's target, but not of the lifter's own volume: a nudge (`growth_penalty`),
not a shortfall to repair with new lifts."""

import pandas as pd
import pytest

from workout_pipeline.catalog import load_catalog
from workout_pipeline.program import solve_program
from workout_pipeline.program.constraints import ProgramConstraints

UPPER = ["bench_press_barbell", "lat_pulldown_cable", "hammer_curl_dumbbell", "lateral_raise_dumbbell"]
LOWER = ["squat_barbell", "romanian_deadlift_barbell", "standing_calf_raise_machine"]


def test_growth_room_is_the_gap_between_own_volume_and_the_band():
    c = ProgramConstraints(targets={"chest": 12.0, "lats": 8.0}, target_tolerance=2.0,
                           target_floors={"chest": 6.0, "lats": 8.0})
    assert c.growth_room() == {"chest": 5.0}  # 12 - 1 - 6; lats already at their target
    deload = ProgramConstraints(targets={"chest": 12.0}, target_tolerance=2.0, target_floors={"chest": 6.0}, deload=True)
    assert deload.growth_room() == {"chest": pytest.approx(12 * 0.6 - 1 - 6 * 0.6)}
    assert ProgramConstraints(targets={"chest": 12.0}).growth_room() == {}  # a constraints file's targets


def _two_days(weeks: int = 10) -> pd.DataFrame:
    """One upper and one lower session a week, three sets of each lift."""
    rows = []
    for week in range(weeks):
        for day, lifts in ((0, UPPER), (3, LOWER)):
            when = pd.Timestamp("2026-01-05 18:00") + pd.Timedelta(days=7 * week + day)
            for lift in lifts:
                for i in range(3):
                    rows.append({"athlete_id": "cy", "session_id": f"s{week}{day}", "performed_at": when, "exercise_raw": lift,
                                 "exercise_id": lift, "set_index": i, "set_type": "normal", "weight_kg": 40.0,
                                 "reps": 10, "rest_s": None, "source_row": len(rows) + 1})
    return pd.DataFrame(rows)


def test_a_lifter_below_the_literature_keeps_their_lifts_and_gets_more_sets():
    """cy trains chest, lats and biceps with 3 sets a week each: the targets move them toward
    10-20 sets. Every set short cost 10 before, so their upper day took new lifts that credit
    more muscles a set; now the gap above their own volume is a nudge: the week is their lifts,
    with more sets, and no muscle below what cy does now."""
    result = solve_program(load_catalog(), None, history=_two_days(), athlete_id="cy", week_start="2026-03-16")
    lifts = [e for d in result.days for e in d["exercises"]]
    assert sorted(e["exercise_id"] for e in lifts) == sorted(UPPER + LOWER)
    assert sum(e["sets"] for e in lifts) > 3 * len(lifts)
    own = result.routine["weekly_sets"]
    assert all(v["effective_sets"] >= own[m] for m, v in result.muscles.items() if v["target"])


def test_fewer_days_than_the_lifter_trains_lower_the_floors():
    """cy trains twice a week: a 2-day week's floors are their weekly sets; asked for one day,
    half of them (a week of fewer sessions than theirs is not short of their volume by the sets
    the missing sessions held)."""
    from workout_pipeline.program import load_constraints
    from workout_pipeline.program.routine import read_routine
    from workout_pipeline.program.week_shape import routine_defaults

    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in load_catalog()}
    routine = read_routine(_two_days(), "cy", muscles)
    usual = routine_defaults(load_constraints({}), routine)
    one_day = routine_defaults(load_constraints({"training_days": 1}), routine)
    assert usual.training_days == 2 and usual.target_floors == {m: routine.weekly_sets[m] for m in usual.targets}
    assert one_day.target_floors == {m: pytest.approx(routine.weekly_sets[m] / 2) for m in one_day.targets}


def test_a_one_session_lifter_asked_for_two_lifts_a_day_gets_them():
    """One logged session with one set of bench press: no muscle reaches a target, so the pool
    held the bench alone and `min_exercises_per_day: 2` was reported as impossible "with this
    catalog". The day's categories are filled to the minimum from the catalog."""
    history = pd.DataFrame([{"athlete_id": "one", "session_id": "s", "performed_at": pd.Timestamp("2026-07-20 10:00"),
                             "exercise_raw": "Bench Press (Barbell)", "exercise_id": "bench_press_barbell", "set_index": 0,
                             "set_type": "normal", "weight_kg": 60.0, "reps": 5, "rest_s": None, "source_row": 1}])
    result = solve_program(load_catalog(), {"min_exercises_per_day": 2}, history=history, athlete_id="one",
                           week_start="2026-07-27", time_limit_s=10)
    assert result.status == "optimal"
    assert all(len(day["exercises"]) >= 2 for day in result.days)
    assert "bench_press_barbell" in {e["exercise_id"] for day in result.days for e in day["exercises"]}
