"""Intervals and null levels for distances computed on weighted cell tables.

The rows behind a table cell are resampled with the Bayesian bootstrap (each row's weight is
multiplied by an Exp(1) draw). Summed over the cell, ``sum_i w_i E_i`` has mean ``W = sum w_i``
and variance ``S2 = sum w_i^2``; it is drawn as a Gamma with those two moments (exact for
equal weights, where the normalised cell draws are Dirichlet(counts)). So the draws need only
``W`` and ``S2`` per cell, never the rows, and unequal weights widen the interval through the
effective sample size of each cell. A target given as weighted microdata is resampled the same
way; with replicate weights its variance comes from the replicates instead. Margins published
without a sample (Census tables) are treated as known.

Distances are biased upward in samples (the plug-in TV of two draws from one distribution is
positive). Beside each value the report gives the bias-corrected value ``2 d - mean(d*)`` and
the null level: the mean distance when the population is drawn from the target itself at the
population's effective sample size.

Examples
--------
>>> import numpy as np
>>> from calib.diagnostics.distances import total_variation
>>> side_p = TableSide(np.array([60.0, 40.0]), np.array([60.0, 40.0]))
>>> side_q = TableSide(np.array([50.0, 50.0]))
>>> res = distance_interval(total_variation, side_p, side_q, n_boot=400, seed=1)
>>> round(res.value, 3), res.low < 0.1 < res.high
(0.1, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from calib.errors import DataError

Distance = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TableSide:
    """One side of a comparison: cell totals, their sums of squared weights, replicates.

    Attributes
    ----------
    total : ndarray of shape (k,)
        Weighted total of each cell.
    sum_sq : ndarray of shape (k,) or None
        Sum of squared row weights in each cell; None = known without sampling error.
    replicates : ndarray of shape (R, k) or None
        Cell totals under each replicate weight (then used instead of resampling).
    replicate_scale : float
        Variance multiplier of the replicate method (ACS successive differences: 4 / 80).
    """

    total: np.ndarray
    sum_sq: np.ndarray | None = None
    replicates: np.ndarray | None = None
    replicate_scale: float = 1.0

    @property
    def effective_n(self) -> float:
        """Kish effective sample size of the rows behind the table (inf if known)."""
        if self.sum_sq is None or self.sum_sq.sum() <= 0:
            return float("inf")
        return float(self.total.sum() ** 2 / self.sum_sq.sum())

    def draws(self, n_boot: int, rng: np.random.Generator) -> np.ndarray:
        """Bayesian-bootstrap cell totals, shape (n_boot, k) (the totals repeated if known)."""
        if self.sum_sq is None:
            return np.broadcast_to(self.total, (n_boot, self.total.size))
        w, s2 = self.total, self.sum_sq
        pos = (w > 0) & (s2 > 0)
        shape = np.where(pos, w**2 / np.where(pos, s2, 1.0), 1.0)
        scale = np.where(pos, s2 / np.where(pos, w, 1.0), 0.0)
        return rng.gamma(shape, scale, size=(n_boot, w.size))


@dataclass(frozen=True)
class DistanceInterval:
    """A distance with its bootstrap interval, bias-corrected value and null level."""

    value: float
    low: float
    high: float
    std_error: float
    bias_corrected: float
    null_level: float
    null_q95: float
    method: str


def null_draws(
    target: TableSide, effective_n: float, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Population-side cell shares drawn from the target at ``effective_n`` (Dirichlet)."""
    q = target.total / target.total.sum()
    if not np.isfinite(effective_n):
        return np.broadcast_to(q, (n_boot, q.size))
    shape = np.where(q > 0, effective_n * q, 1.0)
    g = rng.gamma(shape, 1.0, size=(n_boot, q.size)) * (q > 0)
    return g / g.sum(axis=1, keepdims=True)


