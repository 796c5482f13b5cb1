"""Prescriptions, names and the routine read from a history: the rules the lifter's week rests on."""

import dataclasses

import pandas as pd
import pytest

from workout_pipeline.catalog import load_catalog
from workout_pipeline.errors import InputError
from workout_pipeline.program.names import resolve_exercise_names
from workout_pipeline.program.loads import epley_e1rm, load_text, round_to_plates, to_kg
from workout_pipeline.program.prescribe import (
    LiftHistory,
    Recommendation,
    detraining_factor,
    prescribe,
    rest_seconds,
)
from workout_pipeline.program.quality import is_standard, movement, quality_cost
from workout_pipeline.program.routine import ramp_sets, read_routine


def _lift(load, reps, days_since=7, rep_range=(6, 10), usual=8):
    return LiftHistory(load, reps, "2026-01-01", days_since, rep_range, usual)


def test_rest_depends_on_kind_and_reps():
    assert rest_seconds(True, 5) > rest_seconds(True, 10) > rest_seconds(True, 15)
    assert rest_seconds(False, 8) < rest_seconds(True, 8)
    assert rest_seconds(False, 15) <= 60  # a lateral raise 5x15 does not rest 2.5 min


def test_detraining_is_none_for_two_weeks_then_bounded():
    assert detraining_factor(10) == 1.0 and detraining_factor(None) == 1.0
    assert 0.8 < detraining_factor(35) < 1.0
    assert detraining_factor(4 * 365) == pytest.approx(0.8)


def test_a_break_too_short_to_cut_the_load_is_not_named():
    # 15 days away takes 0.4% off: the load stays, and '-0% after 2 weeks off' would read as a slip
    short = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8, days_since=15), None, 8)
    assert short.load == 100.0 and "weeks off" not in short.reason
    assert "-7% after 5 weeks off" in prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8, days_since=35), None, 8).reason


@pytest.mark.parametrize("unit", ["kg", "lb"])
def test_history_load_keeps_the_e1rm_and_lands_on_plates(unit):
    dose = prescribe(True, "barbell", 2.5, unit, _lift(100.0, 5, usual=8), None, 8)
    assert dose.source == "history" and dose.reps == 8 and dose.last_performed == "2026-01-01"
    step = 5.0 if unit == "lb" else 2.5
    assert dose.load % step == pytest.approx(0.0, abs=1e-9)
    assert 0.95 <= epley_e1rm(dose.load_kg, dose.reps) / epley_e1rm(100.0, 5) <= 1.05
    assert f" {unit} " in f" {load_text(dose.load, unit, 'bench_press_barbell', 'barbell')} "


def test_small_loads_move_reps_not_a_big_jump():
    # 5 lb lateral raises for 15: the next dumbbell (10 lb) would double the e1RM
    dose = prescribe(False, "dumbbell", 2.0, "lb", _lift(5 * 0.45359237, 15, rep_range=(10, 20), usual=15), None, 12)
    assert dose.load == 5.0 and 10 <= dose.reps <= 20


