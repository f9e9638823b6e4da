"""Polychoric / polyserial: closed forms, recovery from simulation, weights, SE calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from calib.errors import DataError
from calib.polychoric import (
    bvn_cdf,
    bvn_rectangle_probs,
    normal_scores,
    polychoric,
    polyserial,
    weighted_polychoric,
)


def _latent(n: int, rho: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky([[1.0, rho], [rho, 1.0]])
    return rng.standard_normal((n, 2)) @ chol.T


@pytest.mark.parametrize("rho", [-0.8, -0.2, 0.0, 0.45, 0.93])
def test_bvn_cdf_matches_scipy(rho):
    pts = [(0.0, 0.0), (1.2, -0.3), (-2.0, -1.0), (0.0, 1.5), (-0.5, 0.0), (2.5, 2.2)]
    mvn = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]])
    for h, k in pts:
        assert bvn_cdf(h, k, rho) == pytest.approx(mvn.cdf([h, k]), abs=1e-7)


def test_bvn_cdf_infinite_limits_and_orthant_closed_form():
    assert float(bvn_cdf(np.inf, 0.3, 0.4)) == pytest.approx(stats.norm.cdf(0.3), abs=1e-14)
    assert float(bvn_cdf(-np.inf, 0.3, 0.4)) == 0.0
    # P(X<=0, Y<=0) = 1/4 + asin(rho)/(2 pi)
    for r in (-0.7, 0.1, 0.6):
        assert float(bvn_cdf(0, 0, r)) == pytest.approx(0.25 + np.arcsin(r) / (2 * np.pi))


def test_rectangle_probs_sum_to_one_and_margins():
    a, b = np.array([-1.0, 0.2, 1.0]), np.array([-0.4, 0.9])
    p = bvn_rectangle_probs(a, b, 0.55)
    assert p.shape == (4, 3)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), np.diff(stats.norm.cdf(np.r_[-np.inf, a, np.inf])))


def test_tetrachoric_closed_form_median_split():
    # thresholds at 0, so P11 = 1/4 + asin(rho)/(2 pi)  =>  rho = sin(2 pi (p11 - 1/4))
    res = polychoric(np.array([[40.0, 10.0], [10.0, 40.0]]))
    assert res.rho == pytest.approx(np.sin(2 * np.pi * 0.15), abs=1e-7)
    assert res.df == 0


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.8])
def test_polychoric_recovers_known_rho(rho):
    z = _latent(400_000, rho, seed=11)
    x = np.digitize(z[:, 0], [-1.0, -0.2, 0.5, 1.3])
    y = np.digitize(z[:, 1], [-0.6, 0.1, 1.5])
    res = weighted_polychoric(x, y)
    assert res.converged
    assert abs(res.rho - rho) < 4 * res.std_error + 1e-3
    np.testing.assert_allclose(res.thresholds[0], [-1.0, -0.2, 0.5, 1.3], atol=0.02)
    assert res.p_value_gof > 0.001


def test_weighted_equals_expanded_unweighted():
    rng = np.random.default_rng(3)
    z = _latent(3000, 0.5, seed=4)
    x = np.digitize(z[:, 0], [-0.5, 0.5])
    y = np.digitize(z[:, 1], [0.0, 1.0])
    w = rng.integers(1, 5, size=x.size)
    weighted = weighted_polychoric(x, y, w.astype(float), n_obs=float(w.sum()))
    expanded = weighted_polychoric(np.repeat(x, w), np.repeat(y, w))
    assert weighted.rho == pytest.approx(expanded.rho, abs=1e-10)
    assert weighted.std_error == pytest.approx(expanded.std_error, rel=1e-6)
    ps_w = polyserial(z[:, 0], y, w.astype(float), n_obs=float(w.sum()))
    ps_e = polyserial(np.repeat(z[:, 0], w), np.repeat(y, w))
    assert ps_w.rho == pytest.approx(ps_e.rho, abs=1e-10)
    assert ps_w.std_error == pytest.approx(ps_e.std_error, rel=1e-6)


def test_polychoric_standard_error_matches_monte_carlo_spread():
    # 300 replicate tables of n=500 from a known latent model: the SD of the estimates should
    # match the mean reported SE within 15% (sampling error of an SD from 300 draws is ~4%).
    rho, n = 0.4, 500
    a, b = np.array([-0.8, 0.3]), np.array([-0.2, 0.9])
    p = bvn_rectangle_probs(a, b, rho).ravel()
    rng = np.random.default_rng(7)
    tables = rng.multinomial(n, p, size=300).reshape(300, 3, 3)
    fits = [polychoric(t) for t in tables]
    est = np.array([f.rho for f in fits])
    se = np.array([f.std_error for f in fits])
    assert abs(est.mean() - rho) < 3 * est.std() / np.sqrt(300) + 0.005
    assert est.std() == pytest.approx(se.mean(), rel=0.15)
    cover = np.mean([lo <= rho <= hi for lo, hi in (f.conf_int() for f in fits)])
    assert 0.90 <= cover <= 0.985


def test_polyserial_recovers_rho_with_nonnormal_margin():
    z = _latent(200_000, -0.55, seed=5)
    y = np.digitize(z[:, 1], [-1.0, 0.0, 0.8])
    res = polyserial(np.exp(2 * z[:, 0]), y, transform="normal_scores")
    assert abs(res.rho + 0.55) < 4 * res.std_error + 2e-3
    classical = polyserial(z[:, 0], y)
    assert abs(classical.rho + 0.55) < 4 * classical.std_error + 2e-3


def test_polyserial_se_matches_monte_carlo_spread():
    rng = np.random.default_rng(9)
    ests, ses = [], []
    for _ in range(150):
        z = rng.standard_normal((400, 2)) @ np.linalg.cholesky([[1, 0.5], [0.5, 1]]).T
        r = polyserial(z[:, 0], np.digitize(z[:, 1], [-0.3, 0.8]))
        ests.append(r.rho)
        ses.append(r.std_error)
    assert np.std(ests) == pytest.approx(np.mean(ses), rel=0.2)


def test_normal_scores_ties_and_weights():
    s = normal_scores(np.array([1.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert s[0] == s[1]
    np.testing.assert_allclose(s, stats.norm.ppf([0.25, 0.25, 0.625, 0.875]))


def test_errors_are_typed():
    with pytest.raises(DataError, match="two non-empty levels"):
        polychoric(np.array([[5.0, 3.0], [0.0, 0.0]]))
    with pytest.raises(DataError, match="non-negative"):
        polychoric(np.array([[5.0, -1.0], [2.0, 2.0]]))
    with pytest.raises(DataError, match="weights"):
        weighted_polychoric(np.array([0, 1]), np.array([1, 0]), np.array([1.0, -2.0]))
    with pytest.raises(DataError, match="constant"):
        polyserial(np.ones(10), np.array([0, 1] * 5))
    with pytest.raises(DataError, match="negative codes"):
        weighted_polychoric(np.array([0, -1]), np.array([1, 0]))


def test_empty_level_is_dropped_and_noted():
    res = polychoric(np.array([[20.0, 5.0], [0.0, 0.0], [6.0, 19.0]]))
    assert res.converged and res.notes and "row" in res.notes[0]
