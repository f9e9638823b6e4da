"""The tidy responses table that survey simulation produces and the correction step consumes.

One row per persona x question x sample x option:

============== ==============================================================================
persona_id     the persona
question       question id
tier           persona tier the answer was given in ("meta", "descriptive", ...)
sample         k-th independent sample (0-based)
option         an answer option (canonical text)
probability    the option's probability for this sample: from log-probs or echo scoring, or
               1/0 for the chosen option when sampling; NaN when the answer was invalid
prob_lower,    bounds on ``probability`` (equal to it for exact methods)
prob_upper
chosen         whether the parsed answer is this option
valid          whether the answer could be parsed (invalid: ``option`` rows kept, NaN prob.)
method         "logprobs", "echo", "sampling" or "recorded" / "stated" (recorded samples)
mass_outside   probability on tokens that are no option (log-prob method)
position       0-based position the option was shown in (counterbalancing)
option_order   the presented order, options joined by " | "
raw_text       the model's raw answer
model          model name
params         sampling parameters as JSON
============== ==============================================================================

Examples
--------
>>> table = ResponsesTable.empty()
>>> list(table.to_frame().columns)[:4]
['persona_id', 'question', 'tier', 'sample']
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.errors import DataError

COLUMNS: tuple[str, ...] = (
    "persona_id",
    "question",
    "tier",
    "sample",
    "option",
    "probability",
    "prob_lower",
    "prob_upper",
    "chosen",
    "valid",
    "method",
    "mass_outside",
    "position",
    "option_order",
    "raw_text",
    "model",
    "params",
)


class ResponsesTable:
    """Simulated (or recorded) answers in tidy form.

    Parameters
    ----------
    frame : DataFrame
        Must have every column in :data:`COLUMNS`.
    """

    def __init__(self, frame: pd.DataFrame):
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(f"a responses table needs the column(s) {missing}")
        self._frame = frame.loc[:, list(COLUMNS)].reset_index(drop=True)

    @classmethod
    def empty(cls) -> ResponsesTable:
        return cls(pd.DataFrame({c: [] for c in COLUMNS}))

    @classmethod
    def concat(cls, tables: Sequence[ResponsesTable]) -> ResponsesTable:
        return cls(pd.concat([t.to_frame() for t in tables], ignore_index=True))

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        return f"ResponsesTable({len(self)} rows)"

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table."""
        return self._frame.copy()

    def choices(self) -> pd.DataFrame:
        """One row per persona x question x sample: the chosen option (NaN when invalid)."""
        f = self._frame
        keys = ["persona_id", "question", "tier", "sample"]
        base = f.drop_duplicates(keys)[[*keys, "valid", "raw_text", "model"]]
        chosen = f[f["chosen"].astype(bool)].drop_duplicates(keys)[[*keys, "option"]]
        return base.merge(chosen, on=keys, how="left").reset_index(drop=True)

    def option_shares(
        self, by: Sequence[str] = ("tier", "question"), method: str | None = None
    ) -> pd.DataFrame:
        """Mean option probability over valid answers, by the given columns.

        With several probability methods in the table (e.g. "recorded" and "stated") and no
        ``method`` chosen, ``method`` is added to the grouping so they are never mixed.
        """
        f = self._frame[self._frame["valid"].astype(bool)]
        if method is not None:
            f = f[f["method"] == method]
        keys = list(by)
        if method is None and f["method"].nunique() > 1 and "method" not in keys:
            keys.append("method")
        out = f.groupby([*keys, "option"], sort=False)["probability"].mean()
        return out.rename("share").reset_index()

    def invalid_share(self) -> float:
        """Share of persona x question x sample answers that could not be parsed."""
        choices = self.choices()
        return float(1 - choices["valid"].astype(bool).mean()) if len(choices) else np.nan

    def summary(self) -> str:
        c = self.choices()
        return (
            f"{len(c)} answers ({c['persona_id'].nunique()} personas, "
            f"{c['question'].nunique()} questions, tiers {sorted(c['tier'].unique())}); "
            f"{self.invalid_share():.1%} invalid"
        )

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        self._frame.to_csv(path, index=False)

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str]) -> ResponsesTable:
        frame = pd.read_csv(path, keep_default_na=True)
        return cls(frame)


__all__ = ["COLUMNS", "ResponsesTable"]
