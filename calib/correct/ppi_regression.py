"""Prediction-powered inference for linear and logistic regression coefficients.

Notes
-----
PPI for an M-estimator minimises the rectified loss
``lam L~(theta; Yhat~) + L(theta; Y) - lam L(theta; Yhat)`` (persona rows, gold rows with true
answers, gold rows with predictions). Its sandwich covariance is
``H^-1 (n/N lam^2 Var(ghat~) + Var(g - lam ghat)) H^-1 / n`` with per-row gradients ``g``
(Angelopoulos, Duchi, Zrnic 2023, PPI++, Thm. 1); ``lam`` is tuned by
:func:`~calib.correct.power_tuning.power_tuning_lambda` when not given. For least squares the
point estimate is the sum of two weighted least-squares fits (predictions on persona rows plus
the gold residual fit), as in Angelopoulos et al. (2023, Science). Weights are scaled to mean one
per side and multiply the gradients, matching ``ppi_py``'s conventions (so results agree with it
to floating-point precision). As in ``ppi_py``, the interval functions tune ``lambda`` twice
(at the PPI point, then again at the first PPI++ point); the point-estimate functions once.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> X = np.column_stack([np.ones(300), rng.normal(size=300)])
>>> Y = X @ [1., 2.] + rng.normal(size=300)
>>> Xu = np.column_stack([np.ones(3000), rng.normal(size=3000)])
>>> lo, hi = ppi_ols_ci(X, Y, Y + rng.normal(size=300), Xu, Xu @ [1., 2.])
>>> bool(lo[1] < 2 < hi[1])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from calib.correct._arrays import as_float, normalized_weights, same_length, z_value
from calib.correct.power_tuning import power_tuning_lambda
from calib.errors import ConvergenceError, DataError
from calib.estimate import Estimate, EstimateTable


def _prepare(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, w, w_unlabeled):
    x = as_float(X, "X", ndim=2)
    y = as_float(Y, "Y", ndim=1)
    yh = as_float(Yhat, "Yhat", ndim=1)
    xu = as_float(X_unlabeled, "X_unlabeled", ndim=2)
    yu = as_float(Yhat_unlabeled, "Yhat_unlabeled", ndim=1)
    same_length(("X", x), ("Y", y), ("Yhat", yh))
    same_length(("X_unlabeled", xu), ("Yhat_unlabeled", yu))
    if x.shape[1] != xu.shape[1]:
        raise DataError(f"X has {x.shape[1]} columns but X_unlabeled has {xu.shape[1]}")
    wn = normalized_weights(w, y.size, "w")
    wu = normalized_weights(w_unlabeled, yu.size, "w_unlabeled")
    return x, y, yh, xu, yu, wn, wu


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    return coef


def _stats(kind, theta, x, y, yh, xu, yu, wn, wu, use_unlabeled: bool):
    """Gradients (gold/true, gold/predicted, persona/predicted) and the inverse Hessian."""
    n, big_n = y.size, yu.size
    if kind == "ols":
        mu, mu_u = x @ theta, xu @ theta
        curv, curv_u = np.ones(n), np.ones(big_n)
    else:
        mu, mu_u = expit(x @ theta), expit(xu @ theta)
        curv, curv_u = mu * (1 - mu), mu_u * (1 - mu_u)
    grads = (wn * (mu - y))[:, None] * x
    grads_hat = (wn * (mu - yh))[:, None] * x
    grads_hat_u = (wu * (mu_u - yu))[:, None] * xu
    if use_unlabeled:
        hess = ((x * (wn * curv)[:, None]).T @ x + (xu * (wu * curv_u)[:, None]).T @ xu) / (
            n + big_n
        )
    else:
        hess = (x * (wn * curv)[:, None]).T @ x / n
    try:
        inv_h = np.linalg.inv(hess)
    except np.linalg.LinAlgError as exc:
        raise DataError("the design matrix is singular: drop collinear columns of X") from exc
    return grads, grads_hat, grads_hat_u, inv_h


def _ols_point(x, y, yh, xu, yu, wn, wu, lam: float) -> np.ndarray:
    return _wls(xu, lam * yu, wu) + _wls(x, y - lam * yh, wn)


def _logistic_point(x, y, yh, xu, yu, wn, wu, lam: float, tol: float = 1e-10) -> np.ndarray:
    """Newton's method on the rectified logistic loss (convex for lam in [0, 1])."""
    n, big_n = y.size, yu.size
    theta = np.zeros(x.shape[1])
    for _ in range(100):
        mu, mu_u = expit(x @ theta), expit(xu @ theta)
        grad = (
            lam / big_n * xu.T @ (wu * (mu_u - yu))
            - lam / n * x.T @ (wn * (mu - yh))
            + 1 / n * x.T @ (wn * (mu - y))
        )
        hess = (
            lam / big_n * (xu * (wu * mu_u * (1 - mu_u))[:, None]).T @ xu
            + (1 - lam) / n * (x * (wn * mu * (1 - mu))[:, None]).T @ x
        )
        step = np.linalg.solve(hess + 1e-12 * np.eye(len(theta)), grad)
        theta = theta - step
        if np.max(np.abs(step)) < tol:
            return theta
    raise ConvergenceError(
        "PPI logistic regression did not converge in 100 Newton steps: the classes may be "
        "separable; drop or merge the covariates that separate them"
    )


