"""Post-stratification frames for the 50 states + DC from published ACS state tables.

No published table holds race x sex x age x education by state, so the frame is the table
closest to a seed (default: uniform, i.e. the maximum-entropy joint) that reproduces every
published margin used, fitted by iterative proportional fitting in two stages:

1. adults 18+: ``race5 x sex x age`` (B01001A-I), ``sex x age x educ`` (B15001) and
   ``race5 x sex x educ`` for ages 25+ (B15002A-I, where published);
2. citizens of voting age (CVAP): the adult joint as the seed, raked to ``race5 x sex`` citizens
   (B05003A-I), CVAP by age (B29001, collapsed to 18-44/45-64/65+) and CVAP by education
   (B29002). Citizenship then varies by race x sex, age and education multiplicatively.

Before fitting, each table is harmonised to the one above it (B15001 to B01001's sex x age
totals; B15002 raked to B01001's race x sex 25+ totals and B15001's sex x education 25+
totals; B29001/B29002 to B05003's total); the largest relative change is kept in
``harmonisation_``. The frame's uncertainty comes from replicate frames: every published cell
is drawn from a normal with its published margin of error (independently, so correlations
between cells are ignored), and the whole construction is rerun.

Examples
--------
>>> frame = build_state_frames(population="cvap")  # doctest: +SKIP
>>> frame.to_frame().groupby("state")["count"].sum()["AL"]  # doctest: +SKIP
3712212.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError, UnknownLevelError, UnknownVariableError
from calib.forecast.census import (
    AGE5,
    AGE5_TO_AGE3,
    EDUC4,
    RACE5,
    SEX,
    StateTables,
    read_state_tables,
)
from calib.forecast.ipf import Constraint, ipf

VARIABLES = ("race5", "sex", "age_b15001_5", "educ4")
LEVELS: dict[str, tuple[str, ...]] = {
    "race5": tuple(RACE5),
    "sex": tuple(SEX),
    "age_b15001_5": tuple(AGE5),
    "educ4": tuple(EDUC4),
}
POPULATIONS = ("cvap", "adult")


@dataclass
class StateFrame:
    """Population counts by state x race5 x sex x age_b15001_5 x educ4 (with replicates).

    Attributes
    ----------
    states : tuple of str
        USPS codes (FIPS order).
    counts : ndarray, shape (51, 5, 2, 5, 4)
    replicates : ndarray, shape (B, 51, 5, 2, 5, 4) or None
        Frames rebuilt from margin-of-error draws of every published cell.
    population : str
        ``"cvap"`` (citizens 18+) or ``"adult"`` (residents 18+).
    notes : list of str
        Imputations and adjustments made while reading and harmonising.
    diagnostics : dict
        IPF iterations and largest margin errors, harmonisation changes.
    """

    states: tuple[str, ...]
    counts: np.ndarray
    replicates: np.ndarray | None
    population: str
    notes: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    variables: tuple[str, ...] = VARIABLES

    def _axes(self, names: Sequence[str]) -> list[int]:
        unknown = [n for n in names if n not in self.variables]
        if unknown:
            raise UnknownVariableError(unknown, "the state frame", self.variables)
        return [1 + self.variables.index(n) for n in names]

    def margin(self, names: Sequence[str], replicates: bool = False) -> np.ndarray:
        """Counts by state x ``names`` (in frame order of ``names``); replicates first if asked."""
        keep = self._axes(names)
        src = self.counts if not replicates else self._require_replicates()
        offset = 0 if not replicates else 1
        drop = tuple(a + offset for a in range(1, 5) if a not in keep)
        out = src.sum(axis=drop)
        order = sorted(keep)
        perm = [order.index(a) + 1 + offset for a in keep]
        lead = list(range(1 + offset))
        return np.transpose(out, lead + perm)

    def _require_replicates(self) -> np.ndarray:
        if self.replicates is None:
            raise DataError("this frame has no replicates: build it with n_replicates > 0")
        return self.replicates

    def collapse(
        self,
        names: Sequence[str],
        maps: Mapping[str, Mapping[str, str]] | None = None,
        replicates: bool = False,
    ) -> tuple[np.ndarray, dict[str, tuple[str, ...]]]:
        """Counts by state x ``names`` with levels merged by ``maps`` (``{var: {old: new}}``).

        Returns the array and the new levels of each variable (first appearance order).
        """
        maps = dict(maps or {})
        arr = self.margin(names, replicates=replicates)
        offset = 1 if replicates else 0
        levels: dict[str, tuple[str, ...]] = {}
        for i, name in enumerate(names):
            old = LEVELS[name]
            mapping = maps.get(name, {})
            bad = [k for k in mapping if k not in old]
            if bad:
                raise UnknownLevelError(name, bad, allowed=old)
            new = [mapping.get(level, level) for level in old]
            uniq = tuple(dict.fromkeys(new))
            onehot = np.zeros((len(old), len(uniq)))
            onehot[np.arange(len(old)), [uniq.index(v) for v in new]] = 1.0
            axis = 1 + offset + i
            arr = np.moveaxis(np.moveaxis(arr, axis, -1) @ onehot, -1, axis)
            levels[name] = uniq
        return arr, levels

    def to_frame(self, alpha: float = 0.1) -> pd.DataFrame:
        """One row per state x cell: ``count``; with replicates ``se``, ``lower``, ``upper``."""
        index = pd.MultiIndex.from_product(
            [self.states, *(LEVELS[v] for v in self.variables)], names=["state", *self.variables]
        )
        out = pd.DataFrame({"count": self.counts.ravel()}, index=index)
        if self.replicates is not None:
            reps = self.replicates.reshape(len(self.replicates), -1)
            out["se"] = reps.std(axis=0, ddof=1)
            out["lower"] = np.quantile(reps, alpha / 2, axis=0)
            out["upper"] = np.quantile(reps, 1 - alpha / 2, axis=0)
        return out.reset_index()

    def conf_int(self, alpha: float = 0.1) -> pd.DataFrame:
        """Replicate intervals of every cell count (columns ``lower``, ``upper``)."""
        self._require_replicates()
        frame = self.to_frame(alpha)
        return frame[["state", *self.variables, "lower", "upper"]]

    def summary(self) -> str:
        """State totals and, with replicates, the median coefficient of variation of cells."""
        totals = self.counts.reshape(len(self.states), -1).sum(axis=1)
        lines = [
            f"State frames ({self.population}): {len(self.states)} states x "
            + " x ".join(f"{v}[{len(LEVELS[v])}]" for v in self.variables),
            f"  total {totals.sum():,.0f}; smallest state {self.states[int(totals.argmin())]} "
            f"{totals.min():,.0f}",
        ]
        if self.replicates is not None:
            reps = self.replicates.reshape(len(self.replicates), len(self.states), -1)
            cv = reps.std(axis=0, ddof=1) / np.maximum(reps.mean(axis=0), 1e-9)
            big = self.counts.reshape(len(self.states), -1) > 1000
            lines.append(
                f"  {len(self.replicates)} MOE replicates: median cell CV {np.median(cv[big]):.3f}"
                f" (cells > 1,000 people)"
            )
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)


def _rake2(table: np.ndarray, rows: np.ndarray, cols: np.ndarray, n_iter: int = 200) -> np.ndarray:
    """Rake a batch of two-way tables (..., r, c) to row and column totals (NaN rows kept)."""
    out = table.copy()
    for _ in range(n_iter):
        rs = out.sum(axis=-1)
        out = out * np.where(rs > 0, rows / np.where(rs > 0, rs, 1), 1.0)[..., None]
        cs = out.sum(axis=-2)
        out = out * np.where(cs > 0, cols / np.where(cs > 0, cs, 1), 1.0)[..., None, :]
    return out


def _scale(table: np.ndarray, total: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    current = table.sum(axis=axis, keepdims=True)
    target = np.expand_dims(total, axis)
    return table * np.where(current > 0, target / np.where(current > 0, current, 1), 1.0)


def harmonise(raw: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Make the published tables consistent with each other, top table first."""
    rsa = raw["adult_race_sex_age"]  # (S, 5, 2, 5)
    sae = _scale(raw["adult_sex_age_educ"], rsa.sum(axis=1), axis=3)
    rse = raw["adult25_race_sex_educ"]  # (S, 5, 2, 4), NaN rows where not published
    rows = rsa[:, :, :, 1:].sum(axis=3)  # race x sex, 25+
    cols = sae[:, :, 1:, :].sum(axis=2)  # sex x educ, 25+
    # Unpublished race rows (suppressed iterations) are filled with the independence guess
    # only so the published rows can be raked to a feasible table; they stay unconstrained.
    missing = np.isnan(rse)
    guess = rows[..., None] * cols[:, None, :, :] / np.maximum(cols.sum(-1), 1)[:, None, :, None]
    start = np.where(missing, guess, rse)
    raked = np.moveaxis(
        _rake2(np.moveaxis(start, 2, 1), np.moveaxis(rows, 2, 1), cols, n_iter=500), 1, 2
    )
    fixed = np.where(missing, np.nan, raked)
    crs = raw["cvap_race_sex"]
    total = crs.sum(axis=(1, 2))
    age3 = _scale(raw["cvap_age3"], total, axis=1)
    educ = _scale(raw["cvap_educ"], total, axis=1)
    out = {
        "adult_race_sex_age": rsa,
        "adult_sex_age_educ": sae,
        "adult25_race_sex_educ": fixed,
        "cvap_race_sex": crs,
        "cvap_age3": age3,
        "cvap_educ": educ,
    }
    change = {}
    for key, value in out.items():
        before = raw[key]
        denom = np.maximum(np.nansum(before, axis=tuple(range(1, before.ndim)), keepdims=True), 1)
        change[key] = float(np.nanmax(np.abs(value - before) / denom))
    return out, change


