"""Hierarchical Bayesian correction of the LLM's answers (PyMC), applied to the personas.

The model treats the LLM's prediction for each gold respondent as a covariate of the human
answer and lets the LLM's bias vary by group (demographic cell, state, question), partially
pooled towards a common value:

- binary: ``logit P(y_i = 1) = a + b * logit(p_i) + sum_f u_f[g_f(i)]``
- categorical (multinomial logit, first level the baseline):
  ``eta_ik = a_k + b * log(p_ik) + sum_f u_fk[g_f(i)]``
- ordinal (ordered logit): ``eta_i = b * s_i + sum_f u_f[g_f(i)]`` with ordered cut points,
  ``s_i`` the standardised predicted score,

with ``u_f ~ Normal(0, sigma_f)``, ``sigma_f ~ HalfNormal(1)``, ``a ~ Normal(0, 1.5)`` and
``b ~ Normal(1, 1)`` (a priori the LLM is informative). ``b`` corrects the LLM's compression or
exaggeration of differences, ``a`` and ``u`` its overall and group-specific shifts. The fitted
model is applied to every persona's own prediction and the results are averaged with the
persona weights (e.g. from :mod:`calib.weighting`), draw by draw, giving posterior draws of the
population answer shares; :class:`~calib.correct.mrp.MRPEstimator` post-stratifies to census
cells instead. A grouping level seen only among the personas gets a fresh draw of its effect from
``Normal(0, sigma_f)``.

Sampler diagnostics are checked (see :mod:`calib.correct.bayes_sampling`); with
``on_failure="raise"`` (default) a failed check raises
:class:`~calib.errors.ConvergenceError`; with ``"flag"`` the estimates are returned with
``diagnostics["converged"] = False`` and the method name ``"hierarchical_bayes[NOT CONVERGED]"``.

Examples
--------
>>> import pandas as pd
>>> rng = np.random.default_rng(0)
>>> g = pd.DataFrame({"p": rng.uniform(.1, .9, 300), "state": rng.choice(["A", "B"], 300)})
>>> g["y"] = rng.binomial(1, np.clip(g["p"] - 0.1, 0, 1))
>>> hc = HierarchicalCorrector("y", "p", groups=["state"], seed=1)  # doctest: +SKIP
>>> hc.fit(g, g).estimate()[0].point  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit, softmax

from calib.correct.bayes_sampling import (
    check_convergence,
    convergence_report,
    sample_model,
    with_estimand,
)
from calib.errors import DataError, NotFittedError, UnknownVariableError
from calib.estimate import Estimate, EstimateTable

EPS = 0.01
_KINDS = ("binary", "categorical", "ordinal")


def frame_and_weights(obj: Any) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A DataFrame and its weights from a DataFrame or a :class:`~calib.population.Population`."""
    if isinstance(obj, pd.DataFrame):
        return obj, None
    if hasattr(obj, "data") and hasattr(obj, "weights"):
        return obj.data, np.asarray(obj.weights, dtype=float)
    raise DataError(f"expected a DataFrame or a Population, got {type(obj).__name__}")


