"""Loaders for the tables bundled with calib (``data/`` in the repository, ``calib/_bundled`` in
an installed wheel), made by ``data/build.py``. They need no raw data directory.

=============================  ==================================================================
loader                         table
=============================  ==================================================================
``load_president_results``     president_by_state.csv: state x year 2000-2024, votes, shares,
                               winner, electoral votes (DataFrame)
``load_acs2017_target``        acs2017_sex_age_educ.csv: sex x age_pew6 x educ3 shares of US
                               adults (relative joint Target)
``load_nist_cells``            nist_acs_cells.csv: weighted adult counts by age_pew6 x sex x
                               race5 x educ4 x income_personal per area and year (joint Target
                               or long DataFrame); not nationally representative
``bundled_tables``             manifest entries (source, vintage, universe, licence, notes)
=============================  ==================================================================

Examples
--------
>>> results = load_president_results(years=[2024])
>>> int(results.ev_rep.sum()), int(results.ev_dem.sum())
(312, 226)
>>> load_acs2017_target().margin("sex").round(3).tolist()
[0.484, 0.516]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

import pandas as pd

from calib.datadir import bundled_file
from calib.errors import DataError
from calib.provenance import Provenance
from calib.standard import STANDARD, standard_schema
from calib.target import Target

PRESIDENT = "president_by_state.csv"
ACS2017 = "acs2017_sex_age_educ.csv"
NIST_CELLS = "nist_acs_cells.csv"
MANIFEST = "manifest.json"


@lru_cache(maxsize=1)
def _manifest() -> dict:
    return json.loads(bundled_file(MANIFEST).read_text(encoding="utf-8"))


def bundled_tables() -> list[dict]:
    """The manifest entry of every bundled table (file, title, source, vintage, licence...)."""
    return [dict(entry) for _, entry in sorted(_manifest()["tables"].items())]


def bundled_provenance(name: str) -> Provenance:
    """Provenance of bundled table ``name`` (a file name listed by :func:`bundled_tables`)."""
    tables = _manifest()["tables"]
    if name not in tables:
        raise DataError(f"{name!r} is not a bundled table; bundled: {sorted(tables)}")
    e = tables[name]
    return Provenance(
        source=e["source"],
        vintage=e["vintage"],
        universe=e["universe"],
        weight=e.get("weight", ""),
        path=str(bundled_file(name)),
        notes=tuple(e.get("notes", ())),
        extra={"licence": e["licence"], "bundled": name, "script": "data/build.py"},
    )


def load_president_results(years: Iterable[int] | None = None) -> pd.DataFrame:
    """State x year presidential results 2000-2024 (see ``calib.sources.medsl`` for columns).

    Raises
    ------
    DataError
        If a requested year is not in the table.
    """
    table = pd.read_csv(bundled_file(PRESIDENT))
    if years is not None:
        wanted = sorted({int(y) for y in years})
        absent = sorted(set(wanted) - set(table["year"]))
        if absent:
            raise DataError(f"no bundled results for {absent}; years: {sorted(set(table.year))}")
        table = table[table["year"].isin(wanted)].reset_index(drop=True)
    table.attrs["provenance"] = bundled_provenance(PRESIDENT)
    return table


def load_acs2017_target() -> Target:
    """ACS 2017 shares of US adults by sex x age_pew6 x educ3 (a relative joint Target)."""
    frame = pd.read_csv(bundled_file(ACS2017))
    names = ["sex", "age_pew6", "educ3"]
    schema = standard_schema(names)
    base = Target.from_joint(frame, schema, value_column="share")
    joint = base.joint() / base.total
    prov = bundled_provenance(ACS2017)
    return Target(schema, "joint", joint=joint, total=1.0, relative=True, provenance=prov)


def nist_cells_frame() -> pd.DataFrame:
    """The NIST cell table in long form (area, year, the five variables, counts)."""
    frame = pd.read_csv(bundled_file(NIST_CELLS))
    for name in ("age_pew6", "sex", "race5", "educ4", "income_personal"):
        frame[name] = STANDARD[name].coerce(frame[name])
    frame.attrs["provenance"] = bundled_provenance(NIST_CELLS)
    return frame


def load_nist_cells(
    area: str = "national", year: int = 2019, variables: Iterable[str] | None = None
) -> Target:
    """Weighted adult counts of one NIST excerpt area and year as a joint :class:`Target`.

    Parameters
    ----------
    area : {"national", "ma", "tx"}, default="national"
        Which excerpt (``national`` = 20 hand-picked PUMAs; not nationally representative).
    year : {2018, 2019}, default=2019
        ACS year.
    variables : iterable of str, optional
        Sum the table down to these variables (default: all five).
    """
    frame = nist_cells_frame()
    rows = frame[(frame["area"] == area) & (frame["year"] == int(year))]
    if rows.empty:
        combos = sorted(set(zip(frame.area, frame.year, strict=True)))
        raise DataError(f"no bundled NIST cells for area={area!r}, year={year}; have {combos}")
    names = list(variables) if variables is not None else list(frame.columns[2:7])
    schema = standard_schema(names)
    table = rows.groupby(names, observed=True)["weighted_count"].sum().reset_index()
    prov = bundled_provenance(NIST_CELLS)
    prov = replace(prov, vintage=f"ACS {year} 1-year PUMS", notes=(*prov.notes, f"area={area}"))
    return Target.from_joint(table, schema, value_column="weighted_count", provenance=prov)


__all__ = [
    "bundled_provenance",
    "bundled_tables",
    "load_acs2017_target",
    "load_nist_cells",
    "load_president_results",
    "nist_cells_frame",
]
