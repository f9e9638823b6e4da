"""Silicon-only forecasts: raw persona vote counts and post-stratified LLM probabilities.

- :func:`raw_silicon_forecast` counts the personas' votes in each state, as the seed paper did
  (each persona votes for the candidate its LLM probability favours; no weighting, no
  interval).
- :class:`SiliconCellModel` smooths the LLM's probabilities into a prediction for every frame
  cell: an additive model on the probability scale with demographic main effects and a
  partially pooled (empirical-Bayes) state intercept. Its cell predictions are the silicon
  predictor of the MRP model and, post-stratified, the second baseline
  (:func:`poststratified_silicon_forecast`, with a respondent bootstrap for intervals).

Examples
--------
>>> import pandas as pd
>>> sil = pd.DataFrame({"state": ["AA", "AA", "BB"], "p": [0.9, 0.2, 0.4]})
>>> raw_silicon_forecast(sil, ("AA", "BB"), prob_column="p").point.tolist()
[0.5, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.errors import DataError, NotFittedError, UnknownVariableError
from calib.forecast.poststrat import national_share, poststratify
from calib.forecast.result import StateForecast


def _require(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UnknownVariableError(missing, where, list(frame.columns))


def raw_silicon_forecast(
    silicon: pd.DataFrame,
    states: Sequence[str],
    prob_column: str = "p_silicon",
    electoral_votes: Sequence[int] | None = None,
) -> StateForecast:
    """Share of personas in each state whose LLM probability favours the Democrat.

    States without personas get NaN. The national value is the unweighted share of all
    personas, as in the seed paper.
    """
    _require(silicon, ["state", prob_column], "the silicon table")
    vote = (silicon[prob_column].to_numpy(dtype=float) > 0.5).astype(float)
    by_state = pd.Series(vote).groupby(silicon["state"].astype(str).to_numpy()).mean()
    point = by_state.reindex(list(states)).to_numpy(dtype=float)
    return StateForecast(
        "silicon_raw",
        tuple(states),
        point=point,
        electoral_votes=electoral_votes,
        national_point=float(vote.mean()),
        population="personas (unweighted vote counts)",
        settings={"prob_column": prob_column},
    )


def _backfit(
    x: np.ndarray, p: np.ndarray, idx: np.ndarray, n_groups: int, n_iter: int
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Fixed effects and shrunken group intercepts by backfitting (moment variances)."""
    n_s = np.bincount(idx, minlength=n_groups).astype(float)
    seen = n_s > 0
    n_safe = np.where(seen, n_s, 1.0)
    u = np.zeros(n_groups)
    xtx_inv_xt = np.linalg.pinv(x)
    s2e = s2u = 0.0
    beta = np.zeros(x.shape[1])
    for _ in range(n_iter):
        beta = xtx_inv_xt @ (p - u[idx])
        r = p - x @ beta
        mean_r = np.bincount(idx, r, minlength=n_groups) / n_safe
        dof = max(len(p) - int(seen.sum()), 1)
        s2e = float(np.sum((r - mean_r[idx]) ** 2) / dof)
        centre = np.average(mean_r[seen], weights=n_s[seen])
        spread = np.average((mean_r[seen] - centre) ** 2, weights=n_s[seen])
        s2u = max(float(spread - np.mean(s2e / n_s[seen])), 1e-6)
        u = np.where(seen, mean_r * n_s / (n_s + s2e / s2u), 0.0)
    return beta, u, s2e, s2u


