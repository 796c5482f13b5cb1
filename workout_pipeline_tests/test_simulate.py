"""The lifter simulator: determinism, canonical layout and realism measured on its output."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from workout_pipeline.schema import CANONICAL_COLUMNS, CANONICAL_DTYPES, SET_TYPES, WORKING_SET_TYPES
from workout_pipeline.simulate import (
    AthleteProfile,
    random_profiles,
    simulate_athletes,
    simulate_profiles,
    simulate_sets,
)
from workout_pipeline.simulate.lifts import DAY_TEMPLATES, KG_PER_LB, LIFTS, SPLITS, load_grid

N_ATHLETES, WEEKS, SEED = 6, 26, 3


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate_athletes(N_ATHLETES, WEEKS, SEED)


@pytest.fixture(scope="module")
def profiles() -> dict[str, AthleteProfile]:
    return {p.athlete_id: p for p in random_profiles(N_ATHLETES, SEED)}


@pytest.fixture(scope="module")
def lift_by_name():
    return {name: lift for lift in LIFTS for name in lift.names.values()}


@pytest.fixture(scope="module")
def tops(sim) -> pd.DataFrame:
    """Top set (heaviest working set, ties: more reps) of every exercise occurrence, by date."""
    work = sim[sim["set_type"].isin(WORKING_SET_TYPES)]
    top = (
        work.sort_values(["weight_kg", "reps"], kind="stable")
        .groupby(["athlete_id", "session_id", "exercise_raw"])
        .tail(1)
        .sort_values(["athlete_id", "exercise_raw", "performed_at"])
    )
    top = top.assign(e1rm=top["weight_kg"] * (1 + top["reps"].astype(float) / 30))
    grouped = top.groupby(["athlete_id", "exercise_raw"])
    return top.assign(
        prev_weight=grouped["weight_kg"].shift(), prev_reps=grouped["reps"].shift(), next_weight=grouped["weight_kg"].shift(-1)
    )


# ------------------------------------------------------------------ determinism and layout


def test_same_seed_same_frame_and_other_seed_differs():
    first = simulate_athletes(2, 8, seed=11)
    again = simulate_athletes(2, 8, seed=11)
    other = simulate_athletes(2, 8, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert len(first) > 0 and len(other) > 0


def test_canonical_layout(sim):
    assert tuple(sim.columns) == CANONICAL_COLUMNS
    for column, dtype in CANONICAL_DTYPES.items():
        assert str(sim[column].dtype) == dtype, column
    assert sim["exercise_id"].isna().all()
    assert (sim["source_file"] == "simulated").all() and (sim["source_format"] == "simulated").all()
    assert set(sim["set_type"].unique()) <= set(SET_TYPES)
    assert sim[["athlete_id", "session_id", "performed_at", "exercise_raw", "set_index"]].notna().all().all()
    # Lifted sets have a load and reps; conditioning sets (runs, planks) only time (and distance).
    timed = sim["duration_s"].notna()
    lifted = sim[~timed]
    assert lifted[["weight_kg", "reps"]].notna().all().all()
    assert (lifted["reps"] >= 1).all() and (lifted["weight_kg"] >= 0).all()
    assert sim.loc[timed, ["weight_kg", "reps"]].isna().all().all() and (sim.loc[timed, "duration_s"] > 0).all()
    # set_index: 0..n-1 within each (session, exercise); source_row 1..n per athlete.
    assert (sim["set_index"] == sim.groupby(["session_id", "exercise_raw"]).cumcount()).all()
    assert (sim["source_row"] == sim.groupby("athlete_id").cumcount() + 1).all()
    assert not sim.duplicated(["session_id", "exercise_raw", "set_index"]).any()
    # One start time per session; the id follows the ingestion convention athlete:start.
    starts = sim.groupby("session_id")["performed_at"].nunique()
    assert (starts == 1).all()
    first = sim.drop_duplicates("session_id")
    expected = first["athlete_id"] + ":" + first["performed_at"].dt.strftime("%Y%m%dT%H%M%S")
    assert (first["session_id"] == expected).all()
    assert not sim.duplicated(["athlete_id", "performed_at", "exercise_raw", "set_index"]).any()


def test_profiles_and_library():
    assert len(LIFTS) >= 25
    assert all(lift.days for lift in LIFTS)
    for days, split in SPLITS.items():
        assert 3 <= days <= 6 and len(split) == days
        assert all(day.split(" ")[0] in DAY_TEMPLATES for day in split)
    levels = {p.level for p in random_profiles(3, 0)}
    assert levels == {"novice", "intermediate", "advanced"}
    with pytest.raises(ValueError):
        AthleteProfile("x", level="elite")
    with pytest.raises(ValueError):
        AthleteProfile("x", days_per_week=7)
    with pytest.raises(ValueError):
        simulate_profiles([AthleteProfile("a"), AthleteProfile("a")])


def test_start_date_and_length():
    frame = simulate_athletes(1, 4, seed=5, start=date(2024, 6, 5))
    assert frame["performed_at"].min() >= pd.Timestamp("2024-06-03")
    assert frame["performed_at"].max() < pd.Timestamp("2024-07-01")


def test_simulate_sets_gives_exactly_n_rows():
    log = simulate_sets(3000, weeks=8, seed=2)
    assert len(log.sets) == 3000
    assert set(log.sessions["session_id"]) == set(log.sets["session_id"])


# ------------------------------------------------------------------ realism


def test_many_distinct_lifts_in_use(sim):
    assert sim["exercise_raw"].nunique() >= 20


def test_warmups_exist_and_are_lighter_than_working_sets(sim):
    warm = sim[sim["set_type"] == "warmup"]
    assert len(warm) > 0.05 * len(sim)
    key = ["session_id", "exercise_raw"]
    heaviest_warmup = warm.groupby(key)["weight_kg"].max()
    lightest_work = sim[sim["set_type"].isin(WORKING_SET_TYPES)].groupby(key)["weight_kg"].min()
    both = pd.concat([heaviest_warmup, lightest_work], axis=1, join="inner")
    assert len(both) > 50
    assert (both.iloc[:, 0] < both.iloc[:, 1]).all()
    # Warm-ups come before the working sets.
    first_work = sim[sim["set_type"] != "warmup"].groupby(key)["set_index"].min()
    last_warm = warm.groupby(key)["set_index"].max()
    assert (pd.concat([last_warm, first_work], axis=1, join="inner").diff(axis=1).iloc[:, 1] > 0).all()


def test_top_set_e1rm_rises_over_months_for_most_lifts(tops):
    start = tops["performed_at"].min()
    early = tops[tops["performed_at"] < start + pd.Timedelta(weeks=6)]
    late = tops[tops["performed_at"] >= start + pd.Timedelta(weeks=WEEKS - 6)]
    key = ["athlete_id", "exercise_raw"]
    loaded = tops[tops["weight_kg"] > 0].groupby(key).size() >= 8
    both = pd.concat([early.groupby(key)["e1rm"].max(), late.groupby(key)["e1rm"].max()], axis=1, join="inner")
    both = both[loaded.reindex(both.index).fillna(False).astype(bool)]
    assert len(both) >= 30
    rising = (both.iloc[:, 1] > both.iloc[:, 0]).mean()
    assert rising >= 0.6, rising


def test_stalls_repeat_the_last_load_about_half_the_time(tops):
    pairs = tops.dropna(subset=["prev_weight"])
    same = (pairs["weight_kg"] == pairs["prev_weight"]).mean()
    up = (pairs["weight_kg"] > pairs["prev_weight"]).mean()
    down = (pairs["weight_kg"] < pairs["prev_weight"]).mean()
    assert 0.35 <= same <= 0.7, same
    assert up >= 0.15 and down >= 0.03, (up, down)


def test_top_of_range_predicts_a_load_increase(tops, lift_by_name):
    """The learnable rule: reaching the top of the rep range -> more weight next time."""
    pairs = tops.dropna(subset=["next_weight"])
    hi = pairs["exercise_raw"].map(lambda n: lift_by_name[n].rep_range[1])
    lo = pairs["exercise_raw"].map(lambda n: lift_by_name[n].rep_range[0])
    raised = pairs["next_weight"] > pairs["weight_kg"]
    at_top = raised[pairs["reps"] >= hi].mean()
    missed = raised[pairs["reps"] < lo].mean()
    assert at_top > missed + 0.2, (at_top, missed)


def test_deload_weeks_exist(tops):
    """Some week has most lifts clearly lighter than their previous occurrence."""
    pairs = tops.dropna(subset=["prev_weight"])
    pairs = pairs[pairs["prev_weight"] > 0]
    ratio = (pairs["weight_kg"] / pairs["prev_weight"]).rename("ratio")
    week = pairs["performed_at"].dt.to_period("W")
    by_week = ratio.groupby([pairs["athlete_id"], week]).agg(["median", "size"])
    deloads = by_week[(by_week["median"] <= 0.92) & (by_week["size"] >= 3)]
    assert len(deloads) >= 1


def test_missed_weeks_and_sessions_per_week(sim):
    sessions = sim.drop_duplicates("session_id")
    for athlete, group in sessions.groupby("athlete_id"):
        weeks = group["performed_at"].dt.to_period("W")
        span = pd.period_range(weeks.min(), weeks.max(), freq="W")
        per_week = weeks.value_counts().reindex(span, fill_value=0)
        assert (per_week == 0).sum() >= 1, athlete  # a holiday somewhere
        assert per_week.max() <= 6
        assert 2.0 <= per_week[per_week > 0].mean() <= 6.0
        # at most one session a day
        assert not group["performed_at"].dt.date.duplicated().any()


def test_sets_per_session_are_realistic(sim):
    per_session = sim.groupby("session_id").size()
    assert 10 <= per_session.median() <= 30
    assert per_session.min() >= 3 and per_session.max() <= 45


def test_loads_sit_on_plate_steps(sim, profiles, lift_by_name):
    for (athlete, name), group in sim[sim["duration_s"].isna()].groupby(["athlete_id", "exercise_raw"]):
        unit = profiles[athlete].unit
        grid = load_grid(lift_by_name[name].equipment, unit)
        loads = group["weight_kg"].to_numpy() * (1.0 if unit == "kg" else 1 / KG_PER_LB)
        distance = np.abs(loads[:, None] - grid[None, :]).min(axis=1)
        assert distance.max() < 1e-6, (athlete, name)


def test_reps_mostly_in_rep_ranges(sim, lift_by_name):
    work = sim[(sim["set_type"] == "normal") & sim["duration_s"].isna()]
    lo = work["exercise_raw"].map(lambda n: lift_by_name[n].rep_range[0])
    hi = work["exercise_raw"].map(lambda n: lift_by_name[n].rep_range[1])
    reps = work["reps"].astype(int)
    assert (reps <= hi + 2).all()
    assert ((reps >= lo - 2) & (reps <= hi + 2)).mean() >= 0.9


def test_failure_drop_rpe_and_rest_occur(sim):
    counts = sim["set_type"].value_counts()
    assert counts.get("failure", 0) > 0 and counts.get("drop", 0) > 0
    rpe = sim["rpe"].dropna()
    assert len(rpe) > 0 and rpe.between(6, 10).all() and ((rpe * 2) % 1 == 0).all()
    assert sim.loc[sim["set_type"] == "warmup", "rpe"].isna().all()
    rest = sim["rest_s"].dropna()
    assert len(rest) > 0 and (rest > 0).all() and (rest % 5 == 0).all()
    assert sim["rest_s"].isna().any()  # not every session is timed
    # A drop set is lighter than the working set before it.
    previous = sim.groupby(["session_id", "exercise_raw"])["weight_kg"].shift()
    drops = sim["set_type"] == "drop"
    assert (sim.loc[drops, "weight_kg"] < previous[drops]).all()


def test_lb_lifters_use_pound_plates():
    profile = AthleteProfile("pounds", level="intermediate", unit="lb", days_per_week=3)
    sets = simulate_profiles([profile], weeks=6, seed=4).sets
    bench = sets[sets["exercise_raw"] == "Bench Press (Barbell)"]
    pounds = bench["weight_kg"] / KG_PER_LB
    assert len(bench) > 0
    assert np.allclose(pounds, np.round(pounds / 5) * 5)
    assert (pounds >= 45 - 1e-9).all()


@pytest.mark.parametrize("weeks", [1, 2, 5, 6])
def test_short_logs(weeks):
    frame = simulate_athletes(3, weeks, seed=weeks)
    assert len(frame) > 0 and tuple(frame.columns) == CANONICAL_COLUMNS
    assert (frame["performed_at"].max() - frame["performed_at"].min()).days < 7 * weeks


def test_nobody_trains_gives_an_empty_canonical_frame():
    log = simulate_profiles([AthleteProfile("ghost", miss_rate=1.0)], weeks=4, seed=0)
    assert log.sets.empty and tuple(log.sets.columns) == CANONICAL_COLUMNS
    assert log.sessions.empty
    # ...and one absent athlete does not disturb the others.
    both = simulate_profiles([AthleteProfile("ghost", miss_rate=1.0), AthleteProfile("here")], weeks=4, seed=0)
    assert set(both.sets["athlete_id"]) == {"here"}


def test_invalid_arguments():
    with pytest.raises(ValueError):
        simulate_athletes(2, weeks=0)
    with pytest.raises(ValueError):
        AthleteProfile("x", miss_rate=1.5)
    with pytest.raises(ValueError):
        AthleteProfile("x", naming="myfitnesspal")
    with pytest.raises(ValueError):
        simulate_sets(0)


def test_conditioning_finishers():
    profile = AthleteProfile("runner", conditioning_rate=0.6, naming="hevy", unit="lb")
    sets = simulate_profiles([profile], weeks=6, seed=9).sets
    runs = sets[sets["exercise_raw"] == "Treadmill"]
    planks = sets[sets["exercise_raw"] == "Plank"]
    assert len(runs) > 0 and len(planks) > 0
    speed = runs["distance_m"] / runs["duration_s"]
    assert speed.between(1.5, 4.5).all() and (runs["duration_s"] % 60 == 0).all()
    assert planks["distance_m"].isna().all() and planks["duration_s"].between(20, 180).all()
    # Finishers close the session: nothing is logged after them.
    last = sets.groupby("session_id").tail(1)
    finished = sets.loc[sets["duration_s"].notna(), "session_id"].unique()
    assert last.set_index("session_id").loc[finished, "duration_s"].notna().all()


def test_logs_of_any_length_end_at_the_fixed_default_end():
    """No dependence on today's date, and long simulations never reach into the future."""
    from workout_pipeline.simulate.athletes import DEFAULT_END

    for weeks in (26, 150):
        frame = simulate_athletes(1, weeks, seed=1)
        assert frame["performed_at"].max() < pd.Timestamp(DEFAULT_END)
        assert frame["performed_at"].min() >= pd.Timestamp(DEFAULT_END) - pd.Timedelta(weeks=weeks)


