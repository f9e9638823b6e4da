"""Monte Carlo: replicate intervals of a raked mean cover the truth at about the nominal rate.

A biased persona sample (old people over-represented, outcome depends on age) is raked to the
true age and sex margins; the jackknife (20 random groups) interval, which re-runs the raking
in every replicate, should cover the true population mean ~95% of the time. Slow (a few
thousand fits): run with ``-m slow``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target
from calib.weighting import Raker, replicate_weights

SCHEMA = Schema([Variable("age", ("young", "mid", "old")), Variable("sex", ("M", "F"))])
AGE_SHARE = np.array([0.35, 0.4, 0.25])
SEX_SHARE = np.array([0.48, 0.52])
AGE_EFFECT = np.array([0.3, 0.5, 0.8])


@pytest.mark.slow
def test_jackknife_interval_of_raked_mean_covers_truth():
    rng = np.random.default_rng(2026)
    truth = float(AGE_SHARE @ AGE_EFFECT)  # sex has no effect on y
    target = Target.from_margins({"age": AGE_SHARE, "sex": SEX_SHARE}, SCHEMA)
    n, draws, covered = 300, 300, 0
    for _ in range(draws):
        age = rng.choice(3, n, p=[0.15, 0.35, 0.5])  # biased toward old
        sex = rng.choice(2, n, p=[0.6, 0.4])
        y = rng.binomial(1, AGE_EFFECT[age]).astype(float)
        frame = pd.DataFrame(
            {"age": np.array(SCHEMA["age"].levels)[age], "sex": np.array(["M", "F"])[sex]}
        )
        reps = replicate_weights(
            Raker(tol=1e-10),
            Population(frame, SCHEMA),
            target,
            method="jk1",
            n_replicates=20,
            seed=int(rng.integers(1 << 31)),
        )
        covered += reps.mean(y).covers(truth)
    rate = covered / draws
    # 300 draws: binomial SD of the rate ~0.013; allow the jackknife's known small-G bias
    print(f"jackknife coverage {rate:.3f}")
    assert 0.90 <= rate <= 0.99, rate
