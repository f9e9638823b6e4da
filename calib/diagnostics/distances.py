"""Distances between two discrete distributions given as (weighted) cell counts.

Every function takes two arrays of non-negative counts or shares over the same cells, the
cells on the last axis, and normalises them itself; leading axes are batch axes, so one call
scores many bootstrap draws at once. Nothing here groups rows: see :mod:`calib.cells`.

Examples
--------
>>> import numpy as np
>>> p, q = np.array([0.5, 0.5]), np.array([0.8, 0.2])
>>> round(float(total_variation(p, q)), 3)
0.3
>>> round(float(wasserstein_ordinal(p, q, positions=[0, 1])), 3)
0.3
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from calib.errors import DataError


def _normalise(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    s = x.sum(axis=-1, keepdims=True)
    if np.any(s <= 0):
        raise DataError(f"{name} has no positive mass over the cells compared")
    return x / s


def _pair(p: object, q: object) -> tuple[np.ndarray, np.ndarray]:
    p = _normalise(np.asarray(p, dtype=float), "the population")
    q = _normalise(np.asarray(q, dtype=float), "the target")
    if p.shape[-1] != q.shape[-1]:
        raise DataError(f"distributions over {p.shape[-1]} and {q.shape[-1]} cells differ")
    return p, q


def total_variation(p: object, q: object) -> np.ndarray:
    """Total variation distance ``0.5 * sum |p - q|`` (in [0, 1]).

    Examples
    --------
    >>> float(total_variation([1, 1, 2], [2, 1, 1]))
    0.25
    """
    p, q = _pair(p, q)
    return 0.5 * np.abs(p - q).sum(axis=-1)


def hellinger(p: object, q: object) -> np.ndarray:
    """Hellinger distance ``sqrt(1 - sum sqrt(p q))`` (in [0, 1]).

    Examples
    --------
    >>> float(hellinger([1, 0], [0, 1]))
    1.0
    """
    p, q = _pair(p, q)
    bc = np.sqrt(p * q).sum(axis=-1)
    return np.sqrt(np.clip(1.0 - bc, 0.0, None))


def _xlogy_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, a * np.log(a / b), 0.0)
    return out


def kl_divergence(p: object, q: object) -> np.ndarray:
    """Kullback-Leibler divergence ``KL(p || q) = sum p log(p / q)`` in nats.

    Infinite when ``p`` has mass where ``q`` has none; smooth ``q`` first when that matters
    (:func:`smoothed`).

    Examples
    --------
    >>> round(float(kl_divergence([0.5, 0.5], [0.25, 0.75])), 4)
    0.1438
    """
    p, q = _pair(p, q)
    return _xlogy_ratio(p, q).sum(axis=-1)


def jensen_shannon(p: object, q: object) -> np.ndarray:
    """Jensen-Shannon divergence with base-2 logs (in [0, 1]; its square root is a metric).

    Examples
    --------
    >>> float(jensen_shannon([1, 0], [0, 1]))
    1.0
    """
    p, q = _pair(p, q)
    m = 0.5 * (p + q)
    return (0.5 * _xlogy_ratio(p, m).sum(axis=-1) + 0.5 * _xlogy_ratio(q, m).sum(axis=-1)) / np.log(
        2.0
    )


def smoothed(counts: object, effective_n: float, pseudo: float = 0.5) -> np.ndarray:
    """Shares with an add-``pseudo`` (Krichevsky-Trofimov) correction on an ``effective_n`` scale.

    Examples
    --------
    >>> smoothed([3, 1, 0], effective_n=4).round(3).tolist()
    [0.636, 0.273, 0.091]
    """
    p = _normalise(np.asarray(counts, dtype=float), "the counts")
    k = p.shape[-1]
    return (p * effective_n + pseudo) / (effective_n + pseudo * k)


def entropy(p: object) -> np.ndarray:
    """Shannon entropy in nats.

    Examples
    --------
    >>> round(float(entropy([1, 1, 1, 1])), 4)
    1.3863
    """
    p = _normalise(np.asarray(p, dtype=float), "the distribution")
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=-1)


def _positions(k: int, positions: Sequence[float] | np.ndarray | None) -> np.ndarray:
    x = np.arange(k, dtype=float) if positions is None else np.asarray(positions, dtype=float)
    if x.shape != (k,):
        raise DataError(f"{x.shape[0]} positions given for {k} ordered cells")
    if np.any(np.diff(x) < 0):
        raise DataError("positions of ordered cells must be non-decreasing")
    return x


def mean_and_variance(
    p: object, positions: Sequence[float] | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of an ordered distribution scored at ``positions`` (default 0..k-1)."""
    p = _normalise(np.asarray(p, dtype=float), "the distribution")
    x = _positions(p.shape[-1], positions)
    mean = (p * x).sum(axis=-1)
    var = (p * x**2).sum(axis=-1) - mean**2
    return mean, np.clip(var, 0.0, None)


