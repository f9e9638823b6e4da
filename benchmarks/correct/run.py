"""Speed of calib.correct side by side with ppi_py (PPI++) and PyMC's NUTS (hierarchical model).

Run from the repository root:

    python benchmarks/correct/run.py

writes ``benchmarks/results/correct.md``. Timings are wall-clock medians of repeated runs on
the shared 2-core machine (other jobs may be running: the ratios matter more than the seconds).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from calib.correct import (  # noqa: E402
    HierarchicalCorrector,
    ppi_mean_ci,
    ppi_ols_ci,
    ppi_quantile_ci,
)

OUT = ROOT / "benchmarks" / "results" / "correct.md"


def timed(fn, repeat: int = 5) -> float:
    """Median wall time of ``fn()`` in seconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def ppi_rows() -> list[dict]:
    import ppi_py

    rng = np.random.default_rng(0)
    n, big_n = 2000, 1_000_000
    y = rng.binomial(1, 0.45, n).astype(float)
    yh = np.clip(0.2 + 0.6 * y + rng.normal(0, 0.1, n), 0, 1)
    yu = np.clip(0.2 + 0.6 * rng.binomial(1, 0.45, big_n) + rng.normal(0, 0.1, big_n), 0, 1)
    w = rng.uniform(0.5, 2, n)
    wu = rng.uniform(0.5, 2, big_n)
    rows = []
    cases = {
        "PPI++ mean CI, 1M personas": (
            lambda: ppi_mean_ci(y, yh, yu),
            lambda: ppi_py.ppi_mean_ci(y, yh, yu, alpha=0.05),
        ),
        "PPI++ mean CI, 1M personas, weighted": (
            lambda: ppi_mean_ci(y, yh, yu, w=w, w_unlabeled=wu),
            lambda: ppi_py.ppi_mean_ci(y, yh, yu, alpha=0.05, w=w, w_unlabeled=wu),
        ),
    }
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    xu = np.column_stack([np.ones(200_000), rng.normal(size=200_000)])
    yu_small = yu[:200_000]
    cases["PPI++ OLS CI, 200k personas"] = (
        lambda: ppi_ols_ci(x, y, yh, xu, yu_small),
        lambda: ppi_py.ppi_ols_ci(x, y, yh, xu, yu_small, alpha=0.05),
    )
    yc = rng.normal(size=n)
    yhc = yc + rng.normal(0, 0.5, n)
    yq = rng.normal(size=10_000) * 1.1  # ppi_py builds (N x 5000) float matrices: keep N small
    cases["PPI median CI, 10k personas (5,000-point grid)"] = (
        lambda: ppi_quantile_ci(yc, yhc, yq, 0.5),
        lambda: ppi_py.ppi_quantile_ci(yc, yhc, yq, 0.5, alpha=0.05),
    )
    for name, (ours, ref) in cases.items():
        t_ours, t_ref = timed(ours), timed(ref, repeat=3)
        rows.append({"task": name, "calib_s": t_ours, "ppi_py_s": t_ref, "speedup": t_ref / t_ours})
        print(rows[-1], flush=True)
    return rows


def bayes_rows() -> list[dict]:
    rng = np.random.default_rng(1)
    groups = 50
    shift = rng.normal(0, 0.5, groups)

    def data(n):
        g = rng.integers(0, groups, n)
        y = rng.binomial(1, 0.45, n)
        p = np.clip(0.2 + 0.55 * y + 0.1 * shift[g] + rng.normal(0, 0.1, n), 0.01, 0.99)
        return pd.DataFrame({"y": y, "p": p, "state": [f"g{k:02d}" for k in g]})

    gold, personas = data(2000), data(20000)
    rows = []
    for sampler in ("nutpie", "pymc"):
        from calib.correct import bayes_sampling

        bayes_sampling._COMPILED.clear()
        hc = HierarchicalCorrector("y", "p", groups=["state"], sampler=sampler, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            hc.fit(gold, personas)
            first = time.perf_counter() - t
            est = hc.estimate()[0]
            t = time.perf_counter()
            HierarchicalCorrector("y", "p", groups=["state"], sampler=sampler, seed=1).fit(
                data(2000), personas
            )
            refit = time.perf_counter() - t
        rows.append(
            {
                "task": f"hierarchical binary, 50 groups, 2,000 gold ({sampler})",
                "first_fit_s (incl. compile)": first,
                "refit_s (new data)": refit,
                "max_rhat": est.diagnostics["max_rhat"],
                "min_ess_bulk": est.diagnostics["min_ess_bulk"],
                "divergences": est.diagnostics["divergences"],
            }
        )
        print(rows[-1], flush=True)
    return rows


def table(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    body = "\n".join(
        "| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in r) + " |"
        for r in frame.itertuples(index=False)
    )
    return head + body


def main() -> None:
    import os

    load = os.getloadavg()[0]
    ppi = ppi_rows()
    bayes = bayes_rows()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        f"""# calib.correct benchmarks

Command: `python benchmarks/correct/run.py` (machine: 2 cores shared with other jobs; 1-minute
load average at start {load:.1f}). PPI rows: median of 5 (calib) / 3 (ppi_py 0.2.3) runs after a
warm-up, 2,000 gold respondents; `speedup` = ppi_py time / calib time. Both give the same
intervals (tests/correct/test_ppi_reference.py).

{table(ppi)}

Hierarchical Bayes: `HierarchicalCorrector("y", "p", groups=["state"])`, default sampler
settings (2 chains x 500 draws after 500 tuning steps), 50 groups, 2,000 gold respondents,
20,000 personas. nutpie (default when installed) vs PyMC's own NUTS on the same model. The first
fit includes the PyTensor/numba compile; a refit on new data with the same structure reuses the
compiled model (nutpie `with_data`; PyMC recompiles from its on-disk cache).

{table(bayes)}
"""
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
