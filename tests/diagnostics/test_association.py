"""Association measures against scipy / scikit-learn and closed forms."""

import numpy as np
import pytest
from scipy.stats.contingency import association
from sklearn.metrics import mutual_info_score

from calib.diagnostics.association import (
    cramers_v,
    interaction_residual,
    latent_correlation,
    mutual_information,
)


def test_against_reference_implementations():
    rng = np.random.default_rng(2)
    for _ in range(10):
        t = rng.integers(1, 40, size=(3, 4)).astype(float)
        assert cramers_v(t) == pytest.approx(association(t.astype(int), method="cramer"))
        rows, cols = np.nonzero(t >= 0)
        reps = t[rows, cols].astype(int)
        a, b = np.repeat(rows, reps), np.repeat(cols, reps)
        assert mutual_information(t) == pytest.approx(mutual_info_score(a, b))


def test_independence_and_perfect_association():
    t = np.outer([0.2, 0.8], [0.5, 0.3, 0.2])
    assert cramers_v(t) == pytest.approx(0, abs=1e-12)
    assert mutual_information(t) == pytest.approx(0, abs=1e-12)
    assert np.allclose(interaction_residual(t), 0)
    assert cramers_v(np.eye(3)) == pytest.approx(1)
    assert mutual_information(np.eye(3)) == pytest.approx(np.log(3))


def test_batched_tables():
    batch = np.stack([np.eye(2), np.ones((2, 2))])
    assert cramers_v(batch) == pytest.approx([1.0, 0.0])


def test_latent_correlation_is_the_shared_polychoric():
    # calib.polychoric doc example: [[40, 10], [10, 40]] -> 0.809
    t = np.array([[40.0, 10.0], [10.0, 40.0]])
    rho, se = latent_correlation(t)
    assert rho == pytest.approx(0.809, abs=1e-3)
    # SE scales as 1 / sqrt(n_obs); a known table has none
    assert latent_correlation(t, n_obs=400)[1] == pytest.approx(se / 2, rel=1e-6)
    assert latent_correlation(t, n_obs=float("inf")) == (pytest.approx(rho), 0.0)
    assert np.isnan(latent_correlation(np.array([[5.0, 5.0], [0.0, 0.0]]))[0])
