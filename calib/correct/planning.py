"""Gold-budget planning: how many real respondents (and LLM answers) a target precision needs.

Notes
-----
For the PPI++ mean with weight ``lambda``, the variance is
``A / n + B / N`` with ``A = deff_gold * Var(Y - lambda Yhat)`` (gold side) and
``B = deff_silicon * lambda^2 Var(Yhat)`` (persona side); ``deff`` are the weighting design
effects (Kish, ``n sum w^2 / (sum w)^2``, when weights are given). With costs ``c_h`` per human
and ``c_l`` per LLM answer, minimising ``c_h n + c_l N`` subject to a half-width
``h = z sqrt(A/n + B/N)`` gives (Lagrange; the classical two-phase sampling allocation)

    n = (z/h)^2 sqrt(A / c_h) (sqrt(A c_h) + sqrt(B c_l)),
    N = (z/h)^2 sqrt(B / c_l) (sqrt(A c_h) + sqrt(B c_l)),

and a total cost of ``(z/h)^2 (sqrt(A c_h) + sqrt(B c_l))^2``. When ``N`` is capped (the
personas already exist), ``n = A / ((h/z)^2 - B/N)``. ``lambda`` is chosen with the sizes (grid
over [0, 1]), so the plan is never costlier than humans alone (``lambda = 0``). With
``lambda`` optimal and ``N`` large, ``Var(Y - lambda Yhat) = Var(Y) (1 - rho^2)``: a
prediction with correlation ``rho`` saves a share ``rho^2`` of the human interviews. Across
strata, :func:`allocate_gold` applies Neyman allocation with costs
(``n_h ~ N_h S_h / sqrt(c_h)``) to the residual standard deviations.

Examples
--------
>>> plan = plan_gold_budget(0.06, cost_human=20.0, cost_llm=0.01, sigma_y=0.5, rho=0.6)
>>> plan.n_gold < plan.n_gold_classical
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from calib.correct._arrays import kish_deff, z_value
from calib.correct.ppi_mean import _prepare
from calib.errors import DataError, InfeasibleError


@dataclass(frozen=True)
class GoldBudgetPlan:
    """The planned gold and persona sample sizes and their cost."""

    target_width: float
    n_gold: int
    n_silicon: int
    cost: float
    expected_width: float
    n_gold_classical: int
    cost_classical: float
    lam: float
    deff_gold: float
    deff_silicon: float
    gold_variance_unit: float
    silicon_variance_unit: float
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """One row with every field."""
        return pd.DataFrame([asdict(self)])

    def summary(self) -> str:
        """A short text summary."""
        saving = 1 - self.cost / self.cost_classical if self.cost_classical else 0.0
        return (
            f"Target {100 * (1 - self.alpha):.0f}% interval width {self.target_width:.4f}: "
            f"{self.n_gold} human respondents + {self.n_silicon} LLM answers "
            f"(cost {self.cost:,.2f}; expected width {self.expected_width:.4f}).\n"
            f"Humans only: {self.n_gold_classical} respondents (cost {self.cost_classical:,.2f}); "
            f"saving {100 * saving:.0f}%. lambda={self.lam:.3f}, deff gold {self.deff_gold:.2f}, "
            f"deff personas {self.deff_silicon:.2f}."
        )


def _deff(value: Any, name: str) -> float:
    if value is None:
        return 1.0
    if np.ndim(value) == 0:
        d = float(value)
    else:
        d = kish_deff(np.asarray(value, dtype=float))
    if not d >= 1.0 - 1e-12:
        raise DataError(f"{name} must be >= 1 (a design effect) or an array of weights, got {d}")
    return d


def plan_gold_budget(
    target_width: float,
    cost_human: float,
    cost_llm: float,
    *,
    sigma_y: float | None = None,
    rho: float | None = None,
    pilot: tuple[Any, Any, Any] | None = None,
    deff_gold: Any = None,
    deff_silicon: Any = None,
    max_silicon: int | None = None,
    alpha: float = 0.05,
) -> GoldBudgetPlan:
    """The cheapest gold and persona sizes reaching a target interval width for a mean.

    Parameters
    ----------
    target_width : float
        Full width of the ``1 - alpha`` interval (e.g. 0.06 for +-3 points).
    cost_human, cost_llm : float
        Cost of one human response and of one LLM (persona) answer.
    sigma_y, rho : float, optional
        Standard deviation of the answer (``sqrt(p (1 - p))`` for a share) and the
        correlation of the LLM's prediction with it, when there is no pilot.
    pilot : (Y, Yhat, Yhat_unlabeled), optional
        A pilot gold sample with predictions and persona predictions: variances and
        ``lambda`` are estimated from it (overrides ``sigma_y`` / ``rho``).
    deff_gold, deff_silicon : float or array of weights, optional
        Weighting design effects (a number, or weights whose Kish deff is used).
    max_silicon : int, optional
        Personas available (caps ``n_silicon``).
    alpha : float, default=0.05

    Returns
    -------
    GoldBudgetPlan

    Raises
    ------
    InfeasibleError
        When the persona side alone already exceeds the target variance at ``max_silicon``.
    """
    if target_width <= 0 or cost_human <= 0 or cost_llm <= 0:
        raise DataError("target_width, cost_human and cost_llm must be positive")
    z = z_value(alpha)
    d_g, d_s = _deff(deff_gold, "deff_gold"), _deff(deff_silicon, "deff_silicon")
    if pilot is not None:
        y, yh, yu, _, _ = _prepare(*pilot, None, None)
        var_y = float(np.var(y))
        cov_yh = float(np.cov(y[:, 0], yh[:, 0], ddof=0)[0, 1])
        var_h = float(np.var(np.concatenate([yh, yu])))
    else:
        if sigma_y is None or rho is None:
            raise DataError("give sigma_y and rho, or a pilot=(Y, Yhat, Yhat_unlabeled)")
        if not -1 <= rho <= 1 or sigma_y <= 0:
            raise DataError("rho must lie in [-1, 1] and sigma_y be positive")
        var_y = var_h = float(sigma_y) ** 2  # prediction on the answer's scale
        cov_yh = float(rho) * var_y
    h2 = (target_width / 2 / z) ** 2
    lams = np.linspace(0.0, 1.0, 1001)
    a_all = (var_y - 2 * lams * cov_yh + lams**2 * var_h) * d_g
    b_all = lams**2 * var_h * d_s
    if max_silicon is None:
        root = np.sqrt(a_all * cost_human) + np.sqrt(b_all * cost_llm)
        best = int(np.argmin(root))
        a, b = a_all[best], b_all[best]
        n = np.sqrt(a / cost_human) * root[best] / h2
        big_n = np.sqrt(b / cost_llm) * root[best] / h2
    else:
        # personas capped: the lambda (and N <= max_silicon) minimising the cost
        root = np.sqrt(a_all * cost_human) + np.sqrt(b_all * cost_llm)
        big_n_all = np.minimum(np.sqrt(b_all / cost_llm) * root / h2, float(max_silicon))
        slack = h2 - np.divide(b_all, big_n_all, out=np.zeros_like(b_all), where=big_n_all > 0)
        n_all = np.where(slack > 0, a_all / np.where(slack > 0, slack, 1.0), np.inf)
        cost_all = n_all * cost_human + big_n_all * cost_llm
        best = int(np.argmin(cost_all))
        if not np.isfinite(cost_all[best]):
            raise InfeasibleError(
                f"with {max_silicon} personas no allocation reaches the target: widen "
                "target_width or generate more personas"
            )
        a, b, n, big_n = a_all[best], b_all[best], n_all[best], big_n_all[best]
    lam = float(lams[best])
    n_i = int(np.ceil(n))
    n_sil = int(np.ceil(big_n))
    width = 2 * z * float(np.sqrt(a / max(n_i, 1) + (b / n_sil if n_sil else 0.0)))
    n_classical = int(np.ceil(var_y * d_g / h2))
    return GoldBudgetPlan(
        target_width=float(target_width),
        n_gold=n_i,
        n_silicon=n_sil,
        cost=n_i * cost_human + n_sil * cost_llm,
        expected_width=width,
        n_gold_classical=n_classical,
        cost_classical=n_classical * cost_human,
        lam=float(lam),
        deff_gold=d_g,
        deff_silicon=d_s,
        gold_variance_unit=float(a),
        silicon_variance_unit=float(b),
        alpha=float(alpha),
    )


def allocate_gold(
    n_total: int,
    shares: Sequence[float] | pd.Series,
    residual_sd: Sequence[float] | None = None,
    costs: Sequence[float] | None = None,
) -> pd.Series:
    """Allocate ``n_total`` gold respondents to strata (Neyman allocation with costs).

    ``n_h ~ W_h S_h / sqrt(c_h)``, where ``W_h`` is the stratum's population share and ``S_h``
    the standard deviation of the PPI residual ``Y - lambda Yhat`` in it (proportional
    allocation when ``residual_sd`` is None). Integer sizes by largest remainders.

    Examples
    --------
    >>> allocate_gold(100, [0.5, 0.5], residual_sd=[0.1, 0.3]).tolist()
    [25, 75]
    """
    w = (
        pd.Series(shares, dtype=float)
        if not isinstance(shares, pd.Series)
        else shares.astype(float)
    )
    s = np.ones(len(w)) if residual_sd is None else np.asarray(residual_sd, dtype=float)
    c = np.ones(len(w)) if costs is None else np.asarray(costs, dtype=float)
    if len(s) != len(w) or len(c) != len(w):
        raise DataError("shares, residual_sd and costs need one value per stratum")
    if np.any(w < 0) or np.any(s < 0) or np.any(c <= 0) or n_total < 1:
        raise DataError("shares and residual_sd must be >= 0, costs > 0 and n_total >= 1")
    raw = w.to_numpy() * s / np.sqrt(c)
    if raw.sum() <= 0:
        raise DataError("every stratum has zero share or zero residual sd")
    exact = n_total * raw / raw.sum()
    base = np.floor(exact).astype(int)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: n_total - base.sum()]] += 1
    return pd.Series(base, index=w.index, name="n_gold")


__all__ = ["GoldBudgetPlan", "allocate_gold", "plan_gold_budget"]
