"""Helpers: simulated populations from a known mixed latent Gaussian model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from calib.copula.margins import nominal_margin
from calib.schema import Schema, Variable

EDUC = ("lo", "mid", "hi", "top")
RACE = ("W", "B", "H", "A")
LATENT = ["age", "educ", "sex", "race[W]", "race[B]", "race[H]", "race[A]", "inc"]


def true_correlation() -> np.ndarray:
    r = np.eye(8)

    def put(i: int, j: int, v: float) -> None:
        r[i, j] = r[j, i] = v

    put(0, 1, 0.3)
    put(0, 7, 0.4)
    put(1, 7, 0.5)
    put(2, 7, -0.2)
    put(1, 2, 0.1)
    for k, v in enumerate([0.3, -0.1, -0.25, 0.05]):  # educ x race utilities (sum 0)
        put(1, 3 + k, v)
    for k, v in enumerate([0.2, -0.2, 0.1, -0.1]):  # income x race utilities (sum 0)
        put(7, 3 + k, v)
    return r


def mixed_schema() -> Schema:
    return Schema(
        [
            Variable("age", kind="numeric"),
            Variable("educ", EDUC, kind="ordinal"),
            Variable("sex", ("M", "F")),
            Variable("race", RACE),
            Variable("inc", kind="numeric"),
        ]
    )


def simulate_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 8)) @ np.linalg.cholesky(true_correlation()).T
    race = nominal_margin("race", RACE, np.array([0.6, 0.15, 0.15, 0.1]))
    return pd.DataFrame(
        {
            "age": np.round(18 + 60 / (1 + np.exp(-1.2 * z[:, 0]))),
            "educ": np.array(EDUC)[np.digitize(z[:, 1], [-0.5, 0.4, 1.2])],
            "sex": np.array(["M", "F"])[(z[:, 2] > 0.1).astype(int)],
            "race": np.array(RACE)[race.to_codes(z[:, 3:7])],
            "inc": np.round(np.exp(10 + z[:, 7]), -2),
        }
    )
