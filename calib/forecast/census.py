"""Read the ACS 2018 1-year state tables into aligned arrays (estimates and margins of error).

The files in ``census_state_tables`` (see their PROVENANCE.md) are long tables with one row per
state x Census variable and a hierarchical ``label`` (``Total!!Male!!25 to 29 years``). This
module parses the labels (never the line numbers, which differ between the base table and its
race iterations), maps them to the frame's cells and returns arrays indexed
``state x race5 x sex x age_b15001_5 x educ4``.

Harmonisation
-------------
- Age: the frame uses the five B15001 groups 18-24, 25-34, 35-44, 45-64, 65+ (standard
  ``age_b15001_5``). Every B01001 band (base table and race iterations) nests in one of them;
  a band that does not nest raises :class:`~calib.errors.DataError`. The CVAP age table B29001
  (18-29, 30-44, 45-64, 65+) does not nest in them; it is used collapsed to 18-44, 45-64, 65+.
- Education (standard ``educ4``): B15001/B29002's seven levels and the race iterations' eight
  (high school diploma and GED apart) collapse to ``HS or less``, ``Some college`` (incl.
  associate's), ``Bachelor's``, ``Postgrad``.
- Race (standard ``race5``): ``White`` = White alone not Hispanic (iteration H), ``Hispanic``
  = Hispanic (I), ``Black`` = Black alone (B), ``Asian`` = Asian alone (D), ``Other`` = the
  remainder
  (total - H - I - B - D). The ACS 1-year iterations do not cross B and D with Hispanic origin,
  so Hispanic Black and Asian residents are counted in ``Black``/``Asian`` and in ``Hispanic``;
  the remainder absorbs that overlap. Where it would go negative (one cell of B15002), it is set
  to zero and ``Black``/``Asian`` are scaled down so the groups still sum to the total.
- Suppressed iterations (ACS 1-year filters unreliable tables): a suppressed B or D count in
  B01001/B05003 is replaced by the state's count of that group in the CVAP special tabulation
  2014-2018 (``adu_est``/``cvap_est``, non-Hispanic alone), spread over sex x age with the
  group's national distribution; a suppressed B15002 iteration leaves that state's race x
  education margin constrained only for the groups that were published (NaN elsewhere).

Margins of error are returned beside the estimates (90% MOEs as published, controlled cells
have MOE 0; sums and differences use the Census root-sum-of-squares approximation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calib.datadir import shared_data_dir
from calib.errors import DataError, MissingDataFileError
from calib.standard import STANDARD, STATE_POSTALS
from calib.standard import STATE_FIPS as STANDARD_FIPS

RACE5 = STANDARD["race5"].levels  # White, Black, Hispanic, Asian, Other
SEX = STANDARD["sex"].levels
AGE5 = STANDARD["age_b15001_5"].levels
AGE3_CVAP = ("18-44", "45-64", "65+")
EDUC4 = STANDARD["educ4"].levels
AGE5_TO_AGE3 = np.array([0, 0, 0, 1, 2])

_AGE_LO = (18, 25, 35, 45, 65)
_AGE_HI = (24, 34, 44, 64, 200)
_ITERATION = {"White": "H", "Black": "B", "Hispanic": "I", "Asian": "D"}
_CVAP_LINE = {"Black": "Black or African American Alone", "Asian": "Asian Alone"}
_EDUC = {
    "less than 9th grade": 0,
    "9th to 12th grade, no diploma": 0,
    "high school graduate (includes equivalency)": 0,
    "regular high school diploma": 0,
    "ged or alternative credential": 0,
    "some college, no degree": 1,
    "associate's degree": 1,
    "bachelor's degree": 2,
    "graduate or professional degree": 3,
}
_CONTROLLED_MOE = -555555555.0

FILES = {
    "B01001": "acs1_2018_state_B01001_sex_by_age_by_race.csv",
    "B05003": "acs1_2018_state_B05003_B29001_B29002_citizenship_cvap_by_race.csv",
    "B15001": "acs1_2018_state_B15001_B15002_educational_attainment_by_sex_age_race.csv",
    "CVAP": "cvap_acs5_state_by_race_2005-2009_to_2015-2019.csv",
}

# FIPS code -> USPS code, 50 states + DC in FIPS order.
STATE_FIPS: dict[int, str] = {STANDARD_FIPS[p]: p for p in STATE_POSTALS}


@dataclass
class Table:
    """One published table on the frame's axes: estimates, 90% MOEs and axis names."""

    axes: tuple[str, ...]
    estimate: np.ndarray
    moe: np.ndarray
    source: str

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """One replicate: each cell times a log-normal factor with the published CV.

        The coefficient of variation is ``(moe / 1.645) / estimate``; the factor has mean 1,
        so zero cells stay zero and positive cells stay positive (the tables' structural
        zeros are kept, and the frame's margins stay mutually feasible).
        """
        est = np.nan_to_num(self.estimate)
        cv = np.where(est > 0, (self.moe / 1.645) / np.where(est > 0, est, 1.0), 0.0)
        sigma = np.sqrt(np.log1p(cv**2))
        z = rng.standard_normal(est.shape)
        return est * np.exp(sigma * z - sigma**2 / 2)


