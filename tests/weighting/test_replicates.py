"""Replicate weights: construction formulas, re-weighting inside each replicate, variance."""

from __future__ import annotations

import numpy as np
import pytest

from calib.errors import DataError, InfeasibleError
from calib.weighting import (
    Calibrator,
    PostStratifier,
    Raker,
    make_replicate_base,
    replicate_weights,
)


def test_jk1_jkn_bootstrap_base_weights():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    base, scale, rs = make_replicate_base(d, "jk1")
    np.testing.assert_allclose(base[:, 0], [0, 2 * 4 / 3, 3 * 4 / 3, 4 * 4 / 3])
    assert scale == pytest.approx(3 / 4) and (rs == 1).all()
    strata = np.array([0, 0, 1, 1])
    base, scale, rs = make_replicate_base(d, "jkn", strata=strata)
    np.testing.assert_allclose(base[:, 0], [0, 4, 3, 4])  # stratum 0 doubled, 1 untouched
    np.testing.assert_allclose(rs, 0.5) and scale == 1.0
    base, scale, rs = make_replicate_base(d, "bootstrap", 30, strata=strata, seed=1)
    # Rao-Wu: each stratum's replicate total equals its design total in expectation, and
    # every replicate draws n_h - 1 units per stratum
    mult = base / d[:, None]
    np.testing.assert_allclose(mult[:2].sum(axis=0), 2.0)
    assert scale == pytest.approx(1 / 29)


def test_replicates_are_reweighted_to_the_margins(population, target):
    reps = replicate_weights(Raker(), population, target, method="bootstrap", n_replicates=20)
    for r in range(reps.n_replicates):
        np.testing.assert_allclose(
            population.margin("sex", reps.weights[:, r]), target.margin("sex"), rtol=1e-8
        )
    assert reps.weights.shape == (population.n, 20)


def test_jackknife_variance_of_linear_calibrated_total_is_finite_and_smaller_than_raw(
    population, target
):
    raw = replicate_weights(
        PostStratifier(variables=["sex"]), population, target, method="jk1", n_replicates=40
    )
    cal = replicate_weights(Calibrator(), population, target, method="jk1", n_replicates=40)
    # y depends on educ, a calibration variable: calibration reduces the replicate SE
    assert cal.total("y").std_error < raw.total("y").std_error
    lo, hi = cal.mean("y").conf_int()
    assert lo < cal.mean("y").point < hi


def test_variance_formula_and_mse():
    from calib.weighting.replicates import ReplicateWeights

    reps = ReplicateWeights(
        full=None,
        weights=np.zeros((1, 3)),
        base=np.zeros((1, 3)),
        method="jk1",
        scale=0.5,
        rscales=np.ones(3),
    )
    assert reps.variance(2.0, np.array([1.0, 2.0, 3.0])) == pytest.approx(0.5 * 2.0)
    reps.mse = True
    assert reps.variance(0.0, np.array([1.0, 2.0, 3.0])) == pytest.approx(0.5 * 14.0)


def test_replicate_that_loses_a_level_names_the_replicate(schema):
    import pandas as pd

    from calib.population import Population
    from calib.target import Target

    frame = pd.DataFrame({"sex": ["M"] + ["F"] * 5, "age": "young", "educ": "low"})
    pop = Population(frame, schema)
    target = Target.from_margins({"sex": [0.5, 0.5]}, schema)
    with pytest.raises(InfeasibleError, match="replicate 1 of"):
        replicate_weights(Raker(), pop, target, method="jk1")
    with pytest.raises(DataError):
        make_replicate_base(np.ones(4), "jackknife")


def test_jkn_by_strata_reruns_the_weighting(population, target):
    strata = np.asarray(population.data["age"].cat.codes)
    small = population.subset(np.arange(population.n) < 120)
    reps = replicate_weights(Raker(), small, target, method="jkn", strata=strata[:120])
    assert reps.n_replicates == 120 and reps.scale == 1.0
    sizes = np.bincount(strata[:120])
    np.testing.assert_allclose(
        np.sort(np.unique(reps.rscales)), np.sort(np.unique((sizes - 1) / sizes))
    )
    for r in (0, 57, 119):
        np.testing.assert_allclose(small.margin("age", reps.weights[:, r]), target.margin("age"))
    assert np.isfinite(reps.total("y").std_error)


@pytest.mark.parametrize("make", [Raker, Calibrator, lambda: PostStratifier(variables=["age"])])
def test_reused_grouping_equals_full_refit(population, schema, make):
    from calib.target import Target

    shares = Target.from_margins({"age": [0.2, 0.3, 0.5], "sex": [0.5, 0.5]}, schema)
    kwargs = {"method": "bootstrap", "n_replicates": 8, "seed": 4}
    fast = replicate_weights(make(), population, shares, **kwargs)
    slow = replicate_weights(make(), population, shares, reuse_grouping=False, **kwargs)
    np.testing.assert_allclose(fast.weights, slow.weights, rtol=1e-10)
    np.testing.assert_allclose(fast.full.weights, slow.full.weights, rtol=1e-12)
