"""MEDSL presidential returns by state -> a tidy state x year results table.

Reads the MIT Election Data + Science Lab files ``1976-2020-president.csv`` and
``2024-president-state.csv`` (``medsl_president/`` in the data directory).

Rules (documented in the output's ``attrs["notes"]``):

- In each state, the Democratic (Republican) nominee is the candidate with the most votes on
  lines whose ``party_simplified`` is DEMOCRAT (REPUBLICAN); the nominee's votes are the sum over
  all of that candidate's lines in the state (fusion voting: e.g. NY 2016 Clinton on the
  Democratic, Working Families and Women's Equality lines). Matching within the state copes with
  spelling variants (MEDSL writes "MITT, ROMNEY" for Washington 2012). ``dem_candidate`` and
  ``rep_candidate`` give the name with the most such votes nationally.
- ``total_votes`` is the sum of candidate votes, write-ins and scattering, without blank, void,
  over- and under-vote rows (MEDSL's ``totalvotes`` includes them in some states and years).
- ``winner`` is the party of the statewide plurality winner; ``electoral_votes`` is the state's
  pledged electors (:mod:`calib.sources.electoral`); ``ev_dem`` / ``ev_rep`` split them, with
  Maine and Nebraska's district electors as certified (``ev_split`` marks those rows).

Examples
--------
>>> table = read_medsl_president(years=[2020])  # doctest: +SKIP
>>> table.loc[table.state == "PA", ["dem_share_two_party", "winner"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.sources._common import PathLike, locate
from calib.sources.electoral import (
    DISTRICT_STATES,
    ELECTION_YEARS,
    SPLIT_ELECTORAL_VOTES,
    electoral_votes,
)
from calib.standard import STATE_NAMES, STATE_POSTALS

ORIGIN_1976 = (
    "MIT Election Data and Science Lab, 'U.S. President 1976-2020', Harvard Dataverse "
    "doi:10.7910/DVN/42MVDX (file 1976-2020-president.csv)"
)
ORIGIN_2024 = (
    "MIT Election Data and Science Lab, github.com/MEDSL/2024-elections-official "
    "(file 2024-president-state.csv)"
)
#: Candidate names that are not votes for anyone (dropped from totals).
NON_VOTES = frozenset(
    {
        "BLANK VOTE",
        "BLANK VOTES",
        "BLANK VOTE/SCATTERING",
        "BLANK VOTE/VOID VOTE/SCATTERING",
        "UNDERVOTES",
        "UNDER VOTES",
        "OVERVOTES",
        "OVER VOTE",
        "OVER VOTES",
        "VOID VOTE",
        "VOID",
    }
)
COLUMNS = (
    "year",
    "state",
    "state_name",
    "dem_candidate",
    "rep_candidate",
    "dem_votes",
    "rep_votes",
    "other_votes",
    "total_votes",
    "dem_share",
    "rep_share",
    "dem_share_two_party",
    "winner",
    "electoral_votes",
    "ev_dem",
    "ev_rep",
    "ev_split",
)


def _load_lines(data_dir: PathLike | None, years: set[int] | None) -> pd.DataFrame:
    frames = []
    if years is None or any(y <= 2020 for y in years):
        path = locate("medsl_president/1976-2020-president.csv", "MEDSL president 1976-2020",
                      ORIGIN_1976, data_dir)  # fmt: skip
        old = pd.read_csv(path, usecols=["year", "state_po", "candidate", "party_simplified",
                                         "candidatevotes"])  # fmt: skip
        frames.append(old.rename(columns={"candidatevotes": "votes"}))
    if years is None or 2024 in years:
        path = locate("medsl_president/2024-president-state.csv", "MEDSL president 2024",
                      ORIGIN_2024, data_dir)  # fmt: skip
        new = pd.read_csv(path, usecols=["year", "state_po", "candidate", "party_simplified",
                                         "votes"])  # fmt: skip
        frames.append(new)
    lines = pd.concat(frames, ignore_index=True)
    if years is not None:
        lines = lines[lines["year"].isin(years)]
    lines["candidate"] = lines["candidate"].fillna("(unnamed other)").astype(str).str.strip()
    lines["candidate"] = lines["candidate"].str.upper()
    return lines[~lines["candidate"].isin(NON_VOTES)]


def _nominee(lines: pd.DataFrame, party: str) -> pd.Series:
    party_lines = lines[lines["party_simplified"] == party]
    totals = party_lines.groupby(["year", "candidate"])["votes"].sum().reset_index()
    best = totals.sort_values("votes").groupby("year").tail(1)
    return best.set_index("year")["candidate"]


def _party_names(lines: pd.DataFrame, party: str) -> set[tuple[int, str, str]]:
    """(year, state, candidate) of the names a party's main line carries in each state.

    Matching names within a state (not nationally) copes with spelling variants such as
    MEDSL's "MITT, ROMNEY" for Washington 2012; the candidate's fusion lines in that state
    carry the same name and are summed with it.
    """
    main = lines[lines["party_simplified"] == party]
    if main.empty:
        return set()
    biggest = main.groupby(["year", "state_po", "candidate"])["votes"].sum().reset_index()
    biggest = biggest.sort_values("votes").groupby(["year", "state_po"]).tail(1)
    return set(biggest[["year", "state_po", "candidate"]].itertuples(index=False, name=None))


def read_medsl_president(
    years: Iterable[int] | None = None, data_dir: PathLike | None = None
) -> pd.DataFrame:
    """State x year presidential results from the MEDSL files.

    Parameters
    ----------
    years : iterable of int, optional
        Election years to keep (default: every year in the files, 1976-2024).
    data_dir : path-like, optional
        Raw data directory holding ``medsl_president/``.

    Returns
    -------
    pandas.DataFrame
        One row per year and state (51 per year), columns ``COLUMNS``: votes for the two major
        nominees (all their lines summed), other and total votes, shares, two-party Democratic
        share, ``winner`` ("D", "R" or "Other"), and for 2000-2024 pledged electoral votes.

    Raises
    ------
    MissingDataFileError
        If a needed MEDSL file is absent.
    DataError
        If a year has no Democratic or Republican line, or a state is missing.
    """
    wanted = None if years is None else {int(y) for y in years}
    lines = _load_lines(data_dir, wanted)
    if lines.empty:
        raise DataError(f"the MEDSL files have no presidential returns for years {sorted(wanted)}")
    dem, rep = _nominee(lines, "DEMOCRAT"), _nominee(lines, "REPUBLICAN")
    by_cand = lines.groupby(["year", "state_po", "candidate"], as_index=False)["votes"].sum()
    keys = list(by_cand[["year", "state_po", "candidate"]].itertuples(index=False, name=None))
    dem_names, rep_names = _party_names(lines, "DEMOCRAT"), _party_names(lines, "REPUBLICAN")
    by_cand["is_dem"] = [k in dem_names for k in keys]
    by_cand["is_rep"] = [k in rep_names for k in keys]
    keys = [by_cand["year"], by_cand["state_po"]]
    votes = by_cand["votes"]
    out = pd.DataFrame(
        {
            "dem_votes": votes.where(by_cand["is_dem"], 0).groupby(keys).sum(),
            "rep_votes": votes.where(by_cand["is_rep"], 0).groupby(keys).sum(),
            "total_votes": votes.groupby(keys).sum(),
            "top_other": votes.where(~by_cand["is_dem"] & ~by_cand["is_rep"], 0)
            .groupby(keys)
            .max(),
        }
    ).reset_index()
    out = out.rename(columns={"state_po": "state"})
    missing_years = [y for y in out["year"].unique() if y not in dem.index or y not in rep.index]
    if missing_years:
        raise DataError(f"no Democratic or Republican line in years {missing_years}")
    for year, group in out.groupby("year"):
        absent = sorted(set(STATE_POSTALS) - set(group["state"]))
        if absent:
            raise DataError(f"MEDSL returns for {year} lack states {absent}")
    out = out[out["state"].isin(STATE_POSTALS)].copy()
    out["state_name"] = out["state"].map(STATE_NAMES)
    out["dem_candidate"] = out["year"].map(dem)
    out["rep_candidate"] = out["year"].map(rep)
    out["other_votes"] = out["total_votes"] - out["dem_votes"] - out["rep_votes"]
    out["dem_share"] = out["dem_votes"] / out["total_votes"]
    out["rep_share"] = out["rep_votes"] / out["total_votes"]
    out["dem_share_two_party"] = out["dem_votes"] / (out["dem_votes"] + out["rep_votes"])
    top_other = out["top_other"].fillna(0)
    out["winner"] = np.where(
        (out["dem_votes"] > out["rep_votes"]) & (out["dem_votes"] > top_other),
        "D",
        np.where(out["rep_votes"] > top_other, "R", "Other"),
    )
    _electoral_columns(out)
    order = {s: i for i, s in enumerate(STATE_POSTALS)}
    out = out.sort_values(["year", "state"], key=lambda c: c.map(order) if c.name == "state" else c)
    out = out[list(COLUMNS)].reset_index(drop=True)
    out.attrs["notes"] = [
        "nominee votes sum all of the candidate's lines (fusion voting)",
        "total_votes excludes blank, void, over- and under-vote rows",
        f"electoral votes are pledged electors for {ELECTION_YEARS[0]}-{ELECTION_YEARS[-1]}; "
        f"{'/'.join(DISTRICT_STATES)} split electors by congressional district (ev_split)",
    ]
    out.attrs["source"] = "MIT Election Data and Science Lab (MEDSL)"
    return out


def _electoral_columns(out: pd.DataFrame) -> None:
    ev = pd.Series(pd.NA, index=out.index, dtype="Int64")
    ev_dem = pd.Series(pd.NA, index=out.index, dtype="Int64")
    ev_rep = pd.Series(pd.NA, index=out.index, dtype="Int64")
    split = pd.Series(False, index=out.index)
    for idx, row in out.iterrows():
        if row["year"] not in ELECTION_YEARS:
            continue
        n = electoral_votes(int(row["year"]))[row["state"]]
        ev[idx] = n
        key = (int(row["year"]), row["state"])
        if key in SPLIT_ELECTORAL_VOTES:
            ev_dem[idx], ev_rep[idx] = SPLIT_ELECTORAL_VOTES[key]
            split[idx] = True
        else:
            ev_dem[idx] = n if row["winner"] == "D" else 0
            ev_rep[idx] = n if row["winner"] == "R" else 0
    out["electoral_votes"], out["ev_dem"], out["ev_rep"], out["ev_split"] = (
        ev,
        ev_dem,
        ev_rep,
        split,
    )


__all__ = ["COLUMNS", "NON_VOTES", "read_medsl_president"]
