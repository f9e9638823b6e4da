"""Bias correction with honest uncertainty: PPI / PPI++ / cross-PPI, hierarchical Bayes and MRP,
interval propagation, coverage simulation and gold-budget planning.

Modules (one job each):

- :mod:`~calib.correct.ppi_mean`: ``ppi_mean_pointestimate``, ``ppi_mean_ci`` (ppi_py-style
  arrays), ``ppi_mean`` (an :class:`~calib.estimate.Estimate`), ``ppi_proportions`` (a
  multi-category answer as a proportion vector with Bonferroni or chi-square joint intervals),
  ``classical_mean`` (gold only), ``silicon_mean`` (LLM only); :mod:`~calib.correct.ppi_table`
  (``ppi_table``: every method for every subgroup from data frames);
- :mod:`~calib.correct.ppi_quantile`, :mod:`~calib.correct.ppi_regression` (OLS and logistic
  coefficients), :mod:`~calib.correct.cross_ppi` (``cross_fit`` + ``crossppi_mean``),
  :mod:`~calib.correct.power_tuning` (PPI++ ``lambda``); survey weights on both sides;
- :mod:`~calib.correct.hierarchical` (``HierarchicalCorrector``: binary, categorical,
  ordinal; partial pooling of the LLM's bias across groups) and :mod:`~calib.correct.mrp`
  (``MRPEstimator``: post-stratification to a Target's cells), both on
  :mod:`~calib.correct.bayes_sampling` (nutpie or PyMC NUTS, convergence checks);
- :mod:`~calib.correct.propagation`: replicate-weight, LLM-sampling and gold variance
  components (``ppi_mean_propagated``, ``replicate_variance``, ``add_variance_components``);
- :mod:`~calib.correct.simulation`: ``CoverageStudy(Design(...), methods).run(n_worlds, seed)``;
- :mod:`~calib.correct.planning`: ``plan_gold_budget``, ``allocate_gold``.

PyMC, nutpie and scikit-learn are imported only inside the functions that use them.

Examples
--------
>>> from calib.correct import ppi_mean
>>> ppi_mean([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 0, 0], lam=1).point
0.75
"""

from __future__ import annotations

from calib.correct.cross_ppi import (
    cross_fit,
    crossppi_mean,
    crossppi_mean_ci,
    crossppi_mean_pointestimate,
)
from calib.correct.hierarchical import HierarchicalCorrector
from calib.correct.mrp import MRPEstimator
from calib.correct.planning import GoldBudgetPlan, allocate_gold, plan_gold_budget
from calib.correct.power_tuning import power_tuning_lambda
from calib.correct.ppi_mean import (
    classical_mean,
    ppi_mean,
    ppi_mean_ci,
    ppi_mean_pointestimate,
    ppi_proportions,
    silicon_mean,
)
from calib.correct.ppi_quantile import ppi_quantile, ppi_quantile_ci, ppi_quantile_pointestimate
from calib.correct.ppi_regression import (
    ppi_logistic,
    ppi_logistic_ci,
    ppi_logistic_pointestimate,
    ppi_ols,
    ppi_ols_ci,
    ppi_ols_pointestimate,
)
from calib.correct.ppi_table import ppi_table
from calib.correct.propagation import (
    add_variance_components,
    llm_sampling_variance,
    ppi_mean_propagated,
    replicate_variance,
)
from calib.correct.simulation import CoverageResult, CoverageStudy, Design, World, simulate_world

__all__ = [
    "CoverageResult",
    "CoverageStudy",
    "Design",
    "GoldBudgetPlan",
    "HierarchicalCorrector",
    "MRPEstimator",
    "World",
    "add_variance_components",
    "allocate_gold",
    "classical_mean",
    "cross_fit",
    "crossppi_mean",
    "crossppi_mean_ci",
    "crossppi_mean_pointestimate",
    "llm_sampling_variance",
    "plan_gold_budget",
    "power_tuning_lambda",
    "ppi_logistic",
    "ppi_logistic_ci",
    "ppi_logistic_pointestimate",
    "ppi_mean",
    "ppi_mean_ci",
    "ppi_mean_pointestimate",
    "ppi_mean_propagated",
    "ppi_ols",
    "ppi_ols_ci",
    "ppi_ols_pointestimate",
    "ppi_proportions",
    "ppi_quantile",
    "ppi_quantile_ci",
    "ppi_quantile_pointestimate",
    "ppi_table",
    "replicate_variance",
    "silicon_mean",
    "simulate_world",
]