@dataclass
class StateTables:
    """The published inputs of the state frames, aligned on (state, race5, sex, age5, educ4).

    Attributes
    ----------
    states : tuple of str
        USPS codes of the 50 states + DC in FIPS order.
    tables : dict of str to Table
        ``adult_race_sex_age`` (B01001A-I), ``adult_sex_age_educ`` (B15001),
        ``adult25_race_sex_educ`` (B15002A-I, population 25+), ``cvap_race_sex`` (B05003A-I,
        18+ natives and naturalised citizens), ``cvap_age3`` (B29001 collapsed),
        ``cvap_educ`` (B29002).
    notes : list of str
        What was imputed or adjusted while parsing (suppressed iterations, clipped remainders).
    """

    states: tuple[str, ...]
    tables: dict[str, Table]
    notes: list[str] = field(default_factory=list)


def _age_group(text: str) -> int | None:
    """Index of the frame age group holding a Census age band, None below 18."""
    t = text.lower()
    if t.startswith("under"):
        return None
    nums = [int(n) for n in re.findall(r"\d+", t)]
    if not nums:
        raise DataError(f"cannot parse the age band {text!r}")
    lo = nums[0]
    hi = 200 if "over" in t else nums[-1]
    if hi < 18:
        return None
    for g, (glo, ghi) in enumerate(zip(_AGE_LO, _AGE_HI, strict=True)):
        if glo <= lo and hi <= ghi:
            return g
    raise DataError(f"age band {text!r} does not nest in the frame's groups {AGE5}")


def _educ_group(text: str) -> int:
    key = text.strip().lower()
    if key not in _EDUC:
        raise DataError(f"unknown education level {text!r} in a Census label")
    return _EDUC[key]


def _moe(frame: pd.DataFrame) -> pd.Series:
    moe = frame["moe"].where(frame["moe"] != _CONTROLLED_MOE, 0.0)
    return moe.fillna(0.0).astype(float)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise MissingDataFileError(path, "census_state_tables", "calib.forecast.census")
    frame = pd.read_csv(path)
    frame = frame[frame["state_fips"].isin(list(STATE_FIPS))].copy()
    frame["s"] = frame["state_fips"].map({f: i for i, f in enumerate(STATE_FIPS)})
    frame["race_iteration"] = frame["race_iteration"].fillna("").astype(str)
    frame["parts"] = frame["label"].astype(str).str.split("!!")
    frame["moe_"] = _moe(frame)
    return frame


def _accumulate(rows: pd.DataFrame, shape: tuple[int, ...], index_of) -> tuple:
    """Sum estimates (and MOEs in quadrature) of leaf rows into an array; NaN where missing."""
    est = np.zeros(shape)
    var = np.zeros(shape)
    seen = np.zeros(shape, dtype=bool)
    for s, parts, e, m in zip(
        rows["s"], rows["parts"], rows["estimate"], rows["moe_"], strict=True
    ):
        idx = index_of(parts)
        if idx is None:
            continue
        key = (s, *idx)
        if np.isnan(e):
            continue
        est[key] += e
        var[key] += m**2
        seen[key] = True
    return est, np.sqrt(var), seen


def _sex(parts: list[str]) -> int:
    return SEX.index(parts[1])


