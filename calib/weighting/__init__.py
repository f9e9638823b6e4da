"""Weighting: raking, calibration, post-stratification, propensity weights, trimming, replicates.

Every method groups the population once into the cells of the margin variables, solves on the
cells and maps the factors back to rows. Estimators follow the scikit-learn contract
(``fit(population, target)`` returns self; ``result_``, ``weights_``, ``g_weights_``,
``converged_``, ``n_iter_``, ``history_``) and produce a :class:`WeightResult`.

* :class:`Raker` / :func:`rake`: IPF to 1-way and multi-way margins, optional bounds on the
  factors enforced during the fit;
* :class:`Calibrator` / :func:`calibrate`: linear (GREG), raking and logit distances, with
  categorical margins plus continuous totals or means;
* :class:`PostStratifier` / :func:`poststratify`: full, partial or auto-collapsed strata;
* :class:`PropensityWeighter`: classifier odds against weighted target microdata;
* :func:`trim` / :func:`cap_weights`: trimming with redistribution, keeping the margins;
* :func:`replicate_weights`: bootstrap / JK1 / JKn replicates re-running the weighting.

A population is a :class:`~calib.population.Population` or a DataFrame of rows or grouped
cells (design weights or counts in a ``weight``/``count`` column); a target is a
:class:`~calib.target.Target`, weighted microdata, or a dict of margins. A fit that stops at
the iteration cap raises :class:`~calib.errors.ConvergenceError` (``on_fail="flag"`` returns
it with ``converged=False`` and a warning instead); infeasible problems raise
:class:`~calib.errors.EmptyCellError`, :class:`~calib.errors.InconsistentMarginsError` or
:class:`~calib.errors.InfeasibleError` naming the margin and cell.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.weighting import rake
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> rake(pd.DataFrame({"sex": ["M", "F", "F"]}), {"sex": [0.5, 0.5]}, schema=schema).weights
array([1.5 , 0.75, 0.75])
"""

from calib.weighting.calibration import Calibrator, calibrate
from calib.weighting.poststrat import PostStratifier, poststratify
from calib.weighting.propensity import PropensityWeighter
from calib.weighting.raking import Raker, rake
from calib.weighting.replicates import ReplicateWeights, make_replicate_base, replicate_weights
from calib.weighting.result import WeightResult
from calib.weighting.trimming import TrimResult, cap_weights, trim

__all__ = [
    "Calibrator",
    "PostStratifier",
    "PropensityWeighter",
    "Raker",
    "ReplicateWeights",
    "TrimResult",
    "WeightResult",
    "calibrate",
    "cap_weights",
    "make_replicate_base",
    "poststratify",
    "rake",
    "replicate_weights",
    "trim",
]
