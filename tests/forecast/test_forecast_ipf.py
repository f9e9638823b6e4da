"""IPF on dense tables: closed forms, grouped and partial margins, typed failures."""

from __future__ import annotations

import numpy as np
import pytest

from calib.errors import ConvergenceError, InfeasibleError
from calib.forecast.ipf import Constraint, ipf


def test_two_way_independence_closed_form():
    # From a uniform seed, IPF to row and column totals gives rows x cols / total.
    rows = np.array([[30.0, 70.0]])
    cols = np.array([[20.0, 50.0, 30.0]])
    fit = ipf(
        np.ones((1, 2, 3)),
        [Constraint("rows", (0, 1), rows), Constraint("cols", (0, 2), cols)],
    )
    expected = rows[0][:, None] * cols[0][None, :] / 100.0
    np.testing.assert_allclose(fit.table[0], expected, rtol=1e-10)
    assert fit.converged


def test_seed_odds_ratio_is_kept():
    # IPF keeps the seed's cross-product ratio (Deming-Stephan / minimum KL property).
    seed = np.array([[[4.0, 1.0], [1.0, 2.0]]])
    fit = ipf(
        seed,
        [
            Constraint("rows", (0, 1), np.array([[50.0, 50.0]])),
            Constraint("cols", (0, 2), np.array([[60.0, 40.0]])),
        ],
        tol=1e-12,
    )
    t = fit.table[0]
    assert t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0]) == pytest.approx(8.0, rel=1e-8)
    np.testing.assert_allclose(t.sum(axis=1), [50, 50], rtol=1e-9)
    np.testing.assert_allclose(t.sum(axis=0), [60, 40], rtol=1e-9)


def test_grouped_axis_and_partial_universe():
    # Axis 1 has 3 levels; a margin groups levels {0,1} vs {2}; another covers level 2 only.
    seed = np.ones((1, 3, 2))
    grouped = Constraint("groups", (0, 1), np.array([[60.0, 40.0]]), {1: np.array([0, 0, 1])})
    partial = Constraint(
        "level2 x col", (0, 1, 2), np.array([[[10.0, 30.0]]]), {1: np.array([-1, -1, 0])}
    )
    fit = ipf(seed, [grouped, partial])
    t = fit.table[0]
    assert t[:2].sum() == pytest.approx(60.0)
    np.testing.assert_allclose(t[2], [10.0, 30.0], rtol=1e-9)
    np.testing.assert_allclose(t[0], t[1])  # untouched symmetry of the seed


def test_nan_target_is_unconstrained():
    fit = ipf(
        np.ones((1, 2, 2)),
        [
            Constraint("rows", (0, 1), np.array([[5.0, np.nan]])),
            Constraint("total", (0,), np.array([20.0])),
        ],
        tol=1e-9,
    )
    assert fit.table[0, 0].sum() == pytest.approx(5.0)
    assert fit.table[0].sum() == pytest.approx(20.0)


def test_batch_axis_fits_each_table_separately():
    rows = np.array([[1.0, 3.0], [10.0, 10.0]])
    fit = ipf(np.ones((2, 2, 2)), [Constraint("rows", (0, 1), rows)])
    np.testing.assert_allclose(fit.table.sum(axis=2), rows)


def test_inconsistent_margins_raise_convergence_error():
    with pytest.raises(ConvergenceError, match=r"rows|cols"):
        ipf(
            np.ones((1, 2, 2)),
            [
                Constraint("rows", (0, 1), np.array([[5.0, 5.0]])),
                Constraint("cols", (0, 2), np.array([[6.0, 6.0]])),
            ],
            max_iter=50,
        )


def test_positive_target_on_zero_cells_is_infeasible():
    seed = np.array([[[1.0, 0.0], [1.0, 0.0]]])
    with pytest.raises(InfeasibleError, match="cols"):
        ipf(seed, [Constraint("cols", (0, 2), np.array([[1.0, 1.0]]))])
