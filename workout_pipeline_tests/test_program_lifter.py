"""The lifter test: would a lifter train from the week built from their own log, with defaults?

For every public log (`../shared/data/logs`, or the folder `$WORKOUT_PIPELINE_SHARED_DATA/logs`
points at): ingest it into a store, run `workout-pipeline program --history STORE --athlete ID`
with the defaults, and check the week against the lifter's own history:
- at least 4 of their 5 staples (most sessions in the last 12 weeks) are in the week; lifts tied
  with the 5th on sessions may stand in for each other (which of them is a staple is a choice);
- at most 25% of the week's exercises are new to them;
- training days within 1 of their recent sessions per week;
- every lift they loaded last time carries a load whose Epley e1RM is 0.70-1.12x that of their
  last top set; reps within their own 12-week range for the lift, +-2;
- every lift of their last 12 weeks gets its usual sets per session (the median; warm-ups logged
  as working sets, those before the session's first set within 90% of its heaviest, left out),
  +-1, inside the week's min_sets..max_sets (one more than that minimum allowed);
- lb lifters see lb;
- excluding their top staple by the name they log it under removes it; an unknown name exits 2;
- `program.ics` has one event per training day.
The statistics below are computed here from the validated sets, independently of the planner.
"""

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from workout_pipeline.paths import public_log_files

WEEKS = 12
WORKING = ("normal", "failure")


def _cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "workout_pipeline.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    logs = public_log_files()
    if not logs:
        pytest.skip("../shared/data/logs is not present beside the checkout")
    folder = next(iter(logs.values())).parent.parent
    out = tmp_path_factory.mktemp("lifters") / "store"
    done = _cli("ingest", folder, "--out", out)
    assert done.returncode == 0, done.stderr
    return out, sorted(logs)


def _lifter_facts(sets: pd.DataFrame) -> dict:
    work = sets[sets["exercise_id"].notna() & sets["set_type"].isin(WORKING) & sets["reps"].notna() & (sets["reps"] > 0)]
    last = work["performed_at"].max()
    recent = work[work["performed_at"] > last - pd.Timedelta(weeks=WEEKS)]
    starts = recent.groupby("session_id")["performed_at"].min()
    rate = len(starts) / max(1, starts.dt.to_period("W").nunique())
    usage = recent.groupby("exercise_id").agg(sessions=("session_id", "nunique"), sets=("reps", "size")).reset_index()
    staples = list(usage.sort_values(["sessions", "sets", "exercise_id"], ascending=[False, False, True])["exercise_id"].head(5))
    tops = {}
    for exercise_id, lift in work.groupby("exercise_id"):
        occurrence = lift[lift["performed_at"] == lift["performed_at"].max()]
        top = occurrence.assign(w=occurrence["weight_kg"].fillna(0)).sort_values(["w", "reps"], ascending=False).iloc[0]
        tops[exercise_id] = (float(top["w"]), int(top["reps"]), top["performed_at"])
    ranges = recent.groupby("exercise_id")["reps"].agg(["min", "max"])
    ordered = recent.sort_values(["performed_at", "source_row"] if "source_row" in recent else ["performed_at"], kind="stable")
    load, keys = ordered["weight_kg"].fillna(0.0), [ordered["session_id"], ordered["exercise_id"]]
    from_top = (load >= 0.9 * load.groupby(keys).transform("max")).astype(int).groupby(keys).cummax() > 0
    usual_sets = ordered[from_top].groupby(["exercise_id", "session_id"]).size().groupby("exercise_id").median()
    logged = work.groupby("exercise_id")["exercise_raw"].agg(lambda s: s.mode().iloc[0])
    cut = usage.set_index("exercise_id")["sessions"].get(staples[-1], 0) if staples else 0
    tied = set(usage.loc[usage["sessions"] == cut, "exercise_id"])
    return {"rate": rate, "staples": staples, "tied": tied, "tops": tops, "ranges": ranges, "ever": set(work["exercise_id"]), "logged": logged,
            "usual_sets": usual_sets}


def _epley(load, reps):
    return load * (1 + reps / 30)


