"""The demo: the pipeline on the bundled recorded silicon sample, once per persona tier.

Inputs are bundled (``data/demo``, built by ``data/demo/build_demo.py``): 400 LLM personas in
four tiers with the LLM's answers to Pew's December 2013 questions, the Pew-weighted reference
cells, a gold sample of 300 real respondents as cell counts, and the real values. Nothing is
downloaded.

Examples
--------
>>> TIERS
('meta', 'objective_table', 'subjective_table', 'descriptive')
>>> demo_config("meta", "/tmp/x").population.variables
('sex', 'age_pew6', 'race4', 'region')
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from calib.datadir import bundled_file
from calib.errors import DataError
from calib.pipeline.config import PipelineConfig, load_config
from calib.pipeline.run import PipelineResult, add_to_report, run_pipeline
from calib.report import Report

TIERS: tuple[str, ...] = ("meta", "objective_table", "subjective_table", "descriptive")
_META = ("sex", "age_pew6", "race4", "region")
#: Persona variables each tier has (the meta and descriptive tiers have no structured education).
TIER_VARIABLES: dict[str, tuple[str, ...]] = {
    "meta": _META,
    "objective_table": (*_META, "educ3"),
    "subjective_table": (*_META, "educ3"),
    "descriptive": _META,
}
_MARGINS_META = (("race4",),)
_MARGINS_EDUC = (*_MARGINS_META, ("educ3",))
#: k-way target implied by a Gaussian copula fitted to the reference's margins and 2-way tables.
_COPULA = (("sex", "age_pew6", "region"),)


def demo_config(tier: str, out_dir: str | Path) -> PipelineConfig:
    """The bundled ``demo.toml`` configured for one tier, writing to ``out_dir/<tier>``."""
    if tier not in TIERS:
        raise DataError(f"unknown tier {tier!r}; tiers are {', '.join(TIERS)}")
    cfg = load_config(bundled_file("demo/demo.toml"))
    variables = TIER_VARIABLES[tier]
    margins = _MARGINS_EDUC if "educ3" in variables else _MARGINS_META
    return replace(
        cfg,
        population=replace(cfg.population, variables=variables, filter={"tier": tier}),
        weighting=replace(cfg.weighting, margins=margins, copula=_COPULA),
        output=replace(cfg.output, dir=Path(out_dir) / tier, report=False),
    )


@dataclass
class DemoResult:
    """Per-tier pipeline results and the combined report's path."""

    results: dict[str, PipelineResult]
    report: Path

    def table(self) -> pd.DataFrame:
        """All tiers' summary tables stacked (column ``tier``)."""
        return pd.concat(
            [r.table().assign(tier=t) for t, r in self.results.items()], ignore_index=True
        )


def _pct(v: float) -> str:
    return "   —  " if not np.isfinite(v) else f"{100 * v:5.1f}%"


def format_tier(tier: str, result: PipelineResult) -> str:
    """The compact per-tier table the demo prints."""
    diag = result.diagnostics
    tvd = diag.loc[diag["stage"] == "unweighted", "tvd"].mean()
    tvd_after = diag.loc[diag["stage"] == "weighted", "tvd"].mean()
    ess = result.weighting.get("ess", float("nan"))
    lines = [
        f"tier {tier}: {result.weights.size} personas; mean TVD to reference "
        f"{tvd:.3f} -> {tvd_after:.3f} after weighting; ESS {ess:.0f}",
        f"  {'question':<18}{'raw':>8}{'weighted':>10}{'corrected [95% interval]':>29}{'real':>8}",
    ]
    for row in result.table().itertuples(index=False):
        interval = (
            f"{_pct(row.corrected)} [{_pct(row.lower).strip()}, {_pct(row.upper).strip()}]"
            if np.isfinite(row.corrected)
            else "(no gold answers)"
        )
        lines.append(
            f"  {row.question:<18}{_pct(row.raw):>8}{_pct(row.weighted):>10}"
            f"{interval:>29}{_pct(row.real):>8}"
        )
    return "\n".join(lines)


def run_demo(
    out_dir: str | Path = "calib-demo",
    tiers: Sequence[str] = TIERS,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoResult:
    """Diagnose, weight and correct every tier; write one combined report.

    Parameters
    ----------
    out_dir : path, default="calib-demo"
        Output folder (one subfolder per tier plus ``report.html`` / ``report.json``).
    tiers : sequence of str
        Which tiers to run.
    progress : bool, optional
        Progress bar (default: only on a terminal).
    log : callable, optional
        Receives a line per step.
    """
    out = Path(out_dir)
    results: dict[str, PipelineResult] = {}
    disable = None if progress is None else not progress
    bar = tqdm(list(tiers), desc="calib demo", unit="tier", disable=disable, file=sys.stderr)
    for tier in bar:
        bar.set_postfix_str(tier)
        cfg = demo_config(tier, out)
        say = (lambda m, t=tier: log(f"[{t}] {m}")) if log else None
        results[tier] = run_pipeline(cfg, ("diagnose", "weight", "correct"), log=say)
    if log:
        log("report: HTML and JSON")
    report = Report(
        "calib demo: recorded silicon sample vs Pew Dec 2013",
        "400 LLM personas x 4 tiers; reference, gold sample and real values from the Pew "
        "Research Center December 2013 survey (derived cell tables)",
    )
    overview = report.section("Overview")
    overview.text(
        "Per tier: raw silicon estimate, after raking to the reference, after PPI++ correction "
        "with 300 gold respondents (95% interval), and the real value."
    )
    overview.table(
        "summary", DemoResult(results, out / "report.html").table().set_index("tier").reset_index()
    )
    for tier, result in results.items():
        add_to_report(report, result, label=tier)
    first = next(iter(results.values()))
    report.provenance = {
        **first.provenance,
        "settings": {**first.provenance["settings"], "tiers": list(results), "filter": "per tier"},
    }
    paths = report.write(out / "report.html")
    return DemoResult(results, paths.html)


__all__ = ["TIERS", "TIER_VARIABLES", "DemoResult", "demo_config", "format_tier", "run_demo"]