def _point(kind, x, y, yh, xu, yu, wn, wu, lam):
    fn = _ols_point if kind == "ols" else _logistic_point
    return fn(x, y, yh, xu, yu, wn, wu, lam)


def _fit(kind, X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam, coord, w, w_unlabeled,
         refine: bool = True):  # fmt: skip
    """Point, covariance parts, lambda; ``refine`` re-tunes lambda once at the PPI++ point."""
    x, y, yh, xu, yu, wn, wu = _prepare(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, w, w_unlabeled)
    if kind == "logistic":
        for name, arr in (("Y", y), ("Yhat", yh), ("Yhat_unlabeled", yu)):
            if arr.min() < 0 or arr.max() > 1:
                raise DataError(f"{name} must lie in [0, 1] for logistic regression")
    if lam is None:
        theta = _point(kind, x, y, yh, xu, yu, wn, wu, 1.0)
        g, gh, ghu, inv_h = _stats(kind, theta, x, y, yh, xu, yu, wn, wu, True)
        lam = power_tuning_lambda(g, gh, ghu, inv_h, coord=coord, clip=True)
        if refine:
            theta = _point(kind, x, y, yh, xu, yu, wn, wu, lam)
            g, gh, ghu, inv_h = _stats(kind, theta, x, y, yh, xu, yu, wn, wu, True)
            lam = power_tuning_lambda(g, gh, ghu, inv_h, coord=coord, clip=True)
    lam = float(lam)
    theta = _point(kind, x, y, yh, xu, yu, wn, wu, lam)
    g, gh, ghu, inv_h = _stats(kind, theta, x, y, yh, xu, yu, wn, wu, lam != 0)
    n, big_n, d = y.size, yu.size, x.shape[1]
    var_u = np.atleast_2d(np.cov((lam * ghu).T)).reshape(d, d)
    var_r = np.atleast_2d(np.cov((g - lam * gh).T)).reshape(d, d)
    cov_u = inv_h @ (n / big_n * var_u) @ inv_h / n
    cov_r = inv_h @ var_r @ inv_h / n
    return theta, cov_u, cov_r, lam, n, big_n


def ppi_ols_pointestimate(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam=None, coord=None,
                          w=None, w_unlabeled=None) -> np.ndarray:  # fmt: skip
    """PPI / PPI++ least-squares coefficients (``lam=None`` tunes ``lambda``).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0., 1., 2., 3.]])
    >>> (np.round(ppi_ols_pointestimate(X, X[:, 1], X[:, 1], X, X[:, 1], lam=1), 6) + 0.0).tolist()
    [0.0, 1.0]
    """
    args = (X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam, coord, w, w_unlabeled)
    return _fit("ols", *args, refine=False)[0]


