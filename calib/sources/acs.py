"""Readers for ACS PUMS person files: Census ``psam_p*.csv`` (plain or zipped) and NIST excerpts.

Both return a :class:`~calib.population.Population` of adults (by default) on the standard
variables, weighted by the person weight ``PWGTP``. Census files are read in chunks of
``chunksize`` rows, keeping only the needed columns and recoding each chunk into compact
categoricals before the next is read, so a full state file is never held twice in memory.
Replicate weights ``PWGTP1``-``PWGTP80`` are kept as float32 columns of ``Population.data`` when
present (see :func:`calib.sources.acs_codes.replicate_weight_matrix`).

Examples
--------
>>> import pandas as pd, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "psam_p25.csv")
>>> pd.DataFrame({"SERIALNO": ["2019HU1"], "SPORDER": [1], "ST": [25], "PUMA": ["00503"],
...               "PWGTP": [50], "AGEP": [40], "SEX": [1], "RAC1P": [6], "HISP": [1],
...               "SCHL": [22]}).to_csv(path, index=False)
>>> pop = read_pums(path, vintage="2019")
>>> pop.data[["state", "race5", "educ3"]].iloc[0].tolist(), pop.total_weight
(['MA', 'Asian', 'College+'], 50.0)
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from calib.errors import DataError, MissingDataFileError
from calib.population import Population
from calib.provenance import Provenance
from calib.sources._common import PathLike, RecodeLog, locate, missing_note
from calib.sources.acs_codes import pums_to_standard, replicate_columns
from calib.standard import STANDARD, state_from_name

CENSUS_ORIGIN = (
    "US Census Bureau ACS PUMS person file (psam_p<FIPS>.csv in csv_p<xx>.zip), "
    "https://www2.census.gov/programs-surveys/acs/data/pums/"
)
NIST_ORIGIN = (
    "NIST Diverse Communities Data Excerpts (github.com/usnistgov/SDNist, "
    "BenchmarkData/ACSDataExcerpts); ../shared/data/nist_acs_excerpts"
)
NIST_FILES = ("national2019", "national2018", "ma2019", "ma2018", "tx2019", "tx2018")
_KEEP = {"SERIALNO", "SPORDER", "ST", "PUMA", "PWGTP", "AGEP", "SEX", "RAC1P", "HISP", "SCHL"}
_KEEP |= {"EDU", "PINCP", "ADJINC", "MSP", "MAR", "CIT"}
_REPLICATE = re.compile(r"PWGTP\d+$")


def _wanted(column: str, replicates: bool) -> bool:
    return column in _KEEP or (replicates and bool(_REPLICATE.match(column)))


def _open_members(path: Path, stack: ExitStack) -> Iterator[tuple[str, object]]:
    if path.suffix.lower() != ".zip":
        yield path.name, path
        return
    archive = stack.enter_context(zipfile.ZipFile(path))
    members = [m for m in archive.namelist() if re.search(r"psam_p\w*\.csv$", m, re.I)]
    if not members:
        raise DataError(
            f"{path} holds no psam_p*.csv person file (members: {archive.namelist()[:10]}); "
            "the housing file psam_h*.csv is not a person file"
        )
    for member in members:
        yield member, stack.enter_context(archive.open(member))


def _fips_filter(states: Iterable[str] | None) -> set[int] | None:
    if states is None:
        return None
    from calib.standard import STATE_FIPS

    return {STATE_FIPS[state_from_name(s)] for s in states}


def read_pums(
    path: PathLike,
    vintage: str = "",
    states: Iterable[str] | None = None,
    adults_only: bool = True,
    replicate_weights: bool = True,
    unknown: str = "raise",
    chunksize: int = 200_000,
    progress: bool = True,
) -> Population:
    """Read a Census-layout ACS PUMS person file (``psam_p*.csv`` or a zip holding them).

    Parameters
    ----------
    path : path-like
        The CSV file, or a zip archive whose ``psam_p*.csv`` members are read one after another.
    vintage : str, default=""
        Survey year or period for the provenance (e.g. ``"2019"`` or ``"2015-2019"``).
    states : iterable of str, optional
        Keep only these states (postal codes or names).
    adults_only : bool, default=True
        Keep only people aged 18 and over (the age brackets are adult brackets).
    replicate_weights : bool, default=True
        Keep ``PWGTP1``-``PWGTP80`` (float32) when present.
    unknown : str, default="raise"
        Policy for codes outside the PUMS code lists (see :func:`calib.recode.recode`).
    chunksize : int, default=200_000
        Rows read at a time.
    progress : bool, default=True
        Show a progress bar per chunk (only on a terminal).

    Returns
    -------
    Population
        Standard variables, ``PWGTP`` as the weights, ``person_id`` (SERIALNO-SPORDER) when
        present, ``puma`` kept as a plain column.

    Raises
    ------
    MissingDataFileError
        If ``path`` does not exist.
    DataError, UnknownLevelError
        On malformed records or unmapped codes (under ``unknown="raise"``).
    """
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(path, "ACS PUMS person file", CENSUS_ORIGIN)
    keep_states = _fips_filter(states)
    log = RecodeLog(policy=unknown)
    parts: list[pd.DataFrame] = []
    with ExitStack() as stack:
        for member, handle in _open_members(path, stack):
            reader = pd.read_csv(
                handle,
                usecols=lambda c: _wanted(c, replicate_weights),
                dtype={"SERIALNO": str, "PUMA": str},
                chunksize=chunksize,
            )
            bar = tqdm(reader, desc=member, unit="chunk", disable=True if not progress else None)
            for chunk in bar:
                parts.append(_standardise_chunk(chunk, keep_states, adults_only, unknown, log))
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if data.empty:
        raise DataError(f"no person records left in {path} after the filters (states={states})")
    notes = ["adults 18+ only" if adults_only else "all ages (age brackets missing under 18)"]
    if log.note():
        notes.append(log.note())
    reps = replicate_columns(list(data.columns))
    if not vintage and "person_id" in data.columns and data["person_id"].iloc[0][:4].isdigit():
        vintage = data["person_id"].iloc[0][:4]  # SERIALNO starts with the survey year
    schema = STANDARD.subset([c for c in STANDARD.names if c in data.columns])
    if missing_note(data, list(schema.names)):
        notes.append(missing_note(data, list(schema.names)))
    prov = Provenance(
        source="ACS PUMS person file (Census layout)",
        vintage=vintage,
        universe="persons 18+ in the file's geography" if adults_only else "persons",
        weight="PWGTP",
        path=str(path),
        notes=tuple(notes),
        extra={"replicate_weights": reps, "layout": "census", "unmapped": log.unmapped},
    )
    return Population(
        data,
        schema,
        weights="PWGTP",
        id_column="person_id" if "person_id" in data.columns else None,
        provenance=prov,
        allow_missing=True,  # missing values are counted in the provenance notes
    )


def _standardise_chunk(
    chunk: pd.DataFrame,
    keep_states: set[int] | None,
    adults_only: bool,
    unknown: str,
    log: RecodeLog,
) -> pd.DataFrame:
    if keep_states is not None and "ST" in chunk.columns:
        chunk = chunk[chunk["ST"].isin(keep_states)]
    if adults_only:
        chunk = chunk[pd.to_numeric(chunk["AGEP"], errors="coerce") >= 18]
    if "PWGTP" not in chunk.columns:
        raise DataError("the PUMS file has no person weight column 'PWGTP'")
    std = pums_to_standard(chunk, layout="census", unknown=unknown, log=log)
    std["PWGTP"] = chunk["PWGTP"].astype(float)
    if "SERIALNO" in chunk.columns and "SPORDER" in chunk.columns:
        std["person_id"] = chunk["SERIALNO"].astype(str) + "-" + chunk["SPORDER"].astype(str)
    if "PUMA" in chunk.columns:
        std["puma"] = chunk["PUMA"].astype(str).str.zfill(5)
    for col in replicate_columns(list(chunk.columns)):
        std[col] = chunk[col].astype(np.float32)
    return std.reset_index(drop=True)


def read_nist_excerpt(
    name: str = "national2019",
    data_dir: PathLike | None = None,
    path: PathLike | None = None,
    adults_only: bool = True,
    unknown: str = "raise",
) -> Population:
    """Read a NIST Diverse Communities ACS excerpt (``national2019``, ``ma2018``, ``tx2019``...).

    Parameters
    ----------
    name : str, default="national2019"
        File stem in ``nist_acs_excerpts/`` (one of ``NIST_FILES``).
    data_dir, path : path-like, optional
        Raw data directory, or the CSV file itself.
    adults_only : bool, default=True
        Keep only people aged 18 and over.
    unknown : str, default="raise"
        Policy for codes outside the code lists.

    Returns
    -------
    Population
        Standard variables (age brackets, sex, race, education, income, state from the PUMA
        prefix, region, division, marital), weights ``PWGTP``, plain column ``puma``. Not
        nationally representative: 20 hand-picked PUMAs (national), 5 (MA) or 6 (TX).
    """
    file = locate(f"nist_acs_excerpts/{name}.csv", f"NIST ACS excerpt {name}", NIST_ORIGIN,
                  data_dir, path)  # fmt: skip
    raw = pd.read_csv(file, na_values="N", dtype={"PUMA": str})
    if adults_only:
        raw = raw[raw["AGEP"] >= 18]
    log = RecodeLog(policy=unknown)
    data = pums_to_standard(raw, layout="nist", unknown=unknown, log=log)
    data["PWGTP"] = raw["PWGTP"].astype(float)
    data["puma"] = raw["PUMA"].astype(str)
    for col in replicate_columns(list(raw.columns)):
        data[col] = raw[col].astype(np.float32)
    year = re.findall(r"(\d{4})", Path(file).stem)
    notes = [
        "NOT nationally representative: a few hand-picked PUMAs (NIST Diverse Communities)",
        "adults 18+ only" if adults_only else "all ages",
    ]
    if log.note():
        notes.append(log.note())
    schema = STANDARD.subset([c for c in STANDARD.names if c in data.columns])
    if missing_note(data, list(schema.names)):
        notes.append(missing_note(data, list(schema.names)))
    prov = Provenance(
        source=f"NIST Diverse Communities ACS excerpt {Path(file).stem}",
        vintage=f"ACS {year[0]} 1-year PUMS" if year else "",
        universe="persons 18+ in the excerpt's PUMAs" if adults_only else "persons",
        weight="PWGTP",
        path=str(file),
        notes=tuple(notes),
        extra={"layout": "nist", "unmapped": log.unmapped, "licence": "US Government work"},
    )
    return Population(
        data.reset_index(drop=True),
        schema,
        weights="PWGTP",
        provenance=prov,
        allow_missing=True,  # missing values are counted in the provenance notes
    )


__all__ = ["CENSUS_ORIGIN", "NIST_FILES", "NIST_ORIGIN", "read_nist_excerpt", "read_pums"]
