"""Prediction-powered inference for means and proportions (PPI and PPI++).

The gold sample holds real answers ``Y`` and the LLM's predictions ``Yhat`` for the same
respondents; the persona population holds predictions ``Yhat_unlabeled`` only. The PPI estimate
of the population mean is the persona mean of the (``lambda``-scaled) predictions plus the gold
sample's mean prediction error (the *rectifier*):

    theta = mean_w~(lambda Yhat~) + mean_w(Y - lambda Yhat),

with variance ``Var_w~(lambda Yhat~)/N + Var_w(Y - lambda Yhat)/n``. Survey weights on either
side are scaled to mean one; the variances use the linearised (Hajek) form
``w_i (z_i - zbar_w)``, which reduces to ``ppi_py``'s exactly when the weights are equal.

References: Angelopoulos, Bates, Fannjiang, Jordan, Zrnic (2023), Prediction-powered inference,
Science 382; Angelopoulos, Duchi, Zrnic (2023), PPI++, arXiv:2311.01453.

Examples
--------
>>> rng = np.random.default_rng(1)
>>> y = rng.binomial(1, 0.4, 300); yhat = np.clip(y * 0.6 + 0.3 + rng.normal(0, .1, 300), 0, 1)
>>> est = ppi_mean(y, yhat, np.clip(rng.binomial(1, .4, 20000) * .6 + .3, 0, 1))
>>> est.method, 0.3 < est.point < 0.5
('ppi++', True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from calib.correct._arrays import (
    as_2d,
    as_float,
    check_alpha,
    normalized_weights,
    same_length,
    z_value,
)
from calib.estimate import Estimate


def _prepare(Y: Any, Yhat: Any, Yhat_unlabeled: Any, w: Any, w_unlabeled: Any):
    """Checked 2-d arrays; ``wu`` is None for equal persona weights (the fast path)."""
    y = as_2d(as_float(Y, "Y"))
    yh = as_2d(as_float(Yhat, "Yhat"))
    yu = as_2d(as_float(Yhat_unlabeled, "Yhat_unlabeled"))
    n = same_length(("Y", y), ("Yhat", yh))
    if y.shape[1] != yh.shape[1] or yu.shape[1] != y.shape[1]:
        raise_shape(y, yh, yu)
    wn = normalized_weights(w, n, "w")[:, None]
    wu = None
    if w_unlabeled is not None:
        wu = normalized_weights(w_unlabeled, yu.shape[0], "w_unlabeled")[:, None]
    return y, yh, yu, wn, wu


def raise_shape(y: np.ndarray, yh: np.ndarray, yu: np.ndarray) -> None:
    """Raise a DataError about mismatched column counts."""
    from calib.errors import DataError

    raise DataError(
        f"Y, Yhat and Yhat_unlabeled must have the same number of columns, got "
        f"{y.shape[1]}, {yh.shape[1]} and {yu.shape[1]}"
    )


def _persona_moments(yu: np.ndarray, wu: np.ndarray | None):
    """Sufficient statistics of the persona side (weights scaled to mean one).

    Returns ``s1 = sum w y``, ``a = sum w^2 y y'``, ``b = sum w^2 y``, ``c = sum w^2``: every
    persona-side quantity of the PPI mean is a quadratic form in them, so the (possibly
    millions of) persona rows are read a few times only.
    """
    if yu.shape[1] == 1:  # 1-d fast path: single-pass einsum reductions, no temporaries
        # (einsum rather than BLAS dot: threaded BLAS is slow for this on a busy machine)
        v = np.ascontiguousarray(yu[:, 0])
        if wu is None:
            s1 = v.sum()
            vv = np.einsum("i,i->", v, v)
            return np.array([s1]), np.array([[vv]]), np.array([s1]), float(v.size)
        wv = np.ascontiguousarray(wu[:, 0])
        wy = wv * v
        return (
            np.array([wy.sum()]),
            np.array([[np.einsum("i,i->", wy, wy)]]),
            np.array([np.einsum("i,i->", wv, wy)]),
            float(np.einsum("i,i->", wv, wv)),
        )
    if wu is None:
        return yu.sum(0), yu.T @ yu, yu.sum(0), float(yu.shape[0])
    wy = wu * yu
    w2y = wu * wy
    return wy.sum(0), wy.T @ wy, w2y.sum(0), float(np.dot(wu[:, 0], wu[:, 0]))


def _centred_ss(mom, t: np.ndarray) -> np.ndarray:
    """``sum_j w_j^2 (y_j - t)(y_j - t)'`` from the persona moments."""
    _, a, b, c = mom
    return a - np.outer(b, t) - np.outer(t, b) + c * np.outer(t, t)