def test_model_load_wins_but_stays_near_the_last_top_set():
    rec = Recommendation(load_kg=200.0, reps=8, reason="more: moved fast")
    dose = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8), rec, 8)
    assert dose.source == "model" and dose.reason.startswith("model: more: moved fast; here within 8% of your last top set; last top set 100 kg x 8")
    # With the model's decision, the reason says it in words and leaves the loads to the week (lifter's unit).
    rec = Recommendation(load_kg=102.5, reps=8, reason="more load: 8 x 102.5 kg", decision="add_load", confidence=0.83)
    dose = prescribe(True, "barbell", 2.5, "lb", _lift(100.0, 8), rec, 8)
    assert dose.reason.startswith("model: add load (83% likely to be completed); last top set 220.5 lb x 8")
    assert " kg" not in dose.reason
    # after a break longer than the model's horizon its chance is not quoted (it rates a next
    # session within 4 weeks); its decision is, with its own top set and why the week's is lighter
    late = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8, days_since=100), rec, 8)
    assert late.reason.startswith("model: add load, 8 x 102.5 kg; here 20% lighter after 14 weeks off; last top set 100 kg x 8")
    assert "likely" not in late.reason and late.load == 82.5
    assert epley_e1rm(dose.load_kg, dose.reps) / epley_e1rm(100.0, 8) <= 1.12
    # the model's own top set where its reps lie in the lifter's range: a step more with the reps
    # back to the range's bottom is more load, not the lower e1RM at the usual reps
    reset = Recommendation(load_kg=102.5, reps=5, reason="more load: 5 x 102.5 kg", decision="add_load", confidence=0.9)
    dose = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8, rep_range=(5, 8)), reset, 8)
    assert (dose.load, dose.reps) == (102.5, 5)
    rep = Recommendation(load_kg=100.0, reps=9, reason="one more rep: 9 x 100 kg", decision="add_rep", confidence=0.5)
    dose = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 8, usual=7), rep, 7)
    assert (dose.load, dose.reps) == (100.0, 9)
    # a hold is the model's top set too: 30 kg x 12 is not 32.5 kg x 10 at the usual reps
    hold = Recommendation(load_kg=30.0, reps=12, reason="x", decision="hold", confidence=0.6)
    dose = prescribe(False, "cable", 2.5, "kg", _lift(30.0, 12, rep_range=(8, 12), usual=10), hold, 10)
    assert (dose.load, dose.reps) == (30.0, 12)
    # a hold (or a step) at one bad day's single keeps the usual reps, at the model's e1RM, and
    # the reason names the model's own set: "hold the load" beside another load says why
    for decision in ("hold", "add_load"):
        single = Recommendation(load_kg=100.0, reps=1, reason="x", decision=decision, confidence=0.6)
        dose = prescribe(True, "barbell", 2.5, "kg", _lift(100.0, 1, rep_range=(1, 8), usual=6), single, 6)
        assert dose.reps == 6 and dose.load < 100.0
        assert ", 1 x 100 kg (60% likely to be completed); here the same effort at your usual 6 reps; last top set 100 kg x 1" in dose.reason
    bodyweight = prescribe(True, "bodyweight", 2.5, "kg", _lift(None, 8), None, 8)
    assert bodyweight.load is None and load_text(None, "kg", "pull_up", "bodyweight") == "bodyweight"
    assert load_text(20.0, "kg", "pull_up_assisted", "machine") == "20 kg assistance"
    assert load_text(10.0, "lb", "chin_up_weighted", "bodyweight") == "bodyweight + 10 lb"
    # an ab wheel (equipment "other") the lifter logs without a load is bodyweight, not "pick a load"
    assert load_text(None, "kg", "ab_wheel", "other", logged_without_load=True) == "bodyweight"
    assert load_text(None, "kg", "ab_wheel", "other") == "-"


def test_quality_cost_ranks_a_staple_over_an_obscure_entry():
    from workout_pipeline.program.constraints import load_constraints

    c = load_constraints()
    staple = quality_cost("Bench Press (Barbell)", True, "barbell", new=False, stale=False, constraints=c)
    for name in ("Jerk Balance", "Pallof Press", "Crucifix", "Mountain Climber", "Bayesian Curl", "JM Press (Barbell)"):
        assert not is_standard(name), name
        assert quality_cost(name, True, "barbell", new=True, stale=False, constraints=c) > staple + 3.5
    assert movement("Barbell Bench Press - Medium Grip") == "bench press"
    plain = quality_cost("Squat (Barbell)", True, "barbell", new=True, stale=False, constraints=c)
    assert plain < quality_cost("Front Squat (Barbell)", True, "barbell", new=True, stale=False, constraints=c)
    assert plain < quality_cost("Box Squat (Barbell)", True, "barbell", new=True, stale=False, constraints=c)


def _history():
    rows = []
    start = pd.Timestamp("2026-01-05 18:00")
    for week in range(8):
        for day, lifts in ((0, ["bench_press_barbell", "bent_over_row_barbell"]), (3, ["squat_barbell", "deadlift_barbell"])):
            when = start + pd.Timedelta(days=7 * week + day)
            for lift in lifts:
                for i in range(3):
                    rows.append({"athlete_id": "ann", "session_id": f"s{week}{day}", "performed_at": when, "exercise_raw": f"My {lift}",
                                 "exercise_id": lift, "set_index": i, "set_type": "normal", "weight_kg": 60.0 + week, "reps": 5 + i,
                                 "rest_s": None, "source_row": len(rows) + 1})
    return pd.DataFrame(rows)


