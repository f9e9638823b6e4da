"""Run the pipeline step by step, each step reading and writing plain files in the output folder.

Files (in ``output.dir``): ``diagnostics.csv`` (stage, margin, distances), ``weights.csv`` (id,
design_weight, g_weight, weight), ``weighting.json``, ``estimates.csv`` (one row per question x
method), ``provenance.json``, and ``report.html`` + ``report.json``. A step can be rerun alone:
``weight`` rewrites the weights and the weighted diagnostics, ``correct`` reads ``weights.csv``,
``report`` reads everything.

Examples
--------
>>> STEPS
('diagnose', 'weight', 'correct', 'report')
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.estimate import EstimateTable
from calib.pipeline import steps
from calib.pipeline.config import PipelineConfig
from calib.pipeline.inputs import Inputs, MissingInputError, load_inputs
from calib.report import Report
from calib.report.provenance import build_provenance, to_jsonable

STEPS: tuple[str, ...] = ("diagnose", "weight", "correct", "report")


@dataclass
class PipelineResult:
    """What one pipeline run produced (also on disk in ``out_dir``)."""

    out_dir: Path
    diagnostics: pd.DataFrame
    weights: np.ndarray
    weighting: dict[str, Any]
    estimates: pd.DataFrame
    provenance: dict[str, Any]
    estimate_table: EstimateTable | None = None
    detail: dict[str, pd.DataFrame] | None = None

    def table(self) -> pd.DataFrame:
        """Question x (raw, weighted, corrected with interval, real) in one row per question."""
        if self.estimates.empty:
            return pd.DataFrame()
        return estimates_wide(self.estimates)


def estimates_wide(estimates: pd.DataFrame) -> pd.DataFrame:
    """Wide table: one row per question, columns per method (corrected with its interval)."""
    rows = []
    for quantity, part in estimates.groupby("quantity", sort=False):
        by = part.set_index("method")
        row: dict[str, Any] = {"question": quantity}
        for method, col in (
            ("silicon_raw", "raw"),
            ("silicon_weighted", "weighted"),
            ("classical", "gold_only"),
        ):
            row[col] = float(by.loc[method, "point"]) if method in by.index else np.nan
        corrected = [m for m in by.index if m.startswith(("ppi", "hierarchical_bayes"))]
        if corrected:
            c = by.loc[corrected[0]]
            row.update(corrected=c["point"], lower=c["lower"], upper=c["upper"])
        else:
            row.update(corrected=np.nan, lower=np.nan, upper=np.nan)
        truth = part["truth"].dropna() if "truth" in part else pd.Series(dtype=float)
        row["real"] = float(truth.iloc[0]) if len(truth) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _out(cfg: PipelineConfig) -> Path:
    out = Path(cfg.output.dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _read_csv(path: Path, step: str, strict: bool = True) -> pd.DataFrame:
    if not path.is_file():
        if not strict:
            return pd.DataFrame()
        raise MissingInputError(path, f"output of 'calib {step}'", f"run 'calib {step}' first")
    return pd.read_csv(path)


def run_diagnose(cfg: PipelineConfig, inputs: Inputs | None = None) -> pd.DataFrame:
    """Diagnostics of the unweighted personas; writes ``diagnostics.csv``."""
    inputs = inputs or load_inputs(cfg)
    diag = steps.diagnose(inputs.population, inputs.target).assign(stage="unweighted")
    diag = diag[["stage", *[c for c in diag.columns if c != "stage"]]]
    diag.to_csv(_out(cfg) / "diagnostics.csv", index=False)
    return diag


def run_weight(cfg: PipelineConfig, inputs: Inputs | None = None) -> tuple[np.ndarray, dict]:
    """Reweight; writes ``weights.csv``, ``weighting.json`` and the weighted diagnostics."""
    inputs = inputs or load_inputs(cfg)
    out = _out(cfg)
    result = steps.weight(inputs.population, inputs.target, cfg.weighting, cfg.output.seed)
    w = steps.uniform_or(result, inputs.population.n)
    if result is not None:
        frame = result.to_frame()
        info = {
            "method": result.method,
            "converged": bool(result.converged),
            "n_iter": int(result.n_iter),
            "max_deviation": float(result.max_deviation),
            "ess": float(result.ess),
            "deff": float(result.deff),
            "settings": to_jsonable(dict(result.settings)),
        }
        if "copula" in result.extra:
            info["copula_keys"] = [list(k) for k in cfg.weighting.copula]
            info["copula_check"] = to_jsonable(result.extra["copula"])
    else:
        frame = pd.DataFrame({"id": inputs.population.ids, "weight": w})
        info = {"method": "none"}
    frame.to_csv(out / "weights.csv", index=False)
    (out / "weighting.json").write_text(json.dumps(info, indent=2))
    diag_path = out / "diagnostics.csv"
    before = pd.read_csv(diag_path) if diag_path.is_file() else run_diagnose(cfg, inputs)
    after = steps.diagnose(inputs.population, inputs.target, w).assign(stage="weighted")
    both = pd.concat([before[before["stage"] == "unweighted"], after], ignore_index=True)
    both[before.columns].to_csv(diag_path, index=False)
    detail = steps.detailed_diagnostics(
        inputs.population, inputs.target, None if result is None else w, cfg.output.seed
    )
    for name in steps.DETAIL_TABLES:
        path = out / f"diagnostics_{name}.csv"
        path.unlink(missing_ok=True)
        if name in detail and len(detail[name].columns):
            detail[name].to_csv(path, index=False)
    return w, info


def _load_weights(cfg: PipelineConfig, n: int) -> np.ndarray:
    path = Path(cfg.output.dir) / "weights.csv"
    if not path.is_file():
        return np.ones(n)
    w = pd.read_csv(path)["weight"].to_numpy(dtype=float)
    if w.size != n:
        raise DataError(
            f"{path} has {w.size} weights for {n} personas: rerun 'calib weight' on this config"
        )
    return w


def run_correct(
    cfg: PipelineConfig, inputs: Inputs | None = None, weights: np.ndarray | None = None
) -> EstimateTable:
    """Raw, weighted and corrected estimates; reads ``weights.csv``, writes ``estimates.csv``."""
    inputs = inputs or load_inputs(cfg)
    w = weights if weights is not None else _load_weights(cfg, inputs.population.n)
    table = steps.correct(
        inputs.population,
        inputs.answers,
        w,
        cfg.questions,
        inputs.gold,
        cfg.gold.cell if cfg.gold else (),
        cfg.correction,
        inputs.truth,
    )
    table.to_frame(cfg.correction.alpha).to_csv(_out(cfg) / "estimates.csv", index=False)
    return table


def provenance(cfg: PipelineConfig, inputs: Inputs | None = None) -> dict[str, Any]:
    """Sources, methods, settings and seeds of a run (written to ``provenance.json``)."""
    sources: list[Any] = []
    if inputs is not None:
        sources += [inputs.population.provenance, inputs.target.provenance]
    if cfg.gold is not None:
        sources.append(
            {"source": cfg.gold.source or cfg.gold.path.name, "path": str(cfg.gold.path)}
        )
    return build_provenance(
        sources=sources,
        methods={"weighting": cfg.weighting.method, "correction": cfg.correction.method},
        settings={
            "config": cfg.source,
            "variables": list(cfg.population.variables),
            "filter": dict(cfg.population.filter),
            "margins": [list(m) for m in cfg.weighting.margins or ()],
            "copula_targets": [list(m) for m in cfg.weighting.copula],
            "bounds": list(cfg.weighting.bounds or ()),
            "gold_cell": list(cfg.gold.cell) if cfg.gold else [],
            "smoothing": cfg.correction.smoothing,
            "alpha": cfg.correction.alpha,
            "questions": [q.name for q in cfg.questions],
        },
        seeds={"output.seed": cfg.output.seed, "correction.seed": cfg.correction.seed},
    )


def load_result(cfg: PipelineConfig, strict: bool = True) -> PipelineResult:
    """Read a run back from its output folder (``strict=False``: missing files are empty)."""
    out = Path(cfg.output.dir)
    diag = _read_csv(out / "diagnostics.csv", "diagnose", strict)
    weights_frame = _read_csv(out / "weights.csv", "weight", strict)
    weights = weights_frame["weight"].to_numpy(dtype=float) if len(weights_frame) else np.ones(0)
    info_path = out / "weighting.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    est = _read_csv(out / "estimates.csv", "correct", strict)
    prov_path = out / "provenance.json"
    prov = json.loads(prov_path.read_text()) if prov_path.is_file() else provenance(cfg)
    detail = {
        name: pd.read_csv(out / f"diagnostics_{name}.csv")
        for name in steps.DETAIL_TABLES
        if (out / f"diagnostics_{name}.csv").is_file()
    }
    return PipelineResult(out, diag, weights, info, est, prov, detail=detail)


def add_to_report(report: Report, result: PipelineResult, label: str = "") -> None:
    """Diagnostics (before/after), weights and estimates sections of one run."""
    prefix = f"{label}: " if label else ""
    cols = ["margin", "tvd", "hellinger"]
    diag = result.diagnostics
    before = diag.loc[diag["stage"] == "unweighted", cols]
    after = diag.loc[diag["stage"] == "weighted", cols]
    report.add_diagnostics(
        before, after if len(after) else None, title=f"{prefix}diagnostics", value="tvd"
    )
    if result.detail:
        _add_detail(report, result.detail, prefix)
    sec = report.add_weight_table(
        {f"{label or 'personas'} weights": result.weights}, f"{prefix}weights"
    )
    sec.mapping("weighting", {k: v for k, v in result.weighting.items() if k != "settings"})
    report.add_estimates(result.estimates, title=f"{prefix}estimates")
    report.sections[-1].heading("Summary")
    report.sections[-1].table("summary", result.table())


def _add_detail(report: Report, detail: dict[str, pd.DataFrame], prefix: str) -> None:
    sec = report.section(f"{prefix}diagnostics with intervals")
    sec.text(
        "From calib.diagnostics.diagnose: total variation with bootstrap intervals and the "
        "level expected by chance (null) for samples of this size; classifier two-sample test "
        "(AUC near 0.5: personas and population cannot be told apart on these variables)."
    )
    for name, title in (
        ("marginal", "1-way total variation"),
        ("joint", "2-way tables"),
        ("classifier", "classifier two-sample test"),
    ):
        if name in detail and len(detail[name]):
            sec.heading(title)
            sec.table(name, detail[name])


def run_report(cfg: PipelineConfig, result: PipelineResult | None = None) -> Path:
    """Write ``report.html`` and ``report.json`` from the output folder's files."""
    result = result or load_result(cfg)
    report = Report(cfg.output.title, f"configuration {cfg.source}")
    add_to_report(report, result)
    prov = result.provenance
    report.provenance = prov
    return report.write(Path(cfg.output.dir) / "report.html").html


