"""Run balance's raking on the benchmark data (executed by bench_weighting.py in balance's venv).

balance needs numpy<2, so it lives in its own virtual environment (/work/venvs/balance).
Usage: ``<venv>/bin/python balance_runner.py <workdir> <repeats>``; reads ``data.npz`` and
``targets.json`` from ``workdir``, writes ``balance_weights.npy`` and ``balance_time.json``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    logging.disable(logging.CRITICAL)
    from balance.weighting_methods.rake import rake

    workdir, repeats = Path(sys.argv[1]), int(sys.argv[2])
    codes = np.load(workdir / "data.npz")["codes"]
    spec = json.loads((workdir / "targets.json").read_text())
    names, levels, shares = spec["names"], spec["levels"], spec["shares"]
    frame = pd.DataFrame(
        {
            n: pd.Categorical.from_codes(codes[:, i], categories=levels[n])
            for i, n in enumerate(names)
        }
    )
    frame["id"] = np.arange(len(frame))
    times, weights = [], None
    for _ in range(repeats + 1):  # the first run is a warm-up and is dropped
        t0 = time.perf_counter()
        # exact target margins: a full-product target table whose weights are the product of
        # the shares (balance's target_margins= would round shares to 1/10,000)
        grid = pd.MultiIndex.from_product([levels[n] for n in names], names=names)
        target = grid.to_frame(index=False)
        for n in names:
            target[n] = pd.Categorical(target[n], categories=levels[n])
        tw = np.ones(len(target))
        for n in names:
            tw = tw * np.asarray(shares[n])[target[n].cat.codes.to_numpy()]
        out = rake(
            frame[names],
            pd.Series(np.ones(len(frame))),
            target,
            pd.Series(tw),
            variables=names,
            transformations=None,
            convergence_rate=1e-13,
            rate_tolerance=0.0,
            max_iteration=2000,
        )
        weights = out["weight"].to_numpy()
        times.append(time.perf_counter() - t0)
    np.save(workdir / "balance_weights.npy", weights)
    (workdir / "balance_time.json").write_text(json.dumps({"times": times[1:]}))


if __name__ == "__main__":
    main()
