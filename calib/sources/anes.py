"""ANES 2012 / 2016 respondents paired with GPT-3 vote probabilities (Argyle et al. 2023, Study 2).

Reads ``argyle2023_anes_gpt3/full_results_{2012,2016}_2.csv`` into a
:class:`~calib.population.Population` on the standard variables, with GPT-3's probabilities and
the respondent's real vote as plain columns.

ANES codes (ANES 2012 and 2016 Time Series codebooks; the Argyle et al. replication code uses the
same value labels):

=====================  ======================  ================================================
2012 variable          2016 variable           codes
=====================  ======================  ================================================
presvote2012_x         V162062x                1 Democratic nominee, 2 Republican nominee,
                                               3-5 other candidates; -2 inapplicable
dem_raceeth_x          V161310x                1 White non-Hisp., 2 Black non-Hisp., 3 Asian or
                                               Pacific Islander non-Hisp., 4 Native American
                                               non-Hisp., 5 Hispanic, 6 other/multiple non-Hisp.
libcpre_self           V161126                 1 extremely liberal .. 7 extremely conservative;
                                               -2 / 99 haven't thought much about it
pid_x                  V161158x                1 strong Democrat .. 7 strong Republican
relig_church           V161244                 attends religious services: 1 yes, 2 no
dem_age_r_x            V161267                 age in years (90 = 90 or older)
gender_respondent_x    V161342                 1 male, 2 female (2016: 3 other)
paprofile_interestpolit V162256                1 very .. 4 not at all interested in politics
discuss_disc           V162174                 discusses politics: 1 yes, 2 no
patriot_flag           V162125x                feeling when seeing the flag (raw code kept)
sample_stfips          V161010d                state FIPS code
=====================  ======================  ================================================

Negative codes (-9 refused, -8 don't know, -7/-6 no or partial post-election interview) become
missing. The vote summary's -2 ("inapplicable") covers both non-voters and respondents without a
post-election interview; the reader tells them apart with the post-election item
``discuss_disc``/``V162174`` (codes -6/-7 = no usable post interview): those become missing, the
rest "Did not vote". ``V161010d`` holds FIPS codes (its values skip 3, 7, 14, 43 and 52 exactly as
FIPS does), not an alphabetical ANES numbering. ANES race code 3 joins Asian and Pacific
Islander, so only ``race5``/``race4``/``hispanic`` are derived (``race5`` "Asian" includes NHPI).
The files carry no ANES weights: every respondent has weight 1 (the Argyle analysis is
unweighted).

Examples
--------
>>> pop = read_argyle_anes(2016)  # doctest: +SKIP
>>> pop.data[["gpt3_p_dem", "vote_pres"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from calib.errors import DataError
from calib.population import Population
from calib.provenance import Provenance
from calib.sources._common import PathLike, RecodeLog, locate, map_column, missing_note
from calib.standard import STANDARD, age_bracket, convert, state_from_fips

ORIGIN = (
    "Argyle et al. (2023) 'Out of One, Many' replication data, github.com/wingated/out_of_one_many "
    "Study2_Data/ (MIT licence; ANES terms of use apply); ../shared/data/argyle2023_anes_gpt3"
)
#: Raw column of each concept, by year.
COLUMNS: dict[int, dict[str, str]] = {
    2012: {
        "case_id": "caseid",
        "p_dem": "p_obama",
        "p_rep": "p_romney",
        "vote": "presvote2012_x",
        "race": "dem_raceeth_x",
        "discuss": "discuss_disc",
        "ideology": "libcpre_self",
        "party": "pid_x",
        "church": "relig_church",
        "age": "dem_age_r_x",
        "sex": "gender_respondent_x",
        "interest": "paprofile_interestpolit",
        "flag": "patriot_flag",
        "state": "sample_stfips",
    },
    2016: {
        "case_id": "V160001_orig",
        "p_dem": "p_clinton",
        "p_rep": "p_trump",
        "vote": "V162062x",
        "race": "V161310x",
        "discuss": "V162174",
        "ideology": "V161126",
        "party": "V161158x",
        "church": "V161244",
        "age": "V161267",
        "sex": "V161342",
        "interest": "V162256",
        "flag": "V162125x",
        "state": "V161010d",
    },
}
CANDIDATES = {2012: ("Obama", "Romney"), 2016: ("Clinton", "Trump")}
_NEG = {-9: None, -8: None, -7: None, -6: None, -5: None, -4: None, -3: None, -2: None, -1: None}
RACE_RACE5: dict[object, str | None] = {
    1: "White", 2: "Black", 3: "Asian", 4: "Other", 5: "Hispanic", 6: "Other", **_NEG,
}  # fmt: skip
SEX_SEX: dict[object, str | None] = {1: "Male", 2: "Female", 3: None, **_NEG}
PID7: dict[object, str | None] = {i + 1: lv for i, lv in enumerate(STANDARD["party7"].levels)}
PID7.update(_NEG)
IDEOLOGY7: dict[object, str | None] = {
    i + 1: lv for i, lv in enumerate(STANDARD["ideology7"].levels)
}
IDEOLOGY7.update({**_NEG, 99: None})
YES_NO = {1: "Yes", 2: "No"}
INTEREST = {1: "Very", 2: "Somewhat", 3: "Not very", 4: "Not at all"}
NO_POST_INTERVIEW = (-6, -7)


def _vote(raw: pd.Series, discuss: pd.Series) -> pd.Series:
    labels = {1: "Democrat", 2: "Republican", 3: "Other", 4: "Other", 5: "Other"}
    out = raw.map(labels)
    did_not_vote = (raw == -2) & ~discuss.isin(NO_POST_INTERVIEW)
    out = out.where(~did_not_vote, "Did not vote")
    unknown = sorted(set(raw.dropna().unique()) - set(labels) - {-9, -8, -7, -6, -2, -1})
    if unknown:
        raise DataError(f"ANES vote column has codes outside the codebook: {unknown}")
    return STANDARD["vote_pres"].coerce(out)


def read_argyle_anes(
    year: int,
    data_dir: PathLike | None = None,
    path: PathLike | None = None,
    unknown: str = "raise",
) -> Population:
    """ANES respondents of ``year`` (2012 or 2016) with GPT-3's vote probabilities.

    Parameters
    ----------
    year : {2012, 2016}
        Election year.
    data_dir, path : path-like, optional
        Raw data directory holding ``argyle2023_anes_gpt3/``, or the CSV itself.
    unknown : str, default="raise"
        Policy for codes outside the ANES code lists.

    Returns
    -------
    Population
        Standard variables ``age`` (+ the four bracket sets), ``sex``, ``race5``, ``race4``,
        ``hispanic``, ``party7``, ``party3``, ``ideology7``, ``ideology5``, ``state``,
        ``region``, ``division``, ``vote_pres`` (missing values allowed and counted in the
        provenance notes), ids in ``case_id``, and plain columns ``gpt3_p_dem``,
        ``gpt3_p_rep``, ``gpt3_p_dem_two_party`` (p_dem / (p_dem + p_rep)), ``vote_dem`` (1 = the
        Democratic nominee, 0 = the Republican, missing otherwise), ``attends_services``,
        ``discusses_politics``, ``interest_politics`` and ``flag_feeling_code`` (raw code).
    """
    if year not in COLUMNS:
        raise DataError(f"year={year}: the Argyle et al. files cover {sorted(COLUMNS)}")
    cols = COLUMNS[year]
    file = locate(f"argyle2023_anes_gpt3/full_results_{year}_2.csv",
                  f"ANES {year} x GPT-3 (Argyle et al. 2023)", ORIGIN, data_dir, path)  # fmt: skip
    raw = pd.read_csv(file)
    missing = [c for c in cols.values() if c not in raw.columns]
    if missing:
        raise DataError(f"{file} lacks the ANES {year} column(s) {missing}")
    log = RecodeLog(policy=unknown)
    out = pd.DataFrame({"case_id": raw[cols["case_id"]].astype(str)})
    age = raw[cols["age"]].where(raw[cols["age"]] >= 18)
    out["age"] = age.astype(float)
    for name in ("age_pew6", "age_acs10", "age_cvap4", "age_b15001_5"):
        out[name] = age_bracket(age, name, unknown="missing")
    out["sex"] = map_column(raw[cols["sex"]], SEX_SEX, "sex", unknown, log, cols["sex"])
    out["race5"] = map_column(raw[cols["race"]], RACE_RACE5, "race5", unknown, log, cols["race"])
    out["race4"] = convert(out["race5"], "race5", "race4")
    out["hispanic"] = convert(out["race5"], "race5", "hispanic")
    out["party7"] = map_column(raw[cols["party"]], PID7, "party7", unknown, log, cols["party"])
    out["party3"] = convert(out["party7"], "party7", "party3")
    out["ideology7"] = map_column(
        raw[cols["ideology"]], IDEOLOGY7, "ideology7", unknown, log, cols["ideology"]
    )
    out["ideology5"] = convert(out["ideology7"], "ideology7", "ideology5")
    out["state"] = STANDARD["state"].coerce(raw[cols["state"]].map(state_from_fips))
    out["region"] = convert(out["state"], "state", "region")
    out["division"] = convert(out["state"], "state", "division")
    out["vote_pres"] = _vote(raw[cols["vote"]], raw[cols["discuss"]])
    p_dem, p_rep = raw[cols["p_dem"]].astype(float), raw[cols["p_rep"]].astype(float)
    out["gpt3_p_dem"], out["gpt3_p_rep"] = p_dem, p_rep
    out["gpt3_p_dem_two_party"] = p_dem / (p_dem + p_rep)
    out["vote_dem"] = out["vote_pres"].astype("object").map({"Democrat": 1.0, "Republican": 0.0})
    out["vote_dem"] = out["vote_dem"].astype(float)
    out["attends_services"] = raw[cols["church"]].map(YES_NO)
    out["discusses_politics"] = raw[cols["discuss"]].map(YES_NO)
    out["interest_politics"] = raw[cols["interest"]].map(INTEREST)
    out["flag_feeling_code"] = raw[cols["flag"]].where(raw[cols["flag"]] > 0)
    schema = STANDARD.subset([c for c in STANDARD.names if c in out.columns])
    dem, rep = CANDIDATES[year]
    notes = [
        f"GPT-3 (davinci) probabilities for {dem} (gpt3_p_dem) and {rep} (gpt3_p_rep)",
        "unweighted: the files carry no ANES survey weights",
        "race5 'Asian' includes Pacific Islanders (ANES code 3)",
    ]
    for note in (log.note(), missing_note(out, list(schema.names))):
        if note:
            notes.append(note)
    prov = Provenance(
        source=f"ANES {year} Time Series x GPT-3 (Argyle et al. 2023, Study 2)",
        vintage=str(year),
        universe="ANES respondents (US citizens 18+) with the items Argyle et al. used",
        weight="",
        path=str(file),
        notes=tuple(notes),
        extra={"unmapped": log.unmapped, "licence": "MIT (replication code); ANES terms of use"},
    )
    return Population(out, schema, id_column="case_id", provenance=prov, allow_missing=True)


#: Study 3 items: name -> (ANES 2016 variable, GPT-3 prediction column).
TASK3_ITEMS: dict[str, tuple[str, str]] = {
    "gender": ("V161342", "gender_gpt3"),
    "race": ("V161310x", "race_gpt3"),
    "age": ("V161267", "age_gpt3"),
    "education": ("V161270", "education_gpt3"),
    "church_goer": ("V161244", "church_goer_gpt3"),
    "patriotism": ("V162125x", "patriotism_gpt3"),
    "discuss_politics": ("V162174", "discuss_politics_gpt3"),
    "political_interest": ("V162256", "political_interest_gpt3"),
    "ideology": ("V161126", "ideology_gpt3"),
    "pid7": ("V161158x", "pid7_gpt3"),
    "voted_2016": ("V162031x", "voted_2016_gpt3"),
    "votechoice_2016": ("V162062x", "votechoice_2016_gpt3"),
}
TASK3_FILES = {"default": "anesgpt3_task3.csv", "0.01": "anesgpt3_task3_temp001.csv",
               "1.0": "anesgpt3_task3_temp10.csv"}  # fmt: skip


def read_argyle_task3(
    temperature: str = "default", data_dir: PathLike | None = None, path: PathLike | None = None
) -> pd.DataFrame:
    """Argyle et al. Study 3: each ANES 2016 item and GPT-3's prediction of it from the others.

    Parameters
    ----------
    temperature : {"default", "0.01", "1.0"}, default="default"
        Which file: ``anesgpt3_task3.csv`` or the runs at temperature 0.01 / 1.0.
    data_dir, path : path-like, optional
        Raw data directory holding ``argyle2023_anes_gpt3/``, or the CSV itself.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``case_id``, ``item`` (``TASK3_ITEMS``), ``anes_variable``,
        ``real`` and ``gpt3``: the ANES code and GPT-3's predicted code, as in the file, with
        ANES negative codes and GPT-3's -1 (no usable answer) set missing. The codes keep the
        file's own numbering (e.g. ideology 99 = "haven't thought much"); compare them item by
        item, and see the Argyle et al. replication code for the GPT-3 answer coding.
    """
    if temperature not in TASK3_FILES:
        raise DataError(f"temperature={temperature!r}: choose one of {sorted(TASK3_FILES)}")
    name = TASK3_FILES[temperature]
    file = locate(f"argyle2023_anes_gpt3/{name}", "ANES 2016 x GPT-3 (Argyle et al. Study 3)",
                  ORIGIN, data_dir, path)  # fmt: skip
    raw = pd.read_csv(file)
    needed = ["V160001_orig", *(c for pair in TASK3_ITEMS.values() for c in pair)]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise DataError(f"{file} lacks column(s) {missing}")
    frames = []
    for item, (anes, gpt3) in TASK3_ITEMS.items():
        real = raw[anes].where(raw[anes] >= 0).astype(float)
        pred = raw[gpt3].where(raw[gpt3] != -1).astype(float)
        frames.append(
            pd.DataFrame(
                {
                    "case_id": raw["V160001_orig"].astype(str),
                    "item": item,
                    "anes_variable": anes,
                    "real": real,
                    "gpt3": pred,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs["source"] = f"Argyle et al. (2023) Study 3, {name}"
    return out


__all__ = ["COLUMNS", "TASK3_ITEMS", "read_argyle_anes", "read_argyle_task3"]
