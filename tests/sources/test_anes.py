"""ANES x GPT-3 (Argyle et al.) reader: codebook codes on written files and the real files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError, MissingDataFileError, UnknownLevelError
from calib.sources.anes import COLUMNS, read_argyle_anes


def write_2016(folder, **overrides):
    c = COLUMNS[2016]
    frame = pd.DataFrame(
        {
            c["case_id"]: [300001, 300002, 300003, 300004],
            c["p_rep"]: [0.9, 0.2, 0.5, 0.3],
            c["p_dem"]: [0.1, 0.6, 0.5, 0.7],
            c["vote"]: [2, 1, -2, -2],
            c["race"]: [1, 5, 3, -2],
            c["discuss"]: [1, 2, 1, -6],  # the 4th has no post-election interview
            c["ideology"]: [7, 1, 99, 4],
            c["party"]: [7, 1, 4, 3],
            c["church"]: [1, 2, 1, -9],
            c["age"]: [29, 90, -9, 45],
            c["sex"]: [1, 2, 3, 2],
            c["interest"]: [1, 4, 2, -6],
            c["flag"]: [1, 7, 4, -6],
            c["state"]: [22, 6, 56, 11],
        }
    )
    for key, value in overrides.items():
        frame[c[key]] = value
    folder.mkdir(exist_ok=True)
    frame.to_csv(folder / "full_results_2016_2.csv", index=False)


def test_written_2016_file_codes(tmp_path):
    write_2016(tmp_path / "argyle2023_anes_gpt3")
    pop = read_argyle_anes(2016, data_dir=tmp_path)
    d = pop.data
    assert d["state"].astype(str).tolist() == ["LA", "CA", "WY", "DC"]
    assert d["race5"].tolist()[:3] == ["White", "Hispanic", "Asian"] and pd.isna(d["race5"][3])
    assert d["party7"].astype(str).tolist() == [
        "Strong Republican", "Strong Democrat", "Independent", "Lean Democrat",
    ]  # fmt: skip
    assert d["party3"].astype(str).tolist() == ["Republican", "Democrat", "Independent",
                                                "Independent"]  # fmt: skip
    assert d["ideology7"].tolist()[:2] == ["Extremely conservative", "Extremely liberal"]
    assert pd.isna(d["ideology7"][2])  # 99 = haven't thought about it
    # -2 with a post interview = did not vote; -2 without one (-6 in V162174) = unknown.
    assert d["vote_pres"].tolist()[:3] == ["Republican", "Democrat", "Did not vote"]
    assert pd.isna(d["vote_pres"][3])
    np.testing.assert_allclose(d["vote_dem"].to_numpy()[:2], [0.0, 1.0])
    assert d["vote_dem"][2:].isna().all()
    np.testing.assert_allclose(d["gpt3_p_dem_two_party"], [0.1, 0.75, 0.5, 0.7])
    assert pd.isna(d["sex"][2])  # code 3 "other" has no standard level
    assert d["age_pew6"].tolist()[1] == "65+" and pd.isna(d["age"][2])
    assert pop.total_weight == 4
    assert "vote_pres" in pop.provenance.notes[-1]


def test_codes_outside_the_codebook(tmp_path):
    write_2016(tmp_path / "argyle2023_anes_gpt3", party=[8, 1, 4, 3])
    with pytest.raises(UnknownLevelError, match="V161158x"):
        read_argyle_anes(2016, data_dir=tmp_path)
    pop = read_argyle_anes(2016, data_dir=tmp_path, unknown="missing")
    assert pop.provenance.extra["unmapped"] == {"party7": {8: 1}}
    write_2016(tmp_path / "argyle2023_anes_gpt3", vote=[2, 1, 12, -2])
    with pytest.raises(DataError, match="12"):
        read_argyle_anes(2016, data_dir=tmp_path)


def test_missing_file_and_year(tmp_path):
    with pytest.raises(MissingDataFileError, match="out_of_one_many"):
        read_argyle_anes(2012, data_dir=tmp_path)
    with pytest.raises(DataError, match="2020"):
        read_argyle_anes(2020, data_dir=tmp_path)


@pytest.mark.parametrize("year", [2012, 2016])
def test_real_files(shared_data, year):
    raw = pd.read_csv(shared_data / "argyle2023_anes_gpt3" / f"full_results_{year}_2.csv")
    pop = read_argyle_anes(year)
    c = COLUMNS[year]
    assert pop.n == len(raw)
    # Vote codes 1/2 are the Democratic / Republican nominee in both years' codebooks.
    assert (pop.data["vote_pres"] == "Democrat").sum() == (raw[c["vote"]] == 1).sum()
    assert (pop.data["vote_pres"] == "Republican").sum() == (raw[c["vote"]] == 2).sum()
    # State codes are FIPS in both years (no value in FIPS's unused codes 3, 7, 14, 43, 52).
    assert not set(raw[c["state"]]) & {3, 7, 14, 43, 52}
    assert pop.data["state"].notna().all()
    # GPT-3 separates the two-party voters well (Argyle et al. report ~0.9 accuracy).
    two_party = pop.data.dropna(subset=["vote_dem"])
    accuracy = ((two_party.gpt3_p_dem_two_party > 0.5) == (two_party.vote_dem == 1)).mean()
    assert accuracy > 0.8
    # Party ID and ideology agree in direction: strong Republicans are more conservative.
    d = pop.data.dropna(subset=["party7", "ideology7"])
    codes = d["ideology7"].cat.codes
    assert (
        codes[d.party7 == "Strong Republican"].mean() > codes[d.party7 == "Strong Democrat"].mean()
    )


def test_task3_written_and_real(tmp_path, shared_data):
    from calib.sources.anes import TASK3_ITEMS, read_argyle_task3

    folder = tmp_path / "argyle2023_anes_gpt3"
    folder.mkdir()
    frame = pd.DataFrame({"V160001_orig": [300001, 300002]})
    for anes, gpt3 in TASK3_ITEMS.values():
        frame[anes] = [1, -9]
        frame[gpt3] = [-1, 2]
    frame.to_csv(folder / "anesgpt3_task3_temp10.csv")
    long = read_argyle_task3("1.0", data_dir=tmp_path)
    assert len(long) == 2 * 12
    first = long[long.item == "pid7"]
    assert first.real.tolist()[0] == 1 and pd.isna(first.real.tolist()[1])
    assert pd.isna(first.gpt3.tolist()[0]) and first.gpt3.tolist()[1] == 2
    with pytest.raises(DataError, match="temperature"):
        read_argyle_task3("2.0", data_dir=tmp_path)
    real = read_argyle_task3()
    assert len(real) == 4270 * 12
    voted = real[(real.item == "voted_2016")].dropna()
    assert ((voted.real == voted.gpt3).mean()) > 0.75  # same 1 = voted / 0 = not coding
