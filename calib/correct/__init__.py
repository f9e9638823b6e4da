"""Bias correction with honest uncertainty: PPI / PPI++ / cross-PPI, hierarchical Bayes and MRP,
interval propagation, coverage simulation and gold-budget planning.

Every function returns :class:`~calib.estimate.Estimate` objects (or plain arrays for the
``ppi_py``-style ``*_ci`` / ``*_pointestimate`` functions). PyMC is imported only inside the
Bayesian estimators.

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
    "replicate_variance",
    "silicon_mean",
    "simulate_world",
]