def _constraints(tables: dict[str, np.ndarray], population: str) -> tuple[list, list]:
    over25 = np.array([-1, 0, 0, 0, 0])
    adult = [
        Constraint("B01001 race5 x sex x age", (0, 1, 2, 3), tables["adult_race_sex_age"]),
        Constraint("B15001 sex x age x educ4", (0, 2, 3, 4), tables["adult_sex_age_educ"]),
        Constraint(
            "B15002 race5 x sex x educ4 (25+)",
            (0, 1, 2, 3, 4),
            tables["adult25_race_sex_educ"][:, :, :, None, :],
            groups={3: over25},
        ),
    ]
    cvap = [
        Constraint("B05003 CVAP race5 x sex", (0, 1, 2), tables["cvap_race_sex"]),
        Constraint(
            "B29001 CVAP age (3 groups)", (0, 3), tables["cvap_age3"], groups={3: AGE5_TO_AGE3}
        ),
        Constraint("B29002 CVAP educ4", (0, 4), tables["cvap_educ"]),
    ]
    return adult, cvap if population == "cvap" else []


def _fit(
    tables: dict[str, np.ndarray], population: str, seed: np.ndarray | None, tol: float
) -> tuple[np.ndarray, dict[str, Any]]:
    adult_c, cvap_c = _constraints(tables, population)
    shape = (tables["adult_race_sex_age"].shape[0], 5, 2, 5, 4)
    start = np.ones(shape) if seed is None else np.broadcast_to(seed, shape)
    first = ipf(start, adult_c, tol=tol)
    diag: dict[str, Any] = {"adult_iter": first.n_iter, "adult_max_error": first.max_error}
    table = first.table
    if cvap_c:
        second = ipf(table, cvap_c, tol=tol)
        diag.update(cvap_iter=second.n_iter, cvap_max_error=second.max_error)
        table = second.table
    return table, diag


