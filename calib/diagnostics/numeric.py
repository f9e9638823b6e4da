"""Numeric variables as ordered cell tables over their pooled distinct values.

Both sides' values are pooled; each distinct value is a cell (or, above ``max_cells`` distinct
values, each pooled quantile bin, placed at its weighted mean). The ordered distances of
:mod:`calib.diagnostics.distances` (KS, Wasserstein, ASMD with positions) are then exact on the
distinct values, and the cell-level bootstrap applies unchanged.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> s = Schema([Variable("age", kind="numeric")])
>>> a = Population(pd.DataFrame({"age": [20.0, 30.0]}), s)
>>> b = Population(pd.DataFrame({"age": [30.0, 40.0]}), s)
>>> p, q, x = numeric_sides(a, b, "age")
>>> x.tolist(), p.total.tolist(), q.total.tolist()
([20.0, 30.0, 40.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0])
"""

from __future__ import annotations

import numpy as np

from calib.diagnostics.intervals import TableSide
from calib.errors import DataError
from calib.population import Population


def _values(
    pop: Population, name: str, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    x = pop.data[name].to_numpy(dtype=float)
    w = pop.weights if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(x)
    if not ok.any():
        raise DataError(f"numeric variable {name!r} has no non-missing values")
    return x[ok], w[ok]


def numeric_sides(
    population: Population,
    target: Population,
    name: str,
    weights: np.ndarray | None = None,
    max_cells: int = 2000,
) -> tuple[TableSide, TableSide, np.ndarray]:
    """Population and target tables over the pooled distinct values of numeric ``name``.

    Returns
    -------
    population_side, target_side : TableSide
    positions : ndarray
        The value of each cell (sorted).
    """
    xp, wp = _values(population, name, weights)
    xt, wt = _values(target, name, None)
    pooled = np.unique(np.r_[xp, xt])
    if pooled.size > max_cells:
        edges = np.unique(np.quantile(np.r_[xp, xt], np.linspace(0, 1, max_cells + 1)))
        ip = np.clip(np.searchsorted(edges, xp, side="right") - 1, 0, edges.size - 2)
        it = np.clip(np.searchsorted(edges, xt, side="right") - 1, 0, edges.size - 2)
        k = edges.size - 1
        mass = np.bincount(ip, wp, k) + np.bincount(it, wt, k)
        sums = np.bincount(ip, wp * xp, k) + np.bincount(it, wt * xt, k)
        positions = np.where(mass > 0, sums / np.where(mass > 0, mass, 1), edges[:-1])
        positions = np.maximum.accumulate(positions)
    else:
        ip, it, k, positions = (
            np.searchsorted(pooled, xp),
            np.searchsorted(pooled, xt),
            pooled.size,
            pooled,
        )

    def side(idx: np.ndarray, w: np.ndarray) -> TableSide:
        return TableSide(np.bincount(idx, w, k), np.bincount(idx, w * w, k))

    return side(ip, wp), side(it, wt), positions


__all__ = ["numeric_sides"]
