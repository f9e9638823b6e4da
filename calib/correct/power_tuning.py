"""PPI++ power tuning: the variance-minimising weight ``lambda`` on the predictions.

Notes
-----
For an M-estimator with per-row gradients ``g_i`` (gold rows, true labels), ``ghat_i`` (gold
rows, predictions) and ``ghat~_j`` (persona rows, predictions) and inverse Hessian ``H^-1``,
Angelopoulos, Duchi and Zrnic (2023, PPI++: Efficient Prediction-Powered Inference,
arXiv:2311.01453, Prop. 2) give the variance-optimal ``lambda`` as

    lambda* = tr(H^-1 (Cov(g, ghat) + Cov(ghat, g)) H^-1)
              / (2 (1 + n/N) tr(H^-1 Var(ghat) H^-1)),

clipped to [0, 1]; ``Var(ghat)`` is pooled over the gold and persona rows. ``lambda = 1`` is
plain PPI, ``lambda = 0`` ignores the predictions (the classical estimate).
"""

from __future__ import annotations

import numpy as np

from calib.correct._arrays import as_2d
from calib.errors import DataError


def power_tuning_lambda(
    grads: np.ndarray,
    grads_hat: np.ndarray,
    grads_hat_unlabeled: np.ndarray,
    inv_hessian: np.ndarray | None = None,
    coord: int | None = None,
    clip: bool = True,
) -> float:
    """The PPI++ ``lambda`` minimising the (trace of the) estimator's asymptotic variance.

    Parameters
    ----------
    grads, grads_hat : ndarray of shape (n, d)
        Gradients on the gold rows with the true labels and with the predictions.
    grads_hat_unlabeled : ndarray of shape (N, d)
        Gradients on the persona rows with the predictions.
    inv_hessian : ndarray of shape (d, d), optional
        Inverse Hessian of the loss (identity for means).
    coord : int, optional
        Optimise the variance of this coordinate only (default: the trace over all).
    clip : bool, default=True
        Clip to [0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=500); yhat = y + rng.normal(size=500)
    >>> lam = power_tuning_lambda(y - y.mean(), yhat - y.mean(), rng.normal(size=5000) * 1.4)
    >>> 0.3 < lam < 0.7
    True
    """
    g = as_2d(np.asarray(grads, dtype=float))
    gh = as_2d(np.asarray(grads_hat, dtype=float))
    ghu = as_2d(np.asarray(grads_hat_unlabeled, dtype=float))
    n, d = g.shape
    big_n = ghu.shape[0]
    h = np.eye(d) if inv_hessian is None else np.asarray(inv_hessian, dtype=float).reshape(d, d)
    gc = g - g.mean(axis=0)
    ghc = gh - gh.mean(axis=0)
    cov_grads = (gc.T @ ghc + ghc.T @ gc) / n
    var_hat = np.atleast_2d(np.cov(np.concatenate([gh, ghu], axis=0).T)).reshape(d, d)
    if coord is None:
        num = float(np.trace(h @ cov_grads @ h))
        den = 2 * (1 + n / big_n) * float(np.trace(h @ var_hat @ h))
    else:
        v = h[coord, :]
        num = float(v @ cov_grads @ v)
        den = 2 * (1 + n / big_n) * float(v @ var_hat @ v)
    if den <= 0:
        if not np.isfinite(num):
            raise DataError("power tuning failed: the gradients are not finite")
        return 0.0  # predictions are constant: they carry no information
    lam = num / den
    return float(np.clip(lam, 0.0, 1.0)) if clip else float(lam)
