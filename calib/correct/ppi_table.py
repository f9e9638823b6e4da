"""PPI for every subgroup at once, from data frames: one :class:`EstimateTable` per question.

Examples
--------
>>> import pandas as pd
>>> gold = pd.DataFrame({"y": [1, 0, 1, 1, 0, 1], "p": [.9, .2, .6, .8, .3, .7],
...                      "region": ["N", "N", "N", "S", "S", "S"]})
>>> personas = pd.DataFrame({"p": [.8, .3, .6, .7], "region": ["N", "N", "S", "S"]})
>>> t = ppi_table(gold, personas, "y", "p", by="region", methods=("ppi",), min_gold=2)
>>> [e.subgroup for e in t]
['all', 'region=N', 'region=S']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.correct.ppi_mean import classical_mean, ppi_mean, silicon_mean
from calib.errors import DataError, UnknownVariableError
from calib.estimate import Estimate, EstimateTable

METHODS = ("silicon_raw", "classical", "ppi", "ppi++")


def _column(frame: pd.DataFrame, name: str | None, where: str) -> np.ndarray | None:
    if name is None:
        return None
    if name not in frame.columns:
        raise UnknownVariableError([name], where=where, known=list(frame.columns))
    return frame[name].to_numpy(dtype=float)


def ppi_table(
    gold: pd.DataFrame,
    silicon: pd.DataFrame,
    answer: str,
    prediction: str,
    by: str | None = None,
    gold_weight: str | None = None,
    silicon_weight: str | None = None,
    methods: Sequence[str] = METHODS,
    min_gold: int = 20,
) -> EstimateTable:
    """Estimates of the mean of ``answer`` overall and in each level of ``by``.

    Parameters
    ----------
    gold : DataFrame
        Gold respondents: ``answer``, ``prediction`` (the LLM's prediction for them),
        optional ``by`` and ``gold_weight`` columns.
    silicon : DataFrame
        Personas: ``prediction`` and optional ``by`` / ``silicon_weight`` columns.
    methods : sequence of {"silicon_raw", "classical", "ppi", "ppi++"}
    min_gold : int, default=20
        Subgroups with fewer gold respondents are skipped (listed in each estimate's
        ``diagnostics["skipped_subgroups"]``) rather than given unreliable intervals.

    Returns
    -------
    EstimateTable
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise DataError(f"unknown method(s) {bad}: choose from {METHODS}")
    for name, frame in (("gold", gold), ("silicon", silicon)):
        if by is not None and by not in frame.columns:
            raise UnknownVariableError([by], where=f"the {name} frame", known=list(frame.columns))
    groups: list[tuple[str, np.ndarray, np.ndarray]] = [
        ("all", np.ones(len(gold), bool), np.ones(len(silicon), bool))
    ]
    if by is not None:
        for level in sorted(pd.unique(gold[by].astype(object)), key=str):
            groups.append(
                (f"{by}={level}", (gold[by] == level).to_numpy(), (silicon[by] == level).to_numpy())
            )
    y = _column(gold, answer, "the gold frame")
    yh = _column(gold, prediction, "the gold frame")
    yu = _column(silicon, prediction, "the silicon frame")
    w = _column(gold, gold_weight, "the gold frame")
    wu = _column(silicon, silicon_weight, "the silicon frame")
    out: list[Estimate] = []
    skipped = [name for name, g, s in groups if g.sum() < min_gold or s.sum() < 1]
    for name, g, s in groups:
        if name in skipped:
            continue
        wg = None if w is None else w[g]
        ws = None if wu is None else wu[s]
        fns = {
            "silicon_raw": lambda: silicon_mean(yu[s], ws, answer, name),  # noqa: B023
            "classical": lambda: classical_mean(y[g], wg, answer, name),  # noqa: B023
            "ppi": lambda: ppi_mean(y[g], yh[g], yu[s], 1.0, wg, ws, answer, name),  # noqa: B023
            "ppi++": lambda: ppi_mean(y[g], yh[g], yu[s], None, wg, ws, answer, name),  # noqa: B023
        }
        for m in methods:
            est = fns[m]()
            out.append(Estimate(**{**est.__dict__, "diagnostics": {"skipped_subgroups": skipped}}))
    return EstimateTable(out)


__all__ = ["ppi_table"]
