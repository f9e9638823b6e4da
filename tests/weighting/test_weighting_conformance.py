"""One contract for every weighting estimator: params round-trip, determinism, no mutation,
typed errors, fitted-attribute guard, a usable WeightResult."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from calib.errors import CalibError, NotFittedError, SchemaError
from calib.target import Target
from calib.weighting import (
    Calibrator,
    PostStratifier,
    PropensityWeighter,
    Raker,
    WeightResult,
)

CASES = {
    "raker": (Raker, {"tol": 1e-11}, "margins"),
    "raker_bounded": (Raker, {"bounds": (0.3, 6.0), "max_iter": 2000}, "margins"),
    "calibrator_linear": (Calibrator, {"distance": "linear"}, "margins"),
    "calibrator_raking": (Calibrator, {"distance": "raking", "means": {"income": 44.0}}, "margins"),
    "calibrator_logit": (Calibrator, {"distance": "logit", "bounds": (0.2, 6.0)}, "margins"),
    "poststratifier": (PostStratifier, {"variables": ["sex", "age"]}, "microdata"),
    "propensity_logistic": (PropensityWeighter, {"C": 0.5}, "microdata"),
    "propensity_gbm": (PropensityWeighter, {"classifier": "gbm", "random_state": 5}, "microdata"),
}


@pytest.fixture(params=sorted(CASES))
def case(request, target, reference):
    cls, params, kind = CASES[request.param]
    tgt = target if kind == "margins" else Target.from_microdata(reference)
    return cls, params, tgt


def test_params_round_trip(case):
    cls, params, _ = case
    est = cls(**params)
    got = est.get_params()
    for key, value in params.items():
        assert got[key] == value
    clone = est.clone()
    assert clone.get_params() == got and clone is not est
    assert cls(**got).get_params() == got
    assert est.set_params(**{k: v for k, v in got.items()}) is est
    with pytest.raises(SchemaError, match="no parameter"):
        est.set_params(not_a_parameter=1)
    assert repr(est).startswith(cls.__name__)


def test_not_fitted_guard(case):
    cls, params, _ = case
    est = cls(**params)
    for attr in ("result_", "weights_", "g_weights_", "converged_", "n_iter_", "history_"):
        with pytest.raises(NotFittedError, match="call fit"):
            getattr(est, attr)
    assert not hasattr(est, "weights_")


def test_fit_returns_self_and_a_result(case, population):
    cls, params, tgt = case
    est = cls(**params)
    assert est.fit(population, tgt) is est
    res = est.result_
    assert isinstance(res, WeightResult)
    assert res.weights.shape == (population.n,) and np.isfinite(res.weights).all()
    assert res.converged and res.weights.sum() == pytest.approx(tgt.total, rel=1e-6)
    assert isinstance(res.summary(), str) and len(res.to_frame()) == population.n
    assert 0 < res.ess <= population.n and res.deff >= 1


def test_deterministic(case, population):
    cls, params, tgt = case
    a = cls(**params).fit(population, tgt).weights_
    b = cls(**params).fit(population, tgt).weights_
    np.testing.assert_array_equal(a, b)


def test_inputs_not_mutated(case, population):
    cls, params, tgt = case
    data, weights = population.data.copy(), population.weights.copy()
    params_before = copy.deepcopy(params)
    margins_before = {k: tgt.margin(k).copy() for k in (("sex",), ("age",))}
    cls(**params).fit(population, tgt)
    pd.testing.assert_frame_equal(population.data, data)
    np.testing.assert_array_equal(population.weights, weights)
    assert params == params_before
    for k, v in margins_before.items():
        pd.testing.assert_series_equal(tgt.margin(k), v)


def test_bad_inputs_raise_typed_errors(case, population):
    cls, params, tgt = case
    with pytest.raises(CalibError):
        cls(**params).fit("not a population", tgt)
    with pytest.raises(CalibError):
        cls(**params).fit(population, 42)
