"""``diagnose``: how far a persona population is from a target, and where.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from calib.population import Population
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> s = Schema([Variable("sex", ("M", "F")), Variable("age", ("young", "old"), kind="ordinal")])
>>> rng = np.random.default_rng(0)
>>> sex, age = rng.choice(["M", "F"], 300), rng.choice(["young", "old"], 300)
>>> frame = pd.DataFrame({"sex": sex, "age": age})
>>> target = Target.from_margins({("sex", "age"): [0.3, 0.2, 0.2, 0.3]}, s)
>>> report = diagnose(Population(frame, s), target, classifier=False, n_boot=50)
>>> sorted(report.to_frame("marginal")["variable"].unique())
['age', 'sex']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from calib.diagnostics import distances as dist
from calib.diagnostics.association import (
    cramers_v,
    interaction_residual,
    latent_correlation,
    mutual_information,
)
from calib.diagnostics.classifier import classifier_two_sample_test
from calib.diagnostics.intervals import TableSide, distance_intervals
from calib.diagnostics.numeric import numeric_sides
from calib.diagnostics.pathologies import support_gaps
from calib.diagnostics.report import DiagnosticReport
from calib.diagnostics.sections import (
    check_inputs,
    classifier_frames,
    compression_table,
    pathology_stats,
)
from calib.diagnostics.tables import GroupedRows
from calib.diagnostics.weights import weight_summary
from calib.errors import DataError, UnknownVariableError
from calib.population import Population, validate_weights
from calib.schema import VariableKind
from calib.target import Target


def _marginal_metrics(kind: VariableKind, k: int, ess: float) -> dict:
    metrics = {
        "tv": dist.total_variation,
        "hellinger": dist.hellinger,
        "js": dist.jensen_shannon,
        "kl": lambda p, q: dist.kl_divergence(q, dist.smoothed(p, min(ess, 1e9))),
    }
    if kind is VariableKind.NOMINAL:
        metrics["asmd"] = lambda p, q: np.mean(
            np.where(np.isfinite(v := dist.level_asmd(p, q)), v, np.nan), axis=-1
        )
    else:
        metrics["asmd"] = dist.asmd
        metrics["ks"] = dist.ks_ordinal
        metrics["wasserstein"] = dist.wasserstein_ordinal
    return metrics


def _signed(measure, shape, p, q):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    return measure(p.reshape(*p.shape[:-1], *shape)) - measure(q.reshape(*q.shape[:-1], *shape))


def _rows(stub: dict, res: dict) -> list[dict]:
    return [
        {
            **stub,
            "metric": m,
            "value": r.value,
            "low": r.low,
            "high": r.high,
            "bias_corrected": r.bias_corrected,
            "null_level": r.null_level,
            "null_q95": r.null_q95,
        }
        for m, r in res.items()
    ]


def _cell_labels(levels: Sequence[Sequence[str]]) -> list[str]:
    return [" / ".join(c) for c in itertools.product(*levels)]


def diagnose(
    population: Population,
    target: Target,
    variables: Sequence[str] | None = None,
    pairs: str | Sequence[tuple[str, str]] | None = "all",
    triples: Sequence[tuple[str, str, str]] = (),
    weights: np.ndarray | None = None,
    *,
    target_replicates: Sequence[str] | np.ndarray | None = None,
    replicate_scale: float = 4 / 80,
    n_boot: int = 200,
    alpha: float = 0.05,
    classifier: bool = True,
    n_permutations: int = 200,
    classifier_rows: int = 20_000,
    text: Sequence[str] = (),
    top_cells: int = 5,
    seed: int = 0,
    progress: bool | None = None,
) -> DiagnosticReport:
    """Measure how far ``population`` is from ``target``, per variable, pair and cell.

    Parameters
    ----------
    population : Population
        Personas (or any sample) with design weights.
    target : Target
        Margins (treated as known), a joint table (known) or weighted microdata (resampled).
    variables : sequence of str, optional
        Variables to compare (default: every variable both share).
    pairs : "all", sequence of (str, str) or None, default="all"
        Pairs for joint distances and association gaps (categorical variables only).
    triples : sequence of (str, str, str), default=()
        Triples for 3-way distances.
    weights : ndarray, optional
        New weights for the population (e.g. from raking): every table is then computed
        before (design weights) and after, side by side.
    target_replicates : sequence of str or ndarray, optional
        Replicate weight columns of a microdata target (or an ``(n, R)`` array): its sampling
        error then comes from the replicates (variance ``replicate_scale * sum (d_r - d)^2``)
        instead of the bootstrap.
    replicate_scale : float, default=4/80
        Replicate variance multiplier (ACS successive difference replication: 4/80).
    n_boot : int, default=200
        Bootstrap draws for intervals and null levels (0: no intervals).
    alpha : float, default=0.05
        One minus the intervals' coverage.
    classifier : bool, default=True
        Run the classifier two-sample test (needs a joint or microdata target).
    n_permutations, classifier_rows : int
        Permutations of its null, and rows per side it uses at most.
    text : sequence of str, default=()
        Free-text columns of the population to describe (length, positivity, subjectivity).
    top_cells : int, default=5
        Cells listed per pair/triple as driving its gap.
    seed : int, default=0
    progress : bool or None, default=None
        Show a progress bar (None: only when writing to a terminal).

    Returns
    -------
    DiagnosticReport

    Raises
    ------
    SchemaError
        If the two sides define a variable differently or share none.
    UnknownVariableError
        If a requested variable, pair or text column is missing.
    DataError, WeightError
        Non-population inputs, empty tables, or invalid ``weights`` (NaN, negative, all
        zero, wrong length).

    Notes
    -----
    Marginal metrics per variable: total variation, Hellinger, Jensen-Shannon (base 2), KL of
    the target from the population ``KL(target || population)`` with the population smoothed
    by 0.5 on its effective-sample-size scale (so empty persona levels give a large, finite
    value), ASMD (ordinal: standardised difference of level positions 0..k-1 by the target's
    SD, as ``balance`` does for numbers; nominal: mean over levels of the indicator ASMD, as
    ``balance`` reports for dummies), and for ordinal variables KS and 1-Wasserstein on level
    positions. Numeric variables (microdata targets only) get ASMD, KS and Wasserstein on
    their values. Pairs and triples get TV and Hellinger of the joint table; pairs also the
    Cramér's V and mutual-information gaps (population minus target) with intervals, and for
    two ordinal variables the polychoric correlation on both sides (from
    :mod:`calib.polychoric`) with a normal interval for the gap from the two
    full-information standard errors at each side's effective sample size. Every other
    interval comes from the cell-level Bayesian bootstrap of
    :mod:`calib.diagnostics.intervals`; ``*_null`` columns
    give the value expected by chance when the population is drawn from the target.
    """
    cat, num = check_inputs(population, target, variables)
    schema = population.schema
    weightings = {"design": population.weights}
    if weights is not None:
        weightings["weighted"] = validate_weights(weights, population.n, "weights")
    if pairs == "all":
        pair_list = list(itertools.combinations(cat, 2))
    else:
        pair_list = [tuple(p) for p in (pairs or ())]
    keys = [(v,) for v in cat] + pair_list + [tuple(t) for t in triples]
    for key in keys[len(cat) :]:
        bad = [v for v in key if v not in cat]
        if bad:
            raise UnknownVariableError(bad, "the compared categorical variables", cat)
    notes: list[str] = []
    if target.kind == "margins":
        missing = [k for k in keys if not target.can_give(k)]
        if missing:
            notes.append(
                "skipped (no target margin holds them): " + ", ".join("×".join(k) for k in missing)
            )
        keys = [k for k in keys if k not in missing]
    pop_rows = GroupedRows(population, cat, weightings) if cat else None
    tgt_rows = None
    if target.kind == "microdata" and cat:
        micro = target.microdata
        reps = None
        if target_replicates is not None:
            if isinstance(target_replicates, np.ndarray):
                reps = target_replicates
            else:
                absent = [c for c in target_replicates if c not in micro.data.columns]
                if absent:
                    raise UnknownVariableError(absent, "the target microdata", tuple(micro.data))
                reps = micro.data[list(target_replicates)].to_numpy(dtype=float)
        tgt_rows = GroupedRows(micro, cat, None, reps, replicate_scale)

    def target_side(key: tuple[str, ...]) -> TableSide:
        if tgt_rows is not None:
            return tgt_rows.table(key)
        return TableSide(target.margin(key).to_numpy(dtype=float))

    rng = np.random.default_rng(seed)
    z = float(stats.norm.ppf(1 - alpha / 2))
    marginal, levels, joint, cells, gaps = [], [], [], [], []
    bar = tqdm(keys, desc="diagnose", disable=None if progress is None else not progress)
    for key in bar:
        q_side = target_side(key)
        q = q_side.total / q_side.total.sum()
        shape = tuple(schema[v].n_levels for v in key)
        labels = _cell_labels([schema[v].levels for v in key])
        for wname in weightings:
            p_side = pop_rows.table(key, wname)
            if p_side.total.sum() <= 0:
                raise DataError(f"the population has no weight on {'×'.join(key)}")
            p = p_side.total / p_side.total.sum()
            stub = {"variables": "×".join(key), "weighting": wname}
            if len(key) == 1:
                var = schema[key[0]]
                metrics = _marginal_metrics(var.kind, var.n_levels, p_side.effective_n)
                res = distance_intervals(
                    metrics, p_side, q_side, n_boot=n_boot, alpha=alpha, seed=rng
                )
                marginal += _rows({"variable": key[0], "weighting": wname}, res)
                levels.append(
                    pd.DataFrame(
                        {
                            "variable": key[0],
                            "level": list(var.levels),
                            "weighting": wname,
                            "population_share": p,
                            "target_share": q,
                            "difference": p - q,
                            "level_asmd": dist.level_asmd(p_side.total, q_side.total),
                        }
                    )
                )
            else:
                metrics = {"tv": dist.total_variation, "hellinger": dist.hellinger}
                if len(key) == 2:
                    metrics["cramers_v_gap"] = partial(_signed, cramers_v, shape)
                    metrics["mutual_information_gap"] = partial(_signed, mutual_information, shape)
                res = distance_intervals(
                    metrics, p_side, q_side, n_boot=n_boot, alpha=alpha, seed=rng
                )
                row = {**stub, "k": len(key)}
                for m, r in res.items():
                    row[m] = r.value
                    row[f"{m}_low"], row[f"{m}_high"] = r.low, r.high
                    row[f"{m}_null"] = r.null_level
                    row[f"{m}_null_q95"] = r.null_q95
                if len(key) == 2:
                    pt, qt = p.reshape(shape), q.reshape(shape)
                    row["cramers_v_population"] = float(cramers_v(pt))
                    row["cramers_v_target"] = float(cramers_v(qt))
                    row["mutual_information_population"] = float(mutual_information(pt))
                    row["mutual_information_target"] = float(mutual_information(qt))
                    if all(schema[v].kind is VariableKind.ORDINAL for v in key):
                        rp, sp = latent_correlation(pt * p_side.total.sum(), p_side.effective_n)
                        rq, sq = latent_correlation(qt * q_side.total.sum(), q_side.effective_n)
                        half = z * np.hypot(sp, sq)
                        row.update(polychoric_population=rp, polychoric_target=rq)
                        row["polychoric_gap"] = rp - rq
                        row["polychoric_gap_low"] = rp - rq - half
                        row["polychoric_gap_high"] = rp - rq + half
                    inter = (interaction_residual(pt) - interaction_residual(qt)).ravel()
                else:
                    inter = np.full(p.size, np.nan)
                joint.append(row)
                diff = p - q
                top = set(np.argsort(-np.abs(diff), kind="stable")[:top_cells])
                if len(key) == 2:
                    top |= set(np.argsort(-np.abs(inter), kind="stable")[:top_cells])
                for i in sorted(top, key=lambda i: -abs(diff[i])):
                    cells.append(
                        {
                            **stub,
                            "cell": labels[i],
                            "population_share": p[i],
                            "target_share": q[i],
                            "difference": diff[i],
                            "interaction_difference": inter[i],
                        }
                    )
            if wname == "design":
                g = support_gaps(p_side.total, q_side.total, labels)
                if len(g):
                    gaps.append(g.assign(variables="×".join(key)))
    for v in num:
        for wname, w in weightings.items():
            p_side, q_side, positions = numeric_sides(population, target.microdata, v, w)
            metrics = {
                "asmd": partial(dist.asmd, positions=positions),
                "ks": dist.ks_ordinal,
                "wasserstein": partial(dist.wasserstein_ordinal, positions=positions),
            }
            res = distance_intervals(metrics, p_side, q_side, n_boot=n_boot, alpha=alpha, seed=rng)
            marginal += _rows({"variable": v, "weighting": wname}, res)
    tables = {
        "marginal": pd.DataFrame(marginal),
        "levels": pd.concat(levels, ignore_index=True) if levels else pd.DataFrame(),
        "joint": pd.DataFrame(joint),
        "cells": pd.DataFrame(cells),
        "support_gaps": (
            pd.concat(gaps, ignore_index=True)[["variables", "cell", "target_share"]]
            if gaps
            else pd.DataFrame(columns=["variables", "cell", "target_share"])
        ),
    }
    tables["compression"] = compression_table(population, target, cat, num, pop_rows, target_side)
    pathologies = pathology_stats(population, target, cat, pop_rows, tgt_rows, text)
    weight_info = {k: weight_summary(w) for k, w in weightings.items()}
    clf = {}
    if classifier:
        if target.kind == "margins":
            notes.append("classifier test skipped: the target holds margins only")
        else:
            xp, xt, wt = classifier_frames(population, target, cat, num, classifier_rows, rng)
            for wname, w in weightings.items():
                clf[wname] = classifier_two_sample_test(
                    xp,
                    xt,
                    w,
                    wt,
                    categorical=cat,
                    n_permutations=n_permutations,
                    max_rows=classifier_rows,
                    seed=seed,
                )
    settings = {
        "variables": cat + num,
        "n_boot": n_boot,
        "alpha": alpha,
        "seed": seed,
        "target_kind": target.kind,
        "target_replicates": None if target_replicates is None else "given",
        "replicate_scale": replicate_scale,
    }
    return DiagnosticReport(
        tables=tables,
        classifier=clf,
        weights=weight_info,
        pathologies=pathologies,
        settings=settings,
        notes=notes,
        population_provenance=population.provenance,
        target_provenance=target.provenance,
    )


__all__ = ["diagnose"]
