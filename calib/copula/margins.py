"""Marginal pieces of a copula: how each variable maps to and from its latent normal block.

* **ordinal** (and any two-level variable): one latent normal cut at thresholds
  ``Phi^{-1}(cumulative share)``; the margin is reproduced exactly.
* **nominal** with three or more levels: a block of ``L`` latent normals, one utility per
  level, independent within the block, and the level is the argmax of ``mu + Z``
  (a multinomial-probit block; Thurstone's case V). The location vector ``mu`` is solved so
  that ``P(argmax = l)`` equals the margin exactly, with a one-dimensional integral
  ``P_l = int phi(t) prod_{m != l} Phi(t + mu_l - mu_m) dt``. The block's association with
  other variables is carried by the correlations of the ``L`` utilities with their latents
  (see :mod:`calib.copula.nominal`); no integer coding of the levels is ever used.
* **numeric**: one latent normal mapped through the exact weighted empirical quantile function
  (or a frozen ``scipy.stats`` distribution when given).

Examples
--------
>>> import numpy as np
>>> m = nominal_margin("race", ("a", "b", "c"), np.array([0.6, 0.3, 0.1]))
>>> np.round(nominal_probs(m.utilities), 6)
array([0.6, 0.3, 0.1])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from calib.errors import ConvergenceError, DataError

__all__ = [
    "Margin",
    "nominal_margin",
    "nominal_probs",
    "numeric_margin",
    "ordinal_margin",
]

_GRID = np.linspace(-9.0, 9.0, 3601)
_GRID_W = np.exp(-0.5 * _GRID**2) / np.sqrt(2 * np.pi) * (_GRID[1] - _GRID[0])
_NEVER = -60.0  # utility of a level with zero mass: never the argmax


@dataclass(frozen=True)
class Margin:
    """One variable's margin and latent representation.

    Attributes
    ----------
    name : str
    kind : {"ordinal", "nominal", "numeric"}
        Latent representation (a two-level nominal variable is represented as ordinal).
    levels : tuple of str
        Levels (empty for numeric).
    probs : ndarray
        Level shares (categorical) or empty.
    thresholds : ndarray
        Interior cut points (ordinal), else empty.
    utilities : ndarray
        Utility locations ``mu`` (nominal), else empty.
    values, cum : ndarray
        Sorted distinct values and cumulative weight shares (numeric, empirical).
    dist : object or None
        Frozen ``scipy.stats`` distribution for a parametric numeric margin.
    """

    name: str
    kind: str
    levels: tuple[str, ...]
    probs: np.ndarray
    thresholds: np.ndarray
    utilities: np.ndarray
    values: np.ndarray
    cum: np.ndarray
    dist: Any = None

    @property
    def dim(self) -> int:
        """Number of latent normal coordinates."""
        return len(self.levels) if self.kind == "nominal" else 1

    @property
    def is_categorical(self) -> bool:
        return self.kind != "numeric"

    def to_codes(self, latent: np.ndarray) -> np.ndarray:
        """Level codes (categorical) from latent draws of shape ``(n, dim)`` or ``(n,)``."""
        if self.kind == "ordinal":
            z = latent.reshape(-1)
            return np.searchsorted(self.thresholds, z, side="left").astype(np.int64)
        if self.kind == "nominal":
            return np.argmax(latent + self.utilities[None, :], axis=1).astype(np.int64)
        raise DataError(f"numeric variable {self.name!r} has no level codes: give it bins")

    def to_values(self, latent: np.ndarray) -> np.ndarray:
        """Values of a numeric variable from its latent draws (exact empirical margin)."""
        u = special.ndtr(latent.reshape(-1))
        if self.dist is not None:
            return np.asarray(self.dist.ppf(u), dtype=float)
        idx = np.minimum(np.searchsorted(self.cum, u, side="left"), self.values.size - 1)
        return self.values[idx]

    def latent_cutpoints(self, edges: np.ndarray) -> np.ndarray:
        """Latent thresholds equivalent to numeric bin ``edges`` (interior edges only)."""
        edges = np.asarray(edges, dtype=float)
        if self.dist is not None:
            u = self.dist.cdf(edges)
        else:
            pos = np.searchsorted(self.values, edges, side="left")
            u = np.where(pos > 0, self.cum[np.maximum(pos - 1, 0)], 0.0)
        return special.ndtri(np.clip(u, 1e-300, 1 - 1e-16))


def _empty() -> np.ndarray:
    return np.zeros(0)


def _check_probs(name: str, probs: np.ndarray) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 1 or p.size < 1 or not np.all(np.isfinite(p)) or (p < 0).any() or p.sum() <= 0:
        raise DataError(f"margin of {name!r} must be finite non-negative shares with mass")
    return p / p.sum()


def ordinal_margin(name: str, levels: tuple[str, ...], probs: np.ndarray) -> Margin:
    """Threshold representation of an ordered (or two-level) variable."""
    p = _check_probs(name, probs)
    cum = np.cumsum(p)[:-1]
    t = special.ndtri(np.clip(cum, 1e-300, 1 - 1e-16))
    t = np.clip(t, -38.0, 38.0)
    return Margin(name, "ordinal", tuple(levels), p, t, _empty(), _empty(), _empty())


def nominal_probs(mu: np.ndarray) -> np.ndarray:
    """``P(argmax(mu + Z) = l)`` for independent standard normal utilities ``Z``."""
    mu = np.asarray(mu, dtype=float)
    cdf = special.ndtr(_GRID[:, None, None] + mu[None, :, None] - mu[None, None, :])
    # cdf[g, l, m] = Phi(t + mu_l - mu_m); product over m != l (the m == l factor is Phi(t))
    log_cdf = (
        np.log(np.maximum(cdf, 1e-300)).sum(axis=2)
        - np.log(np.maximum(special.ndtr(_GRID), 1e-300))[:, None]
    )
    q = _GRID_W @ np.exp(log_cdf)
    return q / q.sum()


def nominal_margin(
    name: str, levels: tuple[str, ...], probs: np.ndarray, tol: float = 1e-10
) -> Margin:
    """Argmax-of-utilities representation of an unordered variable with exact margins.

    Raises
    ------
    ConvergenceError
        If the utility locations cannot be solved to ``tol`` (a level share below ~1e-12).
    """
    p = _check_probs(name, probs)
    live = p > 0
    mu = np.full(p.size, _NEVER)
    mu[live] = np.log(p[live]) * 0.6
    for _ in range(500):
        q = nominal_probs(mu[live])
        gap = np.max(np.abs(q - p[live]))
        if gap < tol:
            break
        mu[live] += 0.5 * np.log(p[live] / q)  # damped: a full step overshoots under probit
        mu[live] -= mu[live].mean()
    else:
        raise ConvergenceError(
            f"could not solve the utility locations of nominal variable {name!r} (largest "
            f"share error {gap:.2e}); merge levels with tiny shares"
        )
    return Margin(name, "nominal", tuple(levels), p, _empty(), mu, _empty(), _empty())


def numeric_margin(
    name: str, values: np.ndarray, weights: np.ndarray | None = None, dist: Any = None
) -> Margin:
    """Exact weighted empirical margin of a numeric variable (or a parametric ``dist``)."""
    if dist is not None:
        return Margin(name, "numeric", (), _empty(), _empty(), _empty(), _empty(), _empty(), dist)
    x = np.asarray(values, dtype=float)
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise DataError(f"numeric variable {name!r} needs finite values to define its margin")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    uniq, inv = np.unique(x, return_inverse=True)
    wu = np.bincount(inv, weights=w, minlength=uniq.size)
    cum = np.cumsum(wu) / wu.sum()
    return Margin(name, "numeric", (), _empty(), _empty(), _empty(), uniq, cum)