def test_routine_reads_days_staples_and_session_shapes():
    catalog = load_catalog()
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    routine = read_routine(_history(), "ann", muscles)
    assert routine.days == 2 and len(routine.staples) == 4
    assert {t.exercises for t in routine.templates} == {("bench_press_barbell", "bent_over_row_barbell"), ("squat_barbell", "deadlift_barbell")}
    assert routine.weekly_sets["chest"] == pytest.approx(3.0)
    lift = routine.lift_history("bench_press_barbell", pd.Timestamp("2026-03-02"))
    assert lift.last_load_kg == 67.0 and lift.rep_range == (5, 7) and lift.days_since == 7
    assert len(lift.recent_tops) == 8 and lift.recent_tops[0] == (60.0, 7, "2026-01-05") and lift.recent_tops[-1] == (67.0, 7, "2026-02-23")


def test_warm_ups_logged_as_working_sets_are_not_volume():
    """dericmei's bench press: 45 x 20, 135 x 15, 205 x 4, then 235 x 5, 225, 220, 210 (lb): the
    three ramp sets are warm-ups, the back-off sets after the top count (4 sets, not 7), and the
    chest's weekly sets and the lift's usual sets leave the warm-ups out; a bodyweight lift's sets
    all count."""
    catalog = load_catalog()
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    rows, start = [], pd.Timestamp("2026-01-05 18:00")
    for week in range(4):
        for lift, loads in (("bench_press_barbell", (45, 135, 205, 235, 225, 220, 210)), ("pull_up", (0, 0, 0))):
            for i, lb in enumerate(loads):
                rows.append({"athlete_id": "ann", "session_id": f"s{week}", "performed_at": start + pd.Timedelta(days=7 * week),
                             "exercise_raw": lift, "exercise_id": lift, "set_index": i, "set_type": "normal",
                             "weight_kg": lb * 0.45359237, "reps": 5, "rest_s": None, "source_row": len(rows) + 1})
    history = pd.DataFrame(rows)
    assert list(ramp_sets(history)[history["exercise_id"] == "bench_press_barbell"].iloc[:7]) == [True] * 3 + [False] * 4
    assert not ramp_sets(history)[history["exercise_id"] == "pull_up"].any()
    routine = read_routine(history.sample(frac=1.0, random_state=0), "ann", muscles)  # the log's order, not the frame's
    assert routine.lift_sets == {"bench_press_barbell": 4.0, "pull_up": 3.0}
    assert routine.direct_sets["chest"] == pytest.approx(4.0)


def test_usual_reps_come_from_the_working_weight_at_the_current_load():
    """8 weeks of bench at 30 kg x 20, then 4 sessions of a 40 kg x 15 warm-up logged as a
    normal set and 80 kg x 8: the week says 8 reps (the 12-week median says 20, and at 80 kg's
    e1RM that would read 'x 20 at ~55 kg'); neither the warm-ups nor the light sessions are in
    the range."""
    catalog = load_catalog()
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    rows, start = [], pd.Timestamp("2026-01-05 18:00")
    for session in range(12):
        heavy = session >= 8
        for i in range(4):
            load, reps = (40.0, 15) if heavy and i == 0 else (80.0, 8) if heavy else (30.0, 20)
            rows.append({"athlete_id": "ann", "session_id": f"s{session}", "performed_at": start + pd.Timedelta(days=7 * session),
                         "exercise_raw": "Bench", "exercise_id": "bench_press_barbell", "set_index": i, "set_type": "normal",
                         "weight_kg": load, "reps": reps, "rest_s": None, "source_row": len(rows) + 1})
    routine = read_routine(pd.DataFrame(rows), "ann", muscles)
    lift = routine.lift_history("bench_press_barbell", pd.Timestamp("2026-03-30"))
    assert lift.rep_range == (8, 8) and lift.usual_reps == 8
    dose = prescribe(True, "barbell", 2.5, "kg", lift, None, 8)
    assert dose.reps == 8 and dose.load == 80.0


def test_names_resolve_from_ids_catalog_names_and_logged_names():
    catalog = load_catalog()
    history = _history()
    assert resolve_exercise_names(["squat_barbell", "Deadlift (Barbell)", "my bench_press_barbell"], "exclude_exercises",
                                  catalog, history) == ("squat_barbell", "deadlift_barbell", "bench_press_barbell")
    with pytest.raises(InputError, match="exclude_exercises.*Underwater Basket Weaving"):
        resolve_exercise_names(["Underwater Basket Weaving"], "exclude_exercises", catalog, history)


