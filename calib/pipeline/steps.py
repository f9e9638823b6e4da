"""The pipeline's three computing steps as plain functions: diagnose, weight, correct.

Examples
--------
>>> import pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> schema = Schema([Variable("sex", ("M", "F"))])
>>> pop = Population(pd.DataFrame({"sex": ["M", "F", "F", "F"]}), schema)
>>> target = Target.from_margins({"sex": [0.5, 0.5]}, schema)
>>> diagnose(pop, target)[["margin", "tvd"]].values.tolist()
[['sex', 0.25]]
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.correct.ppi_mean import classical_mean, ppi_mean, silicon_mean
from calib.diagnostics.distances import hellinger, total_variation
from calib.errors import DataError
from calib.estimate import EstimateTable
from calib.pipeline.config import CorrectionConfig, QuestionConfig, WeightingConfig
from calib.pipeline.inputs import indicator
from calib.population import Population
from calib.target import Target
from calib.weighting import Raker, WeightResult


def diagnose(
    population: Population,
    target: Target,
    weights: np.ndarray | None = None,
    pairs: bool = True,
) -> pd.DataFrame:
    """Distance between the population's and the target's 1-way (and 2-way) distributions.

    Returns one row per margin with total variation distance, Hellinger distance, and the
    level with the largest share gap.
    """
    names = list(population.schema.names)
    keys: list[tuple[str, ...]] = [(n,) for n in names]
    if pairs:
        keys += list(itertools.combinations(names, 2))
    rows = []
    for key in keys:
        if not target.can_give(key):
            continue
        p = population.margin(list(key), weights)
        q = target.shares(list(key)).reindex(p.index, fill_value=0.0)
        p_share = p / p.sum()
        gap = (p_share - q).abs()
        worst = gap.idxmax()
        rows.append(
            {
                "margin": " × ".join(key),
                "tvd": float(total_variation(p.to_numpy(), q.to_numpy())),
                "hellinger": float(hellinger(p.to_numpy(), q.to_numpy())),
                "worst_level": " · ".join(worst) if isinstance(worst, tuple) else str(worst),
                "worst_gap": float((p_share - q)[worst]),
            }
        )
    return pd.DataFrame(rows)


def copula_target(
    target: Target, keys: Sequence[tuple[str, ...]], seed: int = 0
) -> tuple[Target, pd.DataFrame]:
    """k-way tables implied by a Gaussian copula fitted to the target's summaries.

    The copula is fitted to the reference's exact 1-way margins and the 2-way tables of every
    pair inside a key (what a statistical agency publishes), and the k-way tables come from its
    joint, raked to reproduce those margins and tables exactly. Returns the Target of the k-way
    tables and, where the reference holds the full k-way table, the copula's error on it.
    """
    from calib.copula import GaussianCopula

    union = list(dict.fromkeys(n for k in keys for n in k))
    tables = {(a, b): target.margin([a, b]) for k in keys for a, b in itertools.combinations(k, 2)}
    margins = {n: target.margin(n) for n in union}
    model = GaussianCopula(variables=union, seed=seed, progress=False).fit_summaries(
        margins=margins, tables=tables, schema=target.schema.subset(union), total=target.total
    )
    implied = model.joint_target(
        list(keys), total=target.total, match_tables=True, n_draws=2**17, seed=seed
    )
    rows = []
    for k in keys:
        if target.can_give(list(k)):
            truth = target.shares(list(k))
            est = implied.shares(list(k)).reindex(truth.index, fill_value=0.0)
            rows.append(
                {"key": " × ".join(k), "tvd_vs_reference": float(total_variation(est, truth))}
            )
    return implied, pd.DataFrame(rows)


#: Tables of :func:`detailed_diagnostics` (written as ``diagnostics_<name>.csv``).
DETAIL_TABLES: tuple[str, ...] = ("marginal", "joint", "classifier")


def detailed_diagnostics(
    population: Population, target: Target, weights: np.ndarray | None, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Distances with bootstrap intervals and null levels, association gaps and the classifier
    two-sample test from :func:`calib.diagnostics.diagnose.diagnose` (before/after weights)."""
    from calib.diagnostics.diagnose import diagnose as full_diagnose

    report = full_diagnose(
        population,
        target,
        weights=weights,
        n_boot=100,
        classifier=target.kind != "margins",
        n_permutations=50,
        seed=seed,
    )
    marginal = report.to_frame("marginal")
    marginal = marginal.loc[
        marginal["metric"] == "tv", ["variable", "weighting", "value", "low", "high", "null_level"]
    ].rename(columns={"value": "tv"})
    joint = report.to_frame("joint")
    cols = ["variables", "weighting", "tv", "tv_low", "tv_high", "tv_null", "cramers_v_gap"]
    out = {"marginal": marginal, "joint": joint[[c for c in cols if c in joint.columns]]}
    if target.kind != "margins":
        out["classifier"] = report.to_frame("classifier")
    return out


def weight(
    population: Population, target: Target, cfg: WeightingConfig, seed: int = 0
) -> WeightResult | None:
    """Reweight the population to the target (None when ``method = "none"``).

    With ``cfg.copula`` the raking margins are joined by copula-implied k-way tables
    (:func:`copula_target`); the copula's fit is in ``result.extra["copula"]``.
    """
    if cfg.method == "none":
        return None
    margins = list(cfg.margins) if cfg.margins else [(n,) for n in population.schema.names]
    goal = target
    check = pd.DataFrame()
    if cfg.copula:
        implied, check = copula_target(target, cfg.copula, seed)
        parts = {k if len(k) > 1 else k[0]: target.margin(list(k)) for k in margins}
        parts.update({k: implied.margin(list(k)) for k in cfg.copula})
        goal = Target.from_margins(
            parts, target.schema, total=target.total, provenance=target.provenance
        )
        margins = [*margins, *cfg.copula]
    raker = Raker(margins=margins, bounds=cfg.bounds, max_iter=cfg.max_iter)
    result = raker.fit(population, goal).result_
    if cfg.copula:
        result.extra["copula"] = check
    return result


