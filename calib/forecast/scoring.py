"""Scoring state forecasts against real results.

Metrics on the Democratic two-party share by state:

- ``mae`` and ``bias`` (mean of forecast - real) of the state shares;
- ``called``: states whose winner the forecast gets right, of those scored (a point forecast
  exactly at 0.5 counts as wrong);
- ``coverage``: share of real results inside the forecast's ``1 - alpha`` interval;
- ``brier``: mean squared error of the win probabilities against the 0/1 outcomes;
- ``ev_error``: forecast mean Democratic electoral votes minus the real (winner-take-all)
  count, only when every state has a forecast;
- ``national_error``: national share minus the real national two-party share.

:data:`PAPER_STATES` are the 48 states of the seed paper (all but AK, HI and DC).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.forecast.result import StateForecast
>>> fc = StateForecast("x", ("AA", "BB"), point=np.array([0.6, 0.45]), electoral_votes=[3, 5])
>>> real = pd.Series({"AA": 0.55, "BB": 0.52})
>>> s = score_forecast(fc, real)
>>> round(s["mae"], 3), round(s["bias"], 3), s["called"], s["brier"], s["ev_error"]
(0.06, -0.01, 1, 0.5, -5.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.estimate import Estimate, EstimateTable
from calib.forecast.result import StateForecast

PAPER_EXCLUDED = ("AK", "HI", "DC")


def paper_states(states: Sequence[str]) -> tuple[str, ...]:
    """The seed paper's 48 states: ``states`` without AK, HI and DC."""
    return tuple(s for s in states if s not in PAPER_EXCLUDED)


def score_forecast(
    forecast: StateForecast,
    real: Mapping[str, float] | pd.Series,
    states: Sequence[str] | None = None,
    alpha: float = 0.1,
    real_national: float | None = None,
    real_ev: float | None = None,
) -> dict[str, Any]:
    """Score ``forecast`` against the real Democratic two-party shares ``real``.

    Parameters
    ----------
    forecast : StateForecast
    real : mapping or Series of state -> real share
    states : sequence of str, optional
        States to score (default: all the forecast's states); states without a forecast
        (NaN) are left out and counted in ``n_missing``.
    alpha : float, default=0.1
        Interval level for ``coverage`` (0.1 = 90% intervals).
    real_national : float, optional
        Real national two-party share for ``national_error``.
    real_ev : float, optional
        Real Democratic electoral votes (e.g. pledged electors with the Maine and Nebraska
        district splits); default: winner-take-all from ``real`` and the forecast's electors.

    Returns
    -------
    dict
        ``n_states, n_missing, mae, bias, called, called_share, coverage, brier, ev_error,
        national_error``.
    """
    real = pd.Series(real, dtype=float)
    states = list(forecast.states if states is None else states)
    unknown = [s for s in states if s not in forecast.states or s not in real.index]
    if unknown:
        raise DataError(f"states {unknown[:5]} are missing from the forecast or the results")
    pos = np.array([forecast.states.index(s) for s in states])
    point = forecast.point[pos]
    truth = real.loc[states].to_numpy(float)
    have = ~np.isnan(point)
    point, truth, pos = point[have], truth[have], pos[have]
    if len(point) == 0:
        raise DataError("no scored state has a forecast")
    err = point - truth
    called = int(np.sum(np.sign(point - 0.5) == np.sign(truth - 0.5)))
    win = forecast.win_probability()[pos]
    brier = float(np.mean((win - (truth > 0.5)) ** 2))
    coverage = float("nan")
    if forecast.has_draws:
        ci = forecast.conf_int(alpha).to_numpy()[pos]
        coverage = float(np.mean((ci[:, 0] <= truth) & (truth <= ci[:, 1])))
    ev_error = float("nan")
    if forecast.electoral_votes is not None and not np.isnan(forecast.point).any():
        ev = np.asarray(forecast.electoral_votes)
        real_all = real.reindex(list(forecast.states)).to_numpy(float)
        if real_ev is None and not np.isnan(real_all).any():
            real_ev = float(ev[real_all > 0.5].sum())
        if real_ev is not None:
            ev_error = float(forecast.ev_draws().mean() - real_ev)
    nat = float("nan")
    if real_national is not None and forecast.national_point is not None:
        nat = float(forecast.national_point - real_national)
    return {
        "n_states": len(point),
        "n_missing": int((~have).sum()),
        "mae": float(np.mean(np.abs(err))),
        "bias": float(np.mean(err)),
        "called": called,
        "called_share": called / len(point),
        "coverage": coverage,
        "brier": brier,
        "ev_error": ev_error,
        "national_error": nat,
    }


def score_table(
    forecast: StateForecast,
    real: Mapping[str, float] | pd.Series,
    alpha: float = 0.1,
    real_national: float | None = None,
    real_ev: float | None = None,
) -> EstimateTable:
    """The scores for the paper's 48 states and all states as an EstimateTable."""
    table = EstimateTable()
    for label, states in (
        ("paper48", paper_states(forecast.states)),
        ("all", tuple(forecast.states)),
    ):
        scores = score_forecast(forecast, real, states, alpha, real_national, real_ev)
        for name, value in scores.items():
            table.append(
                Estimate(
                    name,
                    float(value),
                    float("nan"),
                    forecast.method,
                    subgroup=label,
                    settings={"alpha": alpha},
                )
            )
    return table


__all__ = ["PAPER_EXCLUDED", "paper_states", "score_forecast", "score_table"]