def test_hidden_truth_drives_the_logged_numbers():
    """The latent one-rep max grows, and what was lifted never beats the day's capacity by much."""
    log = simulate_profiles(random_profiles(4, 2), weeks=26, seed=2)
    truth = log.truth
    assert len(truth) == len(log.sets[log.sets["duration_s"].isna()].drop_duplicates(["session_id", "exercise_raw"]))
    grows = truth.groupby(["athlete_id", "exercise_raw"])["latent_e1rm_kg"].agg(["first", "last"])
    assert (grows["last"] > grows["first"]).mean() >= 0.8
    work = log.sets[log.sets["set_type"].isin(WORKING_SET_TYPES) & log.sets["exercise_raw"].str.contains("(Barbell)", regex=False)]
    top = work.sort_values(["weight_kg", "reps"]).groupby(["session_id", "exercise_raw"]).tail(1)
    epley = top["weight_kg"] * (1 + top["reps"].astype(float) / 30)
    both = top.assign(epley=epley).merge(truth, on=["session_id", "exercise_raw"])
    assert len(both) > 100
    ratio = both["epley"] / both["today_e1rm_kg"]
    assert (ratio <= 1.1).mean() >= 0.99
    assert np.corrcoef(both["epley"], both["today_e1rm_kg"])[0, 1] > 0.95


def test_short_rests_cost_reps_on_the_next_set():
    """Rest is worth predicting: after a short rest the next set at the same load loses more reps."""
    profiles = [AthleteProfile(f"r{i}", level=level, rest_logging=1.0) for i, level in enumerate(("novice", "intermediate", "advanced"))]
    sets = simulate_profiles(profiles, weeks=26, seed=4).sets
    work = sets[sets["set_type"].isin(WORKING_SET_TYPES)]
    block = work.groupby(["session_id", "exercise_raw"])
    pairs = work.assign(next_reps=block["reps"].shift(-1), next_weight=block["weight_kg"].shift(-1))
    pairs = pairs[(pairs["next_weight"] == pairs["weight_kg"]) & pairs["rest_s"].notna()]
    lost = (pairs["reps"] - pairs["next_reps"]).astype(float)
    relative_rest = pairs["rest_s"] / pairs.groupby("exercise_raw")["rest_s"].transform("median")
    assert len(pairs) > 1000
    assert lost[relative_rest < 0.85].mean() > lost[relative_rest > 1.15].mean() + 0.1
