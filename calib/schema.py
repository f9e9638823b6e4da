"""Variables and schemas: the one vocabulary every source is translated into.

A :class:`Variable` is a named survey variable with a kind (nominal, ordinal or numeric) and, for
categorical kinds, its ordered levels. A :class:`Schema` is an ordered, immutable collection of
variables. ``Schema.coerce`` turns a data frame's columns into pandas categoricals on the
schema's levels and raises :class:`~calib.errors.UnknownLevelError` naming every value that is
not a level, so nothing is silently dropped.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable, VariableKind
>>> sex = Variable("sex", ("Male", "Female"))
>>> educ = Variable("educ3", ("HS or less", "Some college", "College+"), VariableKind.ORDINAL)
>>> schema = Schema([sex, educ])
>>> frame = schema.coerce(pd.DataFrame({"sex": ["Male"], "educ3": ["College+"]}))
>>> frame["educ3"].cat.codes.tolist()
[2]
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from calib.errors import DataError, SchemaError, UnknownLevelError, UnknownVariableError


class VariableKind(enum.StrEnum):
    """Measurement level of a variable."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    NUMERIC = "numeric"


@dataclass(frozen=True)
class Variable:
    """A named survey variable.

    Parameters
    ----------
    name : str
        Column name used in every table (``"age6"``, ``"race5"``, ``"state"``).
    levels : sequence of str, default=()
        Ordered category levels; empty for numeric variables.
    kind : VariableKind, default=VariableKind.NOMINAL
        Nominal, ordinal (levels are ordered) or numeric.
    labels : mapping of str to str, default={}
        Human-readable label for each level, when it differs from the level itself.
    description : str, default=""
        One line saying what the variable measures and in which universe.

    Examples
    --------
    >>> Variable("sex", ("Male", "Female")).n_levels
    2
    """

    name: str
    levels: tuple[str, ...] = ()
    kind: VariableKind = VariableKind.NOMINAL
    labels: Mapping[str, str] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(str(level) for level in self.levels))
        object.__setattr__(self, "kind", VariableKind(self.kind))
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        if not self.name:
            raise SchemaError("a variable needs a non-empty name")
        if self.kind is VariableKind.NUMERIC:
            if self.levels:
                raise SchemaError(f"numeric variable {self.name!r} cannot have levels")
            return
        if not self.levels:
            raise SchemaError(f"categorical variable {self.name!r} needs at least one level")
        if len(set(self.levels)) != len(self.levels):
            dupes = sorted({lv for lv in self.levels if self.levels.count(lv) > 1})
            raise SchemaError(f"variable {self.name!r} has duplicate levels: {dupes}")
        unknown = set(self.labels) - set(self.levels)
        if unknown:
            raise SchemaError(f"labels of {self.name!r} name unknown levels: {sorted(unknown)}")

    def __hash__(self) -> int:
        return hash((self.name, self.levels, self.kind))

    @property
    def is_categorical(self) -> bool:
        """True for nominal and ordinal variables."""
        return self.kind is not VariableKind.NUMERIC

    @property
    def n_levels(self) -> int:
        """Number of levels (0 for numeric variables)."""
        return len(self.levels)

    @property
    def dtype(self) -> pd.CategoricalDtype | np.dtype:
        """The pandas dtype of this variable's column."""
        if not self.is_categorical:
            return np.dtype("float64")
        return pd.CategoricalDtype(list(self.levels), ordered=self.kind is VariableKind.ORDINAL)

    def label(self, level: str) -> str:
        """Human-readable label of ``level``."""
        return self.labels.get(level, level)

    def index(self, level: str) -> int:
        """Position of ``level`` in the level order.

        Raises
        ------
        UnknownLevelError
            If ``level`` is not a level of this variable.
        """
        try:
            return self.levels.index(str(level))
        except ValueError:
            raise UnknownLevelError(self.name, [level], self.levels) from None

    def coerce(self, values: Iterable[object] | pd.Series) -> pd.Series:
        """Return ``values`` as a column of this variable's dtype.

        Missing values (None/NaN) stay missing; any other value that is not a level raises.

        Raises
        ------
        UnknownLevelError
            Listing every offending value with its count.
        DataError
            If a numeric variable receives values that are not numbers.
        """
        series = values if isinstance(values, pd.Series) else pd.Series(list(values))
        if not self.is_categorical:
            converted = pd.to_numeric(series, errors="coerce")
            bad = series[converted.isna() & series.notna()]
            if len(bad):
                raise DataError(
                    f"numeric variable {self.name!r} has non-numeric values: "
                    f"{sorted(map(str, bad.unique()))[:10]}"
                )
            return converted.astype("float64").rename(self.name)
        if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == list(
            self.levels
        ):
            return series.astype(self.dtype).rename(self.name)
        as_text = series.astype("object").where(series.notna(), None)
        as_text = as_text.map(lambda v: v if v is None else str(v))
        present = as_text.dropna()
        unknown = present[~present.isin(self.levels)]
        if len(unknown):
            counts = unknown.value_counts()
            raise UnknownLevelError(
                self.name, list(counts.index), self.levels, counts=list(counts.to_numpy())
            )
        return pd.Series(
            pd.Categorical(as_text, dtype=self.dtype), index=series.index, name=self.name
        )

    def codes(self, values: Iterable[object] | pd.Series) -> np.ndarray:
        """Integer codes (0 .. n_levels-1, -1 for missing) of ``values``."""
        return np.asarray(self.coerce(values).cat.codes, dtype=np.int64)


