"""Trimming: cap and redistribute keeps the total; trim-and-rake keeps margins when it can."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.schema import Schema, Variable
from calib.weighting import cap_weights, rake, trim


def test_ratio_cap_by_hand():
    # mean 3, cap 2 x 3 = 6: 9 -> 6, the 3 freed are spread over the others proportionally
    w = np.array([1.0, 1.0, 1.0, 9.0])
    np.testing.assert_allclose(cap_weights(w, upper=2.0), [2.0, 2.0, 2.0, 6.0])


def test_quantile_cap_and_floor_keep_total():
    rng = np.random.default_rng(0)
    w = rng.lognormal(0, 1, 500)
    out = cap_weights(w, method="quantile", upper=0.95, lower=0.05)
    assert out.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert out.max() <= np.quantile(w, 0.95) * (1 + 1e-9)
    assert out.min() >= np.quantile(w, 0.05) * (1 - 1e-9)


def test_trim_and_rake_keeps_margins_when_possible(population, target):
    res = rake(population, target)
    out = trim(res, upper=2.5)
    assert out.mode == "bounded raking"
    assert out.weights.max() <= out.cap * (1 + 1e-9)
    assert out.margin_loss < 1e-8  # bounded raking found weights inside the cap
    assert out.weights.sum() == pytest.approx(res.total, rel=1e-9)
    assert out.ess_after > out.ess_before
    assert "trimmed" in out.summary() and len(out.to_frame()) == population.n


def test_trim_too_tight_falls_back_and_reports_loss(population, target):
    out = trim(rake(population, target), upper=2.0, max_iter=100)
    assert out.mode == "trim-and-rake"
    assert out.weights.max() <= out.cap * (1 + 1e-9)
    assert out.margin_loss > 1e-3


def test_trim_reports_unavoidable_margin_loss():
    schema = Schema([Variable("a", ("x", "y"))])
    res = rake(pd.DataFrame({"a": ["x"] + ["y"] * 9}), {"a": [0.5, 0.5]}, schema=schema)
    out = trim(res, upper=3.0)
    assert out.cap == pytest.approx(3.0)
    assert out.weights[0] == pytest.approx(3.0)
    assert out.margin_loss == pytest.approx(0.2)  # |3 - 5| / 10
    assert out.margins.loc[0, "achieved"] == pytest.approx(3.0)


def test_bad_limits():
    w = np.ones(4)
    with pytest.raises(DataError):
        cap_weights(w, upper=0.5)
    with pytest.raises(DataError):
        cap_weights(w, method="quantile", upper=1.5)
    with pytest.raises(DataError):
        cap_weights(w, method="median")