def cell_keys(cells: pd.DataFrame) -> np.ndarray:
    """One string key per row joining the row's cell levels (vectorised)."""
    columns = [cells[c].astype(str).to_numpy(dtype=object) for c in cells.columns]
    key = columns[0]
    for col in columns[1:]:
        key = key + "\x1f" + col
    return np.asarray(key, dtype=object)


def cell_predictions(
    cells: pd.DataFrame, y: np.ndarray, w: np.ndarray, smoothing: float
) -> tuple[pd.Series, float]:
    """Weighted persona mean of ``y`` in each cell, shrunk toward the overall mean.

    ``f(c) = (sum_c g y + m * ybar) / (sum_c g + m)`` with weights ``g`` scaled to mean one and
    ``m = smoothing`` pseudo-personas, so empty cells get the overall mean.
    """
    g = w / w.mean()
    ybar = float(np.sum(g * y) / np.sum(g))
    key = cell_keys(cells)
    sums = pd.Series(g * y).groupby(key).sum()
    mass = pd.Series(g).groupby(key).sum()
    pred = (sums + smoothing * ybar) / (mass + smoothing)
    return pred.rename("prediction").rename_axis("cell").pipe(lambda s: s.fillna(ybar)), ybar


def _gold_arrays(gold: pd.DataFrame, q: QuestionConfig, cell: Sequence[str]):
    part = gold[gold["question"] == q.gold]
    if q.among is not None:
        part = part[part["answer"].isin(q.among)]
    part = part[part["count"] > 0]
    if part.empty:
        raise DataError(f"the gold sample has no answers for question {q.gold!r} ({q.name})")
    counts = part["count"].to_numpy(dtype=int)
    y = np.repeat((part["answer"] == q.level).to_numpy(dtype=float), counts)
    keys = np.repeat(cell_keys(part[list(cell)]), counts)
    return y, keys


def correct(
    population: Population,
    answers: pd.DataFrame,
    weights: np.ndarray,
    questions: Sequence[QuestionConfig],
    gold: pd.DataFrame | None,
    gold_cell: Sequence[str],
    cfg: CorrectionConfig,
    truth: dict[str, float] | None = None,
) -> EstimateTable:
    """Raw, weighted and corrected estimates of every question (plus gold-only when gold)."""
    truth = truth or {}
    out = EstimateTable()
    for q in questions:
        y, keep = indicator(answers[q.column], q)
        if not keep.any():
            raise DataError(f"no persona answers {q.column!r} with one of {q.among}")
        t = truth.get(q.name)
        yk, wk = y[keep], weights[keep]
        out.append(silicon_mean(yk, quantity=q.name, truth=t))
        weighted = silicon_mean(yk, wk, quantity=q.name, truth=t)
        out.append(dataclasses.replace(weighted, method="silicon_weighted"))
        if gold is None or q.gold is None or cfg.method == "none":
            continue
        y_gold, gold_keys = _gold_arrays(gold, q, gold_cell)
        cells = population.data.loc[keep, list(gold_cell)].reset_index(drop=True)
        pred, ybar = cell_predictions(cells, yk, wk, cfg.smoothing)
        yhat_gold = pd.Series(gold_keys).map(pred).fillna(ybar).to_numpy(dtype=float)
        out.append(classical_mean(y_gold, quantity=q.name, truth=t))
        if cfg.method == "hierarchical_bayes":
            persona_pred = pd.Series(cell_keys(cells)).map(pred).to_numpy(dtype=float)
            out.append(
                _hierarchical(y_gold, yhat_gold, gold_keys, persona_pred, cells, wk, q, t, cfg)
            )
            continue
        lam = None if cfg.method == "ppi++" else 1.0
        est = ppi_mean(y_gold, yhat_gold, yk, lam=lam, w_unlabeled=wk, quantity=q.name, truth=t)
        out.append(dataclasses.replace(est, settings={**est.settings, "smoothing": cfg.smoothing}))
    return out


def _hierarchical(y_gold, yhat_gold, gold_keys, persona_pred, cells, w, q, truth, cfg):
    """Hierarchical Bayes correction (PyMC): the human answer on the logit of the cell
    prediction with partially pooled effects of each gold cell variable."""
    from calib.correct.hierarchical import HierarchicalCorrector

    groups = list(cells.columns)
    gold = pd.DataFrame([k.split("\x1f") for k in gold_keys], columns=groups).assign(
        y=y_gold.astype(int), p=yhat_gold
    )
    silicon = cells.astype(str).assign(p=persona_pred)
    model = HierarchicalCorrector(
        "y",
        "p",
        groups=groups,
        levels=[0, 1],
        draws=cfg.draws,
        tune=cfg.tune,
        target_accept=cfg.target_accept,
        seed=cfg.seed,
        progress=False,
    ).fit(gold, silicon)
    est = model.estimate(weights=w, quantity=q.name)[0]
    return dataclasses.replace(est, truth=truth)


def uniform_or(result: WeightResult | None, n: int) -> np.ndarray:
    """The result's weights, or ones."""
    return np.ones(n) if result is None else np.asarray(result.weights, dtype=float)


__all__ = ["cell_predictions", "correct", "diagnose", "uniform_or", "weight"]
