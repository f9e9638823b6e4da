"""The standard schema, state table and coding maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calib.errors import SchemaError, UnknownLevelError, UnknownVariableError
from calib.standard import (
    STANDARD,
    STATE_FIPS,
    STATE_ICPSR,
    STATE_REGION,
    STATES,
    age_bracket,
    convert,
    income_bracket,
    level_map,
    standard_schema,
    state_from_fips,
    state_from_icpsr,
    state_from_name,
)

BRIEF_NAMES = [
    "age",
    "age_pew6",
    "age_acs10",
    "age_cvap4",
    "age_b15001_5",
    "sex",
    "race4",
    "race5",
    "race7",
    "hispanic",
    "educ3",
    "educ4",
    "educ5",
    "income_personal",
    "income_household",
    "region",
    "division",
    "state",
    "party3",
    "party7",
    "ideology5",
    "ideology7",
    "vote_pres",
    "religion",
    "attendance",
    "employment",
    "marital",
    "urbanicity",
    "citizen",
]


def test_every_agreed_name_is_standard():
    assert set(BRIEF_NAMES) == set(STANDARD.names)
    assert standard_schema(["sex", "state"]).names == ("sex", "state")
    with pytest.raises(UnknownVariableError):
        standard_schema(["agegroup"])


def test_state_table_facts():
    assert len(STATES) == 51
    fips = [s.fips for s in STATES]
    assert fips == sorted(fips) and len(set(fips)) == 51
    assert len(set(STATE_ICPSR.values())) == 51
    counts = pd.Series(STATE_REGION).value_counts().to_dict()
    # Census: Northeast 9 states, Midwest 12, South 16 + DC, West 13.
    assert counts == {"South": 17, "Midwest": 12, "West": 13, "Northeast": 9}
    assert STANDARD["state"].levels[:3] == ("AL", "AK", "AZ")
    assert STANDARD["state"].label("DC") == "District of Columbia"
    assert state_from_fips("06") == "CA" and state_from_fips(56) == "WY"
    assert state_from_icpsr(71) == "CA" and state_from_icpsr(1) == "CT"
    assert state_from_name("Rhode Island") == "RI"
    with pytest.raises(UnknownLevelError):
        state_from_fips(72)  # Puerto Rico is not a state
    with pytest.raises(UnknownLevelError):
        state_from_name("Narnia")


def test_age_brackets_at_the_edges():
    ages = pd.Series([18, 19, 20, 24, 25, 29, 30, 34, 35, 44, 45, 64, 65, 74, 75, 84, 85, 99])
    got = age_bracket(ages, "age_acs10").tolist()
    assert got == [
        "18-19", "18-19", "20-24", "20-24", "25-29", "25-29", "30-34", "30-34", "35-44",
        "35-44", "45-54", "55-64", "65-74", "65-74", "75-84", "75-84", "85+", "85+",
    ]  # fmt: skip
    assert age_bracket(pd.Series([44.9]), "age_pew6").tolist() == ["35-44"]
    with pytest.raises(UnknownLevelError, match="17"):
        age_bracket(pd.Series([17, 30]), "age_pew6")
    out = age_bracket(pd.Series([17, 30, np.nan]), "age_pew6", unknown="missing")
    assert out.isna().tolist() == [True, False, True]


@given(st.integers(min_value=18, max_value=110))
def test_single_year_then_acs10_equals_direct(age):
    """Going through age_acs10 gives the same bracket as going direct, for every target."""
    s = pd.Series([age])
    acs10 = age_bracket(s, "age_acs10")
    for target in ("age_pew6", "age_cvap4", "age_b15001_5"):
        assert convert(acs10, "age_acs10", target).tolist() == age_bracket(s, target).tolist()


def test_non_nesting_brackets_raise():
    with pytest.raises(SchemaError, match="25-34"):
        level_map("age_pew6", "age_cvap4")
    assert level_map("age_pew6", "age_b15001_5")["55-64"] == "45-64"


def test_chains_and_directions():
    assert level_map("educ5", "educ3") == {
        "Less than HS": "HS or less",
        "HS grad": "HS or less",
        "Some college": "Some college",
        "Bachelor's": "College+",
        "Postgrad": "College+",
    }
    assert level_map("race7", "race4")["NHPI"] == "Other"
    assert level_map("race7", "hispanic")["Hispanic"] == "Hispanic"
    assert level_map("state", "region")["DC"] == "South"
    assert level_map("party7", "party3")["Lean Republican"] == "Independent"
    with pytest.raises(SchemaError, match="no map"):
        level_map("educ3", "educ5")
    for a, b in [("educ5", "educ4"), ("race5", "race4"), ("state", "division")]:
        assert set(level_map(a, b).values()) == set(STANDARD[b].levels)  # onto


def test_convert_keeps_missing_and_rejects_non_levels():
    out = convert(pd.Series(["Postgrad", None], index=[5, 9]), "educ5", "educ3")
    assert out.index.tolist() == [5, 9]
    assert out.iloc[0] == "College+" and pd.isna(out.iloc[1])
    with pytest.raises(UnknownLevelError, match="PhD"):
        convert(pd.Series(["PhD"]), "educ5", "educ3")


def test_income_brackets():
    got = income_bracket(pd.Series([-500, 9999, 10000, 149999, 150000, None])).tolist()
    assert got[:5] == ["<10k", "<10k", "10-25k", "100-150k", "150k+"] and pd.isna(got[5])
    assert income_bracket(pd.Series([199_999, 200_000]), "income_household").tolist() == [
        "150-200k",
        "200k+",
    ]


def test_fips_table_matches_census_pep_file(shared_data):
    """Our FIPS/name/region/division table agrees with the Census PEP file's own columns."""
    pep = pd.read_csv(
        shared_data / "census_state_tables" / "pep_v2019_sc-est2019-agesex-civ.csv",
        usecols=["SUMLEV", "REGION", "DIVISION", "STATE", "NAME"],
    ).drop_duplicates()
    pep = pep[pep.STATE > 0]
    regions = {1: "Northeast", 2: "Midwest", 3: "South", 4: "West"}
    divisions = STANDARD["division"].levels
    assert len(pep) == 51
    for row in pep.itertuples():
        postal = state_from_fips(row.STATE)
        assert STANDARD["state"].label(postal) == row.NAME
        assert STATE_REGION[postal] == regions[row.REGION]
        assert (
            convert(pd.Series([postal]), "state", "division").iloc[0] == divisions[row.DIVISION - 1]
        )
    assert STATE_FIPS["TX"] == 48