def _tuned_lambda(y, yh, yu, wn, wu, coord: int | None, mom=None) -> float:
    """PPI++ lambda for the mean (identity Hessian), computed from persona moments.

    Equal to :func:`power_tuning_lambda` on the gradients ``w (Y - theta)``, ``w (Yhat - theta)``
    and ``w~ (Yhat~ - theta)`` (``ppi_py``'s definition), without materialising them.
    """
    mom = _persona_moments(yu, wu) if mom is None else mom
    n, big_n = y.shape[0], yu.shape[0]
    theta = mom[0] / big_n + (wn * (y - yh)).mean(0)
    g = wn * (y - theta)
    gh = wn * (yh - theta)
    gc, ghc = g - g.mean(0), gh - gh.mean(0)
    cov_grads = (gc.T @ ghc + ghc.T @ gc) / n
    # pooled (ddof=1) covariance of w (Yhat - theta) over gold and persona rows
    sum_u = mom[0] - theta * big_n  # sum w~ (yu - theta), sum w~ = N
    total = gh.sum(0) + sum_u
    ss = gh.T @ gh + _centred_ss(mom, theta)
    m = total / (n + big_n)
    var_hat = (ss - (n + big_n) * np.outer(m, m)) / (n + big_n - 1)
    if coord is None:
        num, den = np.trace(cov_grads), 2 * (1 + n / big_n) * np.trace(var_hat)
    else:
        num, den = cov_grads[coord, coord], 2 * (1 + n / big_n) * var_hat[coord, coord]
    if den <= 0:
        return 0.0
    return float(np.clip(num / den, 0.0, 1.0))


def _mean_stats(y, yh, yu, wn, wu, lam: float, mom=None):
    """Point estimate and the two covariance matrices (persona side, gold side) of the mean."""
    mom = _persona_moments(yu, wu) if mom is None else mom
    big_n = yu.shape[0]
    m = mom[0] / big_n
    imputed = lam * m
    rect = (wn * (y - lam * yh)).mean(0)
    zr = wn * (y - lam * yh - rect)
    cov_u = lam**2 * _centred_ss(mom, m) / big_n**2
    cov_r = (zr.T @ zr) / y.shape[0] ** 2
    return imputed + rect, cov_u, cov_r


def _resolve_lambda(y, yh, yu, wn, wu, lam: float | None, coord: int | None, mom=None) -> float:
    if lam is None:
        return _tuned_lambda(y, yh, yu, wn, wu, coord, mom)
    return float(lam)


def ppi_mean_pointestimate(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    lam: float | None = None,
    coord: int | None = None,
    w: Any = None,
    w_unlabeled: Any = None,
) -> np.ndarray | float:
    """The PPI (``lam=1``) or PPI++ (``lam=None``: tuned) estimate of the mean.

    Parameters
    ----------
    Y : array of shape (n,) or (n, d)
        Gold-sample answers.
    Yhat : array of shape (n,) or (n, d)
        The LLM's predictions for the gold respondents.
    Yhat_unlabeled : array of shape (N,) or (N, d)
        The LLM's predictions for the persona population.
    lam : float, optional
        Weight on the predictions; None tunes it (PPI++), 1 is PPI, 0 the classical mean.
    coord : int, optional
        Coordinate whose variance the tuning minimises (default: the trace).
    w, w_unlabeled : array, optional
        Survey weights of the gold sample and of the personas.

    Returns
    -------
    float or ndarray of shape (d,)

    Examples
    --------
    >>> float(ppi_mean_pointestimate([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 0], lam=1))
    0.75
    """
    y, yh, yu, wn, wu = _prepare(Y, Yhat, Yhat_unlabeled, w, w_unlabeled)
    mom = _persona_moments(yu, wu)
    lam_ = _resolve_lambda(y, yh, yu, wn, wu, lam, coord, mom)
    point, _, _ = _mean_stats(y, yh, yu, wn, wu, lam_, mom)
    return float(point[0]) if point.size == 1 else point


