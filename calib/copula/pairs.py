"""Latent cross-correlation blocks of one pair of variables, from microdata or from a table.

Each function returns a :class:`PairEstimate`: the ``dim_a x dim_b`` block of the latent
correlation matrix for variables ``a`` and ``b`` (see :mod:`calib.copula.margins` for the
latent blocks), with the estimator used.

=====================  =========================================================
pair                   estimator
=====================  =========================================================
ordinal x ordinal      weighted polychoric (thresholds fixed at the margins)
ordinal x numeric      weighted polyserial on normal scores
numeric x numeric      weighted Pearson correlation of normal scores
nominal x ordinal      argmax-block ML (:func:`calib.copula.nominal.fit_nominal_ordinal`)
nominal x numeric      the same, the numeric variable cut into weighted-quantile bins
nominal x nominal      smoothed argmax-block ML (``fit_nominal_nominal``)
=====================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from calib.copula.margins import Margin
from calib.copula.nominal import fit_nominal_nominal, fit_nominal_ordinal
from calib.errors import DataError
from calib.polychoric import distinct_normal_scores, polychoric, polyserial_grouped

__all__ = ["LatentData", "PairEstimate", "latent_data", "pair_from_microdata", "pair_from_table"]


@dataclass(frozen=True)
class PairEstimate:
    """One pair's latent cross-correlation block."""

    block: np.ndarray
    method: str
    rho: float = float("nan")
    std_error: float = float("nan")
    converged: bool = True
    loglik: float = float("nan")
    block_std_error: np.ndarray | None = None


@dataclass(frozen=True)
class LatentData:
    """A variable's microdata in the forms the pair estimators need."""

    codes: np.ndarray | None  # categorical codes, or numeric bin codes
    thresholds: np.ndarray | None  # ordinal thresholds or numeric bin thresholds
    values: np.ndarray | None  # numeric raw values
    scores: np.ndarray | None  # numeric normal scores
    group: np.ndarray | None = None  # numeric: row -> distinct-score group
    group_scores: np.ndarray | None = None  # numeric: score of each group


def latent_data(
    margin: Margin,
    column: np.ndarray,
    weights: np.ndarray,
    n_bins: int = 20,
    max_groups: int = 4000,
) -> LatentData:
    """Prepare one variable's column (codes for categorical, floats for numeric)."""
    if margin.is_categorical:
        return LatentData(np.asarray(column, np.int64), margin.thresholds, None, None)
    x = np.asarray(column, dtype=float)
    uniq, group = distinct_normal_scores(x, weights)
    z = uniq[group]
    cuts = special.ndtri(np.arange(1, n_bins) / n_bins)
    codes = np.searchsorted(cuts, z, side="right")
    share = np.bincount(codes, weights=weights, minlength=n_bins)
    cum = np.cumsum(share)[:-1] / share.sum()
    keep = np.flatnonzero(np.diff(np.concatenate([[0.0], cum, [1.0]])) > 0)
    codes = np.searchsorted(keep, codes)  # drop empty bins (heavy ties)
    cum = np.cumsum(share[keep])[:-1] / share.sum()
    if uniq.size > max_groups:  # weighted-quantile groups of distinct values (ties kept)
        wu = np.bincount(group, weights=weights, minlength=uniq.size)
        cw = np.cumsum(wu)
        binof = np.minimum(((cw - 0.5 * wu) / cw[-1] * max_groups).astype(np.int64), max_groups - 1)
        _, binof = np.unique(binof, return_inverse=True)  # drop empty bins
        group = binof[group]
        wsum = np.bincount(binof, weights=wu)
        uniq = np.bincount(binof, weights=wu * uniq) / np.maximum(wsum, 1e-300)
    return LatentData(codes, special.ndtri(cum), x, z, group.ravel(), uniq)


def _table(a: np.ndarray, b: np.ndarray, na: int, nb: int, w: np.ndarray) -> np.ndarray:
    return np.bincount(a * nb + b, weights=w, minlength=na * nb).reshape(na, nb)


def _n_cells(m: Margin, d: LatentData) -> int:
    return len(m.levels) if m.is_categorical else int(d.thresholds.size + 1)  # type: ignore[union-attr]


def _constant(m: Margin) -> bool:
    return m.is_categorical and int(np.count_nonzero(m.probs)) < 2


