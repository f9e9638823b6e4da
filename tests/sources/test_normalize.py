"""Free-text normalisation of LLM persona values."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calib.errors import UnknownLevelError
from calib.sources.normalize import match_value, normalize_values
from calib.standard import STANDARD

CASES = {
    "educ5": {
        "BA": "Bachelor's",
        "B.A.": "Bachelor's",
        "college grad": "Bachelor's",
        "Bachelor's degree": "Bachelor's",
        "Bachelor’s degree in nursing": "Bachelor's",
        "4-year degree": "Bachelor's",
        "High school graduate": "HS grad",
        "GED": "HS grad",
        "HS diploma": "HS grad",
        "Less than high school": "Less than HS",
        "did not finish high school": "Less than HS",
        "9th grade": "Less than HS",
        "Some college or associate degree": "Some college",
        "Associate's degree": "Some college",
        "some college, no degree": "Some college",
        "Graduate degree": "Postgrad",
        "Master's degree": "Postgrad",
        "PhD": "Postgrad",
        "J.D.": "Postgrad",
        "college graduate": "Bachelor's",
    },
    "party3": {
        "Democrat": "Democrat",
        "Democratic": "Democrat",
        "GOP": "Republican",
        "Other or none": "Independent",
        "Independent (leans Democrat)": "Independent",
    },
    "employment": {
        "Employed full-time": "Full-time",
        "Employed part-time": "Part-time",
        "Not in labor force, other": "Other NILF",
        "retired": "Retired",
    },
    "race5": {
        "White, non-Hispanic": "White",
        "Black": "Black",
        "Other or multiracial": "Other",
        "Hispanic, born in the US": "Hispanic",
    },
    "race4": {
        "Hispanic, born outside the US": "Hispanic",
        "Other race, non-Hispanic": "Other",
        "Black, non-Hispanic": "Black",
    },
    "citizen": {
        "US citizen by birth": "Citizen",
        "Naturalized citizen": "Citizen",
        "Not a US citizen": "Not a citizen",
    },
    "state": {"new york": "NY", "District of Columbia": "DC", "tx": "TX"},
    "vote_pres": {"Barack Obama": "Democrat", "Mitt Romney": "Republican",
                  "Someone else": "Other", "Did not vote": "Did not vote"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_known_variants(name):
    for text, level in CASES[name].items():
        assert match_value(text, name) == level, text


def test_template_value_lists_map_exactly(shared_data):
    """Every allowed value in the persona templates (PROMPTS.md) maps to a level."""
    text = (shared_data / "silicon_pew2013" / "PROMPTS.md").read_text()
    lists = {
        "EDUCATION": "educ5",
        "EMPLOYMENT_STATUS": "employment",
        "MARITAL_STATUS": "marital",
        "URBANICITY": "urbanicity",
        "CITIZENSHIP": "citizen",
        "RELIGION": "religion",
        "RELIGIOUS_ATTENDANCE": "attendance",
        "IDEOLOGY": "ideology5",
        "PARTY": "party3",
    }
    import re

    for key, name in lists.items():
        line = re.search(rf"- {key}: one of (.*)", text).group(1)
        values = re.findall(r'"([^"]+)"', line)
        assert len(values) >= 2
        out = normalize_values(pd.Series(values), name)
        assert out.values.notna().all(), (key, values)
        assert not out.unmapped


def test_unknown_values_raise_or_are_recorded():
    values = pd.Series(["BA", "wizard school", None, "wizard school"])
    with pytest.raises(UnknownLevelError, match="wizard school"):
        normalize_values(values, "educ5")
    out = normalize_values(values, "educ5", unknown="missing")
    assert out.unmapped == {"wizard school": 2} and out.policy == "missing"
    assert out.values.isna().tolist() == [False, True, True, True]
    out = normalize_values(values, "educ5", unknown="Some college")
    assert out.values.tolist()[1] == "Some college"
    extra = normalize_values(values, "educ5", extra={"wizard school": "Postgrad"})
    assert extra.values.tolist()[1] == "Postgrad"


@given(st.sampled_from(sorted(n for n in STANDARD.categorical_names if n != "state")))
def test_every_level_and_label_maps_to_itself(name):
    variable = STANDARD[name]
    for level in variable.levels:
        assert match_value(level, name) == level
        assert match_value(variable.label(level).upper(), name) == level