def _race_sex_age(frame: pd.DataFrame, table: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """B01001 (iteration ``table``): state x sex x age5 from the leaf age bands."""
    rows = frame[(frame["table_id"] == table) & (frame["parts"].str.len() == 3)]

    def index_of(parts):
        g = _age_group(parts[2])
        return None if g is None else (_sex(parts), g)

    return _accumulate(rows, (len(STATE_FIPS), 2, 5), index_of)


def _b05003(frame: pd.DataFrame, table: str):
    """B05003 (iteration ``table``): 18+ citizens (native + naturalised) by state x sex."""
    leaf = frame["parts"].map(
        lambda p: (
            len(p) >= 4
            and p[2] == "18 years and over"
            and ((p[3] == "Native" and len(p) == 4) or p[-1] == "Naturalized U.S. citizen")
        )
    )
    rows = frame[(frame["table_id"] == table) & leaf]
    return _accumulate(rows, (len(STATE_FIPS), 2), lambda p: (_sex(p),))


def _b15002(frame: pd.DataFrame, table: str):
    rows = frame[(frame["table_id"] == table) & (frame["parts"].str.len() == 3)]
    return _accumulate(rows, (len(STATE_FIPS), 2, 4), lambda p: (_sex(p), _educ_group(p[2])))


def _split_race(
    total: tuple, groups: dict[str, tuple], notes: list[str], what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Stack white, black, hispanic, asian and the remainder on a new race axis (axis 1)."""
    t_est, t_moe = total[0], total[1]
    est = np.stack([groups[r][0] for r in RACE5[:4]], axis=1)
    moe = np.stack([groups[r][1] for r in RACE5[:4]], axis=1)
    other = t_est - est.sum(axis=1)
    negative = other < 0
    if negative.any():
        deficit = np.where(negative, -other, 0.0)
        black_asian = est[:, 1] + est[:, 3]
        scale = np.where(
            black_asian > 0, 1 - deficit / np.where(black_asian > 0, black_asian, 1), 1
        )
        est[:, 1] *= scale
        est[:, 3] *= scale
        other = np.clip(other, 0, None)
        notes.append(f"{what}: remainder 'other' negative in {int(negative.sum())} cells, clipped")
    other_moe = np.sqrt(t_moe**2 + (moe**2).sum(axis=1))
    return (
        np.concatenate([est, other[:, None]], axis=1),
        np.concatenate([moe, other_moe[:, None]], axis=1),
    )


def _cvap_tab(directory: Path) -> pd.DataFrame:
    path = directory / FILES["CVAP"]
    if not path.is_file():
        raise MissingDataFileError(path, "census_state_tables", "calib.forecast.census")
    cvap = pd.read_csv(path)
    cvap = cvap[cvap["vintage"].astype(str).str.startswith("2014")].copy()
    cvap["fips"] = cvap["geoid"].astype(str).str[-2:].astype(int)
    return cvap[cvap["fips"].isin(list(STATE_FIPS))]


def _fill_suppressed(
    group: tuple, race: str, cvap: pd.DataFrame, column: str, notes: list[str], what: str
) -> tuple:
    """Replace states without a published iteration by the CVAP-tabulation count of the group."""
    est, moe, seen = group
    missing = ~seen.reshape(len(STATE_FIPS), -1).any(axis=1)
    if not missing.any():
        return est, moe
    pattern = est[~missing].sum(axis=0)
    pattern = pattern / pattern.sum()
    line = cvap[cvap["lntitle"].astype(str).str.strip() == _CVAP_LINE[race]].set_index("fips")
    fips = list(STATE_FIPS)
    for s in np.flatnonzero(missing):
        count = float(line.loc[fips[s], column])
        count_moe = float(line.loc[fips[s], column.replace("_est", "_moe")] or 0.0)
        est[s] = count * pattern
        moe[s] = np.nan_to_num(count_moe) * pattern
    names = ", ".join(STATE_FIPS[fips[s]] for s in np.flatnonzero(missing))
    notes.append(f"{what}: {race} suppressed in {names}; filled from the CVAP tabulation")
    return est, moe


def read_state_tables(data_dir: str | Path | None = None) -> StateTables:
    """Parse the ACS 2018 1-year state tables into the frame's aligned arrays.

    Parameters
    ----------
    data_dir : path, optional
        The shared data directory (default: :func:`calib.datadir.shared_data_dir`); the files
        are read from its ``census_state_tables`` folder.

    Returns
    -------
    StateTables

    Raises
    ------
    MissingDataFileError
        If a table file is absent.
    DataError
        If a label cannot be mapped to the frame's age or education groups.

    Examples
    --------
    >>> tables = read_state_tables()  # doctest: +SKIP
    >>> tables.tables["cvap_race_sex"].estimate.shape  # doctest: +SKIP
    (51, 5, 2)
    """
    directory = Path(shared_data_dir(data_dir)) / "census_state_tables"
    notes: list[str] = []
    cvap = _cvap_tab(directory)
    b01 = _read(directory / FILES["B01001"])
    b05 = _read(directory / FILES["B05003"])
    b15 = _read(directory / FILES["B15001"])

    total = _race_sex_age(b01, "B01001")
    groups = {}
    for race, it in _ITERATION.items():
        got = _race_sex_age(b01, "B01001" + it)
        if race in _CVAP_LINE:
            got = _fill_suppressed(got, race, cvap, "adu_est", notes, "B01001")
        groups[race] = got
    rsa = _split_race(total, groups, notes, "B01001")

    sae = _accumulate(
        b15[(b15["table_id"] == "B15001") & (b15["parts"].str.len() == 4)],
        (len(STATE_FIPS), 2, 5, 4),
        lambda p: (_sex(p), _age_group(p[2]), _educ_group(p[3])),
    )
    # Total 25+ by sex x educ from B15001 itself, so the race margin sums to it exactly.
    total25 = (sae[0][:, :, 1:].sum(axis=2), np.sqrt((sae[1][:, :, 1:] ** 2).sum(axis=2)))
    groups = {race: _b15002(b15, "B15002" + it) for race, it in _ITERATION.items()}
    complete = np.all([g[2].reshape(len(STATE_FIPS), -1).any(axis=1) for g in groups.values()], 0)
    rse_est, rse_moe = _split_race(total25, {r: g[:2] for r, g in groups.items()}, notes, "B15002")
    for r, race in enumerate(RACE5[:4]):
        published = groups[race][2].reshape(len(STATE_FIPS), -1).any(axis=1)
        rse_est[~published, r] = np.nan
    rse_est[~complete, 4] = np.nan
    if (~complete).any():
        names = ", ".join(np.array(list(STATE_FIPS.values()))[~complete])
        notes.append(f"B15002: race x education margin partial (suppressed groups) in {names}")

    total_c = _b05003(b05, "B05003")
    groups = {}
    for race, it in _ITERATION.items():
        got = _b05003(b05, "B05003" + it)
        if race in _CVAP_LINE:
            got = _fill_suppressed(got, race, cvap, "cvap_est", notes, "B05003")
        groups[race] = got
    crs = _split_race(total_c, groups, notes, "B05003")

    age3_of = {"18 to 29 years": 0, "30 to 44 years": 0, "45 to 64 years": 1}
    age3_of["65 years and over"] = 2
    a3, a3_moe, _ = _accumulate(
        b05[(b05["table_id"] == "B29001") & (b05["parts"].str.len() == 2)],
        (len(STATE_FIPS), 3),
        lambda p: (age3_of[p[1]],),
    )
    educ = _accumulate(
        b05[(b05["table_id"] == "B29002") & (b05["parts"].str.len() == 2)],
        (len(STATE_FIPS), 4),
        lambda p: (_educ_group(p[1]),),
    )
    tables = {
        "adult_race_sex_age": Table(("race5", "sex", "age5"), *rsa, "ACS 2018 1-year B01001A-I"),
        "adult_sex_age_educ": Table(("sex", "age5", "educ4"), *sae[:2], "ACS 2018 1-year B15001"),
        "adult25_race_sex_educ": Table(
            ("race5", "sex", "educ4"), rse_est, rse_moe, "ACS 2018 1-year B15002A-I (25+)"
        ),
        "cvap_race_sex": Table(("race5", "sex"), *crs, "ACS 2018 1-year B05003A-I (18+ citizens)"),
        "cvap_age3": Table(("age3",), a3, a3_moe, "ACS 2018 1-year B29001 (collapsed)"),
        "cvap_educ": Table(("educ4",), *educ[:2], "ACS 2018 1-year B29002"),
    }
    return StateTables(tuple(STATE_FIPS.values()), tables, notes)


__all__ = [
    "AGE3_CVAP",
    "AGE5",
    "AGE5_TO_AGE3",
    "EDUC4",
    "RACE5",
    "SEX",
    "STATE_FIPS",
    "StateTables",
    "Table",
    "read_state_tables",
]
