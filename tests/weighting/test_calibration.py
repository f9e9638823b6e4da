"""Calibration: GREG closed form, raking = IPF, logit bounds, continuous totals and means."""

from __future__ import annotations

import numpy as np
import pytest

from calib.errors import DataError, UnknownVariableError
from calib.weighting import Calibrator, Raker, calibrate
from calib.weighting.design import Design


def dummies(population, names):
    cols = []
    for n in names:
        codes = population.codes(n)
        cols.append(np.eye(population.schema[n].n_levels)[codes])
    return np.hstack(cols)


def test_linear_equals_greg_closed_form(population, target, frame):
    # g = 1 + x'(X'DX)^+ (T - X'd), computed here with dense numpy on the rows
    X = np.hstack([dummies(population, ["sex", "age", "educ"]), frame[["income"]].to_numpy()])
    d = population.weights
    T = np.r_[target.margin("sex"), target.margin("age"), target.margin("educ"), 48_000.0]
    lam = np.linalg.pinv(X.T @ (X * d[:, None])) @ (T - X.T @ d)
    expected = d * (1 + X @ lam)
    res = calibrate(population, target, totals={"income": 48_000.0})
    np.testing.assert_allclose(res.weights, expected, rtol=1e-9)
    assert res.extra["numeric_totals"]["income"][1] == pytest.approx(48_000.0, rel=1e-9)
    assert res.n_iter == 1


def test_raking_distance_equals_ipf(population, target):
    cal = Calibrator(distance="raking", tol=1e-12).fit(population, target)
    ipf = Raker(tol=1e-13).fit(population, target)
    np.testing.assert_allclose(cal.weights_, ipf.weights_, rtol=1e-8)


def test_means_are_scaled_by_target_total(population, target, frame):
    res = calibrate(population, target, distance="raking", means={"income": 40.0}, tol=1e-12)
    w = res.weights
    assert (w @ frame["income"]) / w.sum() == pytest.approx(40.0, rel=1e-9)
    assert w.sum() == pytest.approx(1000.0, rel=1e-9)


def test_logit_keeps_g_strictly_inside_bounds(population, target):
    res = calibrate(population, target, distance="logit", bounds=(0.3, 6.0), tol=1e-10)
    g = res.g_weights
    assert g.min() > 0.3 and g.max() < 6.0
    for name in ("sex", "age", "educ"):
        np.testing.assert_allclose(population.margin(name, res.weights), target.margin(name))


def test_linear_unbounded_can_go_negative_but_bounds_stop_it(population, schema):
    from calib.target import Target

    harsh = Target.from_margins({"sex": [0.9, 0.1], "educ": [0.05, 0.15, 0.8]}, schema)
    g = calibrate(population, harsh).g_weights
    assert g.min() < 0
    bounded = calibrate(population, harsh, bounds=(0.0, 10.0), max_iter=200).g_weights
    assert bounded.min() >= 0


def test_design_matrix_blocks_match_dense():
    rng = np.random.default_rng(0)
    i1, i2 = rng.integers(0, 3, 40), rng.integers(0, 4, 40)
    dense = rng.normal(size=(40, 2))
    X = Design([(i1, 3), (i2, 4)], dense)
    M = X.to_dense()
    v, eta = rng.uniform(size=40), rng.normal(size=X.p)
    np.testing.assert_allclose(X.matvec(eta), M @ eta)
    np.testing.assert_allclose(X.rmatvec(v), M.T @ v)
    np.testing.assert_allclose(X.gram(v), M.T @ (M * v[:, None]))


def test_parameter_errors(population, target):
    with pytest.raises(DataError, match="distance"):
        Calibrator(distance="chi2").fit(population, target)
    with pytest.raises(DataError, match="logit"):
        Calibrator(distance="logit").fit(population, target)
    with pytest.raises(DataError, match="either a total or a mean"):
        Calibrator(totals={"income": 1.0}, means={"income": 1.0}).fit(population, target)
    with pytest.raises(UnknownVariableError):
        Calibrator(totals={"nope": 1.0}).fit(population, target)
