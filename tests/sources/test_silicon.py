"""Recorded silicon samples: per-tier populations and the tidy responses table."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from calib.errors import DataError, MissingDataFileError, UnknownLevelError
from calib.sources.silicon import (
    PEW2013,
    TIERS,
    read_silicon,
    read_silicon_2024_states,
    read_silicon_pew2013,
)

META = [
    {"persona_id": "p0001", "AGE": "65+", "SEX": "Male", "RACE": "White, non-Hispanic",
     "REGION": "Northeast"},
    {"persona_id": "p0002", "AGE": "18-24", "SEX": "Female", "RACE": "Hispanic, born in the US",
     "REGION": "West"},
]  # fmt: skip
OBJECTIVE = {
    "EDUCATION": "BA",
    "EMPLOYMENT_STATUS": "Retired",
    "OCCUPATION": "None",
    "ANNUAL_PERSONAL_INCOME_USD": 38000,
    "MARITAL_STATUS": "Married",
    "HOUSEHOLD_SIZE": 2,
    "CITIZENSHIP": "US citizen by birth",
    "URBANICITY": "Rural",
}
SUBJECTIVE = {"EDUCATION": "Graduate degree", "RELIGION": "Catholic", "IDEOLOGY": "Moderate",
              "RELIGIOUS_ATTENDANCE": "Never", "PARTY": "Other or none",
              "BIG_FIVE": {"OPENNESS": 2, "NEUROTICISM": 5}, "LIFESTYLE": "Quiet."}  # fmt: skip


def write_sample(base, answer="Approve", probability=40):
    folder = base / "silicon_pew2013"
    folder.mkdir(parents=True)
    pd.DataFrame(META).to_csv(folder / "meta_personas.csv", index=False)
    gen = {
        "objective_table": lambda m: {"persona": {**m, **OBJECTIVE}},
        "subjective_table": lambda m: {"persona": {**m, **SUBJECTIVE}},
        "descriptive": lambda m: {"text": f"I am {m['persona_id']}."},
    }
    for part, meta in zip((1, 2), META, strict=True):
        core = {k: v for k, v in meta.items() if k != "persona_id"}
        pid = meta["persona_id"]
        for tier, make in gen.items():
            body = make({**core, "persona_id": pid}) if tier == "descriptive" else make(core)
            line = {"persona_id": pid, "tier": tier, **body}
            (folder / f"gen_{tier}_{part}.jsonl").write_text(json.dumps(line) + "\n")
        for tier in TIERS:
            line = {"persona_id": pid, "tier": tier, "obama_approval": answer,
                    "obama_p_approve": probability, "aca_approval": "Disapprove",
                    "aca_p_approve": 10, "party": "Democrat",
                    "vote2012": "Did not vote"}  # fmt: skip
            (folder / f"sim_{tier}_{part}.jsonl").write_text(json.dumps(line) + "\n")
    return folder


def test_written_sample_shapes(tmp_path):
    write_sample(tmp_path)
    sample = read_silicon(PEW2013, data_dir=tmp_path)
    assert sample.tiers == TIERS
    meta = sample.personas["meta"]
    assert meta.data["race4"].tolist() == ["White", "Hispanic"]
    assert meta.data["hispanic"].tolist() == ["Not Hispanic", "Hispanic"]
    obj = sample.personas["objective_table"].data
    assert obj["educ5"].tolist() == ["Bachelor's"] * 2 and obj["educ3"].tolist()[0] == "College+"
    assert obj["income_personal"].tolist()[0] == "25-50k" and obj["income_usd"].tolist()[0] == 38000
    assert obj["household_size"].tolist() == [2, 2] and obj["occupation"].tolist()[0] == "None"
    subj = sample.personas["subjective_table"].data
    assert subj["party3"].tolist() == ["Independent"] * 2
    assert subj["big_five_neuroticism"].tolist() == [5, 5] and "lifestyle" in subj
    assert sample.personas["descriptive"].data["text"].tolist()[1] == "I am p0002."
    r = sample.responses
    assert list(r.columns) == ["persona_id", "tier", "question", "answer", "probability",
                               "probability_of"]  # fmt: skip
    assert len(r) == 2 * 4 * 4
    row = r[(r.tier == "meta") & (r.question == "obama_approval")].iloc[0]
    assert (row.answer, row.probability, row.probability_of) == ("Approve", 0.4, "Approve")
    assert r[r.question == "party"].probability.isna().all()
    wide = sample.answers("descriptive")
    assert wide.loc["p0002", "vote2012"] == "Did not vote"
    assert sample.answers("meta", "probability").loc["p0001", "aca_approval"] == 0.1


def test_bad_answer_and_probability(tmp_path):
    write_sample(tmp_path / "a", answer="Strongly approve")
    with pytest.raises(UnknownLevelError, match="Strongly approve"):
        read_silicon(PEW2013, data_dir=tmp_path / "a")
    sample = read_silicon(PEW2013, data_dir=tmp_path / "a", unknown="missing")
    assert sample.responses.query("question == 'obama_approval'").answer.isna().all()
    write_sample(tmp_path / "b", probability=140)
    with pytest.raises(DataError, match="0 to 100"):
        read_silicon(PEW2013, data_dir=tmp_path / "b")


def test_missing_part_and_ids(tmp_path):
    folder = write_sample(tmp_path)
    (folder / "sim_descriptive_2.jsonl").unlink()
    with pytest.raises(MissingDataFileError, match="sim_descriptive_2"):
        read_silicon(PEW2013, data_dir=tmp_path)
    (folder / "sim_descriptive_2.jsonl").write_text(
        json.dumps({"persona_id": "p0001", "obama_approval": "Approve"}) + "\n"
    )
    with pytest.raises(DataError, match="duplicates"):
        read_silicon(PEW2013, data_dir=tmp_path)


def test_real_pew2013_sample(shared_data):
    sample = read_silicon_pew2013()
    assert all(p.n == 400 for p in sample.personas.values())
    assert len(sample.responses) == 400 * 4 * 4
    meta = pd.read_csv(shared_data / "silicon_pew2013" / "meta_personas.csv")
    assert (sample.personas["meta"].data["persona_id"] == meta.persona_id).all()
    assert sample.personas["meta"].margin("region")["South"] == (meta.REGION == "South").sum()
    subj = sample.personas["subjective_table"]
    assert subj.data[["educ5", "party3", "ideology5", "religion"]].notna().all().all()
    assert not subj.provenance.extra["unmapped"]
    probs = sample.responses.probability.dropna()
    assert probs.between(0, 1).all() and len(probs) == 400 * 4 * 2


def test_real_2024_states_sample(shared_data):
    sample = read_silicon_2024_states()
    meta = sample.personas["meta"]
    assert meta.n == 816
    per_state = meta.margin("state")
    assert (per_state[per_state > 0] == 17).all() and (per_state > 0).sum() == 48
    assert per_state[["AK", "HI", "DC"]].sum() == 0
    assert meta.data["age_pew6"].notna().all()  # derived from age_acs10
    votes = sample.answers("meta")
    assert set(votes["vote2024"]) <= {"Donald Trump", "Kamala Harris"}
    assert len(sample.responses) == 816 * 4 * 4
