"""Joint distributions from microdata or published tables: latent correlations and copulas.

Main entry points: :class:`GaussianCopula` (ordinal, nominal and numeric variables; fit from
weighted microdata or from published margins and 2-way tables), its uses (implied k-way
tables, synthetic people, k-way targets, density-ratio weights), and the weighted polychoric /
polyserial correlations it is built on. :class:`VineCopula` (pyvinecopulib, optional extra
``vine``) is the alternative for ordinal and numeric variables, chosen by
``make_copula(family="vine")``.
"""

from calib.copula.gaussian import GaussianCopula
from calib.copula.nearpd import RepairRecord, nearest_correlation
from calib.copula.uses import CellTable, DensityRatioResult, JointModel
from calib.copula.vine import VineCopula, make_copula
from calib.polychoric import (
    CorrelationResult,
    bvn_cdf,
    bvn_rectangle_probs,
    polychoric,
    polyserial,
    weighted_polychoric,
)

__all__ = [
    "CellTable",
    "CorrelationResult",
    "DensityRatioResult",
    "GaussianCopula",
    "JointModel",
    "RepairRecord",
    "VineCopula",
    "bvn_cdf",
    "bvn_rectangle_probs",
    "make_copula",
    "nearest_correlation",
    "polychoric",
    "polyserial",
    "weighted_polychoric",
]