def ppi_mean_ci(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    alpha: float = 0.05,
    lam: float | None = None,
    coord: int | None = None,
    w: Any = None,
    w_unlabeled: Any = None,
) -> tuple[Any, Any]:
    """The ``1 - alpha`` prediction-powered confidence interval for the mean (per coordinate).

    Same arguments as :func:`ppi_mean_pointestimate`; ``alpha`` defaults to 0.05 (``ppi_py``'s
    default is 0.1).

    Returns
    -------
    (lower, upper) : floats, or ndarrays of shape (d,)

    Examples
    --------
    >>> lo, hi = ppi_mean_ci([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 0, 1, 0], lam=1)
    >>> bool(lo < 0.75 < hi)
    True
    """
    y, yh, yu, wn, wu = _prepare(Y, Yhat, Yhat_unlabeled, w, w_unlabeled)
    mom = _persona_moments(yu, wu)
    lam_ = _resolve_lambda(y, yh, yu, wn, wu, lam, coord, mom)
    point, cov_u, cov_r = _mean_stats(y, yh, yu, wn, wu, lam_, mom)
    se = np.sqrt(np.diag(cov_u) + np.diag(cov_r))
    z = z_value(alpha)
    lo, hi = point - z * se, point + z * se
    if point.size == 1:
        return float(lo[0]), float(hi[0])
    return lo, hi


def _method_name(lam: float | None) -> str:
    if lam is None:
        return "ppi++"
    if lam == 1:
        return "ppi"
    if lam == 0:
        return "classical"
    return f"ppi(lambda={lam:g})"


def ppi_mean(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    lam: float | None = None,
    w: Any = None,
    w_unlabeled: Any = None,
    quantity: str = "mean",
    subgroup: str = "all",
    truth: float | None = None,
    provenance: Mapping[str, Any] | None = None,
    finite_population: bool = False,
) -> Estimate:
    """The PPI / PPI++ mean as an :class:`~calib.estimate.Estimate`.

    The variance is split into ``gold_sampling`` (the rectifier's) and ``persona_sampling``
    (the imputed persona mean's); ``settings["lambda"]`` holds the ``lambda`` used.

    With ``finite_population=True`` the target is the mean of the finite population made of
    the gold rows plus the unlabeled rows (the gold sample drawn from it by simple random
    sampling without replacement, equal weights): the difference estimator
    ``(sum_G Y + sum_R lam Yhat + N mean_G(Y - lam Yhat)) / M`` with variance
    ``(1 - n/M) S^2(Y - lam Yhat) / n`` (``M = n + N``; Sarndal, Swensson and Wretman 1992,
    Model Assisted Survey Sampling, sec. 6.3). There is then no persona-sampling term: all
    predictions of the population are known.

    Examples
    --------
    >>> est = ppi_mean([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 0, 1, 0], lam=1, quantity="approve")
    >>> est.method, round(est.point, 4)
    ('ppi', 0.75)
    """
    y, yh, yu, wn, wu = _prepare(Y, Yhat, Yhat_unlabeled, w, w_unlabeled)
    if y.shape[1] != 1:
        from calib.errors import DataError

        raise DataError("ppi_mean takes one answer column; use ppi_proportions for categories")
    mom = _persona_moments(yu, wu)
    lam_ = _resolve_lambda(y, yh, yu, wn, wu, lam, None, mom)
    point, cov_u, cov_r = _mean_stats(y, yh, yu, wn, wu, lam_, mom)
    var_u, var_r = float(cov_u[0, 0]), float(cov_r[0, 0])
    if finite_population:
        if w is not None or w_unlabeled is not None:
            from calib.errors import DataError

            raise DataError("finite_population=True assumes equal weights: drop w / w_unlabeled")
        n, big_n = y.shape[0], yu.shape[0]
        resid = y[:, 0] - lam_ * yh[:, 0]
        total = y[:, 0].sum() + lam_ * yu[:, 0].sum() + big_n * resid.mean()
        point = np.array([total / (n + big_n)])
        var_u, var_r = 0.0, float((1 - n / (n + big_n)) * resid.var(ddof=1) / n)
    return Estimate(
        quantity=quantity,
        point=float(point[0]),
        std_error=float(np.sqrt(var_u + var_r)),
        method=_method_name(lam),
        subgroup=subgroup,
        variance_components={"gold_sampling": var_r, "persona_sampling": var_u},
        n={"gold": y.shape[0], "silicon": yu.shape[0]},
        settings={
            "lambda": lam_,
            "tuned": lam is None,
            "gold_weighted": w is not None,
            "silicon_weighted": w_unlabeled is not None,
            "finite_population": finite_population,
        },
        provenance=dict(provenance or {}),
        truth=truth,
    )


