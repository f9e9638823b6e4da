"""Diagnostics: how far a persona population is from a target, and where.

Examples
--------
>>> from calib.diagnostics import kish_effective_sample_size
>>> kish_effective_sample_size([1.0, 1.0, 2.0, 4.0]) > 2.9
True
"""

from calib.diagnostics.weights import (
    WeightSummary,
    coefficient_of_variation,
    design_effect,
    kish_effective_sample_size,
    top_share,
    weight_summary,
)

__all__ = [
    "WeightSummary",
    "coefficient_of_variation",
    "design_effect",
    "kish_effective_sample_size",
    "top_share",
    "weight_summary",
]
