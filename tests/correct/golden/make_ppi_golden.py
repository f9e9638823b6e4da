"""Write ppi_py's OLS and logistic PPI/PPI++ intervals on the seeded test inputs to JSON.

Run: ``python tests/correct/golden/make_ppi_golden.py`` (needs ``ppi-python``; its numba
compile takes ~40 s, which is why the default test run reads the stored numbers instead).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ppi_inputs import regression_inputs


def main() -> None:
    import ppi_py

    d = regression_inputs()
    out: dict[str, list] = {"ppi_py_version": "0.2.3"}
    for kind, fn in (("ols", ppi_py.ppi_ols_ci), ("logistic", ppi_py.ppi_logistic_ci)):
        y = d["y"] if kind == "ols" else d["y_bin"]
        yh = d["yhat"] if kind == "ols" else d["yhat_bin"]
        yu = d["yhat_u"] if kind == "ols" else d["yhat_bin_u"]
        for lam in (None, 1.0, 0.5):
            for weighted in (False, True):
                kw = {"w": d["w"], "w_unlabeled": d["w_u"]} if weighted else {}
                lo, hi = fn(d["x"], y, yh, d["x_u"], yu, alpha=0.1, lam=lam, **kw)
                key = f"{kind}|{lam}|{weighted}"
                out[key] = [np.asarray(lo).tolist(), np.asarray(hi).tolist()]
    path = Path(__file__).with_name("ppi_py_regression.json")
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
