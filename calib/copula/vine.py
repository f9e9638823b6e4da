"""Vine-copula alternative (pyvinecopulib) for ordinal and numeric variables.

Same interface and uses as :class:`~calib.copula.GaussianCopula` (``table``, ``sample``,
``joint_target``, ``density_ratio_weights``), with the dependence modelled by a regular vine of
bivariate copulas chosen per pair (Gaussian, Student, Clayton, Gumbel, Frank, Joe, ...), so
tail dependence and asymmetry are possible. Ordinal variables enter as discrete margins (the
vine gets ``F(x)`` and its left limit ``F(x-)``, as pyvinecopulib expects); numeric variables
as continuous margins through their weighted mid-rank pseudo-observations. Survey weights are
passed to the vine fit. pyvinecopulib has no unordered categoricals, so nominal variables with
three or more levels are refused: use ``family="gaussian"`` for them.

pyvinecopulib (MIT) is an optional dependency: ``pip install 'silicon-calib[vine]'``.

Examples
--------
>>> cop = make_copula("gaussian", seed=1)
>>> type(cop).__name__
'GaussianCopula'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import special

from calib.copula.gaussian import GaussianCopula
from calib.copula.margins import Margin, numeric_margin, ordinal_margin
from calib.copula.uses import JointModel
from calib.errors import CalibError, DataError, SchemaError
from calib.polychoric import normal_scores
from calib.population import Population
from calib.schema import VariableKind

__all__ = ["VineCopula", "make_copula"]


def _import_pyvinecopulib():
    try:
        import pyvinecopulib
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise CalibError(
            "the vine copula needs pyvinecopulib, which is not installed: run "
            "`pip install pyvinecopulib` (or `pip install 'silicon-calib[vine]'`), or use "
            "family='gaussian'"
        ) from err
    return pyvinecopulib


class VineCopula(JointModel):
    """Regular-vine copula with exact margins, for ordinal and numeric variables.

    Parameters
    ----------
    variables : sequence of str, optional
        Variables to model (default: all of the schema).
    family_set : sequence of str, optional
        Pair-copula families by pyvinecopulib name (``"gaussian"``, ``"student"``,
        ``"clayton"``, ``"gumbel"``, ``"frank"``, ``"joe"``, ``"indep"``, ...). Default: the
        one-parameter families (Gaussian, Clayton, Gumbel, Frank, Joe) and independence;
        Student and two-parameter families are much slower with discrete margins.
    selection_criterion : str, default="bic"
    max_rows : int, default=10_000
        Rows used for the dependence fit (a seeded uniform subsample beyond; the margins always
        use every row). Family selection with discrete margins is slow in pyvinecopulib:
        about 46 s of CPU for 20,000 rows x 4 variables (2 discrete) with the default
        families, measured here; the Gaussian copula fits 1M rows in a few seconds.
    seed : int, default=0
    num_threads : int, default=1

    Attributes
    ----------
    schema_, margins_, total_ : as for GaussianCopula
    vine_ : pyvinecopulib.Vinecop
        The fitted vine.
    n_rows_used_ : int
    """

    def __init__(
        self,
        variables: Sequence[str] | None = None,
        *,
        family_set: Sequence[str] | None = None,
        selection_criterion: str = "bic",
        max_rows: int = 10_000,
        seed: int = 0,
        num_threads: int = 1,
    ):
        self.variables = variables
        self.family_set = family_set
        self.selection_criterion = selection_criterion
        self.max_rows = max_rows
        self.seed = seed
        self.num_threads = num_threads

    def fit(self, population: Population) -> VineCopula:
        """Fit the margins (all rows) and the vine (up to ``max_rows`` rows, weighted).

        Raises
        ------
        SchemaError
            A nominal variable with three or more levels.
        CalibError
            pyvinecopulib is not installed.
        """
        pv = _import_pyvinecopulib()
        names = list(self.variables) if self.variables is not None else list(population.schema)
        population.schema.require(names, "the population's schema")
        schema = population.schema.subset(names)
        w = population.weights
        margins: dict[str, Margin] = {}
        cont, lower, types = [], [], []
        rng = np.random.default_rng(self.seed)
        rows = np.arange(population.n)
        if population.n > self.max_rows:
            rows = np.sort(rng.choice(population.n, self.max_rows, replace=False))
        for name in names:
            var = schema[name]
            if var.kind is VariableKind.NOMINAL and var.n_levels >= 3:
                raise SchemaError(
                    f"variable {name!r} is nominal with {var.n_levels} levels: the vine copula "
                    "has no unordered categoricals; use family='gaussian' (argmax block)"
                )
            if var.is_categorical:
                codes = population.codes(name)
                if (codes < 0).any():
                    raise DataError(f"column {name!r} has missing values: drop or impute them")
                probs = np.bincount(codes, weights=w, minlength=var.n_levels)
                m = ordinal_margin(name, var.levels, probs)
                cum = np.concatenate([[0.0], np.cumsum(m.probs)])
                c = codes[rows]
                cont.append(np.clip(cum[c + 1], 1e-12, 1 - 1e-12))
                lower.append(np.clip(cum[c], 1e-12, 1 - 1e-12))
                types.append("d")
            else:
                x = population.data[name].to_numpy(dtype=float)
                if not np.all(np.isfinite(x)):
                    raise DataError(f"numeric column {name!r} has missing or infinite values")
                m = numeric_margin(name, x, w)
                cont.append(special.ndtr(normal_scores(x, w))[rows])
                types.append("c")
            margins[name] = m
        u = np.asfortranarray(np.column_stack(cont + lower))
        families = self.family_set or [
            "indep",
            "gaussian",
            "student",
            "clayton",
            "gumbel",
            "frank",
            "joe",
        ]
        try:
            fam = [getattr(pv.BicopFamily, f) for f in families]
        except AttributeError as err:
            raise DataError(f"unknown pair-copula family in {families}: {err}") from None
        ww = w[rows] / w[rows].mean()
        controls = pv.FitControlsVinecop(
            family_set=fam,
            selection_criterion=self.selection_criterion,
            weights=np.ascontiguousarray(ww),
            num_threads=self.num_threads,
        )
        self.vine_ = pv.Vinecop.from_data(u, controls=controls, var_types=types)
        self.schema_ = schema
        self.margins_ = margins
        self.total_ = float(w.sum())
        self.n_rows_used_ = int(rows.size)
        self.fit_source_ = "microdata"
        return self

    def _simulate(
        self, names: Sequence[str], n: int, seed: int, qmc: bool
    ) -> dict[str, np.ndarray]:
        draw = getattr(self.vine_, "sample", None) or self.vine_.simulate  # sample() in >= 1.0
        u = np.asarray(draw(int(n), qmc, seeds=[int(seed) + 1]))
        order = list(self.margins_)
        out = {}
        for name in names:
            z = special.ndtri(np.clip(u[:, order.index(name)], 1e-16, 1 - 1e-16))
            m = self.margins_[name]
            out[name] = m.to_codes(z) if m.is_categorical else m.to_values(z)
        return out

    def summary(self) -> str:
        """The margins and the vine's pair copulas."""
        self._check_fitted()
        head = (
            f"VineCopula: {len(self.margins_)} variables, dependence fitted on "
            f"{self.n_rows_used_} rows, total {self.total_:g}"
        )
        return head + "\n" + str(self.vine_)


def make_copula(family: str = "gaussian", **params: Any) -> JointModel:
    """A copula model chosen by name: ``"gaussian"`` (default) or ``"vine"``.

    Raises
    ------
    DataError
        An unknown family.
    """
    if family == "gaussian":
        return GaussianCopula(**params)
    if family == "vine":
        return VineCopula(**params)
    raise DataError(f"unknown copula family {family!r}: use 'gaussian' or 'vine'")