def run_pipeline(
    cfg: PipelineConfig,
    steps_to_run: Iterable[str] = STEPS,
    log: Callable[[str], None] | None = None,
) -> PipelineResult:
    """Run the steps in order (all by default) and return the result.

    Parameters
    ----------
    cfg : PipelineConfig
    steps_to_run : iterable of str
        Subset of :data:`STEPS`, run in pipeline order.
    log : callable, optional
        Called with a short message as each step starts (the CLI prints them).
    """
    wanted = set(steps_to_run)
    unknown = wanted - set(STEPS)
    if unknown:
        raise DataError(f"unknown step(s) {sorted(unknown)}; steps are {', '.join(STEPS)}")
    say = log or (lambda message: None)
    inputs = load_inputs(cfg)
    out = _out(cfg)
    prov = provenance(cfg, inputs)
    (out / "provenance.json").write_text(json.dumps(prov, indent=2))
    weights = None
    table = None
    if "diagnose" in wanted:
        say("diagnose: distances to the reference")
        run_diagnose(cfg, inputs)
    if "weight" in wanted:
        say(f"weight: {cfg.weighting.method}")
        weights, _ = run_weight(cfg, inputs)
    if "correct" in wanted:
        say(f"correct: {cfg.correction.method} on {len(cfg.questions)} question(s)")
        table = run_correct(cfg, inputs, weights)
    result = load_result(cfg, strict=False)
    result.estimate_table = table
    if "report" in wanted and cfg.output.report:
        say("report: HTML and JSON")
        run_report(cfg, result)
    return result


__all__ = [
    "STEPS",
    "PipelineResult",
    "add_to_report",
    "estimates_wide",
    "load_result",
    "provenance",
    "run_correct",
    "run_diagnose",
    "run_pipeline",
    "run_report",
    "run_weight",
]
