"""Diagnostics benchmark: calib.diagnose on 1M rows x 8 variables vs balance's ASMD.

Usage: python benchmarks/diagnostics/run.py [DATA_DIR]

Makes the seeded tables if absent (make_data.py), times calib (Population construction, the
full diagnose() with all 28 pairs, bootstrap intervals and the classifier test, and a
marginal-only diagnose comparable to ASMD), runs balance's ``covars().asmd()`` on the same
files in its own venv (/work/venvs/balance, numpy<2), checks the per-level ASMDs agree and
writes benchmarks/results/diagnostics.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_data import LEVELS, NAMES
from make_data import main as make_data

from calib.diagnostics import diagnose
from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target

BALANCE_PY = Path("/work/venvs/balance/bin/python")
ROOT = Path(__file__).resolve().parents[2]


def population(frame: pd.DataFrame, schema: Schema) -> Population:
    data = pd.DataFrame(
        {
            n: pd.Categorical.from_codes(frame[n].to_numpy(), categories=list(schema[n].levels))
            for n in NAMES
        }
    )
    data["weight"] = frame["weight"].to_numpy()
    return Population(data, schema, weights="weight")


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/calib_bench_diag")
    if not (data_dir / "reference.csv").exists():
        make_data(data_dir)
    schema = Schema(
        [
            Variable(n, tuple(str(j) for j in range(k)), kind="ordinal" if k > 2 else "nominal")
            for n, k in zip(NAMES, LEVELS, strict=True)
        ]
    )
    frames = {s: pd.read_csv(data_dir / f"{s}.csv") for s in ("personas", "reference")}
    t0 = time.perf_counter()
    pop = population(frames["personas"], schema)
    ref = population(frames["reference"], schema)
    target = Target.from_microdata(ref)
    t_build = time.perf_counter() - t0

    timings, cpu = {}, {}

    def timed(label, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = diagnose(pop, target, seed=0, **kwargs)
        timings[label], cpu[label] = time.perf_counter() - t0, time.process_time() - c0
        return out

    full = timed("full diagnose (8 margins + 28 pairs, intervals, classifier)")
    timed("diagnose without classifier", classifier=False)
    marg = timed(
        "marginal-only diagnose, no intervals (what ASMD gives)",
        pairs=None,
        classifier=False,
        n_boot=0,
    )

    out = subprocess.run(
        [str(BALANCE_PY), str(Path(__file__).parent / "balance_asmd.py"), str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    bal = json.loads(out.stdout.strip().splitlines()[-1])
    # per-level ASMD agreement: balance names dummy columns like "v1[3]" / "v1[T.3]"
    lv = marg.to_frame("levels")
    diffs = []
    for key, val in bal["asmd"].items():
        for r in lv.itertuples():
            if key in (f"{r.variable}[{r.level}]", f"{r.variable}[T.{r.level}]"):
                diffs.append(abs(val - r.level_asmd))
    lines = [
        "# Diagnostics benchmark: 1,000,000 rows x 8 categorical variables per side",
        "",
        f"Command: `python benchmarks/diagnostics/run.py` (data: seeded `make_data.py`; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, machine shared "
        "with other jobs, so times are upper bounds).",
        "",
        f"Building both calib Populations from the frames: {t_build:.2f} s (not included below).",
        "",
        "| what | wall seconds | CPU seconds (this process) |",
        "|---|---|---|",
    ]
    lines += [f"| calib: {k} | {v:.2f} | {cpu[k]:.2f} |" for k, v in timings.items()]
    lines += [
        f"| balance 0.23: `Sample.from_frame` x2 + `set_target` | {bal['build_seconds']:.2f} | "
        f"{bal['build_cpu']:.2f} |",
        f"| balance 0.23: `covars().asmd()` | {bal['asmd_seconds']:.2f} | {bal['asmd_cpu']:.2f} |",
        "",
        f"Load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(other jobs share the machine; CPU seconds are the load-independent measure).",
        "",
    ]
    key_full = next(iter(timings))
    key_marg = list(timings)[-1]
    lines += [
        "Ratio balance ASMD / calib full diagnose: "
        f"{bal['asmd_seconds'] / timings[key_full]:.2f}x; "
        f"balance ASMD / calib marginal-only: {bal['asmd_seconds'] / timings[key_marg]:.1f}x.",
        "",
        f"Per-level ASMD agreement with balance over {len(diffs)} matched dummy columns: max "
        f"|difference| = {max(diffs) if diffs else float('nan'):.2e}.",
        "",
        f"Full-diagnose classifier AUC {full.classifier['design'].auc:.3f} (20,000 rows per side "
        f"sampled), largest pair TV {full.to_frame('joint')['tv'].max():.3f}.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "diagnostics.md").write_text(text)
    print(text)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
