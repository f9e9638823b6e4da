"""Pieces of :func:`calib.diagnostics.diagnose.diagnose`: input checks and the side tables.

Input validation, the variance/entropy compression table, persona pathologies and the frames
the classifier test compares. Kept apart so ``diagnose.py`` reads as the main flow.

Examples
--------
>>> import pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> s = Schema([Variable("sex", ("M", "F"))])
>>> pop = Population(pd.DataFrame({"sex": ["M", "F"]}), s)
>>> check_inputs(pop, Target.from_margins({"sex": [1, 1]}, s), None)
(['sex'], [])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from calib.diagnostics import distances as dist
from calib.diagnostics.intervals import TableSide
from calib.diagnostics.pathologies import duplicate_stats, text_stats
from calib.diagnostics.tables import GroupedRows
from calib.errors import DataError, SchemaError, UnknownVariableError
from calib.population import Population
from calib.schema import VariableKind
from calib.target import Target


def check_inputs(
    population: Population, target: Target, variables: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """Validate the two sides; return the categorical and numeric variables to compare."""
    if not isinstance(population, Population):
        raise DataError(f"population must be a calib Population, got {type(population).__name__}")
    if not isinstance(target, Target):
        raise DataError(f"target must be a calib Target, got {type(target).__name__}")
    shared = [n for n in population.schema.names if n in target.schema]
    if variables is None:
        variables = shared
        if not variables:
            raise SchemaError(
                f"the population ({', '.join(population.schema.names)}) and the target "
                f"({', '.join(target.variables)}) share no variable; recode one side"
            )
    else:
        variables = list(variables)
        for where, names in (("population", population.schema.names), ("target", target.variables)):
            missing = [v for v in variables if v not in names]
            if missing:
                raise UnknownVariableError(missing, f"the {where} schema", names)
    target.check_schema(population.schema.subset(variables))
    for v in variables:
        if population.schema[v].kind != target.schema[v].kind:
            raise SchemaError(
                f"variable {v!r} is {population.schema[v].kind} in the population but "
                f"{target.schema[v].kind} in the target; use one definition on both sides"
            )
    cat = [v for v in variables if population.schema[v].is_categorical]
    num = [v for v in variables if not population.schema[v].is_categorical]
    if num and target.kind != "microdata":
        raise SchemaError(
            f"numeric variable(s) {num} can only be compared with a microdata target; "
            "bin them into levels or drop them from variables"
        )
    return cat, num


def compression_table(
    population: Population,
    target: Target,
    cat: Sequence[str],
    num: Sequence[str],
    pop_rows: GroupedRows,
    target_side: Callable[[tuple[str, ...]], TableSide],
) -> pd.DataFrame:
    """Entropy (categorical) and variance (ordinal positions, numeric values) on both sides."""
    rows = []
    for v in cat:
        var = population.schema[v]
        p = pop_rows.table((v,)).total
        q = target_side((v,)).total
        row = {
            "variable": v,
            "entropy_population": float(dist.entropy(p)),
            "entropy_target": float(dist.entropy(q)),
        }
        if var.kind is VariableKind.ORDINAL:
            row["variance_population"] = float(dist.mean_and_variance(p)[1])
            row["variance_target"] = float(dist.mean_and_variance(q)[1])
        rows.append(row)
    for v in num:
        x, w = population.data[v].to_numpy(float), population.weights
        xt, wt = target.microdata.data[v].to_numpy(float), target.microdata.weights
        ok, okt = np.isfinite(x), np.isfinite(xt)
        mp = np.average(x[ok], weights=w[ok])
        mt = np.average(xt[okt], weights=wt[okt])
        rows.append(
            {
                "variable": v,
                "variance_population": float(np.average((x[ok] - mp) ** 2, weights=w[ok])),
                "variance_target": float(np.average((xt[okt] - mt) ** 2, weights=wt[okt])),
            }
        )
    out = pd.DataFrame(rows)
    if "entropy_population" in out:
        out["entropy_ratio"] = out["entropy_population"] / out["entropy_target"]
    if "variance_population" in out:
        out["variance_ratio"] = out["variance_population"] / out["variance_target"]
    return out


def pathology_stats(
    population: Population,
    target: Target,
    cat: Sequence[str],
    pop_rows: GroupedRows | None,
    tgt_rows: GroupedRows | None,
    text: Sequence[str],
) -> dict:
    """Duplicates (with the share expected from the target) and free-text statistics."""
    out: dict = {}
    if cat:
        shares = None
        n_levels = [population.schema[v].n_levels for v in cat]
        if tgt_rows is not None:
            shares = tgt_rows.totals[tgt_rows.default]
        elif target.kind == "joint" and np.prod(n_levels, dtype=float) <= 5e6:
            shares = target.margin(cat).to_numpy(dtype=float)
        out["duplicates"] = duplicate_stats(
            pop_rows.cell_codes, shares, n_levels, counts=pop_rows.count
        )
    for col in text:
        if col not in population.data.columns:
            raise UnknownVariableError(
                [col], "the population (text column)", tuple(population.data)
            )
        out[f"text:{col}"] = text_stats(population.data[col], population.weights)
    return out


def classifier_frames(
    population: Population,
    target: Target,
    cat: Sequence[str],
    num: Sequence[str],
    max_rows: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Feature frames of both sides (a joint target is sampled into ``max_rows`` rows)."""
    xp = pd.DataFrame(population.codes(cat), columns=cat) if cat else pd.DataFrame()
    for v in num:
        xp[v] = population.data[v].to_numpy(float)
    if target.kind == "microdata":
        micro = target.microdata
        xt = pd.DataFrame(micro.codes(cat), columns=cat) if cat else pd.DataFrame()
        for v in num:
            xt[v] = micro.data[v].to_numpy(float)
        return xp, xt, micro.weights
    joint = target.margin(cat)
    q = joint.to_numpy(dtype=float)
    n = min(max_rows, max(population.n, 1000))
    draws = rng.choice(q.size, size=n, p=q / q.sum())
    codes = np.stack(np.unravel_index(draws, [population.schema[v].n_levels for v in cat]), 1)
    return xp, pd.DataFrame(codes, columns=cat), np.ones(n)


__all__ = ["check_inputs", "classifier_frames", "compression_table", "pathology_stats"]
