"""Seeded inputs shared by the ppi_py golden script and the tests (identical inputs)."""

from __future__ import annotations

import numpy as np


def regression_inputs(seed: int = 20240601) -> dict[str, np.ndarray]:
    """Gold and persona arrays for mean, quantile and regression comparisons."""
    rng = np.random.default_rng(seed)
    n, big_n = 250, 4000
    y = rng.normal(size=n)
    yhat = 0.8 * y + 0.3 + rng.normal(0, 0.6, n)
    yhat_u = 0.8 * rng.normal(size=big_n) + 0.3 + rng.normal(0, 0.6, big_n)
    w = rng.uniform(0.3, 3, n)
    w_u = rng.uniform(0.3, 3, big_n)
    x = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    x_u = np.column_stack([np.ones(big_n), rng.normal(size=(big_n, 2))])
    beta = np.array([-0.2, 1.0, 0.5])
    y_bin = rng.binomial(1, 1 / (1 + np.exp(-x @ beta))).astype(float)
    yhat_bin = np.clip(0.6 * y_bin + 0.2 + rng.normal(0, 0.1, n), 0, 1)
    yhat_bin_u = np.clip(0.6 * rng.binomial(1, 1 / (1 + np.exp(-x_u @ beta))) + 0.2, 0, 1)
    y = y + x[:, 1]  # make the OLS slope non-trivial
    yhat = yhat + 0.8 * x[:, 1]
    yhat_u = yhat_u + 0.8 * x_u[:, 1]
    return {
        "y": y, "yhat": yhat, "yhat_u": yhat_u, "w": w, "w_u": w_u, "x": x, "x_u": x_u,
        "y_bin": y_bin, "yhat_bin": yhat_bin, "yhat_bin_u": yhat_bin_u,
    }  # fmt: skip