def test_routine_week_keeps_staples_and_explains_a_conflict():
    from workout_pipeline.program import solve_program

    catalog = load_catalog()
    result = solve_program(catalog, None, history=_history(), athlete_id="ann", week_start="2026-03-04")
    assert result.objective_name == "routine" and len(result.days) == 2
    assert [d["date"] for d in result.days] == ["2026-03-02", "2026-03-05"]
    week = {e["exercise_id"]: e for d in result.days for e in d["exercises"]}
    assert {"bench_press_barbell", "bent_over_row_barbell", "squat_barbell", "deadlift_barbell"} <= set(week)
    assert all(e["source"] == "history" and e["last_performed"] == "2026-02-26" for e in week.values() if e["exercise_id"] == "squat_barbell")
    # one training day of at most 2 exercises cannot hold three required lifts: the message says which rules conflict
    with pytest.raises(InputError, match="require_exercises") as info:
        solve_program(catalog, {"training_days": 1, "min_exercises_per_day": 1, "max_exercises_per_day": 2,
                                "require_exercises": ["Squat (Barbell)", "bench_press_barbell", "My deadlift_barbell"]},
                      history=_history(), athlete_id="ann", time_limit_s=5)
    assert "max_exercises_per_day=2" in str(info.value) and "\n" not in str(info.value)


def test_a_high_rep_lift_keeps_its_reps_on_the_lighter_plate():
    # 10 kg x 14 face pulls after a break (e1RM -20%): 7.5 kg x 15 is within 5%, 10 kg x 5 is not a face pull
    load, reps = round_to_plates(epley_e1rm(10.0, 14) * 0.8, 14, 2.5, "kg", (6, 15), 10.0)
    assert (load, reps) == (7.5, 15)


def test_each_lift_reads_its_own_working_sets_when_lifts_share_sessions():
    """One read over every lift (`routine._lifts`): a light lift done in the heavy lift's
    sessions keeps its own working weight and reps (its warm-up out), a bodyweight lift counts every set, and a
    lift last done before the recent window keeps the sets it has."""
    catalog = load_catalog()
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    rows, start = [], pd.Timestamp("2026-01-05 18:00")

    def add(session, when, lift, load, reps):
        rows.append({"athlete_id": "ann", "session_id": session, "performed_at": when, "exercise_raw": lift,
                     "exercise_id": lift, "set_index": len(rows), "set_type": "normal", "weight_kg": load, "reps": reps,
                     "rest_s": 90.0, "source_row": len(rows) + 1})

    add("old", start - pd.Timedelta(weeks=30), "deadlift_barbell", 140.0, 3)
    add("old", start - pd.Timedelta(weeks=30), "deadlift_barbell", 140.0, 5)
    for session in range(6):
        when = start + pd.Timedelta(days=7 * session)
        for load, reps in ((100.0, 5), (100.0, 6)):
            add(f"s{session}", when, "bench_press_barbell", load, reps)
        for load, reps in ((8.0, 15), (15.0, 12), (15.0, 10)):  # a warm-up, then two working sets
            add(f"s{session}", when, "bicep_curl_barbell", load, reps)
        for reps in (10, 9 - session % 2):
            add(f"s{session}", when, "pull_up", None, reps)
    routine = read_routine(pd.DataFrame(rows), "ann", muscles)
    week = pd.Timestamp("2026-02-16")
    assert routine.lift_history("bench_press_barbell", week).rep_range == (5, 6)
    curl = routine.lift_history("bicep_curl_barbell", week)
    assert curl.last_load_kg == 15.0 and curl.rep_range == (10, 12) and curl.usual_reps == 11
    pullup = routine.lift_history("pull_up", week)
    assert pullup.last_load_kg is None and pullup.rep_range == (8, 10) and pullup.last_reps == 10
    deadlift = routine.lift_history("deadlift_barbell", week)
    assert deadlift.last_load_kg == 140.0 and deadlift.rep_range == (3, 5) and deadlift.last_reps == 5



