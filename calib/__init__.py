"""calib: statistical calibration of LLM silicon samples.

Diagnose how far a persona population is from the real population, reweight it, correct the
LLM's answers with a small real sample, and report estimates with honest intervals.

Examples
--------
>>> import calib
>>> calib.__version__ >= "0.1"
True
"""

from __future__ import annotations

from calib.errors import CalibError
from calib.population import Population
from calib.provenance import Provenance
from calib.schema import Schema, Variable, VariableKind
from calib.target import Target

__version__ = "0.1.0"

__all__ = [
    "CalibError",
    "Population",
    "Provenance",
    "Schema",
    "Target",
    "Variable",
    "VariableKind",
    "__version__",
]
