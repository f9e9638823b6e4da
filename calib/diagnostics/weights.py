"""Weight diagnostics: Kish effective sample size, design effect, spread and extremes.

These functions take any non-negative weights (design weights, raking output, propensity
weights) and are reused by :mod:`calib.weighting` to report on the weights it produces.

Examples
--------
>>> import numpy as np
>>> from calib.diagnostics.weights import kish_effective_sample_size, weight_summary
>>> w = np.array([1.0, 1.0, 2.0, 4.0])
>>> round(kish_effective_sample_size(w), 4)
2.9091
>>> weight_summary(w).design_effect
1.375
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.population import validate_weights


def _as_weights(weights: object, name: str = "weights") -> np.ndarray:
    return validate_weights(weights, None, name)


def kish_effective_sample_size(weights: object) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Parameters
    ----------
    weights : array-like
        Non-negative weights, at least one positive.

    Returns
    -------
    float
        Between 1 and the number of positive weights; equal to ``n`` for equal weights.

    Raises
    ------
    DataError
        If ``weights`` is empty.
    WeightError
        If a weight is negative, NaN or infinite, or all are zero.

    Notes
    -----
    Kish, L. (1965). *Survey Sampling*, Wiley, section 11.7.

    Examples
    --------
    >>> kish_effective_sample_size([1.0, 1.0, 1.0])
    3.0
    """
    w = _as_weights(weights)
    return float(w.sum() ** 2 / np.square(w).sum())


def design_effect(weights: object) -> float:
    """Kish's design effect due to unequal weighting, ``n * sum w^2 / (sum w)^2 = 1 + CV^2``.

    ``n`` counts every row (zero weights included), so rows weighted out count as lost
    sample size.

    Parameters
    ----------
    weights : array-like
        Non-negative weights, at least one positive.

    Returns
    -------
    float
        ``n / kish_effective_sample_size(weights)``; 1 for equal weights.

    Examples
    --------
    >>> design_effect([1.0, 3.0])
    1.25
    """
    w = _as_weights(weights)
    return float(w.size * np.square(w).sum() / w.sum() ** 2)


def coefficient_of_variation(weights: object) -> float:
    """Coefficient of variation of the weights (population standard deviation over the mean).

    Examples
    --------
    >>> coefficient_of_variation([1.0, 3.0])
    0.5
    """
    w = _as_weights(weights)
    return float(w.std() / w.mean())


@dataclass(frozen=True)
class WeightSummary:
    """Summary of a weight vector (see :func:`weight_summary`).

    Attributes
    ----------
    n, n_positive : int
        Rows, and rows with a positive weight.
    total : float
        Sum of the weights.
    effective_sample_size, design_effect, cv : float
        Kish ESS, Kish deff (``1 + cv**2``), coefficient of variation.
    min, max, mean, median : float
        Extremes and centre of the weights (``min`` over all rows, zeros included).
    max_over_mean : float
        Largest weight relative to the mean weight.
    ratio_max_min : float
        Largest over smallest positive weight.
    top1_share : float
        Share of the total weight held by the heaviest 1% of rows (at least one row).
    """

    n: int
    n_positive: int
    total: float
    effective_sample_size: float
    design_effect: float
    cv: float
    min: float
    max: float
    mean: float
    median: float
    max_over_mean: float
    ratio_max_min: float
    top1_share: float

    def to_dict(self) -> dict[str, float]:
        """The fields as a plain dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy DataFrame of the fields."""
        return pd.DataFrame([self.to_dict()])

    def summary(self) -> str:
        """Compact text table."""
        rows = [
            ("rows (positive weight)", f"{self.n} ({self.n_positive})"),
            ("total weight", f"{self.total:.6g}"),
            ("Kish effective sample size", f"{self.effective_sample_size:.1f}"),
            ("design effect (1 + CV^2)", f"{self.design_effect:.3f}"),
            ("CV", f"{self.cv:.3f}"),
            ("min / median / max", f"{self.min:.4g} / {self.median:.4g} / {self.max:.4g}"),
            ("max / mean", f"{self.max_over_mean:.2f}"),
            ("max / min (positive)", f"{self.ratio_max_min:.2f}"),
            ("share of weight in top 1%", f"{self.top1_share:.3f}"),
        ]
        width = max(len(k) for k, _ in rows)
        return "Weight summary\n" + "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)

    def __str__(self) -> str:
        return self.summary()


def top_share(weights: object, fraction: float = 0.01) -> float:
    """Share of the total weight held by the heaviest ``fraction`` of rows (at least one row).

    Examples
    --------
    >>> top_share([1.0] * 99 + [101.0])
    0.505
    """
    if not 0 < fraction <= 1:
        raise DataError(f"fraction must be in (0, 1], got {fraction}")
    w = _as_weights(weights)
    k = max(1, int(np.floor(fraction * w.size)))
    top = np.partition(w, w.size - k)[w.size - k :]
    return float(top.sum() / w.sum())


def weight_summary(weights: object) -> WeightSummary:
    """Kish ESS, design effect, CV, extremes and top-1% share of a weight vector.

    Parameters
    ----------
    weights : array-like
        Non-negative weights, at least one positive.

    Returns
    -------
    WeightSummary

    Raises
    ------
    DataError, WeightError
        Empty input; negative, NaN, infinite or all-zero weights.

    Examples
    --------
    >>> s = weight_summary([1.0, 1.0, 2.0, 4.0])
    >>> s.n, round(s.effective_sample_size, 3), s.top1_share
    (4, 2.909, 0.5)
    """
    w = _as_weights(weights)
    pos = w[w > 0]
    mean = float(w.mean())
    return WeightSummary(
        n=int(w.size),
        n_positive=int(pos.size),
        total=float(w.sum()),
        effective_sample_size=kish_effective_sample_size(w),
        design_effect=design_effect(w),
        cv=coefficient_of_variation(w),
        min=float(w.min()),
        max=float(w.max()),
        mean=mean,
        median=float(np.median(w)),
        max_over_mean=float(w.max() / mean),
        ratio_max_min=float(pos.max() / pos.min()),
        top1_share=top_share(w, 0.01),
    )


__all__ = [
    "WeightSummary",
    "coefficient_of_variation",
    "design_effect",
    "kish_effective_sample_size",
    "top_share",
    "weight_summary",
]