def distance_intervals(
    distances: Mapping[str, Distance],
    population: TableSide,
    target: TableSide,
    *,
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int | np.random.Generator | None = 0,
) -> dict[str, DistanceInterval]:
    """Point value, ``1 - alpha`` interval and null level of several distances at once.

    All distances are scored on the same bootstrap and null draws.

    Parameters
    ----------
    distances : mapping of str to callable
        Vectorised distances of :mod:`calib.diagnostics.distances` (or any function of two
        count arrays with cells on the last axis).
    population, target : TableSide
        Cell totals of both sides over the same cells.
    n_boot : int, default=200
        Bootstrap draws (0 skips intervals; they are then NaN).
    alpha : float, default=0.05
        One minus the interval's nominal coverage.
    seed : int or Generator, default=0

    Returns
    -------
    dict of str to DistanceInterval
        The interval is the percentile interval of the bootstrap draws (in simulations it
        covered better than the basic interval for TV and Hellinger, whose bias is small away
        from zero); with target replicate weights it is the normal interval around the
        bias-corrected value with both variance parts. Near a distance of zero no interval
        covers well: compare the value with ``null_level`` instead.

    Raises
    ------
    DataError
        If either side has no mass.
    """
    if population.total.sum() <= 0 or target.total.sum() <= 0:
        raise DataError("a side of the comparison has no weight in this table")
    nan = float("nan")
    out: dict[str, DistanceInterval] = {}
    if n_boot <= 0:
        for name, f in distances.items():
            value = float(f(population.total, target.total))
            out[name] = DistanceInterval(value, nan, nan, nan, nan, nan, nan, "none")
        return out
    rng = np.random.default_rng(seed)
    tq = target if target.replicates is None else TableSide(target.total)
    pd_, qd = population.draws(n_boot, rng), tq.draws(n_boot, rng)
    nd_p = null_draws(target, population.effective_n, n_boot, rng)
    nd_q = tq.draws(n_boot, rng)
    for name, f in distances.items():
        value = float(f(population.total, target.total))
        d = np.asarray(f(pd_, qd), dtype=float)
        d = d[np.isfinite(d)]
        bias = float(d.mean() - value) if d.size else nan
        var = float(d.var(ddof=1)) if d.size > 1 else nan
        if target.replicates is not None:
            reps = f(np.broadcast_to(population.total, target.replicates.shape), target.replicates)
            var += target.replicate_scale * float(np.sum((np.asarray(reps) - value) ** 2))
            z = stats.norm.ppf(1 - alpha / 2)
            low, high = value - bias - z * np.sqrt(var), value - bias + z * np.sqrt(var)
            method = "bayesian bootstrap + target replicate weights (normal interval)"
        elif d.size:
            low, high = np.quantile(d, [alpha / 2, 1 - alpha / 2])
            method = "bayesian bootstrap (percentile interval)"
        else:
            low = high = nan
            method = "bayesian bootstrap (no finite draws)"
        nd = np.asarray(f(nd_p, nd_q), dtype=float)
        nd = nd[np.isfinite(nd)]
        out[name] = DistanceInterval(
            value=value,
            low=float(low),
            high=float(high),
            std_error=float(np.sqrt(var)),
            bias_corrected=float(value - bias),
            null_level=float(np.mean(nd)) if nd.size else nan,
            null_q95=float(np.quantile(nd, 0.95)) if nd.size else nan,
            method=method,
        )
    return out


def distance_interval(
    distance: Distance,
    population: TableSide,
    target: TableSide,
    *,
    n_boot: int = 200,
    alpha: float = 0.05,
    seed: int | np.random.Generator | None = 0,
) -> DistanceInterval:
    """Interval of one distance; see :func:`distance_intervals` for the parameters."""
    return distance_intervals(
        {"d": distance}, population, target, n_boot=n_boot, alpha=alpha, seed=seed
    )["d"]


__all__ = [
    "DistanceInterval",
    "TableSide",
    "distance_interval",
    "distance_intervals",
    "null_draws",
]
