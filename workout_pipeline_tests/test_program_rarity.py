"""Among two of the lifter's lifts that are equal in everything else, the week takes the one
they do more often (`rare_lift_cost`): breinsp's week took a hammer curl last done 12 weeks
before (and 20% lighter for the break) over the dumbbell curl done 3 weeks before, at the
same cost."""

import pandas as pd
import pytest

from workout_pipeline.catalog import load_catalog
from workout_pipeline.program import solve_program
from workout_pipeline.program.constraints import load_constraints
from workout_pipeline.program.quality import quality_cost
from workout_pipeline_tests.test_program_rest import _sessions

UPPER = ["bench_press_barbell", "bent_over_row_barbell"]
LOWER = ["squat_barbell", "deadlift_barbell", "leg_press_machine", "standing_calf_raise_machine"]


def _two_curls(often: str, seldom: str) -> pd.DataFrame:
    """An upper and a lower session a week for 10 weeks; the upper one ends with `often` in 6
    weeks and `seldom` in the other 4 (both in at least a third of its sessions: both its lifts)."""
    history = _sessions("di", {0: UPPER + [often], 3: LOWER})
    swapped = history["session_id"].isin([f"s{week}0" for week in (1, 3, 6, 8)]) & (history["exercise_id"] == often)
    history.loc[swapped, ["exercise_id", "exercise_raw"]] = seldom
    return history


def test_a_rarer_lift_costs_a_little_more_never_a_set():
    c = load_constraints()
    usual = quality_cost("Bicep Curl (Dumbbell)", False, "dumbbell", new=False, stale=False, constraints=c)
    rare = quality_cost("Bicep Curl (Dumbbell)", False, "dumbbell", new=False, stale=False, constraints=c, rarity=0.6)
    assert usual < rare <= usual + c.rare_lift_cost < usual + c.set_cost
    assert load_constraints({"rare_lift_cost": 0}).rare_lift_cost == 0.0


@pytest.mark.parametrize("often, seldom", [("bicep_curl_dumbbell", "bicep_curl_barbell"),
                                           ("bicep_curl_barbell", "bicep_curl_dumbbell")])
def test_of_two_equal_lifts_the_week_takes_the_one_done_more_often(often, seldom):
    """The two curls train the same muscles at the same cost, and a day of at most three lifts
    holds one beside the bench press and the row (staples). Whichever curl the lifter does more
    often is the week's, both ways round."""
    result = solve_program(load_catalog(), {"max_exercises_per_day": 3}, history=_two_curls(often, seldom), athlete_id="di",
                           week_start="2026-03-16")
    week = [e["exercise_id"] for d in result.days for e in d["exercises"]]
    assert often in week and seldom not in week
