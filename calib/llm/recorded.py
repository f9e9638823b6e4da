"""Recorded silicon samples (``../shared/data/silicon_*``) as a tidy :class:`ResponsesTable`.

Reading and validating the files is :mod:`calib.sources.silicon`'s job; this module only
reshapes its ``responses`` frame into the table :func:`~calib.llm.simulate.simulate_survey`
produces, so recorded and freshly simulated answers go through the same correction code.

Each recorded answer gives rows with ``method="recorded"`` (probability 1 for the chosen
option, 0 for the others). Where the session also stated a probability for one option, rows
with ``method="stated"`` carry it (and its complement for two-option questions; the other
options of longer questions are left missing). The options were shown in their listed order,
so ``position`` is the option's index.

Examples
--------
>>> table = read_silicon_responses("pew2013")  # doctest: +SKIP
>>> table.option_shares().head(2)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.llm.responses import COLUMNS, ResponsesTable

RECORDED_MODEL = "recorded LLM session (Anthropic Claude; see PROVENANCE.md)"


def responses_from_silicon(sample: Any) -> ResponsesTable:
    """Reshape a :class:`calib.sources.silicon.SiliconSample` into a ResponsesTable."""
    options = {q.name: tuple(q.options) for q in sample.questions}
    frame = sample.responses
    blocks = []
    for question, opts in options.items():
        sub = frame[frame["question"] == question]
        if sub.empty:
            continue
        n_opt = len(opts)
        rep = sub.loc[sub.index.repeat(n_opt)].reset_index(drop=True)
        option = np.tile(np.array(opts, dtype=object), len(sub))
        answer = rep["answer"].to_numpy(dtype=object)
        valid = pd.notna(rep["answer"]).to_numpy()
        chosen = (answer == option) & valid
        indicator = np.where(valid, chosen.astype(float), np.nan)
        base = {
            "persona_id": rep["persona_id"].to_numpy(),
            "question": question,
            "tier": rep["tier"].to_numpy(),
            "sample": 0,
            "option": option,
            "chosen": chosen,
            "valid": valid,
            "mass_outside": np.nan,
            "position": np.tile(np.arange(n_opt), len(sub)),
            "option_order": " | ".join(opts),
            "raw_text": answer,
            "model": RECORDED_MODEL,
            "params": json.dumps({"source": getattr(sample, "name", "recorded")}),
        }
        blocks.append(
            pd.DataFrame(
                {
                    **base,
                    "probability": indicator,
                    "prob_lower": indicator,
                    "prob_upper": indicator,
                    "method": "recorded",
                }
            )
        )
        stated_of = rep["probability_of"].to_numpy(dtype=object)
        has_stated = pd.notna(rep["probability"]).to_numpy()
        if has_stated.any():
            p = rep["probability"].to_numpy(dtype=float)
            stated = np.where(option == stated_of, p, np.nan)
            if n_opt == 2:
                stated = np.where(option != stated_of, 1.0 - p, stated)
            keep = has_stated
            block = pd.DataFrame(
                {
                    **base,
                    "probability": stated,
                    "prob_lower": stated,
                    "prob_upper": stated,
                    "method": "stated",
                }
            )
            blocks.append(block[keep].reset_index(drop=True))
    if not blocks:
        raise DataError("the recorded sample has no answers to the questions it declares")
    out = pd.concat(blocks, ignore_index=True)
    return ResponsesTable(out.loc[:, list(COLUMNS)])


def read_silicon_responses(
    which: str = "pew2013", data_dir: str | os.PathLike[str] | None = None
) -> ResponsesTable:
    """Read a recorded silicon sample (``"pew2013"`` or ``"2024_states"``) as a ResponsesTable.

    Raises
    ------
    MissingDataFileError
        If the sample's files are not in the data directory.
    """
    from calib.sources import read_silicon_2024_states, read_silicon_pew2013

    readers = {"pew2013": read_silicon_pew2013, "2024_states": read_silicon_2024_states}
    if which not in readers:
        raise DataError(f"unknown recorded sample {which!r}; choose from {sorted(readers)}")
    return responses_from_silicon(readers[which](data_dir))


__all__ = ["RECORDED_MODEL", "read_silicon_responses", "responses_from_silicon"]
