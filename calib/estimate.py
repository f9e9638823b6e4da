"""Estimate: the result object every correction method returns (statsmodels style).

An :class:`Estimate` is one number about the real population (a proportion, a mean, a
coefficient, a state's two-party share) with its uncertainty, the method and settings that made
it, a decomposition of its variance by source, and the provenance of its inputs. Intervals come
from posterior or bootstrap draws when the estimate has them, from a method-specific interval
function when given (e.g. PPI's exact interval), and otherwise from the normal approximation.
:class:`EstimateTable` holds several estimates (questions x subgroups) for printing and export.

Examples
--------
>>> est = Estimate("approve_obama", point=0.42, std_error=0.02, method="ppi")
>>> lo, hi = est.conf_int(0.05)
>>> round(lo, 3), round(hi, 3)
(0.381, 0.459)
>>> EstimateTable([est]).to_frame()[["quantity", "point"]].values.tolist()
[['approve_obama', 0.42]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import DataError


@dataclass(frozen=True)
class Estimate:
    """One estimate with its uncertainty, method and provenance.

    Parameters
    ----------
    quantity : str
        What is estimated (``"q1=Approve"``, ``"two_party_dem:Ohio"``).
    point : float
        Point estimate.
    std_error : float
        Standard error (posterior standard deviation for Bayesian methods).
    method : str
        Method name (``"ppi++"``, ``"hierarchical_bayes"``, ``"silicon_raw"``).
    subgroup : str, default="all"
        Subgroup the estimate refers to (``"region=South"``).
    draws : ndarray, optional
        Posterior or bootstrap draws; when present, intervals are their quantiles.
    interval : callable, optional
        ``alpha -> (lower, upper)`` for methods with their own interval construction.
    variance_components : mapping of str to float, default={}
        Variance by source (``"gold_sampling"``, ``"weighting"``, ``"llm_sampling"``).
    n : mapping of str to int, default={}
        Sample sizes used (``{"gold": 200, "silicon": 400}``).
    diagnostics : mapping, default={}
        Convergence or sampler diagnostics (R-hat, ESS, divergences).
    settings : mapping, default={}
        The method's settings and seeds.
    provenance : mapping, default={}
        The inputs' provenance.
    truth : float, optional
        The known true value, when evaluating against one.
    """

    quantity: str
    point: float
    std_error: float
    method: str
    subgroup: str = "all"
    draws: np.ndarray | None = None
    interval: Callable[[float], tuple[float, float]] | None = None
    variance_components: Mapping[str, float] = field(default_factory=dict)
    n: Mapping[str, int] = field(default_factory=dict)
    diagnostics: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    truth: float | None = None

    def conf_int(self, alpha: float = 0.05) -> tuple[float, float]:
        """The ``1 - alpha`` interval (equal-tailed for draws, symmetric normal otherwise)."""
        if not 0 < alpha < 1:
            raise DataError(f"alpha must be in (0, 1), got {alpha}")
        if self.interval is not None:
            lo, hi = self.interval(alpha)
            return float(lo), float(hi)
        if self.draws is not None and len(self.draws):
            lo, hi = np.quantile(self.draws, [alpha / 2, 1 - alpha / 2])
            return float(lo), float(hi)
        z = stats.norm.ppf(1 - alpha / 2)
        half = float(z) * float(self.std_error)
        return float(self.point) - half, float(self.point) + half

    def covers(self, value: float | None = None, alpha: float = 0.05) -> bool:
        """Whether the interval contains ``value`` (default: ``truth``)."""
        value = self.truth if value is None else value
        if value is None:
            raise DataError(f"estimate {self.quantity!r} has no truth to compare with")
        lo, hi = self.conf_int(alpha)
        return bool(lo <= value <= hi)

    def to_dict(self, alpha: float = 0.05) -> dict[str, Any]:
        """A flat, JSON-ready record (draws left out)."""
        lo, hi = self.conf_int(alpha)
        record: dict[str, Any] = {
            "quantity": self.quantity,
            "subgroup": self.subgroup,
            "method": self.method,
            "point": float(self.point),
            "std_error": float(self.std_error),
            "lower": lo,
            "upper": hi,
            "level": 1 - alpha,
        }
        if self.truth is not None:
            record["truth"] = float(self.truth)
        for name, value in self.n.items():
            record[f"n_{name}"] = int(value)
        for name, value in self.variance_components.items():
            record[f"var_{name}"] = float(value)
        return record

    def summary(self, alpha: float = 0.05) -> str:
        """A one-paragraph text summary."""
        lo, hi = self.conf_int(alpha)
        lines = [
            f"{self.quantity} [{self.subgroup}] by {self.method}: {self.point:.4f} "
            f"(SE {self.std_error:.4f}; {100 * (1 - alpha):.0f}% interval {lo:.4f} to {hi:.4f})"
        ]
        if self.variance_components:
            total = sum(self.variance_components.values()) or 1.0
            parts = ", ".join(
                f"{k} {100 * v / total:.0f}%" for k, v in self.variance_components.items()
            )
            lines.append(f"  variance by source: {parts}")
        if self.truth is not None:
            lines.append(f"  truth {self.truth:.4f}; error {self.point - self.truth:+.4f}")
        return "\n".join(lines)


class EstimateTable:
    """A collection of :class:`Estimate` objects (questions x subgroups x methods).

    Examples
    --------
    >>> t = EstimateTable([Estimate("q", 0.5, 0.01, "raw"), Estimate("q", 0.4, 0.02, "ppi")])
    >>> len(t), t.get("q", method="ppi").point
    (2, 0.4)
    """

    def __init__(self, estimates: Iterable[Estimate] = ()):
        self._estimates = list(estimates)

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self._estimates)

    def __len__(self) -> int:
        return len(self._estimates)

    def __getitem__(self, i: int) -> Estimate:
        return self._estimates[i]

    def append(self, estimate: Estimate) -> None:
        """Add one estimate."""
        self._estimates.append(estimate)

    def get(self, quantity: str, subgroup: str = "all", method: str | None = None) -> Estimate:
        """The estimate of ``quantity`` for ``subgroup`` (and ``method`` if several)."""
        found = [
            e
            for e in self._estimates
            if e.quantity == quantity
            and e.subgroup == subgroup
            and (method is None or e.method == method)
        ]
        if len(found) != 1:
            raise DataError(
                f"{len(found)} estimates match quantity={quantity!r}, subgroup={subgroup!r}, "
                f"method={method!r}"
            )
        return found[0]

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per estimate."""
        return pd.DataFrame([e.to_dict(alpha) for e in self._estimates])

    def summary(self, alpha: float = 0.05) -> str:
        """A fixed-width text table."""
        if not self._estimates:
            return "(no estimates)"
        frame = self.to_frame(alpha)
        cols = [
            c
            for c in ["quantity", "subgroup", "method", "point", "lower", "upper", "truth"]
            if c in frame.columns
        ]
        return frame[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}")


__all__ = ["Estimate", "EstimateTable"]
