"""Distances against hand-computed values and reference implementations (scipy)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

from calib.diagnostics import distances as d
from calib.errors import DataError

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.3, 0.5])


def test_hand_computed_values():
    # TV = 0.5 * (0.3 + 0 + 0.3)
    assert d.total_variation(P, Q) == pytest.approx(0.3)
    # Hellinger: BC = 2 sqrt(0.1) + 0.3
    assert d.hellinger(P, Q) == pytest.approx(np.sqrt(1 - 2 * np.sqrt(0.1) - 0.3))
    # KL = 0.5 log 2.5 + 0.2 log 0.4
    assert d.kl_divergence(P, Q) == pytest.approx(0.5 * np.log(2.5) + 0.2 * np.log(0.4))
    # ordinal positions 0,1,2: means 0.7 and 1.3; target var = 0.3 + 2 - 1.69 = 0.61
    assert d.asmd(P, Q) == pytest.approx(0.6 / np.sqrt(0.61))
    # CDFs (0.5, 0.8, 1) vs (0.2, 0.5, 1): KS 0.3, W1 0.3 + 0.3
    assert d.ks_ordinal(P, Q) == pytest.approx(0.3)
    assert d.wasserstein_ordinal(P, Q) == pytest.approx(0.6)
    assert d.representativeness(P, Q) == pytest.approx(1 - 0.6 / 2)
    assert d.level_asmd(P, Q) == pytest.approx([0.3 / np.sqrt(0.16), 0.0, 0.3 / np.sqrt(0.25)])
    assert d.entropy(P) == pytest.approx(stats.entropy(P))


def test_counts_are_normalised_and_batched():
    counts = np.array([[50, 30, 20], [20, 30, 50]])
    out = d.total_variation(counts, Q * 7)
    assert out.shape == (2,)
    assert out == pytest.approx([0.3, 0.0])


def test_against_scipy():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
        assert d.jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2) ** 2)
        assert d.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q))
        x = np.sort(rng.normal(size=6))
        assert d.wasserstein_ordinal(p, q, x) == pytest.approx(
            stats.wasserstein_distance(x, x, p, q)
        )


def test_smoothing_keeps_kl_finite():
    assert np.isinf(d.kl_divergence([1, 1], [1, 0]))
    assert np.isfinite(d.kl_divergence([1, 1], d.smoothed([1, 0], effective_n=10)))


def test_no_mass_raises():
    with pytest.raises(DataError):
        d.total_variation([0, 0], [1, 1])
    with pytest.raises(DataError):
        d.total_variation([1, 1], [1, 1, 1])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0, 10), min_size=4, max_size=4).filter(lambda v: sum(v) > 0.01),
    st.lists(st.floats(0, 10), min_size=4, max_size=4).filter(lambda v: sum(v) > 0.01),
)
def test_metric_invariants(a, b):
    for f in (d.total_variation, d.hellinger, d.jensen_shannon, d.ks_ordinal):
        v = f(a, b)
        assert -1e-12 <= v <= 1 + 1e-12
        assert v == pytest.approx(f(b, a), abs=1e-12)
        assert f(a, a) == pytest.approx(0, abs=1e-7)
    # TV bounds Hellinger: H^2 <= TV <= sqrt(2) H
    h, tv = d.hellinger(a, b), d.total_variation(a, b)
    assert h**2 <= tv + 1e-9 and tv <= np.sqrt(2) * h + 1e-9
    # KS <= TV for ordered cells
    assert d.ks_ordinal(a, b) <= tv + 1e-12
