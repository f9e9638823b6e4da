"""Monte Carlo coverage of the PPI / PPI++ intervals (fixed seeds, 2,000 draws).

Worlds: a binary answer with population share 0.4; the LLM's probability for a respondent is a
biased, noisy function of the true answer (bias ~ +0.12 on the population share). Coverage of the
nominal 95% interval must be within 0.95 +- 0.02 (the Monte Carlo standard error at 2,000 draws
is 0.005); widths must shrink with the gold size and with prediction quality.
"""

from __future__ import annotations

import numpy as np
import pytest

from calib.correct import ppi_mean, ppi_mean_ci, ppi_ols_ci, ppi_proportions, silicon_mean

TRUTH = 0.4
DRAWS = 2000


def _world(rng, n, big_n, noise):
    """Gold answers, predictions for gold, predictions for personas."""

    def predict(y):
        return np.clip(0.3 + 0.5 * y + rng.normal(0, noise, y.size), 0, 1)

    y = rng.binomial(1, TRUTH, n).astype(float)
    y_u = rng.binomial(1, TRUTH, big_n).astype(float)
    return y, predict(y), predict(y_u)


def _coverage(lam, n=200, big_n=2000, noise=0.15, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    hits, widths = 0, []
    for _ in range(DRAWS):
        y, yh, yu = _world(rng, n, big_n, noise)
        kw = {}
        if weighted:
            # unequal-probability gold sample: respondents with y=1 over-sampled 2:1, weights 1/pi
            keep = rng.uniform(size=n) < np.where(y == 1, 1.0, 0.5)
            y, yh = y[keep], yh[keep]
            kw["w"] = np.where(y == 1, 1.0, 2.0)
        lo, hi = ppi_mean_ci(y, yh, yu, alpha=0.05, lam=lam, **kw)
        hits += lo <= TRUTH <= hi
        widths.append(hi - lo)
    return hits / DRAWS, float(np.mean(widths))


@pytest.mark.parametrize("lam", [1.0, None])
def test_ppi_and_ppipp_cover(lam):
    cov, _ = _coverage(lam)
    assert 0.93 <= cov <= 0.97


def test_weighted_gold_sample_covers():
    cov, _ = _coverage(None, n=300, seed=5, weighted=True)
    assert 0.93 <= cov <= 0.97


def test_silicon_alone_does_not_cover():
    rng = np.random.default_rng(1)
    _, _, yu = _world(rng, 10, 2000, 0.15)
    assert not silicon_mean(yu, truth=TRUTH).covers()


def test_width_shrinks_with_gold_size_and_prediction_quality():
    rng = np.random.default_rng(2)
    widths = {}
    for n in (100, 400):
        for noise in (0.05, 0.4):
            w = []
            for _ in range(200):
                y, yh, yu = _world(rng, n, 5000, noise)
                lo, hi = ppi_mean_ci(y, yh, yu, lam=None)
                w.append(hi - lo)
            widths[n, noise] = np.mean(w)
    assert widths[400, 0.05] < widths[100, 0.05]
    assert widths[400, 0.4] < widths[100, 0.4]
    assert widths[100, 0.05] < widths[100, 0.4]
    # sqrt(n) law: quadrupling n halves the width (persona term is small at N = 5000)
    assert widths[400, 0.4] / widths[100, 0.4] == pytest.approx(0.5, abs=0.05)


def test_ppipp_never_much_wider_than_classical():
    """PPI++ with useless predictions falls back towards the classical interval."""
    rng = np.random.default_rng(3)
    ratios = []
    for _ in range(200):
        y = rng.binomial(1, TRUTH, 200).astype(float)
        yh, yu = rng.uniform(size=200), rng.uniform(size=2000)
        lo, hi = ppi_mean_ci(y, yh, yu, lam=None)
        lo0, hi0 = ppi_mean_ci(y, yh, yu, lam=0)
        ratios.append((hi - lo) / (hi0 - lo0))
    assert np.mean(ratios) < 1.02


def test_multicategory_joint_coverage():
    """Bonferroni and chi-square simultaneous intervals cover all three shares together."""
    rng = np.random.default_rng(4)
    p = np.array([0.5, 0.3, 0.2])
    cats = ["a", "b", "c"]
    hits = {"bonferroni": 0, "chi2": 0}
    draws = 1000
    for _ in range(draws):
        y = rng.choice(3, 300, p=p)
        flip = rng.uniform(size=300) < 0.3
        yh = np.where(flip, 0, y)  # the LLM over-predicts category "a"
        y_u = rng.choice(3, 3000, p=p)
        yu = np.where(rng.uniform(size=3000) < 0.3, 0, y_u)
        for joint in hits:
            t = ppi_proportions(
                np.array(cats)[y], np.array(cats)[yh], np.array(cats)[yu], cats, joint=joint
            )
            hits[joint] += all(e.covers(pk) for e, pk in zip(t, p, strict=True))
    assert hits["bonferroni"] / draws >= 0.93
    assert hits["chi2"] / draws >= 0.93


def test_ols_slope_coverage():
    rng = np.random.default_rng(6)
    hits, draws = 0, 500
    for _ in range(draws):
        x = np.column_stack([np.ones(200), rng.normal(size=200)])
        xu = np.column_stack([np.ones(2000), rng.normal(size=2000)])
        y = x @ [0.5, 1.0] + rng.normal(size=200)
        yh = 0.7 * x[:, 1] + 0.8 + 0.3 * rng.normal(size=200)
        yu = 0.7 * xu[:, 1] + 0.8 + 0.3 * rng.normal(size=2000)
        lo, hi = ppi_ols_ci(x, y, yh, xu, yu, lam=None)
        hits += lo[1] <= 1.0 <= hi[1]
    assert 0.93 <= hits / draws <= 0.97


def test_finite_population_difference_estimator_covers_with_large_sampling_fraction():
    """Gold = 25% of a finite population, the rest unlabeled: the infinite-population interval
    over-covers, the finite-population one is on target."""
    rng = np.random.default_rng(8)
    big_m, n = 2000, 500
    y = rng.binomial(1, 0.45, big_m).astype(float)
    p = np.clip(0.25 + 0.5 * y + rng.normal(0, 0.15, big_m), 0, 1)
    truth = y.mean()
    hits_fp = hits_inf = 0
    draws = 1000
    for _ in range(draws):
        gold = np.zeros(big_m, dtype=bool)
        gold[rng.choice(big_m, n, replace=False)] = True
        fp = ppi_mean(y[gold], p[gold], p[~gold], lam=None, finite_population=True)
        inf = ppi_mean(y[gold], p[gold], p[~gold], lam=None)
        hits_fp += fp.covers(truth)
        hits_inf += inf.covers(truth)
    assert 0.93 <= hits_fp / draws <= 0.97
    assert hits_inf / draws > 0.97