def lifter_problems(store_dir, athlete: str, out_root) -> list[str]:
    """Every check of the module docstring for one athlete of a store; [] when all pass."""
    from workout_pipeline.program.prescribe import detraining_factor
    from workout_pipeline.program.store import lifter_unit

    sets = pd.read_parquet(store_dir / "validated_sets.parquet")
    own = sets[sets["athlete_id"] == athlete]
    facts = _lifter_facts(own)
    problems = []
    out = out_root / athlete
    done = _cli("program", "--history", store_dir, "--athlete", athlete, "--out", out)
    if done.returncode != 0:
        return [f"program failed: {done.stderr.strip()}"]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    # the solver figures the maintainers read (run with -s); speed goals live in benchmarks/
    print(f"solver {athlete}: {summary['status']}, proven gap {100 * summary['gap']:.2f}% in {summary['solve_seconds']:.2f} s")
    program = json.loads((out / "program.json").read_text())
    week = [e for day in program["days"] for e in day["exercises"]]
    ids = {e["exercise_id"] for e in week}
    above = [s for s in facts["staples"] if s not in facts["tied"]]
    kept = [s for s in above if s in ids] + sorted(facts["tied"] & ids)[:len(facts["staples"]) - len(above)]
    if len(kept) < min(4, len(facts["staples"])):
        problems.append(f"staples kept {kept} of {facts['staples']}")
    new = [i for i in ids if i not in facts["ever"]]
    if len(new) > 0.25 * len(ids):
        problems.append(f"{len(new)} of {len(ids)} exercises new: {new}")
    if abs(len(program["days"]) - facts["rate"]) > 1:
        problems.append(f"{len(program['days'])} days for {facts['rate']:.2f} sessions a week")
    first_day = pd.Timestamp(program["days"][0]["date"]) if program["days"] else None
    for e in week:
        load, reps, when = facts["tops"].get(e["exercise_id"], (0.0, 0, None))
        if load > 0:
            if not e["load_kg"]:
                problems.append(f"{e['name']}: no load, last top set {load} kg")
            else:
                ratio = _epley(e["load_kg"], e["reps"]) / _epley(load, reps)
                # a light lift may sit lower when one whole step up (5 lb, 2.5 kg) would be too heavy
                # for the week's aim: the last top set, less the documented cut for a break
                # (7.5 kg x 13 75 weeks before: aim 80%; 5 kg x 15 is 70%, 7.5 kg x 15 105%)
                step_kg = 5 * 0.45359237 if e["unit"] == "lb" else 2.5
                one_step_up = _epley(e["load_kg"] + step_kg, e["reps"]) / _epley(load, reps)
                aim = detraining_factor((first_day.normalize() - pd.Timestamp(when).normalize()).days) if first_day is not None else 1.0
                if not (0.70 <= ratio or one_step_up > 1.12 * aim) or ratio > 1.12:
                    problems.append(f"{e['name']}: e1RM ratio {ratio:.2f}")
        if e["exercise_id"] in facts["ranges"].index:
            low, high = facts["ranges"].loc[e["exercise_id"]]
            if not low - 2 <= e["reps"] <= high + 2:
                problems.append(f"{e['name']}: {e['reps']} reps outside {low}-{high}")
        if e["exercise_id"] in facts["usual_sets"].index:
            usual, rules = facts["usual_sets"].loc[e["exercise_id"]], program["constraints"]
            n = math.floor(usual + 0.5)
            fewest = min(max(n - 1, rules["min_sets"]), rules["max_sets"])
            most = min(max(n, fewest) + 1, rules["max_sets"])
            if not fewest <= e["sets"] <= most:
                problems.append(f"{e['name']}: {e['sets']} sets, usually {usual:g} a session")
    unit = lifter_unit(store_dir, athlete, own)
    if any(e["unit"] != unit for e in week) or (unit == "lb" and " lb" not in (out / "program.md").read_text()):
        problems.append(f"loads not in the lifter's unit {unit}")
    ics = (out / "program.ics").read_text()
    if ics.count("BEGIN:VEVENT") != len(program["days"]):
        problems.append(f"{ics.count('BEGIN:VEVENT')} calendar events for {len(program['days'])} days")
    top = facts["staples"][0]
    excluded = _cli("program", "--history", store_dir, "--athlete", athlete, "--out", out_root / f"{athlete}_x",
                    "--exclude", facts["logged"][top])
    if excluded.returncode != 0:
        problems.append(f"--exclude {facts['logged'][top]!r} failed: {excluded.stderr.strip()}")
    else:
        week_x = json.loads((out_root / f"{athlete}_x" / "program.json").read_text())
        if any(e["exercise_id"] == top for day in week_x["days"] for e in day["exercises"]):
            problems.append(f"--exclude {facts['logged'][top]!r} kept {top}")
    return problems


