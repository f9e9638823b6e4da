"""Scoring metrics on hand cases, and the StateForecast result object."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.forecast.result import StateForecast
from calib.forecast.scoring import paper_states, score_forecast, score_table


def _fc(draws=None, point=None, states=("AA", "BB", "CC")):
    return StateForecast("m", states, draws=draws, point=point, electoral_votes=[3, 10, 5])


def test_point_forecast_scores_by_hand():
    fc = _fc(point=np.array([0.60, 0.45, 0.52]))
    real = pd.Series({"AA": 0.55, "BB": 0.52, "CC": 0.40})
    s = score_forecast(fc, real)
    # errors 0.05, -0.07, 0.12 -> MAE 0.08, bias 0.0333
    assert s["mae"] == pytest.approx(0.08)
    assert s["bias"] == pytest.approx(0.10 / 3)
    assert s["called"] == 1  # AA right; BB and CC wrong
    # win probs 1, 0, 1 vs outcomes 1, 1, 0 -> Brier (0 + 1 + 1) / 3
    assert s["brier"] == pytest.approx(2 / 3)
    # forecast EV: AA + CC = 8; real: AA + BB = 13
    assert s["ev_error"] == pytest.approx(-5.0)
    assert np.isnan(s["coverage"])


def test_draw_forecast_coverage_and_brier():
    draws = np.array([[0.40, 0.60, 0.50], [0.50, 0.70, 0.52], [0.60, 0.65, 0.54]] * 10)
    fc = _fc(draws=draws)
    real = pd.Series({"AA": 0.51, "BB": 0.80, "CC": 0.53})
    s = score_forecast(fc, real, alpha=0.1)
    assert s["coverage"] == pytest.approx(2 / 3)  # BB's 0.80 is outside [0.60, 0.70]
    # win probabilities AA 1/3 (only 0.60 > 0.5), BB 1, CC 2/3 (0.52, 0.54); all real D wins
    assert s["brier"] == pytest.approx(((2 / 3) ** 2 + 0 + (1 / 3) ** 2) / 3)
    # EV per draw: 10 + 0 + 0 ... -> draws [10, 15, 18] repeated; mean 43/3; real 18
    assert s["ev_error"] == pytest.approx(43 / 3 - 18)
    assert score_forecast(fc, real, real_ev=10)["ev_error"] == pytest.approx(43 / 3 - 10)


def test_missing_states_are_left_out_and_counted():
    fc = _fc(point=np.array([0.6, np.nan, 0.3]))
    real = pd.Series({"AA": 0.55, "BB": 0.52, "CC": 0.40})
    s = score_forecast(fc, real)
    assert s["n_states"] == 2 and s["n_missing"] == 1
    assert np.isnan(s["ev_error"])


def test_paper_states_and_score_table():
    states = ("AK", "AL", "DC", "HI", "TX")
    assert paper_states(states) == ("AL", "TX")
    fc = StateForecast("m", states, point=np.array([0.4, 0.3, 0.9, 0.7, 0.45]))
    real = pd.Series({"AK": 0.42, "AL": 0.36, "DC": 0.95, "HI": 0.67, "TX": 0.46})
    table = score_table(fc, real)
    assert table.get("called", "paper48").point == 2
    assert table.get("called", "all").point == 5
    assert table.get("mae", "paper48").point == pytest.approx(0.035)


def test_unknown_state_is_an_error():
    with pytest.raises(DataError):
        score_forecast(_fc(point=np.array([0.5, 0.5, 0.5])), {"AA": 0.5}, states=["ZZ"])


def test_result_object_contract():
    draws = np.array([[0.45, 0.56, 0.40], [0.52, 0.58, 0.60], [0.49, 0.61, 0.55]])
    fc = _fc(draws=draws)
    np.testing.assert_allclose(fc.win_probability(), [1 / 3, 1, 2 / 3])
    assert fc.ev_draws().tolist() == [10, 18, 15]
    ci = fc.conf_int(0.5)
    assert list(ci.columns) == ["lower", "upper"] and (ci["lower"] <= ci["upper"]).all()
    frame = fc.to_frame()
    assert {"point", "lower", "upper", "win_prob", "ev"} <= set(frame.columns)
    assert "AA" in fc.summary()
    est = fc.estimates({"AA": 0.5}).get("two_party_dem", "AA")
    assert est.point == pytest.approx(draws[:, 0].mean()) and est.truth == 0.5
    with pytest.raises(DataError):
        StateForecast("m", ("AA",))
