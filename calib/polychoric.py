"""Weighted polychoric (ordinal x ordinal) and polyserial (ordinal x continuous) correlation.

Both assume an underlying standard bivariate normal pair cut at thresholds. They are estimated
by the two-step method (Olsson 1979; Olsson, Drasgow and Dorans 1982): thresholds from the
(weighted) margins, then the correlation by maximum likelihood given the thresholds. Survey
weights enter as weighted counts, so a fit with integer weights equals the unweighted fit on
the data with each row repeated ``weight`` times.

Standard errors come from the expected Fisher information of all parameters (thresholds and
``rho``), evaluated at the two-step estimate and divided by ``n_obs``: the number of
independent observations the counts stand for (the table total by default; Kish's effective
sample size for weighted rows). This is Olsson's full-information approximation.

Examples
--------
>>> import numpy as np
>>> from calib.polychoric import polychoric
>>> res = polychoric(np.array([[40.0, 10.0], [10.0, 40.0]]))
>>> round(res.rho, 3)
0.809
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from calib.errors import DataError

__all__ = [
    "CorrelationResult",
    "bvn_cdf",
    "bvn_rectangle_probs",
    "distinct_normal_scores",
    "kish_n",
    "normal_scores",
    "polychoric",
    "polyserial",
    "polyserial_grouped",
    "weighted_polychoric",
]

_BIG = 38.0  # |threshold| beyond which Phi is 0 or 1 in double precision
_RHO_MAX = 0.9999


@dataclass(frozen=True)
class CorrelationResult:
    """A latent (polychoric or polyserial) correlation with its standard error.

    Attributes
    ----------
    rho : float
        Estimated latent correlation.
    std_error : float
        Standard error of ``rho`` (full-information approximation, scaled by ``n_obs``).
    thresholds : tuple of ndarray
        Interior thresholds of the ordinal variable(s) on the standard normal scale.
    loglik : float
        Log-likelihood at ``rho`` per unit of weight (mean log-likelihood).
    n_obs : float
        Number of independent observations the standard error assumes.
    method : str
        ``"polychoric"`` or ``"polyserial"``.
    converged : bool
        Whether the one-dimensional optimiser met its tolerance inside the open interval.
    g2 : float
        Likelihood-ratio statistic of the bivariate-normal model against the saturated table
        (polychoric only, NaN otherwise), on ``df`` degrees of freedom, scaled by ``n_obs``.
    df : int
        Degrees of freedom of ``g2``.
    notes : tuple of str
        Dropped empty levels, grouping of continuous values and other remarks.
    """

    rho: float
    std_error: float
    thresholds: tuple[np.ndarray, ...]
    loglik: float
    n_obs: float
    method: str
    converged: bool
    g2: float = float("nan")
    df: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def conf_int(self, alpha: float = 0.05) -> tuple[float, float]:
        """Wald interval on Fisher's z scale, mapped back (stays inside (-1, 1))."""
        z = stats.norm.ppf(1 - alpha / 2)
        r = float(np.clip(self.rho, -_RHO_MAX, _RHO_MAX))
        centre = np.arctanh(r)
        half = z * self.std_error / (1 - r**2)
        return float(np.tanh(centre - half)), float(np.tanh(centre + half))

    @property
    def p_value_gof(self) -> float:
        """p-value of the G² test of bivariate normality (NaN when not available)."""
        if not np.isfinite(self.g2) or self.df <= 0:
            return float("nan")
        return float(stats.chi2.sf(self.g2, self.df))

    def to_dict(self) -> dict:
        """Plain-Python dictionary of the result."""
        out = asdict(self)
        out["thresholds"] = [t.tolist() for t in self.thresholds]
        return out

    def summary(self) -> str:
        """A short text table."""
        lo, hi = self.conf_int()
        lines = [
            f"{self.method} correlation",
            f"  rho        {self.rho: .4f}   (SE {self.std_error:.4f}; 95% CI {lo:.4f}, {hi:.4f})",
            f"  n_obs      {self.n_obs:.1f}",
            f"  converged  {self.converged}",
        ]
        if np.isfinite(self.g2):
            lines.append(f"  G² = {self.g2:.3f} on {self.df} df (p = {self.p_value_gof:.4f})")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


# --- bivariate normal ---------------------------------------------------------------------


