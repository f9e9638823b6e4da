"""Maps between codings of one concept: single-year age to brackets, bracket to bracket,
educ5 -> educ4 -> educ3, race7 -> race5 -> race4, party7 -> party3, ideology7 -> ideology5,
state -> division -> region, and dollar incomes to brackets.

:func:`level_map` gives the level-to-level dictionary between two standard variables (composing
the direct maps, and deriving age maps from the brackets' bounds, so ``age_acs10 -> age_pew6``
works and ``age_pew6 -> age_cvap4`` raises because 25-34 straddles 18-29 and 30-44).
:func:`convert` applies it to a column.

Examples
--------
>>> import pandas as pd
>>> convert(pd.Series([19, 40, 70]), "age", "age_pew6").tolist()
['18-24', '35-44', '65+']
>>> level_map("educ5", "educ3")["Postgrad"]
'College+'
>>> convert(pd.Series(["85+", "20-24"]), "age_acs10", "age_cvap4").tolist()
['65+', '18-29']
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from itertools import pairwise
from types import MappingProxyType

import numpy as np
import pandas as pd

from calib.errors import SchemaError, UnknownLevelError
from calib.standard.geography import DIVISION_REGION, STATE_DIVISION, STATE_REGION
from calib.standard.variables import STANDARD

_INF = float("inf")

#: Inclusive [low, high] years of every level of every age-bracket variable.
AGE_BOUNDS: Mapping[str, Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        name: MappingProxyType(
            {
                level: (
                    (float(level[:-1]), _INF)
                    if level.endswith("+")
                    else tuple(float(x) for x in level.split("-"))
                )
                for level in STANDARD[name].levels
            }
        )
        for name in ("age_pew6", "age_acs10", "age_cvap4", "age_b15001_5")
    }
)

#: Lower bounds (dollars) of the income brackets; a bracket runs up to the next bound.
INCOME_BOUNDS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "income_personal": (-_INF, 10_000, 25_000, 50_000, 75_000, 100_000, 150_000),
        "income_household": (-_INF, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000),
    }
)

_DIRECT: dict[tuple[str, str], dict[str, str]] = {
    ("educ5", "educ4"): {
        "Less than HS": "HS or less",
        "HS grad": "HS or less",
        "Some college": "Some college",
        "Bachelor's": "Bachelor's",
        "Postgrad": "Postgrad",
    },
    ("educ4", "educ3"): {
        "HS or less": "HS or less",
        "Some college": "Some college",
        "Bachelor's": "College+",
        "Postgrad": "College+",
    },
    ("race7", "race5"): {
        "White": "White",
        "Black": "Black",
        "Hispanic": "Hispanic",
        "Asian": "Asian",
        "AIAN": "Other",
        "NHPI": "Other",
        "Other": "Other",
    },
    ("race5", "race4"): {
        "White": "White",
        "Black": "Black",
        "Hispanic": "Hispanic",
        "Asian": "Other",
        "Other": "Other",
    },
    ("race5", "hispanic"): {
        "White": "Not Hispanic",
        "Black": "Not Hispanic",
        "Hispanic": "Hispanic",
        "Asian": "Not Hispanic",
        "Other": "Not Hispanic",
    },
    ("race4", "hispanic"): {
        "White": "Not Hispanic",
        "Black": "Not Hispanic",
        "Hispanic": "Hispanic",
        "Other": "Not Hispanic",
    },
    ("party7", "party3"): {
        "Strong Democrat": "Democrat",
        "Weak Democrat": "Democrat",
        "Lean Democrat": "Independent",
        "Independent": "Independent",
        "Lean Republican": "Independent",
        "Weak Republican": "Republican",
        "Strong Republican": "Republican",
    },
    ("ideology7", "ideology5"): {
        "Extremely liberal": "Very liberal",
        "Liberal": "Liberal",
        "Slightly liberal": "Liberal",
        "Moderate": "Moderate",
        "Slightly conservative": "Conservative",
        "Conservative": "Conservative",
        "Extremely conservative": "Very conservative",
    },
    ("state", "division"): dict(STATE_DIVISION),
    ("state", "region"): dict(STATE_REGION),
    ("division", "region"): dict(DIVISION_REGION),
}


def _age_map(source: str, target: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for level, (lo, hi) in AGE_BOUNDS[source].items():
        inside = [t for t, (tlo, thi) in AGE_BOUNDS[target].items() if tlo <= lo and hi <= thi]
        if not inside:
            overlaps = [
                t for t, (tlo, thi) in AGE_BOUNDS[target].items() if lo <= thi and tlo <= hi
            ]
            raise SchemaError(
                f"{source} level {level!r} straddles {target} levels {overlaps}: the brackets do "
                f"not nest, so {source} cannot be converted to {target}; start from single-year "
                "age or from a finer bracket set (age_acs10 nests in all others)"
            )
        out[level] = inside[0]
    return out


def _edges() -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for a, b in _DIRECT:
        graph.setdefault(a, []).append(b)
    return graph


def level_map(source: str, target: str) -> dict[str, str]:
    """Level-to-level map from standard variable ``source`` to the coarser ``target``.

    Raises
    ------
    UnknownVariableError
        If either name is not a standard variable.
    SchemaError
        If no chain of maps leads from ``source`` to ``target`` (e.g. educ3 -> educ5, which
        would need information the coarse levels do not hold), or age brackets do not nest.

    Examples
    --------
    >>> level_map("race7", "race4")["Asian"]
    'Other'
    """
    STANDARD.require([source, target])
    if source == target:
        return {lv: lv for lv in STANDARD[source].levels}
    if source in AGE_BOUNDS and target in AGE_BOUNDS:
        return _age_map(source, target)
    graph = _edges()
    queue: deque[list[str]] = deque([[source]])
    seen = {source}
    while queue:
        path = queue.popleft()
        if path[-1] == target:
            mapping = {lv: lv for lv in STANDARD[source].levels}
            for a, b in pairwise(path):
                step = _DIRECT[(a, b)]
                mapping = {k: step[v] for k, v in mapping.items()}
            return mapping
        for nxt in graph.get(path[-1], []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*path, nxt])
    raise SchemaError(
        f"there is no map from {source!r} to {target!r}: calib converts only from a finer coding "
        "to a coarser one of the same concept (age brackets, educ5->educ4->educ3, "
        "race7->race5->race4, party7->party3, ideology7->ideology5, state->division->region)"
    )


def age_bracket(ages: pd.Series, target: str = "age_pew6", unknown: str = "raise") -> pd.Series:
    """Single-year ages -> the brackets of age variable ``target``.

    Parameters
    ----------
    ages : pandas.Series
        Ages in years (numbers; missing values stay missing).
    target : str, default="age_pew6"
        ``"age_pew6"``, ``"age_acs10"``, ``"age_cvap4"`` or ``"age_b15001_5"``.
    unknown : {"raise", "missing"}, default="raise"
        What to do with ages outside every bracket (under 18, negative codes such as ANES -9).

    Raises
    ------
    UnknownLevelError
        Listing the ages outside the brackets, under ``unknown="raise"``.

    Examples
    --------
    >>> age_bracket(pd.Series([18, 85.0]), "age_acs10").tolist()
    ['18-19', '85+']
    """
    if target not in AGE_BOUNDS:
        raise SchemaError(f"{target!r} is not an age-bracket variable: use {sorted(AGE_BOUNDS)}")
    if unknown not in ("raise", "missing"):
        raise SchemaError(f"unknown={unknown!r}: age_bracket accepts 'raise' or 'missing'")
    values = pd.to_numeric(ages, errors="coerce").to_numpy(dtype=float)
    non_numeric = pd.Series(ages)[np.isnan(values) & pd.Series(ages).notna().to_numpy()]
    levels = list(AGE_BOUNDS[target])
    lows = np.array([AGE_BOUNDS[target][lv][0] for lv in levels])
    codes = np.searchsorted(lows, np.floor(values), side="right") - 1
    outside = ~np.isnan(values) & (codes < 0)
    if unknown == "raise" and (outside.any() or len(non_numeric)):
        bad = pd.Series(list(values[outside]) + list(non_numeric)).value_counts()
        raise UnknownLevelError(
            f"{target} (from age)",
            list(bad.index),
            levels,
            counts=list(bad.to_numpy()),
            hint="ages must be numbers >= 18; pass unknown='missing' to drop the rest explicitly",
        )
    codes = np.where(np.isnan(values) | outside, -1, codes)
    cat = pd.Categorical.from_codes(codes, dtype=STANDARD[target].dtype)
    return pd.Series(cat, index=pd.Series(ages).index, name=target)


def income_bracket(dollars: pd.Series, target: str = "income_personal") -> pd.Series:
    """Dollar amounts -> the brackets of ``income_personal`` or ``income_household``.

    Zero and negative incomes fall in the lowest bracket; missing values stay missing.

    Examples
    --------
    >>> income_bracket(pd.Series([0, 30000, 250000])).tolist()
    ['<10k', '25-50k', '150k+']
    """
    if target not in INCOME_BOUNDS:
        raise SchemaError(f"{target!r} is not an income variable: use {sorted(INCOME_BOUNDS)}")
    values = pd.to_numeric(dollars, errors="coerce").to_numpy(dtype=float)
    bad = pd.Series(dollars)[np.isnan(values) & pd.Series(dollars).notna().to_numpy()]
    if len(bad):
        raise UnknownLevelError(f"{target} (from dollars)", list(bad.unique()), ())
    codes = np.searchsorted(np.array(INCOME_BOUNDS[target]), values, side="right") - 1
    codes = np.where(np.isnan(values), -1, codes)
    cat = pd.Categorical.from_codes(codes, dtype=STANDARD[target].dtype)
    return pd.Series(cat, index=pd.Series(dollars).index, name=target)


def convert(values: pd.Series, source: str, target: str, unknown: str = "raise") -> pd.Series:
    """Convert a column from standard coding ``source`` to the coarser coding ``target``.

    ``source="age"`` (single years) converts to any age bracket set. Values that are not levels
    of ``source`` raise :class:`~calib.errors.UnknownLevelError`; missing values stay missing.

    Examples
    --------
    >>> convert(pd.Series(["NY", "TX"]), "state", "region").tolist()
    ['Northeast', 'South']
    """
    if source == "age":
        return age_bracket(values, target, unknown=unknown)
    mapping = level_map(source, target)
    coded = STANDARD[source].coerce(values.reset_index(drop=True))
    mapped = coded.astype("object").map(lambda v: mapping.get(v) if isinstance(v, str) else None)
    out = pd.Series(pd.Categorical(mapped, dtype=STANDARD[target].dtype), name=target)
    out.index = values.index
    return out


__all__ = ["AGE_BOUNDS", "INCOME_BOUNDS", "age_bracket", "convert", "income_bracket", "level_map"]