def classical_mean(
    Y: Any,
    w: Any = None,
    quantity: str = "mean",
    subgroup: str = "all",
    truth: float | None = None,
) -> Estimate:
    """The gold sample alone: the (weighted, Hajek) mean with its linearised standard error.

    Examples
    --------
    >>> round(classical_mean([1, 0, 1, 1]).point, 2)
    0.75
    """
    y = as_float(Y, "Y", ndim=1)
    wn = normalized_weights(w, y.size, "w")
    point = float(np.mean(wn * y))
    var = float(np.sum((wn * (y - point)) ** 2) / y.size**2)
    return Estimate(
        quantity,
        point,
        float(np.sqrt(var)),
        "classical",
        subgroup=subgroup,
        variance_components={"gold_sampling": var},
        n={"gold": y.size},
        settings={"gold_weighted": w is not None},
        truth=truth,
    )


def silicon_mean(
    Yhat_unlabeled: Any,
    w_unlabeled: Any = None,
    quantity: str = "mean",
    subgroup: str = "all",
    truth: float | None = None,
) -> Estimate:
    """The LLM alone: the persona mean of the predictions, with persona-sampling error only.

    This interval ignores the LLM's bias, which is why it usually fails to cover.

    Examples
    --------
    >>> silicon_mean([0.2, 0.4]).point
    0.3
    """
    yu = as_float(Yhat_unlabeled, "Yhat_unlabeled", ndim=1)
    wu = normalized_weights(w_unlabeled, yu.size, "w_unlabeled")
    point = float(np.mean(wu * yu))
    var = float(np.sum((wu * (yu - point)) ** 2) / yu.size**2)
    return Estimate(
        quantity,
        round(point, 15),
        float(np.sqrt(var)),
        "silicon_raw",
        subgroup=subgroup,
        variance_components={"persona_sampling": var},
        n={"silicon": yu.size},
        truth=truth,
    )


