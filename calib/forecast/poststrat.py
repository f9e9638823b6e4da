"""Post-stratification arithmetic: cell predictions x population counts -> state shares.

A *cell table* lists the model's cells (state x demographic levels) with their population
counts. Given cell-level predictions (one row per posterior draw), the state share is the
count-weighted mean of its cells, and the national share the count-weighted mean of all
cells (every state's cells weighted by their people, so large states count more).

Examples
--------
>>> import numpy as np
>>> theta = np.array([[0.2, 0.6, 0.5]])      # 1 draw, 3 cells
>>> counts = np.array([100.0, 300.0, 50.0])
>>> state_of_cell = np.array([0, 0, 1])
>>> poststratify(theta, counts, state_of_cell, n_states=2).round(3).tolist()
[[0.5, 0.5]]
>>> float(national_share(theta, counts)[0].round(4))
0.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from calib.errors import DataError, EmptyCellError
from calib.forecast.frames import StateFrame


def cell_table(
    frame: StateFrame,
    variables: Sequence[str],
    maps: Mapping[str, Mapping[str, str]] | None = None,
    replicates: bool = False,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The frame's cells for a model with ``variables`` (levels merged by ``maps``).

    Returns
    -------
    cells : DataFrame
        One row per state x level combination: ``state`` and each variable (categoricals in
        level order) and ``count``.
    replicate_counts : ndarray (B, n_cells) or None
        The same counts in each replicate frame, when asked and available.
    """
    arr, levels = frame.collapse(variables, maps)
    index = pd.MultiIndex.from_product(
        [frame.states, *(levels[v] for v in variables)], names=["state", *variables]
    )
    cells = pd.DataFrame({"count": arr.ravel()}, index=index).reset_index()
    cells["state"] = pd.Categorical(cells["state"], categories=list(frame.states))
    for v in variables:
        cells[v] = pd.Categorical(cells[v], categories=list(levels[v]))
    reps = None
    if replicates and frame.replicates is not None:
        rep_arr, _ = frame.collapse(variables, maps, replicates=True)
        reps = rep_arr.reshape(len(rep_arr), -1)
    return cells, reps


def poststratify(
    theta: np.ndarray, counts: np.ndarray, state_of_cell: np.ndarray, n_states: int
) -> np.ndarray:
    """Count-weighted mean of cell predictions within each state.

    Parameters
    ----------
    theta : ndarray (D, C)
        Cell predictions per draw.
    counts : ndarray (C,) or (D, C)
        Population counts (per draw when frames vary by draw).
    state_of_cell : ndarray (C,) of int
        State index of each cell.
    n_states : int

    Returns
    -------
    ndarray (D, n_states)

    Raises
    ------
    EmptyCellError
        A state with zero population.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    counts = np.broadcast_to(np.asarray(counts, dtype=float), theta.shape)
    if np.any(counts < 0):
        raise DataError("population counts must be non-negative")
    onehot = np.zeros((theta.shape[1], n_states))
    onehot[np.arange(theta.shape[1]), state_of_cell] = 1.0
    totals = counts @ onehot
    if np.any(totals <= 0):
        empty = np.unique(np.argwhere(totals <= 0)[:, 1]).tolist()
        raise EmptyCellError(f"states at index {empty} have no population in the frame")
    return (theta * counts) @ onehot / totals


def national_share(theta: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Count-weighted mean of all cells per draw (the national popular vote share)."""
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    counts = np.broadcast_to(np.asarray(counts, dtype=float), theta.shape)
    return (theta * counts).sum(axis=1) / counts.sum(axis=1)


__all__ = ["cell_table", "national_share", "poststratify"]