def _last_session(sets_by_lift, athlete="ann"):
    rows, when = [], pd.Timestamp("2026-01-05 18:00")
    for lift, sets in sets_by_lift.items():
        for i, (load, reps) in enumerate(sets):
            rows.append({"athlete_id": athlete, "session_id": "s0", "performed_at": when, "exercise_raw": lift, "exercise_id": lift,
                         "set_index": i, "set_type": "normal", "weight_kg": load, "reps": reps, "rest_s": None, "source_row": len(rows) + 1})
    return pd.DataFrame(rows)


def test_the_sets_fall_like_the_lifters_did_at_that_load():
    """ys-math's bench: 50 kg x 5 (warm-up), then 65 kg x 4, 3, 3, 2. One more rep is 5, 4, 4, 3
    at 65 kg, not four sets of 5; straight sets stay straight (6, 7, 6, 6 and a rise 8, 10, 12),
    and so do lighter weeks (after a break, or far fewer reps than last time)."""
    from workout_pipeline.program.prescribe import set_reps
    from workout_pipeline.program.routine import rep_profiles

    sets = _last_session({
        "bench_press_barbell": [(50.0, 5), (65.0, 4), (65.0, 3), (65.0, 3), (65.0, 2)],
        "squat_barbell": [(100.0, 6), (100.0, 7), (100.0, 6), (100.0, 6)],
        "bicep_curl_barbell": [(25.0, 8), (25.0, 10), (25.0, 12)],
        "lat_pulldown_cable": [(60.0, 12), (60.0, 10), (60.0, 11)],
    })
    profiles = rep_profiles(sets)
    assert profiles["bench_press_barbell"] == pytest.approx((1.0, 0.75, 0.75, 0.5))
    assert profiles["lat_pulldown_cable"] == pytest.approx((1.0, 10 / 12, 10 / 12))  # never back up
    assert "squat_barbell" not in profiles and "bicep_curl_barbell" not in profiles
    bench = profiles["bench_press_barbell"]
    assert set_reps(5, bench, 4) == [5, 4, 4, 3]
    assert set_reps(5, bench, 6) == [5, 4, 4, 3, 3, 3]  # more sets than last time: the last share
    assert set_reps(5, bench, 1) is None and set_reps(5, (), 4) is None
    lift = LiftHistory(65.0, 4, "2026-01-05", 5.0, (2, 9), 6, bench)
    rep = Recommendation(load_kg=65.0, reps=5, reason="x", decision="add_rep", confidence=0.46)
    assert prescribe(True, "barbell", 2.5, "kg", lift, rep, 6).rep_profile == bench
    # after a long break the load is lighter: straight sets
    away = LiftHistory(65.0, 4, "2026-01-05", 100.0, (2, 9), 6, bench)
    assert prescribe(True, "barbell", 2.5, "kg", away, rep, 6).rep_profile == ()
    # the same load for far fewer reps than last time (13 -> 8) needs no fall-off either
    curl = LiftHistory(25.0, 13, "2026-01-05", 5.0, (8, 13), 10, (1.0, 0.9))
    fewer = Recommendation(load_kg=25.0, reps=8, reason="x", decision="hold", confidence=0.8)
    assert prescribe(False, "barbell", 2.5, "kg", curl, fewer, 10).rep_profile == ()


def test_the_week_writes_falling_sets_in_every_output(tmp_path):
    from workout_pipeline.program.report import program_week_rows, scheme, write_program

    program = {"unit": "kg", "days": [{"weekday": "Mon", "date": "2026-01-12", "type": "push", "exercises": [
        {"exercise_id": "bench_press_barbell", "name": "Bench Press (Barbell)", "sets": 4, "reps": 5, "set_reps": [5, 4, 4, 3],
         "load_kg": 65.0, "load_text": "65 kg", "rest_s": 180.0, "source": "model", "reason": "r"},
        {"exercise_id": "squat_barbell", "name": "Squat (Barbell)", "sets": 3, "reps": 5, "set_reps": None,
         "load_kg": 100.0, "load_text": "100 kg", "rest_s": 180.0, "source": "model", "reason": "r"}]}]}
    rows = program_week_rows(program)
    assert [scheme(r) for r in rows] == ["4 x 5, 4, 4, 3", "3 x 5"]
    assert rows[0]["reps"] == 5 and rows[0]["set_reps"] == "5, 4, 4, 3"
    paths = write_program({**program, "status": "optimal", "objective": 1.0, "gap": 0.0, "muscles": {}}, tmp_path)
    assert "| Bench Press (Barbell) | 4 x 5, 4, 4, 3 | 65 kg |" in paths["markdown"].read_text()
    assert "| Squat (Barbell) | 3 x 5 | 100 kg |" in paths["markdown"].read_text()
    assert paths["csv"].read_text().splitlines()[1].endswith(',"5, 4, 4, 3"')
    assert "Bench Press (Barbell): 4 x 5\\, 4\\, 4\\, 3 at 65 kg" in paths["ics"].read_text()


