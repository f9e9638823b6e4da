"""Multilevel regression and post-stratification of gold votes with a silicon predictor (PyMC).

The model, fitted on the human (gold) respondents' two-party votes grouped into frame cells
(binomial counts: the sufficient statistics), is

.. math::

    y_c \\sim \\mathrm{Binomial}(n_c, \\mathrm{logit}^{-1}\\eta_c), \\quad
    \\eta_c = \\alpha + \\beta\\,(\\mathrm{logit}\\, s_c - \\bar s)
              + \\sum_v a^{(v)}_{l_v(c)} + u_{s(c)},

    a^{(v)}_l = \\sigma_v z^{(v)}_l, \\quad
    u_s = \\sigma_{\\rm region} z^{\\rm reg}_{r(s)} + \\delta\\, x^{\\rm prev}_s
          + \\sigma_{\\rm state} z^{\\rm st}_s,

with :math:`s_c` the silicon prediction for the cell (the LLM probability smoothed by
:class:`~calib.forecast.silicon.SiliconCellModel`), demographic effects :math:`a^{(v)}`, and
state effects partially pooled towards a region effect plus the state's previous presidential
two-party result (:math:`x^{\\rm prev}`, standardised logit). All ``z`` are standard normal
(non-centred), :math:`\\sigma \\sim \\mathrm{HalfNormal}(0.5)`,
:math:`\\alpha, \\beta, \\delta \\sim N(0, 2)`. Posterior draws of every frame cell's
:math:`\\theta_c` are post-stratified to states (Gelman and Little 1997; Park, Gelman and
Bafumi 2004).

Examples
--------
>>> model = SiliconMRP(variables=("race5", "sex"), draws=200, tune=200)  # doctest: +SKIP
>>> model.fit(gold, cells, silicon_cells, state_info).forecast(electoral_votes=ev)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import ConvergenceError, DataError, NotFittedError, UnknownVariableError
from calib.forecast.poststrat import national_share, poststratify
from calib.forecast.result import StateForecast


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def cell_index(rows: pd.DataFrame, cells: pd.DataFrame, variables: Sequence[str]) -> np.ndarray:
    """Position in ``cells`` of each row of ``rows`` (matched on state and ``variables``).

    Raises
    ------
    DataError
        Rows whose combination is not a frame cell (a level the frame does not have).
    """
    keys = ["state", *variables]
    missing = [k for k in keys if k not in rows.columns]
    if missing:
        raise UnknownVariableError(missing, "the respondent table", list(rows.columns))
    lookup = pd.Series(
        np.arange(len(cells)),
        index=pd.MultiIndex.from_frame(cells[keys].astype(str)),
    )
    idx = lookup.reindex(pd.MultiIndex.from_frame(rows[keys].astype(str))).to_numpy()
    if np.isnan(idx.astype(float)).any():
        bad = rows[keys][np.isnan(idx.astype(float))].drop_duplicates().head(5)
        raise DataError(
            f"{int(np.isnan(idx.astype(float)).sum())} respondents fall outside the frame's "
            f"cells, e.g.\n{bad.to_string(index=False)}\nrecode them to the frame's levels"
        )
    return idx.astype(int)


class SiliconMRP:
    """MRP of gold two-party votes with the silicon prediction as a cell-level predictor.

    Parameters
    ----------
    variables : sequence of str, default=("race5", "sex", "age_b15001_5")
        Demographic variables of the cells (columns of gold and cell tables).
    draws, tune, chains : int, default=500, 500, 4
        Sampler settings (PyMC NUTS).
    cores : int, default=2
    target_accept : float, default=0.95
    random_state : int, default=0
    use_silicon : bool, default=True
        False fits the same MRP without the silicon predictor (an ablation).
    strict : bool, default=False
        Raise :class:`ConvergenceError` when R-hat > 1.01 or there are divergences; otherwise
        the fit is flagged (``converged_ = False``) and the forecast carries the flag.
    progress : bool, default=False
    """

    def __init__(
        self,
        variables: Sequence[str] = ("race5", "sex", "age_b15001_5"),
        draws: int = 500,
        tune: int = 500,
        chains: int = 4,
        cores: int = 2,
        target_accept: float = 0.95,
        random_state: int = 0,
        use_silicon: bool = True,
        strict: bool = False,
        progress: bool = False,
    ):
        self.variables = variables
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.cores = cores
        self.target_accept = target_accept
        self.random_state = random_state
        self.use_silicon = use_silicon
        self.strict = strict
        self.progress = progress

    def fit(
        self,
        gold: pd.DataFrame,
        cells: pd.DataFrame,
        silicon_cells: np.ndarray,
        state_info: pd.DataFrame,
        vote_column: str = "vote_dem",
    ) -> SiliconMRP:
        """Fit on gold respondents.

        Parameters
        ----------
        gold : DataFrame
            ``state``, the variables, and ``vote_column`` (1 = Democrat, 0 = Republican).
        cells : DataFrame
            Frame cells (:func:`~calib.forecast.poststrat.cell_table`).
        silicon_cells : ndarray (n_cells,)
            Silicon probability of a Democratic vote for each frame cell.
        state_info : DataFrame
            Indexed by state: ``region`` and ``prev_dem_share`` (previous two-party result).
        """
        import pymc as pm

        vars_ = list(self.variables)
        y = gold[vote_column].to_numpy(dtype=float)
        if not np.isin(y, [0.0, 1.0]).all():
            raise DataError(f"{vote_column!r} must be 0/1 (two-party voters only)")
        states = list(cells["state"].cat.categories)
        missing = [s for s in states if s not in state_info.index]
        if missing:
            raise DataError(f"state_info lacks states {missing[:5]}; give region and prev share")
        s = np.asarray(silicon_cells, dtype=float)
        if s.shape != (len(cells),):
            raise DataError(f"silicon_cells must have one value per cell ({len(cells)})")
        idx = cell_index(gold, cells, vars_)
        n_c = np.bincount(idx, minlength=len(cells)).astype(float)
        y_c = np.bincount(idx, y, minlength=len(cells))
        obs = np.flatnonzero(n_c > 0)

        weights = cells["count"].to_numpy(float)
        x_sil = _logit(s)
        self.silicon_center_ = float(np.average(x_sil, weights=weights))
        x_sil = x_sil - self.silicon_center_
        info = state_info.loc[states]
        regions = sorted(info["region"].unique())
        region_idx = np.array([regions.index(r) for r in info["region"]])
        prev = _logit(info["prev_dem_share"].to_numpy(float))
        prev_z = (prev - prev.mean()) / prev.std()
        state_idx = cells["state"].cat.codes.to_numpy()
        level_idx = {v: cells[v].cat.codes.to_numpy() for v in vars_}

        with pm.Model() as model:
            alpha = pm.Normal("alpha", 0.0, 2.0)
            eta = alpha
            if self.use_silicon:
                beta = pm.Normal("beta_silicon", 0.0, 2.0)
                eta = eta + beta * x_sil[obs]
            for v in vars_:
                k = len(cells[v].cat.categories)
                sd = pm.HalfNormal(f"sigma_{v}", 0.5)
                z = pm.Normal(f"z_{v}", 0.0, 1.0, shape=k)
                eta = eta + (sd * z)[level_idx[v][obs]]
            sd_r = pm.HalfNormal("sigma_region", 0.5)
            z_r = pm.Normal("z_region", 0.0, 1.0, shape=len(regions))
            delta = pm.Normal("delta_prev", 0.0, 2.0)
            sd_s = pm.HalfNormal("sigma_state", 0.5)
            z_s = pm.Normal("z_state", 0.0, 1.0, shape=len(states))
            u = sd_r * z_r[region_idx] + delta * prev_z + sd_s * z_s
            eta = eta + u[state_idx[obs]]
            pm.Binomial("y", n=n_c[obs], logit_p=eta, observed=y_c[obs])
            idata = pm.sample(
                draws=self.draws,
                tune=self.tune,
                chains=self.chains,
                cores=self.cores,
                target_accept=self.target_accept,
                random_seed=self.random_state,
                progressbar=self.progress,
                compute_convergence_checks=False,
            )
        self.idata_ = idata
        self.model_ = model
        self._cells = cells
        self._x_sil = x_sil
        self._state_idx = state_idx
        self._level_idx = level_idx
        self._region_idx = region_idx
        self._prev_z = prev_z
        self.n_gold_ = len(gold)
        self.diagnostics_ = self._diagnostics(idata)
        self.converged_ = bool(self.diagnostics_["converged"])
        if self.strict and not self.converged_:
            raise ConvergenceError(
                f"MRP sampler failed its checks: {self.diagnostics_}; raise tune/target_accept"
            )
        return self

    @staticmethod
    def _diagnostics(idata: Any) -> dict[str, Any]:
        import arviz as az

        summ = az.summary(idata, kind="diagnostics")
        divergences = int(idata.sample_stats["diverging"].sum())
        rhat = float(summ["r_hat"].max())
        ess = float(summ["ess_bulk"].min())
        return {
            "max_rhat": rhat,
            "min_ess_bulk": ess,
            "divergences": divergences,
            "converged": bool(rhat <= 1.01 and divergences == 0),
        }

    def _check(self) -> None:
        if not hasattr(self, "idata_"):
            raise NotFittedError("SiliconMRP is not fitted; call fit() first")

    def _draw(self, name: str) -> np.ndarray:
        post = self.idata_.posterior[name]
        values = post.to_numpy()
        return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])

    def cell_draws(self) -> np.ndarray:
        """Posterior draws (D, n_cells) of the Democratic two-party share in every frame cell."""
        self._check()
        eta = self._draw("alpha")[:, None] + np.zeros((1, len(self._cells)))
        if self.use_silicon:
            eta = eta + self._draw("beta_silicon")[:, None] * self._x_sil[None, :]
        for v in self.variables:
            a = self._draw(f"sigma_{v}")[:, None] * self._draw(f"z_{v}")
            eta = eta + a[:, self._level_idx[v]]
        u = (
            self._draw("sigma_region")[:, None] * self._draw("z_region")[:, self._region_idx]
            + self._draw("delta_prev")[:, None] * self._prev_z[None, :]
            + self._draw("sigma_state")[:, None] * self._draw("z_state")
        )
        return _expit(eta + u[:, self._state_idx])

    def forecast(
        self,
        electoral_votes: Sequence[int] | None = None,
        turnout: np.ndarray | None = None,
        replicate_counts: np.ndarray | None = None,
        population: str = "",
    ) -> StateForecast:
        """Post-stratify the cell draws to states.

        Parameters
        ----------
        electoral_votes : sequence of int, optional
            Per state (frame order).
        turnout : ndarray (n_cells,), optional
            Likely-voter adjustment: each cell's count is multiplied by its turnout
            probability, so the forecast is for voters rather than the frame's population.
        replicate_counts : ndarray (B, n_cells), optional
            Frame replicates; draw ``d`` uses replicate ``d mod B`` (frame MOE propagated).
        population : str
            Description of the population (stored on the forecast).
        """
        self._check()
        theta = self.cell_draws()
        counts = self._cells["count"].to_numpy(float)
        if replicate_counts is not None:
            reps = np.asarray(replicate_counts, dtype=float)
            counts = reps[np.arange(len(theta)) % len(reps)]
        if turnout is not None:
            t = np.asarray(turnout, dtype=float)
            if t.shape[-1] != theta.shape[1] or np.any((t < 0) | (t > 1)):
                raise DataError("turnout must be probabilities, one per frame cell")
            counts = counts * t
        states = tuple(self._cells["state"].cat.categories)
        return StateForecast(
            "mrp_silicon" if self.use_silicon else "mrp",
            states,
            draws=poststratify(theta, counts, self._state_idx, len(states)),
            electoral_votes=electoral_votes,
            national_draws=national_share(theta, counts),
            population=population,
            diagnostics=self.diagnostics_,
            settings={
                "draws": self.draws,
                "tune": self.tune,
                "chains": self.chains,
                "target_accept": self.target_accept,
                "random_state": self.random_state,
                "variables": list(self.variables),
                "n_gold": self.n_gold_,
                "frame_replicates": None if replicate_counts is None else len(replicate_counts),
                "turnout_adjusted": turnout is not None,
            },
        )


def turnout_by_cell(
    respondents: pd.DataFrame,
    cells: pd.DataFrame,
    variables: Sequence[str],
    voted_column: str = "voted",
) -> np.ndarray:
    """Likely-voter adjustment: turnout probability of every frame cell.

    A logistic regression of reported turnout on the demographic main effects and region-free
    state intercepts is avoided on purpose (few respondents per state); the model is
    ``logit P(voted) = x' b`` with the cell variables as dummies, fitted by statsmodels.
    Reported turnout in surveys is too high, but only the relative rates matter for shares.
    """
    import statsmodels.api as sm

    def design(frame: pd.DataFrame) -> np.ndarray:
        cols = [np.ones(len(frame))]
        for v in variables:
            codes = pd.Categorical(frame[v].astype(str), categories=list(cells[v].cat.categories))
            cols += [(codes.codes == k).astype(float) for k in range(1, len(codes.categories))]
        return np.column_stack(cols)

    voted = respondents[voted_column].to_numpy(float)
    fit = sm.GLM(voted, design(respondents), family=sm.families.Binomial()).fit()
    return np.asarray(fit.predict(design(cells)))


__all__ = ["SiliconMRP", "cell_index", "turnout_by_cell"]
