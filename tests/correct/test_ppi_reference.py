"""Golden tests: calib's PPI functions against the reference ``ppi-python`` package (ppi_py)
on identical inputs. Equal weights must agree to floating-point precision; with survey weights
the point estimates agree exactly and the mean's interval differs only by calib's linearised
(Hajek) variance, checked separately against its closed form."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ppi_inputs import regression_inputs

from calib.correct import (
    cross_fit,
    crossppi_mean_ci,
    ppi_logistic_ci,
    ppi_logistic_pointestimate,
    ppi_mean_ci,
    ppi_mean_pointestimate,
    ppi_ols_ci,
    ppi_ols_pointestimate,
    ppi_quantile_ci,
    ppi_quantile_pointestimate,
)

ppi_py = pytest.importorskip("ppi_py")  # the reference implementation (ppi-python 0.2.3)


@pytest.fixture(scope="module")
def data():
    return regression_inputs()


GOLDEN = json.loads((Path(__file__).parent / "golden" / "ppi_py_regression.json").read_text())


@pytest.mark.parametrize("lam", [None, 1.0, 0.0, 0.35])
def test_mean_matches_ppi_py(data, lam):
    d = data
    ours = ppi_mean_ci(d["y"], d["yhat"], d["yhat_u"], alpha=0.1, lam=lam)
    ref = ppi_py.ppi_mean_ci(d["y"], d["yhat"], d["yhat_u"], alpha=0.1, lam=lam)
    np.testing.assert_allclose(ours, np.ravel(ref), rtol=0, atol=1e-12)
    point = ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_u"], lam=lam)
    ref_point = ppi_py.ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_u"], lam=lam)
    assert point == pytest.approx(float(np.ravel(ref_point)[0]), abs=1e-12)


def test_weighted_mean_point_matches_and_variance_is_hajek(data):
    d = data
    kw = {"w": d["w"], "w_unlabeled": d["w_u"]}
    point = ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_u"], **kw)
    ref = ppi_py.ppi_mean_pointestimate(d["y"], d["yhat"], d["yhat_u"], **kw)
    assert point == pytest.approx(float(np.ravel(ref)[0]), abs=1e-12)
    # closed form of the linearised variance at lam = 1
    lo, hi = ppi_mean_ci(d["y"], d["yhat"], d["yhat_u"], alpha=0.05, lam=1, **kw)
    w = d["w"] / d["w"].mean()
    wu = d["w_u"] / d["w_u"].mean()
    r = d["y"] - d["yhat"]
    m_u = np.sum(wu * d["yhat_u"]) / wu.sum()
    m_r = np.sum(w * r) / w.sum()
    var = (
        np.sum((wu * (d["yhat_u"] - m_u)) ** 2) / wu.size**2
        + np.sum((w * (r - m_r)) ** 2) / w.size**2
    )
    assert (hi - lo) / 2 == pytest.approx(1.959963984540054 * np.sqrt(var), rel=1e-10)
    ref_lo, ref_hi = ppi_py.ppi_mean_ci(d["y"], d["yhat"], d["yhat_u"], alpha=0.05, lam=1, **kw)
    assert (hi - lo) == pytest.approx(float(ref_hi[0] - ref_lo[0]), rel=0.05)


def test_multivariate_mean_matches_ppi_py(data):
    d = data
    y = np.column_stack([d["y"], d["y"] ** 2])
    yh = np.column_stack([d["yhat"], d["yhat"] ** 2])
    yu = np.column_stack([d["yhat_u"], d["yhat_u"] ** 2])
    ours = ppi_mean_ci(y, yh, yu, alpha=0.1)
    ref = ppi_py.ppi_mean_ci(y, yh, yu, alpha=0.1)
    np.testing.assert_allclose(np.array(ours), np.array(ref), atol=1e-12)


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_quantile_matches_ppi_py(data, exact, weighted):
    d = data
    kw = {"w": d["w"], "w_unlabeled": d["w_u"]} if weighted else {}
    for q in (0.2, 0.7):
        ours = ppi_quantile_ci(d["y"], d["yhat"], d["yhat_u"], q, alpha=0.1, exact_grid=exact, **kw)
        ref = ppi_py.ppi_quantile_ci(
            d["y"], d["yhat"], d["yhat_u"], q, alpha=0.1, exact_grid=exact, **kw
        )
        if weighted:  # calib's linearised CDF variance differs from ppi_py's: endpoints close
            np.testing.assert_allclose(ours, ref, atol=0.1)
        else:
            np.testing.assert_allclose(ours, ref, atol=1e-12)
        p = ppi_quantile_pointestimate(d["y"], d["yhat"], d["yhat_u"], q, exact_grid=exact, **kw)
        assert p == pytest.approx(
            ppi_py.ppi_quantile_pointestimate(
                d["y"], d["yhat"], d["yhat_u"], q, exact_grid=exact, **kw
            )
        )


def _regression_args(d, kind):
    if kind == "ols":
        return (d["x"], d["y"], d["yhat"], d["x_u"], d["yhat_u"])
    return (d["x"], d["y_bin"], d["yhat_bin"], d["x_u"], d["yhat_bin_u"])


@pytest.mark.parametrize("kind", ["ols", "logistic"])
@pytest.mark.parametrize("lam", [None, 1.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_matches_stored_ppi_py(data, kind, lam, weighted):
    """Golden numbers written by golden/make_ppi_golden.py with ppi_py 0.2.3."""
    kw = {"w": data["w"], "w_unlabeled": data["w_u"]} if weighted else {}
    fn = ppi_ols_ci if kind == "ols" else ppi_logistic_ci
    ours = fn(*_regression_args(data, kind), alpha=0.1, lam=lam, **kw)
    ref = GOLDEN[f"{kind}|{lam}|{weighted}"]
    # ppi_py stops L-BFGS at ftol 1e-15; calib runs Newton to 1e-10 steps
    np.testing.assert_allclose(np.array(ours), np.array(ref), atol=1e-10 if kind == "ols" else 1e-7)


@pytest.mark.slow
@pytest.mark.parametrize("lam", [None, 1.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_matches_live_ppi_py(data, lam, weighted):
    kw = {"w": data["w"], "w_unlabeled": data["w_u"]} if weighted else {}
    for kind in ("ols", "logistic"):
        args = _regression_args(data, kind)
        ours_p = (ppi_ols_pointestimate if kind == "ols" else ppi_logistic_pointestimate)(
            *args, lam=lam, **kw
        )
        ref_p = getattr(ppi_py, f"ppi_{kind}_pointestimate")(*args, lam=lam, **kw)
        np.testing.assert_allclose(ours_p, ref_p, atol=1e-7)
        ours = (ppi_ols_ci if kind == "ols" else ppi_logistic_ci)(*args, alpha=0.1, lam=lam, **kw)
        ref = getattr(ppi_py, f"ppi_{kind}_ci")(*args, alpha=0.1, lam=lam, **kw)
        np.testing.assert_allclose(np.array(ours), np.array(ref), atol=1e-7)


def test_crossppi_mean_matches_ppi_py(data):
    from sklearn.linear_model import LinearRegression

    d = data
    y = d["y"]
    yhat, yhat_u = cross_fit(LinearRegression(), d["x"], y, d["x_u"], seed=3)
    ours = crossppi_mean_ci(y, yhat, yhat_u, alpha=0.1)
    ref = ppi_py.crossppi_mean_ci(y, yhat, yhat_u, alpha=0.1)
    np.testing.assert_allclose(ours, np.ravel(ref), atol=1e-12)
