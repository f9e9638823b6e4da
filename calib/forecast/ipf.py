"""Iterative proportional fitting of dense tables, vectorised over a leading batch axis.

This is local to :mod:`calib.forecast`: the frames are many small dense tables (one per state)
fitted to published margins, some of them over coarsened or partial axes, so the fit runs on
arrays, not on persona rows as :mod:`calib.weighting` does.

A :class:`Constraint` keeps some axes of the table, optionally regroups others (``groups``: an
integer code per level, ``-1`` = level outside the margin's universe, e.g. ages under 25 for a
25+ table) and gives the target with ``NaN`` where a cell is not constrained.

Examples
--------
>>> import numpy as np
>>> rows = Constraint("rows", keep=(0, 1), target=np.array([[3.0, 7.0]]))
>>> cols = Constraint("cols", keep=(0, 2), target=np.array([[4.0, 6.0]]))
>>> fit = ipf(np.ones((1, 2, 2)), [rows, cols])
>>> np.round(fit.table[0], 2).tolist()
[[1.2, 1.8], [2.8, 4.2]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from calib.errors import ConvergenceError, InfeasibleError


@dataclass
class Constraint:
    """One margin: the axes kept, optional regrouping of axes, and the target (NaN = free).

    Parameters
    ----------
    name : str
        Name used in error messages (``"B15001 sex x age x educ"``).
    keep : tuple of int
        Axes of the table present in the margin (axis 0, the batch axis, must be kept).
    target : ndarray
        Target totals with one axis per kept axis, in table order (grouped axes have as many
        levels as groups).
    groups : mapping of int to ndarray, default={}
        For a kept axis, the group of each level (``-1``: outside the margin's universe).
    """

    name: str
    keep: tuple[int, ...]
    target: np.ndarray
    groups: Mapping[int, np.ndarray] = field(default_factory=dict)

    def _onehot(self, axis: int) -> np.ndarray:
        g = np.asarray(self.groups[axis])
        one = np.zeros((len(g), int(g.max()) + 1))
        inside = g >= 0
        one[np.flatnonzero(inside), g[inside]] = 1.0
        return one

    def margin(self, table: np.ndarray) -> np.ndarray:
        """The table summed to this margin's cells (keepdims on the dropped axes)."""
        drop = tuple(a for a in range(table.ndim) if a not in self.keep)
        out = table.sum(axis=drop, keepdims=True)
        for axis in self.groups:
            out = np.moveaxis(np.moveaxis(out, axis, -1) @ self._onehot(axis), -1, axis)
        return out

    def expanded_target(self, ndim: int) -> np.ndarray:
        """The target reshaped with singleton axes where the table's axes are dropped."""
        shape = [1] * ndim
        for axis, size in zip(self.keep, self.target.shape, strict=True):
            shape[axis] = size
        return np.asarray(self.target, dtype=float).reshape(shape)

    def factor(self, ratio: np.ndarray) -> np.ndarray:
        """Per-cell factor from the per-margin-cell ratio (1 outside the margin's universe)."""
        out = ratio
        for axis in self.groups:
            one = self._onehot(axis)
            out = np.moveaxis(np.moveaxis(out, axis, -1) @ one.T, -1, axis)
            outside = (one.sum(axis=1) == 0).astype(float)
            shape = [1] * out.ndim
            shape[axis] = len(outside)
            out = out + outside.reshape(shape)
        return out


@dataclass
class IPFResult:
    """Fitted table, iterations used, and the largest relative margin error per constraint."""

    table: np.ndarray
    n_iter: int
    max_error: dict[str, float]
    converged: bool


def ipf(
    seed: np.ndarray,
    constraints: Sequence[Constraint],
    tol: float = 1e-8,
    max_iter: int = 2000,
    raise_on_failure: bool = True,
) -> IPFResult:
    """Scale ``seed`` cyclically until every constraint's margin matches its target.

    Parameters
    ----------
    seed : ndarray
        Starting table (batch axis first), non-negative.
    constraints : sequence of Constraint
    tol : float, default=1e-8
        Convergence when every margin error, relative to its batch total, is below ``tol``.
    max_iter : int, default=2000
    raise_on_failure : bool, default=True
        Raise :class:`ConvergenceError` when not converged (else return ``converged=False``).

    Returns
    -------
    IPFResult

    Raises
    ------
    InfeasibleError
        A positive target cell whose seed cells are all zero.
    ConvergenceError
        Not converged within ``max_iter`` (margins inconsistent), naming the worst margin.

    Notes
    -----
    Deming and Stephan (1940); the fixed point is the table closest to ``seed`` in
    Kullback-Leibler divergence among those matching the margins (when they are consistent).
    """
    table = np.array(seed, dtype=float, copy=True)
    if np.any(table < 0) or not np.all(np.isfinite(table)):
        raise InfeasibleError("the IPF seed table must be finite and non-negative")
    targets = [c.expanded_target(table.ndim) for c in constraints]
    totals = table.sum(axis=tuple(range(1, table.ndim)), keepdims=True)
    errors: dict[str, float] = {}
    for it in range(1, max_iter + 1):
        for c, target in zip(constraints, targets, strict=True):
            current = c.margin(table)
            bad = (current <= 0) & (np.nan_to_num(target) > 0)
            if bad.any():
                raise InfeasibleError(
                    f"margin {c.name!r} has positive target cells whose table cells are all "
                    f"zero (first at index {np.argwhere(bad)[0].tolist()}); check the inputs "
                    "or collapse the levels"
                )
            ratio = np.where(
                np.isnan(target) | (current <= 0), 1.0, target / np.where(current > 0, current, 1.0)
            )
            table = table * c.factor(ratio)
        totals = np.maximum(table.sum(axis=tuple(range(1, table.ndim)), keepdims=True), 1e-300)
        errors = {}
        for c, target in zip(constraints, targets, strict=True):
            gap = np.abs(np.nan_to_num(c.margin(table) - target)) / totals
            errors[c.name] = float(gap.max())
        if max(errors.values(), default=0.0) < tol:
            return IPFResult(table, it, errors, True)
    if raise_on_failure:
        worst = max(errors, key=errors.get)
        raise ConvergenceError(
            f"IPF did not converge in {max_iter} iterations: margin {worst!r} is off by "
            f"{errors[worst]:.2e} of the total; the margins are probably inconsistent "
            "(harmonise their totals) or raise max_iter"
        )
    return IPFResult(table, max_iter, errors, False)


__all__ = ["Constraint", "IPFResult", "ipf"]
