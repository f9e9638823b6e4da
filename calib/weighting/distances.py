"""Calibration distance functions (Deville & Särndal 1992) as ``g = F(u)`` and ``F'(u)``.

``u = x'λ`` is the linear predictor of the calibration equations. Each distance gives the
g-weight as a function of ``u`` and of the bounds ``(L, U)``; the definitions follow R survey's
``cal.linear``, ``cal.raking`` and ``cal.logit`` so the solutions agree:

* linear (GREG): ``g = clip(1 + u, L, U)``;
* raking (exponential): ``g = clip(exp(u), L, U)``;
* logit (bounded): ``g = (L(U-1) + U(1-L)e^{Au}) / (U-1 + (1-L)e^{Au})`` with
  ``A = (U-L) / ((U-1)(1-L))``; needs ``0 <= L < 1 < U < inf``.

Examples
--------
>>> import numpy as np
>>> g, dg = DISTANCES["raking"](np.array([0.0, np.log(2.0)]), 0.0, np.inf)
>>> g.tolist(), dg.tolist()
([1.0, 2.0], [1.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Distance = Callable[[np.ndarray, float, float], tuple[np.ndarray, np.ndarray]]


def linear(u: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Truncated linear distance: ``g = clip(1 + u, L, U)``, derivative 1 inside the bounds."""
    g = 1.0 + u
    inside = (g > lower) & (g < upper)
    return np.clip(g, lower, upper), inside.astype(float)


def raking(u: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Truncated exponential distance: ``g = clip(exp(u), L, U)``."""
    with np.errstate(over="ignore"):
        e = np.exp(u)
    inside = (e > lower) & (e < upper)
    return np.clip(e, lower, upper), np.where(inside, e, 0.0)


def logit(u: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Logit distance: g runs smoothly from ``L`` (u -> -inf) to ``U`` (u -> inf), g(0) = 1."""
    a = (upper - lower) / ((upper - 1.0) * (1.0 - lower))
    # numerically stable form: g = L + (U - L) * sigmoid(A u + c), c = log((1-L)/(U-1))
    z = a * u + np.log((1.0 - lower) / (upper - 1.0))
    s = np.empty_like(z)
    pos = z >= 0
    s[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    s[~pos] = ez / (1.0 + ez)
    g = lower + (upper - lower) * s
    return g, (upper - lower) * a * s * (1.0 - s)


DISTANCES: dict[str, Distance] = {"linear": linear, "raking": raking, "logit": logit}

__all__ = ["DISTANCES", "linear", "logit", "raking"]
