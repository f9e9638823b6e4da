"""Inputs of the election experiment: ANES x GPT-3 respondents and MEDSL state results.

Local, minimal readers for this experiment (the files and their codes are documented in
../shared/data/argyle2023_anes_gpt3/PROVENANCE.md and ../shared/data/medsl_president/).

- :func:`read_anes_gpt3` returns one row per ANES respondent with the standard variables
  ``state`` (postal), ``race5``, ``sex``, ``age_b15001_5``, the GPT-3 probability of a
  Democratic vote (``p_silicon``: p_dem / (p_dem + p_rep)), the real vote (``vote_dem``: 1/0 for
  two-party voters, NaN otherwise) and ``voted`` (1 = reported a presidential vote).
- :func:`two_party_results` returns the real Democratic two-party share by state (candidate
  votes summed over fusion lines) and nationally.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from calib.datadir import shared_data_dir
from calib.errors import DataError, MissingDataFileError
from calib.standard import STATE_POSTALS, state_from_fips

# Column names per year in Argyle et al.'s Study 2 files.
ANES_COLUMNS = {
    2012: {
        "file": "full_results_2012_2.csv",
        "p_dem": "p_obama",
        "p_rep": "p_romney",
        "vote": "presvote2012_x",
        "race": "dem_raceeth_x",
        "age": "dem_age_r_x",
        "sex": "gender_respondent_x",
        "state": "sample_stfips",
    },
    2016: {
        "file": "full_results_2016_2.csv",
        "p_dem": "p_clinton",
        "p_rep": "p_trump",
        "vote": "V162062x",
        "race": "V161310x",
        "age": "V161267",
        "sex": "V161342",
        "state": "V161010d",
    },
}
# ANES summary race/ethnicity (both years): 1 White NH, 2 Black NH, 3 Asian/PI NH,
# 4 Native American NH, 5 Hispanic, 6 other/multiple NH.
RACE5 = {1: "White", 2: "Black", 3: "Asian", 4: "Other", 5: "Hispanic", 6: "Other"}
AGE5 = (
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-64", 45, 64),
    ("65+", 65, 200),
)

# Electoral votes 2012-2020 (2010 apportionment; 538 in total), winner-take-all here.
ELECTORAL_VOTES_2010: dict[str, int] = dict(
    zip(
        STATE_POSTALS,
        map(
            int,
            [
                "9",
                "3",
                "11",
                "6",
                "55",
                "9",
                "7",
                "3",
                "3",
                "29",
                "16",
                "4",
                "4",
                "20",
                "11",
                "6",
                "6",
                "8",
                "8",
                "4",
                "10",
                "11",
                "16",
                "10",
                "6",
                "10",
                "3",
                "5",
                "6",
                "4",
                "14",
                "5",
                "29",
                "15",
                "3",
                "18",
                "7",
                "7",
                "20",
                "4",
                "9",
                "3",
                "11",
                "38",
                "6",
                "3",
                "13",
                "12",
                "5",
                "10",
                "3",
            ],
        ),
        strict=True,
    )
)


def read_anes_gpt3(
    year: int, path: str | Path | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """ANES respondents of ``year`` with GPT-3 probabilities, in standard variables.

    Respondents with missing state, race, sex or age are dropped (their count is in
    ``frame.attrs["dropped"]``).
    """
    if year not in ANES_COLUMNS:
        raise DataError(f"no ANES x GPT-3 column map for {year}; known: {sorted(ANES_COLUMNS)}")
    cols = ANES_COLUMNS[year]
    if path is None:
        path = Path(shared_data_dir(data_dir)) / "argyle2023_anes_gpt3" / cols["file"]
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(path, "argyle2023_anes_gpt3", "experiments/election")
    raw = pd.read_csv(path)
    age = raw[cols["age"]].to_numpy(float)
    age_group = np.full(len(raw), None, dtype=object)
    for label, lo, hi in AGE5:
        age_group[(age >= lo) & (age <= hi)] = label
    vote = raw[cols["vote"]]
    out = pd.DataFrame(
        {
            "state": [state_from_fips(int(s)) if s > 0 else None for s in raw[cols["state"]]],
            "race5": raw[cols["race"]].map(RACE5),
            "sex": raw[cols["sex"]].map({1: "Male", 2: "Female"}),
            "age_b15001_5": age_group,
            "p_silicon": raw[cols["p_dem"]] / (raw[cols["p_dem"]] + raw[cols["p_rep"]]),
            "vote_dem": np.where(vote == 1, 1.0, np.where(vote == 2, 0.0, np.nan)),
            "voted": (vote > 0).astype(float),
        }
    )
    keep = out[["state", "race5", "sex", "age_b15001_5"]].notna().all(axis=1)
    out = out[keep].reset_index(drop=True)
    out.attrs["dropped"] = int((~keep).sum())
    out.attrs["source"] = str(path)
    return out


def two_party_results(
    year: int, path: str | Path | None = None, data_dir: str | Path | None = None
) -> tuple[pd.Series, float]:
    """Real Democratic share of the two-party vote by state (postal codes) and nationally."""
    if path is None:
        path = Path(shared_data_dir(data_dir)) / "medsl_president" / "1976-2020-president.csv"
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(path, "medsl_president", "experiments/election")
    raw = pd.read_csv(path)
    raw = raw[raw["year"] == year]
    if raw.empty:
        raise DataError(f"no MEDSL returns for {year} in {path}")
    nominee = {}
    for party in ("DEMOCRAT", "REPUBLICAN"):
        rows = raw[raw["party_simplified"] == party]
        nominee[party] = rows.groupby("candidate")["candidatevotes"].sum().idxmax()
    votes = raw.groupby(["state_po", "candidate"])["candidatevotes"].sum().unstack(fill_value=0)
    dem = votes[nominee["DEMOCRAT"]]
    rep = votes[nominee["REPUBLICAN"]]
    share = (dem / (dem + rep)).reindex(list(STATE_POSTALS))
    if share.isna().any():
        raise DataError(f"MEDSL {year} lacks states {share[share.isna()].index.tolist()}")
    return share, float(dem.sum() / (dem.sum() + rep.sum()))


__all__ = ["ELECTORAL_VOTES_2010", "read_anes_gpt3", "two_party_results"]
