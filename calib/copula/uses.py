"""What a fitted joint model is for: cell tables, synthetic people, k-way targets, weights.

:class:`JointModel` implements the uses once, on top of one method each model provides,
``_simulate(names, n, seed, qmc)``, which returns draws of the named variables (level codes for
categorical variables, values for numeric ones). The Gaussian copula and the vine copula share
them.

* :meth:`JointModel.table`: the implied probability of every cell of a k-way table, by
  randomised quasi-Monte Carlo (independent scrambled Sobol replicates; the standard error is
  their standard deviation over ``sqrt(n_reps)``).
* :meth:`JointModel.sample`: synthetic people as a DataFrame on the schema.
* :meth:`JointModel.joint_target`: copula-implied k-way tables raked (IPF) so the 1-way margins
  (and optionally the 2-way tables the model was fitted to) are exact, as a
  :class:`calib.target.Target`.
* :meth:`JointModel.density_ratio_weights`: weights moving a persona population toward the
  modelled joint.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calib.cells import group_codes
from calib.copula.ipf import ipf
from calib.errors import (
    DataError,
    NotFittedError,
    SchemaError,
    UnknownLevelError,
    UnknownVariableError,
)
from calib.estimate import Estimate
from calib.population import Population
from calib.provenance import Provenance
from calib.schema import Variable, VariableKind
from calib.target import Target

__all__ = ["CellTable", "DensityRatioResult", "JointModel"]


@dataclass(frozen=True)
class CellTable:
    """Model-implied probabilities of a k-way table with their Monte Carlo standard errors.

    Attributes
    ----------
    probs : pandas.Series
        Probability of every cell (MultiIndex over the full level product), summing to 1.
    std_error : pandas.Series
        Randomised-QMC standard error of each probability.
    n_draws, n_reps : int
        Points per replicate and number of independent replicates.
    """

    probs: pd.Series
    std_error: pd.Series
    n_draws: int
    n_reps: int
    method: str = "randomised QMC (scrambled Sobol)"

    @property
    def max_std_error(self) -> float:
        """Largest cell standard error."""
        return float(self.std_error.max())

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per cell with ``prob`` and ``std_error``."""
        return pd.DataFrame({"prob": self.probs, "std_error": self.std_error}).reset_index()

    def summary(self) -> str:
        names = " x ".join(str(n) for n in self.probs.index.names)
        return (
            f"implied table {names}: {self.probs.size} cells; {self.method}, "
            f"{self.n_reps} x {self.n_draws} points; max SE {self.max_std_error:.2e}"
        )


@dataclass(frozen=True)
class DensityRatioResult:
    """Weights moving a population toward a modelled joint, with what they could not do.

    Attributes
    ----------
    weights : ndarray
        New weights (summing to the population's total weight).
    variables : tuple of str
        Variables whose joint cells define the ratio.
    uncovered_mass : float
        Model probability of cells with no persona (no weight can reach it).
    zero_model_share : float
        Population weight share in cells the model gives (numerically) zero probability.
    n_cells : int
        Distinct persona cells.
    kish_ess : float
        Kish effective sample size of the new weights.
    """

    weights: np.ndarray
    variables: tuple[str, ...]
    uncovered_mass: float
    zero_model_share: float
    n_cells: int
    kish_ess: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        return (
            f"density-ratio weights over {' x '.join(self.variables)}: {self.n_cells} persona "
            f"cells; model mass with no persona {self.uncovered_mass:.4f}; persona share in "
            f"zero-probability cells {self.zero_model_share:.4f}; Kish ESS {self.kish_ess:.1f}"
        )


def _bin_labels(edges: np.ndarray) -> tuple[str, ...]:
    full = np.concatenate([[-np.inf], edges, [np.inf]])
    return tuple(f"[{lo:g}, {hi:g})" for lo, hi in itertools.pairwise(full))