def _one_hot(values: np.ndarray, categories: Sequence[Any], name: str) -> np.ndarray:
    import pandas as pd

    from calib.errors import UnknownLevelError

    codes = pd.Categorical(values, categories=list(categories)).codes
    if np.any(codes < 0):
        unknown = sorted({str(v) for v in np.asarray(values)[codes < 0]})
        raise UnknownLevelError(name, unknown, [str(c) for c in categories])
    out = np.zeros((len(codes), len(categories)))
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _as_category_matrix(x: Any, categories: Sequence[Any], name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 2 and arr.shape[1] == len(categories) and arr.dtype.kind in "fiu":
        return as_float(arr, name, ndim=2)
    return _one_hot(arr.ravel(), categories, name)


def ppi_proportions(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    categories: Sequence[Any],
    lam: float | None = None,
    w: Any = None,
    w_unlabeled: Any = None,
    joint: str = "bonferroni",
    quantity: str = "answer",
    subgroup: str = "all",
    truth: Mapping[Any, float] | None = None,
):
    """PPI / PPI++ for a multi-category answer: a proportion vector with a joint interval.

    Parameters
    ----------
    Y : array of shape (n,)
        Gold answers (category labels).
    Yhat, Yhat_unlabeled : array of shape (n,) / (N,) of labels, or (n, K) / (N, K) of
        probabilities
        The LLM's answers (a category) or option probabilities, for gold and personas.
    categories : sequence
        The K categories, in order.
    joint : {"bonferroni", "chi2"}, default="bonferroni"
        Simultaneous intervals: Bonferroni (``z_{1-alpha/2K}``) or the projection of the Wald
        ellipsoid (``sqrt(chi2_{K-1, 1-alpha})``, Scheffe), so all K intervals cover together
        with probability at least ``1 - alpha``.

    Returns
    -------
    EstimateTable
        One estimate per category (quantity ``"{quantity}={category}"``); each estimate's
        ``conf_int(alpha)`` is the simultaneous interval, ``settings["covariance"]`` the joint
        covariance matrix.

    Examples
    --------
    >>> gold, pred = ["a", "b", "a"], ["a", "a", "a"]
    >>> t = ppi_proportions(gold, pred, ["a", "b", "b", "a"], ["a", "b"], lam=1)
    >>> [round(e.point, 3) for e in t]
    [0.167, 0.833]
    """
    from scipy import stats

    from calib.errors import DataError
    from calib.estimate import EstimateTable

    cats = list(categories)
    if len(cats) < 2:
        raise DataError("ppi_proportions needs at least two categories")
    if joint not in ("bonferroni", "chi2"):
        raise DataError(f"joint must be 'bonferroni' or 'chi2', got {joint!r}")
    y = _one_hot(np.asarray(Y).ravel(), cats, "Y")
    yh = _as_category_matrix(Yhat, cats, "Yhat")
    yu = _as_category_matrix(Yhat_unlabeled, cats, "Yhat_unlabeled")
    y, yh, yu, wn, wu = _prepare(y, yh, yu, w, w_unlabeled)
    lam_ = _resolve_lambda(y, yh, yu, wn, wu, lam, None)
    point, cov_u, cov_r = _mean_stats(y, yh, yu, wn, wu, lam_)
    cov = cov_u + cov_r
    k = len(cats)

    def crit(alpha: float) -> float:
        check_alpha(alpha)
        if joint == "bonferroni":
            return float(stats.norm.ppf(1 - alpha / (2 * k)))
        return float(np.sqrt(stats.chi2.ppf(1 - alpha, k - 1)))

    estimates = []
    for i, cat in enumerate(cats):
        se = float(np.sqrt(cov[i, i]))
        p = float(point[i])

        def interval(alpha: float, p: float = p, se: float = se) -> tuple[float, float]:
            c = crit(alpha)
            return p - c * se, p + c * se

        estimates.append(
            Estimate(
                quantity=f"{quantity}={cat}",
                point=p,
                std_error=se,
                method=_method_name(lam),
                subgroup=subgroup,
                interval=interval,
                variance_components={
                    "gold_sampling": float(cov_r[i, i]),
                    "persona_sampling": float(cov_u[i, i]),
                },
                n={"gold": y.shape[0], "silicon": yu.shape[0]},
                settings={"lambda": lam_, "joint": joint, "categories": cats, "covariance": cov},
                truth=None if truth is None else truth.get(cat),
            )
        )
    return EstimateTable(estimates)


__all__ = [
    "classical_mean",
    "ppi_mean",
    "ppi_mean_ci",
    "ppi_mean_pointestimate",
    "ppi_proportions",
    "silicon_mean",
]
