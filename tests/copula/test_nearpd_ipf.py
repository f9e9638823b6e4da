"""Nearest correlation repair (golden value, property tests) and the small IPF."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calib.copula.ipf import ipf
from calib.copula.margins import nominal_margin, nominal_probs, ordinal_margin
from calib.copula.nearpd import nearest_correlation
from calib.errors import ConvergenceError, EmptyCellError, InfeasibleError


def test_higham_2002_example():
    # Higham (2002), "Computing the nearest correlation matrix", section 4: the nearest
    # correlation matrix to [[1,1,0],[1,1,1],[0,1,1]] has off-diagonals 0.7607, 0.1573, 0.7607.
    a = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    x, rec = nearest_correlation(a, eig_floor=1e-12, tol=1e-13, max_iter=20_000)
    assert x[0, 1] == pytest.approx(0.7607, abs=2e-4)
    assert x[0, 2] == pytest.approx(0.1573, abs=2e-4)
    assert x[1, 2] == pytest.approx(0.7607, abs=2e-4)
    assert rec.changed and rec.min_eigenvalue_before < 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.99, 0.99), min_size=10, max_size=10))
def test_repair_gives_pd_correlation_and_keeps_fixed_entries(vals):
    a = np.eye(5)
    a[np.triu_indices(5, 1)] = vals
    a = np.triu(a) + np.triu(a, 1).T
    fixed = np.zeros((5, 5), dtype=bool)
    fixed[0, 1] = fixed[1, 0] = True
    a[0, 1] = a[1, 0] = 0.0
    x, rec = nearest_correlation(a, fixed)
    assert np.linalg.eigvalsh(x).min() >= 0.5e-6
    np.testing.assert_allclose(np.diag(x), 1.0)
    assert x[0, 1] == 0.0
    np.testing.assert_allclose(x, x.T)
    assert rec.max_abs_change == pytest.approx(np.abs(x - a).max())


def test_fixed_entries_without_pd_completion_raise():
    a = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(InfeasibleError, match="no positive-definite"):
        nearest_correlation(a, np.ones((3, 3), dtype=bool), max_iter=200)
    with pytest.raises(InfeasibleError, match="not finite"):
        nearest_correlation(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_ipf_closed_form_and_errors():
    codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    w = ipf(
        codes,
        np.ones(4),
        [((0,), np.array([3.0, 7.0])), ((1,), np.array([6.0, 4.0]))],
        n_levels=(2, 2),
    )
    np.testing.assert_allclose(w, np.outer([3, 7], [6, 4]).ravel() / 10)
    with pytest.raises(EmptyCellError):
        ipf(codes[:2], np.ones(2), [((0,), np.array([0.5, 0.5]))], n_levels=(2, 2))
    with pytest.raises(ConvergenceError):
        ipf(
            codes,
            np.ones(4),
            [((0,), np.array([0.5, 0.5])), ((0,), np.array([0.2, 0.8]))],
            n_levels=(2, 2),
            max_iter=50,
        )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=7))
def test_nominal_and_ordinal_margins_are_exact(raw):
    p = np.array(raw) / np.sum(raw)
    m = nominal_margin("x", tuple(str(i) for i in range(p.size)), p)
    np.testing.assert_allclose(nominal_probs(m.utilities), p, atol=1e-9)
    o = ordinal_margin("y", tuple(str(i) for i in range(p.size)), p)
    z = np.linspace(-8, 8, 200_001)
    dens = np.exp(-0.5 * z * z)
    share = np.bincount(o.to_codes(z), weights=dens, minlength=p.size) / dens.sum()
    np.testing.assert_allclose(share, p, atol=1e-4)
