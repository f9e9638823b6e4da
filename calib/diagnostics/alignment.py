"""Answer-distribution alignment between simulated (LLM) and human answers to the same questions.

Per question and per subgroup: ``1 - TVD``, the Jensen-Shannon divergence, and for ordinal
options the OpinionQA representativeness ``1 - W1 / (N - 1)`` (Santurkar et al. 2023, "Whose
opinions do language models reflect?"), all on weighted answer shares.

Examples
--------
>>> import pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> s = Schema([Variable("sex", ("M", "F"))])
>>> q = Variable("q1", ("agree", "neutral", "disagree"), kind="ordinal")
>>> sim = Population(pd.DataFrame({"sex": ["M", "F"], "q1": ["agree", "agree"]}), s)
>>> hum = Population(pd.DataFrame({"sex": ["M", "F"], "q1": ["agree", "disagree"]}), s)
>>> answer_alignment(sim, hum, [q]).frame.loc[0, "representativeness"]
np.float64(0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calib.diagnostics.distances import jensen_shannon, representativeness, total_variation
from calib.errors import DataError, UnknownVariableError
from calib.population import Population
from calib.schema import Variable, VariableKind


@dataclass(frozen=True)
class AlignmentResult:
    """Alignment table: one row per question and subgroup (see :func:`answer_alignment`)."""

    frame: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The tidy table."""
        return self.frame.copy()

    def summary(self) -> str:
        """Per-question means over subgroups (overall rows only)."""
        overall = self.frame[self.frame["subgroup"] == "all"]
        cols = ["question", "one_minus_tvd", "jensen_shannon", "representativeness"]
        return "Answer alignment (simulated vs human)\n" + overall[cols].to_string(
            index=False, float_format=lambda v: f"{v:.3f}"
        )


def _shares(pop: Population, question: Variable, mask: np.ndarray) -> tuple[np.ndarray, float]:
    if question.name not in pop.data.columns:
        raise UnknownVariableError([question.name], "the population's answers", tuple(pop.data))
    codes = question.codes(pop.data[question.name])[mask]
    w = pop.weights[mask]
    ok = codes >= 0
    counts = np.bincount(codes[ok], weights=w[ok], minlength=question.n_levels)
    ess = float(w[ok].sum() ** 2 / np.square(w[ok]).sum()) if ok.any() else 0.0
    return counts, ess


def answer_alignment(
    simulated: Population,
    human: Population,
    questions: Sequence[Variable],
    by: str | None = None,
    min_n: float = 1.0,
) -> AlignmentResult:
    """Compare answer distributions per question and per level of ``by``.

    Parameters
    ----------
    simulated, human : Population
        The answers are columns of ``.data`` named like the questions; the populations' weights
        are used.
    questions : sequence of Variable
        One per question: its options in order (``kind="ordinal"`` adds representativeness).
    by : str, optional
        A categorical schema variable present in both populations; adds one row per level.
    min_n : float, default=1
        Subgroups where either side has a smaller effective sample size get NaN metrics.

    Returns
    -------
    AlignmentResult

    Raises
    ------
    UnknownVariableError
        If a question column or ``by`` is missing.
    UnknownLevelError
        If an answer is not an option of its question.
    """
    groups: list[tuple[str, np.ndarray, np.ndarray]] = [
        ("all", np.ones(simulated.n, bool), np.ones(human.n, bool))
    ]
    if by is not None:
        for pop in (simulated, human):
            if by not in pop.schema:
                raise UnknownVariableError([by], "the population schema", pop.schema.names)
        for level in simulated.schema[by].levels:
            groups.append(
                (
                    f"{by}={level}",
                    (simulated.data[by] == level).to_numpy(),
                    (human.data[by] == level).to_numpy(),
                )
            )
    rows = []
    for q in questions:
        if not q.is_categorical:
            raise DataError(f"question {q.name!r} needs answer options (a categorical variable)")
        for name, ms, mh in groups:
            cs, ns = _shares(simulated, q, ms)
            ch, nh = _shares(human, q, mh)
            row = {"question": q.name, "subgroup": name, "ess_simulated": ns, "ess_human": nh}
            if ns < min_n or nh < min_n or cs.sum() <= 0 or ch.sum() <= 0:
                row.update(one_minus_tvd=np.nan, jensen_shannon=np.nan, representativeness=np.nan)
            else:
                row["one_minus_tvd"] = 1.0 - float(total_variation(cs, ch))
                row["jensen_shannon"] = float(jensen_shannon(cs, ch))
                row["representativeness"] = (
                    float(representativeness(cs, ch)) if q.kind is VariableKind.ORDINAL else np.nan
                )
            rows.append(row)
    return AlignmentResult(pd.DataFrame(rows))


__all__ = ["AlignmentResult", "answer_alignment"]
