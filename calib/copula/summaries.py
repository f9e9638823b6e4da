"""Published summaries for a copula fit: parse 1-way margins and 2-way tables, check them.

Examples
--------
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("M", "F")), Variable("old", ("no", "yes"))])
>>> one, two = parse_summaries(None, {"sex": [0.5, 0.5], "old": [0.7, 0.3]},
...                            {("sex", "old"): [0.4, 0.1, 0.3, 0.2]}, schema)
>>> sorted(one), list(two)
(['old', 'sex'], [('sex', 'old')])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from calib.copula.margins import Margin
from calib.errors import DataError, InconsistentMarginsError
from calib.schema import Schema
from calib.target import Target

__all__ = ["check_table", "parse_summaries"]

Pair = tuple[str, str]


def parse_summaries(
    target: Target | None,
    margins: Mapping[str, object] | None,
    tables: Mapping[Pair, object] | None,
    schema: Schema,
) -> tuple[dict[str, pd.Series], dict[Pair, pd.Series]]:
    """1-way margins and 2-way tables (Series over the full level product) from any input.

    Every 1-way margin a target can give is used, and every pair inside one of its multi-way
    keys gets its 2-way table; ``margins`` and ``tables`` add to (and override) them.

    Raises
    ------
    UnknownVariableError, UnknownLevelError, DataError
        Variables or levels not in the schema, negative or malformed tables.
    """
    one_way: dict[str, pd.Series] = {}
    two_way: dict[Pair, pd.Series] = {}
    if target is not None:
        for name in target.variables:
            one_way[name] = target.margin(name)
        for key in target.margin_keys:
            for i, a in enumerate(key):
                for b in key[i + 1 :]:
                    two_way[(a, b)] = target.margin([a, b])
    if margins:
        parsed = Target.from_margins(dict(margins), schema, check=False)
        for key in parsed.margin_keys:
            one_way[key[0]] = parsed.margin(key)
    for (a, b), tab in (tables or {}).items():
        schema.require([a, b], "the schema (2-way table)")
        if isinstance(tab, np.ndarray) and tab.ndim == 2:
            if tab.shape != (schema[a].n_levels, schema[b].n_levels):
                raise DataError(
                    f"table {a} x {b} has shape {tab.shape}, but the variables have "
                    f"{schema[a].n_levels} x {schema[b].n_levels} levels"
                )
            tab = tab.ravel()
        parsed = Target.from_margins({(a, b): tab}, schema, check=False)
        two_way[(a, b)] = parsed.margin([a, b])
    return one_way, two_way


def check_table(
    a: str, b: str, arr: np.ndarray, margins: Mapping[str, Margin], rtol: float
) -> None:
    """Raise ``InconsistentMarginsError`` when a 2-way table disagrees with the 1-way margins.

    ``rtol`` is the largest accepted absolute difference of shares.
    """
    if arr.sum() <= 0:
        raise DataError(f"2-way table {a} x {b} has no positive mass")
    shares = arr / arr.sum()
    for name, got in ((a, shares.sum(axis=1)), (b, shares.sum(axis=0))):
        want = margins[name].probs
        gap = np.abs(got - want)
        if gap.max() > rtol:
            lv = margins[name].levels[int(gap.argmax())]
            raise InconsistentMarginsError(
                f"2-way table {a} x {b} implies a share {got[gap.argmax()]:.4f} for "
                f"{name}={lv!r} but its 1-way margin says {want[gap.argmax()]:.4f} "
                f"(difference {gap.max():.4f} > margin_rtol={rtol}): the table and the "
                "margin describe different populations; fix one, or raise margin_rtol"
            )
