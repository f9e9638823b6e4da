"""Argmax (multinomial-probit) blocks: recovery of utility correlations from tables."""

from __future__ import annotations

import numpy as np

from calib.copula.margins import nominal_margin, ordinal_margin
from calib.copula.nominal import (
    centered_basis,
    fit_nominal_nominal,
    fit_nominal_ordinal,
    nominal_nominal_table,
    nominal_ordinal_table,
)


def test_centered_basis_is_orthonormal_and_sums_to_zero():
    b = centered_basis(5)
    np.testing.assert_allclose(b.T @ b, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(b.sum(axis=0), 0.0, atol=1e-12)


def test_nominal_ordinal_recovery_and_independence():
    x = nominal_margin("x", tuple("abcde"), np.array([0.4, 0.3, 0.15, 0.1, 0.05]))
    y = ordinal_margin("y", tuple("pqrs"), np.array([0.2, 0.3, 0.3, 0.2]))
    r = np.array([0.4, -0.1, -0.3, 0.1, -0.1])
    table = nominal_ordinal_table(x.utilities, y.thresholds, r, n_draws=2**17, seed=5)
    np.testing.assert_allclose(table.sum(axis=1), x.probs, atol=2e-3)  # margins kept
    np.testing.assert_allclose(table.sum(axis=0), y.probs, atol=1e-3)
    fit = fit_nominal_ordinal(table, x.utilities, y.thresholds)
    assert fit.converged
    np.testing.assert_allclose(fit.params, r, atol=0.015)
    indep = fit_nominal_ordinal(np.outer(x.probs, y.probs), x.utilities, y.thresholds)
    np.testing.assert_allclose(indep.params, 0.0, atol=0.01)


def test_nominal_nominal_recovery():
    x = nominal_margin("x", tuple("abcd"), np.array([0.4, 0.3, 0.2, 0.1]))
    y = nominal_margin("y", tuple("pqr"), np.array([0.5, 0.3, 0.2]))
    inner = np.array([[0.5, 0.1], [-0.2, 0.3], [0.1, -0.4]])
    c = centered_basis(4) @ inner @ centered_basis(3).T
    table = nominal_nominal_table(x.utilities, y.utilities, c, n_draws=2**17, smoothing=0.01)
    fit = fit_nominal_nominal(table, x.utilities, y.utilities)
    assert fit.converged
    np.testing.assert_allclose(fit.params, c, atol=0.03)
    assert np.linalg.norm(fit.params, 2) < 1


def test_nominal_ordinal_standard_errors_match_monte_carlo_spread():
    # 80 multinomial tables of n = 3,000 from a known model: the spread of the estimates
    # should match the mean reported SE (sampling error of an SD from 80 draws is ~8%).
    x = nominal_margin("x", tuple("abc"), np.array([0.5, 0.3, 0.2]))
    y = ordinal_margin("y", tuple("pqr"), np.array([0.3, 0.4, 0.3]))
    r = np.array([0.3, -0.1, -0.2])
    p = nominal_ordinal_table(x.utilities, y.thresholds, r, n_draws=2**16, seed=3).ravel()
    rng = np.random.default_rng(17)
    est, se = [], []
    for counts in rng.multinomial(3000, p / p.sum(), size=80):
        fit = fit_nominal_ordinal(
            counts.reshape(3, 3), x.utilities, y.thresholds, n_draws=2**13, n_obs=3000
        )
        est.append(fit.params)
        se.append(fit.std_errors)
    ratio = np.std(est, axis=0) / np.mean(se, axis=0)
    assert np.all((ratio > 0.75) & (ratio < 1.3)), ratio
