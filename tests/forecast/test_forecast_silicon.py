"""Silicon baselines: raw vote counts and the additive cell model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import NotFittedError
from calib.forecast.silicon import (
    SiliconCellModel,
    poststratified_silicon_forecast,
    raw_silicon_forecast,
)


def test_raw_counts_by_hand():
    sil = pd.DataFrame({"state": ["AA", "AA", "AA", "BB"], "p_silicon": [0.9, 0.6, 0.2, 0.1]})
    fc = raw_silicon_forecast(sil, ("AA", "BB", "CC"))
    np.testing.assert_allclose(fc.point, [2 / 3, 0.0, np.nan])
    assert fc.national_point == pytest.approx(0.5)
    assert not fc.has_draws


def _simulated(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    states = np.array(["AA", "BB", "CC"])
    effects = {"AA": 0.1, "BB": -0.1, "CC": 0.0}
    df = pd.DataFrame(
        {
            "state": rng.choice(states, n),
            "g": pd.Categorical(rng.choice(["x", "y"], n), categories=["x", "y"]),
        }
    )
    mean = 0.5 + 0.2 * (df["g"] == "y") + df["state"].map(effects)
    df["p_silicon"] = np.clip(mean + rng.normal(0, 0.05, n), 0, 1)
    return df


def test_cell_model_recovers_additive_effects():
    df = _simulated()
    model = SiliconCellModel(["g"]).fit(df)
    cells = pd.DataFrame({"state": ["AA", "BB", "CC", "ZZ"], "g": ["y", "x", "x", "x"]})
    pred = model.predict(cells)
    # truth 0.8, 0.4, 0.5; an unseen state gets the fixed part only (~0.5)
    np.testing.assert_allclose(pred, [0.8, 0.4, 0.5, 0.5], atol=0.01)


def test_cell_model_shrinks_small_states():
    df = _simulated()
    lone = pd.DataFrame(
        {"state": ["DD"], "g": pd.Categorical(["x"], ["x", "y"]), "p_silicon": [0.99]}
    )
    model = SiliconCellModel(["g"]).fit(pd.concat([df, lone], ignore_index=True))
    # one persona at 0.99 (residual ~ +0.49 from the fixed part 0.5) is shrunk by
    # 1 / (1 + s2_e / s2_u), the one-observation empirical-Bayes factor
    ratio = model.sigma2_["residual"] / model.sigma2_["state"]
    assert model.state_effects_["DD"] == pytest.approx(0.49 / (1 + ratio), abs=0.01)
    assert model.state_effects_["DD"] < 0.45


def test_not_fitted():
    with pytest.raises(NotFittedError):
        SiliconCellModel(["g"]).predict(pd.DataFrame({"state": ["AA"], "g": ["x"]}))


def test_poststratified_forecast_by_hand_weights():
    df = _simulated()
    cells = pd.DataFrame(
        {
            "state": pd.Categorical(["AA", "AA", "BB", "BB", "CC", "CC"]),
            "g": pd.Categorical(["x", "y"] * 3, categories=["x", "y"]),
            "count": [300.0, 100.0, 50.0, 50.0, 10.0, 0.0],
        }
    )
    fc = poststratified_silicon_forecast(df, cells, ["g"], n_boot=50, random_state=1)
    # truth: AA (300*0.6 + 100*0.8)/400 = 0.65; BB 0.5; CC 0.5
    np.testing.assert_allclose(fc.point, [0.65, 0.5, 0.5], atol=0.01)
    lo, hi = fc.conf_int(0.1).to_numpy().T
    assert np.all(lo < fc.point) and np.all(fc.point < hi)
    assert fc.draws.shape == (50, 3)
