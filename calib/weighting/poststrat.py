"""Post-stratification to a joint table, with partial and automatically collapsed cells.

Each stratum (a cell of the strata variables) gets ``g = target total / design total``.
Strata the population cannot support are handled explicitly:

* ``collapse="auto"``: a stratum with no personas (or fewer than ``min_count``) is merged
  with an adjacent stratum (one level away in the last strata variable, else the one before,
  ...), repeatedly, until every pool is supported; each pool gets one factor, so the pooled
  target totals (and the overall total) are still met;
* ``partial=True``: target strata with no personas are ignored (R survey's ``partial=TRUE``);
  their mass is lost and reported in ``result_.extra["dropped_mass"]``;
* otherwise an empty target stratum raises :class:`~calib.errors.EmptyCellError`.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> poststratify(pd.DataFrame({"sex": ["M", "F", "F"]}), {"sex": [6.0, 4.0]},
...              schema=schema).weights.tolist()
[6.0, 2.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from calib.errors import DataError, EmptyCellError
from calib.population import Population
from calib.schema import Schema
from calib.target import Target
from calib.weighting._base import WeightingEstimator
from calib.weighting.feasibility import check_empty_cells
from calib.weighting.problem import Margin, WeightingProblem, build_problem
from calib.weighting.raking import _with_schema, make_result
from calib.weighting.result import WeightResult


class PostStratifier(WeightingEstimator):
    """Post-stratify design weights to the joint target table of the strata variables.

    Parameters
    ----------
    variables : sequence of str, optional
        Strata variables (default: the target's single margin key, or all variables of a joint
        or microdata target shared with the population).
    partial : bool, default=False
        Ignore target strata that have no personas (their mass is dropped and reported).
    collapse : {None, "auto"}, default=None
        ``"auto"`` pools unsupported strata with their neighbours (see module notes).
    min_count : int, default=1
        With ``collapse="auto"``: strata with fewer rows than this are pooled too.

    Attributes
    ----------
    result_ : WeightResult
        ``result_.extra["collapsed"]`` lists the pooled strata; ``["dropped_mass"]`` the target
        mass ignored with ``partial=True``.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("a", ("x", "y", "z"), kind="ordinal")])
    >>> ps = PostStratifier(collapse="auto").fit(
    ...     pd.DataFrame({"a": ["x", "y", "y"]}), {"a": [2.0, 3.0, 1.0]}, schema=schema)
    >>> ps.weights_.tolist(), ps.result_.extra["collapsed"]
    ([2.0, 2.0, 2.0], [['y', 'z']])
    """

    def __init__(
        self,
        variables: Sequence[str] | None = None,
        partial: bool = False,
        collapse: Literal["auto"] | None = None,
        min_count: int = 1,
    ):
        self.variables = variables
        self.partial = partial
        self.collapse = collapse
        self.min_count = min_count

    def fit(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population | Mapping[object, object],
        schema: Schema | None = None,
    ) -> PostStratifier:
        """Post-stratify; returns self.

        Raises
        ------
        EmptyCellError
            A target stratum has no personas and neither ``partial`` nor ``collapse`` is set.
        DataError
            Bad parameters, or the target cannot give the strata table.
        """
        self._set_result(self._solve(self._build(population, target, schema)))
        return self

    def _build(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population | Mapping[object, object],
        schema: Schema | None = None,
    ) -> WeightingProblem:
        if self.collapse not in (None, "auto"):
            raise DataError(f"collapse must be None or 'auto', got {self.collapse!r}")
        if not (isinstance(self.min_count, int | np.integer) and self.min_count >= 1):
            raise DataError(f"min_count must be an integer >= 1, got {self.min_count!r}")
        pop = _with_schema(population, schema)
        key = None if self.variables is None else [tuple(self.variables)]
        if key is None and isinstance(target, Target) and target.kind != "margins":
            pop_names = pop.schema.names if isinstance(pop, Population) else tuple(pop.columns)
            key = [tuple(n for n in target.schema.categorical_names if n in pop_names)]
        problem = build_problem(pop, target, key)
        if len(problem.margins) != 1:
            raise DataError(
                "post-stratification needs one joint table: pass variables=[...] naming the "
                f"strata (the target holds {len(problem.margins)} margins)"
            )
        return problem

    def _solve(self, problem: WeightingProblem) -> WeightResult:
        margin = problem.margins[0]
        t = margin.target
        d = np.bincount(margin.index, weights=problem.design, minlength=margin.size)
        c = np.bincount(margin.index, weights=problem.count, minlength=margin.size)
        g_cell = np.divide(t, d, out=np.zeros_like(t), where=d > 0)
        extra: dict[str, object] = {"collapsed": [], "dropped_mass": 0.0}
        if self.collapse == "auto":
            g_cell, extra["collapsed"] = _collapse(problem, margin, t, d, c, self.min_count)
        elif self.partial:
            extra["dropped_mass"] = float(t[(t > 0) & (d <= 0)].sum())
        else:
            check_empty_cells(problem)
        result = make_result(
            problem,
            g_cell[margin.index],
            converged=True,
            n_iter=1,
            history=[problem.max_deviation(problem.design * g_cell[margin.index])],
            method="poststratification",
            settings=self.get_params(),
        )
        result.extra.update(extra)
        return result


def _collapse(
    problem: WeightingProblem,
    margin: Margin,
    t: np.ndarray,
    d: np.ndarray,
    c: np.ndarray,
    min_count: int,
) -> tuple[np.ndarray, list[list[str]]]:
    """Merge each unsupported stratum with an adjacent one until every pool is supported.

    Adjacent means: differing by one level in one strata variable, trying the last variable
    first; among the adjacent pools the one with most rows wins. Target totals are pooled
    with the strata, so the overall total and every pool total are met.
    """
    shape = [len(problem.levels[problem.variables.index(v)]) for v in margin.key]
    codes = np.stack(np.unravel_index(np.arange(margin.size), shape), axis=1)
    pool = np.arange(margin.size)
    while True:
        tp = np.bincount(pool, weights=t, minlength=margin.size)
        dp = np.bincount(pool, weights=d, minlength=margin.size)
        cp = np.bincount(pool, weights=c, minlength=margin.size)
        failing = np.flatnonzero(((tp > 0) | (dp > 0)) & ((cp < min_count) | (dp <= 0)))
        failing = failing[np.isin(failing, pool)]
        if not failing.size:
            break
        members = np.flatnonzero(pool == failing[0])
        partner = -1
        for v in range(len(shape) - 1, -1, -1):
            candidates = []
            for step in (-1, 1):
                moved = codes[members].copy()
                moved[:, v] += step
                inside = (moved[:, v] >= 0) & (moved[:, v] < shape[v])
                if inside.any():
                    flat = np.ravel_multi_index(tuple(moved[inside].T), shape)
                    candidates.extend(int(p) for p in pool[flat] if p != failing[0])
            if candidates:
                partner = max(set(candidates), key=lambda p: (cp[p], -p))
                break
        if partner < 0:
            raise EmptyCellError(
                f"post-stratification by {margin.name}: no stratum can absorb "
                f"{margin.label(int(members[0]))!r}; lower min_count or add personas"
            )
        pool[pool == failing[0]] = partner
    dp = np.bincount(pool, weights=d, minlength=margin.size)
    tp = np.bincount(pool, weights=t, minlength=margin.size)
    g = np.divide(tp[pool], dp[pool], out=np.zeros_like(t), where=dp[pool] > 0)
    pools = [
        [margin.label(int(j)) for j in np.flatnonzero(pool == p)]
        for p in np.unique(pool)
        if (pool == p).sum() > 1 and (tp[p] > 0 or dp[p] > 0)
    ]
    return g, pools


def poststratify(
    population: Population | pd.DataFrame,
    target: Target | Population | Mapping[object, object],
    *,
    schema: Schema | None = None,
    **params: object,
) -> WeightResult:
    """Post-stratify in one call: ``PostStratifier(**params).fit(population, target).result_``.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> schema = Schema([Variable("sex", ("M", "F"))])
    >>> poststratify(pd.DataFrame({"sex": ["M", "F"]}), {"sex": [3.0, 1.0]}, schema=schema).total
    4.0
    """
    return PostStratifier(**params).fit(population, target, schema=schema).result_  # type: ignore[arg-type]


__all__ = ["PostStratifier", "poststratify"]
