"""The weighting problem on grouped cells: units, design weights and margin constraints.

Every weighting method in :mod:`calib.weighting` starts here. The population (a
:class:`~calib.population.Population`, or a DataFrame of rows or of already grouped cells) is
grouped once into its distinct cells over the margin variables (the sufficient statistics);
each margin becomes an integer map from cell to margin cell plus the target totals. Methods
solve for one adjustment factor per cell and :meth:`WeightingProblem.to_rows` sends it back.
No dense table of all level combinations is ever built.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> schema = Schema([Variable("sex", ("M", "F")), Variable("old", ("no", "yes"))])
>>> rows = pd.DataFrame({"sex": ["M", "F", "F", "F"], "old": ["no", "no", "yes", "yes"]})
>>> target = Target.from_margins({"sex": [0.5, 0.5], "old": [0.5, 0.5]}, schema)
>>> problem = build_problem(rows, target)
>>> problem.n_units, [m.name for m in problem.margins], problem.total
(3, ['sex', 'old'], 4.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calib.cells import group_codes
from calib.errors import DataError, UnknownVariableError
from calib.population import Population
from calib.provenance import Provenance
from calib.schema import Schema
from calib.target import Target

#: Column names recognised as design weights (or cell counts) when a DataFrame is passed.
WEIGHT_COLUMNS = ("weight", "count")

MarginSpec = str | Sequence[str]


@dataclass
class Margin:
    """One margin constraint on the cells.

    Attributes
    ----------
    key : tuple of str
        Variables of the margin.
    index : ndarray of shape (n_units,)
        Flat margin-cell index of each unit (row-major over the key's levels).
    target : ndarray of shape (size,)
        Target total of every margin cell (full level product, zeros included).
    labels : pandas.Index
        Level (combination) of every margin cell.
    """

    key: tuple[str, ...]
    index: np.ndarray
    target: np.ndarray
    labels: pd.Index

    @property
    def name(self) -> str:
        """The margin's display name, e.g. ``"sex×age"``."""
        return "×".join(self.key)

    @property
    def size(self) -> int:
        """Number of margin cells."""
        return int(self.target.shape[0])

    def sums(self, unit_weights: np.ndarray) -> np.ndarray:
        """Weighted totals of every margin cell."""
        return np.bincount(self.index, weights=unit_weights, minlength=self.size)

    def label(self, j: int) -> str:
        """Readable label of margin cell ``j``."""
        lab = self.labels[j]
        return "|".join(map(str, lab)) if isinstance(lab, tuple) else str(lab)


@dataclass
class WeightingProblem:
    """Units (cells or rows), their design weights and the margin constraints.

    Attributes
    ----------
    codes : ndarray of shape (n_units, k)
        Level codes of each unit over ``variables``.
    design : ndarray of shape (n_units,)
        Summed design weight of each unit.
    count : ndarray of shape (n_units,)
        Number of input rows in each unit.
    inverse : ndarray of shape (n_rows,)
        Unit of every input row.
    design_rows : ndarray of shape (n_rows,)
        Design weight of every input row.
    margins : list of Margin
        Categorical margin constraints.
    numeric : dict of str to ndarray
        Continuous variables per unit (only when units are rows).
    total : float
        Target population total (relative targets are scaled to the design total).
    population : Population
        The input as a Population (for reporting and replicates).
    """

    variables: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    codes: np.ndarray
    design: np.ndarray
    count: np.ndarray
    inverse: np.ndarray
    design_rows: np.ndarray
    margins: list[Margin]
    total: float
    population: Population
    target: Target
    numeric: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Number of units (distinct cells, or rows when continuous variables are used)."""
        return int(self.design.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of input rows."""
        return int(self.inverse.shape[0])

    @property
    def provenance(self) -> Provenance:
        """Provenance of the population."""
        return self.population.provenance

    def to_rows(self, unit_values: np.ndarray) -> np.ndarray:
        """Broadcast one value per unit to the input rows."""
        return np.asarray(unit_values)[self.inverse]

    def max_deviation(self, unit_weights: np.ndarray) -> float:
        """Largest absolute margin deviation, relative to the target total."""
        worst = 0.0
        for m in self.margins:
            worst = max(worst, float(np.max(np.abs(m.sums(unit_weights) - m.target))))
        return worst / max(self.total, 1e-300)

    def margin_frame(self, unit_weights: np.ndarray) -> pd.DataFrame:
        """Target vs initial vs achieved totals of every margin cell (tidy)."""
        parts = []
        for m in self.margins:
            parts.append(
                pd.DataFrame(
                    {
                        "margin": m.name,
                        "level": [m.label(j) for j in range(m.size)],
                        "target": m.target,
                        "initial": m.sums(self.design),
                        "achieved": m.sums(unit_weights),
                    }
                )
            )
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if len(out):
            out["difference"] = out["achieved"] - out["target"]
            out["relative"] = out["difference"] / max(self.total, 1e-300)
        return out


def as_population(data: Population | pd.DataFrame, schema: Schema) -> Population:
    """A Population from a Population or from a DataFrame of rows or grouped cells.

    A DataFrame's design weights (or cell counts) are read from a column named ``weight`` or
    ``count`` when present, else every row weighs 1.
    """
    if isinstance(data, Population):
        return data
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a Population or a pandas DataFrame, got {type(data).__name__}")
    names = [n for n in schema.names if n in data.columns]
    if not names:
        raise UnknownVariableError(schema.names, "the data frame's columns", tuple(data.columns))
    weight_col = next((c for c in WEIGHT_COLUMNS if c in data.columns), None)
    return Population(data, schema.subset(names), weights=weight_col)


def as_target(target: Target | Population | Mapping[object, object], schema: Schema) -> Target:
    """A Target from a Target, weighted microdata, or a mapping of margins."""
    if isinstance(target, Target):
        return target
    if isinstance(target, Population):
        return Target.from_microdata(target)
    if isinstance(target, Mapping):
        return Target.from_margins(target, schema)  # type: ignore[arg-type]
    raise DataError(
        f"expected a Target, a Population (weighted microdata) or a dict of margins, got "
        f"{type(target).__name__}"
    )


def _keys(margins: Sequence[MarginSpec] | None, target: Target, schema: Schema) -> list[tuple]:
    if margins is not None:
        keys = [(m,) if isinstance(m, str) else tuple(m) for m in margins]
    elif target.kind == "margins":
        keys = list(target.margin_keys)
    else:
        keys = [(n,) for n in target.schema.categorical_names if n in schema]
    if not keys:
        raise DataError("no margins to weight to: pass margins=[...] naming target variables")
    for key in keys:
        schema.require(key, "the population")
        if not target.can_give(key):
            raise DataError(
                f"the target cannot give the {'×'.join(key)} margin; it holds "
                f"{', '.join('×'.join(k) for k in target.margin_keys)}"
            )
        for name in key:
            if not schema[name].is_categorical:
                raise DataError(f"margin variable {name!r} is numeric; pass it as a total/mean")
    return keys


def build_problem(
    population: Population | pd.DataFrame,
    target: Target | Population | Mapping[object, object],
    margins: Sequence[MarginSpec] | None = None,
    numeric: Sequence[str] = (),
) -> WeightingProblem:
    """Group the population into cells and attach the target margins.

    Parameters
    ----------
    population : Population or DataFrame
        Rows (or grouped cells with a ``weight``/``count`` column).
    target : Target, Population or mapping
        Margins (totals or shares), a joint table, or weighted microdata.
    margins : sequence of str or tuple of str, optional
        Margin keys to use (default: every margin the target holds; for a joint or microdata
        target, each variable's 1-way margin).
    numeric : sequence of str
        Continuous variables needed per unit; units are then rows, not cells.

    Raises
    ------
    UnknownVariableError, SchemaError, DataError, InconsistentMarginsError
    """
    schema_hint = target.schema if isinstance(target, Target | Population) else None
    if isinstance(population, Population):
        pop = population
    else:
        if schema_hint is None:
            raise DataError("pass a Population (or a Target) so the DataFrame has a schema")
        pop = as_population(population, schema_hint)
    tgt = as_target(target, pop.schema)
    tgt.check_schema(pop.schema)
    tgt.check_consistency()
    keys = _keys(margins, tgt, pop.schema)
    design_rows = pop.weights
    if tgt.relative:
        tgt = tgt.scaled(float(design_rows.sum()))
    variables = [n for n in pop.schema.names if any(n in k for k in keys)]
    codes = pop.codes(variables)
    if (codes < 0).any():
        bad = [v for i, v in enumerate(variables) if (codes[:, i] < 0).any()]
        raise DataError(
            f"missing values in margin variable(s) {bad}: recode them to a level or drop those "
            "rows before weighting"
        )
    n_levels = [pop.schema[v].n_levels for v in variables]
    levels = tuple(pop.schema[v].levels for v in variables)
    num: dict[str, np.ndarray] = {}
    for name in numeric:
        if name not in pop.data.columns:
            raise UnknownVariableError([name], "the population (numeric totals)", pop.schema.names)
        values = pd.to_numeric(pop.data[name], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise DataError(f"numeric variable {name!r} has missing or non-numeric values")
        num[name] = values
    if num:
        unit_codes = codes.astype(np.int64)
        design, count = design_rows.copy(), np.ones(pop.n, dtype=np.int64)
        inverse = np.arange(pop.n)
    else:
        cells = group_codes(codes, design_rows, n_levels, variables, levels)
        unit_codes, design, count = cells.codes, cells.weight, cells.count
        inverse = cells.inverse if cells.inverse is not None else np.arange(pop.n)
    built = []
    for key in keys:
        pos = [variables.index(n) for n in key]
        index = np.zeros(unit_codes.shape[0], dtype=np.int64)
        for p in pos:
            index = index * n_levels[p] + unit_codes[:, p]
        series = tgt.margin(key)
        built.append(Margin(key, index, series.to_numpy(dtype=float), series.index))
    return WeightingProblem(
        variables=tuple(variables),
        levels=levels,
        codes=unit_codes,
        design=design,
        count=count,
        inverse=inverse,
        design_rows=design_rows,
        margins=built,
        total=float(tgt.total),
        population=pop,
        target=tgt,
        numeric=num,
    )


__all__ = ["Margin", "WeightingProblem", "as_population", "as_target", "build_problem"]
