"""ACS PUMS codes -> standard variables (Census ``psam_p*.csv`` layout and NIST excerpt layout).

Code lists follow the ACS PUMS data dictionaries (2018/2019) and the NIST excerpts'
``data_dictionary.json``:

- ``RAC1P``: 1 White alone, 2 Black alone, 3 American Indian alone, 4 Alaska Native alone,
  5 AIAN tribes specified, 6 Asian alone, 7 NHPI alone, 8 Some other race alone, 9 two or more.
- ``HISP``: Census layout 01 = not Hispanic, 02-24 detailed Hispanic origins; NIST layout 0 = not
  Hispanic, 1-4 Mexican / Puerto Rican / Cuban / other. Hispanic origin takes precedence over
  race, as in Census "Hispanic or Latino" and "not Hispanic" race tabulations.
- ``SCHL`` (Census): 1-15 below a diploma, 16 diploma, 17 GED, 18-19 some college, 20
  associate, 21 bachelor's, 22 master's, 23 professional, 24 doctorate.
- ``EDU`` (NIST): 1-4 below a diploma, 5 diploma, 6 GED, 7 some college, 8 associate,
  9 bachelor's, 10 master's, 11 professional, 12 doctorate.
- ``MSP``: 1-2 married, 3 widowed, 4 divorced, 5 separated, 6 never married; ``MAR``: 1 married,
  2 widowed, 3 divorced, 4 separated, 5 never married.
- ``CIT``: 1-4 citizen (born in US, in territories, abroad to US parents, naturalised),
  5 not a citizen.
- ``PINCP`` is in the survey year's dollars after multiplying by ``ADJINC / 1e6`` (Census
  layout); the NIST excerpts are already adjusted.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"AGEP": [30], "SEX": [2], "RAC1P": [1], "HISP": [2], "SCHL": [21]})
>>> pums_to_standard(raw, layout="census")[["race5", "educ3", "sex"]].iloc[0].tolist()
['Hispanic', 'College+', 'Female']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calib.errors import DataError, SchemaError
from calib.sources._common import RecodeLog, map_column
from calib.standard import STANDARD, age_bracket, convert, income_bracket, state_from_fips

RAC1P_RACE7: dict[object, str | None] = {
    1: "White",
    2: "Black",
    3: "AIAN",
    4: "AIAN",
    5: "AIAN",
    6: "Asian",
    7: "NHPI",
    8: "Other",
    9: "Other",
}
SCHL_EDUC5: dict[object, str | None] = {
    **{code: "Less than HS" for code in range(1, 16)},
    16: "HS grad",
    17: "HS grad",
    18: "Some college",
    19: "Some college",
    20: "Some college",
    21: "Bachelor's",
    22: "Postgrad",
    23: "Postgrad",
    24: "Postgrad",
}
EDU_EDUC5: dict[object, str | None] = {
    1: "Less than HS",
    2: "Less than HS",
    3: "Less than HS",
    4: "Less than HS",
    5: "HS grad",
    6: "HS grad",
    7: "Some college",
    8: "Some college",
    9: "Bachelor's",
    10: "Postgrad",
    11: "Postgrad",
    12: "Postgrad",
}
MSP_MARITAL: dict[object, str | None] = {
    1: "Married",
    2: "Married",
    3: "Widowed",
    4: "Divorced",
    5: "Separated",
    6: "Never married",
}
MAR_MARITAL: dict[object, str | None] = {
    1: "Married",
    2: "Widowed",
    3: "Divorced",
    4: "Separated",
    5: "Never married",
}
CIT_CITIZEN: dict[object, str | None] = {
    1: "Citizen",
    2: "Citizen",
    3: "Citizen",
    4: "Citizen",
    5: "Not a citizen",
}
SEX_SEX: dict[object, str | None] = {1: "Male", 2: "Female"}
#: Code meaning "not Hispanic" in HISP, by layout.
NOT_HISPANIC = {"census": 1, "nist": 0}
LAYOUTS = ("census", "nist")
AGE_VARIABLES = ("age_pew6", "age_acs10", "age_cvap4", "age_b15001_5")


def _numeric(raw: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(raw[column].replace({"N": None, "": None}), errors="coerce")
    bad = raw[column][values.isna() & raw[column].notna() & ~raw[column].isin(["N", ""])]
    if len(bad):
        raise DataError(
            f"PUMS column {column!r} has non-numeric values {sorted(map(str, bad.unique()))[:10]}"
        )
    return values


def _state_codes(raw: pd.DataFrame) -> pd.Series | None:
    if "ST" in raw.columns:
        return _numeric(raw, "ST")
    if "PUMA" in raw.columns and raw["PUMA"].astype(str).str.contains("-").any():
        prefix = raw["PUMA"].astype(str).str.split("-", n=1).str[0]
        return pd.to_numeric(prefix, errors="coerce")
    return None


def pums_to_standard(
    raw: pd.DataFrame, layout: str = "census", unknown: str = "raise", log: RecodeLog | None = None
) -> pd.DataFrame:
    """Recode raw PUMS person columns into standard variables.

    Parameters
    ----------
    raw : pandas.DataFrame
        PUMS person records with at least ``AGEP``, ``SEX``, ``RAC1P`` and ``HISP``; ``SCHL``
        (Census) or ``EDU`` (NIST), ``PINCP``, ``ST`` or a ``"SS-PPPPP"`` ``PUMA``, ``MSP``/``MAR``
        and ``CIT`` are used when present.
    layout : {"census", "nist"}, default="census"
        Which code list ``HISP`` (and the education column) follows.
    unknown : str, default="raise"
        Policy for codes outside the code lists (see :func:`calib.recode.recode`); ages under 18
        become missing age brackets under any policy other than ``"raise"``.
    log : RecodeLog, optional
        Collects unmapped values (for chunked reading).

    Returns
    -------
    pandas.DataFrame
        Standard columns (``age``, the age brackets, ``sex``, ``race7``, ``race5``, ``race4``,
        ``hispanic``, education, income, geography, marital, citizen as available), on the
        index of ``raw``.
    """
    if layout not in LAYOUTS:
        raise SchemaError(f"layout={layout!r}: use one of {LAYOUTS}")
    log = log if log is not None else RecodeLog(policy=unknown)
    required = ["AGEP", "SEX", "RAC1P", "HISP"]
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataError(f"PUMS records lack column(s) {missing}; the reader needs {required}")
    out = pd.DataFrame(index=raw.index)
    age = _numeric(raw, "AGEP")
    out["age"] = age.astype(float)
    for name in AGE_VARIABLES:
        out[name] = age_bracket(age, name, unknown="raise" if unknown == "raise" else "missing")
    out["sex"] = map_column(_numeric(raw, "SEX"), SEX_SEX, "sex", unknown, log, "SEX")
    race7 = map_column(_numeric(raw, "RAC1P"), RAC1P_RACE7, "race7", unknown, log, "RAC1P")
    hisp = _numeric(raw, "HISP")
    if hisp.isna().any():
        raise DataError("PUMS column 'HISP' has missing values; it is never blank in PUMS")
    is_hispanic = (hisp != NOT_HISPANIC[layout]).to_numpy()
    race7 = race7.astype("object").where(~is_hispanic, "Hispanic")
    out["race7"] = STANDARD["race7"].coerce(race7)
    for name in ("race5", "race4", "hispanic"):
        out[name] = convert(out["race7"], "race7", name)
    educ_column = "SCHL" if "SCHL" in raw.columns else "EDU" if "EDU" in raw.columns else None
    if educ_column:
        table = SCHL_EDUC5 if educ_column == "SCHL" else EDU_EDUC5
        educ = map_column(_numeric(raw, educ_column), table, "educ5", unknown, log, educ_column)
        out["educ5"] = educ
        out["educ4"] = convert(educ, "educ5", "educ4")
        out["educ3"] = convert(educ, "educ5", "educ3")
    if "PINCP" in raw.columns:
        income = _numeric(raw, "PINCP")
        if "ADJINC" in raw.columns:
            income = income * _numeric(raw, "ADJINC") / 1e6
        out["income_personal"] = income_bracket(income)
    states = _state_codes(raw)
    if states is not None:
        fips = {code: state_from_fips(code) for code in pd.unique(states.dropna())}
        out["state"] = STANDARD["state"].coerce(states.map(fips))
        out["region"] = convert(out["state"], "state", "region")
        out["division"] = convert(out["state"], "state", "division")
    if "MSP" in raw.columns:
        out["marital"] = map_column(
            _numeric(raw, "MSP"), MSP_MARITAL, "marital", unknown, log, "MSP"
        )
    elif "MAR" in raw.columns:
        out["marital"] = map_column(
            _numeric(raw, "MAR"), MAR_MARITAL, "marital", unknown, log, "MAR"
        )
    if "CIT" in raw.columns:
        out["citizen"] = map_column(
            _numeric(raw, "CIT"), CIT_CITIZEN, "citizen", unknown, log, "CIT"
        )
    return out


def replicate_columns(columns: pd.Index | list[str], prefix: str = "PWGTP") -> list[str]:
    """The replicate-weight columns (``PWGTP1`` .. ``PWGTP80``) among ``columns``, in order."""
    found = [c for c in columns if c.startswith(prefix) and c[len(prefix) :].isdigit()]
    return sorted(found, key=lambda c: int(c[len(prefix) :]))


def replicate_weight_matrix(data: pd.DataFrame) -> np.ndarray:
    """The (n, R) matrix of PUMS replicate weights held in ``data``.

    Raises
    ------
    DataError
        If ``data`` has no ``PWGTP1``.. columns (e.g. the NIST excerpts, which dropped them).
    """
    cols = replicate_columns(list(data.columns))
    if not cols:
        raise DataError(
            "no replicate weights (PWGTP1..PWGTP80) in this table: the NIST excerpts do not "
            "carry them; read a Census psam_p*.csv file to get them"
        )
    return data[cols].to_numpy(dtype=float)


__all__ = [
    "CIT_CITIZEN",
    "EDU_EDUC5",
    "MAR_MARITAL",
    "MSP_MARITAL",
    "RAC1P_RACE7",
    "SCHL_EDUC5",
    "pums_to_standard",
    "replicate_columns",
    "replicate_weight_matrix",
]
