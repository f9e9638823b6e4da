"""Association measures of a two-way table of (weighted) counts, and their gap.

Examples
--------
>>> import numpy as np
>>> t = np.array([[40.0, 10.0], [10.0, 40.0]])
>>> round(float(cramers_v(t)), 3), round(float(mutual_information(t)), 4)
(0.6, 0.1927)
"""

from __future__ import annotations

import numpy as np

from calib.errors import DataError
from calib.polychoric import polychoric


def _table(t: object) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if t.ndim < 2:
        raise DataError("an association needs a two-way table (last two axes)")
    if not np.all(np.isfinite(t)) or (t < 0).any():
        raise DataError("the table has negative or non-finite counts")
    s = t.sum(axis=(-2, -1), keepdims=True)
    if np.any(s <= 0):
        raise DataError("the two-way table has no positive mass")
    return t / s


def cramers_v(table: object) -> np.ndarray:
    """Cramér's V ``sqrt(phi^2 / (min(r, c) - 1))`` of the shares in ``table`` (batch on front).

    Levels with no mass on either side are ignored in ``min(r, c)``.

    Examples
    --------
    >>> float(cramers_v([[1.0, 0.0], [0.0, 1.0]]))
    1.0
    """
    p = _table(table)
    r, c = p.sum(axis=-1, keepdims=True), p.sum(axis=-2, keepdims=True)
    e = r * c
    with np.errstate(divide="ignore", invalid="ignore"):
        phi2 = np.where(e > 0, (p - e) ** 2 / np.where(e > 0, e, 1.0), 0.0).sum(axis=(-2, -1))
    k = np.minimum((r[..., 0] > 0).sum(axis=-1), (c[..., 0, :] > 0).sum(axis=-1)) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 0, np.sqrt(np.clip(phi2 / np.maximum(k, 1), 0, 1)), 0.0)


def mutual_information(table: object) -> np.ndarray:
    """Mutual information in nats of the shares in ``table``.

    Examples
    --------
    >>> round(float(mutual_information([[1.0, 0.0], [0.0, 1.0]])), 4)
    0.6931
    """
    p = _table(table)
    e = p.sum(axis=-1, keepdims=True) * p.sum(axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(p / np.where(e > 0, e, 1.0)), 0.0).sum(axis=(-2, -1))


def latent_correlation(table: object, n_obs: float | None = None) -> tuple[float, float]:
    """Polychoric correlation of an ordinal x ordinal table and its standard error.

    Uses :func:`calib.polychoric.polychoric` (the one implementation in calib, shared with
    the copula models).
    ``n_obs`` is the number of independent observations behind the table (Kish ESS for
    weighted rows); ``inf`` marks a table known without sampling error (SE 0). Returns
    ``(nan, nan)`` when the table has fewer than two non-empty levels on a side.

    Examples
    --------
    >>> rho, se = latent_correlation([[40.0, 10.0], [10.0, 40.0]])
    >>> round(rho, 3), se > 0
    (0.809, True)
    """
    t = np.asarray(table, dtype=float)
    nan = float("nan")
    if (t.sum(axis=1) > 0).sum() < 2 or (t.sum(axis=0) > 0).sum() < 2:
        return nan, nan
    known = n_obs is not None and not np.isfinite(n_obs)
    try:
        res = polychoric(t, n_obs=None if known else n_obs)
    except DataError:
        return nan, nan
    return float(res.rho), 0.0 if known else float(res.std_error)


def interaction_residual(table: object) -> np.ndarray:
    """Cell shares minus the product of their margins (what association is made of)."""
    p = _table(table)
    return p - p.sum(axis=-1, keepdims=True) * p.sum(axis=-2, keepdims=True)


__all__ = ["cramers_v", "interaction_residual", "latent_correlation", "mutual_information"]