def test_each_lifter_gets_a_week_built_around_their_routine(store, tmp_path):
    store_dir, athletes = store
    failures = {athlete: problems for athlete in athletes if (problems := lifter_problems(store_dir, athlete, tmp_path))}
    assert not failures, json.dumps(failures, indent=1)


def test_unknown_exercise_name_exits_2(store, tmp_path):
    store_dir, athletes = store
    done = _cli("program", "--history", store_dir, "--athlete", athletes[0], "--out", tmp_path / "o",
                "--exclude", "Underwater Basket Weaving")
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:") and "Underwater Basket Weaving" in done.stderr
    assert "\n" not in done.stderr.strip()


def test_the_model_feeds_the_program_and_each_load_says_where_it_came_from(store, tmp_path):
    """`evaluate --out DIR` writes DIR/recommendations.parquet: `program --history DIR` (or
    `--model DIR`) takes its loads, marks them `model`, and program.md says so only then."""
    from workout_pipeline.model.recommend import RECOMMENDATION_COLUMNS

    store_dir, athletes = store
    athlete = athletes[-1]
    sets = pd.read_parquet(store_dir / "validated_sets.parquet")
    facts = _lifter_facts(sets[sets["athlete_id"] == athlete])
    plain = tmp_path / "plain"
    assert _cli("program", "--history", store_dir, "--athlete", athlete, "--out", plain).returncode == 0
    plain_week = json.loads((plain / "program.json").read_text())["days"]
    # two loaded staples the week holds (one of five may be left out: fresh export sim84-13's
    # staples tie at 5 sessions, and its 3-day week keeps the deadlift, not the RDL)
    in_week = {e["exercise_id"] for d in plain_week for e in d["exercises"]}
    loaded = [s for s in facts["staples"] if facts["tops"][s][0] > 0 and s in in_week][:2]
    assert loaded
    recs = pd.DataFrame([{"athlete_id": athlete, "exercise_id": s, "exercise_raw": facts["logged"][s],
                          "load_kg": facts["tops"][s][0] + 2.5, "reps": facts["tops"][s][1], "sets": 3, "rest_s": 120.0,
                          "confidence": 0.7, "reason": "more: last top set moved fast", "last_date": pd.Timestamp("2026-01-01")}
                         for s in loaded])[list(RECOMMENDATION_COLUMNS)]
    model_dir = tmp_path / "evaluation"
    model_dir.mkdir()
    recs.to_parquet(model_dir / "recommendations.parquet")
    assert "model" not in {e["source"] for d in plain_week for e in d["exercises"]}
    assert "progression model" not in (plain / "program.md").read_text()
    out = tmp_path / "with_model"
    done = _cli("program", "--history", store_dir, "--athlete", athlete, "--model", model_dir, "--out", out)
    assert done.returncode == 0, done.stderr
    entries = [e for d in json.loads((out / "program.json").read_text())["days"] for e in d["exercises"]]
    week = {e["exercise_id"]: e for e in reversed(entries)}  # each lift's first day
    for s in loaded:
        assert week[s]["source"] == "model" and "moved fast" in week[s]["reason"]
        ratio = _epley(week[s]["load_kg"], week[s]["reps"]) / _epley(*facts["tops"][s][:2])
        assert 0.70 <= ratio <= 1.12
        # its other days: the model's set again, or a lighter day of the lifter's (prescribe.wave)
        for e in entries:
            if e["exercise_id"] == s and e["source"] != "model":
                assert e["source"] == "history" and "your lighter day" in e["reason"], e
    assert all(e["source"] in ("history", "default") for e in entries if e["exercise_id"] not in loaded)
    assert "progression model" in (out / "program.md").read_text()
    missing = _cli("program", "--history", store_dir, "--athlete", athlete, "--model", tmp_path, "--out", tmp_path / "x")
    assert missing.returncode == 2 and "recommendations.parquet" in missing.stderr


