"""Cross-prediction-powered inference: train the predictor on the gold sample itself.

When no external predictor exists (or the LLM's answers are used as features of a small model
trained on the gold sample), cross-PPI (Zrnic and Candes 2024, Cross-prediction-powered
inference, PNAS 121) splits the gold sample into K folds, fits one model per fold on the other
folds, predicts each gold row with the model that did not see it, and predicts every persona
with all K models. The estimate is ``mean(Yhat~ averaged over models) + mean(Y - Yhat)``, with
variance ``Var(mean_k Yhat~_k)/N + Var(Y - Yhat)/n``.

Examples
--------
>>> from sklearn.linear_model import LinearRegression
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 2)); Y = X @ [1., -1.] + rng.normal(size=200)
>>> yhat, yhat_u = cross_fit(LinearRegression(), X, Y, rng.normal(size=(2000, 2)), seed=1)
>>> yhat_u.shape
(2000, 10)
>>> bool(abs(crossppi_mean(Y, yhat, yhat_u).point) < 0.3)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from calib.correct._arrays import as_float, same_length, z_value
from calib.errors import DataError
from calib.estimate import Estimate


def cross_fit(
    model: Any,
    X: Any,
    Y: Any,
    X_unlabeled: Any,
    n_folds: int = 10,
    seed: int | None = 0,
    proba: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predictions for the gold rows and per-fold predictions for the personas.

    Parameters
    ----------
    model : scikit-learn estimator
        Cloned and fitted once per fold (never mutated).
    X, Y : array
        Gold features and answers.
    X_unlabeled : array
        Persona features.
    n_folds : int, default=10
    seed : int, optional
        Seed of the fold assignment.
    proba : bool, default=False
        Use ``predict_proba(...)[:, 1]`` (binary classifiers) instead of ``predict``.

    Returns
    -------
    yhat : ndarray of shape (n,)
    yhat_unlabeled : ndarray of shape (N, n_folds)
    """
    from sklearn.base import clone

    x = as_float(X, "X", ndim=2)
    y = as_float(Y, "Y", ndim=1)
    xu = as_float(X_unlabeled, "X_unlabeled", ndim=2)
    same_length(("X", x), ("Y", y))
    if not 2 <= n_folds <= y.size:
        raise DataError(f"n_folds must be between 2 and the gold size {y.size}, got {n_folds}")
    folds = np.random.default_rng(seed).permutation(y.size) % n_folds
    yhat = np.empty(y.size)
    yhat_u = np.empty((xu.shape[0], n_folds))
    for k in range(n_folds):
        held = folds == k
        fitted = clone(model).fit(x[~held], y[~held])

        def predict(data: np.ndarray, fitted: Any = fitted) -> np.ndarray:
            return fitted.predict_proba(data)[:, 1] if proba else fitted.predict(data)

        yhat[held] = predict(x[held])
        yhat_u[:, k] = predict(xu)
    return yhat, yhat_u


def _prepare(Y: Any, Yhat: Any, Yhat_unlabeled: Any):
    y = as_float(Y, "Y", ndim=1)
    yh = as_float(Yhat, "Yhat", ndim=1)
    yu = as_float(Yhat_unlabeled, "Yhat_unlabeled", ndim=2)
    same_length(("Y", y), ("Yhat", yh))
    return y, yh, yu.mean(axis=1)


def crossppi_mean_pointestimate(Y: Any, Yhat: Any, Yhat_unlabeled: Any) -> float:
    """The cross-PPI mean; ``Yhat_unlabeled`` has one column per fold model.

    Examples
    --------
    >>> crossppi_mean_pointestimate([1., 0.], [1., 1.], [[0.5, 0.7], [0.5, 0.3]])
    0.0
    """
    y, yh, yu = _prepare(Y, Yhat, Yhat_unlabeled)
    return float(yu.mean() + (y - yh).mean())


def crossppi_mean_ci(
    Y: Any, Yhat: Any, Yhat_unlabeled: Any, alpha: float = 0.05
) -> tuple[float, float]:
    """The ``1 - alpha`` cross-PPI interval for the mean."""
    est = crossppi_mean(Y, Yhat, Yhat_unlabeled)
    z = z_value(alpha)
    return est.point - z * est.std_error, est.point + z * est.std_error


def crossppi_mean(
    Y: Any,
    Yhat: Any,
    Yhat_unlabeled: Any,
    quantity: str = "mean",
    subgroup: str = "all",
    truth: float | None = None,
) -> Estimate:
    """The cross-PPI mean as an :class:`~calib.estimate.Estimate`."""
    y, yh, yu = _prepare(Y, Yhat, Yhat_unlabeled)
    var_u = float(yu.var() / yu.size)
    var_r = float((yh - y).var() / y.size)
    return Estimate(
        quantity=quantity,
        point=float(yu.mean() + (y - yh).mean()),
        std_error=float(np.sqrt(var_u + var_r)),
        method="cross-ppi",
        subgroup=subgroup,
        variance_components={"gold_sampling": var_r, "persona_sampling": var_u},
        n={"gold": y.size, "silicon": yu.size},
        settings={"n_folds": int(np.asarray(Yhat_unlabeled).shape[1])},
        truth=truth,
    )


__all__ = ["cross_fit", "crossppi_mean", "crossppi_mean_ci", "crossppi_mean_pointestimate"]
