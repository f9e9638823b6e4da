"""Iterative proportional fitting on grouped cells, with optional bounds on the factors.

Plain-array solvers used by :class:`~calib.weighting.raking.Raker`. Each margin step is a
``bincount`` over the cells, so one sweep costs O(cells x margins) whatever the number of rows.

Bounded raking minimises the raking (Kullback-Leibler) distance subject to the margins and to
``lower <= g <= upper``. Its solution has the form ``g = clip(exp(x'λ), lower, upper)`` (the
truncated raking function of Deville & Särndal 1992, the ``calibrate(calfun="raking",
bounds=)`` solution of R survey). Each IPF step here solves its block of the dual exactly:
for every level ``j`` of the margin it finds the factor ``f`` with
``Σ_c d_c clip(u_c f, lower, upper) = t_j`` (piecewise linear in ``f``, solved by sorting the
breakpoints), so the bounds hold at every iteration, not only at the end.

Examples
--------
>>> import numpy as np
>>> idx = [np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])]
>>> targets = [np.array([6.0, 4.0]), np.array([5.0, 5.0])]
>>> out = ipf(np.array([1.0, 2.0, 3.0, 4.0]), idx, targets, tol=1e-12)
>>> out.converged, round(float(out.weights.sum()), 6)
(True, 10.0)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

_RAW_MAX, _RAW_MIN = 1e150, 1e-150


@dataclass
class IPFOutput:
    """Result of :func:`ipf` on cells."""

    weights: np.ndarray
    g: np.ndarray
    converged: bool
    n_iter: int
    history: list[float]


def clipped_factors(
    index: np.ndarray,
    design: np.ndarray,
    raw: np.ndarray,
    lower: float | np.ndarray,
    upper: float | np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """Per margin cell ``j``, the factor ``f`` with ``Σ d clip(raw f, lower, upper) = t_j``.

    ``h_j(f) = Σ_c d_c clip(raw_c f, lower_c, upper_c)`` is continuous, non-decreasing and
    piecewise linear with breakpoints ``lower_c/raw_c`` and ``upper_c/raw_c``; sorting them per
    margin cell gives the exact root. Bounds may be scalars or one per cell. Cells whose
    target is out of reach get the nearest feasible factor.
    """
    size = target.shape[0]
    active = (design > 0) & (raw > 0)
    i, d, u = index[active], design[active], raw[active]
    lo = np.broadcast_to(np.asarray(lower, dtype=float), design.shape)[active]
    hi = np.broadcast_to(np.asarray(upper, dtype=float), design.shape)[active]
    const0 = np.bincount(i, weights=d * lo, minlength=size)
    fin = np.isfinite(hi)
    groups = np.concatenate([i, i[fin]])
    points = np.concatenate([lo / u, hi[fin] / u[fin]])
    dslope = np.concatenate([d * u, -(d * u)[fin]])
    dconst = np.concatenate([-d * lo, (d * hi)[fin]])
    order = np.lexsort((points, groups))
    groups, points, dslope, dconst = groups[order], points[order], dslope[order], dconst[order]
    cs, cc = np.cumsum(dslope), np.cumsum(dconst)
    start = np.searchsorted(groups, groups, side="left")
    base_s, base_c = cs[start] - dslope[start], cc[start] - dconst[start]
    slope_before = cs - dslope - base_s
    const_before = cc - dconst - base_c + const0[groups]
    h = const_before + slope_before * points
    f = np.ones(size)
    hit = np.flatnonzero(h >= target[groups])
    first_groups, pos = np.unique(groups[hit], return_index=True)
    e = hit[pos]
    sb, cb = slope_before[e], const_before[e]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(sb > 0, (target[first_groups] - cb) / sb, points[e])
    f[first_groups] = np.minimum(root, points[e])
    # margin cells whose target lies beyond the last breakpoint
    present = np.unique(groups)
    rest = np.setdiff1d(present, first_groups, assume_unique=True)
    if rest.size:
        last = np.searchsorted(groups, rest, side="right") - 1
        s_end = cs[last] - base_s[last]
        c_end = cc[last] - base_c[last] + const0[rest]
        with np.errstate(divide="ignore", invalid="ignore"):
            f[rest] = np.where(s_end > 0, (target[rest] - c_end) / s_end, points[last])
    return np.maximum(f, 0.0)


def ipf(
    design: np.ndarray,
    indexes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    *,
    lower: float | np.ndarray = 0.0,
    upper: float | np.ndarray = np.inf,
    tol: float = 1e-10,
    max_iter: int = 1000,
    total: float | None = None,
    progress: bool = False,
) -> IPFOutput:
    """Rake cell weights ``design`` to the margins ``(indexes[m], targets[m])``.

    Parameters
    ----------
    design : ndarray of shape (n_cells,)
        Starting weight of each cell.
    indexes : sequence of int ndarray
        For each margin, the margin cell of every cell.
    targets : sequence of ndarray
        For each margin, the target total of every margin cell.
    lower, upper : float or ndarray of shape (n_cells,)
        Bounds on the adjustment factors ``g = w / design`` (default unbounded).
    tol : float
        Stop when every margin is within ``tol * total`` of its target.
    max_iter : int
        Sweep cap; the output is flagged not converged when it is reached.
    total : float, optional
        Scale for ``tol`` (default: the first margin's total).
    progress : bool
        Show a progress bar (only on a TTY).

    Returns
    -------
    IPFOutput
    """
    design = np.asarray(design, dtype=float)
    scale = float(total if total is not None else targets[0].sum()) or 1.0
    bounded = bool(np.any(np.asarray(lower) > 0) or np.any(np.isfinite(upper)))
    raw = np.ones_like(design)
    w = design * np.clip(raw, lower, upper) if bounded else design.copy()
    sizes = [t.shape[0] for t in targets]
    buffer = np.empty_like(design)
    history: list[float] = []
    converged = False
    show = progress and sys.stderr.isatty()
    bar = tqdm(total=max_iter, desc="raking", leave=False) if show else None
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        sweep_dev = 0.0
        for idx, t, size in zip(indexes, targets, sizes, strict=True):
            s = np.bincount(idx, weights=w, minlength=size)
            sweep_dev = max(sweep_dev, float(np.abs(s - t).max()))
            if bounded:
                raw *= clipped_factors(idx, design, raw, lower, upper, t)[idx]
                # an infeasible problem drives the dual to infinity: keep the numbers finite
                np.clip(raw, 0.0, _RAW_MAX, out=raw)
                raw[(raw > 0) & (raw < _RAW_MIN)] = _RAW_MIN
                w = design * np.clip(raw, lower, upper)
            else:
                f = np.divide(t, s, out=np.ones_like(t), where=s > 0)
                np.take(f, idx, out=buffer)
                np.multiply(w, buffer, out=w)
        dev = sweep_dev / scale
        if dev <= tol:
            dev = (
                max(
                    float(np.max(np.abs(np.bincount(i, weights=w, minlength=n) - t)))
                    for i, t, n in zip(indexes, targets, sizes, strict=True)
                )
                / scale
            )
        history.append(dev)
        if bar is not None:
            bar.update(1)
        if dev <= tol:
            converged = True
            break
    if bar is not None:
        bar.close()
    g = np.divide(w, design, out=np.ones_like(w), where=design > 0)
    return IPFOutput(weights=w, g=g, converged=converged, n_iter=n_iter, history=history)


__all__ = ["IPFOutput", "clipped_factors", "ipf"]