class Schema(Mapping[str, Variable]):
    """An ordered, immutable collection of :class:`Variable` objects.

    Parameters
    ----------
    variables : iterable of Variable
        The variables, in the order tables should show them.

    Examples
    --------
    >>> schema = Schema([Variable("sex", ("Male", "Female"))])
    >>> schema.names
    ('sex',)
    """

    def __init__(self, variables: Iterable[Variable] = ()):
        items: dict[str, Variable] = {}
        for variable in variables:
            if not isinstance(variable, Variable):
                raise SchemaError(f"a Schema holds Variable objects, got {type(variable)!r}")
            if variable.name in items and items[variable.name] != variable:
                raise SchemaError(f"variable {variable.name!r} is defined twice, differently")
            items[variable.name] = variable
        self._variables = MappingProxyType(items)

    def __getitem__(self, name: str) -> Variable:
        try:
            return self._variables[name]
        except KeyError:
            raise UnknownVariableError([name], "the schema", tuple(self._variables)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and tuple(self.variables) == tuple(other.variables)

    def __hash__(self) -> int:
        return hash(tuple(self.variables))

    def __repr__(self) -> str:
        return f"Schema({', '.join(self.names)})"

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in order."""
        return tuple(self._variables)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """Variables in order."""
        return tuple(self._variables.values())

    @property
    def categorical_names(self) -> tuple[str, ...]:
        """Names of the nominal and ordinal variables."""
        return tuple(n for n, v in self._variables.items() if v.is_categorical)

    def subset(self, names: Sequence[str]) -> Schema:
        """A schema with only ``names``, in the order given."""
        self.require(names)
        return Schema(self._variables[n] for n in names)

    def merge(self, other: Schema | Iterable[Variable]) -> Schema:
        """A schema with this schema's variables followed by ``other``'s new ones."""
        return Schema([*self.variables, *(other.variables if isinstance(other, Schema) else other)])

    def require(self, names: Iterable[str], where: str = "the schema") -> None:
        """Raise :class:`UnknownVariableError` if any of ``names`` is not in the schema."""
        missing = [n for n in names if n not in self._variables]
        if missing:
            raise UnknownVariableError(missing, where, self.names)

    def coerce(self, frame: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Return a copy of ``frame`` whose schema columns have the schema's dtypes.

        Columns not in the schema are kept unchanged.

        Raises
        ------
        UnknownVariableError
            If a schema variable (or one of ``names``) is not a column of ``frame``.
        UnknownLevelError
            If a column holds values that are not levels of its variable.
        """
        names = self.names if names is None else tuple(names)
        self.require(names)
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise UnknownVariableError(missing, "the data frame's columns", tuple(frame.columns))
        out = frame.copy()
        for name in names:
            out[name] = self._variables[name].coerce(frame[name])
        return out


__all__ = ["Schema", "Variable", "VariableKind"]
