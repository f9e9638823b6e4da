"""Raking of grouped cells to exact margins, for copula-implied tables.

A thin adapter over the weighting engine's cell IPF (:func:`calib.weighting.ipf.ipf`): it
takes cell level codes and margins over variable positions, checks that every target cell can
be carried, and turns non-convergence into a typed error. It works on distinct cells (the
sufficient statistics), never on rows: ``codes`` holds one row per cell.

Examples
--------
>>> import numpy as np
>>> codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> w = ipf(codes, np.ones(4), [((0,), np.array([0.3, 0.7])), ((1,), np.array([0.6, 0.4]))],
...         n_levels=(2, 2))
>>> np.round(w, 2)
array([0.18, 0.12, 0.42, 0.28])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from calib.errors import ConvergenceError, EmptyCellError
from calib.weighting.ipf import ipf as weighting_ipf

__all__ = ["ipf"]


def _keys(codes: np.ndarray, cols: Sequence[int], n_levels: Sequence[int]) -> np.ndarray:
    key = np.zeros(codes.shape[0], dtype=np.int64)
    for c in cols:
        key = key * int(n_levels[c]) + codes[:, c]
    return key


def ipf(
    codes: np.ndarray,
    weights: np.ndarray,
    margins: Sequence[tuple[tuple[int, ...], np.ndarray]],
    *,
    n_levels: Sequence[int],
    names: Sequence[str] | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> np.ndarray:
    """Rake cell ``weights`` so that every margin is met.

    Parameters
    ----------
    codes : ndarray of shape (n_cells, k)
        Level codes of each cell.
    weights : ndarray of shape (n_cells,)
        Starting weights (positive).
    margins : sequence of (column indices, target array)
        Each target is the flattened (C-order) table over the full level product of its columns.
    n_levels : sequence of int
        Levels of each column.
    names : sequence of str, optional
        Column names for error messages.
    tol : float, default=1e-10
        Largest relative error of any margin cell at convergence (relative to the total).

    Returns
    -------
    ndarray
        Raked weights.

    Raises
    ------
    EmptyCellError
        A margin cell with positive target has no cell with weight to carry it.
    ConvergenceError
        The margins were not met within ``max_iter`` sweeps (they may contradict each other).
    """
    names = list(names) if names is not None else [f"v{i}" for i in range(codes.shape[1])]
    w = np.asarray(weights, dtype=float).copy()
    keys = [_keys(codes, cols, n_levels) for cols, _ in margins]
    targets = [np.asarray(t, dtype=float).ravel() for _, t in margins]
    total = max(float(t.sum()) for t in targets) if targets else 1.0
    for (cols, _), key, t in zip(margins, keys, targets, strict=True):
        have = np.bincount(key, weights=w, minlength=t.size)
        empty = np.flatnonzero((t > 0) & (have <= 0))
        if empty.size:
            cell = np.unravel_index(empty[0], [n_levels[c] for c in cols])
            what = ", ".join(f"{names[c]}={int(i)}" for c, i in zip(cols, cell, strict=True))
            raise EmptyCellError(
                f"margin cell ({what}) has target {t[empty[0]]:.4g} but no cell to carry it "
                f"({empty.size} such margin cells): draw more points or collapse levels"
            )
    out = weighting_ipf(w, keys, targets, tol=tol, max_iter=max_iter, total=total)
    if out.converged:
        return out.weights
    worst = out.history[-1] if out.history else float("nan")
    raise ConvergenceError(
        f"IPF did not meet the margins within {max_iter} sweeps (largest relative error "
        f"{worst:.2e}): the margins may contradict each other"
    )