def test_a_lift_done_on_heavy_and_light_days_keeps_its_light_day():
    """ys-math benches three times a week at 2-11 reps. The week's first bench is the model's top
    set; a second one, aimed at the light end of the recent reps, repeats the latest light top
    set (55 kg x 9), reduced after a break and never harder than the first; one aimed below the
    first's reps is the first again (no new heavy triple). Lifts at one rep range keep one dose."""
    from workout_pipeline.program.prescribe import Dose, wave

    tops = tuple((w, r, f"2026-07-{day:02d}") for day, (w, r) in
                 enumerate([(55.0, 9), (62.5, 2), (60.0, 6), (50.0, 11), (62.5, 2), (70.0, 2), (55.0, 9), (60.0, 6), (65.0, 4)], start=1))
    lift = LiftHistory(65.0, 4, "2026-07-09", 5.0, (2, 11), 6, (), tops)
    top = Dose(5, 180.0, 65.0, 65.0, "model", "2026-07-09", "model: one more rep")
    heavy, light = wave(top, lift, 2, True, "barbell", 2.5, "kg")
    assert heavy is top and (light.load, light.reps, light.last_performed) == (55.0, 9, "2026-07-07")
    assert light.reason.startswith("your lighter day (2-11 reps in your recent top sets): as 55 kg x 9 on 2026-07-07")
    first, *others = wave(top, lift, 3, True, "barbell", 2.5, "kg")
    assert first is top and sorted(d.reps for d in others) == [5, 9] and top in others  # the 2-rep aim is the top set again
    away = dataclasses.replace(lift, days_since=100.0)
    assert wave(top, away, 2, True, "barbell", 2.5, "kg")[1].load == 45.0  # 55 kg x 9 -20%
    # a light day far under the last top set (40 kg x 9: 69% of 65 kg x 4's e1RM) is not copied
    deep = dataclasses.replace(lift, recent_tops=tuple((40.0 if r == 9 else w, r, d) for w, r, d in tops))
    assert wave(top, deep, 2, True, "barbell", 2.5, "kg") == [top, top]
    straight = dataclasses.replace(lift, recent_tops=tuple((60.0, 6 + i % 2, d) for i, (_, _, d) in enumerate(tops)))
    assert wave(top, straight, 2, True, "barbell", 2.5, "kg") == [top, top]
    assert wave(top, lift, 1, True, "barbell", 2.5, "kg") == [top]


def test_a_light_day_on_coarse_plates_stays_lighter_than_the_heavy_day():
    """A lateral raise done heavy (20 lb x 8) and light (15 lb x 15), back after 74 weeks: the
    heavy day is 15 lb x 8 (20% off). The light day's aim, 15 lb x 15 less 20%, lies between 5 lb
    dumbbells; rounded freely it was 15 lb x 8, the heavy day's set again, and a lighter day of
    another lifter came out 1-5% harder than their heavy one. It keeps more reps than the heavy
    day at no more effort (10 lb x 15), and where no such set exists it is the heavy day's."""
    from workout_pipeline.program.prescribe import Dose, wave

    tops = tuple((to_kg(w, "lb"), r, f"2025-06-{day:02d}") for day, (w, r) in
                 enumerate([(20.0, 8), (15.0, 15), (20.0, 6), (15.0, 12), (20.0, 8), (15.0, 15), (20.0, 8)], start=10))
    lift = LiftHistory(to_kg(20.0, "lb"), 8, "2025-06-16", 7 * 74.0, (6, 15), 8, (), tops)
    heavy = Dose(8, 90.0, 15.0, to_kg(15.0, "lb"), "model", "2025-06-16", "model: hold the load")
    first, light = wave(heavy, lift, 2, False, "dumbbell", None, "lb")
    assert first is heavy and (light.load, light.reps) == (10.0, 15)
    assert epley_e1rm(light.load_kg, light.reps) <= epley_e1rm(heavy.load_kg, heavy.reps)
    # a heavy day already at the top of the range leaves no lighter day with more reps
    top_reps = dataclasses.replace(heavy, reps=15, load=10.0, load_kg=to_kg(10.0, "lb"))
    assert wave(top_reps, lift, 2, False, "dumbbell", None, "lb") == [top_reps, top_reps]


