"""Input checks shared by the correction functions: arrays, weights, alpha.

Every function in :mod:`calib.correct` takes plain arrays; these helpers turn them into float
arrays of the right shape and raise :class:`~calib.errors.DataError` /
:class:`~calib.errors.WeightError` naming the argument at fault.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from calib.errors import DataError, WeightError


def as_float(x: Any, name: str, ndim: int | tuple[int, ...] = (1, 2)) -> np.ndarray:
    """``x`` as a float array with ``ndim`` dimensions and no missing values."""
    arr = np.asarray(x, dtype=float)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed:
        raise DataError(
            f"{name} must have {' or '.join(map(str, allowed))} dimension(s), got {arr.ndim}"
        )
    if arr.shape[0] == 0:
        raise DataError(f"{name} is empty: pass at least one row")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise DataError(f"{name} has {bad} missing or infinite value(s): drop or impute them first")
    return arr


def as_2d(x: np.ndarray) -> np.ndarray:
    """A column vector for 1-d input, the array itself otherwise."""
    return x.reshape(-1, 1) if x.ndim == 1 else x


def same_length(*pairs: tuple[str, np.ndarray]) -> int:
    """The common number of rows; raise naming the arrays when they differ."""
    lengths = {name: arr.shape[0] for name, arr in pairs}
    if len(set(lengths.values())) != 1:
        raise DataError(f"arrays must have the same number of rows, got {lengths}")
    return next(iter(lengths.values()))


def normalized_weights(w: Any, n: int, name: str) -> np.ndarray:
    """Weights scaled to mean one (ones when ``w`` is None), as in ``ppi_py``."""
    if w is None:
        return np.ones(n)
    arr = np.asarray(w, dtype=float).ravel()
    if arr.shape[0] != n:
        raise WeightError(f"{name} has {arr.shape[0]} entries but the data have {n} rows")
    total = arr.sum()
    if not np.isfinite(total) or arr.min() < 0:
        raise WeightError(f"{name} must be finite and non-negative: fix or trim the weights")
    if total <= 0:
        raise WeightError(f"{name} sums to zero: at least one weight must be positive")
    return arr * (n / total)


def check_alpha(alpha: float) -> float:
    """``alpha`` as a float in (0, 1)."""
    if not 0 < alpha < 1:
        raise DataError(f"alpha must be in (0, 1), got {alpha}")
    return float(alpha)


def z_value(alpha: float) -> float:
    """The two-sided normal critical value for level ``1 - alpha``."""
    return float(stats.norm.ppf(1 - check_alpha(alpha) / 2))


def kish_deff(w: np.ndarray) -> float:
    """Kish's design effect from weighting, ``n * sum(w^2) / sum(w)^2``."""
    w = np.asarray(w, dtype=float)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)