def test_the_week_keeps_the_lifts_of_the_sessions_it_is_laid_out_from(store, tmp_path):
    """dravenbc's week had left out 6 of the 13 lifts of the sessions its days are laid out from
    (pull-ups, pulldowns, flyes, three arm lifts): only staples were kept, and the targets were met
    without them. Each such lift left out now costs `plan.TEMPLATE_MISS_COST`."""
    store_dir, athletes = store
    if "dravenbc" not in athletes:
        pytest.skip("the public log dravenbc is not in this store")
    out = tmp_path / "dravenbc"
    assert _cli("program", "--history", store_dir, "--athlete", "dravenbc", "--out", out).returncode == 0
    program = json.loads((out / "program.json").read_text())
    week = {e["exercise_id"] for d in program["days"] for e in d["exercises"]}
    template_lifts = {e for t in program["routine"]["templates"] for e in t}
    assert len(template_lifts) >= 10 and template_lifts <= week, sorted(template_lifts - week)


def test_the_stores_unit_wins_and_lb_lifters_see_lb(store, tmp_path):
    """The unit the store records for the athlete (`athlete_units`) is the one the week shows."""
    from workout_pipeline.ingest.store import merge_into_store, read_store

    store_dir, athletes = store
    athlete = athletes[0]
    tables = read_store(store_dir)
    own = tables.validated[tables.validated["athlete_id"] == athlete]
    copy = tmp_path / "store"
    merge_into_store(copy, own, tables.quarantined.iloc[:0],
                     athletes=pd.DataFrame({"athlete_id": [athlete], "unit": ["lb"], "unit_source": ["override"],
                                            "unit_reason": ["test"]}))
    out = tmp_path / "out"
    done = _cli("program", "--history", copy, "--athlete", athlete, "--out", out)
    assert done.returncode == 0, done.stderr
    week = [e for d in json.loads((out / "program.json").read_text())["days"] for e in d["exercises"]]
    loaded = [e for e in week if e["load"]]
    # on pound plates, or a load the lifter logged themselves (a 136 lb machine stack)
    logged = set((own["weight_kg"].dropna() / 0.45359237).round(2))
    assert loaded and all(e["unit"] == "lb" and (e["load"] % 2.5 == 0 or e["load"] in logged) for e in loaded)
    assert all(abs(e["load_kg"] - e["load"] * 0.45359237) < 0.01 for e in loaded)
    text = (out / "program.md").read_text()
    assert " lb |" in text and " kg |" not in text


def test_the_same_history_gives_the_same_week_in_any_process(real_logs, tmp_path):
    """Two processes with different hash seeds build the identical week (no set-order ties)."""
    import json
    import os
    import subprocess
    import sys

    store = tmp_path / "store"
    cli = [sys.executable, "-c", "from workout_pipeline.cli import main; main()"]
    # dravenbc's log showed the set-order ties; on other people's logs, the first of them
    log = real_logs.get("dravenbc") or real_logs[sorted(real_logs)[0]]
    subprocess.run([*cli, "ingest", str(log), "--athlete", "d", "--out", str(store)],
                   check=True, capture_output=True, timeout=300)
    weeks = []
    for seed in ("4", "5"):
        out = tmp_path / f"week{seed}"
        subprocess.run([*cli, "program", "--history", str(store), "--athlete", "d", "--out", str(out)],
                       check=True, capture_output=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})
        program = json.loads((out / "program.json").read_text())
        weeks.append(json.dumps({k: program[k] for k in ("days", "muscles", "objective")}, sort_keys=True))
    assert weeks[0] == weeks[1]
