"""Latent correlations of a nominal (argmax) block with another variable, fitted to a table.

A nominal variable ``X`` with ``L`` levels is ``argmax(mu + Z)``, ``Z ~ N(0, I_L)``
(:mod:`calib.copula.margins`). Its association with another variable is the vector (or
matrix) of correlations between the utilities ``Z`` and the other variable's latent(s).

* **nominal x ordinal** (latent ``W`` cut at thresholds ``b``): ``r = corr(Z, W)``. Since ``Z``
  is independent within the block, ``W = r'Z + sqrt(1 - |r|^2) e`` exactly, so given the
  utilities the cell probability is a smooth closed form and the table is the Rao-Blackwellised
  simulator ``T_lj = mean_d 1[X_d = l] (Phi((b_j - r'Z_d)/s) - Phi((b_{j-1} - r'Z_d)/s))`` over
  fixed randomised-QMC draws ``Z_d``. Adding the same amount to every ``r_l`` moves all
  utilities together, which the argmax barely sees; ``r`` is identified by the sum-to-zero
  (effects) normalisation ``sum_l r_l = 0``, leaving ``L - 1`` free parameters, the number of
  association degrees of freedom a binary partner has.
* **nominal x nominal**: ``C = corr(Z_X, Z_Y)``, double-centred ((L1-1)(L2-1) parameters, as
  many as the table's association degrees of freedom), with spectral norm < 1 so the pair is
  positive definite. ``P(Y | Z_X)`` has no closed form, so the second argmax is smoothed with a
  softmax of temperature ``smoothing`` (the logit-smoothed simulator of McFadden 1989).

Both maximise ``sum n_ij log T_ij`` (the pairwise multinomial likelihood) with L-BFGS.

Examples
--------
>>> import numpy as np
>>> from calib.copula.margins import nominal_margin, ordinal_margin
>>> x = nominal_margin("x", ("a", "b", "c"), np.array([0.5, 0.3, 0.2]))
>>> y = ordinal_margin("y", ("lo", "hi"), np.array([0.5, 0.5]))
>>> table = nominal_ordinal_table(x.utilities, y.thresholds, np.array([0.4, -0.1, -0.3]))
>>> fit = fit_nominal_ordinal(table * 1000, x.utilities, y.thresholds)
>>> np.round(fit.params, 1)
array([ 0.4, -0.1, -0.3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from calib.errors import DataError

__all__ = [
    "PairFit",
    "centered_basis",
    "fit_nominal_nominal",
    "fit_nominal_ordinal",
    "nominal_nominal_table",
    "nominal_ordinal_table",
    "qmc_normal",
]


@dataclass(frozen=True)
class PairFit:
    """Fitted latent correlations of one pair involving a nominal block.

    Attributes
    ----------
    params : ndarray
        ``r`` (length ``L``) for nominal x ordinal, ``C`` (``L1 x L2``) for nominal x nominal.
    loglik : float
        Mean log-likelihood per unit of table weight.
    converged : bool
    n_iter : int
    std_errors : ndarray or None
        Standard errors of ``params`` (nominal x ordinal with ``n_obs`` given): inverse
        observed information of the pairwise likelihood, thresholds and utility locations held
        fixed.
    """

    params: np.ndarray
    loglik: float
    converged: bool
    n_iter: int
    std_errors: np.ndarray | None = None


def qmc_normal(dim: int, n: int, seed: int) -> np.ndarray:
    """``n`` scrambled-Sobol standard normal points in ``dim`` dimensions (n a power of 2)."""
    m = int(np.ceil(np.log2(max(n, 2))))
    u = stats.qmc.Sobol(d=dim, scramble=True, seed=seed).random_base2(m)
    return special.ndtri(np.clip(u, 1e-16, 1 - 1e-16))


def centered_basis(n: int) -> np.ndarray:
    """Orthonormal ``n x (n-1)`` basis of the vectors summing to zero."""
    q, _ = np.linalg.qr(np.eye(n) - 1.0 / n)
    return q[:, : n - 1]


def _unit_ball(v: np.ndarray) -> np.ndarray:
    return v / np.sqrt(1.0 + v @ v)


def _spectral_ball(v: np.ndarray) -> np.ndarray:
    # V (I + V'V)^{-1/2}: singular values s -> s / sqrt(1 + s^2) < 1
    vals, vecs = np.linalg.eigh(np.eye(v.shape[1]) + v.T @ v)
    return v @ (vecs / np.sqrt(vals)) @ vecs.T


def nominal_ordinal_table(
    mu: np.ndarray,
    thresholds: np.ndarray,
    r: np.ndarray,
    n_draws: int = 2**15,
    seed: int = 0,
    draws: np.ndarray | None = None,
) -> np.ndarray:
    """Model probability table (nominal levels x ordinal levels) for correlations ``r``."""
    z = qmc_normal(mu.size, n_draws, seed) if draws is None else draws
    x = np.argmax(z + mu[None, :], axis=1)
    onehot = np.zeros((z.shape[0], mu.size))
    onehot[np.arange(z.shape[0]), x] = 1.0
    return _no_table(onehot, z, thresholds, r)


def _no_table(onehot: np.ndarray, z: np.ndarray, thresholds: np.ndarray, r: np.ndarray):
    s = np.sqrt(max(1.0 - float(r @ r), 1e-12))
    cuts = np.concatenate([[-np.inf], thresholds, [np.inf]])
    cdf = special.ndtr((cuts[None, :] - (z @ r)[:, None]) / s)
    return onehot.T @ np.diff(cdf, axis=1) / z.shape[0]


def _check_table(table: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.shape != shape or not np.all(np.isfinite(t)) or (t < 0).any() or t.sum() <= 0:
        raise DataError(
            f"pair table must be a {shape[0]} x {shape[1]} array of non-negative counts with "
            f"positive total; got shape {t.shape}"
        )
    return t / t.sum()


def fit_nominal_ordinal(
    table: np.ndarray,
    mu: np.ndarray,
    thresholds: np.ndarray,
    *,
    n_draws: int = 2**15,
    seed: int = 0,
    n_obs: float | None = None,
) -> PairFit:
    """Fit ``r = corr(utilities, W)`` of a nominal block with an ordinal latent to ``table``.

    With ``n_obs`` (independent observations behind the table) the result carries standard
    errors of ``r``.

    Parameters
    ----------
    table : ndarray of shape (L, C)
        (Weighted) counts, nominal levels in rows.
    mu : ndarray of shape (L,)
        Utility locations of the nominal margin.
    thresholds : ndarray of shape (C - 1,)
        Interior thresholds of the ordinal margin.
    """
    mu = np.asarray(mu, dtype=float)
    p_hat = _check_table(table, (mu.size, np.size(thresholds) + 1))
    z = qmc_normal(mu.size, n_draws, seed)
    onehot = np.zeros((z.shape[0], mu.size))
    onehot[np.arange(z.shape[0]), np.argmax(z + mu[None, :], axis=1)] = 1.0
    basis = centered_basis(mu.size)
    xcode = np.argmax(z + mu[None, :], axis=1)
    cuts = np.concatenate([[-np.inf], np.asarray(thresholds, float), [np.inf]])

    def negll_grad(v: np.ndarray) -> tuple[float, np.ndarray]:
        # T_lj = mean_d 1[X_d = l] (Phi(u_d,j+1) - Phi(u_d,j)), u_dk = (cut_k - r'Z_d) / s
        q = 1.0 + v @ v
        r = basis @ (v / np.sqrt(q))
        s = np.sqrt(max(1.0 - float(r @ r), 1e-12))
        u = (cuts[None, :] - (z @ r)[:, None]) / s
        t = onehot.T @ np.diff(special.ndtr(u), axis=1) / z.shape[0]
        t = np.maximum(t, 1e-300)
        g = p_hat / t  # d(-negll)/dT
        # d(-negll)/du_dk = phi(u_dk) (g[X_d, k-1] - g[X_d, k]) for interior cuts k
        gpad = np.pad(g, ((0, 0), (1, 1)))[xcode]
        a = (
            np.exp(-0.5 * np.minimum(u * u, 1e4))
            / np.sqrt(2 * np.pi)
            * (gpad[:, :-1] - gpad[:, 1:])
        )
        a[:, [0, -1]] = 0.0
        u_fin = np.where(np.isfinite(u), u, 0.0)
        # du_dk/dr = -Z_d / s + u_dk r / s^2
        grad_r = (-(z.T @ a.sum(axis=1)) / s + r * float(np.sum(a * u_fin)) / s**2) / z.shape[0]
        jac = (np.eye(v.size) / np.sqrt(q)) - np.outer(v, v) / q**1.5
        mask = p_hat > 0
        value = -float(np.sum(p_hat[mask] * np.log(t[mask])))
        return value, -(jac.T @ (basis.T @ grad_r))

    res = optimize.minimize(negll_grad, np.zeros(mu.size - 1), jac=True, method="L-BFGS-B")
    se = None
    if n_obs is not None and res.success:
        se = _std_errors(lambda v: negll_grad(v)[1], res.x, basis, float(n_obs))
    return PairFit(basis @ _unit_ball(res.x), -float(res.fun), bool(res.success), int(res.nit), se)


def _std_errors(grad, v: np.ndarray, basis: np.ndarray, n_obs: float) -> np.ndarray | None:
    """SEs of ``r = basis @ unit_ball(v)`` from the Hessian of the mean negative loglik."""
    k, h = v.size, 1e-5
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        hess[:, i] = (grad(v + e) - grad(v - e)) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        cov_v = np.linalg.inv(hess) / n_obs
    except np.linalg.LinAlgError:
        return None
    q = 1.0 + v @ v
    jac = basis @ ((np.eye(k) / np.sqrt(q)) - np.outer(v, v) / q**1.5)
    var = np.diag(jac @ cov_v @ jac.T)
    return np.sqrt(np.where(var > 0, var, np.nan))


def nominal_nominal_table(
    mu_x: np.ndarray,
    mu_y: np.ndarray,
    c: np.ndarray,
    n_draws: int = 2**14,
    seed: int = 0,
    smoothing: float = 0.05,
) -> np.ndarray:
    """Model probability table of two nominal blocks with cross-correlation matrix ``c``."""
    z = qmc_normal(mu_x.size + mu_y.size, n_draws, seed)
    zx, e = z[:, : mu_x.size], z[:, mu_x.size :]
    onehot = np.zeros((z.shape[0], mu_x.size))
    onehot[np.arange(z.shape[0]), np.argmax(zx + mu_x[None, :], axis=1)] = 1.0
    return _nn_table(onehot, zx, e, mu_y, c, smoothing)


def _nn_table(onehot, zx, e, mu_y, c, smoothing):
    vals, vecs = np.linalg.eigh(np.eye(c.shape[1]) - c.T @ c)
    root = (vecs * np.sqrt(np.maximum(vals, 0.0))) @ vecs.T
    util = (zx @ c + e @ root + mu_y[None, :]) / smoothing
    util -= util.max(axis=1, keepdims=True)
    soft = np.exp(util)
    soft /= soft.sum(axis=1, keepdims=True)
    return onehot.T @ soft / zx.shape[0]


def fit_nominal_nominal(
    table: np.ndarray,
    mu_x: np.ndarray,
    mu_y: np.ndarray,
    *,
    n_draws: int = 2**14,
    seed: int = 0,
    smoothing: float = 0.05,
) -> PairFit:
    """Fit the cross-correlation matrix of two nominal blocks to their two-way table."""
    mu_x, mu_y = np.asarray(mu_x, float), np.asarray(mu_y, float)
    lx, ly = mu_x.size, mu_y.size
    p_hat = _check_table(table, (lx, ly))
    z = qmc_normal(lx + ly, n_draws, seed)
    zx, e = z[:, :lx], z[:, lx:]
    onehot = np.zeros((z.shape[0], lx))
    onehot[np.arange(z.shape[0]), np.argmax(zx + mu_x[None, :], axis=1)] = 1.0
    bx, by = centered_basis(lx), centered_basis(ly)
    mask = p_hat > 0

    def to_c(v: np.ndarray) -> np.ndarray:
        return bx @ _spectral_ball(v.reshape(lx - 1, ly - 1)) @ by.T

    def negll(v: np.ndarray) -> float:
        t = _nn_table(onehot, zx, e, mu_y, to_c(v), smoothing)
        return -float(np.sum(p_hat[mask] * np.log(np.maximum(t[mask], 1e-300))))

    res = optimize.minimize(negll, np.zeros((lx - 1) * (ly - 1)), method="L-BFGS-B")
    return PairFit(to_c(res.x), -float(res.fun), bool(res.success), int(res.nit))