class HierarchicalCorrector:
    """Hierarchical Bayesian bias correction with partial pooling across groups.

    Parameters
    ----------
    answer : str
        Gold column with the human answer.
    prediction : str or sequence of str
        The LLM's prediction column: a probability (binary), a category label, a score
        (ordinal), or one probability column per level (categorical / ordinal).
    groups : sequence of str, default=()
        Grouping columns whose levels get partially pooled bias terms (cells, states,
        questions in long format).
    kind : {"binary", "categorical", "ordinal"}, default="binary"
    levels : sequence, optional
        Answer levels in order (required for ordinal; for binary, the second level is the
        positive one unless ``positive`` is given).
    positive : object, optional
        The positive answer label for binary answers given as labels.
    draws, tune, chains : int, default=500, 500, 2
    target_accept : float, default=0.9
    sampler : {"auto", "nutpie", "pymc"}, default="auto"
    seed : int, default=0
    on_failure : {"raise", "flag"}, default="raise"
    max_rhat, min_ess : float, default=1.01, 200
        Convergence thresholds.
    progress : bool, default=False

    Attributes
    ----------
    idata_ : arviz.InferenceData
    diagnostics_ : dict
        R-hat, ESS and divergences of the global parameters and hyperparameters.
    levels_ : list
    group_levels_ : dict of str to list
    n_gold_ : int
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
    ):
        self.answer = answer
        self.prediction = prediction
        self.groups = groups
        self.kind = kind
        self.levels = levels
        self.positive = positive
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.target_accept = target_accept
        self.sampler = sampler
        self.seed = seed
        self.on_failure = on_failure
        self.max_rhat = max_rhat
        self.min_ess = min_ess
        self.progress = progress

    # ----------------------------------------------------------------------------- encoding
    def _pred_columns(self) -> list[str]:
        p = self.prediction
        return [p] if isinstance(p, str) else list(p)

    def _require(self, frame: pd.DataFrame, names: Sequence[str], where: str) -> None:
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise UnknownVariableError(missing, where=where, known=list(frame.columns))

    def prediction_probs(self, frame: pd.DataFrame) -> np.ndarray:
        """The LLM's prediction on the probability scale: (rows,) or (rows, K) or scores."""
        cols = self._pred_columns()
        self._require(frame, cols, "the prediction columns")
        k = len(self.levels_)
        if len(cols) > 1:
            if len(cols) != k:
                raise DataError(f"{len(cols)} prediction columns for {k} answer levels")
            probs = frame[cols].to_numpy(dtype=float)
            if np.any(probs < 0) or not np.all(np.isfinite(probs)):
                raise DataError(f"prediction columns {cols} must hold probabilities")
            probs = probs / probs.sum(axis=1, keepdims=True)
            if self.kind == "ordinal":
                return probs @ np.arange(k)
            return probs
        col = frame[cols[0]]
        if pd.api.types.is_numeric_dtype(col) and self.kind != "categorical":
            values = col.to_numpy(dtype=float)
            if not np.all(np.isfinite(values)):
                raise DataError(f"prediction column {cols[0]!r} has missing values")
            if self.kind == "binary" and (values.min() < 0 or values.max() > 1):
                raise DataError(f"binary prediction column {cols[0]!r} must lie in [0, 1]")
            return values
        codes = self._codes(col, cols[0])
        if self.kind == "binary":
            return codes.astype(float)
        if self.kind == "ordinal":
            return codes.astype(float)
        return np.eye(k)[codes]

    def _codes(self, col: pd.Series, name: str) -> np.ndarray:
        levels = list(self.levels_)
        codes = pd.Categorical(col.astype(object), categories=levels).codes
        if np.any(codes < 0):
            bad = sorted({str(v) for v in col[codes < 0]})
            raise DataError(f"column {name!r} has values {bad} outside the levels {levels}")
        return codes

    def _features(self, probs: np.ndarray) -> np.ndarray:
        if self.kind == "binary":
            return logit(np.clip(probs, EPS, 1 - EPS))
        if self.kind == "categorical":
            p = np.clip(probs, EPS, 1.0)
            return np.log(p / p.sum(axis=1, keepdims=True))
        return (probs - self.x_center_) / self.x_scale_

    def _answers(self, frame: pd.DataFrame) -> np.ndarray:
        self._require(frame, [self.answer], "the gold sample")
        col = frame[self.answer]
        if col.isna().any():
            raise DataError(f"answer column {self.answer!r} has missing values: drop them first")
        if self.kind == "binary" and pd.api.types.is_numeric_dtype(col):
            y = col.to_numpy(dtype=float)
            if not np.isin(y, [0.0, 1.0]).all():
                raise DataError(f"binary answer column {self.answer!r} must be 0/1")
            return y.astype(np.int64)
        codes = self._codes(col, self.answer)
        if self.kind == "binary":
            return (codes == self.levels_.index(self._positive)).astype(np.int64)
        return codes.astype(np.int64)

    def _group_codes(self, frame: pd.DataFrame) -> list[np.ndarray]:
        self._require(frame, list(self.groups), "the grouping columns")
        out = []
        for f in self.groups:
            levels = self.group_levels_[f]
            out.append(
                pd.Categorical(frame[f].astype(object), categories=levels).codes.astype(np.int64)
            )
        return out

    def _resolve_levels(self, gold: pd.DataFrame) -> list[Any]:
        if self.levels is not None:
            return list(self.levels)
        if self.kind == "ordinal":
            raise DataError("ordinal answers need levels=[...] in their order")
        col = gold[self.answer]
        if isinstance(col.dtype, pd.CategoricalDtype):
            return list(col.cat.categories)
        if self.kind == "binary" and pd.api.types.is_numeric_dtype(col):
            return [0, 1]
        return sorted(col.dropna().unique().tolist(), key=str)

    # ------------------------------------------------------------------------------- model
    def _build(self, data: dict[str, np.ndarray]):
        import pymc as pm

        k = len(self.levels_)
        with pm.Model() as model:
            x = pm.Data("x", data["x"])
            y = pm.Data("y", data["y"])
            idx = [pm.Data(f"g{i}", data[f"g{i}"]) for i in range(len(self.groups))]
            b = pm.Normal("b", 1.0, 1.0)
            if self.kind == "binary":
                eta = pm.Normal("a", 0.0, 1.5) + b * x
            elif self.kind == "categorical":
                a = pm.Normal("a", 0.0, 1.5, shape=k - 1)
                eta = pm.math.concatenate([pm.math.zeros((1,)), a])[None, :] + b * x
            else:
                eta = b * x
            for i, f in enumerate(self.groups):
                n_lev = len(self.group_levels_[f])
                sigma = pm.HalfNormal(f"sigma_{i}", 1.0)
                if self.kind == "categorical":
                    z = pm.Normal(f"z_{i}", 0.0, 1.0, shape=(n_lev, k - 1))
                    u = pm.math.concatenate([pm.math.zeros((n_lev, 1)), sigma * z], axis=1)
                    eta = eta + u[idx[i]]
                else:
                    z = pm.Normal(f"z_{i}", 0.0, 1.0, shape=n_lev)
                    eta = eta + sigma * z[idx[i]]
            if self.kind == "binary":
                pm.Bernoulli("obs", logit_p=eta, observed=y, shape=x.shape[0])
            elif self.kind == "categorical":
                pm.Categorical("obs", logit_p=eta, observed=y, shape=x.shape[0])
            else:
                cut = pm.Normal(
                    "cutpoints",
                    0.0,
                    3.0,
                    shape=k - 1,
                    transform=pm.distributions.transforms.ordered,
                    initval=np.linspace(-1.5, 1.5, k - 1),
                )
                pm.OrderedLogistic("obs", eta=eta, cutpoints=cut, observed=y, shape=x.shape[0])
        return model

    def _key_vars(self) -> list[str]:
        names = ["b"] + (["a"] if self.kind != "ordinal" else ["cutpoints"])
        return names + [f"sigma_{i}" for i in range(len(self.groups))]

    def fit(self, gold: Any, silicon: Any = None) -> HierarchicalCorrector:
        """Fit the model on the gold sample (``silicon`` supplies grouping levels and is the
        default population for :meth:`estimate`).

        Raises
        ------
        ConvergenceError
            When the sampler fails the checks and ``on_failure="raise"``.
        """
        if self.kind not in _KINDS:
            raise DataError(f"kind must be one of {_KINDS}, got {self.kind!r}")
        gold_frame, _ = frame_and_weights(gold)
        if len(gold_frame) < 10:
            raise DataError(f"the gold sample has {len(gold_frame)} rows: at least 10 are needed")
        self.levels_ = self._resolve_levels(gold_frame)
        if len(self.levels_) < 2:
            raise DataError(f"answer {self.answer!r} needs at least two levels")
        if self.kind == "binary" and len(self.levels_) != 2:
            raise DataError(f"binary answer {self.answer!r} has levels {self.levels_}")
        self._positive = self.positive if self.positive is not None else self.levels_[1]
        self.silicon_ = silicon
        sil_frame = frame_and_weights(silicon)[0] if silicon is not None else None
        self.group_levels_ = {}
        for f in self.groups:
            self._require(gold_frame, [f], "the gold sample")
            col = gold_frame[f]
            if isinstance(col.dtype, pd.CategoricalDtype):
                levels = list(col.cat.categories)
            else:
                values = set(col.dropna().unique().tolist())
                if sil_frame is not None and f in sil_frame.columns:
                    values |= set(sil_frame[f].dropna().unique().tolist())
                levels = sorted(values, key=str)
            self.group_levels_[f] = levels
        probs = self.prediction_probs(gold_frame)
        if self.kind == "ordinal":
            self.x_center_ = float(np.mean(probs))
            self.x_scale_ = float(np.std(probs)) or 1.0
        data = {"x": self._features(probs), "y": self._answers(gold_frame)}
        for i, codes in enumerate(self._group_codes(gold_frame)):
            if np.any(codes < 0):
                raise DataError(f"grouping column {self.groups[i]!r} has missing values in gold")
            data[f"g{i}"] = codes
        key = (
            "hierarchical",
            self.kind,
            len(self.levels_),
            tuple(len(self.group_levels_[f]) for f in self.groups),
        )
        self.idata_ = sample_model(
            self._build,
            data,
            key,
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
            seed=self.seed,
            sampler=self.sampler,
            progress=self.progress,
            target_accept=self.target_accept,
        )
        self.diagnostics_ = convergence_report(
            self.idata_, self._key_vars(), max_rhat=self.max_rhat, min_ess=self.min_ess
        )
        check_convergence(self.diagnostics_, "the hierarchical correction model", self.on_failure)
        self.n_gold_ = len(gold_frame)
        return self

    # -------------------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(gold, silicon)")

    def _post(self, name: str) -> np.ndarray:
        """Posterior draws of ``name`` as (chains * draws, ...)."""
        arr = np.asarray(self.idata_.posterior[name])
        return arr.reshape((-1, *arr.shape[2:]))

    def _linear_predictor(self, x: np.ndarray, codes: list[np.ndarray]) -> np.ndarray:
        """Posterior draws of the linear predictor, (S, rows) or (S, rows, K)."""
        rng = np.random.default_rng(self.seed + 7919)
        b = self._post("b")
        k = len(self.levels_)
        if self.kind == "categorical":
            a = np.concatenate([np.zeros((b.size, 1)), self._post("a")], axis=1)
            eta = a[:, None, :] + b[:, None, None] * x[None, :, :]
        elif self.kind == "binary":
            eta = self._post("a")[:, None] + b[:, None] * x[None, :]
        else:
            eta = b[:, None] * x[None, :]
        for i, c in enumerate(codes):
            sigma = self._post(f"sigma_{i}")
            z = self._post(f"z_{i}")
            if self.kind == "categorical":
                u = np.concatenate([np.zeros((*z.shape[:2], 1)), sigma[:, None, None] * z], axis=2)
                new = np.concatenate(
                    [
                        np.zeros((b.size, 1, 1)),
                        sigma[:, None, None] * rng.normal(size=(b.size, 1, k - 1)),
                    ],
                    axis=2,
                )
            else:
                u = sigma[:, None] * z
                new = sigma[:, None] * rng.normal(size=(b.size, 1))
            u = np.concatenate([u, new], axis=1)  # code -1 -> the fresh level at the end
            eta = eta + u[:, c]
        return eta

    def _answer_probs(self, eta: np.ndarray) -> np.ndarray:
        """(S, rows, K) posterior answer probabilities."""
        if self.kind == "binary":
            p = expit(eta)
            return np.stack([1 - p, p], axis=-1)
        if self.kind == "categorical":
            return softmax(eta, axis=-1)
        cut = self._post("cutpoints")
        cdf = expit(cut[:, None, :] - eta[:, :, None])
        cdf = np.concatenate([np.zeros((*eta.shape, 1)), cdf, np.ones((*eta.shape, 1))], axis=-1)
        return np.diff(cdf, axis=-1)

    def predict_draws(self, frame: pd.DataFrame, probs: np.ndarray | None = None) -> np.ndarray:
        """Posterior draws (S, rows, K) of each row's answer probabilities."""
        self._check_fitted()
        probs = self.prediction_probs(frame) if probs is None else probs
        return self._answer_probs(
            self._linear_predictor(self._features(probs), self._group_codes(frame))
        )

    def _table(
        self,
        frame: pd.DataFrame,
        weights: np.ndarray,
        by: str | None,
        quantity: str | None,
        method: str,
        draws: np.ndarray | None = None,
        extra_diag: dict[str, Any] | None = None,
    ) -> EstimateTable:
        """Weighted shares of ``draws`` (S, rows, K) (default: the rows' own predictions)."""
        draws = self.predict_draws(frame) if draws is None else draws
        if by is None:
            masks = {"all": np.ones(len(frame), dtype=bool)}
        else:
            self._require(frame, [by], "the population")
            col = frame[by].astype(object)
            values = sorted(pd.unique(col), key=str)
            masks = {f"{by}={v}": (col == v).to_numpy() for v in values}
        chains = int(self.idata_.posterior.sizes["chain"])
        levels = self.levels_[1:] if self.kind == "binary" else self.levels_
        k_index = [1] if self.kind == "binary" else list(range(len(self.levels_)))
        name = quantity or self.answer
        out = []
        for sub, mask in masks.items():
            w = weights * mask
            if w.sum() <= 0:
                continue
            shares = np.einsum("srk,r->sk", draws, w) / w.sum()
            for lev, k in zip(levels, k_index, strict=True):
                d = shares[:, k]
                diag = with_estimand(self.diagnostics_, d.reshape(chains, -1))
                diag.update(extra_diag or {})
                check_convergence(diag, f"the estimate of {name}={lev} [{sub}]", self.on_failure)
                label = method if diag["converged"] else f"{method}[NOT CONVERGED]"
                out.append(
                    Estimate(
                        quantity=name if self.kind == "binary" else f"{name}={lev}",
                        point=float(d.mean()),
                        std_error=float(d.std(ddof=1)),
                        method=label,
                        subgroup=sub,
                        draws=d,
                        variance_components={"gold_sampling": float(d.var(ddof=1))},
                        n={"gold": self.n_gold_, "silicon": int(mask.sum())},
                        diagnostics=diag,
                        settings=self._settings(),
                    )
                )
        return EstimateTable(out)

    def _settings(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "groups": list(self.groups),
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
            "seed": self.seed,
            "sampler": self.sampler,
        }

    def estimate(
        self,
        silicon: Any = None,
        weights: Any = None,
        by: str | None = None,
        quantity: str | None = None,
    ) -> EstimateTable:
        """Corrected answer shares of the persona population (overall or ``by`` a column).

        Parameters
        ----------
        silicon : DataFrame or Population, optional
            The personas with the LLM's predictions (default: the one given to ``fit``).
        weights : array, optional
            Persona weights (e.g. ``Raker(...).fit(pop).weights_``); default the
            Population's weights, else equal.
        by : str, optional
            Column to break the estimates down by.
        quantity : str, optional
            Name of the estimated quantity (default the answer column).

        Returns
        -------
        EstimateTable
            One estimate per answer level (binary: the positive level) and subgroup, with
            posterior draws and convergence diagnostics.
        """
        self._check_fitted()
        silicon = self.silicon_ if silicon is None else silicon
        if silicon is None:
            raise DataError("no persona population: pass silicon to fit() or estimate()")
        frame, pop_w = frame_and_weights(silicon)
        w = pop_w if weights is None else np.asarray(weights, dtype=float)
        w = np.ones(len(frame)) if w is None else w
        if w.shape != (len(frame),) or np.any(w < 0) or not np.all(np.isfinite(w)):
            raise DataError(f"weights must be {len(frame)} finite non-negative numbers")
        return self._table(frame, w, by, quantity, "hierarchical_bayes")


__all__ = ["HierarchicalCorrector", "frame_and_weights"]
