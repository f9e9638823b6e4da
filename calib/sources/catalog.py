"""A catalogue of the datasets calib knows: bundled tables and raw source folders.

:func:`dataset_catalog` lists the bundled tables (always present) and the raw datasets the
readers use, saying for each whether it is available in the data directory, which reader loads
it, and where it comes from. ``calib datasets`` prints it.

Examples
--------
>>> table = dataset_catalog(data_dir="/nonexistent")
>>> bool(table.loc[table.kind == "bundled", "present"].all())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calib.datadir import shared_data_dir
from calib.sources._common import PathLike
from calib.sources.bundled import bundled_tables


@dataclass(frozen=True)
class RawDataset:
    """A raw source folder in the data directory and the reader that loads it."""

    folder: str
    title: str
    reader: str
    source: str
    licence: str
    files: tuple[str, ...]


RAW_DATASETS: tuple[RawDataset, ...] = (
    RawDataset("nist_acs_excerpts", "ACS PUMS 2018/2019 excerpts (NIST Diverse Communities)",
               "calib.sources.read_nist_excerpt", "github.com/usnistgov/SDNist",
               "US Government work", ("national2019.csv", "ma2019.csv", "tx2019.csv")),
    RawDataset("medsl_president", "US presidential returns by state 1976-2024 (MEDSL)",
               "calib.sources.read_medsl_president", "MIT Election Data and Science Lab",
               "CC0 1.0", ("1976-2020-president.csv", "2024-president-state.csv")),
    RawDataset("argyle2023_anes_gpt3", "ANES 2012/2016 x GPT-3 vote probabilities (Argyle 2023)",
               "calib.sources.read_argyle_anes", "github.com/wingated/out_of_one_many",
               "MIT (code); ANES terms of use", ("full_results_2012_2.csv",
                                                 "full_results_2016_2.csv")),
    RawDataset("pewmethods_pew_acs", "Pew Research Center Dec 2013 survey + ACS 2017 targets",
               "calib.sources.read_pew_dec13, read_pew_acs2017_target",
               "github.com/pewresearch/pewmethods", "MIT (Pew Research Center 2020)",
               ("dec13_excerpt.csv", "acs_2017_excerpt.csv", "factor_levels.json")),
    RawDataset("silicon_pew2013", "Recorded silicon sample: 400 personas x 4 tiers, Pew 2013 "
               "questions", "calib.sources.read_silicon_pew2013", "the calib project",
               "may be shipped (project's own)", ("meta_personas.csv",)),
    RawDataset("silicon_2024_states", "Recorded silicon sample: 816 personas in 48 states x 4 "
               "tiers, 2016-2024 vote", "calib.sources.read_silicon_2024_states",
               "the calib project", "may be shipped (project's own)", ("meta_personas.csv",)),
    RawDataset("census_state_tables", "Census state tables: ACS 2018 1-year, CVAP, PEP 2019",
               "calib.forecast.census.read_state_tables", "US Census Bureau", "public domain (US)",
               ("acs1_2018_state_B01001_sex_by_age_by_race.csv",)),
)  # fmt: skip

COLUMNS = ["kind", "name", "title", "present", "reader", "source", "vintage", "licence", "path"]


def _provenance_title(folder: Path) -> str:
    path = folder / "PROVENANCE.md"
    if not path.is_file():
        return ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def dataset_catalog(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Bundled tables and raw datasets with availability and provenance.

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS``: ``kind`` ("bundled", "raw" or "raw (unregistered)"), ``name``,
        ``title``, ``present`` (all the dataset's key files found), ``reader``, ``source``,
        ``vintage``, ``licence``, ``path``.
    """
    from calib.datadir import bundled_file

    rows = []
    for entry in bundled_tables():
        rows.append(
            {
                "kind": "bundled",
                "name": entry["file"],
                "title": entry["title"],
                "present": True,
                "reader": "calib.sources.bundled",
                "source": entry["source"],
                "vintage": entry["vintage"],
                "licence": entry["licence"],
                "path": str(bundled_file(entry["file"])),
            }
        )
    base = shared_data_dir(data_dir, required=False)
    known = set()
    for ds in RAW_DATASETS:
        known.add(ds.folder)
        folder = base / ds.folder if base is not None else None
        present = folder is not None and all((folder / f).is_file() for f in ds.files)
        rows.append(
            {
                "kind": "raw",
                "name": ds.folder,
                "title": (_provenance_title(folder) if present and folder else "") or ds.title,
                "present": present,
                "reader": ds.reader,
                "source": ds.source,
                "vintage": "",
                "licence": ds.licence,
                "path": str(folder) if present else "",
            }
        )
    if base is not None:
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name not in known):
            rows.append(
                {
                    "kind": "raw (unregistered)",
                    "name": folder.name,
                    "title": _provenance_title(folder),
                    "present": True,
                    "reader": "",
                    "source": "",
                    "vintage": "",
                    "licence": "",
                    "path": str(folder),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


__all__ = ["RAW_DATASETS", "RawDataset", "dataset_catalog"]
