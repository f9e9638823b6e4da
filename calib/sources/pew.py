"""Pew Research Center December 2013 survey excerpt and its ACS 2017 raking targets.

Files (``pewmethods_pew_acs/`` in the data directory, from Pew's ``pewmethods`` R package, MIT
licence): ``dec13_excerpt.csv`` (2,001 respondents, final weight ``weight``),
``acs_2017_excerpt.csv`` (sex x age x education shares of US adults, ACS 2017) and
``factor_levels.json`` (the R factor levels, used to validate every value).

Pew labels -> standard levels:

- ``cregion`` -> ``region`` (same names); ``sex`` -> ``sex``;
- ``recage`` -> ``age_pew6`` (same brackets; "DK/Ref" -> missing);
- ``receduc`` "HS grad or less" / "Some coll/Assoc degree" / "Coll+" -> ``educ3`` "HS or less" /
  "Some college" / "College+" ("DK/Ref" -> missing);
- ``racethn2`` "White~Hisp" (white, not Hispanic) -> White, "Black~Hisp" -> Black, both
  "Hisp, born ..." -> Hispanic, "Other" -> Other, "Ref" -> missing; gives ``race4`` and
  ``hispanic``;
- ``party`` Republican / Democrat / Independent -> ``party3``; "No preference (VOL.)" and
  "Other party (VOL.)" -> Independent (the standard level means independent, other or none);
  "Don't know/Refused (VOL.)" -> missing.

Answers are kept as plain columns: ``obama_approval`` (q1), ``obama_approval_strength`` (q2),
``aca_approval`` (q45), with Pew's labels, plus the raw ``party`` and ``partyln`` (lean).

Examples
--------
>>> pew = read_pew_dec13()  # doctest: +SKIP
>>> round(pew.total_weight, 1)  # doctest: +SKIP
7198.7
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from calib.errors import DataError
from calib.population import Population
from calib.provenance import Provenance
from calib.sources._common import PathLike, RecodeLog, locate, map_column, missing_note
from calib.standard import STANDARD, convert, standard_schema
from calib.target import Target

ORIGIN = (
    "Pew Research Center, pewmethods R package (github.com/pewresearch/pewmethods, data/, MIT "
    "licence), converted to CSV; ../shared/data/pewmethods_pew_acs"
)
FOLDER = "pewmethods_pew_acs"
REGION = {lv: lv for lv in STANDARD["region"].levels}
SEX = {"Male": "Male", "Female": "Female"}
AGE = {**{lv: lv for lv in STANDARD["age_pew6"].levels}, "DK/Ref": None}
EDUC = {
    "HS grad or less": "HS or less",
    "Some coll/Assoc degree": "Some college",
    "Coll+": "College+",
    "DK/Ref": None,
}
RACE = {
    "White~Hisp": "White",
    "Black~Hisp": "Black",
    "Hisp, born in US": "Hispanic",
    "Hisp, born outside US": "Hispanic",
    "Other": "Other",
    "Ref": None,
}
PARTY = {
    "Republican": "Republican",
    "Democrat": "Democrat",
    "Independent": "Independent",
    "No preference (VOL.)": "Independent",
    "Other party (VOL.)": "Independent",
    "Don't know/Refused (VOL.)": None,
}
ANSWERS = {"q1": "obama_approval", "q2": "obama_approval_strength", "q45": "aca_approval"}
WEIGHTS = ("weight", "llweight", "cellweight")


def _factor_levels(data_dir: PathLike | None, folder: Path | None) -> dict[str, dict[str, list]]:
    if folder is not None and (folder / "factor_levels.json").is_file():
        path = folder / "factor_levels.json"
    else:
        path = locate(f"{FOLDER}/factor_levels.json", "Pew factor levels", ORIGIN, data_dir)
    return json.loads(Path(path).read_text())


def _check_levels(frame: pd.DataFrame, levels: dict[str, list], file: Path) -> None:
    for column, allowed in levels.items():
        if column not in frame.columns:
            raise DataError(f"{file} lacks column {column!r} listed in factor_levels.json")
        bad = sorted(set(frame[column].dropna().astype(str)) - set(allowed))
        if bad:
            raise DataError(
                f"{file} column {column!r} has values {bad} that are not its factor levels "
                f"{allowed}"
            )


def read_pew_dec13(
    data_dir: PathLike | None = None,
    path: PathLike | None = None,
    weight: str = "weight",
    unknown: str = "raise",
) -> Population:
    """The Pew December 2013 respondents on the standard variables, with their answers.

    Parameters
    ----------
    data_dir, path : path-like, optional
        Raw data directory holding ``pewmethods_pew_acs/``, or ``dec13_excerpt.csv`` itself
        (``factor_levels.json`` is then read from the same folder).
    weight : {"weight", "llweight", "cellweight"}, default="weight"
        Which Pew weight is the design weight (``weight`` is the final survey weight).
    unknown : str, default="raise"
        Policy for labels outside the maps above.

    Returns
    -------
    Population
        ``region``, ``sex``, ``age_pew6``, ``educ3``, ``race4``, ``hispanic``, ``party3``
        (refusals missing, counted in the provenance notes), id ``psraid``, answer columns.
    """
    if weight not in WEIGHTS:
        raise DataError(f"weight={weight!r}: the Pew file has weights {WEIGHTS}")
    file = locate(f"{FOLDER}/dec13_excerpt.csv", "Pew December 2013 survey", ORIGIN, data_dir,
                  path)  # fmt: skip
    raw = pd.read_csv(file)
    levels = _factor_levels(data_dir, Path(file).parent)["dec13_excerpt"]
    _check_levels(raw, levels, Path(file))
    log = RecodeLog(policy=unknown)
    out = pd.DataFrame({"psraid": raw["psraid"].astype(int)})
    out["region"] = map_column(raw["cregion"], REGION, "region", unknown, log, "cregion")
    out["sex"] = map_column(raw["sex"], SEX, "sex", unknown, log, "sex")
    out["age_pew6"] = map_column(raw["recage"], AGE, "age_pew6", unknown, log, "recage")
    out["educ3"] = map_column(raw["receduc"], EDUC, "educ3", unknown, log, "receduc")
    out["race4"] = map_column(raw["racethn2"], RACE, "race4", unknown, log, "racethn2")
    out["hispanic"] = convert(out["race4"], "race4", "hispanic")
    out["party3"] = map_column(raw["party"], PARTY, "party3", unknown, log, "party")
    for q, name in ANSWERS.items():
        out[name] = raw[q]
    out["party"], out["partyln"] = raw["party"], raw["partyln"]
    for w in WEIGHTS:
        out[w] = raw[w].astype(float)
    schema = standard_schema(["region", "sex", "age_pew6", "educ3", "race4", "hispanic", "party3"])
    notes = [f"design weight: Pew {weight!r}"]
    for note in (log.note(), missing_note(out, list(schema.names))):
        if note:
            notes.append(note)
    prov = Provenance(
        source="Pew Research Center December 2013 political survey (pewmethods excerpt)",
        vintage="2013-12",
        universe="US adults 18+ (national RDD landline and cell sample)",
        weight=weight,
        path=str(file),
        notes=tuple(notes),
        extra={"licence": "MIT, Copyright (c) 2020 Pew Research Center", "unmapped": log.unmapped},
    )
    return Population(out, schema, weights=weight, id_column="psraid", provenance=prov,
                      allow_missing=True)  # fmt: skip


def read_pew_acs2017_target(
    data_dir: PathLike | None = None, path: PathLike | None = None
) -> Target:
    """The ACS 2017 sex x age_pew6 x educ3 shares Pew rakes the December 2013 survey to.

    Returns
    -------
    Target
        A relative joint target (shares summing to 1; weighting scales it to the population's
        own total) over ``sex``, ``age_pew6``, ``educ3``.
    """
    file = locate(f"{FOLDER}/acs_2017_excerpt.csv", "Pew ACS 2017 raking targets", ORIGIN,
                  data_dir, path)  # fmt: skip
    raw = pd.read_csv(file)
    levels = _factor_levels(data_dir, Path(file).parent)["acs_2017_excerpt"]
    _check_levels(raw, levels, Path(file))
    log = RecodeLog()
    table = pd.DataFrame(
        {
            "sex": map_column(raw["sex"], SEX, "sex", "raise", log, "sex"),
            "age_pew6": map_column(raw["recage"], AGE, "age_pew6", "raise", log, "recage"),
            "educ3": map_column(raw["receduc"], EDUC, "educ3", "raise", log, "receduc"),
            "share": raw["weight"].astype(float) / raw["weight"].sum(),
        }
    )
    return shares_target(
        table,
        ["sex", "age_pew6", "educ3"],
        Provenance(
            source="ACS 2017 PUMS, sex x age x education (Pew pewmethods acs_2017_excerpt)",
            vintage="2017",
            universe="non-institutionalized US adults 18+",
            weight="shares",
            path=str(file),
            extra={"licence": "MIT, Copyright (c) 2020 Pew Research Center"},
        ),
    )


def shares_target(table: pd.DataFrame, names: list[str], provenance: Provenance) -> Target:
    """A relative joint :class:`Target` from a long table of cells with a ``share`` column."""
    schema = standard_schema(names)
    base = Target.from_joint(table[[*names, "share"]], schema, value_column="share",
                             provenance=provenance)  # fmt: skip
    joint = base.joint() / base.total
    return Target(schema, "joint", joint=joint, total=1.0, relative=True, provenance=provenance)


__all__ = ["read_pew_acs2017_target", "read_pew_dec13", "shares_target"]