def build_state_frames(
    tables: StateTables | None = None,
    population: str = "cvap",
    n_replicates: int = 0,
    random_state: int = 0,
    seed: np.ndarray | str | None = None,
    tol: float = 1e-7,
    data_dir: str | Path | None = None,
) -> StateFrame:
    """Build the state x race5 x sex x age_b15001_5 x educ4 frame for all 50 states + DC.

    Parameters
    ----------
    tables : StateTables, optional
        Parsed tables (default: :func:`~calib.forecast.census.read_state_tables`).
    population : {"cvap", "adult"}, default="cvap"
        Citizens of voting age (the electorate's upper bound) or all residents 18+.
    n_replicates : int, default=0
        Number of margin-of-error replicate frames.
    random_state : int, default=0
        Seed of the replicate draws.
    seed : ndarray or "copula", optional
        Starting joint (broadcastable to (51, 5, 2, 5, 4)); ``"copula"`` fits a Gaussian copula
        to each state's margins and 2-way tables
        (:func:`~calib.forecast.copula_seed.copula_seed`, a few seconds per state); default
        uniform (the maximum-entropy table matching the margins).
    tol : float, default=1e-7
        IPF tolerance (margin error relative to the state's total).
    data_dir : path, optional
        Shared data directory when ``tables`` is not given.

    Returns
    -------
    StateFrame

    Raises
    ------
    DataError
        Unknown ``population``.
    ConvergenceError, InfeasibleError
        From :func:`~calib.forecast.ipf.ipf` when the margins cannot be matched.
    """
    if population not in POPULATIONS:
        raise DataError(f"population must be one of {POPULATIONS}, got {population!r}")
    tables = tables if tables is not None else read_state_tables(data_dir)
    seed_name = "uniform" if seed is None else "given"
    if isinstance(seed, str):
        if seed != "copula":
            raise DataError(f"seed must be an array, 'copula' or None, got {seed!r}")
        from calib.forecast.copula_seed import copula_seed

        seed, seed_name = copula_seed(tables, random_state=random_state), "Gaussian-copula"
    raw = {k: t.estimate for k, t in tables.tables.items()}
    harmonised, change = harmonise(raw)
    counts, diag = _fit(harmonised, population, seed, tol)
    diag["harmonisation"] = change
    reps = None
    if n_replicates > 0:
        rng = np.random.default_rng(random_state)
        out = []
        for _ in range(n_replicates):
            drawn = {}
            for k, t in tables.tables.items():
                d = t.draw(rng)
                drawn[k] = np.where(np.isnan(t.estimate), np.nan, d)
            h, _ = harmonise(drawn)
            out.append(_fit(h, population, seed, tol=1e-6)[0])
        reps = np.stack(out)
    provenance = {
        "source": "U.S. Census Bureau, ACS 2018 1-year (B01001A-I, B15001, B15002A-I, B05003A-I, "
        "B29001, B29002); CVAP special tabulation 2014-2018 for suppressed groups",
        "population": population,
        "method": f"two-stage IPF from a {seed_name} seed",
        "n_replicates": n_replicates,
        "random_state": random_state,
    }
    return StateFrame(tables.states, counts, reps, population, list(tables.notes), diag, provenance)


__all__ = ["LEVELS", "POPULATIONS", "VARIABLES", "StateFrame", "build_state_frames", "harmonise"]