def test_an_assisted_lift_keeps_its_assistance_and_eases_in_by_reps():
    """An assisted pull-up's load is help: after 7 weeks off the old rule cut it 12% (less help:
    harder) and the model's "add load" gave more help (easier). It keeps the last assistance,
    after a break at fewer reps, and neither the model's load nor a light day moves it."""
    from workout_pipeline.program.prescribe import wave

    back = prescribe(True, "machine", 2.5, "kg", _lift(20.0, 8, days_since=49, rep_range=(6, 10), usual=8),
                     Recommendation(25.0, 8, "model", decision="add_load", confidence=0.9), 8, assisted=True)
    assert (back.load, back.load_kg, back.reps) == (20.0, 20.0, 7)  # 8 reps x 0.875
    assert back.reason.startswith("assisted: 20 kg assistance as on 2026-01-01, 7 reps instead of 8 after 7 weeks off")
    fresh = prescribe(True, "machine", 2.5, "kg", _lift(20.0, 8), None, 8, assisted=True)
    assert (fresh.load, fresh.reps) == (20.0, 8) and "instead of" not in fresh.reason
    tops = tuple((w, r, f"2026-01-0{k}") for k, (w, r) in enumerate([(30.0, 12), (20.0, 6), (30.0, 12), (20.0, 6)], start=1))
    assert wave(fresh, dataclasses.replace(_lift(20.0, 8), recent_tops=tops), 2, True, "machine", 2.5, "kg") == [fresh, fresh]


def test_a_face_pull_keeps_its_reps_for_a_few_percent_of_load():
    """Cable face pulls, 10 kg x 15, wanted 20% lighter (12 kg e1RM): no 2.5 kg stack step is
    within 5% at 15 reps; 7.5 kg x 15 (6% under) reads better than 10 kg x 7 (half the reps),
    while a 15 lb kickback x 10 wanted at 16 lb e1RM, where 10 lb x 10 misses by 17%, moves the
    reps within 5 of the usual ones instead."""
    assert round_to_plates(0.8 * epley_e1rm(10.0, 15), 15, 2.5, "kg", (7, 15), 10.0) == (7.5, 15)
    load, reps = round_to_plates(0.8 * epley_e1rm(to_kg(15.0, "lb"), 10), 10, 5.0, "lb", (5, 10), to_kg(15.0, "lb"))
    assert load == 15.0 and 5 <= reps < 10


def test_the_lifters_own_load_is_offered_again_only_where_their_unit_can_load_it():
    """A pound lifter's 4 kg dumbbell from before they switched units is 8.82 lb: wanted 5%
    lighter at 15 reps, the week offers their pound dumbbells (5 lb steps), not "8.8 lb x 15";
    a pound lifter's own 12 lb dumbbell, or a kilo lifter's 4 kg one, is still offered."""
    load, reps = round_to_plates(0.95 * epley_e1rm(4.0, 15), 15, 5.0, "lb", (9, 15), 4.0)
    assert load % 5.0 == 0 and 9 <= reps <= 15
    assert round_to_plates(0.95 * epley_e1rm(4.0, 15), 15, 2.5, "kg", (9, 15), 4.0) == (4.0, 15)
    own = to_kg(12.0, "lb")
    assert round_to_plates(0.95 * epley_e1rm(own, 15), 15, 5.0, "lb", (9, 15), own) == (12.0, 15)


