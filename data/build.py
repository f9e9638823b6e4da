"""Regenerate every bundled table in ``data/`` from the raw files in ../shared/data.

Usage::

    python data/build.py                       # raw files from $CALIB_DATA_DIR or ../shared/data
    python data/build.py --data-dir D --out O  # elsewhere

The output is byte-identical on every run (fixed row order, fixed float format, ``\\n`` line
ends, sorted JSON keys), so ``git diff`` shows real changes only. Tables:

``president_by_state.csv``
    MEDSL presidential returns 2000-2024 by state (calib.sources.medsl): nominee votes with
    fusion lines summed, other and total votes, shares, winner, pledged electoral votes (table in
    calib.sources.electoral: National Archives distribution by apportionment of the 1990, 2000,
    2010 and 2020 censuses), Maine/Nebraska district splits.
``acs2017_sex_age_educ.csv``
    Shares of US adults by sex x age_pew6 x educ3 from the ACS 2017 PUMS, as published in Pew's
    pewmethods package (acs_2017_excerpt), relabelled to the standard levels.
``nist_acs_cells.csv``
    Weighted (PWGTP) and unweighted counts of adults by area x year x age_pew6 x sex x race5 x
    educ4 x income_personal, from the NIST Diverse Communities ACS excerpts (2018, 2019;
    national = 20 PUMAs in 16 states, ma = 5 PUMAs, tx = 6 PUMAs). Not nationally
    representative. Only non-empty cells are listed.
``manifest.json``
    Source, vintage, universe, licence and notes of each table (read by calib.sources.bundled and
    ``calib datasets``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from calib.sources.acs import read_nist_excerpt  # noqa: E402
from calib.sources.electoral import ELECTION_YEARS  # noqa: E402
from calib.sources.medsl import read_medsl_president  # noqa: E402
from calib.sources.pew import read_pew_acs2017_target  # noqa: E402

NIST_CELL_VARIABLES = ["age_pew6", "sex", "race5", "educ4", "income_personal"]
NIST_AREAS = {"national": "national", "ma": "Massachusetts", "tx": "Texas"}


def _write_csv(frame: pd.DataFrame, path: Path, float_format: str = "%.6f") -> None:
    text = frame.to_csv(index=False, lineterminator="\n", float_format=float_format)
    path.write_bytes(text.encode("utf-8"))


def build_president(data_dir: str | None, out: Path) -> dict:
    table = read_medsl_president(years=ELECTION_YEARS, data_dir=data_dir)
    table = table.copy()
    for col in ("electoral_votes", "ev_dem", "ev_rep"):
        table[col] = table[col].astype(int)
    _write_csv(table, out / "president_by_state.csv")
    return {
        "file": "president_by_state.csv",
        "title": "US presidential results by state, 2000-2024, with electoral votes",
        "source": "MIT Election Data and Science Lab (MEDSL): 'U.S. President 1976-2020' "
        "(doi:10.7910/DVN/42MVDX, version 20210113) and 2024-elections-official "
        "(version 2025-11-20)",
        "vintage": "2000-2024",
        "universe": "50 states + DC, votes cast for president",
        "licence": "CC0 1.0 (MEDSL); electoral votes are public record (US National Archives)",
        "rows": len(table),
        "notes": list(table.attrs.get("notes", [])),
    }


def build_acs2017(data_dir: str | None, out: Path) -> dict:
    target = read_pew_acs2017_target(data_dir=data_dir)
    frame = target.joint().rename("share").reset_index()
    _write_csv(frame, out / "acs2017_sex_age_educ.csv", float_format="%.10f")
    return {
        "file": "acs2017_sex_age_educ.csv",
        "title": "US adults by sex x age (Pew 6 brackets) x education (3 levels), shares",
        "source": "ACS 2017 PUMS as published in Pew Research Center's pewmethods R package "
        "(acs_2017_excerpt, commit d7c04817)",
        "vintage": "2017",
        "universe": "non-institutionalized US adults 18+",
        "licence": "MIT, Copyright (c) 2020 Pew Research Center (derived table)",
        "rows": len(frame),
        "notes": ["shares sum to 1; Pew uses them as raking targets for its Dec 2013 survey"],
    }


def build_nist_cells(data_dir: str | None, out: Path) -> dict:
    frames = []
    for area in NIST_AREAS:
        for year in (2018, 2019):
            pop = read_nist_excerpt(f"{area}{year}", data_dir=data_dir)
            data = pop.data[NIST_CELL_VARIABLES].copy()
            data["weighted_count"] = pop.weights
            data["n_persons"] = 1
            cells = data.groupby(NIST_CELL_VARIABLES, observed=True, sort=True).sum()
            cells = cells.reset_index()
            cells.insert(0, "year", year)
            cells.insert(0, "area", area)
            frames.append(cells)
    table = pd.concat(frames, ignore_index=True)
    table["weighted_count"] = table["weighted_count"].round().astype(int)
    table["n_persons"] = table["n_persons"].astype(int)
    _write_csv(table, out / "nist_acs_cells.csv")
    return {
        "file": "nist_acs_cells.csv",
        "title": "Adults by age x sex x race/ethnicity x education x personal income, "
        "weighted cell counts, NIST ACS excerpt areas",
        "source": "NIST Diverse Communities Data Excerpts (github.com/usnistgov/SDNist, commit "
        "76b74a1e) of the ACS 1-year PUMS 2018 and 2019",
        "vintage": "ACS 2018 and 2019 1-year PUMS",
        "universe": "persons 18+ living in the excerpts' PUMAs: national = 20 PUMAs in 16 "
        "states, ma = 5 PUMAs north/west of Boston, tx = 6 PUMAs around Dallas-Fort Worth",
        "licence": "US Government work (public domain in the US); acknowledge NIST",
        "rows": len(table),
        "variables": NIST_CELL_VARIABLES,
        "weight": "PWGTP",
        "notes": [
            "NOT nationally or state representative: a few hand-picked PUMAs",
            "only non-empty cells are listed; absent combinations are zero",
            "weighted_count = sum of PWGTP; n_persons = unweighted respondents",
        ],
    }


def build(data_dir: str | None = None, out: str | Path = ROOT / "data") -> list[Path]:
    """Write every bundled table and the manifest into ``out``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries = [
        build_president(data_dir, out),
        build_acs2017(data_dir, out),
        build_nist_cells(data_dir, out),
    ]
    manifest = {"script": "data/build.py", "tables": {e["file"]: e for e in entries}}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_bytes(text.encode("utf-8"))
    return [out / e["file"] for e in entries] + [out / "manifest.json"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="raw data directory (default: ../shared/data)")
    parser.add_argument("--out", default=str(ROOT / "data"), help="output folder")
    args = parser.parse_args(argv)
    for path in build(args.data_dir, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