class SiliconCellModel:
    """Additive model of LLM probabilities: demographic main effects + pooled state intercept.

    Parameters
    ----------
    variables : sequence of str
        Demographic columns (categoricals with their levels).
    n_iter : int, default=20
        Backfitting iterations between the fixed effects and the state intercepts.
    clip : float, default=0.01
        Predictions are clipped to ``[clip, 1 - clip]``.

    Notes
    -----
    ``p_i = x_i' beta + u_state + e_i``; ``u_s`` is shrunk by ``n_s / (n_s + s2_e / s2_u)``
    with the variances estimated by moments (a one-way random-effects ANOVA).
    """

    def __init__(self, variables: Sequence[str] = (), n_iter: int = 20, clip: float = 0.01):
        self.variables = variables
        self.n_iter = n_iter
        self.clip = clip

    def _design(self, frame: pd.DataFrame) -> np.ndarray:
        cols = [np.ones(len(frame))]
        for v in self.variables:
            codes = pd.Categorical(frame[v], categories=self.levels_[v]).codes
            if (codes < 0).any():
                bad = frame[v][codes < 0].unique().tolist()
                raise DataError(f"column {v!r} has values outside its levels: {bad[:5]}")
            for k in range(1, len(self.levels_[v])):
                cols.append((codes == k).astype(float))
        return np.column_stack(cols)

    def fit(self, silicon: pd.DataFrame, prob_column: str = "p_silicon") -> SiliconCellModel:
        """Fit on persona rows with ``state``, the variables and ``prob_column``."""
        _require(silicon, ["state", prob_column, *self.variables], "the silicon table")
        p = silicon[prob_column].to_numpy(dtype=float)
        if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
            raise DataError(f"{prob_column!r} must hold probabilities in [0, 1]")
        self.levels_ = {
            v: tuple(silicon[v].cat.categories)
            if isinstance(silicon[v].dtype, pd.CategoricalDtype)
            else tuple(sorted(silicon[v].unique()))
            for v in self.variables
        }
        x = self._design(silicon)
        state = silicon["state"].astype(str).to_numpy()
        names, idx = np.unique(state, return_inverse=True)
        beta, u, s2e, s2u = _backfit(x, p, idx, len(names), self.n_iter)
        self.coef_ = beta
        self.state_effects_ = dict(zip(names.tolist(), u.tolist(), strict=True))
        self.sigma2_ = {"residual": s2e, "state": s2u}
        return self

    def predict(self, cells: pd.DataFrame) -> np.ndarray:
        """Predicted LLM probability for each row of ``cells`` (unseen states: no intercept)."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("SiliconCellModel is not fitted; call fit() first")
        _require(cells, ["state", *self.variables], "the cell table")
        u = cells["state"].astype(str).map(self.state_effects_).fillna(0.0).to_numpy(float)
        pred = self._design(cells) @ self.coef_ + u
        return np.clip(pred, self.clip, 1 - self.clip)


def poststratified_silicon_forecast(
    silicon: pd.DataFrame,
    cells: pd.DataFrame,
    variables: Sequence[str],
    prob_column: str = "p_silicon",
    n_boot: int = 200,
    random_state: int = 0,
    electoral_votes: Sequence[int] | None = None,
    population: str = "",
) -> StateForecast:
    """Silicon cell predictions post-stratified to the frame, with a persona bootstrap.

    Parameters
    ----------
    silicon : DataFrame
        Personas: ``state``, ``variables``, ``prob_column``.
    cells : DataFrame
        Frame cells from :func:`~calib.forecast.poststrat.cell_table` (``state`` categorical
        in frame order, ``variables``, ``count``).
    n_boot : int, default=200
        Bootstrap resamples of personas (the interval reflects persona sampling only).
    """
    states = tuple(cells["state"].cat.categories)
    state_idx = cells["state"].cat.codes.to_numpy()
    counts = cells["count"].to_numpy(float)
    model = SiliconCellModel(variables).fit(silicon, prob_column)
    point_theta = model.predict(cells)[None]
    # Bootstrap on arrays: the designs are built once, rows are resampled by index.
    x = model._design(silicon)
    x_cells = model._design(cells)
    p = silicon[prob_column].to_numpy(dtype=float)
    sil_state = silicon["state"].astype(str).to_numpy()
    state_pos = {s: i for i, s in enumerate(states)}
    unknown = sorted(set(sil_state) - set(state_pos))
    if unknown:
        raise DataError(f"silicon rows in states {unknown[:5]} that the frame does not have")
    idx = np.array([state_pos[s] for s in sil_state])
    rng = np.random.default_rng(random_state)
    draws = []
    for _ in range(n_boot):
        take = rng.integers(0, len(p), len(p))
        beta, u, _, _ = _backfit(x[take], p[take], idx[take], len(states), model.n_iter)
        draws.append(np.clip(x_cells @ beta + u[state_idx], model.clip, 1 - model.clip))
    theta = np.asarray(draws)
    return StateForecast(
        "silicon_poststratified",
        states,
        draws=poststratify(theta, counts, state_idx, len(states)),
        point=poststratify(point_theta, counts, state_idx, len(states))[0],
        electoral_votes=electoral_votes,
        national_draws=national_share(theta, counts),
        population=population,
        settings={"n_boot": n_boot, "random_state": random_state, "variables": list(variables)},
    )


__all__ = ["SiliconCellModel", "poststratified_silicon_forecast", "raw_silicon_forecast"]
