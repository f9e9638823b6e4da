"""Propensity-score (inverse odds) weights with any scikit-learn classifier.

The population (personas) and the target microdata are stacked, labelled 0 and 1, and a
classifier learns ``p(x) = P(target | x)`` with sample weights that give each side the same
total. The odds ``p / (1 - p)`` estimate the density ratio ``f_target(x) / f_population(x)``,
so ``w_i = d_i · p_i / (1 - p_i)``, rescaled to the target total.

Built in: ``"logistic"`` (L2-regularised logistic regression, strength ``C``) and ``"gbm"``
(histogram gradient boosting). Any classifier with ``fit(X, y, sample_weight=)`` and
``predict_proba`` works; it is cloned, never modified.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.population import Population
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> pop = Population(pd.DataFrame({"sex": ["M"] * 30 + ["F"] * 70}), schema)
>>> ref = Population(pd.DataFrame({"sex": ["M"] * 50 + ["F"] * 50}), schema)
>>> w = PropensityWeighter(C=1e6).fit(pop, ref).weights_
>>> round(float(w[:30].sum()), 1), round(float(w[30:].sum()), 1)
(50.0, 50.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from calib.errors import DataError
from calib.population import Population
from calib.schema import Schema
from calib.target import Target
from calib.weighting._base import WeightingEstimator
from calib.weighting.problem import as_population, build_problem
from calib.weighting.result import WeightResult


def _name(classifier: Any) -> str:
    return classifier if isinstance(classifier, str) else type(classifier).__name__


def _features(pop: Population, variables: Sequence[str]) -> np.ndarray:
    cols = []
    for name in variables:
        var = pop.schema[name]
        if var.is_categorical:
            codes = pop.codes(name)
            cols.append(np.eye(var.n_levels)[codes])
        else:
            cols.append(pop.data[name].to_numpy(dtype=float)[:, None])
    return np.hstack(cols)


class PropensityWeighter(WeightingEstimator):
    """Weight the population to weighted target microdata by classifier odds.

    Parameters
    ----------
    classifier : {"logistic", "gbm"} or scikit-learn classifier, default="logistic"
    variables : sequence of str, optional
        Features (default: every schema variable shared by population and target).
    C : float, default=1.0
        Inverse regularisation strength of the built-in logistic regression.
    clip : float, default=1e-3
        Propensities are clipped to ``[clip, 1 - clip]`` before taking odds.
    random_state : int, default=0
        Seed passed to the classifier (when it takes one).
    n_threads : int or None, default=1
        Threads of the classifier's OpenMP/BLAS pools during fit and predict (1 avoids
        oversubscription on small problems; None keeps the libraries' defaults).

    Attributes
    ----------
    result_ : WeightResult
        ``margins`` compares the 1-way margins of the categorical features.
    classifier_ : fitted classifier
    propensity_ : ndarray
        ``P(target | x)`` for every population row.

    Examples
    --------
    >>> PropensityWeighter(classifier="gbm").get_params()["classifier"]
    'gbm'
    """

    def __init__(
        self,
        classifier: Any = "logistic",
        variables: Sequence[str] | None = None,
        C: float = 1.0,
        clip: float = 1e-3,
        random_state: int = 0,
        n_threads: int | None = 1,
    ):
        self.classifier = classifier
        self.variables = variables
        self.C = C
        self.clip = clip
        self.random_state = random_state
        self.n_threads = n_threads

    def _make_classifier(self) -> Any:
        from sklearn.base import clone

        if isinstance(self.classifier, str):
            if self.classifier == "logistic":
                from sklearn.linear_model import LogisticRegression

                return LogisticRegression(C=self.C, max_iter=5000, tol=1e-10)
            if self.classifier == "gbm":
                from sklearn.ensemble import HistGradientBoostingClassifier

                return HistGradientBoostingClassifier(random_state=self.random_state)
            raise DataError(
                f"classifier must be 'logistic', 'gbm' or a scikit-learn classifier, got "
                f"{self.classifier!r}"
            )
        if not (hasattr(self.classifier, "fit") and hasattr(self.classifier, "predict_proba")):
            raise DataError(f"{self.classifier!r} has no fit/predict_proba: not a classifier")
        model = clone(self.classifier)
        if "random_state" in model.get_params():
            model.set_params(random_state=self.random_state)
        return model

    def fit(
        self,
        population: Population | pd.DataFrame,
        target: Target | Population,
        schema: Schema | None = None,
    ) -> PropensityWeighter:
        """Fit the classifier and compute the weights; returns self.

        Raises
        ------
        DataError
            If the target is not weighted microdata, or a feature is missing.
        """
        if isinstance(target, Target):
            if target.kind != "microdata":
                raise DataError(
                    "propensity weighting needs the target as weighted microdata "
                    "(Target.from_microdata or a Population); use Raker/Calibrator for margins"
                )
            target = target.microdata
        if not isinstance(target, Population):
            raise DataError(f"target must be a Population or Target, got {type(target).__name__}")
        if not (isinstance(self.clip, float | int) and 0 < self.clip < 0.5):
            raise DataError(f"clip must be in (0, 0.5), got {self.clip!r}")
        pop = as_population(population, schema or target.schema)
        shared = [n for n in pop.schema.names if n in target.schema.names]
        variables = list(self.variables) if self.variables is not None else shared
        if not variables:
            raise DataError("population and target share no variable to model")
        pop.schema.require(variables, "the population")
        target.schema.require(variables, "the target microdata")
        for name in variables:
            if pop.schema[name] != target.schema[name]:
                raise DataError(
                    f"variable {name!r} differs between population and target; recode one side"
                )
        x_pop, x_tgt = _features(pop, variables), _features(target, variables)
        numeric = [i for i, n in enumerate(variables) if not pop.schema[n].is_categorical]
        X = np.vstack([x_pop, x_tgt])
        if numeric:
            X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        y = np.r_[np.zeros(pop.n), np.ones(target.n)]
        sw = np.r_[pop.weights / pop.weights.sum(), target.weights / target.weights.sum()]
        sw = sw * (sw.size / sw.sum())
        model = self._make_classifier()
        with threadpool_limits(limits=self.n_threads):
            model.fit(X, y, sample_weight=sw)
            p = np.clip(model.predict_proba(X[: pop.n])[:, 1], self.clip, 1 - self.clip)
        w = pop.weights * p / (1 - p)
        w *= target.total_weight / w.sum()
        self.classifier_ = model
        self.propensity_ = p
        cat = [(n,) for n in variables if pop.schema[n].is_categorical]
        margins = pd.DataFrame()
        if cat:
            problem = build_problem(pop, Target.from_microdata(target), cat)
            margins = problem.margin_frame(np.bincount(problem.inverse, w, problem.n_units))
        self._set_result(
            WeightResult(
                weights=w,
                design_weights=pop.weights,
                converged=True,
                n_iter=int(np.max(getattr(model, "n_iter_", 1))),
                history=[],
                method=f"propensity:{_name(self.classifier)}",
                margins_table=margins,
                settings=self.get_params(),
                provenance=pop.provenance,
                population_input=pop,
            )
        )
        return self


__all__ = ["PropensityWeighter"]
