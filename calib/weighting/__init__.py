"""Weighting: raking, calibration, post-stratification, propensity weights, trimming, replicates.

Every method groups the population once into the cells of the margin variables, solves on the
cells and maps the factors back to rows. Estimators follow the scikit-learn contract and
return a :class:`WeightResult`.

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
