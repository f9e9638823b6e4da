"""Target: the reference side of every comparison (what the real population looks like).

A Target holds one of three things, always with provenance:

* ``"margins"``: 1-way and multi-way margins (totals or shares), e.g. published Census tables;
* ``"joint"``: a joint cell table over several variables, e.g. a bundled ACS cell table;
* ``"microdata"``: a weighted :class:`~calib.population.Population`, e.g. ACS PUMS persons.

Any margin derivable from what is held is returned by :meth:`Target.margin` as a Series of
totals over the full product of levels. Conversions run one way: microdata -> joint -> margins.

Examples
--------
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("Male", "Female")), Variable("old", ("no", "yes"))])
>>> target = Target.from_margins({"sex": {"Male": 48, "Female": 52}, "old": [70, 30]}, schema)
>>> target.total, target.margin("old").tolist()
(100.0, [70.0, 30.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from calib.errors import (
    DataError,
    InconsistentMarginsError,
    SchemaError,
    UnknownLevelError,
    UnknownVariableError,
)
from calib.population import Population, full_index
from calib.provenance import UNKNOWN, Provenance
from calib.schema import Schema

MarginKey = tuple[str, ...]
TargetKind = Literal["margins", "joint", "microdata"]


def _key(name: str | Sequence[str]) -> MarginKey:
    return (name,) if isinstance(name, str) else tuple(name)


def as_margin_series(
    values: pd.Series | pd.DataFrame | Mapping[object, float] | Sequence[float] | np.ndarray,
    schema: Schema,
    names: Sequence[str],
    value_column: str | None = None,
) -> pd.Series:
    """Normalise a margin given in any common form into a Series over the full level product.

    Accepted forms: a Series indexed by levels (MultiIndex for several variables, level names
    matching ``names``); a mapping from level (or tuple of levels) to value; a flat sequence in
    schema level order (row-major for several variables); a DataFrame with one column per
    variable and a value column. Combinations not given are structural zeros.

    Raises
    ------
    UnknownLevelError
        If a level is not a level of its variable.
    DataError
        If a value is negative or not finite, a combination repeats, or a sequence has the wrong
        length.
    """
    names = list(names)
    schema.require(names, "the schema (margin variables)")
    index = full_index(schema, names)
    label = f"margin {'×'.join(names)}"
    if isinstance(values, pd.DataFrame):
        missing = [n for n in names if n not in values.columns]
        if missing:
            raise UnknownVariableError(missing, f"the {label} table", tuple(values.columns))
        candidates = [c for c in values.columns if c not in names]
        col = value_column or (candidates[0] if len(candidates) == 1 else None)
        if col is None:
            raise DataError(
                f"{label}: say which column holds the values (value_column=...); "
                f"candidates {candidates}"
            )
        keyed = values.set_index(names)[col]
        values = keyed
    if isinstance(values, Mapping) and not isinstance(values, pd.Series):
        out = pd.Series(_mapping_values(values, schema, names, index, label), index=index)
        out = out.rename("total")
    elif not isinstance(values, pd.Series):
        arr = np.asarray(values, dtype=float).ravel()
        if arr.shape[0] != len(index):
            raise DataError(f"{label}: {arr.shape[0]} values given for {len(index)} cells")
        out = pd.Series(arr, index=index, name="total")
    else:
        series = values.copy()
        if len(names) > 1:
            if series.index.nlevels != len(names):
                raise DataError(
                    f"{label}: index has {series.index.nlevels} levels, expected {len(names)}"
                )
            series.index = series.index.set_names(names)
        else:
            series.index = pd.Index(series.index.get_level_values(0), name=names[0])
        for i, name in enumerate(names):
            got = pd.Index(series.index.get_level_values(i).astype(str)).unique()
            unknown = [v for v in got if v not in schema[name].levels]
            if unknown:
                raise UnknownLevelError(
                    name,
                    unknown,
                    schema[name].levels,
                    hint=f"the {label} uses levels the schema lacks; recode "
                    "the table or extend the variable",
                )
        if len(names) > 1:
            series.index = pd.MultiIndex.from_arrays(
                [series.index.get_level_values(i).astype(str) for i in range(len(names))],
                names=names,
            )
        else:
            series.index = pd.Index(series.index.astype(str), name=names[0], dtype=object)
        if series.index.duplicated().any():
            dup = series.index[series.index.duplicated()][0]
            raise DataError(f"{label}: cell {dup!r} appears more than once")
        out = series.astype(float).reindex(index, fill_value=0.0).rename("total")
    vals = out.to_numpy()
    if not np.isfinite(vals).all():
        raise DataError(f"{label}: has NaN or infinite values")
    if (vals < 0).any():
        bad = out[out < 0].index[0]
        raise DataError(f"{label}: cell {bad!r} is negative ({out[bad]})")
    return out


def _mapping_values(
    values: Mapping[object, object],
    schema: Schema,
    names: Sequence[str],
    index: pd.Index,
    label: str,
) -> np.ndarray:
    """Place ``{level or tuple of levels: value}`` on ``index`` (absent cells are 0)."""
    position = {key: i for i, key in enumerate(index)}
    out = np.zeros(len(index))
    seen: set[int] = set()
    for raw_key, value in values.items():
        if len(names) == 1:
            key: object = str(raw_key[0] if isinstance(raw_key, tuple) else raw_key)
        else:
            parts = tuple(raw_key) if isinstance(raw_key, tuple) else (raw_key,)
            if len(parts) != len(names):
                raise DataError(f"{label}: key {raw_key!r} needs {len(names)} levels")
            key = tuple(str(p) for p in parts)
        pos = position.get(key)
        if pos is None:
            parts = (key,) if len(names) == 1 else key
            for name, level in zip(names, parts, strict=True):  # type: ignore[arg-type]
                if level not in schema[name].levels:
                    raise UnknownLevelError(
                        name,
                        [level],
                        schema[name].levels,
                        hint=f"the {label} uses levels the schema lacks; recode the table or "
                        "extend the variable",
                    )
        if pos in seen:
            raise DataError(f"{label}: cell {key!r} appears more than once")
        seen.add(pos)  # type: ignore[arg-type]
        out[pos] = float(value)  # type: ignore[arg-type]
    return out


class Target:
    """The real population's distribution, as margins, a joint table or weighted microdata.

    Use the constructors :meth:`from_margins`, :meth:`from_joint` and :meth:`from_microdata`.

    Attributes
    ----------
    schema : Schema
        Variables the target describes.
    kind : {"margins", "joint", "microdata"}
        What is held.
    total : float
        Population total (1.0 for a relative target given as shares without a total).
    relative : bool
        True when only shares are known; weighting then scales to the population's own total.
    provenance : Provenance
        Where the numbers come from.
    """

    def __init__(
        self,
        schema: Schema,
        kind: TargetKind,
        *,
        margins: Mapping[MarginKey, pd.Series] | None = None,
        joint: pd.Series | None = None,
        microdata: Population | None = None,
        total: float,
        relative: bool = False,
        provenance: Provenance | None = None,
    ):
        self.schema = schema
        self.kind: TargetKind = kind
        self._margins: dict[MarginKey, pd.Series] = dict(margins or {})
        self._joint = joint
        self._microdata = microdata
        self.total = float(total)
        self.relative = relative
        self.provenance = provenance if provenance is not None else UNKNOWN
        self._cache: dict[MarginKey, pd.Series] = {}

    def __repr__(self) -> str:
        if self.kind == "margins":
            what = ", ".join("×".join(k) for k in self._margins)
        else:
            what = ", ".join(self.variables)
        return (
            f"Target({self.kind}: {what}; total={self.total:g}; source={self.provenance.source!r})"
        )

    # --- constructors ------------------------------------------------------------------

    @classmethod
    def from_margins(
        cls,
        margins: Mapping[str | Sequence[str], object],
        schema: Schema,
        *,
        total: float | None = None,
        shares: bool | None = None,
        provenance: Provenance | None = None,
        check: bool = True,
        rtol: float = 1e-6,
    ) -> Target:
        """A target from 1-way and multi-way margins.

        Parameters
        ----------
        margins : mapping
            Key: a variable name or a tuple of names; value: any form accepted by
            :func:`as_margin_series`.
        schema : Schema
            Must define every variable named.
        total : float, optional
            Population total. With ``shares=True`` each margin is scaled to it; if omitted the
            target is relative (shares only).
        shares : bool, optional
            Whether the values are shares (each margin summing to 1). Default: inferred (all
            margins sum to 1 within ``rtol``).
        check : bool, default=True
            Check that margins agree on totals and shared sub-margins.

        Raises
        ------
        InconsistentMarginsError
            If ``check`` and two margins disagree, naming both and the worst cell.
        """
        if not margins:
            raise DataError("a target needs at least one margin")
        parsed = {_key(k): as_margin_series(v, schema, _key(k)) for k, v in margins.items()}
        sums = {k: float(s.sum()) for k, s in parsed.items()}
        for k, s in sums.items():
            if s <= 0:
                raise DataError(f"margin {'×'.join(k)} sums to {s}; it needs positive mass")
        if shares is None:
            shares = all(abs(s - 1.0) <= max(rtol, 1e-9) * 10 for s in sums.values())
        relative = False
        if shares:
            if total is None:
                total, relative = 1.0, True
            parsed = {
                k: pd.Series(s.to_numpy() * (float(total) / sums[k]), index=s.index, name="total")
                for k, s in parsed.items()
            }
        else:
            if total is None:
                total = float(np.median(list(sums.values())))
        used = sorted({n for k in parsed for n in k}, key=schema.names.index)
        target = cls(
            schema.subset(used),
            "margins",
            margins=parsed,
            total=float(total),
            relative=relative,
            provenance=provenance,
        )
        if check:
            target.check_consistency(rtol=rtol)
        return target

    @classmethod
    def from_joint(
        cls,
        table: pd.Series | pd.DataFrame,
        schema: Schema,
        *,
        value_column: str | None = None,
        total: float | None = None,
        provenance: Provenance | None = None,
    ) -> Target:
        """A target from a joint cell table (Series with a MultiIndex, or a long DataFrame).

        Combinations absent from the table are zero. With ``total`` the table is rescaled to it.
        """
        if isinstance(table, pd.DataFrame):
            names = [c for c in table.columns if c in schema.names]
        else:
            names = [n for n in table.index.names]
        if not names:
            raise DataError("the joint table names no schema variable")
        schema.require(names, "the schema (joint table variables)")
        series = as_margin_series(table, schema, names, value_column=value_column)
        s = float(series.sum())
        if s <= 0:
            raise DataError("the joint table has no positive mass")
        if total is not None:
            series = series * (float(total) / s)
            s = float(total)
        return cls(schema.subset(names), "joint", joint=series, total=s, provenance=provenance)

    @classmethod
    def from_microdata(cls, population: Population, provenance: Provenance | None = None) -> Target:
        """A target from weighted microdata (e.g. ACS PUMS persons with PWGTP)."""
        return cls(
            population.schema,
            "microdata",
            microdata=population,
            total=population.total_weight,
            provenance=provenance or population.provenance,
        )

    # --- access ------------------------------------------------------------------------

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the variables the target covers."""
        return self.schema.names

    @property
    def margin_keys(self) -> tuple[MarginKey, ...]:
        """The margins held (for a joint or microdata target: the single full key)."""
        if self.kind == "margins":
            return tuple(self._margins)
        return (self.schema.categorical_names,)

    @property
    def microdata(self) -> Population:
        """The weighted microdata (only for kind ``"microdata"``)."""
        if self._microdata is None:
            raise DataError(f"this target holds {self.kind}, not microdata")
        return self._microdata

    def can_give(self, names: str | Sequence[str]) -> bool:
        """Whether :meth:`margin` can return the margin of ``names``."""
        key = _key(names)
        if any(n not in self.schema for n in key):
            return False
        if self.kind != "margins":
            return True
        return any(set(key) <= set(k) for k in self._margins)

    def margin(self, names: str | Sequence[str]) -> pd.Series:
        """Totals over the full level product of ``names``, derived from what is held.

        Raises
        ------
        UnknownVariableError
            If a variable is not in the target.
        DataError
            If the target holds margins and none contains all of ``names``.
        """
        key = _key(names)
        self.schema.require(key, "the target")
        if key in self._cache:
            return self._cache[key]
        if self.kind == "microdata":
            out = self.microdata.margin(list(key))
        else:
            if self.kind == "joint":
                source = self._joint
            else:
                holders = [k for k in self._margins if set(key) <= set(k)]
                if not holders:
                    raise DataError(
                        f"the target has no margin containing {'×'.join(key)}; available: "
                        f"{', '.join('×'.join(k) for k in self._margins)}"
                    )
                source = self._margins[min(holders, key=len)]
            assert source is not None
            if tuple(source.index.names) == key:
                out = source
            else:
                out = source.groupby(level=list(key), sort=False).sum()
                out = out.reindex(full_index(self.schema, key), fill_value=0.0)
        out = out.rename("total")
        self._cache[key] = out
        return out

    def shares(self, names: str | Sequence[str]) -> pd.Series:
        """The margin of ``names`` as shares summing to 1."""
        m = self.margin(names)
        return (m / m.sum()).rename("share")

    def joint(self) -> pd.Series:
        """The joint table over all categorical variables (joint or microdata targets)."""
        if self.kind == "margins":
            raise DataError(
                "a target made of margins has no joint table; fit one with "
                "calib.copula or use the margins directly"
            )
        return self.margin(self.schema.categorical_names)

    def to_margins(self, keys: Iterable[str | Sequence[str]]) -> Target:
        """A margins target holding only ``keys``, derived from this target."""
        keys = [_key(k) for k in keys]
        parsed = {k: self.margin(k) for k in keys}
        used = sorted({n for k in keys for n in k}, key=self.schema.names.index)
        return Target(
            self.schema.subset(used),
            "margins",
            margins=parsed,
            total=self.total,
            relative=self.relative,
            provenance=self.provenance,
        )

    def scaled(self, total: float) -> Target:
        """A copy whose every margin is rescaled to ``total``."""
        factor = float(total) / self.total
        if self.kind == "microdata":
            pop = self.microdata.with_weights(self.microdata.weights * factor)
            return Target.from_microdata(pop, self.provenance)
        return Target(
            self.schema,
            self.kind,
            margins={k: v * factor for k, v in self._margins.items()},
            joint=None if self._joint is None else self._joint * factor,
            total=float(total),
            relative=False,
            provenance=self.provenance,
        )

    def check_consistency(self, rtol: float = 1e-6) -> None:
        """Check that all margins agree on the total and on every shared sub-margin.

        Raises
        ------
        InconsistentMarginsError
            Naming the two margins, the shared variables and the cell that disagrees most.
        """
        if self.kind != "margins":
            return
        keys = list(self._margins)
        scale = max(self.total, 1e-300)
        for i, a in enumerate(keys):
            sa = float(self._margins[a].sum())
            if abs(sa - self.total) > rtol * scale:
                raise InconsistentMarginsError(
                    f"margin {'×'.join(a)} sums to {sa:.6g} but the target total is "
                    f"{self.total:.6g}; give all margins on the same total (or as shares)"
                )
            for b in keys[i + 1 :]:
                shared = [n for n in a if n in b]
                if not shared:
                    continue
                ma = self._margins[a].groupby(level=shared, sort=False).sum()
                mb = self._margins[b].groupby(level=shared, sort=False).sum()
                ma, mb = ma.align(mb, fill_value=0.0)
                gap = (ma - mb).abs()
                if gap.max() > rtol * scale:
                    cell = gap.idxmax()
                    raise InconsistentMarginsError(
                        f"margins {'×'.join(a)} and {'×'.join(b)} disagree on their shared "
                        f"{'×'.join(shared)} margin: cell {cell!r} is {ma[cell]:.6g} vs "
                        f"{mb[cell]:.6g}; take both from one source or drop one of them"
                    )

    def check_schema(self, schema: Schema) -> None:
        """Raise :class:`SchemaError` if a target variable's levels differ in ``schema``."""
        for name in self.variables:
            if name in schema and schema[name].levels != self.schema[name].levels:
                raise SchemaError(
                    f"variable {name!r} has levels {schema[name].levels} in the population "
                    f"but {self.schema[name].levels} in the target; recode one side"
                )


__all__ = ["MarginKey", "Target", "as_margin_series"]