def test_a_history_set_at_other_reps_says_why_and_how_much_harder():
    """Without a model the week repeats the last top set's effort at the usual reps; where the
    reps differ from the last top set's the reason says so, and how far the plates moved the
    effort (16 kg x 7 at the usual 9 reps is 16 kg x 9 on 2 kg dumbbells: 5% harder)."""
    dose = prescribe(False, "dumbbell", 2.0, "kg", _lift(16.0, 7, rep_range=(6, 10), usual=9), None, 10)
    assert (dose.load, dose.reps) == (16.0, 9)
    assert dose.reason.endswith("; at your usual 9 reps, 5% harder than your last top set (the nearest your plates allow)")
    dose = prescribe(True, "barbell", 2.5, "kg", _lift(60.0, 8, rep_range=(6, 12), usual=10), None, 8)
    assert (dose.load, dose.reps) == (57.5, 10) and dose.reason.endswith("; the same effort at your usual 10 reps")
    assert "reps" not in prescribe(True, "barbell", 2.5, "kg", _lift(60.0, 10, rep_range=(6, 12), usual=10), None, 8).reason


def test_a_hold_stays_on_the_lifters_own_load_off_the_grid():
    """The lifter's cable stack gives 64 kg: holding 64 kg x 9 reads 64 kg, not the 2.5 kg grid's
    65 kg; a step up still lands on the grid (66.5 kg wanted: 67.5 kg), and a logged 124.74 kg
    (275 lb written in kilograms) is no load of theirs to repeat in kilograms."""
    assert round_to_plates(epley_e1rm(64.0, 9), 9, 2.5, "kg", (6, 12), 64.0) == (64.0, 9)
    assert round_to_plates(epley_e1rm(66.5, 9), 9, 2.5, "kg", (6, 12), 64.0) == (67.5, 9)
    assert round_to_plates(epley_e1rm(124.74, 10), 10, 2.5, "kg", (6, 12), 124.74) == (125.0, 10)


def test_two_workouts_logged_on_one_day_are_one_training_day():
    """ann's Monday and Thursday sessions, each logged as two workouts (the row and the deadlift
    an hour after the bench press and the squat): two training days a week with their two lifts
    each, as before the split; not four days of one lift."""
    catalog = load_catalog()
    muscles = {e.exercise_id: (frozenset(e.primary_muscles), frozenset(e.secondary_muscles)) for e in catalog}
    history = _history()
    later = history["exercise_id"].isin(["bent_over_row_barbell", "deadlift_barbell"])
    split = history.assign(session_id=history["session_id"] + later.map({True: "pm", False: "am"}),
                           performed_at=history["performed_at"] + pd.to_timedelta(later.astype(int), unit="h"))
    whole, parts = read_routine(history, "ann", muscles), read_routine(split, "ann", muscles)
    assert whole.sessions_per_week == parts.sessions_per_week == 1.0 * len(history["session_id"].unique()) / 8
    assert [set(t.exercises) for t in parts.templates] == [set(t.exercises) for t in whole.templates]
    assert [len(t.exercises) for t in parts.templates] == [2, 2]


def test_a_hostile_recommendations_file_is_read_row_by_row_and_never_crashes_the_week():
    """A hand-edited or hostile recommendations.parquet: `inf` kg crashed the week (exit 1), 1e12 kg
    was shown as '1e+12 kg', a chance of 55 read '5500% likely' and reps 'abc' stopped the command.
    Rows a lifter could not lift are skipped (the week uses the history), odd fields dropped."""
    from workout_pipeline.program.prescribe import read_recommendations

    rows = pd.DataFrame({
        "athlete_id": ["a"] * 7,
        "exercise_id": ["inf", "huge", "text_reps", "fine", "odd_fields", "bodyweight", None],
        "load_kg": [float("inf"), 1e12, 50.0, 60.0, 70.0, 0.0, 80.0],
        "reps": [5, 5, "abc", 8, 6, 12, 5],
        "rest_s": [90.0, 90.0, 90.0, 120.0, -5.0, 60.0, 90.0],
        "confidence": [0.5, 0.5, 0.5, 0.8, 55.0, 0.7, 0.5],
        "decision": ["hold", "hold", "hold", "add_load", "<script>", "bodyweight", "hold"],
        "reason": ["r"] * 7,
    })
    recs = read_recommendations(rows, "a")
    assert sorted(recs) == ["bodyweight", "fine", "odd_fields"]
    assert (recs["fine"].load_kg, recs["fine"].reps, recs["fine"].confidence, recs["fine"].decision) == (60.0, 8, 0.8, "add_load")
    odd = recs["odd_fields"]
    assert (odd.load_kg, odd.rest_s, odd.confidence, odd.decision) == (70.0, None, None, None)
    assert recs["bodyweight"].load_kg is None and recs["bodyweight"].decision == "bodyweight"
