"""Gaussian copula over mixed ordinal, nominal and numeric variables.

The model: a latent normal vector ``Z ~ N(0, R)`` with one coordinate per ordinal or numeric
variable and one per level of each nominal variable (a multinomial-probit block, independent
within the block); each variable is read off its block through its exact margin
(:mod:`calib.copula.margins`). ``R`` is fitted pair by pair (:mod:`calib.copula.pairs`), then
made positive definite with the block structure kept (:mod:`calib.copula.nearpd`).

Two ways to fit:

* :meth:`GaussianCopula.fit` from weighted microdata (a :class:`~calib.population.Population`).
* :meth:`GaussianCopula.fit_summaries` from published numbers only: exact 1-way margins plus
  any 2-way tables (each pair's latent correlation fitted to its table) or given latent
  correlations; the pairs left out are assumed independent and recorded as such.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.schema import Schema, Variable
>>> schema = Schema([Variable("sex", ("M", "F")), Variable("educ", ("lo", "mid", "hi"),
...                  kind="ordinal")])
>>> table = pd.DataFrame({"sex": ["M", "M", "M", "F", "F", "F"],
...                       "educ": ["lo", "mid", "hi"] * 2, "n": [30, 15, 5, 10, 15, 25]})
>>> cop = GaussianCopula().fit_summaries(margins={"sex": [0.5, 0.5],
...                                       "educ": [0.4, 0.3, 0.3]},
...                                      tables={("sex", "educ"): table}, schema=schema)
>>> sorted(cop.pair_sources_.values())
['table']
>>> people = cop.sample(1000, seed=1)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from calib.copula.margins import Margin, nominal_margin, numeric_margin, ordinal_margin
from calib.copula.nearpd import RepairRecord, nearest_correlation
from calib.copula.nominal import qmc_normal
from calib.copula.pairs import PairEstimate, latent_data, pair_from_microdata, pair_from_table
from calib.copula.summaries import check_table, parse_summaries
from calib.copula.uses import JointModel
from calib.errors import (
    DataError,
    SchemaError,
    UnknownVariableError,
)
from calib.polychoric import kish_n
from calib.population import Population
from calib.schema import Schema, VariableKind
from calib.target import Target

__all__ = ["GaussianCopula"]

Pair = tuple[str, str]


def _margin_for(var, probs: np.ndarray) -> Margin:
    if var.kind is VariableKind.NOMINAL and var.n_levels >= 3:
        return nominal_margin(var.name, var.levels, probs)
    return ordinal_margin(var.name, var.levels, probs)


class GaussianCopula(JointModel):
    """Gaussian copula with exact margins for ordinal, nominal and numeric variables.

    Parameters
    ----------
    variables : sequence of str, optional
        Variables to model (default: every schema variable).
    repair : bool, default=True
        Repair a non-positive-definite latent correlation matrix (nearest correlation matrix
        keeping the block structure). With False such a matrix raises ``InfeasibleError``.
    max_repair_change : float, optional
        Largest change of one latent correlation the repair may make; more raises.
    eig_floor : float, default=1e-6
        Smallest eigenvalue of the fitted latent correlation matrix.
    numeric_bins : int, default=20
        Weighted-quantile bins used for a numeric variable's pairs with nominal variables.
    parametric_margins : mapping of str to frozen scipy.stats distribution, optional
        Parametric margins of numeric variables (default: exact weighted empirical margins).
    n_sim : int, default=2**15
        Quasi-Monte Carlo points used to fit pairs that involve a nominal block.
    seed : int, default=0
        Seed of those points.
    missing : {"raise", "pairwise"}, default="raise"
        Missing values in microdata (``Population(..., allow_missing=True)``): raise, or use
        all available rows (each margin from the rows that have the variable, each pair from
        the rows that have both).
    progress : bool, optional
        Show a progress bar over pairs (default: only on a terminal).

    Attributes
    ----------
    schema_ : Schema
    margins_ : dict of str to Margin
        Exact margins and latent representations.
    correlation_ : ndarray
        Latent correlation matrix (positive definite).
    latent_labels_ : list of str
        Label of each latent coordinate (``"race[White]"`` for nominal blocks).
    latent_slices_ : dict of str to slice
    pairs_ : pandas.DataFrame
        One row per pair: source, estimator, ``rho`` (pairs of one-dimensional latents),
        ``max_abs_corr`` (largest absolute latent correlation of the pair's block after
        repair, also for nominal blocks), standard error, convergence, repair change.
    block_std_errors_ : dict of (str, str) to ndarray
        Standard errors of the block entries of nominal x ordinal/numeric pairs fitted from
        microdata (pairwise likelihood, margins held fixed).
    pair_sources_ : dict of (str, str) to str
        ``"microdata"``, ``"table"``, ``"given"`` or ``"independent"``.
    repair_ : RepairRecord
        How much the positive-definite repair changed.
    tables_ : dict of (str, str) to ndarray
        2-way share tables the fit saw (the published ones, or the weighted microdata's for
        categorical pairs); ``joint_target(match_tables=True)`` rakes to them.
    total_ : float
        Population total the margins refer to.
    n_obs_ : float
        Kish effective sample size of the microdata (NaN for summaries).
    missing_share_ : dict of str to float
        Weighted share of missing values of each variable (microdata fits).
    fit_source_ : str
        ``"microdata"`` or ``"summaries"``.

    Notes
    -----
    Nominal variables are represented as multinomial-probit blocks: one latent utility per
    level, independent within the block (Thurstone's case V), the level being the argmax of
    utilities shifted by locations solved to reproduce the margin exactly. The block's
    correlations with another variable's latent are identified up to the direction the argmax
    cannot see (the same shift for every level) and are normalised to sum to zero. This keeps
    the level set unordered: relabelling the levels permutes the block and changes nothing
    else, unlike an integer coding. Pairs are fitted by pairwise maximum likelihood (Olsson
    1979 for ordinal pairs), then the matrix is repaired to the nearest positive-definite
    correlation matrix with the block structure fixed (Higham 2002).
    """

    def __init__(
        self,
        variables: Sequence[str] | None = None,
        *,
        repair: bool = True,
        max_repair_change: float | None = None,
        eig_floor: float = 1e-6,
        numeric_bins: int = 20,
        parametric_margins: Mapping[str, Any] | None = None,
        n_sim: int = 2**15,
        seed: int = 0,
        missing: str = "raise",
        progress: bool | None = None,
    ):
        self.variables = variables
        self.missing = missing
        self.repair = repair
        self.max_repair_change = max_repair_change
        self.eig_floor = eig_floor
        self.numeric_bins = numeric_bins
        self.parametric_margins = parametric_margins
        self.n_sim = n_sim
        self.seed = seed
        self.progress = progress

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        keys = [
            "missing",
            "variables",
            "repair",
            "max_repair_change",
            "eig_floor",
            "numeric_bins",
            "parametric_margins",
            "n_sim",
            "seed",
            "progress",
        ]
        return {k: getattr(self, k) for k in keys}

    # -- fitting -------------------------------------------------------------------------

    def _bar(self, items: list, desc: str):
        show = self.progress if self.progress is not None else sys.stderr.isatty()
        return tqdm(items, desc=desc, disable=not show, leave=False)

    def fit(self, population: Population) -> GaussianCopula:
        """Fit margins and latent correlations to weighted microdata.

        Parameters
        ----------
        population : Population
            Microdata with survey weights (e.g. ACS PUMS persons weighted by PWGTP).

        Returns
        -------
        self

        Raises
        ------
        UnknownVariableError
            If a requested variable is not in the population's schema.
        DataError
            Missing values in a modelled variable.
        InfeasibleError
            If the latent correlation matrix cannot be repaired within the limits set.
        """
        if not isinstance(population, Population):
            raise DataError(f"fit needs a Population, got {type(population).__name__}")
        names = list(self.variables) if self.variables is not None else list(population.schema)
        population.schema.require(names, "the population's schema")
        schema = population.schema.subset(names)
        w = population.weights
        n_obs = kish_n(w)
        if self.missing not in ("raise", "pairwise"):
            raise DataError(f"missing must be 'raise' or 'pairwise', not {self.missing!r}")
        params = dict(self.parametric_margins or {})
        margins: dict[str, Margin] = {}
        data, present, missing_share = {}, {}, {}
        for name in names:
            var = schema[name]
            if var.is_categorical:
                column = population.codes(name)
                ok = column >= 0
            else:
                column = population.data[name].to_numpy(dtype=float)
                ok = np.isfinite(column)
            if not ok.all():
                if self.missing == "raise":
                    raise DataError(
                        f"column {name!r} has {int((~ok).sum())} missing value(s): drop or "
                        "impute them, or pass missing='pairwise' (each margin and pair from "
                        "the rows that have the variables)"
                    )
                if not ok.any():
                    raise DataError(f"column {name!r} has no non-missing value")
                column = np.where(ok, column, column[ok][0])  # placeholder with zero weight
            wv = w * ok
            present[name] = ok
            missing_share[name] = float(1.0 - wv.sum() / w.sum())
            if var.is_categorical:
                probs = np.bincount(column, weights=wv, minlength=var.n_levels)
                margins[name] = _margin_for(var, probs)
            else:
                margins[name] = numeric_margin(name, column[ok], w[ok], params.get(name))
            data[name] = latent_data(margins[name], column, wv, self.numeric_bins)
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        estimates = {}
        for a, b in self._bar(pairs, "copula pairs"):
            both = present[a] & present[b]
            wp = w if both.all() else w * both
            estimates[(a, b)] = pair_from_microdata(
                margins[a],
                margins[b],
                data[a],
                data[b],
                wp,
                n_obs if both.all() else kish_n(wp),
                n_sim=self.n_sim,
                seed=self.seed,
            )
        self.missing_share_ = missing_share
        sources = {p: "microdata" for p in pairs}
        self._finish(schema, margins, estimates, sources, float(w.sum()), n_obs, "microdata")
        self.tables_: dict[Pair, np.ndarray] = {}
        for a, b in pairs:  # weighted 2-way tables, for joint_target(match_tables=True)
            if margins[a].is_categorical and margins[b].is_categorical:
                na, nb = len(margins[a].levels), len(margins[b].levels)
                wp = w * (present[a] & present[b])
                key = data[a].codes * nb + data[b].codes  # type: ignore[operator]
                tab = np.bincount(key, weights=wp, minlength=na * nb).reshape(na, nb)
                self.tables_[(a, b)] = tab / tab.sum()
        return self

    def fit_summaries(
        self,
        target: Target | None = None,
        *,
        margins: Mapping[str, object] | None = None,
        tables: Mapping[Pair, object] | None = None,
        correlations: Mapping[Pair, float] | None = None,
        schema: Schema | None = None,
        total: float | None = None,
        margin_rtol: float = 0.01,
    ) -> GaussianCopula:
        """Fit from published summaries: exact 1-way margins plus 2-way tables or correlations.

        Parameters
        ----------
        target : Target, optional
            Margins (any keys); every 1-way margin it can give is used, and every pair inside
            one of its multi-way keys gets its 2-way table.
        margins : mapping of str to table, optional
            1-way margins (counts or shares) when no target is given.
        tables : mapping of (str, str) to table, optional
            Extra 2-way tables (Series with a MultiIndex, long DataFrame, or array with the
            first variable in rows).
        correlations : mapping of (str, str) to float, optional
            Latent correlations of pairs of ordinal/numeric variables.
        schema : Schema, optional
            Needed without a target; with numeric variables, ``parametric_margins`` must give
            their distributions.
        total : float, optional
            Population total (default: the target's, or the 1-way margins' sum).
        margin_rtol : float, default=0.01
            A 2-way table whose margins differ from the 1-way margins by more than this
            (absolute difference in shares) raises ``InconsistentMarginsError``.

        Returns
        -------
        self
        """
        if target is None and margins is None:
            raise DataError("give a target, or margins= with a schema=")
        schema = target.schema if (target is not None and schema is None) else schema
        if schema is None:
            raise DataError("fit_summaries needs schema= when no target is given")
        one_way, two_way = parse_summaries(target, margins, tables, schema)
        params = dict(self.parametric_margins or {})
        names = (
            list(self.variables)
            if self.variables is not None
            else [n for n in schema.names if n in one_way or n in params]
        )
        schema.require(names, "the schema")
        for n in names:
            if not schema[n].is_categorical and n not in params:
                raise SchemaError(
                    f"numeric variable {n!r} needs parametric_margins={{{n!r}: dist}} when "
                    "fitting from summaries (or bin it into levels)"
                )
        missing = [n for n in names if n not in one_way and n not in params]
        if missing:
            raise UnknownVariableError(missing, "the summaries (no 1-way margin given)")
        fitted_margins: dict[str, Margin] = {}
        for name in names:
            var = schema[name]
            if not var.is_categorical:
                if name not in params:
                    raise SchemaError(
                        f"numeric variable {name!r} needs parametric_margins={{{name!r}: "
                        "dist}} when fitting from summaries (or bin it into levels)"
                    )
                fitted_margins[name] = numeric_margin(name, np.zeros(0), dist=params[name])
                continue
            s = one_way[name].reindex(list(var.levels)).to_numpy(dtype=float)
            fitted_margins[name] = _margin_for(var, s)
        tot = float(total if total is not None else (target.total if target else 0.0))
        if tot <= 0:
            tot = float(np.median([one_way[n].sum() for n in names if n in one_way]))
        estimates: dict[Pair, PairEstimate] = {}
        sources: dict[Pair, str] = {}
        kept_tables: dict[Pair, np.ndarray] = {}
        order = {n: i for i, n in enumerate(names)}
        pairs = [(a, b) for (a, b) in two_way if a in order and b in order]
        for a, b in self._bar(pairs, "copula pairs"):
            tab = two_way[(a, b)]
            arr = tab.to_numpy(dtype=float).reshape(schema[a].n_levels, schema[b].n_levels)
            check_table(a, b, arr, fitted_margins, margin_rtol)
            if order[a] > order[b]:
                a, b, arr = b, a, arr.T
            estimates[(a, b)] = pair_from_table(
                fitted_margins[a], fitted_margins[b], arr, n_sim=self.n_sim, seed=self.seed
            )
            sources[(a, b)] = "table"
            kept_tables[(a, b)] = arr / arr.sum()
        for (a, b), value in (correlations or {}).items():
            schema.require([a, b], "the schema (given correlation)")
            if a not in order or b not in order:
                continue
            if fitted_margins[a].dim != 1 or fitted_margins[b].dim != 1:
                raise SchemaError(
                    f"a single correlation cannot describe {a} x {b}: a nominal variable with 3+ "
                    "levels has one latent per level; give their 2-way table instead"
                )
            if order[a] > order[b]:
                a, b = b, a
            if (a, b) in estimates:
                raise DataError(f"pair {a} x {b} has both a table and a correlation: give one")
            v = float(value)
            estimates[(a, b)] = PairEstimate(np.array([[v]]), "given latent correlation", v)
            sources[(a, b)] = "given"
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if (a, b) not in estimates:
                    estimates[(a, b)] = PairEstimate(
                        np.zeros((fitted_margins[a].dim, fitted_margins[b].dim)),
                        "assumed independent (no table or correlation)",
                        0.0,
                    )
                    sources[(a, b)] = "independent"
        self._finish(
            schema.subset(names), fitted_margins, estimates, sources, tot, float("nan"), "summaries"
        )
        self.tables_ = kept_tables
        return self

    def _finish(
        self,
        schema: Schema,
        margins: dict[str, Margin],
        estimates: dict[Pair, PairEstimate],
        sources: dict[Pair, str],
        total: float,
        n_obs: float,
        source: str,
    ) -> None:
        names = list(margins)
        slices, labels, start = {}, [], 0
        for name in names:
            m = margins[name]
            slices[name] = slice(start, start + m.dim)
            labels += [f"{name}[{lv}]" for lv in m.levels] if m.kind == "nominal" else [name]
            start += m.dim
        raw = np.eye(start)
        fixed = np.eye(start, dtype=bool)
        for name in names:
            if margins[name].kind == "nominal":
                fixed[slices[name], slices[name]] = True
        for (a, b), est in estimates.items():
            raw[slices[a], slices[b]] = est.block
            raw[slices[b], slices[a]] = est.block.T
        corr, record = nearest_correlation(
            raw,
            fixed,
            eig_floor=self.eig_floor,
            max_change=self.max_repair_change,
            repair=self.repair,
        )
        rows = []
        for (a, b), est in estimates.items():
            rows.append(
                {
                    "var_a": a,
                    "var_b": b,
                    "source": sources[(a, b)],
                    "method": est.method,
                    "rho": est.rho,
                    "max_abs_corr": float(np.abs(corr[slices[a], slices[b]]).max()),
                    "std_error": est.std_error,
                    "converged": est.converged,
                    "repair_change": float(
                        np.abs(corr[slices[a], slices[b]] - raw[slices[a], slices[b]]).max()
                    ),
                }
            )
        self.schema_ = schema
        self.margins_ = margins
        self.latent_slices_ = slices
        self.latent_labels_ = labels
        self.raw_correlation_ = raw
        self.correlation_ = corr
        self.repair_: RepairRecord = record
        self.pairs_ = pd.DataFrame(rows)
        self.block_std_errors_ = {
            p: est.block_std_error
            for p, est in estimates.items()
            if est.block_std_error is not None
        }
        self.pair_sources_ = dict(sources)
        self.total_ = float(total)
        self.n_obs_ = float(n_obs)
        self.fit_source_ = source
        self.converged_ = bool(self.pairs_["converged"].all()) if rows else True

    # -- simulation ----------------------------------------------------------------------

    def _simulate(
        self, names: Sequence[str], n: int, seed: int, qmc: bool
    ) -> dict[str, np.ndarray]:
        idx = np.concatenate(
            [np.arange(self.latent_slices_[m].start, self.latent_slices_[m].stop) for m in names]
        )
        chol = np.linalg.cholesky(self.correlation_[np.ix_(idx, idx)])
        if qmc:
            base = qmc_normal(idx.size, n, seed)
        else:
            base = np.random.default_rng(seed).standard_normal((n, idx.size))
        z = base @ chol.T
        out, start = {}, 0
        for name in names:
            m = self.margins_[name]
            block = z[:, start : start + m.dim]
            start += m.dim
            out[name] = m.to_codes(block) if m.is_categorical else m.to_values(block)
        return out

    # -- reporting -------------------------------------------------------------------------

    def correlation_frame(self) -> pd.DataFrame:
        """The latent correlation matrix with labelled rows and columns."""
        self._check_fitted()
        return pd.DataFrame(
            self.correlation_, index=self.latent_labels_, columns=self.latent_labels_
        )

    def summary(self) -> str:
        """Variables, latent layout, which pairs were informed, and the repair record."""
        self._check_fitted()
        lines = [
            f"GaussianCopula fitted from {self.fit_source_}: {len(self.margins_)} variables, "
            f"{len(self.latent_labels_)} latent coordinates, total {self.total_:g}"
        ]
        for name, m in self.margins_.items():
            lines.append(f"  {name:<16} {m.kind:<8} latent dim {m.dim}")
        counts = pd.Series(self.pair_sources_).value_counts()
        lines.append("pairs: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        indep = [f"{a} x {b}" for (a, b), s in self.pair_sources_.items() if s == "independent"]
        if indep:
            lines.append("  assumed independent: " + "; ".join(indep))
        rec = self.repair_
        if rec.changed:
            lines.append(
                f"positive-definite repair: max change {rec.max_abs_change:.4f}, Frobenius "
                f"{rec.frobenius_change:.4f}, min eigenvalue {rec.min_eigenvalue_before:.3g} -> "
                f"{rec.min_eigenvalue_after:.3g}"
            )
        else:
            lines.append(
                f"latent correlation matrix positive definite as fitted "
                f"(min eigenvalue {rec.min_eigenvalue_before:.3g}); no repair"
            )
        shown = self.pairs_[
            ["var_a", "var_b", "source", "rho", "max_abs_corr", "std_error", "converged"]
        ]
        lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)
