"""Group rows into cells once: the sufficient statistics every calib method works on.

Raking, calibration, post-stratification, distances and the binomial Bayesian models only need
the weighted count of each distinct combination of categorical codes. :func:`group_codes` finds
those cells (never a dense table of all level combinations unless it is small) and keeps the
row-to-cell map so cell-level results can be sent back to rows.

Examples
--------
>>> import numpy as np
>>> codes = np.array([[0, 1], [0, 1], [1, 0]])
>>> cells = group_codes(codes, weights=np.array([1.0, 2.0, 5.0]), n_levels=(2, 2))
>>> cells.codes.tolist(), cells.weight.tolist(), cells.inverse.tolist()
([[0, 1], [1, 0]], [3.0, 5.0], [0, 0, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calib.errors import DataError

#: Largest dense key space for which cells are found with ``bincount`` rather than sorting.
_DENSE_LIMIT = 1 << 24


@dataclass(frozen=True)
class Cells:
    """Distinct cells of a set of categorical variables with their weighted and raw counts.

    Attributes
    ----------
    variables : tuple of str
        Variable names, one per column of ``codes``.
    levels : tuple of tuple of str
        Levels of each variable (code ``j`` of column ``i`` is ``levels[i][j]``).
    codes : ndarray of shape (n_cells, k)
        Integer level codes of each non-empty cell, sorted lexicographically.
    weight : ndarray of shape (n_cells,)
        Sum of row weights in each cell.
    count : ndarray of shape (n_cells,)
        Number of rows in each cell.
    inverse : ndarray of shape (n_rows,) or None
        Cell index of each row (None when built from an already grouped table).
    """

    variables: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    codes: np.ndarray
    weight: np.ndarray
    count: np.ndarray
    inverse: np.ndarray | None = None

    @property
    def n_cells(self) -> int:
        """Number of non-empty cells."""
        return int(self.codes.shape[0])

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of levels of each variable (the dense table's shape)."""
        return tuple(len(lv) for lv in self.levels)

    def to_series(self, value: str = "weight") -> pd.Series:
        """Cell values as a Series indexed by level names (only non-empty cells)."""
        arrays = [
            pd.Categorical.from_codes(self.codes[:, i], categories=list(self.levels[i]))
            for i in range(len(self.variables))
        ]
        index = pd.MultiIndex.from_arrays(arrays, names=list(self.variables))
        data = self.weight if value == "weight" else self.count
        return pd.Series(data, index=index, name=value)

    def to_rows(self, cell_values: np.ndarray) -> np.ndarray:
        """Broadcast one value per cell back to the rows the cells were built from."""
        if self.inverse is None:
            raise DataError("these cells were built from a grouped table and have no rows")
        return np.asarray(cell_values)[self.inverse]


def _mixed_radix(codes: np.ndarray, n_levels: Sequence[int]) -> tuple[np.ndarray, int] | None:
    total = 1
    for n in n_levels:
        total *= max(int(n), 1)
        if total > np.iinfo(np.int64).max // 4:
            return None
    strides = np.ones(len(n_levels), dtype=np.int64)
    for i in range(len(n_levels) - 2, -1, -1):
        strides[i] = strides[i + 1] * max(int(n_levels[i + 1]), 1)
    return codes.astype(np.int64, copy=False) @ strides, total


def group_codes(
    codes: np.ndarray,
    weights: np.ndarray | None = None,
    n_levels: Sequence[int] | None = None,
    variables: Sequence[str] | None = None,
    levels: Sequence[Sequence[str]] | None = None,
) -> Cells:
    """Group an integer code matrix into its distinct cells.

    Parameters
    ----------
    codes : ndarray of shape (n_rows, k)
        Level codes, ``0 <= codes[:, i] < n_levels[i]``; no missing codes.
    weights : ndarray of shape (n_rows,), optional
        Row weights (default 1).
    n_levels : sequence of int, optional
        Levels per column (default: max code + 1).
    variables, levels : optional
        Names and level labels recorded on the result.

    Returns
    -------
    Cells

    Raises
    ------
    DataError
        If a code is negative (a missing value) or out of range.
    """
    codes = np.asarray(codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    n_rows, k = codes.shape
    if n_levels is None:
        n_levels = [int(codes[:, i].max()) + 1 if n_rows else 1 for i in range(k)]
    if variables is None:
        variables = [f"v{i}" for i in range(k)]
    if levels is None:
        levels = [[str(j) for j in range(n)] for n in n_levels]
    if n_rows and (codes.min() < 0):
        bad = [variables[i] for i in range(k) if codes[:, i].min() < 0]
        raise DataError(f"missing values (code -1) in {bad}: recode or drop them before grouping")
    for i in range(k):
        if n_rows and codes[:, i].max() >= n_levels[i]:
            raise DataError(f"codes of {variables[i]!r} exceed its {n_levels[i]} levels")
    w = np.ones(n_rows) if weights is None else np.asarray(weights, dtype=float)
    keyed = _mixed_radix(codes, n_levels)
    if keyed is not None and keyed[1] <= _DENSE_LIMIT:
        key, total = keyed
        count_dense = np.bincount(key, minlength=total)
        present = np.flatnonzero(count_dense)
        lookup = np.empty(total, dtype=np.int64)
        lookup[present] = np.arange(present.size)
        inverse = lookup[key]
        weight = np.bincount(inverse, weights=w, minlength=present.size)
        count = count_dense[present]
        cell_codes = np.stack(np.unravel_index(present, tuple(n_levels)), axis=1) if k else present
    else:
        if keyed is not None:
            _, inverse = np.unique(keyed[0], return_inverse=True)
            first = np.zeros(inverse.max() + 1 if n_rows else 0, dtype=np.int64)
            first[inverse] = np.arange(n_rows)
            cell_codes = codes[first]
        else:
            cell_codes, inverse = np.unique(codes, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        weight = np.bincount(inverse, weights=w, minlength=cell_codes.shape[0])
        count = np.bincount(inverse, minlength=cell_codes.shape[0])
    return Cells(
        variables=tuple(variables),
        levels=tuple(tuple(lv) for lv in levels),
        codes=np.asarray(cell_codes, dtype=np.int64).reshape(-1, k),
        weight=weight.astype(float),
        count=count.astype(np.int64),
        inverse=inverse.astype(np.int64),
    )


__all__ = ["Cells", "group_codes"]
