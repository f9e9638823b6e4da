"""StateForecast: a state-by-state election forecast as a result object (statsmodels style).

Holds the Democratic two-party share of every state (posterior or bootstrap draws when the
method has them, a point value otherwise), the electoral votes at stake, and the national
popular vote. Derived quantities (win probabilities, the electoral-vote distribution) are
computed from the same joint draws, so they are mutually consistent.

Examples
--------
>>> import numpy as np
>>> draws = np.array([[0.45, 0.56], [0.52, 0.58], [0.49, 0.61]])
>>> fc = StateForecast("demo", ("AA", "BB"), draws=draws, electoral_votes=[3, 10])
>>> fc.win_probability().round(3).tolist()
[0.333, 1.0]
>>> fc.ev_draws().tolist()
[10, 13, 10]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.estimate import Estimate, EstimateTable


@dataclass
class StateForecast:
    """Democratic two-party share by state, with draws when the method has uncertainty.

    Parameters
    ----------
    method : str
        ``"silicon_raw"``, ``"silicon_poststratified"``, ``"mrp_silicon"``...
    states : tuple of str
        USPS codes.
    draws : ndarray (D, S), optional
        Joint draws of the state shares (posterior, bootstrap).
    point : ndarray (S,), optional
        Point forecast (default: the mean of the draws). NaN = no forecast for that state.
    electoral_votes : sequence of int, optional
        Electoral votes of each state (winner-take-all).
    national_draws : ndarray (D,), optional
        National two-party share per draw; ``national_point`` when there are no draws.
    population : str, default=""
        Which population the shares describe (e.g. ``"citizens 18+ (ACS 2018 CVAP)"``).
    diagnostics, settings, provenance : dict
    """

    method: str
    states: tuple[str, ...]
    draws: np.ndarray | None = None
    point: np.ndarray | None = None
    electoral_votes: Sequence[int] | None = None
    national_draws: np.ndarray | None = None
    national_point: float | None = None
    population: str = ""
    diagnostics: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.draws is None and self.point is None:
            raise DataError("a StateForecast needs draws or a point forecast")
        if self.draws is not None:
            self.draws = np.atleast_2d(np.asarray(self.draws, dtype=float))
            if self.draws.shape[1] != len(self.states):
                raise DataError(
                    f"draws have {self.draws.shape[1]} columns for {len(self.states)} states"
                )
        if self.point is None:
            self.point = self.draws.mean(axis=0)
        self.point = np.asarray(self.point, dtype=float)
        if self.electoral_votes is not None and len(self.electoral_votes) != len(self.states):
            raise DataError("electoral_votes must have one entry per state")
        if self.national_point is None and self.national_draws is not None:
            self.national_point = float(np.mean(self.national_draws))

    @property
    def has_draws(self) -> bool:
        """Whether the forecast carries joint draws (and so intervals)."""
        return self.draws is not None

    def conf_int(self, alpha: float = 0.1) -> pd.DataFrame:
        """Equal-tailed ``1 - alpha`` intervals by state (NaN without draws)."""
        if not 0 < alpha < 1:
            raise DataError(f"alpha must be in (0, 1), got {alpha}")
        if self.draws is None:
            lo = hi = np.full(len(self.states), np.nan)
        else:
            lo, hi = np.quantile(self.draws, [alpha / 2, 1 - alpha / 2], axis=0)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=pd.Index(self.states, name="state"))

    def win_probability(self) -> np.ndarray:
        """Probability the Democrat carries each state (0/1/0.5 from the point without draws)."""
        if self.draws is not None:
            return (self.draws > 0.5).mean(axis=0)
        p = self.point
        return np.where(np.isnan(p), np.nan, np.where(p > 0.5, 1.0, np.where(p < 0.5, 0.0, 0.5)))

    def _ev(self) -> np.ndarray:
        if self.electoral_votes is None:
            raise DataError("this forecast has no electoral votes; pass electoral_votes")
        return np.asarray(self.electoral_votes, dtype=int)

    def ev_draws(self) -> np.ndarray:
        """Democratic electoral votes per draw (winner-take-all in every state)."""
        ev = self._ev()
        if self.draws is None:
            if np.isnan(self.point).any():
                raise DataError("electoral votes need a forecast for every state")
            return np.array([int(ev[self.point > 0.5].sum())])
        return ((self.draws > 0.5) * ev).sum(axis=1).astype(int)

    def ev_summary(self, alpha: float = 0.1) -> dict[str, float]:
        """Mean, interval and P(Democratic majority) of the electoral-vote distribution."""
        d = self.ev_draws()
        total = int(self._ev().sum())
        lo, hi = np.quantile(d, [alpha / 2, 1 - alpha / 2])
        return {
            "mean": float(d.mean()),
            "lower": float(lo),
            "upper": float(hi),
            "p_majority": float((d > total / 2).mean()),
        }

    def to_frame(self, alpha: float = 0.1) -> pd.DataFrame:
        """One row per state: point, interval, win probability, electoral votes."""
        out = self.conf_int(alpha)
        out.insert(0, "point", self.point)
        out["win_prob"] = self.win_probability()
        if self.electoral_votes is not None:
            out["ev"] = self._ev()
        out["method"] = self.method
        return out

    def estimates(self, truth: Mapping[str, float] | None = None) -> EstimateTable:
        """State and national shares as :class:`~calib.estimate.Estimate` objects."""
        truth = dict(truth or {})
        table = EstimateTable()
        for j, state in enumerate(self.states):
            draws = None if self.draws is None else self.draws[:, j]
            se = float(np.std(draws, ddof=1)) if draws is not None else float("nan")
            table.append(
                Estimate(
                    "two_party_dem",
                    float(self.point[j]),
                    se,
                    self.method,
                    subgroup=state,
                    draws=draws,
                    settings=dict(self.settings),
                    provenance=dict(self.provenance),
                    diagnostics=dict(self.diagnostics),
                    truth=truth.get(state),
                )
            )
        if self.national_point is not None:
            d = self.national_draws
            table.append(
                Estimate(
                    "two_party_dem",
                    float(self.national_point),
                    float(np.std(d, ddof=1)) if d is not None else float("nan"),
                    self.method,
                    subgroup="national",
                    draws=d,
                    truth=truth.get("national"),
                )
            )
        return table

    def summary(self, alpha: float = 0.1) -> str:
        """Compact text: population, national vote, electoral votes, closest states."""
        lines = [f"StateForecast [{self.method}] for {self.population or 'unspecified population'}"]
        if self.national_point is not None:
            nat = f"  national Democratic two-party share {self.national_point:.3f}"
            if self.national_draws is not None:
                lo, hi = np.quantile(self.national_draws, [alpha / 2, 1 - alpha / 2])
                nat += f" ({100 * (1 - alpha):.0f}% interval {lo:.3f} to {hi:.3f})"
            lines.append(nat)
        if self.electoral_votes is not None and not np.isnan(self.point).any():
            ev = self.ev_summary(alpha)
            lines.append(
                f"  Democratic electoral votes: mean {ev['mean']:.0f} "
                f"({ev['lower']:.0f} to {ev['upper']:.0f}); P(majority) {ev['p_majority']:.2f}"
            )
        frame = self.to_frame(alpha)
        close = frame.assign(gap=(frame["point"] - 0.5).abs()).sort_values("gap").head(8)
        lines.append("  closest states:")
        lines.append(
            close.drop(columns=["gap", "method"]).to_string(float_format=lambda v: f"{v:.3f}")
        )
        if self.diagnostics:
            flag = self.diagnostics.get("converged")
            if flag is False:
                lines.append("  WARNING: the sampler did NOT converge (see diagnostics)")
        return "\n".join(lines)


__all__ = ["StateForecast"]