def bvn_cdf(h: np.ndarray | float, k: np.ndarray | float, rho: float) -> np.ndarray:
    """Standard bivariate normal CDF ``P(X <= h, Y <= k)`` with correlation ``rho``.

    Uses Owen's (1956) identity with Owen's T function, exact to double precision and
    vectorised; infinite limits are allowed.

    Examples
    --------
    >>> round(float(bvn_cdf(0.0, 0.0, 0.5)), 9)  # 1/4 + asin(0.5)/(2 pi) = 1/3
    0.333333333
    """
    h = np.clip(np.asarray(h, dtype=float), -_BIG, _BIG)
    k = np.clip(np.asarray(k, dtype=float), -_BIG, _BIG)
    h, k = np.broadcast_arrays(h, k)
    r = float(np.clip(rho, -_RHO_MAX - 9e-5, _RHO_MAX + 9e-5))
    s = np.sqrt(1.0 - r * r)
    hh = np.where(h == 0.0, 1e-12, h)
    kk = np.where(k == 0.0, 1e-12, k)
    t1 = special.owens_t(hh, (kk - r * hh) / (hh * s))
    t2 = special.owens_t(kk, (hh - r * kk) / (kk * s))
    beta = np.where(hh * kk > 0, 0.0, 0.5)
    out = 0.5 * (special.ndtr(hh) + special.ndtr(kk)) - t1 - t2 - beta
    return np.clip(out, 0.0, 1.0)


def _bvn_pdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    one = 1.0 - rho * rho
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * one)) / (2 * np.pi * np.sqrt(one))


def _extend(t: np.ndarray) -> np.ndarray:
    return np.concatenate([[-_BIG], np.clip(t, -_BIG, _BIG), [_BIG]])


def bvn_rectangle_probs(a: np.ndarray, b: np.ndarray, rho: float) -> np.ndarray:
    """Cell probabilities of the table cut by interior thresholds ``a`` (rows), ``b`` (cols).

    Returns an array of shape ``(len(a) + 1, len(b) + 1)`` summing to 1.
    """
    ea, eb = _extend(np.asarray(a, float)), _extend(np.asarray(b, float))
    grid = bvn_cdf(ea[:, None], eb[None, :], rho)
    grid[0, :] = 0.0
    grid[:, 0] = 0.0
    grid[-1, :] = special.ndtr(eb)
    grid[:, -1] = special.ndtr(ea)
    grid[-1, -1] = 1.0
    grid[-1, 0] = grid[0, -1] = 0.0
    p = np.diff(np.diff(grid, axis=0), axis=1)
    return np.maximum(p, 1e-300)


def _rectangle_dprho(a: np.ndarray, b: np.ndarray, rho: float) -> np.ndarray:
    ea, eb = _extend(a), _extend(b)
    dens = _bvn_pdf(ea[:, None], eb[None, :], rho)
    return np.diff(np.diff(dens, axis=0), axis=1)


# --- helpers ------------------------------------------------------------------------------


def kish_n(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w * w))


def _thresholds(margin: np.ndarray) -> np.ndarray:
    cum = np.cumsum(margin)[:-1] / margin.sum()
    return special.ndtri(np.clip(cum, 1e-300, 1 - 1e-16))


