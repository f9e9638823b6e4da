"""Population: a persona or survey table with its schema, design weights and provenance.

A Population is the left-hand side of every comparison in calib: LLM personas, a real survey,
or weighted microdata used as a reference. Construction validates everything once (schema
columns, levels, weights, ids), so downstream code can trust it.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("Male", "Female"))])
>>> pop = Population(pd.DataFrame({"sex": ["Male", "Female", "Female"]}), schema)
>>> pop.n, pop.total_weight
(3, 3.0)
>>> pop.margin("sex").tolist()
[1.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from calib.cells import Cells, group_codes
from calib.errors import DataError, UnknownVariableError, WeightError
from calib.provenance import UNKNOWN, Provenance
from calib.schema import Schema, Variable


def validate_weights(weights: object, n: int | None = None, name: str = "weights") -> np.ndarray:
    """Return ``weights`` as a flat float array after checking it is usable.

    Parameters
    ----------
    weights : array-like
        Non-negative weights, at least one positive.
    n : int, optional
        Required length (the number of rows they belong to).
    name : str, default="weights"
        How error messages call the weights (e.g. ``"weight column 'PWGTP'"``).

    Raises
    ------
    DataError
        If ``weights`` is empty.
    WeightError
        If the length is not ``n``, a weight is negative, NaN or infinite, or all are zero.

    Examples
    --------
    >>> validate_weights([1, 2.5]).tolist()
    [1.0, 2.5]
    """
    w = np.asarray(weights, dtype=float).ravel()
    if n is not None and w.shape[0] != n:
        raise WeightError(f"{name} has {w.shape[0]} values for {n} rows")
    if w.size == 0:
        raise DataError(f"{name} is empty: pass at least one weight")
    bad = ~np.isfinite(w)
    if bad.any():
        raise WeightError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s) (first at row "
            f"{int(np.flatnonzero(bad)[0])}); drop or impute those rows first"
        )
    if (w < 0).any():
        raise WeightError(
            f"{name} has {int((w < 0).sum())} negative value(s) (first at row "
            f"{int(np.flatnonzero(w < 0)[0])}); weights must be >= 0"
        )
    if not (w > 0).any():
        raise WeightError(f"all {name} are zero: at least one weight must be positive")
    return w


class Population:
    """A table of people (personas or respondents) with schema, design weights and provenance.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person. Must contain a column for every schema variable; other columns
        (answers, free text) are kept as they are.
    schema : Schema
        The variables describing the people.
    weights : str or array-like, optional
        Design weights: a column name of ``data`` or an array. Default: all 1.
    id_column : str, optional
        Column with unique person ids.
    provenance : Provenance, optional
        Where the table comes from.
    allow_missing : bool, default=False
        Allow missing values in schema columns (they become code -1 and are excluded from
        cell tables that involve that variable). By default a missing value raises.

    Raises
    ------
    UnknownVariableError, UnknownLevelError, DataError, WeightError
        On invalid input, naming the column at fault.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        schema: Schema,
        weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
        id_column: str | None = None,
        provenance: Provenance | None = None,
        allow_missing: bool = False,
    ):
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise DataError("the population is empty (0 rows)")
        frame = schema.coerce(data.reset_index(drop=True))
        if not allow_missing:
            for name in schema.names:
                n_missing = int(frame[name].isna().sum())
                if n_missing:
                    raise DataError(
                        f"column {name!r} has {n_missing} missing value(s); recode them to a "
                        "level, drop those rows, or pass allow_missing=True"
                    )
        self.weight_column: str | None = None
        if weights is None:
            w = np.ones(len(frame))
        elif isinstance(weights, str):
            if weights not in frame.columns:
                raise UnknownVariableError([weights], "the data (weight column)", tuple(frame))
            self.weight_column = weights
            w = validate_weights(
                frame[weights].to_numpy(), len(frame), f"weight column {weights!r}"
            )
        else:
            w = validate_weights(weights, len(frame))
        if id_column is not None:
            if id_column not in frame.columns:
                raise UnknownVariableError([id_column], "the data (id column)", tuple(frame))
            dupes = frame[id_column][frame[id_column].duplicated()]
            if len(dupes):
                raise DataError(
                    f"id column {id_column!r} has duplicate ids: {list(dupes.unique()[:10])}"
                )
        self.data = frame
        self.schema = schema
        self.weights = w
        self.id_column = id_column
        self.provenance = provenance if provenance is not None else UNKNOWN
        self.allow_missing = allow_missing

    def __repr__(self) -> str:
        return (
            f"Population(n={self.n}, variables={list(self.schema.names)}, "
            f"source={self.provenance.source!r})"
        )

    def __len__(self) -> int:
        return self.n

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.data)

    @property
    def total_weight(self) -> float:
        """Sum of the weights."""
        return float(self.weights.sum())

    @property
    def ids(self) -> pd.Series:
        """Person ids (the id column, or the row number)."""
        if self.id_column is None:
            return pd.Series(np.arange(self.n), name="row")
        return self.data[self.id_column]

    def codes(self, names: str | Sequence[str]) -> np.ndarray:
        """Integer level codes of categorical variables, shape (n,) or (n, k); -1 = missing."""
        single = isinstance(names, str)
        names = [names] if single else list(names)
        self.schema.require(names)
        cols = [np.asarray(self.data[n].cat.codes, dtype=np.int64) for n in names]
        out = np.stack(cols, axis=1) if cols else np.empty((self.n, 0), dtype=np.int64)
        return out[:, 0] if single else out

    def cells(self, names: Sequence[str], weights: np.ndarray | None = None) -> Cells:
        """Group the rows into cells of ``names`` (rows with a missing value are excluded).

        Parameters
        ----------
        names : sequence of str
            Categorical variables.
        weights : ndarray, optional
            Weights to sum instead of the design weights (e.g. calibrated weights).
        """
        names = list(names)
        variables = [self.schema[n] for n in names]
        codes = self.codes(names)
        w = self.weights if weights is None else validate_weights(weights, self.n)
        keep = (codes >= 0).all(axis=1)
        if not keep.all():
            codes, w = codes[keep], w[keep]
        return group_codes(
            codes,
            w,
            n_levels=[v.n_levels for v in variables],
            variables=names,
            levels=[v.levels for v in variables],
        )

    def margin(self, names: str | Sequence[str], weights: np.ndarray | None = None) -> pd.Series:
        """Weighted totals over the full product of levels of ``names`` (zeros included)."""
        names = [names] if isinstance(names, str) else list(names)
        cells = self.cells(names, weights)
        shape = cells.shape
        dense = np.zeros(int(np.prod(shape)) if shape else 1)
        if cells.n_cells:
            dense[np.ravel_multi_index(tuple(cells.codes.T), shape)] = cells.weight
        return pd.Series(dense, index=full_index(self.schema, names), name="total")

    def with_weights(self, weights: np.ndarray, provenance_note: str | None = None) -> Population:
        """A copy of this population carrying ``weights`` instead of the design weights."""
        prov = self.provenance.with_note(provenance_note) if provenance_note else self.provenance
        out = Population.__new__(Population)
        out.data = self.data
        out.schema = self.schema
        out.weights = validate_weights(weights, self.n)
        out.weight_column = None
        out.id_column = self.id_column
        out.provenance = prov
        out.allow_missing = self.allow_missing
        return out

    def subset(self, mask: np.ndarray | pd.Series) -> Population:
        """The rows where ``mask`` is True, with their weights."""
        mask = np.asarray(mask, dtype=bool)
        out = Population.__new__(Population)
        out.data = self.data.loc[mask].reset_index(drop=True)
        if len(out.data) == 0:
            raise DataError("the subset selects no rows")
        out.schema = self.schema
        out.weights = self.weights[mask]
        out.weight_column = self.weight_column
        out.id_column = self.id_column
        out.provenance = self.provenance
        out.allow_missing = self.allow_missing
        return out


def full_index(schema: Schema, names: Sequence[str]) -> pd.Index:
    """The index of every level combination of ``names`` in schema order.

    Indexes are immutable, so one is built per set of variables and shared.
    """
    names = list(names)
    schema.require(names)
    return _full_index(tuple(schema[n] for n in names))


@lru_cache(maxsize=512)
def _full_index(variables: tuple[Variable, ...]) -> pd.Index:
    if len(variables) == 1:
        return pd.Index(list(variables[0].levels), name=variables[0].name, dtype=object)
    return pd.MultiIndex.from_product(
        [list(v.levels) for v in variables], names=[v.name for v in variables]
    )


__all__ = ["Population", "full_index", "validate_weights"]
