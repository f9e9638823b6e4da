"""Variance propagation: closed forms for each component and Monte Carlo checks that the
combined interval covers when weighting and LLM sampling both add noise."""

from __future__ import annotations

import numpy as np
import pytest

from calib.correct import (
    add_variance_components,
    llm_sampling_variance,
    ppi_mean,
    ppi_mean_propagated,
    replicate_variance,
)
from calib.errors import DataError, WeightError
from calib.estimate import Estimate


def test_llm_sampling_variance_closed_form():
    answers = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 1, 1.0]])
    # within-persona variances (ddof=1): 1/3, 0, 1/3; m = 4; equal weights
    expected = (1 / 3 / 4 + 0 + 1 / 3 / 4) / 9
    assert llm_sampling_variance(answers) == pytest.approx(expected)
    with pytest.raises(DataError):
        llm_sampling_variance(np.array([1.0, 2.0]))


def test_replicate_variance_jackknife_equals_classical_variance_of_mean():
    x = np.random.default_rng(0).normal(size=30)
    n = x.size
    reps = np.ones((n, n)) - np.eye(n)  # delete-one jackknife weights
    var, values = replicate_variance(lambda w: np.average(x, weights=w), np.ones(n), reps, "jk1")
    assert values.shape == (n,)
    assert var == pytest.approx(x.var(ddof=1) / n, rel=1e-10)
    with pytest.raises(WeightError):
        replicate_variance(lambda w: 0.0, np.ones(n), reps[:-1])


def test_propagated_components_sum_and_reduce_to_ppi_without_extras():
    rng = np.random.default_rng(1)
    y = rng.binomial(1, 0.4, 300).astype(float)
    yh = np.clip(0.3 + 0.5 * y + rng.normal(0, 0.1, 300), 0, 1)
    yu = np.clip(0.3 + 0.5 * rng.binomial(1, 0.4, 3000) + rng.normal(0, 0.1, 3000), 0, 1)
    base = ppi_mean(y, yh, yu)
    prop = ppi_mean_propagated(y, yh, yu)
    assert prop.point == pytest.approx(base.point)
    assert prop.std_error == pytest.approx(base.std_error)
    assert prop.variance_components["llm_sampling"] == 0.0
    answers = rng.binomial(1, np.repeat(yu[:, None], 5, axis=1)).astype(float)
    reps = rng.poisson(1.0, (3000, 100)).astype(float)
    full = ppi_mean_propagated(y, yh, answers, replicate_weights=reps)
    comps = full.variance_components
    assert set(comps) == {"gold_sampling", "weighting", "llm_sampling"}
    assert sum(comps.values()) == pytest.approx(full.std_error**2)
    assert comps["llm_sampling"] > 0 and comps["weighting"] > 0


def test_add_variance_components_widens_and_drops_draws():
    e = Estimate("q", 0.5, 0.03, "hb", draws=np.linspace(0.4, 0.6, 101))
    wider = add_variance_components(e, weighting=0.0007)
    assert wider.draws is None
    assert wider.std_error == pytest.approx(np.sqrt(0.0009 + 0.0007))
    assert wider.variance_components == {"model": pytest.approx(0.0009), "weighting": 0.0007}
    with pytest.raises(DataError):
        add_variance_components(e, weighting=-1.0)


def test_combined_interval_covers_with_weighting_and_llm_noise():
    """Personas are a random sample from the population with noisy, repeated LLM answers and
    bootstrap replicate weights: the propagated interval covers the population mean."""
    rng = np.random.default_rng(2)
    truth, hits, draws = 0.4, 0, 600
    widths_ppi, widths_prop = [], []
    for _ in range(draws):
        y = rng.binomial(1, truth, 150).astype(float)
        yh = np.clip(0.2 + 0.6 * y + rng.normal(0, 0.05, 150), 0, 1)
        latent = np.clip(0.2 + 0.6 * rng.binomial(1, truth, 400) + rng.normal(0, 0.05, 400), 0, 1)
        answers = rng.binomial(1, np.repeat(latent[:, None], 3, axis=1)).astype(float)
        reps = rng.poisson(1.0, (400, 60)).astype(float)
        est = ppi_mean_propagated(y, yh, answers, lam=1, replicate_weights=reps)
        hits += est.covers(truth)
        widths_prop.append(est.std_error)
        widths_ppi.append(ppi_mean(y, yh, answers.mean(axis=1), lam=1).std_error)
    assert 0.93 <= hits / draws <= 0.975
    # replicate-based persona variance is close to the iid formula for iid personas
    assert np.mean(widths_prop) == pytest.approx(np.mean(widths_ppi), rel=0.05)


def test_ppi_table_matches_per_group_calls():
    import pandas as pd

    from calib.correct import ppi_table

    rng = np.random.default_rng(9)
    gold = pd.DataFrame({"y": rng.binomial(1, 0.4, 300).astype(float)})
    gold["p"] = np.clip(0.3 + 0.5 * gold.y + rng.normal(0, 0.1, 300), 0, 1)
    gold["region"] = rng.choice(["N", "S", "X"], 300, p=[0.5, 0.47, 0.03])
    gold["w"] = rng.uniform(0.5, 2, 300)
    personas = pd.DataFrame(
        {"p": rng.uniform(0.2, 0.9, 2000), "region": rng.choice(["N", "S"], 2000)}
    )
    table = ppi_table(gold, personas, "y", "p", by="region", gold_weight="w")
    south = table.get("y", "region=S", method="ppi++")
    m = (gold.region == "S").to_numpy()
    ref = ppi_mean(gold.y[m], gold.p[m], personas.p[personas.region == "S"], w=gold.w[m])
    assert south.point == pytest.approx(ref.point) and south.std_error == pytest.approx(
        ref.std_error
    )
    assert south.diagnostics["skipped_subgroups"] == ["region=X"]  # 3% of 300 < min_gold
    assert {e.method for e in table} == {"silicon_raw", "classical", "ppi", "ppi++"}