def normal_scores(x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Normal scores ``Phi^{-1}(F_w(x))`` with the weighted mid-rank empirical CDF.

    Ties share one score; the scores are the latent values a Gaussian copula assigns to a
    continuous variable with its exact weighted empirical margin.
    """
    scores, inv = distinct_normal_scores(x, weights)
    return scores[inv]


def distinct_normal_scores(
    x: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Normal score of each distinct value of ``x`` (ascending) and each row's distinct index.

    Uses hashing (``pandas.factorize``) and sorts only the distinct values, so it costs
    O(n + u log u) for ``n`` rows with ``u`` distinct values.
    """
    x = np.asarray(x, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    inv, uniq = pd.factorize(x, sort=True)
    wu = np.bincount(inv, weights=w, minlength=uniq.size)
    cum = np.cumsum(wu)
    mid = (cum - 0.5 * wu) / cum[-1]
    return special.ndtri(mid), inv


def _drop_empty(table: np.ndarray) -> tuple[np.ndarray, list[str]]:
    notes = []
    rows = table.sum(axis=1) > 0
    cols = table.sum(axis=0) > 0
    if not rows.all():
        notes.append(f"dropped empty row level(s) {np.flatnonzero(~rows).tolist()}")
    if not cols.all():
        notes.append(f"dropped empty column level(s) {np.flatnonzero(~cols).tolist()}")
    table = table[rows][:, cols]
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise DataError(
            f"a polychoric correlation needs at least two non-empty levels on each side; the "
            f"table has {table.shape[0]} x {table.shape[1]} non-empty levels. Drop the constant "
            "variable from the correlation model."
        )
    return table, notes


def _numeric_info(
    prob_fn, theta: np.ndarray, step: float = 1e-5
) -> np.ndarray:  # expected information from the Jacobian of the cell probabilities
    p0 = prob_fn(theta)
    jac = np.empty((p0.size, theta.size))
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = step
        jac[:, i] = (prob_fn(theta + e) - prob_fn(theta - e)) / (2 * step)
    return jac.T @ (jac / p0[:, None])


def _se_from_info(info: np.ndarray, n_obs: float) -> float:
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return float("nan")
    v = cov[-1, -1] / n_obs
    return float(np.sqrt(v)) if v > 0 else float("nan")


# --- polychoric ---------------------------------------------------------------------------


def polychoric(
    table: np.ndarray,
    *,
    n_obs: float | None = None,
    thresholds: tuple[np.ndarray, np.ndarray] | None = None,
) -> CorrelationResult:
    """Polychoric correlation of a two-way table of (weighted) counts.

    Parameters
    ----------
    table : array-like of shape (R, C)
        Counts or weighted counts; rows and columns are ordered levels. Empty levels are
        dropped (and noted).
    n_obs : float, optional
        Independent observations behind the table, for the standard error and ``g2``. Default:
        the table total (right for unweighted or frequency-weighted counts; pass Kish's
        effective sample size for survey-weighted counts).
    thresholds : (ndarray, ndarray), optional
        Fixed interior thresholds of rows and columns (e.g. from published 1-way margins that
        the table must honour); then only ``rho`` is estimated and no level is dropped.

    Returns
    -------
    CorrelationResult

    Raises
    ------
    DataError
        If the table has negative or non-finite entries, or fewer than two non-empty levels on
        either side.

    Notes
    -----
    Thresholds ``a_i = Phi^{-1}(cumulative row share)``, ``b_j`` likewise; ``rho`` maximises
    ``sum n_ij log P_ij(rho)`` with ``P_ij`` the bivariate-normal rectangle probabilities
    (Olsson 1979, two-step estimator).

    Examples
    --------
    >>> import numpy as np
    >>> round(polychoric(np.array([[30.0, 20.0], [20.0, 30.0]])).rho, 4)
    0.309
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or not np.all(np.isfinite(t)) or (t < 0).any():
        raise DataError("the table must be a 2-D array of finite, non-negative counts")
    if thresholds is None:
        t, notes = _drop_empty(t)
        a, b = _thresholds(t.sum(axis=1)), _thresholds(t.sum(axis=0))
    else:
        notes = ["thresholds fixed by the caller"]
        a, b = (np.asarray(v, dtype=float) for v in thresholds)
        if (a.size + 1, b.size + 1) != t.shape:
            raise DataError(
                f"thresholds give a {a.size + 1} x {b.size + 1} table but the table is "
                f"{t.shape[0]} x {t.shape[1]}"
            )
    total = float(t.sum())
    if total <= 0:
        raise DataError("the table has no positive count")
    p_hat = t / total

    def negll(r: float) -> float:
        return -float(np.sum(p_hat * np.log(bvn_rectangle_probs(a, b, r))))

    res = optimize.minimize_scalar(
        negll, bounds=(-_RHO_MAX, _RHO_MAX), method="bounded", options={"xatol": 1e-9}
    )
    rho = float(res.x)
    converged = bool(res.success) and abs(rho) < _RHO_MAX - 1e-6
    if not converged and abs(rho) >= _RHO_MAX - 1e-6:
        notes.append("rho is at the boundary |rho| = 0.9999 (a zero-cell pattern): SE is NaN")
    n_obs = total if n_obs is None else float(n_obs)
    na = a.size

    def probs(theta: np.ndarray) -> np.ndarray:
        return bvn_rectangle_probs(theta[:na], theta[na:-1], theta[-1]).ravel()

    theta = np.concatenate([a, b, [rho]])
    if thresholds is None:
        se = _se_from_info(_numeric_info(probs, theta), n_obs) if converged else float("nan")
    else:
        dp = _rectangle_dprho(a, b, rho).ravel()
        info = float(np.sum(dp * dp / bvn_rectangle_probs(a, b, rho).ravel()))
        se = float(1.0 / np.sqrt(info * n_obs)) if converged and info > 0 else float("nan")
    p_fit = bvn_rectangle_probs(a, b, rho)
    mask = p_hat > 0
    g2 = 2.0 * n_obs * float(np.sum(p_hat[mask] * np.log(p_hat[mask] / p_fit[mask])))
    df = t.size - t.shape[0] - t.shape[1]
    return CorrelationResult(
        rho=rho,
        std_error=se,
        thresholds=(a, b),
        loglik=-float(res.fun),
        n_obs=n_obs,
        method="polychoric",
        converged=converged,
        g2=g2,
        df=int(df),
        notes=tuple(notes),
    )


def _codes(x: np.ndarray, n_levels: int | None, name: str) -> tuple[np.ndarray, int]:
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        if not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
            raise DataError(f"{name} must hold integer level codes 0..L-1")
        x = x.astype(np.int64)
    if x.size and x.min() < 0:
        raise DataError(f"{name} has negative codes (missing values): drop or recode them")
    n = int(x.max()) + 1 if n_levels is None else int(n_levels)
    if x.size and x.max() >= n:
        raise DataError(f"{name} has codes >= its {n} levels")
    return x, n


def _weights(weights: np.ndarray | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise DataError(f"weights must be {n} finite non-negative numbers with a positive sum")
    return w


def weighted_polychoric(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    n_levels: tuple[int | None, int | None] = (None, None),
    n_obs: float | None = None,
) -> CorrelationResult:
    """Polychoric correlation of two ordinal code vectors with survey weights.

    The weighted contingency table is built with ``bincount`` and passed to
    :func:`polychoric`; ``n_obs`` defaults to Kish's effective sample size.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0, 0, 1, 1, 1, 0]); y = np.array([0, 1, 1, 1, 0, 0])
    >>> res = weighted_polychoric(x, y, np.array([1, 2, 1, 1, 1, 3.0]))
    >>> res.method
    'polychoric'
    """
    x, nx = _codes(x, n_levels[0], "x")
    y, ny = _codes(y, n_levels[1], "y")
    if x.shape != y.shape:
        raise DataError(f"x and y differ in length ({x.size} vs {y.size})")
    w = _weights(weights, x.size)
    table = np.bincount(x * ny + y, weights=w, minlength=nx * ny).reshape(nx, ny)
    return polychoric(table, n_obs=kish_n(w) if n_obs is None else n_obs)


# --- polyserial ---------------------------------------------------------------------------


def _group_continuous(
    z: np.ndarray, y: np.ndarray, w: np.ndarray, ny: int, max_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str | None]:
    uniq, inv = np.unique(z, return_inverse=True)
    note = None
    if uniq.size > max_groups:
        order = np.argsort(z, kind="stable")
        cw = np.cumsum(w[order])
        bins = np.minimum((cw / cw[-1] * max_groups).astype(np.int64), max_groups - 1)
        inv = np.empty_like(bins)
        inv[order] = bins
        note = (
            f"{uniq.size} distinct continuous values grouped into {max_groups} weighted-quantile "
            "bins at their weighted mean (max_groups)"
        )
    ng = int(inv.max()) + 1
    zw = np.bincount(inv, weights=w * z, minlength=ng)
    wg = np.bincount(inv, weights=w, minlength=ng)
    zg = np.divide(zw, wg, out=np.zeros(ng), where=wg > 0)
    cell = inv * ny + y
    wc = np.bincount(cell, weights=w, minlength=ng * ny)
    keep = np.flatnonzero(wc > 0)
    return zg[keep // ny], keep % ny, wc[keep], note


def polyserial(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    n_levels: int | None = None,
    transform: str = "standardize",
    n_obs: float | None = None,
    max_groups: int = 4000,
) -> CorrelationResult:
    """Polyserial correlation of a continuous ``x`` with an ordinal ``y`` (level codes).

    Parameters
    ----------
    x : array-like of float
        Continuous values.
    y : array-like of int
        Ordinal codes ``0..L-1``.
    weights : array-like, optional
        Survey weights.
    n_levels : int, optional
        Number of levels of ``y`` (default: max code + 1).
    transform : {"standardize", "normal_scores"}, default="standardize"
        How ``x`` is put on the latent normal scale: weighted z-score (the classical model,
        ``x`` normal) or weighted normal scores (a Gaussian copula with the exact empirical
        margin of ``x``).
    n_obs : float, optional
        Observations for the standard error; default Kish's effective sample size.
    max_groups : int, default=4000
        Rows are grouped on distinct ``(x, y)`` pairs (exact). When ``x`` has more distinct
        values than this, they are grouped into weighted-quantile bins at their mean first.

    Returns
    -------
    CorrelationResult

    Notes
    -----
    With ``z`` the latent score of ``x`` and thresholds ``tau`` from the weighted margin of
    ``y``: ``P(y = j | z) = Phi((tau_j - rho z)/s) - Phi((tau_{j-1} - rho z)/s)``,
    ``s = sqrt(1 - rho^2)``; ``rho`` maximises the weighted log-likelihood (Olsson, Drasgow and
    Dorans 1982, two-step).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal((20000, 2)) @ np.linalg.cholesky([[1, .6], [.6, 1]]).T
    >>> y = np.digitize(z[:, 1], [-0.5, 0.7])
    >>> round(polyserial(z[:, 0], y).rho, 1)
    0.6
    """
    xv = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(xv)):
        raise DataError("x has missing or non-finite values: drop or impute them first")
    yv, ny = _codes(y, n_levels, "y")
    if xv.shape != yv.shape:
        raise DataError(f"x and y differ in length ({xv.size} vs {yv.size})")
    w = _weights(weights, xv.size)
    if transform == "standardize":
        mu = np.average(xv, weights=w)
        sd = np.sqrt(np.average((xv - mu) ** 2, weights=w))
        if sd <= 0:
            raise DataError("x is constant: a polyserial correlation is not defined")
        z = (xv - mu) / sd
    elif transform == "normal_scores":
        z = normal_scores(xv, w)
    else:
        raise DataError(f"transform must be 'standardize' or 'normal_scores', not {transform!r}")
    zg, yg, wg, note = _group_continuous(z, yv, w, ny, max_groups)
    return polyserial_grouped(
        zg, yg, wg, ny, n_obs=kish_n(w) if n_obs is None else n_obs, notes=[note] if note else []
    )


def polyserial_grouped(
    zg: np.ndarray,
    yg: np.ndarray,
    wg: np.ndarray,
    n_levels: int,
    *,
    n_obs: float,
    notes: list[str] | None = None,
) -> CorrelationResult:
    """Polyserial correlation from grouped data: latent scores ``zg``, codes ``yg``, weights.

    The sufficient-statistics form of :func:`polyserial`: one entry per distinct
    ``(score, level)`` pair with its summed weight. ``zg`` are already on the latent normal
    scale.
    """
    notes = list(notes or [])
    ny = int(n_levels)
    margin = np.bincount(yg, weights=wg, minlength=ny)
    present = margin > 0
    if present.sum() < 2:
        raise DataError("y has fewer than two non-empty levels: polyserial is not defined")
    if not present.all():
        notes.append(f"dropped empty level(s) {np.flatnonzero(~present).tolist()} of y")
        remap = np.cumsum(present) - 1
        yg, margin, ny = remap[yg], margin[present], int(present.sum())
    tau = _thresholds(margin)
    wsum = wg.sum()

    def cond_probs(taus: np.ndarray, r: float) -> np.ndarray:
        et = _extend(taus)
        s = np.sqrt(1 - r * r)
        hi = special.ndtr((et[yg + 1] - r * zg) / s)
        lo = special.ndtr((et[yg] - r * zg) / s)
        return np.maximum(hi - lo, 1e-300)

    def negll(r: float) -> float:
        return -float(np.sum(wg * np.log(cond_probs(tau, r)))) / wsum

    res = optimize.minimize_scalar(
        negll, bounds=(-_RHO_MAX, _RHO_MAX), method="bounded", options={"xatol": 1e-9}
    )
    rho = float(res.x)
    converged = bool(res.success) and abs(rho) < _RHO_MAX - 1e-6
    n_obs = float(n_obs)

    # Expected information of (tau, rho) for P(y | z), averaged over the weighted z groups:
    # sum over groups and all levels j of w_g * dP_j/dtheta dP_j/dtheta' / P_j.
    zu = np.unique(zg)
    wz = np.bincount(np.searchsorted(zu, zg), weights=wg, minlength=zu.size) / wsum

    def all_probs(theta: np.ndarray) -> np.ndarray:
        et = _extend(theta[:-1])
        s = np.sqrt(1 - theta[-1] ** 2)
        c = special.ndtr((et[None, :] - theta[-1] * zu[:, None]) / s)
        return np.maximum(np.diff(c, axis=1), 1e-300)

    theta = np.concatenate([tau, [rho]])
    p0 = all_probs(theta)
    jac = np.empty((p0.size, theta.size))
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = 1e-5
        jac[:, i] = ((all_probs(theta + e) - all_probs(theta - e)) / 2e-5).ravel()
    weight_cells = np.repeat(wz, ny) / p0.ravel()
    info = jac.T @ (jac * weight_cells[:, None])
    se = _se_from_info(info, n_obs) if converged else float("nan")
    return CorrelationResult(
        rho=rho,
        std_error=se,
        thresholds=(tau,),
        loglik=-float(res.fun),
        n_obs=n_obs,
        method="polyserial",
        converged=converged,
        notes=tuple(notes),
    )
