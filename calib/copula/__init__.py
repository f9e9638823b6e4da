"""Joint distributions from microdata or published tables: latent correlations and copulas."""

from calib.copula.polychoric import (
    CorrelationResult,
    bvn_cdf,
    bvn_rectangle_probs,
    polychoric,
    polyserial,
    weighted_polychoric,
)

__all__ = [
    "CorrelationResult",
    "bvn_cdf",
    "bvn_rectangle_probs",
    "polychoric",
    "polyserial",
    "weighted_polychoric",
]
