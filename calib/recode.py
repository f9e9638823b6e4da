"""Recoding raw source values into schema levels, with an explicit policy for the unmappable.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Variable
>>> sex = Variable("sex", ("Male", "Female"))
>>> out = recode(pd.Series([1, 2, 9]), {1: "Male", 2: "Female"}, sex, unknown="missing")
>>> out.values.tolist(), out.unmapped
(['Male', 'Female', nan], {9: 1})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from calib.errors import SchemaError, UnknownLevelError
from calib.schema import Variable

#: ``unknown=`` policies: raise (default), make missing, or map to a named level.
UnknownPolicy = str


@dataclass(frozen=True)
class Recoded:
    """The result of :func:`recode`.

    Attributes
    ----------
    values : pandas.Series
        Categorical column on the variable's levels.
    variable : Variable
        The target variable.
    policy : str
        ``"raise"``, ``"missing"`` or the level unmapped values were sent to.
    unmapped : dict
        Each raw value that had no mapping, with its count (empty under ``"raise"``).
    """

    values: pd.Series
    variable: Variable
    policy: str
    unmapped: dict[object, int] = field(default_factory=dict)


def recode(
    raw: pd.Series,
    mapping: Mapping[object, str | None] | Callable[[object], str | None],
    variable: Variable,
    unknown: UnknownPolicy = "raise",
    source: str = "",
) -> Recoded:
    """Map raw values to the levels of ``variable``.

    Parameters
    ----------
    raw : pandas.Series
        Raw codes or labels.
    mapping : mapping or callable
        Raw value -> level. A value mapped to ``None`` is a declared missing code (e.g. ANES -9
        "Refused") and becomes missing under every policy.
    variable : Variable
        Target variable.
    unknown : str, default="raise"
        What to do with values that have no mapping: ``"raise"`` an
        :class:`~calib.errors.UnknownLevelError`, ``"missing"``, or the name of a level.
    source : str, default=""
        Name of the raw column, used in error messages.

    Returns
    -------
    Recoded
    """
    if unknown not in ("raise", "missing") and unknown not in variable.levels:
        raise SchemaError(
            f"unknown={unknown!r} is neither 'raise', 'missing' nor a level of {variable.name!r}"
        )
    if callable(mapping) and not isinstance(mapping, Mapping):
        uniques = pd.unique(raw.dropna())
        table = {v: mapping(v) for v in uniques}
        declared = {v for v, lv in table.items() if lv is None}
        unmapped_keys: set[object] = set()
    else:
        table = dict(mapping)
        declared = {k for k, v in table.items() if v is None}
        present = pd.unique(raw.dropna())
        unmapped_keys = {v for v in present if v not in table}
    bad_levels = {lv for lv in table.values() if lv is not None and lv not in variable.levels}
    if bad_levels:
        raise SchemaError(
            f"the recode map for {variable.name!r} targets non-levels "
            f"{sorted(map(str, bad_levels))}"
        )
    mapped = raw.map(lambda v: table.get(v) if v in table else None)
    unmapped: dict[object, int] = {}
    if unmapped_keys:
        counts = raw[raw.isin(list(unmapped_keys))].value_counts()
        unmapped = {k: int(c) for k, c in counts.items()}
        if unknown == "raise":
            where = f" (from column {source!r})" if source else ""
            raise UnknownLevelError(
                variable.name + where,
                list(unmapped),
                variable.levels,
                counts=list(unmapped.values()),
            )
        if unknown != "missing":
            mapped = mapped.where(~raw.isin(list(unmapped_keys)), unknown)
    del declared
    values = pd.Series(
        pd.Categorical(mapped, dtype=variable.dtype), index=raw.index, name=variable.name
    )
    return Recoded(values=values, variable=variable, policy=unknown, unmapped=unmapped)


__all__ = ["Recoded", "recode"]
