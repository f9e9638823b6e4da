"""Multilevel regression and post-stratification of gold votes with a silicon predictor (PyMC).

The model, fitted on the human (gold) respondents' two-party votes grouped into frame cells
(binomial counts: the sufficient statistics), is

.. math::

    y_c \\sim \\mathrm{Binomial}(n_c, \\mathrm{logit}^{-1}\\eta_c), \\quad
    \\eta_c = \\beta\\,(\\mathrm{logit}\\, s_c - S_{s(c)})
              + \\sum_v a^{(v)}_{l_v(c)} + u_{s(c)},

    a^{(v)}_l = \\sigma_v z^{(v)}_l, \\quad
    u_s = \\gamma_{r(s)} + \\delta\\, x^{\\rm prev}_s + \\kappa\\, (S_s - \\bar S)
          + \\sigma_{\\rm state} z^{\\rm st}_s,

with :math:`s_c` the silicon prediction for the cell (the LLM probability smoothed by
:class:`~calib.forecast.silicon.SiliconCellModel`) and :math:`S_s` the logit of its
post-stratified state share. The silicon's within-state (demographic) contrast enters at the
cell level with slope :math:`\\beta`; its state lean enters at the state level with slope
:math:`\\kappa`, beside the previous result (entering both at the cell level lets the
silicon's noisy state lean crowd out the previous result). Demographic effects
:math:`a^{(v)}` are partially pooled; state effects are pooled towards a region intercept
(:math:`\\gamma_r \\sim N(0, 1.5)`; no separate global intercept, which would not be
identified beside them) plus the state's previous presidential two-party result
(:math:`x^{\\rm prev}`: its logit centred on the population mean, :math:`\\delta \\sim
N(1, 0.5)`, since state leans persist between elections). All ``z`` are standard normal
(non-centred), :math:`\\sigma \\sim \\mathrm{HalfNormal}(0.5)`, :math:`\\beta \\sim N(0, 2)`,
:math:`\\kappa \\sim N(0, 1)`. A variable with two levels (sex) gets a fixed effect
:math:`b_v \\sim N(0, 1)` on a -1/2, +1/2 coding instead (a variance from two levels is not
identified and makes divergent funnels). Posterior draws of every frame cell's
:math:`\\theta_c` are post-stratified to states (Gelman and Little 1997; Park, Gelman and
Bafumi 2004).

Examples
--------
>>> model = SiliconMRP(variables=("race5", "sex"), draws=200, tune=200)  # doctest: +SKIP
>>> model.fit(gold, cells, silicon_cells, state_info).forecast(electoral_votes=ev)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from calib.correct.bayes_sampling import check_convergence, convergence_report, sample_model
from calib.errors import DataError, NotFittedError, UnknownVariableError
from calib.forecast.poststrat import national_share, poststratify
from calib.forecast.result import StateForecast


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def info_weights(cells: pd.DataFrame, states: Sequence[str]) -> np.ndarray:
    """Population of each state in the frame (weights for centring state-level predictors)."""
    totals = cells.groupby("state", observed=False)["count"].sum()
    return totals.reindex(list(states)).to_numpy(float)


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
    draws, tune, chains : int, default=1000, 1000, 4
        Sampler settings (PyMC NUTS).
    target_accept : float, default=0.95
    random_state : int, default=0
    use_silicon : bool, default=True
        False fits the same MRP without the silicon predictor (an ablation).
    strict : bool, default=False
        Raise :class:`ConvergenceError` when the checks fail (R-hat >= ``max_rhat``, bulk or
        tail ESS < ``min_ess``, divergences); otherwise the fit is flagged with a warning
        (``converged_ = False``) and the forecast carries the flag.
    progress : bool, default=False
    sampler : {"auto", "nutpie", "pymc"}, default="auto"
        nutpie when installed; compiled models are cached by structure and refitted with new
        data (:func:`calib.correct.bayes_sampling.sample_model`).
    max_rhat, min_ess : float, default=1.01, 200
        Convergence thresholds (:func:`calib.correct.bayes_sampling.convergence_report`).
    """

    def __init__(
        self,
        variables: Sequence[str] = ("race5", "sex", "age_b15001_5"),
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        target_accept: float = 0.95,
        random_state: int = 0,
        use_silicon: bool = True,
        strict: bool = False,
        progress: bool = False,
        sampler: str = "auto",
        max_rhat: float = 1.01,
        min_ess: float = 200.0,
    ):
        self.variables = variables
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.target_accept = target_accept
        self.random_state = random_state
        self.use_silicon = use_silicon
        self.strict = strict
        self.progress = progress
        self.sampler = sampler
        self.max_rhat = max_rhat
        self.min_ess = min_ess

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
        # Silicon enters twice: its within-state (demographic) contrast at the cell level and
        # its post-stratified state lean as a state-level predictor beside the previous result.
        state_idx = cells["state"].cat.codes.to_numpy()
        state_w = info_weights(cells, states)
        sil_state = _logit(
            np.bincount(state_idx, s * weights, len(states)) / np.maximum(state_w, 1e-12)
        )
        x_sil = _logit(s) - sil_state[state_idx]
        self.silicon_center_ = float(np.average(sil_state, weights=state_w))
        sil_state = sil_state - self.silicon_center_
        info = state_info.loc[states]
        regions = sorted(info["region"].unique())
        region_idx = np.array([regions.index(r) for r in info["region"]])
        prev = _logit(info["prev_dem_share"].to_numpy(float))
        prev_z = prev - np.average(prev, weights=info_weights(cells, states))
        level_idx = {v: cells[v].cat.codes.to_numpy() for v in vars_}

        data: dict[str, np.ndarray] = {
            "state": state_idx[obs].astype("int64"),
            "n": n_c[obs].astype("int64"),
            "y": y_c[obs].astype("int64"),
            "region": region_idx.astype("int64"),
            "prev": prev_z,
        }
        if self.use_silicon:
            data["x_sil"] = x_sil[obs]
            data["sil_state"] = sil_state
        sizes = []
        for i, v in enumerate(vars_):
            data[f"lv{i}"] = level_idx[v][obs].astype("int64")
            sizes.append(len(cells[v].cat.categories))
        key = ("silicon_mrp", self.use_silicon, tuple(sizes), len(states), len(regions))
        idata = sample_model(
            self._build(vars_, sizes, len(states), len(regions)),
            data,
            key,
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
            seed=self.random_state,
            sampler=self.sampler,
            progress=self.progress,
            target_accept=self.target_accept,
        )
        self.idata_ = idata
        self._cells = cells
        self._x_sil = x_sil
        self._state_idx = state_idx
        self._level_idx = level_idx
        self._region_idx = region_idx
        self._prev_z = prev_z
        self._sil_state = sil_state
        self._sizes = dict(zip(vars_, sizes, strict=True))
        self.n_gold_ = len(gold)
        self._counts = weights
        nat = national_share(self.cell_draws(), weights)
        n_chain = int(idata.posterior.sizes["chain"])
        self.diagnostics_ = convergence_report(
            idata,
            self._key_vars(),
            extra_draws={"national_share": nat.reshape(n_chain, -1)},
            max_rhat=self.max_rhat,
            min_ess=self.min_ess,
        )
        self.converged_ = bool(self.diagnostics_["converged"])
        check_convergence(
            self.diagnostics_, "the silicon MRP model", "raise" if self.strict else "flag"
        )
        return self

    def _build(
        self, vars_: list[str], sizes: list[int], n_states: int, n_regions: int
    ) -> Callable[[Mapping[str, np.ndarray]], Any]:
        use_silicon = self.use_silicon

        def build(data: Mapping[str, np.ndarray]) -> Any:
            import pymc as pm

            with pm.Model() as model:
                state = pm.Data("state", data["state"])
                n = pm.Data("n", data["n"])
                y = pm.Data("y", data["y"])
                region = pm.Data("region", data["region"])
                prev = pm.Data("prev", data["prev"])
                # Region intercepts (no global intercept: it would not be identified beside them).
                gamma = pm.Normal("gamma_region", 0.0, 1.5, shape=n_regions)
                delta = pm.Normal("delta_prev", 1.0, 0.5)
                sd_s = pm.HalfNormal("sigma_state", 0.5)
                z_s = pm.Normal("z_state", 0.0, 1.0, shape=n_states)
                u = gamma[region] + delta * prev + sd_s * z_s
                if use_silicon:
                    sil_state = pm.Data("sil_state", data["sil_state"])
                    u = u + pm.Normal("kappa_silicon", 0.0, 1.0) * sil_state
                eta = u[state]
                if use_silicon:
                    x_sil = pm.Data("x_sil", data["x_sil"])
                    eta = eta + pm.Normal("beta_silicon", 0.0, 2.0) * x_sil
                for i, (v, k) in enumerate(zip(vars_, sizes, strict=True)):
                    lv = pm.Data(f"lv{i}", data[f"lv{i}"])
                    if k <= 2:  # a variance from two levels is not identified: fixed effect
                        b = pm.Normal(f"b_{v}", 0.0, 1.0)
                        eta = eta + b * (pm.math.eq(lv, 1) - 0.5)
                        continue
                    sd = pm.HalfNormal(f"sigma_{v}", 0.5)
                    z = pm.Normal(f"z_{v}", 0.0, 1.0, shape=k)
                    eta = eta + (sd * z)[lv]
                pm.Binomial("obs", n=n, logit_p=eta, observed=y, shape=state.shape[0])
            return model

        return build

    def _key_vars(self) -> list[str]:
        names = ["delta_prev", "gamma_region", "sigma_state", "z_state"]
        for v in self.variables:
            names += [f"b_{v}"] if self._sizes[v] <= 2 else [f"sigma_{v}", f"z_{v}"]
        return (["beta_silicon", "kappa_silicon"] if self.use_silicon else []) + names

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
        eta = np.zeros((self._draw("delta_prev").shape[0], len(self._cells)))
        if self.use_silicon:
            eta = eta + self._draw("beta_silicon")[:, None] * self._x_sil[None, :]
        for v in self.variables:
            lv = self._level_idx[v]
            if self._sizes[v] <= 2:
                eta = eta + self._draw(f"b_{v}")[:, None] * ((lv == 1) - 0.5)[None, :]
                continue
            a = self._draw(f"sigma_{v}")[:, None] * self._draw(f"z_{v}")
            eta = eta + a[:, lv]
        u = (
            self._draw("gamma_region")[:, self._region_idx]
            + self._draw("delta_prev")[:, None] * self._prev_z[None, :]
            + (
                self._draw("kappa_silicon")[:, None] * self._sil_state[None, :]
                if self.use_silicon
                else 0.0
            )
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

    A logistic regression of reported turnout (``voted_column``: 1 voted, 0 did not) on the
    cell variables' main effects, fitted by statsmodels on the respondents and predicted for
    every frame cell; there are no state terms (too few respondents per state). Surveys
    over-report turnout, but only the relative rates across cells move the shares.

    Returns
    -------
    ndarray (n_cells,)
        Turnout probability per frame cell, to pass as ``turnout=`` to
        :meth:`SiliconMRP.forecast`.
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