class JointModel:
    """Uses shared by fitted joint models (mixin; see the module docstring)."""

    # -- to be provided by the model ------------------------------------------------------

    def _simulate(
        self, names: Sequence[str], n: int, seed: int, qmc: bool
    ) -> dict[str, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "margins_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(population) or "
                "fit_summaries(...) first"
            )

    def _require(self, names: Sequence[str]) -> list[str]:
        self._check_fitted()
        names = [names] if isinstance(names, str) else list(names)
        missing = [n for n in names if n not in self.margins_]
        if missing:
            raise UnknownVariableError(missing, "the fitted model", tuple(self.margins_))
        if len(set(names)) != len(names):
            raise DataError(f"variables repeat in {names}")
        return names

    def _levels(
        self, names: Sequence[str], bins: Mapping[str, Sequence[float]] | None
    ) -> list[tuple[str, ...]]:
        out = []
        for name in names:
            m = self.margins_[name]
            if m.is_categorical:
                out.append(m.levels)
            elif bins is not None and name in bins:
                out.append(_bin_labels(np.asarray(bins[name], dtype=float)))
            else:
                raise SchemaError(
                    f"numeric variable {name!r} has no cells: pass bins={{{name!r}: [edges]}}"
                )
        return out

    def _draw_codes(
        self,
        names: Sequence[str],
        n: int,
        seed: int,
        qmc: bool,
        bins: Mapping[str, Sequence[float]] | None,
    ) -> np.ndarray:
        draws = self._simulate(names, n, seed, qmc)
        cols = []
        for name in names:
            if self.margins_[name].is_categorical:
                cols.append(draws[name])
            else:
                edges = np.asarray(bins[name], dtype=float)  # type: ignore[index]
                cols.append(np.searchsorted(edges, draws[name], side="right"))
        return np.stack(cols, axis=1).astype(np.int64)

    # -- (a) implied probabilities ------------------------------------------------------------

    def table(
        self,
        names: str | Sequence[str],
        *,
        bins: Mapping[str, Sequence[float]] | None = None,
        n_draws: int = 2**16,
        n_reps: int = 8,
        seed: int = 0,
    ) -> CellTable:
        """Implied probability of every cell of the table over ``names``.

        Parameters
        ----------
        names : str or sequence of str
            Model variables (numeric ones need ``bins``).
        bins : mapping, optional
            Interior bin edges for numeric variables (a value ``x`` falls in bin ``i`` when
            ``edges[i-1] <= x < edges[i]``).
        n_draws : int, default=2**16
            Scrambled-Sobol points per replicate (rounded up to a power of 2).
        n_reps : int, default=8
            Independent replicates; their spread gives the standard error.
        seed : int, default=0

        Returns
        -------
        CellTable

        Examples
        --------
        >>> tab = copula.table(["sex", "educ"])  # doctest: +SKIP
        """
        names = self._require(names)
        if n_reps < 2:
            raise DataError("n_reps must be at least 2 to estimate the Monte Carlo error")
        levels = self._levels(names, bins)
        shape = tuple(len(lv) for lv in levels)
        size = int(np.prod(shape))
        reps = np.empty((n_reps, size))
        for r in range(n_reps):
            codes = self._draw_codes(names, n_draws, seed * 1000 + r, True, bins)
            key = np.ravel_multi_index(tuple(codes.T), shape)
            reps[r] = np.bincount(key, minlength=size) / codes.shape[0]
        index = pd.MultiIndex.from_product([list(lv) for lv in levels], names=names)
        probs = pd.Series(reps.mean(axis=0), index=index, name="prob")
        se = pd.Series(reps.std(axis=0, ddof=1) / np.sqrt(n_reps), index=index, name="std_error")
        return CellTable(probs, se, int(2 ** int(np.ceil(np.log2(max(n_draws, 2))))), n_reps)

    def probability(self, cell: Mapping[str, str], **kwargs) -> Estimate:
        """Implied probability of one cell, e.g. ``{"sex": "Female", "educ": "BA+"}``.

        Raises
        ------
        UnknownLevelError
            If a level is not a level of its variable.
        """
        names = self._require(list(cell))
        tab = self.table(names, **kwargs)
        key = []
        for name in names:
            levels = tab.probs.index.levels[names.index(name)]
            if str(cell[name]) not in set(levels):
                raise UnknownLevelError(name, [cell[name]], tuple(levels))
            key.append(str(cell[name]))
        k = tuple(key) if len(key) > 1 else (key[0],)
        what = ", ".join(f"{n}={v}" for n, v in zip(names, key, strict=True))
        return Estimate(
            quantity=f"P({what})",
            point=float(tab.probs.loc[k]),
            std_error=float(tab.std_error.loc[k]),
            method=f"{type(self).__name__} implied probability, {tab.method}",
            settings={"n_draws": tab.n_draws, "n_reps": tab.n_reps},
        )

    # -- (b) synthetic people ---------------------------------------------------------------

    def sample(self, n: int, seed: int = 0, *, as_population: bool = False):
        """Draw ``n`` synthetic people from the model.

        Returns
        -------
        pandas.DataFrame or Population
            One column per model variable (categoricals with the schema's dtype).

        Examples
        --------
        >>> people = copula.sample(1000, seed=1)  # doctest: +SKIP
        """
        self._check_fitted()
        if int(n) <= 0:
            raise DataError(f"n must be positive, got {n}")
        names = list(self.margins_)
        draws = self._simulate(names, int(n), seed, False)
        cols = {}
        for name in names:
            m = self.margins_[name]
            if m.is_categorical:
                cols[name] = pd.Categorical.from_codes(draws[name], dtype=self.schema_[name].dtype)
            else:
                cols[name] = draws[name]
        frame = pd.DataFrame(cols)
        if as_population:
            prov = Provenance(source=f"{type(self).__name__}.sample", notes=f"n={n}, seed={seed}")
            return Population(frame, self.schema_.subset(names), provenance=prov)
        return frame

    # -- (c) k-way targets --------------------------------------------------------------------

    def joint_target(
        self,
        keys: Sequence[str | Sequence[str]],
        *,
        total: float | None = None,
        match_tables: bool = False,
        n_draws: int = 2**19,
        seed: int = 0,
    ) -> Target:
        """Copula-implied k-way tables, raked so the 1-way margins are exact, as a Target.

        All requested tables are margins of one raked draw table over the union of their
        variables, so they agree with each other exactly on shared sub-margins.

        Parameters
        ----------
        keys : sequence
            Tables to return, e.g. ``[("age", "sex", "race"), ("educ", "income")]``.
        total : float, optional
            Population total (default: the fitted total weight).
        match_tables : bool, default=False
            Also rake to the 2-way tables the model was fitted to (``fit_summaries``), where
            both variables are in the union, so the target reproduces every published table.
        n_draws : int, default=2**19
            Quasi-Monte Carlo points behind the tables.
        seed : int, default=0

        Returns
        -------
        Target
            Margins: every 1-way margin of the union and every requested table.
        """
        self._check_fitted()
        tuples = [(k,) if isinstance(k, str) else tuple(k) for k in keys]
        if not tuples:
            raise DataError("give at least one table (key) for the target")
        union = self._require(list(dict.fromkeys(n for k in tuples for n in k)))
        for name in union:
            if not self.margins_[name].is_categorical:
                raise SchemaError(
                    f"numeric variable {name!r} cannot be a target margin: bin it into a "
                    "categorical variable in the schema before fitting"
                )
        n_levels = [len(self.margins_[n].levels) for n in union]
        codes = self._draw_codes(union, n_draws, seed, True, None)
        cells = group_codes(codes, None, n_levels, union, [self.margins_[n].levels for n in union])
        tot = float(self.total_ if total is None else total)
        margins = [((i,), self.margins_[n].probs * tot) for i, n in enumerate(union)]
        if match_tables:
            for (a, b), tab in getattr(self, "tables_", {}).items():
                if a in union and b in union:
                    margins.append(((union.index(a), union.index(b)), tab * tot / tab.sum()))
        w = ipf(cells.codes, cells.weight, margins, n_levels=n_levels, names=union, tol=1e-9)
        out: dict[tuple[str, ...], pd.Series] = {}
        for name in union:
            out[(name,)] = pd.Series(
                self.margins_[name].probs * tot,
                index=pd.Index(self.margins_[name].levels, name=name),
            )
        for key in tuples:
            cols = [union.index(n) for n in key]
            shape = tuple(n_levels[c] for c in cols)
            flat = np.ravel_multi_index(tuple(cells.codes[:, cols].T), shape)
            vals = np.bincount(flat, weights=w, minlength=int(np.prod(shape)))
            index = pd.MultiIndex.from_product(
                [list(self.margins_[n].levels) for n in key], names=list(key)
            )
            out[key] = pd.Series(vals, index=index) if len(key) > 1 else out[key]
        prov = Provenance(
            source=f"{type(self).__name__}.joint_target",
            notes=(
                f"copula-implied tables raked to exact 1-way margins"
                f"{' and fitted 2-way tables' if match_tables else ''}; "
                f"{cells.n_cells} cells from {codes.shape[0]} QMC points, seed={seed}"
            ),
        )
        return Target.from_margins(
            {k if len(k) > 1 else k[0]: v for k, v in out.items()},
            self.schema_.subset(union),
            provenance=prov,
            rtol=1e-6,
        )

    # -- (d) density-ratio weights -------------------------------------------------------

    def density_ratio_weights(
        self,
        population: Population,
        *,
        variables: Sequence[str] | None = None,
        bins: Mapping[str, Sequence[float]] | None = None,
        n_draws: int = 2**20,
        seed: int = 0,
    ) -> DensityRatioResult:
        """Weights ``w_i = d_i p_model(cell_i) / p_population(cell_i)`` over joint cells.

        ``p_population`` is the population's weighted cell share and ``p_model`` the model's
        probability of the same cell (randomised QMC). The new weights keep the population's
        total weight. Model mass in cells without personas cannot be reached and is reported.

        Raises
        ------
        UnknownVariableError, UnknownLevelError
            If the population lacks a model variable or has levels the model does not know.
        """
        self._check_fitted()
        if variables is None:
            variables = [n for n in self.margins_ if n in population.schema]
        names = self._require(list(variables))
        population.schema.require(names, "the population's schema")
        levels = self._levels(names, bins)
        pop_codes = np.empty((population.n, len(names)), dtype=np.int64)
        for j, name in enumerate(names):
            var: Variable = population.schema[name]
            if var.kind is VariableKind.NUMERIC:
                edges = np.asarray(bins[name], dtype=float)  # type: ignore[index]
                x = population.data[name].to_numpy(dtype=float)
                pop_codes[:, j] = np.searchsorted(edges, x, side="right")
                continue
            unknown = [lv for lv in var.levels if lv not in levels[j]]
            if unknown:
                raise UnknownLevelError(
                    name,
                    unknown,
                    levels[j],
                    hint="recode the population to the model's levels",
                )
            remap = np.array([levels[j].index(lv) for lv in var.levels], dtype=np.int64)
            raw = population.codes(name)
            if (raw < 0).any():
                raise DataError(f"population has missing values in {name!r}: drop or impute")
            pop_codes[:, j] = remap[raw]
        shape = tuple(len(lv) for lv in levels)
        pop_key = np.ravel_multi_index(tuple(pop_codes.T), shape)
        model_codes = self._draw_codes(names, n_draws, seed, True, bins)
        model_key = np.ravel_multi_index(tuple(model_codes.T), shape)
        mk, mc = np.unique(model_key, return_counts=True)
        pk, pinv = np.unique(pop_key, return_inverse=True)
        d = population.weights
        p_pop = np.bincount(pinv, weights=d, minlength=pk.size) / d.sum()
        pos = np.searchsorted(mk, pk)
        hit = (pos < mk.size) & (mk[np.minimum(pos, mk.size - 1)] == pk)
        p_model = np.where(hit, mc[np.minimum(pos, mk.size - 1)], 0) / model_codes.shape[0]
        ratio = p_model / p_pop
        w = d * ratio[pinv]
        if w.sum() <= 0:
            raise DataError("no persona cell has model probability: the populations do not meet")
        w *= d.sum() / w.sum()
        return DensityRatioResult(
            weights=w,
            variables=tuple(names),
            uncovered_mass=float(1.0 - p_model.sum()),
            zero_model_share=float(p_pop[~(p_model > 0)].sum()),
            n_cells=int(pk.size),
            kish_ess=float(w.sum() ** 2 / np.sum(w * w)),
        )