def asmd(p: object, q: object, positions: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Absolute standardised mean difference ``|mean_p - mean_q| / sd_q`` of ordered cells.

    Standardised by the target's standard deviation, as in ``balance``.

    Examples
    --------
    >>> float(asmd([0, 1], [1, 1]))
    1.0
    """
    mp, _ = mean_and_variance(p, positions)
    mq, vq = mean_and_variance(q, positions)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(vq > 0, np.abs(mp - mq) / np.sqrt(vq), np.where(mp == mq, 0.0, np.inf))


def level_asmd(p: object, q: object) -> np.ndarray:
    """Per-level standardised difference of indicators ``|p_j - q_j| / sqrt(q_j (1 - q_j))``.

    Examples
    --------
    >>> level_asmd([1, 1], [3, 1]).round(4).tolist()
    [0.5774, 0.5774]
    """
    p, q = _pair(p, q)
    sd = np.sqrt(q * (1 - q))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, np.abs(p - q) / sd, np.where(p == q, 0.0, np.inf))


def ks_ordinal(p: object, q: object) -> np.ndarray:
    """Kolmogorov-Smirnov distance ``max |F_p - F_q|`` between ordered distributions.

    Examples
    --------
    >>> float(ks_ordinal([1, 0, 0], [0, 0, 1]))
    1.0
    """
    p, q = _pair(p, q)
    return np.abs(np.cumsum(p - q, axis=-1)).max(axis=-1)


def wasserstein_ordinal(
    p: object, q: object, positions: Sequence[float] | np.ndarray | None = None
) -> np.ndarray:
    """1-Wasserstein distance between ordered distributions at ``positions`` (default 0..k-1).

    ``sum_j |F_p(j) - F_q(j)| (x_{j+1} - x_j)``. For numeric data, pass the sorted distinct
    values as positions and their weights as counts.

    Examples
    --------
    >>> float(wasserstein_ordinal([1, 0, 0], [0, 0, 1]))
    2.0
    """
    p, q = _pair(p, q)
    x = _positions(p.shape[-1], positions)
    gaps = np.diff(x)
    cdf_gap = np.abs(np.cumsum(p - q, axis=-1))[..., :-1]
    return (cdf_gap * gaps).sum(axis=-1)


def representativeness(
    p: object, q: object, positions: Sequence[float] | np.ndarray | None = None
) -> np.ndarray:
    """OpinionQA representativeness ``1 - W1(p, q) / (N - 1)`` for ``N`` ordinal options.

    Santurkar et al. (2023), "Whose opinions do language models reflect?", ICML. Options are
    placed at 0..N-1 unless ``positions`` says otherwise (then divided by their range).

    Examples
    --------
    >>> float(representativeness([1, 0, 0], [0, 0, 1]))
    0.0
    """
    p, q = _pair(p, q)
    x = _positions(p.shape[-1], positions)
    span = x[-1] - x[0]
    if span <= 0:
        return np.ones(p.shape[:-1])
    return 1.0 - wasserstein_ordinal(p, q, x) / span


__all__ = [
    "asmd",
    "entropy",
    "hellinger",
    "jensen_shannon",
    "kl_divergence",
    "ks_ordinal",
    "level_asmd",
    "mean_and_variance",
    "representativeness",
    "smoothed",
    "total_variation",
    "wasserstein_ordinal",
]