def ppi_ols_ci(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, alpha=0.05, lam=None, coord=None,
               w=None, w_unlabeled=None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per-coefficient ``1 - alpha`` PPI / PPI++ intervals for least squares."""
    theta, cov_u, cov_r, *_ = _fit(
        "ols", X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam, coord, w, w_unlabeled
    )
    se = np.sqrt(np.diag(cov_u + cov_r))
    z = z_value(alpha)
    return theta - z * se, theta + z * se


def ppi_logistic_pointestimate(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam=None, coord=None,
                               w=None, w_unlabeled=None) -> np.ndarray:  # fmt: skip
    """PPI / PPI++ logistic-regression coefficients (``lam=None`` tunes ``lambda``).

    ``Y`` is 0/1; ``Yhat`` may be 0/1 answers or probabilities in [0, 1].
    """
    args = (X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam, coord, w, w_unlabeled)
    return _fit("logistic", *args, refine=False)[0]


def ppi_logistic_ci(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, alpha=0.05, lam=None, coord=None,
                    w=None, w_unlabeled=None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Per-coefficient ``1 - alpha`` PPI / PPI++ intervals for logistic regression."""
    theta, cov_u, cov_r, *_ = _fit(
        "logistic", X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam, coord, w, w_unlabeled
    )
    se = np.sqrt(np.diag(cov_u + cov_r))
    z = z_value(alpha)
    return theta - z * se, theta + z * se


def _table(kind, names, *args, lam, coord, w, w_unlabeled) -> EstimateTable:
    theta, cov_u, cov_r, lam_, n, big_n = _fit(kind, *args, lam, coord, w, w_unlabeled)
    labels = list(names) if names is not None else [f"x{i}" for i in range(theta.size)]
    if len(labels) != theta.size:
        raise DataError(f"{len(labels)} names given for {theta.size} coefficients")
    method = "ppi++" if lam is None else ("ppi" if lam == 1 else f"ppi(lambda={lam:g})")
    return EstimateTable(
        Estimate(
            quantity=f"{kind}:{label}",
            point=float(theta[i]),
            std_error=float(np.sqrt(cov_u[i, i] + cov_r[i, i])),
            method=method,
            variance_components={
                "gold_sampling": float(cov_r[i, i]),
                "persona_sampling": float(cov_u[i, i]),
            },
            n={"gold": n, "silicon": big_n},
            settings={"lambda": lam_, "model": kind, "covariance": cov_u + cov_r},
        )
        for i, label in enumerate(labels)
    )


def ppi_ols(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam: float | None = None,
            names: Sequence[str] | None = None, coord: int | None = None, w: Any = None,
            w_unlabeled: Any = None) -> EstimateTable:  # fmt: skip
    """PPI / PPI++ least-squares coefficients as an :class:`EstimateTable` (one per coefficient).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0., 1., 2., 3.]])
    >>> ppi_ols(X, X[:, 1], X[:, 1], X, X[:, 1], lam=1, names=["const", "x"])[1].quantity
    'ols:x'
    """
    return _table("ols", names, X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam=lam, coord=coord,
                  w=w, w_unlabeled=w_unlabeled)  # fmt: skip


def ppi_logistic(X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam: float | None = None,
                 names: Sequence[str] | None = None, coord: int | None = None, w: Any = None,
                 w_unlabeled: Any = None) -> EstimateTable:  # fmt: skip
    """PPI / PPI++ logistic-regression coefficients as an :class:`EstimateTable`."""
    return _table("logistic", names, X, Y, Yhat, X_unlabeled, Yhat_unlabeled, lam=lam,
                  coord=coord, w=w, w_unlabeled=w_unlabeled)  # fmt: skip


__all__ = [
    "ppi_logistic",
    "ppi_logistic_ci",
    "ppi_logistic_pointestimate",
    "ppi_ols",
    "ppi_ols_ci",
    "ppi_ols_pointestimate",
]
