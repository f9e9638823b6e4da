"""Calibration estimators (Deville & Särndal 1992): linear (GREG), raking and logit distances.

Find g-weights ``g_i = F(x_i'λ)`` such that the calibrated totals ``Σ d_i g_i x_i`` equal the
population totals ``T``: categorical margins (indicator columns) and continuous totals or
means together. ``λ`` is found by Newton's method on the calibration equations with a
Moore-Penrose inverse of ``X' diag(d F'(Xλ)) X`` (redundant margins are fine), as in R
survey's ``grake``; convergence when ``max |misfit| / (1 + |T|) < tol`` (R's criterion).

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> rows = pd.DataFrame({"sex": ["M", "F", "F"], "age": [30.0, 40.0, 50.0]})
>>> res = calibrate(rows, {"sex": [1.5, 1.5]}, schema=schema, means={"age": 42.0})
>>> round(float((res.weights * rows["age"]).sum() / res.weights.sum()), 6)
42.0
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from calib.errors import DataError
from calib.population import Population
from calib.schema import Schema
from calib.target import Target
from calib.weighting._base import WeightingEstimator
from calib.weighting.design import Design
from calib.weighting.distances import DISTANCES
from calib.weighting.feasibility import check_bounds, check_empty_cells, check_structural_zeros
from calib.weighting.problem import MarginSpec, WeightingProblem, build_problem
from calib.weighting.raking import (
    _with_schema,
    check_bounds_param,
    check_iteration_params,
    fail_or_flag,
    make_result,
)
from calib.weighting.result import WeightResult

DistanceName = Literal["linear", "raking", "logit"]


def newton_calibrate(
    X: Design,
    design: np.ndarray,
    totals: np.ndarray,
    distance: str,
    lower: float,
    upper: float,
    tol: float,
    max_iter: int,
    progress: bool = False,
) -> tuple[np.ndarray, bool, int, list[float]]:
    """Solve ``X' (d * F(Xλ)) = totals`` by Newton's method; return ``(g, converged, n, hist)``.

    ``history`` holds ``max |misfit| / (1 + |T|)`` after each step. Steps are halved while the
    g-weights are not finite or the misfit grows (this changes the path, not the solution).
    """
    func = DISTANCES[distance]
    eta = np.zeros(X.p)
    scale = 1.0 + np.abs(totals)

    def misfit_at(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        g, dg = func(X.matvec(eta), lower, upper)
        return totals - X.rmatvec(design * g), g, dg

    r, g, dg = misfit_at(eta)
    history: list[float] = []
    converged = bool(np.all(np.abs(r) / scale < tol))
    n_iter = 0
    bar = tqdm(
        total=max_iter,
        desc="calibrating",
        leave=False,
        disable=not (progress and sys.stderr.isatty()),
    )
    while not converged and n_iter < max_iter:
        n_iter += 1
        T = X.gram(design * dg)
        step = np.linalg.pinv(T, rcond=256 * np.finfo(float).eps, hermitian=True) @ r
        norm = float(np.max(np.abs(r) / scale))
        for _ in range(60):
            r_new, g_new, dg_new = misfit_at(eta + step)
            ok = np.isfinite(g_new).all() and np.isfinite(dg_new).all()
            if ok and float(np.max(np.abs(r_new) / scale)) <= norm * (1 + 1e-12) + 1e-300:
                break
            if ok and distance == "linear" and not (lower > 0 or np.isfinite(upper)):
                break
            step = step / 2
        eta = eta + step
        r, g, dg = r_new, g_new, dg_new
        history.append(float(np.max(np.abs(r) / scale)))
        bar.update(1)
        converged = history[-1] < tol
    bar.close()
    return g, converged, n_iter, history


class Calibrator(WeightingEstimator):
    """Calibrate design weights to margins and continuous totals (Deville-Särndal).

    Parameters
    ----------
    margins : sequence of str or tuple of str, optional
        Categorical margins (default: every margin the target holds; for joint or microdata
        targets each variable's 1-way margin).
    totals : mapping of str to float, optional
        Population totals of continuous variables (columns of the population data).
    means : mapping of str to float, optional
        Population means of continuous variables (multiplied by the target total).
    distance : {"linear", "raking", "logit"}, default="linear"
        Linear (GREG; g may be negative unless bounded), raking (exponential) or logit.
    bounds : (float, float), optional
        Bounds on the g-weights; required (with ``lower < 1 < upper``) for logit.
    tol : float, default=1e-7
        Convergence: ``max |misfit| / (1 + |T|) < tol``.
    max_iter : int, default=50
        Cap on Newton steps.
    on_fail : {"raise", "flag"}, default="raise"
        At the cap: raise :class:`ConvergenceError` or return ``converged_=False`` with a warning.
    progress : bool, default=False
        Progress bar (only on a TTY).

    Attributes
    ----------
    result_ : WeightResult
    weights_, g_weights_, converged_, n_iter_, history_ : see :class:`WeightResult`
        (``result_.extra["numeric_totals"]`` holds target and achieved continuous totals).

    Notes
    -----
    Units are the distinct cells of the margin variables when only categorical constraints
    are used, otherwise the rows. Reference: Deville, J.-C. and Särndal, C.-E. (1992),
    "Calibration estimators in survey sampling", JASA 87, 376-382.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("sex", ("M", "F"))])
    >>> cal = Calibrator(distance="raking").fit(
    ...     pd.DataFrame({"sex": ["M", "F", "F"]}), {"sex": [2.0, 2.0]}, schema=schema)
    >>> cal.weights_.round(9).tolist()
    [2.0, 1.0, 1.0]
    """

    def __init__(
        self,
        margins: Sequence[MarginSpec] | None = None,
        totals: Mapping[str, float] | None = None,
        means: Mapping[str, float] | None = None,
        distance: DistanceName = "linear",
        bounds: tuple[float, float] | None = None,
        tol: float = 1e-7,
        max_iter: int = 50,
        on_fail: Literal["raise", "flag"] = "raise",
        progress: bool = False,
    ):
        self.margins = margins
        self.totals = totals
        self.means = means
        self.distance = distance
        self.bounds = bounds
        self.tol = tol
        self.max_iter = max_iter
        self.on_fail = on_fail
        self.progress = progress

    def _check_params(self) -> tuple[float, float]:
        if self.distance not in DISTANCES:
            raise DataError(f"distance must be one of {sorted(DISTANCES)}, got {self.distance!r}")
        lower, upper = check_bounds_param(self.bounds)
        if self.bounds is None and self.distance == "linear":
            lower = -np.inf
        if self.distance == "logit" and not (0 <= lower < 1 < upper < np.inf):
            raise DataError(
                f"logit calibration needs finite bounds with lower < 1 < upper, got "
                f"{self.bounds!r}; e.g. bounds=(0.3, 3.0)"
            )
        check_iteration_params(self.tol, self.max_iter, self.on_fail)
        return lower, upper

    def fit(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population | Mapping[object, object],
        schema: Schema | None = None,
    ) -> Calibrator:
        """Calibrate ``population`` to ``target`` (and the continuous totals); returns self.

        Raises
        ------
        EmptyCellError, InconsistentMarginsError, InfeasibleError, ConvergenceError, DataError
        """
        self._set_result(self._solve(self._build(population, target, schema)))
        return self

    def _build(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population | Mapping[object, object],
        schema: Schema | None = None,
    ) -> WeightingProblem:
        self._check_params()
        totals, means = dict(self.totals or {}), dict(self.means or {})
        overlap = set(totals) & set(means)
        if overlap:
            raise DataError(f"give either a total or a mean for {sorted(overlap)}, not both")
        numeric = [*totals, *means]
        return build_problem(_with_schema(population, schema), target, self.margins, numeric)

    def _solve(self, problem: WeightingProblem) -> WeightResult:
        lower, upper = self._check_params()
        totals, means = dict(self.totals or {}), dict(self.means or {})
        check_empty_cells(problem)
        if self.distance != "linear" or lower > 0:
            check_structural_zeros(problem, max(lower, np.finfo(float).tiny))
        check_bounds(problem, max(lower, 0.0), upper)
        X, T = _design(problem, totals, means)
        g, converged, n_iter, history = newton_calibrate(
            X,
            problem.design,
            T,
            self.distance,
            lower,
            upper,
            self.tol,
            self.max_iter,
            self.progress,
        )
        if not converged:
            fail_or_flag(
                problem,
                problem.design * g,
                f"{self.distance} calibration did not converge in {n_iter} Newton steps "
                f"(misfit {history[-1] if history else float('nan'):.3g}, tol {self.tol:g})",
                self.on_fail,
            )
        result = make_result(
            problem,
            g,
            converged=converged,
            n_iter=n_iter,
            history=history,
            method=f"calibration:{self.distance}",
            settings=self.get_params(),
        )
        names = [*totals, *means]
        q0 = X.p - X.dense.shape[1]
        achieved = X.dense.T @ (problem.design * g) if names else np.zeros(0)
        result.extra["numeric_totals"] = {
            name: (float(T[q0 + i]), float(achieved[i])) for i, name in enumerate(names)
        }
        return result


def _design(
    problem: WeightingProblem, totals: dict[str, float], means: dict[str, float]
) -> tuple[Design, np.ndarray]:
    blocks = [(m.index, m.size) for m in problem.margins]
    names = [*totals, *means]
    dense = np.column_stack([problem.numeric[n] for n in names]) if names else None
    values = [float(totals[n]) for n in totals] + [float(means[n]) * problem.total for n in means]
    for name, value in zip(names, values, strict=True):
        if not np.isfinite(value):
            raise DataError(f"the total/mean given for {name!r} is not finite")
    T = np.concatenate([*(m.target for m in problem.margins), np.asarray(values, dtype=float)])
    return Design(blocks, dense), T


def calibrate(
    population: Population | pd.DataFrame,
    target: Target | Population | Mapping[object, object],
    *,
    schema: Schema | None = None,
    **params: object,
) -> WeightResult:
    """Calibrate in one call: ``Calibrator(**params).fit(population, target).result_``.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("sex", ("M", "F"))])
    >>> calibrate(pd.DataFrame({"sex": ["M", "F"]}), {"sex": [3.0, 1.0]}, schema=schema).total
    4.0
    """
    return Calibrator(**params).fit(population, target, schema=schema).result_  # type: ignore[arg-type]


__all__ = ["Calibrator", "calibrate", "newton_calibrate"]