def pair_from_microdata(
    ma: Margin,
    mb: Margin,
    da: LatentData,
    db: LatentData,
    weights: np.ndarray,
    n_obs: float,
    *,
    n_sim: int = 2**15,
    seed: int = 0,
) -> PairEstimate:
    """Estimate the latent block of ``(a, b)`` from weighted microdata."""
    if _constant(ma) or _constant(mb):
        return PairEstimate(np.zeros((ma.dim, mb.dim)), "constant variable: zero")
    ka, kb = ma.kind, mb.kind
    if ka == "nominal" or kb == "nominal":
        if ka != "nominal":
            est = pair_from_microdata(mb, ma, db, da, weights, n_obs, n_sim=n_sim, seed=seed)
            se = None if est.block_std_error is None else est.block_std_error.T
            return PairEstimate(
                est.block.T, est.method, est.rho, est.std_error, est.converged, est.loglik, se
            )
        table = _table(da.codes, db.codes, ma.dim, _n_cells(mb, db), weights)  # type: ignore[arg-type]
        return _nominal_table(ma, mb, table, db.thresholds, n_sim, seed, n_obs)
    if ka == "ordinal" and kb == "ordinal":
        table = _table(da.codes, db.codes, len(ma.levels), len(mb.levels), weights)  # type: ignore[arg-type]
        res = polychoric(table, n_obs=n_obs, thresholds=(ma.thresholds, mb.thresholds))
        method = "weighted polychoric"
    elif ka == "numeric" and kb == "numeric":
        za, zb = da.scores, db.scores
        cov = np.cov(za, zb, aweights=weights)
        rho = float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
        se = (1 - rho**2) / np.sqrt(max(n_obs - 3, 1.0))
        return PairEstimate(np.array([[rho]]), "weighted normal-scores correlation", rho, se)
    else:
        num, ordv, om = (da, db, mb) if ka == "numeric" else (db, da, ma)
        ny = len(om.levels)
        cell = num.group * ny + ordv.codes  # type: ignore[operator]
        wc = np.bincount(cell, weights=weights, minlength=num.group_scores.size * ny)  # type: ignore[union-attr]
        keep = np.flatnonzero(wc > 0)
        res = polyserial_grouped(
            num.group_scores[keep // ny],
            keep % ny,
            wc[keep],
            ny,
            n_obs=n_obs,  # type: ignore[index]
        )
        method = "weighted polyserial (normal scores)"
    return PairEstimate(
        np.array([[res.rho]]), method, res.rho, res.std_error, res.converged, res.loglik
    )


def _nominal_table(
    ma: Margin,
    mb: Margin,
    table: np.ndarray,
    b_thresholds: np.ndarray | None,
    n_sim: int,
    seed: int,
    n_obs: float | None = None,
) -> PairEstimate:
    if mb.kind == "nominal":
        fit = fit_nominal_nominal(table, ma.utilities, mb.utilities, n_draws=n_sim, seed=seed)
        block, method = fit.params, "argmax-block ML (nominal x nominal, smoothed)"
    else:
        fit = fit_nominal_ordinal(
            table,
            ma.utilities,
            b_thresholds,  # type: ignore[arg-type]
            n_draws=n_sim,
            seed=seed,
            n_obs=n_obs,
        )
        block, method = fit.params[:, None], "argmax-block ML (nominal x ordinal)"
    se = None if fit.std_errors is None else fit.std_errors.reshape(block.shape)
    return PairEstimate(block, method, float("nan"), float("nan"), fit.converged, fit.loglik, se)


def pair_from_table(
    ma: Margin,
    mb: Margin,
    table: np.ndarray,
    *,
    n_obs: float | None = None,
    n_sim: int = 2**15,
    seed: int = 0,
) -> PairEstimate:
    """Estimate the latent block of ``(a, b)`` from their two-way table (a in rows)."""
    if not (ma.is_categorical and mb.is_categorical):
        raise DataError(
            f"a two-way table needs categorical variables; {ma.name!r} x {mb.name!r} has a "
            "numeric one: bin it, or give its latent correlation instead"
        )
    if _constant(ma) or _constant(mb):
        return PairEstimate(np.zeros((ma.dim, mb.dim)), "constant variable: zero")
    if ma.kind == "nominal":
        return _nominal_table(ma, mb, table, mb.thresholds, n_sim, seed)
    if mb.kind == "nominal":
        est = _nominal_table(mb, ma, table.T, ma.thresholds, n_sim, seed)
        return PairEstimate(est.block.T, est.method, est.rho, converged=est.converged)
    res = polychoric(table, n_obs=n_obs, thresholds=(ma.thresholds, mb.thresholds))
    se = res.std_error if n_obs is not None else float("nan")
    return PairEstimate(
        np.array([[res.rho]]), "polychoric (table)", res.rho, se, res.converged, res.loglik
    )
