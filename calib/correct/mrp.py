"""Multilevel regression and post-stratification (MRP) with the LLM's cell-level prediction.

:class:`MRPEstimator` fits the same hierarchical model as
:class:`~calib.correct.hierarchical.HierarchicalCorrector` on the gold sample, then predicts
every census cell (the full product of the grouping variables' levels) as the (weighted) mean of the
corrected predictions of the personas in that cell, and weights the cells by their population counts
from a :class:`~calib.target.Target` joint table (or any Series of cell counts indexed by the
grouping variables). A cell without personas takes every persona's prediction with that cell's
group effects; how many did is recorded in ``diagnostics["cells_without_personas"]``, or
:class:`~calib.errors.EmptyCellError` is raised with ``empty_cells="raise"``.

Examples
--------
>>> import pandas as pd
>>> cells = pd.Series([60., 40.], index=pd.Index(["A", "B"], name="state"))
>>> mrp = MRPEstimator("y", "p", groups=["state"])  # doctest: +SKIP
>>> mrp.fit(gold, personas).estimate(cells)[0].point  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.correct.hierarchical import HierarchicalCorrector, frame_and_weights
from calib.errors import DataError, EmptyCellError, UnknownVariableError
from calib.estimate import EstimateTable


class MRPEstimator(HierarchicalCorrector):
    """MRP: the hierarchical bias model post-stratified to population cell counts.

    Parameters are those of :class:`HierarchicalCorrector` plus

    empty_cells : {"fill", "raise"}, default="fill"
        What to do with a cell that has population but no personas.
    """

    def __init__(
        self,
        answer: str,
        prediction: str | Sequence[str],
        groups: Sequence[str] = (),
        kind: str = "binary",
        levels: Sequence[Any] | None = None,
        positive: Any = None,
        draws: int = 500,
        tune: int = 500,
        chains: int = 2,
        target_accept: float = 0.9,
        sampler: str = "auto",
        seed: int = 0,
        on_failure: str = "raise",
        max_rhat: float = 1.01,
        min_ess: float = 200.0,
        progress: bool = False,
        empty_cells: str = "fill",
    ):
        super().__init__(
            answer, prediction, groups, kind, levels, positive, draws, tune, chains,
            target_accept, sampler, seed, on_failure, max_rhat, min_ess, progress,
        )  # fmt: skip
        self.empty_cells = empty_cells

    def _cell_counts(self, target: Any) -> pd.Series:
        names = list(self.groups)
        if hasattr(target, "margin") and hasattr(target, "variables"):
            counts = target.margin(names)
        elif isinstance(target, pd.Series):
            counts = target
        else:
            raise DataError("target must be a Target or a Series of cell counts")
        index_names = list(counts.index.names)
        if sorted(map(str, index_names)) != sorted(names):
            raise UnknownVariableError(
                [n for n in names if n not in index_names] or names,
                where="the cell counts' index",
                known=[str(n) for n in index_names],
            )
        counts = counts.reorder_levels(names) if len(names) > 1 else counts
        values = counts.to_numpy(dtype=float)
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise DataError("cell counts must be finite and non-negative")
        return counts

    def estimate(  # type: ignore[override]
        self,
        target: Any,
        silicon: Any = None,
        weights: Any = None,
        by: str | None = None,
        quantity: str | None = None,
    ) -> EstimateTable:
        """Post-stratified corrected shares.

        Parameters
        ----------
        target : Target or Series
            Population counts (or shares) of the cells of the grouping variables.
        silicon : DataFrame or Population, optional
            Personas with predictions (default: the one given to ``fit``).
        weights : array, optional
            Persona weights used for the cell means of the predictions.
        by : str, optional
            One of the grouping variables to break the estimates down by.
        """
        self._check_fitted()
        silicon = self.silicon_ if silicon is None else silicon
        if silicon is None:
            raise DataError("no persona population: pass silicon to fit() or estimate()")
        counts = self._cell_counts(target)
        frame, pop_w = frame_and_weights(silicon)
        w = pop_w if weights is None else np.asarray(weights, dtype=float)
        w = np.ones(len(frame)) if w is None else w
        names = list(self.groups)
        cell_frame = counts.index.to_frame(index=False)
        cell_frame.columns = names
        row_draws = self.predict_draws(frame)  # (S, rows, K)
        row_keys = pd.MultiIndex.from_frame(frame[names].astype(object)).to_flat_index()
        cell_keys = pd.MultiIndex.from_frame(cell_frame.astype(object)).to_flat_index()
        position = {key: i for i, key in enumerate(cell_keys)}
        row_cell = np.array([position.get(key, -1) for key in row_keys])
        membership = np.zeros((len(cell_keys), len(frame)))
        ok = row_cell >= 0
        membership[row_cell[ok], np.flatnonzero(ok)] = w[ok]
        wsum = membership.sum(axis=1)
        empty = (wsum <= 0) & (counts.to_numpy() > 0)
        if empty.any() and self.empty_cells == "raise":
            shown = [str(k) for k in np.asarray(cell_keys, dtype=object)[empty][:5]]
            raise EmptyCellError(
                f"{int(empty.sum())} populated cell(s) have no personas (e.g. {shown}): "
                "use empty_cells='fill' or collapse the grouping levels"
            )
        safe = np.where(wsum > 0, wsum, 1.0)
        cell_draws = np.einsum("srk,cr->sck", row_draws, membership)
        cell_draws = cell_draws / safe[None, :, None]
        for c in np.flatnonzero(wsum <= 0):
            # no personas: every persona's prediction with this cell's group effects
            moved = frame.copy()
            for name in names:
                moved[name] = cell_frame.iloc[c][name]
            cell_draws[:, c, :] = np.einsum("srk,r->sk", self.predict_draws(moved), w) / w.sum()
        return self._table(
            cell_frame,
            counts.to_numpy(dtype=float),
            by,
            quantity,
            "mrp",
            draws=cell_draws,
            extra_diag={"cells": len(cell_frame), "cells_without_personas": int(empty.sum())},
        )


__all__ = ["MRPEstimator"]
