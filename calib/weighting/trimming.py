"""Weight trimming with redistribution, keeping the margins as close as the caps allow.

:func:`cap_weights` clips weights to ``[floor, cap]`` and redistributes the clipped mass over
the weights strictly inside, proportionally, until none is out of range (the total is kept).
The cap is ``upper x mean weight`` (``method="ratio"``) or the ``upper`` quantile of the
weights (``method="quantile"``); likewise the optional floor.

:func:`trim` applies the limits to a :class:`WeightResult` while keeping its margins: it first
rakes the rows with the limits as per-row bounds (bounded raking, the minimum-distance
weights that meet the margins inside the limits). When no such weights exist it falls back to
alternating cap -> re-rake (trim-and-rake), ending with a cap step, and reports the margin
loss.

Examples
--------
>>> import numpy as np
>>> cap_weights(np.array([1.0, 1.0, 1.0, 9.0]), upper=2.0).tolist()
[2.0, 2.0, 2.0, 6.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from calib.diagnostics.weights import kish_effective_sample_size
from calib.errors import DataError
from calib.weighting.ipf import ipf
from calib.weighting.result import WeightResult

TrimMethod = Literal["ratio", "quantile"]


def _limits(
    w: np.ndarray, method: str, upper: float | None, lower: float | None
) -> tuple[float, float]:
    positive = w[w > 0]
    if method == "ratio":
        mean = float(w.sum() / max(positive.size, 1))
        cap = np.inf if upper is None else float(upper) * mean
        floor = 0.0 if lower is None else float(lower) * mean
        if upper is not None and upper <= 1:
            raise DataError(f"ratio trimming needs upper > 1 (x mean weight), got {upper}")
    elif method == "quantile":
        for q in (upper, lower):
            if q is not None and not 0 < q < 1:
                raise DataError(f"quantile trimming needs levels in (0, 1), got {q}")
        cap = np.inf if upper is None else float(np.quantile(positive, upper))
        floor = 0.0 if lower is None else float(np.quantile(positive, lower))
    else:
        raise DataError(f"method must be 'ratio' or 'quantile', got {method!r}")
    if floor >= cap:
        raise DataError(f"the floor ({floor:.4g}) is not below the cap ({cap:.4g})")
    return floor, cap


def _clip_redistribute(w: np.ndarray, floor: float, cap: float, max_iter: int = 1000) -> np.ndarray:
    total = w.sum()
    out = w.copy()
    fixed = np.zeros(w.size, dtype=bool)
    zero = w <= 0
    for _ in range(max_iter):
        high, low = (out > cap * (1 + 1e-12)) & ~zero, (out < floor * (1 - 1e-12)) & ~zero
        if not (high.any() or low.any()):
            break
        out[high], out[low] = cap, floor
        fixed |= high | low
        free = ~fixed & ~zero
        if not free.any():
            raise DataError(
                f"cannot keep the total {total:.6g} with every weight in [{floor:.4g}, "
                f"{cap:.4g}]: relax the trimming limits"
            )
        out[free] *= (total - out[fixed].sum()) / out[free].sum()
    return out


def cap_weights(
    weights: np.ndarray,
    *,
    method: TrimMethod = "ratio",
    upper: float | None = 5.0,
    lower: float | None = None,
) -> np.ndarray:
    """Clip weights to ``[floor, cap]`` and redistribute the excess; the total is kept.

    Parameters
    ----------
    weights : ndarray
    method : {"ratio", "quantile"}, default="ratio"
        Limits as multiples of the mean weight, or as quantiles of the weights.
    upper, lower : float, optional
        Upper and lower limits (None: no limit on that side).

    Raises
    ------
    DataError
        If the limits are invalid or cannot hold with the total kept.
    """
    w = np.asarray(weights, dtype=float)
    floor, cap = _limits(w, method, upper, lower)
    return _clip_redistribute(w, floor, cap)


@dataclass(eq=False)
class TrimResult:
    """Trimmed weights with what trimming cost.

    Attributes
    ----------
    weights : ndarray
    original : WeightResult
    floor, cap : float
    n_trimmed : int
        Rows at the cap or floor.
    rounds : int
        Sweeps of the bounded raking, or trim-and-rake rounds.
    margin_loss : float
        Largest margin deviation after trimming, relative to the target total (0 = margins
        still met).
    margins : DataFrame
        Target, untrimmed and trimmed totals of every margin cell.
    mode : str
        ``"bounded raking"`` (margins met inside the limits), ``"trim-and-rake"`` (the limits
        and margins conflict; ends with a cap step) or ``"cap"`` (no margins to keep).
    """

    weights: np.ndarray
    original: WeightResult
    floor: float
    cap: float
    n_trimmed: int
    rounds: int
    margin_loss: float
    margins: pd.DataFrame
    mode: str = "cap"

    @property
    def ess_before(self) -> float:
        """Kish effective sample size before trimming."""
        return kish_effective_sample_size(self.original.weights)

    @property
    def ess_after(self) -> float:
        """Kish effective sample size after trimming."""
        return kish_effective_sample_size(self.weights)

    def summary(self) -> str:
        """Limits, rows trimmed, ESS before and after, margin loss."""
        return "\n".join(
            [
                f"Trimming of {self.original.method} weights",
                f"limits [{self.floor:.4g}, {self.cap:.4g}]; rows trimmed {self.n_trimmed}",
                f"Kish ESS {self.ess_before:.1f} -> {self.ess_after:.1f}",
                f"max margin deviation {self.margin_loss:.3g} of the total "
                f"({self.mode}, {self.rounds} rounds)",
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        """Original and trimmed weight per row."""
        return pd.DataFrame({"weight": self.original.weights, "trimmed": self.weights})


def trim(
    result: WeightResult,
    *,
    method: TrimMethod = "ratio",
    upper: float | None = 5.0,
    lower: float | None = None,
    rerake: bool = True,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> TrimResult:
    """Trim a weighting result's weights, re-raking in between to keep the margins.

    Parameters
    ----------
    result : WeightResult
        From a Raker, Calibrator, PostStratifier or PropensityWeighter.
    method, upper, lower
        See :func:`cap_weights`; limits are computed once from the untrimmed weights.
    rerake : bool, default=True
        Keep the margins by bounded raking / trim-and-rake (needs a result that carries its
        margins problem); False only caps and redistributes.
    max_iter : int, default=500
        Sweeps of the bounded raking, and rounds of the trim-and-rake fallback.
    tol : float
        Raking tolerance within each round.

    Examples
    --------
    >>> import pandas as pd
    >>> from calib.schema import Schema, Variable
    >>> from calib.weighting import rake
    >>> schema = Schema([Variable("a", ("x", "y"))])
    >>> res = rake(pd.DataFrame({"a": ["x"] + ["y"] * 9}), {"a": [0.5, 0.5]}, schema=schema)
    >>> out = trim(res, upper=3.0)
    >>> round(out.cap, 6), round(out.margin_loss, 3)
    (3.0, 0.2)
    """
    w0 = np.asarray(result.weights, dtype=float)
    floor, cap = _limits(w0, method, upper, lower)
    w = _clip_redistribute(w0, floor, cap)
    problem = result.problem
    rounds, mode = 1, "cap"
    if rerake and problem is not None and problem.margins:
        indexes = [m.index[problem.inverse] for m in problem.margins]
        targets = [m.target for m in problem.margins]
        positive = w0 > 0
        lo = np.where(positive, floor / np.where(positive, w0, 1.0), 0.0)
        hi = np.where(positive, cap / np.where(positive, w0, 1.0), np.inf)
        bounded = ipf(
            w0,
            indexes,
            targets,
            lower=lo,
            upper=hi,
            tol=tol,
            max_iter=max_iter,
            total=problem.total,
        )
        if bounded.converged:
            w, rounds, mode = bounded.weights, bounded.n_iter, "bounded raking"
        else:
            mode = "trim-and-rake"
            for rounds in range(1, max_iter + 1):  # noqa: B007
                out = ipf(w, indexes, targets, tol=tol, max_iter=1000, total=problem.total)
                w = out.weights
                if w.max() <= cap * (1 + 1e-9) and w[w > 0].min() >= floor * (1 - 1e-9):
                    break
                w = _clip_redistribute(w, floor, cap)
    margins = pd.DataFrame()
    loss = 0.0
    if problem is not None and problem.margins:
        unit_w = np.bincount(problem.inverse, weights=w, minlength=problem.n_units)
        margins = problem.margin_frame(unit_w).rename(columns={"initial": "design"})
        margins["untrimmed"] = result.margins["achieved"].to_numpy()
        loss = problem.max_deviation(unit_w)
    n_trimmed = int(np.sum((w >= cap * (1 - 1e-9)) | ((w <= floor * (1 + 1e-9)) & (w > 0))))
    return TrimResult(
        weights=w,
        original=result,
        floor=floor,
        cap=cap,
        n_trimmed=n_trimmed,
        rounds=rounds,
        margin_loss=loss,
        margins=margins,
        mode=mode,
    )


__all__ = ["TrimResult", "cap_weights", "trim"]
