"""A small real PyMC fit of the silicon MRP: diagnostics, recovery, post-stratification."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError, NotFittedError
from calib.forecast.mrp import SiliconMRP, cell_index, turnout_by_cell

STATES = ("AA", "BB", "CC", "DD", "EE", "FF")


def _world(seed=0):
    rng = np.random.default_rng(seed)
    cells = pd.DataFrame(
        [(s, g, h) for s in STATES for g in ("x", "y") for h in ("p", "q", "r")],
        columns=["state", "g", "h"],
    )
    cells["state"] = pd.Categorical(cells["state"], categories=list(STATES))
    cells["g"] = pd.Categorical(cells["g"], categories=["x", "y"])
    cells["h"] = pd.Categorical(cells["h"], categories=["p", "q", "r"])
    h_effect = cells["h"].map({"p": -0.3, "q": 0.0, "r": 0.3}).astype(float)
    cells["count"] = rng.integers(1000, 5000, len(cells)).astype(float)
    silicon = rng.uniform(0.2, 0.8, len(cells))
    u = np.array([0.3, -0.3, 0.2, -0.2, 0.0, 0.1])
    eta = (
        -0.1
        + 1.0 * np.log(silicon / (1 - silicon))
        + 0.4 * (cells["g"] == "y")
        + h_effect
        + u[cells["state"].cat.codes]
    )
    theta = 1 / (1 + np.exp(-eta.to_numpy()))
    n = 1200
    pick = rng.choice(len(cells), n, p=cells["count"] / cells["count"].sum())
    gold = cells.iloc[pick][["state", "g", "h"]].astype(str).reset_index(drop=True)
    gold["vote_dem"] = (rng.uniform(size=n) < theta[pick]).astype(float)
    info = pd.DataFrame(
        {
            "region": ["N", "N", "N", "S", "S", "S"],
            "prev_dem_share": 1 / (1 + np.exp(-(u + 0.05))),
        },
        index=list(STATES),
    )
    truth = (
        pd.Series(theta * cells["count"]).groupby(cells["state"].cat.codes).sum()
        / cells["count"].groupby(cells["state"].cat.codes).sum()
    ).to_numpy()
    return cells, silicon, gold, info, truth


@pytest.fixture(scope="module")
def fitted():
    pytest.importorskip("pymc")
    cells, silicon, gold, info, truth = _world()
    model = SiliconMRP(
        ("g", "h"),
        draws=1000,
        tune=1000,
        chains=2,
        random_state=3,
        sampler="pymc",
        target_accept=0.99,
    )
    model.fit(gold, cells, silicon, info)
    return model, cells, truth


def test_sampler_diagnostics_are_recorded_and_pass(fitted):
    model, _, _ = fitted
    d = model.diagnostics_
    assert {"max_rhat", "min_ess_bulk", "divergences", "converged"} <= set(d)
    assert d["converged"], d
    assert d["max_rhat"] < 1.01
    assert d["divergences"] == 0


def test_silicon_slope_is_recovered(fitted):
    model, _, _ = fitted
    beta = model.idata_.posterior["beta_silicon"].to_numpy().ravel()
    assert abs(beta.mean() - 1.0) < 0.5
    lo, hi = np.quantile(beta, [0.025, 0.975])
    assert lo < 1.0 < hi


def test_forecast_poststratifies_cell_draws(fitted):
    model, cells, truth = fitted
    fc = model.forecast(electoral_votes=[3, 4, 5, 6, 7, 8], population="toy")
    theta = model.cell_draws()
    counts = cells["count"].to_numpy()
    codes = cells["state"].cat.codes.to_numpy()
    by_hand = np.stack(
        [
            (theta[:, codes == s] * counts[codes == s]).sum(1) / counts[codes == s].sum()
            for s in range(len(STATES))
        ],
        axis=1,
    )
    np.testing.assert_allclose(fc.draws, by_hand)
    ci = fc.conf_int(0.1).to_numpy()
    inside = (ci[:, 0] <= truth) & (truth <= ci[:, 1])
    assert inside.sum() >= 5
    assert fc.ev_draws().shape == (2 * 1000,)  # one EV count per posterior draw
    assert fc.population == "toy"


def test_turnout_reweights_cells(fitted):
    model, cells, _ = fitted
    turnout = np.where((cells["g"] == "y") & (cells["h"] == "q"), 1.0, 0.0)
    fc = model.forecast(turnout=turnout)
    theta = model.cell_draws()
    np.testing.assert_allclose(fc.draws[:, 0], theta[:, 4])  # state AA: only its y/q cell
    with pytest.raises(DataError):
        model.forecast(turnout=np.full(len(cells), 2.0))


def test_not_fitted_and_bad_rows():
    with pytest.raises(NotFittedError):
        SiliconMRP(("g",)).cell_draws()
    cells, _, gold, _, _ = _world()
    gold.loc[0, "g"] = "zz"
    with pytest.raises(DataError, match="outside the frame"):
        cell_index(gold, cells, ["g", "h"])


def test_turnout_by_cell_recovers_group_rates():
    cells, _, _, _, _ = _world()
    resp = pd.DataFrame(
        {
            "g": ["x"] * 200 + ["y"] * 200,
            "h": (["p", "q", "r", "q"] * 100),
            "voted": [1.0] * 100 + [0.0] * 100 + [1.0] * 180 + [0.0] * 20,
        }
    )
    rates = turnout_by_cell(resp, cells, ["g"])
    np.testing.assert_allclose(rates[cells["g"] == "x"], 0.5, atol=1e-6)
    np.testing.assert_allclose(rates[cells["g"] == "y"], 0.9, atol=1e-6)
