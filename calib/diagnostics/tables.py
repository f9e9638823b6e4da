"""Group each side's rows once, then read any 1-, 2- or 3-way table off the cells.

:class:`GroupedRows` groups a population's categorical codes into their distinct cells once
(:func:`calib.cells.group_codes`) and keeps, per cell, the weighted total and the sum of
squared weights for every weight vector asked for (design weights, new weights, replicate
weights). A sub-table over some of the variables is then one ``bincount`` over the cells, not
over the rows. Missing values get their own code and are dropped from each sub-table that
involves that variable only.

Examples
--------
>>> import pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> s = Schema([Variable("a", ("x", "y")), Variable("b", ("u", "v"))])
>>> pop = Population(pd.DataFrame({"a": ["x", "y", "y"], "b": ["u", "u", "v"]}), s)
>>> g = GroupedRows(pop, ["a", "b"])
>>> g.table(["b"]).total.tolist()
[2.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from calib.cells import group_codes
from calib.diagnostics.intervals import TableSide
from calib.population import Population, validate_weights


class GroupedRows:
    """Cells of one population over ``names`` with per-cell totals of several weightings.

    Parameters
    ----------
    population : Population
    names : sequence of str
        Categorical variables to group by.
    weights : mapping of str to ndarray, optional
        Named weight vectors; default ``{"design": population.weights}``.
    replicates : ndarray of shape (n, R), optional
        Replicate weights (cell totals under each are kept for the first weighting's tables).
    replicate_scale : float, default=1.0
        Variance multiplier of the replicate method.
    """

    def __init__(
        self,
        population: Population,
        names: Sequence[str],
        weights: Mapping[str, np.ndarray] | None = None,
        replicates: np.ndarray | None = None,
        replicate_scale: float = 1.0,
    ):
        self.names = list(names)
        variables = [population.schema[n] for n in self.names]
        codes = population.codes(self.names) + 1  # 0 = missing
        self.n_levels = [v.n_levels for v in variables]
        self.levels = [v.levels for v in variables]
        weights = dict(weights or {"design": population.weights})
        cells = group_codes(codes, None, n_levels=[k + 1 for k in self.n_levels])
        self.cell_codes = cells.codes - 1
        self.count = cells.count
        n_cells = cells.n_cells
        self.totals = {}
        self.sum_sq = {}
        for key, w in weights.items():
            w = validate_weights(w, population.n, f"weights {key!r}")
            self.totals[key] = np.bincount(cells.inverse, weights=w, minlength=n_cells)
            self.sum_sq[key] = np.bincount(cells.inverse, weights=w * w, minlength=n_cells)
        self.default = next(iter(weights))
        self.replicates = None
        if replicates is not None:
            reps = np.asarray(replicates, dtype=float)
            self.replicates = np.stack(
                [np.bincount(cells.inverse, weights=r, minlength=n_cells) for r in reps.T]
            )
        self.replicate_scale = replicate_scale
        self.inverse = cells.inverse
        self._flat_cache: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray, int]] = {}

    @property
    def n_cells(self) -> int:
        """Distinct cells found."""
        return int(self.cell_codes.shape[0])

    def _flat(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
        key = tuple(names)
        if key not in self._flat_cache:
            self._flat_cache[key] = self._compute_flat(names)
        return self._flat_cache[key]

    def _compute_flat(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
        idx = [self.names.index(n) for n in names]
        sub = self.cell_codes[:, idx]
        keep = (sub >= 0).all(axis=1)
        shape = [self.n_levels[i] for i in idx]
        flat = np.ravel_multi_index(tuple(sub[keep].T), shape) if len(idx) else np.zeros(0, int)
        return flat, keep, int(np.prod(shape))

    def table(
        self, names: Sequence[str], weighting: str | None = None, known: bool = False
    ) -> TableSide:
        """Dense cell totals (row-major over ``names``) with sums of squares and replicates.

        ``known=True`` drops the sampling information (the table is then treated as exact).
        """
        key = weighting or self.default
        flat, keep, size = self._flat(names)
        total = np.bincount(flat, weights=self.totals[key][keep], minlength=size)
        if known:
            return TableSide(total)
        sum_sq = np.bincount(flat, weights=self.sum_sq[key][keep], minlength=size)
        reps = None
        if self.replicates is not None and key == self.default:
            reps = np.stack(
                [np.bincount(flat, weights=r[keep], minlength=size) for r in self.replicates]
            )
        return TableSide(total, sum_sq, reps, self.replicate_scale)

    def counts(self, names: Sequence[str]) -> np.ndarray:
        """Raw row counts of the dense table over ``names``."""
        flat, keep, size = self._flat(names)
        return np.bincount(flat, weights=self.count[keep], minlength=size)


__all__ = ["GroupedRows"]
