"""Write the fixed input data for the R survey golden tests (seeded; run once, commit outputs).

Run from the repository root: ``python tests/golden/weighting/make_data.py``; then
``Rscript tests/golden/weighting/make_golden.R`` writes the expected results next to them.

Files written (all in this folder):

* ``sample.csv``: 300 rows: sex, age4, educ3, region4 (categorical), x (continuous auxiliary),
  y (outcome), d (design weight);
* ``margins.csv``: target totals in long form: margin, level, level2, total (N = 10,000);
  margins sex, age4, educ3, region4, sex x age4 (joint); and the total of x;
* ``boot_multiplicities.csv``: 50 Rao-Wu bootstrap replicates (draw n-1 of n with
  replacement), one column per replicate, for the replicate-variance golden test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261126
N_TOTAL = 10_000.0
LEVELS = {
    "sex": ["M", "F"],
    "age4": ["a18_29", "a30_44", "a45_64", "a65p"],
    "educ3": ["hs", "some", "ba"],
    "region4": ["NE", "MW", "S", "W"],
}


def main() -> None:
    rng = np.random.default_rng(SEED)
    n = 300
    sample = pd.DataFrame(
        {
            "sex": rng.choice(LEVELS["sex"], n, p=[0.42, 0.58]),
            "age4": rng.choice(LEVELS["age4"], n, p=[0.32, 0.30, 0.25, 0.13]),
            "educ3": rng.choice(LEVELS["educ3"], n, p=[0.25, 0.30, 0.45]),
            "region4": rng.choice(LEVELS["region4"], n, p=[0.2, 0.2, 0.35, 0.25]),
        }
    )
    sample["x"] = np.round(rng.gamma(4.0, 10.0, n), 3)
    sample["y"] = np.round(
        2.0 + 0.05 * sample["x"] + (sample["educ3"] == "ba") * 1.5 + rng.normal(0, 1, n), 4
    )
    sample["d"] = np.round(rng.uniform(20.0, 50.0, n), 4)
    sample.to_csv(HERE / "sample.csv", index=False)

    shares = {
        "sex": [0.49, 0.51],
        "age4": [0.21, 0.25, 0.33, 0.21],
        "educ3": [0.38, 0.30, 0.32],
        "region4": [0.17, 0.21, 0.38, 0.24],
    }
    rows = []
    for name, sh in shares.items():
        for level, s in zip(LEVELS[name], sh, strict=True):
            total = round(s * N_TOTAL, 6)
            rows.append({"margin": name, "level": level, "level2": "", "total": total})
    # a joint sex x age4 table consistent with both 1-way margins (independence + a twist)
    joint = np.outer(shares["sex"], shares["age4"]) * N_TOTAL
    twist = np.array([[1, -1, 1, -1], [-1, 1, -1, 1]]) * 60.0
    joint = joint + twist
    for i, s in enumerate(LEVELS["sex"]):
        for j, a in enumerate(LEVELS["age4"]):
            rows.append({"margin": "sex:age4", "level": s, "level2": a, "total": joint[i, j]})
    x_mean = float(np.average(sample["x"], weights=sample["d"])) * 1.08
    rows.append({"margin": "x", "level": "", "level2": "", "total": round(x_mean, 3) * N_TOTAL})
    pd.DataFrame(rows).to_csv(HERE / "margins.csv", index=False)

    n_rep = 50
    mult = np.zeros((n, n_rep), dtype=np.int64)
    for r in range(n_rep):
        draws = rng.integers(0, n, n - 1)
        mult[:, r] = np.bincount(draws, minlength=n)
    pd.DataFrame(mult, columns=[f"r{r + 1}" for r in range(n_rep)]).to_csv(
        HERE / "boot_multiplicities.csv", index=False
    )


if __name__ == "__main__":
    main()
