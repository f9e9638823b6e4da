"""Synthetic persona and reference tables for the diagnostics benchmark (seeded).

Writes plain CSV files (read by both this environment and the separate ``balance`` venv):
8 categorical variables (2-7 levels, integer codes) and a weight column, 1,000,000 rows per
side. The personas have weak dependence between variables (tilt 0.2), the reference strong
(0.8), so joint distances are large while marginals are close.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

LEVELS = [2, 4, 5, 3, 6, 4, 7, 5]
NAMES = [f"v{i}" for i in range(8)]


def make(n: int, seed: int, tilt: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    cols = {}
    for name, k in zip(NAMES, LEVELS, strict=True):
        x = tilt * latent + rng.normal(size=n)
        cuts = np.quantile(x, np.linspace(0, 1, k + 1)[1:-1])
        cols[name] = np.searchsorted(cuts, x)
    frame = pd.DataFrame(cols)
    frame["weight"] = rng.uniform(0.5, 2.0, n)
    return frame


def main(out: Path, n: int = 1_000_000) -> None:
    out.mkdir(parents=True, exist_ok=True)
    make(n, 1, tilt=0.2).to_csv(out / "personas.csv", index=False)
    make(n, 2, tilt=0.8).to_csv(out / "reference.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/calib_bench_diag"))
