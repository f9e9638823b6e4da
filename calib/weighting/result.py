"""WeightResult: what every weighting method returns (statsmodels-style result object).

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.weighting import rake
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> rows = pd.DataFrame({"sex": ["M", "F", "F", "F"]})
>>> result = rake(rows, {"sex": [0.5, 0.5]}, schema=schema)
>>> result.weights.round(4).tolist(), result.converged
([2.0, 0.6667, 0.6667, 0.6667], True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from calib.diagnostics.weights import design_effect, kish_effective_sample_size
from calib.population import Population
from calib.provenance import Provenance
from calib.weighting.problem import WeightingProblem


@dataclass(eq=False)
class WeightResult:
    """Weights produced by a weighting method, with convergence and margin diagnostics.

    Attributes
    ----------
    weights : ndarray of shape (n_rows,)
        Final weights, one per input row (or per cell of a grouped input table).
    design_weights : ndarray of shape (n_rows,)
        The starting (design) weights.
    g_weights : ndarray of shape (n_rows,)
        Adjustment factors ``weights / design_weights`` (1 where the design weight is 0).
    converged : bool
        Whether the fit met its tolerance. A fit that stopped at the iteration cap is never
        marked converged.
    n_iter : int
        Iterations (sweeps for raking, Newton steps for calibration).
    history : list of float
        Largest margin deviation (relative to the target total) after each iteration.
    method : str
        ``"raking"``, ``"calibration:linear"``, ``"poststratification"``, ...
    settings : mapping
        The estimator parameters used.
    margins : pandas.DataFrame
        Target vs initial vs achieved total of every margin cell (computed on first use).
    provenance : Provenance
        Provenance of the population that was weighted.
    """

    weights: np.ndarray
    design_weights: np.ndarray
    converged: bool
    n_iter: int
    history: list[float]
    method: str
    margins_table: pd.DataFrame | None = field(default=None, repr=False)
    settings: Mapping[str, Any] = field(default_factory=dict)
    provenance: Provenance | None = None
    population_input: Population | None = field(default=None, repr=False)
    problem: WeightingProblem | None = field(default=None, repr=False)
    unit_g: np.ndarray | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def margins(self) -> pd.DataFrame:
        """Target vs initial vs achieved total of every margin cell (computed once)."""
        if self.margins_table is not None:
            return self.margins_table
        if self.problem is None or self.unit_g is None:
            return pd.DataFrame(
                columns=[
                    "margin",
                    "level",
                    "target",
                    "initial",
                    "achieved",
                    "difference",
                    "relative",
                ]
            )
        return self.problem.margin_frame(self.problem.design * self.unit_g)

    @property
    def population(self) -> Population | None:
        """The weighted population (built from the input on first use)."""
        if self.population_input is not None:
            return self.population_input
        return None if self.problem is None else self.problem.population

    @cached_property
    def g_weights(self) -> np.ndarray:
        """Adjustment factors (final / design weight)."""
        d = self.design_weights
        return np.divide(self.weights, d, out=np.ones_like(self.weights), where=d > 0)

    @cached_property
    def ess(self) -> float:
        """Kish effective sample size of the final weights."""
        return kish_effective_sample_size(self.weights)

    @cached_property
    def deff(self) -> float:
        """Kish design effect of the final weights (1 + CV²)."""
        return design_effect(self.weights)

    @property
    def max_deviation(self) -> float:
        """Largest absolute margin deviation relative to the target total."""
        if not len(self.margins):
            return 0.0
        return float(self.margins["relative"].abs().max())

    @property
    def total(self) -> float:
        """Sum of the final weights."""
        return float(self.weights.sum())

    def weighted_population(self) -> Population:
        """The input population carrying the final weights."""
        pop = self.population
        if pop is None:
            raise AttributeError("this result was not built from a Population")
        return pop.with_weights(self.weights, f"weights from {self.method}")

    def to_frame(self) -> pd.DataFrame:
        """One row per input row: design weight, g-weight and final weight."""
        pop = self.population
        ids = pop.ids.to_numpy() if pop is not None else np.arange(self.weights.size)
        return pd.DataFrame(
            {
                "id": ids,
                "design_weight": self.design_weights,
                "g_weight": self.g_weights,
                "weight": self.weights,
            }
        )

    def summary(self) -> str:
        """A compact text table: method, convergence, weight spread and margin fit."""
        g = self.g_weights[self.design_weights > 0]
        lines = [
            f"Weighting result: {self.method}",
            "-" * 60,
            f"rows                {self.weights.size:>12d}",
            f"total weight        {self.total:>12.6g}",
            f"converged           {self.converged!s:>12}",
            f"iterations          {self.n_iter:>12d}",
            f"max margin dev.     {self.max_deviation:>12.3g}  (relative to total)",
            f"g min / max         {g.min():>12.4g} / {g.max():.4g}",
            f"Kish ESS            {self.ess:>12.1f}",
            f"design effect       {self.deff:>12.4f}",
        ]
        if self.provenance is not None:
            lines.append(f"source              {self.provenance.source:>12}")
        if len(self.margins):
            lines.append("-" * 60)
            worst = self.margins.reindex(
                self.margins["relative"].abs().sort_values(ascending=False).index
            ).head(5)
            lines.append(f"{'margin':<16}{'level':<16}{'target':>12}{'achieved':>14}")
            for row in worst.itertuples():
                lines.append(
                    f"{row.margin[:15]:<16}{row.level[:15]:<16}{row.target:>12.5g}"
                    f"{row.achieved:>14.7g}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


__all__ = ["WeightResult"]
