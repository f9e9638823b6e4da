"""Tolerant normalisation of the values LLM personas write into standard levels.

LLMs fill persona templates with the allowed values most of the time, and with variants the rest
("BA", "college grad", "Bachelor's degree (Economics)", "Dem", "independent-leaning"). Each value
is matched in three steps: the exact level or label (ignoring case, punctuation and spacing), a
table of synonyms, then ordered patterns (most specific first, so "high school graduate" is not
read as a graduate degree). Values that match nothing are never dropped silently: the default
raises :class:`~calib.errors.UnknownLevelError` listing them; ``unknown="missing"`` or a level
name applies an explicit policy that the result records (``Recoded.unmapped``).

Examples
--------
>>> import pandas as pd
>>> out = normalize_values(pd.Series(["BA", "college grad", "Bachelor's degree", "GED"]), "educ5")
>>> out.values.tolist()
["Bachelor's", "Bachelor's", "Bachelor's", 'HS grad']
>>> normalize_values(pd.Series(["Dem", "leans Republican"]), "party3").values.tolist()
['Democrat', 'Independent']
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from calib.errors import SchemaError, UnknownLevelError
from calib.recode import Recoded, recode
from calib.standard import STANDARD, state_from_name


def _key(text: object) -> str:
    s = str(text).lower().replace("’", "'").replace("&", " and ")
    s = re.sub(r"[^a-z0-9+'<$ ]+", " ", s)
    return " ".join(s.replace("'", "").split())


SYNONYMS: dict[str, dict[str, str]] = {
    "educ5": {
        "less than high school": "Less than HS",
        "high school graduate": "HS grad",
        "some college or associate degree": "Some college",
        "bachelors degree": "Bachelor's",
        "graduate degree": "Postgrad",
        "ba": "Bachelor's",
        "bs": "Bachelor's",
        "b a": "Bachelor's",
        "b s": "Bachelor's",
        "ab": "Bachelor's",
        "college": "Bachelor's",
        "college grad": "Bachelor's",
        "college graduate": "Bachelor's",
        "college degree": "Bachelor's",
        "4 year degree": "Bachelor's",
        "four year degree": "Bachelor's",
        "hs": "HS grad",
        "hs grad": "HS grad",
        "hs diploma": "HS grad",
        "ged": "HS grad",
        "aa": "Some college",
        "as": "Some college",
        "ma": "Postgrad",
        "ms": "Postgrad",
        "mba": "Postgrad",
        "phd": "Postgrad",
        "jd": "Postgrad",
        "md": "Postgrad",
        "postgraduate": "Postgrad",
        "none": "Less than HS",
    },
    "sex": {"m": "Male", "man": "Male", "f": "Female", "woman": "Female"},
    "party3": {
        "dem": "Democrat",
        "democratic": "Democrat",
        "d": "Democrat",
        "rep": "Republican",
        "gop": "Republican",
        "r": "Republican",
        "ind": "Independent",
        "other or none": "Independent",
        "none": "Independent",
        "no party": "Independent",
        "other": "Independent",
        "unaffiliated": "Independent",
        "no preference": "Independent",
    },
    "employment": {
        "employed full time": "Full-time",
        "full time": "Full-time",
        "employed": "Full-time",
        "employed part time": "Part-time",
        "part time": "Part-time",
        "not in labor force other": "Other NILF",
        "disabled": "Other NILF",
        "stay at home parent": "Homemaker",
    },
    "marital": {"single": "Never married", "married spouse present": "Married"},
    "citizen": {
        "us citizen by birth": "Citizen",
        "naturalized citizen": "Citizen",
        "naturalised citizen": "Citizen",
        "us citizen": "Citizen",
        "yes": "Citizen",
        "not a us citizen": "Not a citizen",
        "non citizen": "Not a citizen",
        "noncitizen": "Not a citizen",
        "no": "Not a citizen",
    },
    "race5": {
        "white non hispanic": "White",
        "black non hispanic": "Black",
        "african american": "Black",
        "asian non hispanic": "Asian",
        "latino": "Hispanic",
        "latina": "Hispanic",
        "hispanic or latino": "Hispanic",
        "other or multiracial": "Other",
        "other race non hispanic": "Other",
        "multiracial": "Other",
    },
    "race4": {
        "white non hispanic": "White",
        "black non hispanic": "Black",
        "hispanic born in the us": "Hispanic",
        "hispanic born outside the us": "Hispanic",
        "other race non hispanic": "Other",
        "latino": "Hispanic",
        "asian": "Other",
    },
    "ideology5": {"moderate": "Moderate", "middle of the road": "Moderate", "centrist": "Moderate"},
    "religion": {
        "christian": "Protestant",
        "evangelical": "Protestant",
        "baptist": "Protestant",
        "methodist": "Protestant",
        "lds": "Mormon",
        "none": "Nothing in particular",
        "no religion": "Nothing in particular",
        "other": "Other religion",
    },
    "vote_pres": {"did not vote": "Did not vote", "didnt vote": "Did not vote"},
}

# Ordered (pattern, level) rules tried after the exact and synonym lookups.
PATTERNS: dict[str, list[tuple[str, str]]] = {
    "educ5": [
        (r"less than high school|no (high school )?diploma|dropped out"
         r"|did ?(not|nt) (finish|graduate|complete)|some high school|\bgrade\b"
         r"|no schooling|elementary", "Less than HS"),
        (r"doctor|ph ?d|master|mba|\bj ?d\b|\bm ?d\b|law degree|professional degree|graduate degree"
         r"|postgrad|post grad|graduate school", "Postgrad"),
        (r"bachelor|\bb ?a\b|\bb ?s\b|college grad|4 year|four year|university degree",
         "Bachelor's"),
        (r"associate|some college|community college|\baa\b|trade school|vocational|technical",
         "Some college"),
        (r"high school|\bhs\b|\bged\b|diploma", "HS grad"),
    ],
    "party3": [
        (r"lean|independent", "Independent"),
        (r"democrat", "Democrat"),
        (r"republican", "Republican"),
    ],
    "sex": [(r"\bmale\b|\bman\b", "Male"), (r"female|woman", "Female")],
    "employment": [
        (r"part", "Part-time"),
        (r"full|self employed|employed", "Full-time"),
        (r"unemploy|looking for work", "Unemployed"),
        (r"retire", "Retired"),
        (r"student", "Student"),
        (r"homemaker|stay at home", "Homemaker"),
    ],
    "race5": [
        (r"hispanic|latin", "Hispanic"),
        (r"black|african", "Black"),
        (r"asian", "Asian"),
        (r"white", "White"),
        (r"other|multi|two or more|mixed|native|pacific", "Other"),
    ],
    "race4": [
        (r"hispanic|latin", "Hispanic"),
        (r"black|african", "Black"),
        (r"white", "White"),
        (r"other|multi|asian|mixed|native|pacific", "Other"),
    ],
    "ideology5": [
        (r"very liberal|extremely liberal|progressive", "Very liberal"),
        (r"very conservative|extremely conservative", "Very conservative"),
        (r"liberal", "Liberal"),
        (r"conservative", "Conservative"),
    ],
    "vote_pres": [
        (r"obama|clinton|biden|harris|democrat", "Democrat"),
        (r"romney|trump|republican", "Republican"),
        (r"not vote|didnt vote|no vote|abstain", "Did not vote"),
        (r"someone else|other|third party|johnson|stein", "Other"),
    ],
}  # fmt: skip


def _exact_table(name: str) -> dict[str, str]:
    variable = STANDARD[name]
    table = {_key(lv): lv for lv in variable.levels}
    table.update({_key(variable.label(lv)): lv for lv in variable.levels})
    table.update(SYNONYMS.get(name, {}))
    return table


def match_value(value: object, name: str) -> str | None:
    """The standard level of ``name`` that free-text ``value`` means, or None if none matches.

    Examples
    --------
    >>> match_value("Master's degree in nursing", "educ5"), match_value("wizard", "educ5")
    ('Postgrad', None)
    """
    if name == "state":
        try:
            return state_from_name(str(value))
        except UnknownLevelError:
            return None
    key = _key(value)
    exact = _exact_table(name)
    if key in exact:
        return exact[key]
    for pattern, level in PATTERNS.get(name, []):
        if re.search(pattern, key):
            return level
    return None


def normalize_values(
    values: pd.Series,
    name: str,
    unknown: str = "raise",
    extra: Mapping[str, str | None] | None = None,
) -> Recoded:
    """Normalise free-text ``values`` into the levels of standard variable ``name``.

    Parameters
    ----------
    values : pandas.Series
        Raw text (missing values stay missing).
    name : str
        A categorical standard variable (``"educ5"``, ``"party3"``, ``"state"``...).
    unknown : str, default="raise"
        ``"raise"`` an :class:`~calib.errors.UnknownLevelError` listing the unmatched values,
        ``"missing"``, or a level name to send them to; the result records them.
    extra : mapping, optional
        Additional exact raw value -> level (or None for a declared missing code), tried first.

    Returns
    -------
    Recoded
        ``values`` (categorical), ``policy`` and ``unmapped`` (raw value -> count).
    """
    variable = STANDARD[name]
    if not variable.is_categorical:
        raise SchemaError(f"{name!r} is numeric; normalize_values maps text to levels")
    mapping: dict[object, str | None] = {}
    for raw in pd.unique(values.dropna()):
        if extra and raw in extra:
            mapping[raw] = extra[raw]
            continue
        level = match_value(raw, name)
        if level is not None:
            mapping[raw] = level
    return recode(values, mapping, variable, unknown=unknown, source=f"free text for {name}")


__all__ = ["PATTERNS", "SYNONYMS", "match_value", "normalize_values"]
