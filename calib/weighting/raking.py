"""Raking (iterative proportional fitting) to 1-way and multi-way margins, optionally bounded.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.population import Population
>>> from calib.target import Target
>>> schema = Schema([Variable("sex", ("M", "F")), Variable("old", ("no", "yes"))])
>>> pop = Population(pd.DataFrame({"sex": ["M", "M", "F", "F", "F"], "old": ["no", "yes",
...     "no", "yes", "yes"]}), schema)
>>> target = Target.from_margins({"sex": [0.5, 0.5], "old": [0.5, 0.5]}, schema)
>>> raker = Raker(tol=1e-12).fit(pop, target)
>>> pop.margin("sex", raker.weights_).round(6).tolist()
[2.5, 2.5]
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from calib.errors import ConvergenceError, DataError
from calib.population import Population
from calib.schema import Schema
from calib.target import Target
from calib.weighting._base import WeightingEstimator
from calib.weighting.feasibility import check_feasible
from calib.weighting.ipf import ipf
from calib.weighting.problem import MarginSpec, WeightingProblem, build_problem
from calib.weighting.result import WeightResult

OnFail = Literal["raise", "flag"]


def check_bounds_param(bounds: tuple[float, float] | None) -> tuple[float, float]:
    """Validate ``bounds=(lower, upper)`` on the adjustment factors (None: unbounded)."""
    if bounds is None:
        return 0.0, float("inf")
    try:
        lower, upper = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise DataError(f"bounds must be a pair (lower, upper), got {bounds!r}") from None
    if not (0 <= lower < upper) or np.isnan(upper):
        raise DataError(f"bounds must satisfy 0 <= lower < upper, got {bounds!r}")
    return lower, upper


def check_iteration_params(tol: float, max_iter: int, on_fail: str) -> None:
    """Validate the common iteration parameters."""
    if not (isinstance(tol, int | float) and tol > 0):
        raise DataError(f"tol must be a positive number, got {tol!r}")
    if not (isinstance(max_iter, int | np.integer) and max_iter >= 1):
        raise DataError(f"max_iter must be a positive integer, got {max_iter!r}")
    if on_fail not in ("raise", "flag"):
        raise DataError(f"on_fail must be 'raise' or 'flag', got {on_fail!r}")


def fail_or_flag(problem: WeightingProblem, unit_w: np.ndarray, what: str, on_fail: str) -> None:
    """Raise :class:`ConvergenceError` naming the worst margin cell (or warn when flagging)."""
    frame = problem.margin_frame(unit_w)
    worst = frame.loc[frame["relative"].abs().idxmax()] if len(frame) else None
    where = (
        f"; worst margin cell: {worst['margin']} = {worst['level']!r} (target "
        f"{worst['target']:.6g}, achieved {worst['achieved']:.6g})"
        if worst is not None
        else ""
    )
    msg = (
        f"{what}{where}. The margins may be jointly infeasible with the empty cells or the "
        "bounds: widen the bounds, collapse sparse levels, drop a multi-way margin, or raise "
        "max_iter / tol."
    )
    if on_fail == "raise":
        raise ConvergenceError(msg)
    warnings.warn(msg + " (returned with converged=False)", stacklevel=3)


def make_result(
    problem: WeightingProblem,
    unit_g: np.ndarray,
    *,
    converged: bool,
    n_iter: int,
    history: list[float],
    method: str,
    settings: Mapping[str, object],
) -> WeightResult:
    """Turn per-unit factors into a :class:`WeightResult` on the input rows."""
    weights = problem.design_rows * problem.to_rows(unit_g)
    return WeightResult(
        weights=weights,
        design_weights=problem.design_rows,
        converged=converged,
        n_iter=n_iter,
        history=history,
        method=method,
        settings=dict(settings),
        provenance=problem.provenance,
        problem=problem,
        unit_g=unit_g,
    )


class Raker(WeightingEstimator):
    """Rake design weights to 1-way and multi-way margins (iterative proportional fitting).

    Parameters
    ----------
    margins : sequence of str or tuple of str, optional
        Margins to rake to (default: every margin the target holds; for joint or microdata
        targets each variable's 1-way margin). A tuple names a multi-way margin.
    bounds : (float, float), optional
        Bounds ``(lower, upper)`` on the adjustment factors ``g = w / d``, enforced at every
        iteration (bounded raking, the truncated raking distance of Deville & Särndal).
    tol : float, default=1e-10
        Convergence: every margin cell within ``tol`` x target total of its target.
    max_iter : int, default=1000
        Cap on the sweeps over all margins.
    on_fail : {"raise", "flag"}, default="raise"
        At the cap: raise :class:`ConvergenceError`, or return with ``converged_=False`` and a
        warning. Never reported as converged.
    progress : bool, default=False
        Progress bar (only on a TTY).

    Attributes
    ----------
    result_ : WeightResult
    weights_, g_weights_, converged_, n_iter_, history_ : see :class:`WeightResult`

    Notes
    -----
    Works on the distinct cells of the margin variables (``calib.cells.group_codes``); one
    sweep costs O(cells x margins). Relative targets (shares) are scaled to the population's
    design total. Unbounded raking converges to the minimum Kullback-Leibler solution, equal
    to R survey's ``rake()`` and ``calibrate(calfun="raking")``.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("sex", ("M", "F"))])
    >>> rows = pd.DataFrame({"sex": ["M", "F", "F"]})
    >>> Raker().fit(rows, {"sex": [0.5, 0.5]}, schema=schema).weights_.tolist()
    [1.5, 0.75, 0.75]
    """

    def __init__(
        self,
        margins: Sequence[MarginSpec] | None = None,
        bounds: tuple[float, float] | None = None,
        tol: float = 1e-10,
        max_iter: int = 1000,
        on_fail: OnFail = "raise",
        progress: bool = False,
    ):
        self.margins = margins
        self.bounds = bounds
        self.tol = tol
        self.max_iter = max_iter
        self.on_fail = on_fail
        self.progress = progress

    def fit(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population | Mapping[object, object],
        schema: Schema | None = None,
    ) -> Raker:
        """Rake ``population`` to ``target``; returns self.

        Parameters
        ----------
        population : Population or DataFrame
            Rows, or grouped cells with a ``weight``/``count`` column.
        target : Target, Population (weighted microdata) or dict of margins
        schema : Schema, optional
            Needed only when both ``population`` is a DataFrame and ``target`` a dict.

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
        check_bounds_param(self.bounds)
        check_iteration_params(self.tol, self.max_iter, self.on_fail)
        return build_problem(_with_schema(population, schema), target, self.margins)

    def _solve(self, problem: WeightingProblem) -> WeightResult:
        lower, upper = check_bounds_param(self.bounds)
        check_feasible(problem, lower, upper)
        out = ipf(
            problem.design,
            [m.index for m in problem.margins],
            [m.target for m in problem.margins],
            lower=lower,
            upper=upper,
            tol=self.tol,
            max_iter=self.max_iter,
            total=problem.total,
            progress=self.progress,
        )
        if not out.converged:
            fail_or_flag(
                problem,
                out.weights,
                f"raking did not converge in {out.n_iter} sweeps (max deviation "
                f"{out.history[-1]:.3g} of the total, tol {self.tol:g})",
                self.on_fail,
            )
        return make_result(
            problem,
            out.g,
            converged=out.converged,
            n_iter=out.n_iter,
            history=out.history,
            method="raking" if self.bounds is None else "raking:bounded",
            settings=self.get_params(),
        )


def _with_schema(
    population: Population | pd.DataFrame, schema: Schema | None
) -> Population | pd.DataFrame:
    if schema is not None and isinstance(population, pd.DataFrame):
        from calib.weighting.problem import as_population

        return as_population(population, schema)
    return population


def rake(
    population: Population | pd.DataFrame,
    target: Target | Population | Mapping[object, object],
    *,
    schema: Schema | None = None,
    **params: object,
) -> WeightResult:
    """Rake in one call: ``Raker(**params).fit(population, target).result_``.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("sex", ("M", "F"))])
    >>> rake(pd.DataFrame({"sex": ["M", "F", "F"]}), {"sex": [0.5, 0.5]}, schema=schema).total
    3.0
    """
    return Raker(**params).fit(population, target, schema=schema).result_  # type: ignore[arg-type]


__all__ = ["Raker", "rake"]
