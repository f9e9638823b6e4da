"""Pew December 2013 reader and ACS 2017 target: factor levels, weights, written files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from calib.errors import DataError, MissingDataFileError
from calib.sources.pew import AGE, EDUC, PARTY, RACE, read_pew_acs2017_target, read_pew_dec13


def test_maps_cover_every_factor_level(shared_data):
    levels = json.loads((shared_data / "pewmethods_pew_acs" / "factor_levels.json").read_text())
    dec = levels["dec13_excerpt"]
    assert set(dec["recage"]) == set(AGE)
    assert set(dec["receduc"]) == set(EDUC)
    assert set(dec["racethn2"]) == set(RACE)
    assert set(dec["party"]) == set(PARTY)


def test_real_survey_weights_and_published_toplines(shared_data):
    pew = read_pew_dec13()
    assert pew.n == 2001
    assert pew.total_weight == pytest.approx(7198.7, abs=0.05)  # PROVENANCE.md
    share = pew.data.assign(w=pew.weights).groupby("obama_approval").w.sum() / pew.total_weight
    # PROVENANCE.md: 45.3% approve, 48.8% disapprove (Pew final weight).
    assert share["Approve"] == pytest.approx(0.453, abs=0.0005)
    assert share["Disapprove"] == pytest.approx(0.488, abs=0.0005)
    answered = pew.data.party3.notna()
    party = pew.data[answered].assign(w=pew.weights[answered]).groupby("party", observed=True).w
    shares = party.sum() / party.sum()[["Republican", "Democrat", "Independent"]].sum()
    assert shares["Democrat"] == pytest.approx(0.360, abs=0.0005)
    assert pew.data["age_pew6"].isna().sum() == 40  # "DK/Ref"


def test_real_acs2017_target(shared_data):
    target = read_pew_acs2017_target()
    assert target.relative and target.total == 1.0
    raw = pd.read_csv(shared_data / "pewmethods_pew_acs" / "acs_2017_excerpt.csv")
    male_young_hs = raw.query(
        "sex == 'Male' and recage == '18-24' and receduc == 'HS grad or less'"
    )
    joint = target.joint()
    assert joint[("Male", "18-24", "HS or less")] == pytest.approx(
        male_young_hs.weight.iloc[0] / raw.weight.sum()
    )
    assert target.margin("educ3").sum() == pytest.approx(1.0)


def write_pew(folder, extra_row=None):
    folder.mkdir()
    levels = {
        "dec13_excerpt": {
            "cregion": ["Northeast", "Midwest", "South", "West"],
            "q1": ["Approve", "Disapprove", "Don't know/Refused (VOL.)"],
            "sex": ["Male", "Female"],
            "recage": ["18-24", "25-34", "35-44", "45-54", "55-64", "65+", "DK/Ref"],
            "receduc": ["HS grad or less", "Some coll/Assoc degree", "Coll+", "DK/Ref"],
            "racethn2": ["White~Hisp", "Black~Hisp", "Hisp, born in US",
                         "Hisp, born outside US", "Other", "Ref"],
            "party": list(PARTY),
        },
        "acs_2017_excerpt": {"sex": ["Male", "Female"]},
    }  # fmt: skip
    (folder / "factor_levels.json").write_text(json.dumps(levels))
    rows = [
        (1, "South", "Approve", "", "Approve", "Female", "65+", "Coll+", "Hisp, born in US",
         "No preference (VOL.)", "", 2.0, 1.0, 0.0),
        (2, "West", "Disapprove", "", "Approve", "Male", "DK/Ref", "HS grad or less",
         "White~Hisp", "Republican", "", 3.0, 1.0, 1.0),
    ]  # fmt: skip
    if extra_row:
        rows.append(extra_row)
    cols = ["psraid", "cregion", "q1", "q2", "q45", "sex", "recage", "receduc", "racethn2",
            "party", "partyln", "weight", "llweight", "cellweight"]  # fmt: skip
    pd.DataFrame(rows, columns=cols).to_csv(folder / "dec13_excerpt.csv", index=False)


def test_written_file(tmp_path):
    write_pew(tmp_path / "pewmethods_pew_acs")
    pew = read_pew_dec13(data_dir=tmp_path)
    assert pew.total_weight == 5.0
    assert pew.data["race4"].tolist() == ["Hispanic", "White"]
    assert pew.data["hispanic"].tolist() == ["Hispanic", "Not Hispanic"]
    assert pew.data["party3"].tolist() == ["Independent", "Republican"]
    assert pew.data["educ3"].tolist() == ["College+", "HS or less"]
    assert pd.isna(pew.data["age_pew6"][1])
    assert read_pew_dec13(data_dir=tmp_path, weight="llweight").total_weight == 2.0
    with pytest.raises(DataError, match="weights"):
        read_pew_dec13(data_dir=tmp_path, weight="pweight")


def test_value_outside_factor_levels(tmp_path):
    bad = (3, "South", "Approve", "", "", "Female", "30-39", "Coll+", "Other", "Democrat", "",
           1.0, 1.0, 1.0)  # fmt: skip
    write_pew(tmp_path / "pewmethods_pew_acs", extra_row=bad)
    with pytest.raises(DataError, match="30-39"):
        read_pew_dec13(data_dir=tmp_path)


def test_missing_files(tmp_path):
    with pytest.raises(MissingDataFileError, match="pewmethods"):
        read_pew_dec13(data_dir=tmp_path)
    with pytest.raises(MissingDataFileError, match="acs_2017_excerpt"):
        read_pew_acs2017_target(data_dir=tmp_path)
