"""Meta-persona sampling (Target joint, any sample(n, seed) model), tabular validation and the
re-ask loop of persona generation against the scripted server."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.llm import LLMClient, SamplingParams
from calib.llm.personas import (
    generate_personas,
    sample_meta_personas,
    validate_descriptive,
    validate_tabular,
)
from calib.llm.prompts import persona_fields
from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target

SCHEMA = Schema(
    [
        Variable("sex", ("M", "F"), labels={"M": "Male", "F": "Female"}),
        Variable("age", ("18-49", "50+")),
    ]
)


def joint_target() -> Target:
    index = pd.MultiIndex.from_product([("M", "F"), ("18-49", "50+")], names=["sex", "age"])
    return Target.from_joint(pd.Series([10.0, 20.0, 30.0, 40.0], index=index), SCHEMA)


def test_meta_personas_follow_the_joint_table_and_the_seed():
    target = joint_target()
    meta = sample_meta_personas(target, n=40_000, seed=7)
    shares = meta.groupby(["sex", "age"]).size() / len(meta)
    expected = {("M", "18-49"): 0.1, ("M", "50+"): 0.2, ("F", "18-49"): 0.3, ("F", "50+"): 0.4}
    for cell, p in expected.items():
        # binomial sd at n=40,000 is <= 0.0025; allow 4 sd
        assert abs(shares[cell] - p) < 0.01
    again = sample_meta_personas(target, n=50, seed=7)
    assert again.equals(sample_meta_personas(target, n=50, seed=7))
    assert not again.equals(sample_meta_personas(target, n=50, seed=8))
    assert meta["persona_id"].is_unique


def test_meta_personas_from_any_model_with_sample():
    class FakeCopula:
        def sample(self, n, seed):
            rng = np.random.default_rng(seed)
            data = pd.DataFrame({"sex": rng.choice(["M", "F"], n), "age": ["50+"] * n})
            return Population(data, SCHEMA)

    meta = sample_meta_personas(FakeCopula(), n=5, seed=1)
    assert list(meta.columns) == ["persona_id", "sex", "age"] and len(meta) == 5


def test_margins_only_target_is_refused_with_a_remedy():
    target = Target.from_margins({"sex": [50, 50], "age": [60, 40]}, SCHEMA)
    with pytest.raises(DataError, match="copula"):
        sample_meta_personas(target, n=3)


def valid_objective(meta: dict[str, str]) -> dict:
    record = dict(meta)
    record.update(
        {
            "EDUCATION": "bachelor's degree",
            "EMPLOYMENT_STATUS": "Retired",
            "OCCUPATION": "None",
            "ANNUAL_PERSONAL_INCOME_USD": "$38,000",
            "MARITAL_STATUS": "Married",
            "HOUSEHOLD_SIZE": 2,
            "CHILDREN_UNDER_18": 0,
            "CITIZENSHIP": "US citizen by birth",
            "VETERAN": "No",
            "HEALTH_INSURANCE": "Medicare",
            "URBANICITY": "Rural",
            "HOME_OWNERSHIP": "Own",
        }
    )
    return record


def test_validate_tabular_accepts_listed_values_and_names_every_problem():
    fields = persona_fields("objective_table")
    meta = {"SEX": "Male", "AGE": "50+"}
    clean, errors = validate_tabular(valid_objective(meta), fields, meta)
    assert errors == []
    assert clean["EDUCATION"] == "Bachelor's degree"  # listed spelling
    assert clean["ANNUAL_PERSONAL_INCOME_USD"] == 38000
    bad = valid_objective(meta) | {"AGE": "30", "VETERAN": "Maybe", "HOUSEHOLD_SIZE": 0, "EXTRA": 1}
    del bad["URBANICITY"]
    _, errors = validate_tabular(bad, fields, meta)
    text = "; ".join(errors)
    for needle in (
        "missing key(s) URBANICITY",
        "unexpected key(s) EXTRA",
        "AGE must be copied",
        "VETERAN='Maybe'",
        "HOUSEHOLD_SIZE=0",
    ):
        assert needle in text


def test_validate_descriptive():
    assert validate_descriptive("Persona: " + "word " * 40, 30)[1] == []
    assert validate_descriptive("I'm sorry, I cannot do that " + "x " * 40, 30)[1]
    assert validate_descriptive("Persona: too short", 30)[1]


def test_generation_reasks_then_records_invalid_with_raw_text(fake):
    meta = pd.DataFrame({"persona_id": ["p1", "p2"], "sex": ["M", "F"], "age": ["50+", "18-49"]})

    def reply(body):
        prompt = body["messages"][0]["content"]
        if "Female" in prompt:
            return "I would rather not."  # never valid
        if len(body["messages"]) == 1:
            return '{"SEX": "Male"}'  # first try incomplete; valid on the re-ask
        return "Here: " + json.dumps(valid_objective({"SEX": "Male", "AGE": "50+"}))

    fake.reply = reply
    client = LLMClient("m", fake.base_url, params=SamplingParams(temperature=0.7, seed=3))
    personas = generate_personas(meta, "objective_table", client, schema=SCHEMA, max_attempts=3)
    rec = personas.records.set_index("persona_id")
    assert rec.loc["p1", "valid"] and rec.loc["p1", "attempts"] == 2
    assert rec.loc["p1", "persona"]["EDUCATION"] == "Bachelor's degree"
    assert not rec.loc["p2", "valid"] and rec.loc["p2", "attempts"] == 3
    assert rec.loc["p2", "raw_text"] == "I would rather not."
    assert "no complete JSON object" in rec.loc["p2", "errors"]
    # the re-ask states the problems found
    reasks = [b["messages"][-1]["content"] for b in fake.requests_seen if len(b["messages"]) > 1]
    assert any("missing key(s)" in r for r in reasks)
    assert fake.received == 2 + 3  # p1: 2 asks, p2: 3 asks
    assert personas.n_valid == 1 and len(personas.invalid) == 1
    frame = personas.to_frame()
    assert frame.loc[frame["persona_id"] == "p1", "SEX"].item() == "Male"
    assert list(personas.descriptions()) == ["p1"]


def test_descriptive_tier_and_unknown_tier(fake):
    meta = pd.DataFrame({"persona_id": ["p1"], "sex": ["M"], "age": ["50+"]})
    fake.reply = lambda body: "Persona: " + "Tom fixes tractors in Iowa. " * 12
    personas = generate_personas(meta, "descriptive", LLMClient("m", fake.base_url))
    assert personas.n_valid == 1
    assert personas.descriptions()["p1"].startswith("Persona: Tom")
    with pytest.raises(DataError, match="unknown persona tier"):
        generate_personas(meta, "vivid", LLMClient("m", fake.base_url))


def test_meta_personas_from_the_fitted_gaussian_copula():
    """Integration with calib.copula: any fitted model with sample(n, seed) is accepted."""
    from calib.copula import GaussianCopula

    schema = Schema(
        [Variable("sex", ("M", "F")), Variable("educ", ("lo", "mid", "hi"), kind="ordinal")]
    )
    table = pd.DataFrame(
        {
            "sex": ["M", "M", "M", "F", "F", "F"],
            "educ": ["lo", "mid", "hi"] * 2,
            "n": [30, 15, 5, 10, 15, 25],
        }
    )
    copula = GaussianCopula().fit_summaries(
        margins={"sex": [0.5, 0.5], "educ": [0.4, 0.3, 0.3]},
        tables={("sex", "educ"): table},
        schema=schema,
    )
    meta = sample_meta_personas(copula, n=200, seed=4)
    assert list(meta.columns) == ["persona_id", "sex", "educ"] and len(meta) == 200
    assert set(meta["educ"]) <= {"lo", "mid", "hi"}
    assert meta.equals(sample_meta_personas(copula, n=200, seed=4))
