"""Monte Carlo coverage of the cell-level Bayesian-bootstrap intervals (fixed seeds)."""

import numpy as np
import pytest

from calib.diagnostics.distances import hellinger, total_variation
from calib.diagnostics.intervals import TableSide, distance_intervals
from calib.errors import DataError

P = np.array([0.35, 0.27, 0.16, 0.12, 0.10])
Q = np.full(5, 0.2)
METRICS = {"tv": total_variation, "hellinger": hellinger}


def _coverage(sides, truth, n_boot=300):
    hits = {m: 0 for m in METRICS}
    widths = {m: [] for m in METRICS}
    for r, (ps, qs) in enumerate(sides):
        res = distance_intervals(METRICS, ps, qs, n_boot=n_boot, seed=r)
        for m, v in res.items():
            hits[m] += v.low <= truth[m] <= v.high
            widths[m].append(v.high - v.low)
    return {m: h / len(sides) for m, h in hits.items()}, {m: np.mean(w) for m, w in widths.items()}


def test_coverage_unweighted_known_target():
    rng = np.random.default_rng(11)
    counts = rng.multinomial(300, P, size=800).astype(float)
    truth = {m: float(f(P, Q)) for m, f in METRICS.items()}
    cov, _ = _coverage([(TableSide(c, c), TableSide(Q)) for c in counts], truth)
    for m in METRICS:
        assert abs(cov[m] - 0.95) < 0.03, (m, cov[m])


def test_coverage_weighted_sample_needs_effective_sample_size():
    # rows drawn from design s, weighted by p/s so the weighted shares estimate P
    rng = np.random.default_rng(12)
    s = np.array([0.1, 0.1, 0.2, 0.3, 0.3])
    w = P / s
    counts = rng.multinomial(400, s, size=800).astype(float)
    truth = {m: float(f(P, Q)) for m, f in METRICS.items()}
    proper = [(TableSide(c * w, c * w**2), TableSide(Q)) for c in counts]
    # naive: weighted shares treated as if they were 400 equally weighted rows
    naive = [
        (TableSide(c * w / (c * w).sum() * 400, c * w / (c * w).sum() * 400), TableSide(Q))
        for c in counts
    ]
    cov, width = _coverage(proper, truth)
    cov_naive, width_naive = _coverage(naive, truth)
    for m in METRICS:
        assert abs(cov[m] - 0.95) < 0.03, (m, cov[m])
        assert cov_naive[m] < cov[m] - 0.04, (m, cov_naive[m], cov[m])
        assert width[m] > 1.2 * width_naive[m]


def test_coverage_with_sampled_microdata_target():
    rng = np.random.default_rng(13)
    cp = rng.multinomial(400, P, size=800).astype(float)
    cq = rng.multinomial(600, Q, size=800).astype(float)
    truth = {m: float(f(P, Q)) for m, f in METRICS.items()}
    cov, width = _coverage(
        [(TableSide(a, a), TableSide(b, b)) for a, b in zip(cp, cq, strict=True)], truth
    )
    cov_known, width_known = _coverage(
        [(TableSide(a, a), TableSide(b)) for a, b in zip(cp, cq, strict=True)], truth
    )
    # TV covers at nominal; Hellinger's upward plug-in bias (both sides noisy) makes the
    # percentile interval undercover a little (measured 0.915-0.925 here): a stated weakness.
    assert abs(cov["tv"] - 0.95) < 0.03, cov
    assert 0.90 <= cov["hellinger"] <= 0.97, cov
    for m in METRICS:
        assert width[m] > width_known[m]  # the target's own sampling error widens the interval
        assert cov_known[m] < cov[m]


def test_null_level_matches_simulated_chance_distance():
    # under p == q the plug-in TV at n = 200 has a known positive mean; the null level is it
    rng = np.random.default_rng(14)
    draws = rng.multinomial(200, Q, size=4000)
    chance = total_variation(draws, Q).mean()
    c = draws[0].astype(float)
    res = distance_intervals({"tv": total_variation}, TableSide(c, c), TableSide(Q), n_boot=2000)
    assert res["tv"].null_level == pytest.approx(chance, rel=0.05)
    assert res["tv"].null_q95 > res["tv"].null_level


def test_replicate_weights_add_target_variance():
    c = np.array([70.0, 55.0, 30.0, 25.0, 20.0])
    q = np.array([200.0, 210.0, 190.0, 205.0, 195.0])
    reps = q * (1 + 0.05 * np.random.default_rng(0).standard_normal((80, 5)))
    plain = distance_intervals(METRICS, TableSide(c, c), TableSide(q), seed=1)
    rep = distance_intervals(METRICS, TableSide(c, c), TableSide(q, None, reps, 4 / 80), seed=1)
    d_r = total_variation(c, reps)
    extra = 4 / 80 * np.sum((d_r - plain["tv"].value) ** 2)
    assert rep["tv"].std_error ** 2 == pytest.approx(plain["tv"].std_error ** 2 + extra)
    assert "replicate" in rep["tv"].method


def test_no_bootstrap_and_empty_side():
    res = distance_intervals(
        METRICS, TableSide(np.array([1.0, 1.0])), TableSide(np.ones(2)), n_boot=0
    )
    assert res["tv"].value == 0 and np.isnan(res["tv"].low)
    with pytest.raises(DataError):
        distance_intervals(METRICS, TableSide(np.zeros(2)), TableSide(np.ones(2)))
