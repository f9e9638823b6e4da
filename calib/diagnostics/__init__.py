"""Diagnostics: how far a persona population is from a target, and where.

Examples
--------
>>> from calib.diagnostics import kish_effective_sample_size
>>> kish_effective_sample_size([1.0, 1.0, 2.0, 4.0]) > 2.9
True
"""

from calib.diagnostics.alignment import AlignmentResult, answer_alignment
from calib.diagnostics.classifier import (
    ClassifierTestResult,
    classifier_two_sample_test,
    weighted_auc,
)
from calib.diagnostics.diagnose import diagnose
from calib.diagnostics.intervals import DistanceInterval, TableSide, distance_intervals
from calib.diagnostics.pathologies import duplicate_stats, support_gaps, text_stats
from calib.diagnostics.report import DiagnosticReport
from calib.diagnostics.weights import (
    WeightSummary,
    coefficient_of_variation,
    design_effect,
    kish_effective_sample_size,
    top_share,
    weight_summary,
)

__all__ = [
    "AlignmentResult",
    "ClassifierTestResult",
    "DiagnosticReport",
    "DistanceInterval",
    "TableSide",
    "WeightSummary",
    "answer_alignment",
    "classifier_two_sample_test",
    "coefficient_of_variation",
    "design_effect",
    "diagnose",
    "distance_intervals",
    "duplicate_stats",
    "kish_effective_sample_size",
    "support_gaps",
    "text_stats",
    "top_share",
    "weight_summary",
    "weighted_auc",
]
