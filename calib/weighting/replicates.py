"""Replicate weights that include the weighting step: bootstrap (Rao-Wu) and jackknife.

:func:`replicate_weights` perturbs the design weights (bootstrap resampling within strata,
delete-one or delete-a-group jackknife) and re-runs the whole weighting estimator on every
replicate, so a variance computed from the replicates includes the variability the raking or
calibration adds. Variance formula (as R survey's ``svrVar``)::

    v = scale * Σ_r rscales_r (θ_r - c)²,   c = θ̂ (mse=True) or mean(θ_r) (mse=False)

=========  =========================================  ==============  ===============
method     replicate design weights                   scale           rscales
=========  =========================================  ==============  ===============
bootstrap  d · m_i · n_h/(n_h-1), m ~ draw n_h-1 of   1/(R-1)         1
           n_h with replacement in stratum h
jk1        drop unit/group g, others · G/(G-1)        (G-1)/G         1
jkn        drop unit i of stratum h, rest of h ·      1               (n_h-1)/n_h
           n_h/(n_h-1)
=========  =========================================  ==============  ===============

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.population import Population
>>> from calib.weighting import Raker
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> pop = Population(pd.DataFrame({"sex": ["M", "F"] * 10, "y": np.arange(20.0)}), schema)
>>> reps = replicate_weights(Raker(), pop, {"sex": [0.5, 0.5]}, method="jk1")
>>> reps.weights.shape, round(reps.total("y").point, 6)
((20, 20), 190.0)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from calib.errors import CalibError, DataError, InfeasibleError
from calib.estimate import Estimate
from calib.population import Population
from calib.target import Target
from calib.weighting._base import WeightingEstimator
from calib.weighting.problem import WeightingProblem, as_population
from calib.weighting.result import WeightResult

Method = Literal["bootstrap", "jk1", "jkn"]


@dataclass(eq=False)
class ReplicateWeights:
    """Full-sample and replicate weights from re-running a weighting estimator.

    Attributes
    ----------
    full : WeightResult
        The fit on the full sample.
    weights : ndarray of shape (n_rows, n_replicates)
        Final (weighted) replicate weights.
    base : ndarray of shape (n_rows, n_replicates)
        Replicate design weights before weighting.
    method : str
    scale : float
    rscales : ndarray of shape (n_replicates,)
    mse : bool
        Centre the variance on the full-sample estimate (True) or the replicate mean (False,
        R survey's default).
    """

    full: WeightResult
    weights: np.ndarray
    base: np.ndarray
    method: str
    scale: float
    rscales: np.ndarray
    mse: bool = False
    population: Population | None = field(default=None, repr=False)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_replicates(self) -> int:
        """Number of replicates."""
        return int(self.weights.shape[1])

    def _values(self, y: str | np.ndarray) -> np.ndarray:
        if isinstance(y, str):
            if self.population is None or y not in self.population.data.columns:
                raise DataError(f"column {y!r} is not in the population data")
            y = self.population.data[y].to_numpy(dtype=float)
        y = np.asarray(y, dtype=float)
        if y.shape != (self.weights.shape[0],):
            raise DataError(f"y has shape {y.shape}, expected ({self.weights.shape[0]},)")
        if not np.isfinite(y).all():
            raise DataError("y has missing or infinite values")
        return y

    def variance(self, full: float, replicates: np.ndarray) -> float:
        """Replicate variance of a statistic given its full-sample and replicate values."""
        centre = full if self.mse else float(np.mean(replicates))
        return float(self.scale * np.sum(self.rscales * (replicates - centre) ** 2))

    def _estimate(self, quantity: str, point: float, reps: np.ndarray) -> Estimate:
        return Estimate(
            quantity=quantity,
            point=point,
            std_error=float(np.sqrt(self.variance(point, reps))),
            method=f"{self.full.method}+{self.method}",
            n={"rows": int(self.weights.shape[0]), "replicates": self.n_replicates},
            settings=dict(self.settings),
            provenance={"source": getattr(self.full.provenance, "source", "unknown")},
        )

    def total(self, y: str | np.ndarray) -> Estimate:
        """Weighted total of ``y`` with its replicate standard error."""
        v = self._values(y)
        name = y if isinstance(y, str) else "y"
        return self._estimate(f"total({name})", float(self.full.weights @ v), v @ self.weights)

    def mean(self, y: str | np.ndarray) -> Estimate:
        """Weighted mean of ``y`` with its replicate standard error."""
        v = self._values(y)
        name = y if isinstance(y, str) else "y"
        point = float(self.full.weights @ v / self.full.weights.sum())
        reps = (v @ self.weights) / self.weights.sum(axis=0)
        return self._estimate(f"mean({name})", point, reps)

    def to_frame(self) -> pd.DataFrame:
        """Full-sample weight and the replicate weights, one column per replicate."""
        out = pd.DataFrame(self.weights, columns=[f"rep{r + 1}" for r in range(self.n_replicates)])
        out.insert(0, "weight", self.full.weights)
        return out

    def summary(self) -> str:
        """Method, replicate count, scale and the spread of replicate totals."""
        totals = self.weights.sum(axis=0)
        return "\n".join(
            [
                f"Replicate weights: {self.method} x {self.n_replicates} over {self.full.method}",
                f"scale {self.scale:.6g}; mse={self.mse}",
                f"replicate totals: min {totals.min():.6g}, max {totals.max():.6g}",
            ]
        )


def _strata(population: Population, strata: str | np.ndarray | None) -> np.ndarray:
    if strata is None:
        return np.zeros(population.n, dtype=np.int64)
    if isinstance(strata, str):
        if strata not in population.data.columns:
            raise DataError(f"strata column {strata!r} is not in the population data")
        strata = population.data[strata].to_numpy()
    values = np.asarray(strata)
    if values.shape != (population.n,):
        raise DataError(f"strata has shape {values.shape}, expected ({population.n},)")
    return pd.factorize(values)[0].astype(np.int64)


def make_replicate_base(
    design: np.ndarray,
    method: Method,
    n_replicates: int | None = None,
    strata: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Replicate design weights ``(n, R)``, ``scale`` and ``rscales`` (see module table)."""
    n = design.shape[0]
    strata = np.zeros(n, dtype=np.int64) if strata is None else strata
    rng = np.random.default_rng(seed)
    sizes = np.bincount(strata)
    if (sizes < 2).any():
        raise DataError("every stratum needs at least 2 rows for replicate weights")
    if method == "bootstrap":
        reps = 100 if n_replicates is None else int(n_replicates)
        if reps < 2:
            raise DataError("bootstrap needs n_replicates >= 2")
        mult = np.zeros((n, reps))
        for h in range(sizes.size):
            rows = np.flatnonzero(strata == h)
            draws = rng.integers(0, rows.size, size=(reps, rows.size - 1))
            for r in range(reps):
                mult[rows, r] = np.bincount(draws[r], minlength=rows.size)
            mult[rows] *= rows.size / (rows.size - 1)
        return design[:, None] * mult, 1.0 / (reps - 1), np.ones(reps)
    if method == "jk1":
        groups = n if n_replicates is None else int(n_replicates)
        if not 2 <= groups <= n:
            raise DataError(f"jk1 needs 2 <= n_replicates <= {n}, got {groups}")
        member = np.arange(n) if groups == n else rng.permutation(np.arange(n) % groups)
        base = np.repeat((design * groups / (groups - 1))[:, None], groups, axis=1)
        base[np.arange(n), member] = 0.0
        return base, (groups - 1) / groups, np.ones(groups)
    if method == "jkn":
        base = np.repeat(design[:, None], n, axis=1)
        rscales = np.empty(n)
        for h in range(sizes.size):
            rows = np.flatnonzero(strata == h)
            nh = rows.size
            base[np.ix_(rows, rows)] *= nh / (nh - 1)
            base[rows, rows] = 0.0
            rscales[rows] = (nh - 1) / nh
        return base, 1.0, rscales
    raise DataError(f"method must be 'bootstrap', 'jk1' or 'jkn', got {method!r}")


def _reweighted(problem: WeightingProblem, weights: np.ndarray) -> WeightingProblem:
    """The same grouped problem with other row design weights (relative targets rescaled)."""
    if not weights.any():
        raise DataError("a replicate has all weights zero")
    design = np.bincount(problem.inverse, weights=weights, minlength=problem.n_units)
    margins, total = problem.margins, problem.total
    if problem.target.relative:
        factor = float(weights.sum()) / float(problem.design_rows.sum())
        margins = [replace(m, target=m.target * factor) for m in margins]
        total *= factor
    return replace(problem, design=design, design_rows=weights, margins=margins, total=total)


def replicate_weights(
    estimator: WeightingEstimator,
    population: Population | pd.DataFrame,
    target: Target | Population | Mapping[object, object],
    *,
    method: Method = "bootstrap",
    n_replicates: int | None = None,
    strata: str | np.ndarray | None = None,
    seed: int = 0,
    base: np.ndarray | None = None,
    scale: float | None = None,
    rscales: np.ndarray | None = None,
    mse: bool = False,
    progress: bool = False,
    reuse_grouping: bool = True,
) -> ReplicateWeights:
    """Re-run ``estimator`` on bootstrap or jackknife replicates of ``population``.

    Parameters
    ----------
    estimator : WeightingEstimator
        An unfitted (or fitted) Raker, Calibrator, PostStratifier, ...; it is cloned.
    population, target
        As for ``estimator.fit``.
    method : {"bootstrap", "jk1", "jkn"}, default="bootstrap"
    n_replicates : int, optional
        Bootstrap replicates (default 100) or jk1 random groups (default: one per row).
    strata : str or ndarray, optional
        Strata for bootstrap and jkn (required for a meaningful jkn).
    seed : int, default=0
        Seed of the resampling and of the jk1 grouping.
    base : ndarray of shape (n_rows, R), optional
        Explicit replicate design weights (then ``scale`` and ``rscales`` are used as given;
        ``method`` only labels the result).
    scale, rscales : optional
        Override the variance constants.
    mse : bool, default=False
        Centre the variance on the full-sample estimate instead of the replicate mean.
    progress : bool, default=False
        Progress bar over replicates (only on a TTY).
    reuse_grouping : bool, default=True
        Group the rows once and only re-sum the cells' design weights per replicate (Raker,
        Calibrator, PostStratifier); False re-runs ``fit`` from scratch on every replicate.
        Both give the same weights.

    Returns
    -------
    ReplicateWeights

    Raises
    ------
    EmptyCellError, InfeasibleError, ConvergenceError, ...
        The failing fit's error type, when a replicate cannot be weighted (e.g. a bootstrap
        replicate loses every persona of a target level); the message names the replicate.
    """
    if not isinstance(estimator, WeightingEstimator):
        raise DataError(f"estimator must be a calib weighting estimator, got {estimator!r}")
    schema = target.schema if isinstance(target, Target | Population) else None
    if isinstance(population, pd.DataFrame):
        if schema is None:
            raise DataError("pass a Population (or a Target) so the DataFrame has a schema")
        population = as_population(population, schema)
    reuse = reuse_grouping and hasattr(estimator, "_build")
    proto = estimator.clone()
    if reuse:
        problem = proto._build(population, target)  # type: ignore[attr-defined]
        full = proto._solve(problem)  # type: ignore[attr-defined]
    else:
        full = proto.fit(population, target).result_
    if base is None:
        base, default_scale, default_rscales = make_replicate_base(
            population.weights, method, n_replicates, _strata(population, strata), seed
        )
    else:
        base = np.asarray(base, dtype=float)
        if base.ndim != 2 or base.shape[0] != population.n:
            raise DataError(f"base must have shape ({population.n}, R), got {base.shape}")
        if not np.isfinite(base).all() or (base < 0).any():
            raise DataError("base replicate weights must be finite and non-negative")
        default_scale, default_rscales = 1.0 / max(base.shape[1] - 1, 1), np.ones(base.shape[1])
    scale_value = default_scale if scale is None else float(scale)
    rscale_values = default_rscales if rscales is None else np.asarray(rscales, dtype=float)
    out = np.empty_like(base)
    show = progress and sys.stderr.isatty()
    for r in tqdm(range(base.shape[1]), desc="replicates", disable=not show, leave=False):
        try:
            if reuse:
                result = proto._solve(_reweighted(problem, base[:, r]))  # type: ignore[attr-defined]
            else:
                fitted = estimator.clone().fit(population.with_weights(base[:, r]), target)
                result = fitted.result_
        except CalibError as err:
            msg = f"replicate {r + 1} of {base.shape[1]} ({method}) could not be weighted: {err}"
            try:
                wrapped = type(err)(msg)
            except TypeError:  # an error class with a structured constructor
                wrapped = InfeasibleError(msg)
            raise wrapped from err
        out[:, r] = result.weights
    return ReplicateWeights(
        full=full,
        weights=out,
        base=base,
        method=method,
        scale=scale_value,
        rscales=rscale_values,
        mse=mse,
        population=population,
        settings={
            "method": method,
            "seed": seed,
            "n_replicates": base.shape[1],
            "estimator": repr(estimator),
        },
    )


__all__ = ["ReplicateWeights", "make_replicate_base", "replicate_weights"]
