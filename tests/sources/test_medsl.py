"""MEDSL presidential returns -> state x year table; electoral-vote tables."""

from __future__ import annotations

import pandas as pd
import pytest

from calib.errors import DataError, MissingDataFileError
from calib.sources.electoral import APPORTIONMENT, apportionment_census, electoral_votes
from calib.sources.medsl import read_medsl_president
from calib.standard import STATE_POSTALS


def write_medsl(folder, year_old=2016):
    """Both MEDSL layouts for all 51 states: D 60, R 40 everywhere, with twists in NY and ME."""
    folder.mkdir()
    old, new = [], []
    for st in STATE_POSTALS:
        old += [
            (year_old, st, "CLINTON, HILLARY", "DEMOCRAT", 60),
            (year_old, st, "TRUMP, DONALD J.", "REPUBLICAN", 40),
        ]
        new += [
            (2024, st, "HARRIS, KAMALA D.", "DEMOCRAT", 40),
            (2024, st, "TRUMP, DONALD J.", "REPUBLICAN", 60),
        ]
    old += [
        (year_old, "NY", "CLINTON, HILLARY", "OTHER", 15),  # fusion line (Working Families)
        (year_old, "NY", "TRUMP, DONALD J.", "OTHER", 30),  # fusion line (Conservative)
        (year_old, "NY", "BLANK VOTE", None, 500),  # not a vote
        (year_old, "NY", None, None, 5),  # unnamed write-ins count as other
        (year_old, "VT", "SANDERS, BERNIE", "OTHER", 100),  # plurality for a third candidate
    ]
    new += [(2024, "DC", "UNDERVOTES", None, 999), (2024, "DC", "WRITE-IN", None, 10)]
    cols = ["year", "state_po", "candidate", "party_simplified"]
    o = pd.DataFrame(old, columns=[*cols, "candidatevotes"])
    o["totalvotes"] = 0
    o.to_csv(folder / "1976-2020-president.csv", index=False)
    n = pd.DataFrame(new, columns=[*cols, "votes"])
    n.to_csv(folder / "2024-president-state.csv", index=False)


def test_written_files_fusion_blank_and_splits(tmp_path):
    write_medsl(tmp_path / "medsl_president")
    table = read_medsl_president(data_dir=tmp_path)
    assert len(table) == 2 * 51
    ny = table[(table.year == 2016) & (table.state == "NY")].iloc[0]
    assert (ny.dem_votes, ny.rep_votes, ny.other_votes, ny.total_votes) == (75, 70, 5, 150)
    assert ny.dem_share_two_party == pytest.approx(75 / 145)
    vt = table[(table.year == 2016) & (table.state == "VT")].iloc[0]
    assert vt.winner == "Other" and vt.ev_dem == 0 and vt.ev_rep == 0
    dc = table[(table.year == 2024) & (table.state == "DC")].iloc[0]
    assert dc.total_votes == 110 and dc.other_votes == 10
    me = table[(table.year == 2024) & (table.state == "ME")].iloc[0]
    assert bool(me.ev_split) and (me.ev_dem, me.ev_rep) == (3, 1)
    assert table.loc[table.year == 2024, "electoral_votes"].sum() == 538
    only_2024 = read_medsl_president(years=[2024], data_dir=tmp_path)
    assert set(only_2024.year) == {2024}


def test_missing_state_and_missing_file(tmp_path):
    write_medsl(tmp_path / "medsl_president")
    path = tmp_path / "medsl_president" / "2024-president-state.csv"
    frame = pd.read_csv(path)
    frame[frame.state_po != "WY"].to_csv(path, index=False)
    with pytest.raises(DataError, match="WY"):
        read_medsl_president(years=[2024], data_dir=tmp_path)
    path.unlink()
    with pytest.raises(MissingDataFileError, match="2024-elections-official"):
        read_medsl_president(years=[2024], data_dir=tmp_path)


def test_electoral_tables():
    for census, table in APPORTIONMENT.items():
        assert sum(table.values()) == 538, census
        assert min(table.values()) == 3 and table["DC"] == 3
    assert apportionment_census(2000) == 1990
    assert apportionment_census(2008) == 2000
    assert apportionment_census(2020) == 2010
    assert apportionment_census(2024) == 2020
    # Known values: California 54 (2000), 55 (2004-2020), 54 (2024); New York 33, 31, 29, 28.
    assert [electoral_votes(y)["CA"] for y in (2000, 2004, 2012, 2024)] == [54, 55, 55, 54]
    assert [electoral_votes(y)["NY"] for y in (2000, 2004, 2012, 2024)] == [33, 31, 29, 28]
    with pytest.raises(DataError):
        electoral_votes(2002)


# Pledged electoral votes (D, R) of each election (National Archives), and the national popular
# vote of the two nominees as summed by MEDSL (its PROVENANCE.md gives 2020 and 2024 totals).
PLEDGED = {2000: (267, 271), 2004: (252, 286), 2008: (365, 173), 2012: (332, 206),
           2016: (232, 306), 2020: (306, 232), 2024: (226, 312)}  # fmt: skip


def test_real_files_reproduce_the_electoral_college(shared_data):
    table = read_medsl_president(years=range(2000, 2025, 4))
    assert len(table) == 7 * 51
    totals = table.groupby("year")[["ev_dem", "ev_rep"]].sum()
    for year, (d, r) in PLEDGED.items():
        assert tuple(totals.loc[year]) == (d, r), year
    national = table.groupby("year")[["dem_votes", "rep_votes"]].sum()
    assert tuple(national.loc[2024]) == (75_017_613, 77_302_580)
    assert national.loc[2020, "rep_votes"] == 74_216_146
    # Fusion lines summed: Clinton's certified 65,853,514 vs 65.68 M from the DEMOCRAT lines only.
    assert national.loc[2016, "dem_votes"] == pytest.approx(65_853_514, abs=200)
    # MEDSL spells Romney "MITT, ROMNEY" in Washington 2012: matched within the state.
    assert national.loc[2012, "rep_votes"] == pytest.approx(60_933_504, abs=2_000)
    pa = table[(table.year == 2020) & (table.state == "PA")].iloc[0]
    assert pa.winner == "D" and pa.dem_share_two_party == pytest.approx(0.506, abs=0.001)
    assert table.dem_share_two_party.between(0.2, 0.96).all()
