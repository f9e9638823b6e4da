"""ACS PUMS readers and code recoders: written files in both layouts, and the real NIST files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError, MissingDataFileError, UnknownLevelError
from calib.sources.acs import read_nist_excerpt, read_pums
from calib.sources.acs_codes import (
    EDU_EDUC5,
    MSP_MARITAL,
    RAC1P_RACE7,
    pums_to_standard,
    replicate_weight_matrix,
)


def census_rows() -> pd.DataFrame:
    """Six people in the Census psam_p layout, with hand-known standard values."""
    frame = pd.DataFrame(
        {
            "RT": ["P"] * 6,
            "SERIALNO": ["2019HU01", "2019HU01", "2019HU02", "2019GQ03", "2019HU04", "2019HU05"],
            "SPORDER": [1, 2, 1, 1, 1, 1],
            "PUMA": ["00503", "00503", "03710", "00100", "00100", "00503"],
            "ST": [25, 25, 36, 38, 38, 25],
            "ADJINC": [1010145] * 6,
            "PWGTP": [10, 20, 30, 40, 50, 60],
            "AGEP": [17, 18, 44, 45, 85, 64],
            "CIT": [1, 1, 5, 4, 1, 1],
            "SCHL": [14, 16, 21, 22, 24, 19],
            "SEX": [1, 2, 2, 1, 2, 1],
            "MAR": [5, 5, 1, 3, 2, 4],
            "HISP": [1, 2, 1, 24, 1, 1],
            "RAC1P": [1, 1, 2, 6, 7, 9],
            "PINCP": [0, 9000, 60000, 150000, 20000, 148600],
        }
    )
    for r in range(1, 81):
        frame[f"PWGTP{r}"] = frame["PWGTP"] + r
    return frame


EXPECTED = pd.DataFrame(  # the five adults (row 0 is 17)
    {
        "person_id": ["2019HU01-2", "2019HU02-1", "2019GQ03-1", "2019HU04-1", "2019HU05-1"],
        "state": ["MA", "NY", "ND", "ND", "MA"],
        "age_pew6": ["18-24", "35-44", "45-54", "65+", "55-64"],
        "age_acs10": ["18-19", "35-44", "45-54", "85+", "55-64"],
        "race5": ["Hispanic", "Black", "Hispanic", "Other", "Other"],
        "race7": ["Hispanic", "Black", "Hispanic", "NHPI", "Other"],
        "educ5": ["HS grad", "Bachelor's", "Postgrad", "Postgrad", "Some college"],
        "marital": ["Never married", "Married", "Divorced", "Widowed", "Separated"],
        "citizen": ["Citizen", "Not a citizen", "Citizen", "Citizen", "Citizen"],
        # PINCP * ADJINC / 1e6: 148600 * 1.010145 = 150107.5 -> 150k+
        "income_personal": ["<10k", "50-75k", "150k+", "10-25k", "150k+"],
    }
)


def check_expected(pop):
    for col in EXPECTED:
        assert pop.data[col].astype(str).tolist() == EXPECTED[col].tolist(), col
    assert pop.total_weight == 20 + 30 + 40 + 50 + 60
    reps = replicate_weight_matrix(pop.data)
    assert reps.shape == (5, 80)
    np.testing.assert_array_equal(reps[:, 79], pop.weights + 80)


def test_census_csv_layout(tmp_path):
    path = tmp_path / "psam_p25.csv"
    census_rows().to_csv(path, index=False)
    pop = read_pums(path, vintage="2019")
    check_expected(pop)
    assert pop.provenance.weight == "PWGTP"
    assert len(pop.provenance.extra["replicate_weights"]) == 80


def test_census_zip_and_tiny_chunks_give_the_same_population(tmp_path):
    rows = census_rows()
    with zipfile.ZipFile(tmp_path / "csv_pma.zip", "w") as archive:
        archive.writestr("psam_p25.csv", rows.iloc[:3].to_csv(index=False))
        archive.writestr("psam_p36.csv", rows.iloc[3:].to_csv(index=False))
        archive.writestr("ACS2019_PUMS_README.pdf", "not a csv")
    pop = read_pums(tmp_path / "csv_pma.zip", chunksize=2, progress=False)
    check_expected(pop)
    assert pop.provenance.vintage == "2019"  # from SERIALNO


def test_state_filter_and_no_replicates(tmp_path):
    path = tmp_path / "psam_p.csv"
    census_rows().to_csv(path, index=False)
    pop = read_pums(path, states=["North Dakota"], replicate_weights=False)
    assert pop.data["state"].astype(str).tolist() == ["ND", "ND"]
    with pytest.raises(DataError, match="replicate"):
        replicate_weight_matrix(pop.data)


def test_unknown_code_raises_or_is_recorded(tmp_path):
    rows = census_rows()
    rows.loc[2, "RAC1P"] = 0  # not a RAC1P code
    path = tmp_path / "psam_p36.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(UnknownLevelError, match="RAC1P"):
        read_pums(path)
    pop = read_pums(path, unknown="missing")
    assert pop.provenance.extra["unmapped"] == {"race7": {0: 1}}
    assert "unmapped" in " ".join(pop.provenance.notes)
    assert pop.data["race7"].isna().sum() == 1


def test_missing_file_names_the_source(tmp_path):
    with pytest.raises(MissingDataFileError, match=r"census\.gov"):
        read_pums(tmp_path / "psam_p99.csv")
    with pytest.raises(MissingDataFileError, match="nist_acs_excerpts"):
        read_nist_excerpt("ma2019", data_dir=tmp_path)


def test_nist_layout_written_file(tmp_path):
    folder = tmp_path / "nist_acs_excerpts"
    folder.mkdir()
    (folder / "tx2019.csv").write_text(
        "PUMA,AGEP,SEX,MSP,HISP,RAC1P,EDU,PINCP,PWGTP\n"
        "48-02510,34,1,1,0,1,9,52000.0,12\n"
        "48-02510,8,2,N,1,1,3,N,7\n"
        "06-07502,70,2,3,1,8,12,N,5\n"
    )
    pop = read_nist_excerpt("tx2019", data_dir=tmp_path)
    assert pop.n == 2 and pop.total_weight == 17
    assert pop.data["state"].astype(str).tolist() == ["TX", "CA"]
    assert pop.data["race5"].astype(str).tolist() == ["White", "Hispanic"]
    assert pop.data["educ4"].astype(str).tolist() == ["Bachelor's", "Postgrad"]
    assert pop.data["income_personal"].isna().tolist() == [False, True]
    assert pop.provenance.vintage == "ACS 2019 1-year PUMS"
    assert "{'income_personal': 1}" in " ".join(pop.provenance.notes)


def test_code_tables_cover_the_nist_data_dictionary(shared_data):
    """Every code in NIST's data_dictionary.json is mapped, to the level its label says."""
    dictionary = json.loads(
        (shared_data / "nist_acs_excerpts" / "data_dictionary.json").read_text()
    )
    edu = {int(k): v for k, v in dictionary["EDU"]["values"].items() if k != "N"}
    assert set(edu) == set(EDU_EDUC5)
    keyword = {
        "Bachelor's": "Bachelors",
        "Postgrad": ("Masters", "Professional", "Doctorate"),
        "Some college": ("Some College", "Associate"),
        "HS grad": ("High School diploma", "GED"),
    }
    for code, level in EDU_EDUC5.items():
        words = keyword.get(level)
        if words is None:
            assert "grade" in edu[code].lower() or "school" in edu[code].lower()
        else:
            words = (words,) if isinstance(words, str) else words
            assert any(w in edu[code] for w in words), (code, edu[code], level)
    race = {int(k): v for k, v in dictionary["RAC1P"]["values"].items()}
    assert set(race) == set(RAC1P_RACE7)
    assert "Asian" in race[6] and RAC1P_RACE7[6] == "Asian"
    assert "Pacific" in race[7] and RAC1P_RACE7[7] == "NHPI"
    msp = {int(k): v for k, v in dictionary["MSP"]["values"].items() if k != "N"}
    assert set(msp) == set(MSP_MARITAL)
    for code, label in msp.items():
        assert MSP_MARITAL[code].split()[0].lower()[:4] in label.lower().replace("now ", ""), label
    assert dictionary["HISP"]["values"]["0"].startswith("Not")


def test_real_nist_excerpt_matches_hand_totals(shared_data):
    raw = pd.read_csv(shared_data / "nist_acs_excerpts" / "ma2019.csv", na_values="N")
    adults = raw[raw.AGEP >= 18]
    pop = read_nist_excerpt("ma2019")
    assert pop.n == len(adults)
    assert pop.total_weight == adults.PWGTP.sum()
    hispanic = adults.loc[adults.HISP > 0, "PWGTP"].sum()
    assert pop.margin("race5")["Hispanic"] == hispanic
    ba = adults.loc[adults.EDU == 9, "PWGTP"].sum()
    assert pop.margin("educ5")["Bachelor's"] == ba
    assert set(pop.data["state"].astype(str)) == {"MA"}
    assert "NOT nationally representative" in pop.provenance.notes[0]


def test_recoder_needs_core_columns():
    with pytest.raises(DataError, match="HISP"):
        pums_to_standard(pd.DataFrame({"AGEP": [30], "SEX": [1], "RAC1P": [1]}))
