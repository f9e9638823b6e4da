"""Infeasibility checks run before a fit, each raising a typed error with a remedy.

* a target margin cell with positive mass but no personas -> :class:`EmptyCellError`;
* a target margin cell of zero where personas exist while factors must stay positive
  (structural zero) -> :class:`InfeasibleError`;
* a margin cell whose target cannot be reached with factors inside the bounds ->
  :class:`InfeasibleError`.

Inconsistent margin totals are caught by :meth:`calib.target.Target.check_consistency`
(:class:`InconsistentMarginsError`) when the problem is built.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> from calib.weighting.problem import build_problem
>>> schema = Schema([Variable("sex", ("M", "F", "X"))])
>>> problem = build_problem(pd.DataFrame({"sex": ["M", "F"]}), Target.from_margins(
...     {"sex": [0.4, 0.5, 0.1]}, schema))
>>> try:
...     check_empty_cells(problem)
... except EmptyCellError as err:
...     print(type(err).__name__)
EmptyCellError
"""

from __future__ import annotations

import numpy as np

from calib.errors import EmptyCellError, InfeasibleError
from calib.weighting.problem import Margin, WeightingProblem


def _collapse_hint(problem: WeightingProblem, margin: Margin, j: int) -> str:
    schema = problem.schema
    if len(margin.key) == 1:
        var = schema[margin.key[0]]
        level = var.levels[j]
        if var.kind == "ordinal" and var.n_levels > 1:
            neighbours = [var.levels[i] for i in (j - 1, j + 1) if 0 <= i < var.n_levels]
            into = " or ".join(repr(n) for n in neighbours)
            return f"collapse {level!r} into the adjacent level {into}, or drop it"
        return (
            f"collapse {level!r} into another level of {var.name!r} (recode both sides), or "
            "drop it from the margin"
        )
    return (
        f"collapse levels of {' or '.join(map(repr, margin.key))}, or replace the "
        f"{margin.name} margin by its 1-way margins"
    )


def check_empty_cells(problem: WeightingProblem) -> None:
    """Raise :class:`EmptyCellError` if a target cell has mass but no weighted personas."""
    for m in problem.margins:
        have = m.sums(problem.design)
        empty = np.flatnonzero((m.target > 0) & (have <= 0))
        if empty.size:
            j = int(empty[0])
            cells = ", ".join(repr(m.label(int(i))) for i in empty[:10])
            more = f" and {empty.size - 10} more" if empty.size > 10 else ""
            share = m.target[j] / max(problem.total, 1e-300)
            err = EmptyCellError(
                f"margin {m.name}: target cell(s) {cells}{more} have positive mass (e.g. "
                f"{m.label(j)!r} has target share {share:.4g}) but no personas with positive "
                f"weight. To fix: {_collapse_hint(problem, m, j)}."
            )
            err.margin = m.name  # type: ignore[attr-defined]
            err.cells = tuple(m.label(int(i)) for i in empty)  # type: ignore[attr-defined]
            raise err


def check_structural_zeros(problem: WeightingProblem, lower: float) -> None:
    """Raise if a zero target cell holds personas while factors must stay >= ``lower`` > 0."""
    if lower <= 0:
        return
    for m in problem.margins:
        have = m.sums(problem.design)
        bad = np.flatnonzero((m.target <= 0) & (have > 0))
        if bad.size:
            cells = ", ".join(repr(m.label(int(i))) for i in bad[:10])
            raise InfeasibleError(
                f"margin {m.name}: target cell(s) {cells} are structural zeros (target 0) but "
                f"hold personas, and the adjustment factors must stay >= {lower:g}. To fix: "
                "drop those personas, remove the zero cells from the margin, or use a method "
                "that allows zero weights (Raker without a lower bound, linear calibration)."
            )


def check_bounds(problem: WeightingProblem, lower: float, upper: float) -> None:
    """Raise if some margin cell's target is outside [lower, upper] x its design total."""
    if lower <= 0 and not np.isfinite(upper):
        return
    for m in problem.margins:
        have = m.sums(problem.design)
        with np.errstate(divide="ignore", invalid="ignore"):
            needed = np.where(have > 0, m.target / have, np.nan)
        bad = np.flatnonzero((needed < lower * (1 - 1e-12)) | (needed > upper * (1 + 1e-12)))
        if bad.size:
            j = int(bad[np.argmax(np.abs(np.log(needed[bad])))])
            raise InfeasibleError(
                f"bounds ({lower:g}, {upper:g}) cannot be met: margin {m.name} cell "
                f"{m.label(j)!r} needs an average adjustment factor of {needed[j]:.4g} "
                f"(target {m.target[j]:.6g}, design total {have[j]:.6g}); "
                f"{bad.size} cell(s) of this margin are out of reach. To fix: widen the bounds "
                f"to include {needed[j]:.3g}, or {_collapse_hint(problem, m, j)}."
            )


def check_feasible(problem: WeightingProblem, lower: float = 0.0, upper: float = np.inf) -> None:
    """Run every pre-fit check (empty cells, structural zeros, bounds)."""
    check_empty_cells(problem)
    check_structural_zeros(problem, lower)
    check_bounds(problem, lower, upper)


__all__ = ["check_bounds", "check_empty_cells", "check_feasible", "check_structural_zeros"]
