"""Interval propagation: variance from the weighting step, the gold sample and the LLM itself.

Three sources of uncertainty feed a corrected estimate:

- ``gold_sampling``: the gold sample is a sample (the PPI rectifier's variance, or the
  posterior spread of a Bayesian model fitted on it);
- ``weighting`` (or ``persona_sampling`` without replicates): the persona weights were
  estimated (raking to margins that are themselves estimates, trimming, ...). Given the
  weighting engine's replicate weights, the persona-side estimate is recomputed under each
  replicate and the replicate variance is used (bootstrap: ``1/R``; JK1: ``(R-1)/R``;
  BRR: ``1/R``; or an explicit ``scale``);
- ``llm_sampling``: the LLM answers at random; with several answers per persona, the
  within-persona variance ``s_j^2 / m_j`` enters the persona mean as
  ``sum_j w_j^2 s_j^2 / m_j / (sum_j w_j)^2``.

The components add up to the total variance reported in ``Estimate.std_error`` and are stored in
``Estimate.variance_components``, so ``Estimate.summary()`` shows their shares.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> y = rng.binomial(1, .5, 200); yh = np.clip(y * .5 + .25, 0, 1)
>>> answers = rng.binomial(1, .5, (1000, 5))          # five LLM answers per persona
>>> reps = rng.exponential(size=(1000, 50))           # replicate persona weights
>>> est = ppi_mean_propagated(y, yh, answers, replicate_weights=reps)
>>> sorted(est.variance_components)
['gold_sampling', 'llm_sampling', 'weighting']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from calib.correct._arrays import as_float, normalized_weights, same_length
from calib.correct.ppi_mean import _mean_stats, _method_name, _prepare, _resolve_lambda
from calib.errors import DataError, WeightError
from calib.estimate import Estimate

_SCALES = {"bootstrap": lambda r: 1.0 / r, "brr": lambda r: 1.0 / r, "jk1": lambda r: (r - 1) / r}


def replicate_variance(
    statistic: Callable[[np.ndarray], float],
    weights: Any,
    replicate_weights: Any,
    kind: str = "bootstrap",
    scale: float | None = None,
    mse: bool = True,
) -> tuple[float, np.ndarray]:
    """Replicate-weight variance of any weighted statistic.

    Parameters
    ----------
    statistic : callable
        ``weights -> float``: re-estimates with one set of weights (e.g.
        ``lambda w: corrector.estimate(weights=w)[0].point``).
    weights : array of shape (N,)
        The full-sample weights.
    replicate_weights : array of shape (N, R)
        One column per replicate (from the weighting engine).
    kind : {"bootstrap", "jk1", "brr"}, default="bootstrap"
        Sets the default ``scale``.
    scale : float, optional
        Multiplier of the sum of squares (overrides ``kind``).
    mse : bool, default=True
        Centre at the full-sample estimate (True) or at the replicates' mean.

    Returns
    -------
    variance : float
    replicates : ndarray of shape (R,)

    Examples
    --------
    >>> x = np.arange(100.0)
    >>> reps = np.random.default_rng(0).poisson(1.0, (100, 400)).astype(float)
    >>> var, _ = replicate_variance(lambda w: np.average(x, weights=w), np.ones(100), reps)
    >>> bool(6 < var < 11)  # the iid variance of the mean is 833.25 / 100
    True
    """
    w = np.asarray(weights, dtype=float).ravel()
    reps = np.asarray(replicate_weights, dtype=float)
    if reps.ndim != 2 or reps.shape[0] != w.size:
        raise WeightError(
            f"replicate_weights must have shape (N={w.size}, R), got {reps.shape}: one column "
            "per replicate"
        )
    if reps.shape[1] < 2:
        raise WeightError("at least two replicate weight columns are needed")
    if np.any(reps < 0) or not np.all(np.isfinite(reps)):
        raise WeightError("replicate weights must be finite and non-negative")
    if scale is None:
        if kind not in _SCALES:
            raise DataError(f"kind must be one of {sorted(_SCALES)}, got {kind!r}")
        scale = _SCALES[kind](reps.shape[1])
    full = float(statistic(w))
    values = np.array([float(statistic(reps[:, r])) for r in range(reps.shape[1])])
    centre = full if mse else values.mean()
    return float(scale * np.sum((values - centre) ** 2)), values


def llm_sampling_variance(answers: Any, w: Any = None) -> float:
    """Variance of the weighted persona mean due to the LLM's own answer randomness.

    Parameters
    ----------
    answers : array of shape (N, m)
        ``m`` answers (0/1 or numeric) per persona; NaN marks a missing answer.
    w : array of shape (N,), optional

    Examples
    --------
    >>> float(llm_sampling_variance([[0, 1], [1, 1]]))
    0.0625
    """
    a = np.asarray(answers, dtype=float)
    if a.ndim != 2:
        raise DataError("answers must be a 2-d array: one row per persona, one column per answer")
    m = np.sum(np.isfinite(a), axis=1)
    if np.any(m == 0):
        raise DataError(f"{int(np.sum(m == 0))} persona(s) have no answers")
    if np.any(m < 2):
        return 0.0 if a.shape[1] == 1 else _raise_single(m)
    s2 = np.nanvar(a, axis=1, ddof=1)
    wn = normalized_weights(w, a.shape[0], "w_unlabeled")
    return float(np.sum(wn**2 * s2 / m) / wn.sum() ** 2)


def _raise_single(m: np.ndarray) -> float:
    raise DataError(
        f"{int(np.sum(m < 2))} persona(s) have a single answer: the LLM-sampling variance needs "
        "at least two answers per persona (or exactly one for all, meaning it is not estimated)"
    )


def add_variance_components(estimate: Estimate, **components: float) -> Estimate:
    """A copy of ``estimate`` with extra variance components and the widened standard error.

    Posterior draws, if any, are dropped: the interval becomes the normal interval of the
    combined variance.

    Examples
    --------
    >>> e = Estimate("q", 0.5, 0.03, "ppi", variance_components={"gold_sampling": 0.0009})
    >>> round(add_variance_components(e, weighting=0.0007).std_error, 3)
    0.04
    """
    comps: dict[str, float] = dict(estimate.variance_components)
    if not comps:
        comps["model"] = float(estimate.std_error) ** 2
    for name, value in components.items():
        if value < 0 or not np.isfinite(value):
            raise DataError(f"variance component {name!r} must be finite and >= 0, got {value}")
        comps[name] = comps.get(name, 0.0) + float(value)
    return replace(
        estimate,
        std_error=float(np.sqrt(sum(comps.values()))),
        variance_components=comps,
        draws=None,
        interval=None,
    )


def ppi_mean_propagated(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    lam: float | None = None,
    w: Any = None,
    w_unlabeled: Any = None,
    replicate_weights: Any = None,
    replicate_kind: str = "bootstrap",
    replicate_scale: float | None = None,
    quantity: str = "mean",
    subgroup: str = "all",
    truth: float | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> Estimate:
    """PPI / PPI++ mean with the variance split into gold, weighting and LLM sampling.

    Parameters
    ----------
    Y, Yhat : array of shape (n,)
        Gold answers and the LLM's predictions for the gold respondents.
    Yhat_unlabeled : array of shape (N,) or (N, m)
        The LLM's answers for the personas; with ``m > 1`` answers per persona their mean is
        the persona's prediction and their spread gives the ``llm_sampling`` component.
    replicate_weights : array of shape (N, R), optional
        Replicate persona weights from the weighting step; when given, the persona-side
        variance is the replicate variance (component ``weighting``) instead of the iid
        formula (component ``persona_sampling``).

    Returns
    -------
    Estimate
        ``variance_components`` holds ``gold_sampling``, ``llm_sampling`` and ``weighting`` or
        ``persona_sampling``; they sum to ``std_error ** 2``.
    """
    answers = as_float(Yhat_unlabeled, "Yhat_unlabeled", ndim=(1, 2))
    answers = answers[:, None] if answers.ndim == 1 else answers
    persona_pred = np.nanmean(answers, axis=1)
    y, yh, yu, wn, wu = _prepare(Y, Yhat, persona_pred, w, w_unlabeled)
    if y.shape[1] != 1:
        raise DataError("ppi_mean_propagated takes one answer column")
    lam_ = _resolve_lambda(y, yh, yu, wn, wu, lam, None)
    point, cov_u, cov_r = _mean_stats(y, yh, yu, wn, wu, lam_)
    llm = lam_**2 * (llm_sampling_variance(answers, w_unlabeled) if answers.shape[1] > 1 else 0.0)
    comps = {"gold_sampling": float(cov_r[0, 0])}
    if replicate_weights is None:
        comps["persona_sampling"] = max(float(cov_u[0, 0]) - llm, 0.0)
    else:
        same_length(
            ("Yhat_unlabeled", answers), ("replicate_weights", np.asarray(replicate_weights))
        )
        base = np.ones(answers.shape[0]) if w_unlabeled is None else np.asarray(w_unlabeled, float)

        def persona_side(weights: np.ndarray) -> float:
            return lam_ * float(np.average(persona_pred, weights=weights))

        var_w, _ = replicate_variance(
            persona_side, base, replicate_weights, kind=replicate_kind, scale=replicate_scale
        )
        comps["weighting"] = max(var_w - llm, 0.0)
    comps["llm_sampling"] = llm
    return Estimate(
        quantity=quantity,
        point=float(point[0]),
        std_error=float(np.sqrt(sum(comps.values()))),
        method=_method_name(lam),
        subgroup=subgroup,
        variance_components=comps,
        n={
            "gold": y.shape[0],
            "silicon": yu.shape[0],
            "llm_answers": int(np.isfinite(answers).sum()),
        },
        settings={
            "lambda": lam_,
            "replicates": None if replicate_weights is None else replicate_kind,
        },
        provenance=dict(provenance or {}),
        truth=truth,
    )


__all__ = [
    "add_variance_components",
    "llm_sampling_variance",
    "ppi_mean_propagated",
    "replicate_variance",
]
