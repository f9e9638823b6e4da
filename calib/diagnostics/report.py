"""``DiagnosticReport``: the result of :func:`calib.diagnostics.diagnose`.

Tables (``to_frame(name)``): ``marginal`` (one row per variable, weighting and metric, with
interval, bias-corrected value and null level), ``levels`` (shares per level), ``joint`` (one
row per pair/triple and weighting: TV, Hellinger, association in both and the gap),
``cells`` (cells driving each joint gap), ``support_gaps``, ``compression``, ``weights``,
``classifier``, ``pathologies``.

Examples
--------
>>> import pandas as pd
>>> r = DiagnosticReport(tables={"marginal": pd.DataFrame({"variable": ["a"]})})
>>> r.to_frame("marginal").shape
(1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from calib.diagnostics.classifier import ClassifierTestResult
from calib.diagnostics.weights import WeightSummary
from calib.errors import DataError, UnknownVariableError


@dataclass
class DiagnosticReport:
    """Distances, association gaps, classifier test, pathologies and weight diagnostics.

    Attributes
    ----------
    tables : dict of str to DataFrame
        See the module docstring.
    classifier : dict of str to ClassifierTestResult
        One per weighting (``"design"``, and ``"weighted"`` when new weights were passed).
    weights : dict of str to WeightSummary
        Weight diagnostics per weighting.
    pathologies : dict
        ``duplicates`` and ``text:<column>`` statistics.
    settings : dict
        Arguments that shaped the numbers (bootstrap draws, alpha, seed, ...).
    notes : list of str
        What was skipped and why.
    """

    tables: dict[str, pd.DataFrame]
    classifier: dict[str, ClassifierTestResult] = field(default_factory=dict)
    weights: dict[str, WeightSummary] = field(default_factory=dict)
    pathologies: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    population_provenance: Any = None
    target_provenance: Any = None

    @property
    def weightings(self) -> list[str]:
        """Weightings compared (``["design"]`` or ``["design", "weighted"]``)."""
        m = self.tables.get("marginal")
        if m is None or m.empty:
            return list(self.weights) or ["design"]
        return list(dict.fromkeys(m["weighting"]))

    def to_frame(self, table: str = "marginal") -> pd.DataFrame:
        """One table as a tidy DataFrame (a copy)."""
        if table == "weights":
            return pd.concat(
                [s.to_frame().assign(weighting=k) for k, s in self.weights.items()],
                ignore_index=True,
            )
        if table == "classifier":
            return pd.DataFrame(
                [
                    {
                        "weighting": k,
                        "auc": r.auc,
                        "null_mean": r.null_mean,
                        "null_q95": r.null_q95,
                        "p_value": r.p_value,
                    }
                    for k, r in self.classifier.items()
                ]
            )
        if table == "pathologies":
            return pd.DataFrame(
                [{"what": k, **v} for k, v in self.pathologies.items() if isinstance(v, dict)]
            )
        if table not in self.tables:
            known = [*self.tables, "weights", "classifier", "pathologies"]
            raise UnknownVariableError([table], "the report's tables", known)
        return self.tables[table].copy()

    def marginal_wide(self, metric_columns: str = "value") -> pd.DataFrame:
        """Marginal distances with one column per metric (rows: variable x weighting)."""
        m = self.tables["marginal"]
        return m.pivot_table(
            index=["variable", "weighting"], columns="metric", values=metric_columns, sort=False
        )

    def summary(self, top: int = 5) -> str:
        """Compact text: worst variables, worst pairs, classifier, pathologies, weights."""
        lines = ["Diagnostic report", "=" * 17]
        wide = self.marginal_wide()
        cols = [c for c in ("tv", "hellinger", "js", "asmd", "ks", "wasserstein") if c in wide]
        if len(wide):
            null = self.marginal_wide("null_level")
            wide = wide[cols].join(null[["tv"]].rename(columns={"tv": "tv_null"}), how="left")
            lines += [
                "Marginal distances (tv_null: TV expected by chance)",
                wide.to_string(float_format=lambda v: f"{v:.3f}"),
            ]
        joint = self.tables.get("joint")
        if joint is not None and len(joint):
            j = joint.sort_values("tv", ascending=False).head(top)
            cols = [
                c
                for c in (
                    "variables",
                    "weighting",
                    "tv",
                    "tv_null",
                    "cramers_v_gap",
                    "polychoric_gap",
                )
                if c in j
            ]
            lines += [
                f"Joint distances (top {top} by TV)",
                j[cols].to_string(index=False, float_format=lambda v: f"{v:+.3f}"),
            ]
        for name, res in self.classifier.items():
            lines.append(f"[{name}] " + res.summary())
        gaps = self.tables.get("support_gaps")
        if gaps is not None and len(gaps):
            lines.append(
                f"Support gaps: {len(gaps)} target cells with mass but no personas; largest: "
                + "; ".join(
                    f"{r.variables}={r.cell} ({r.target_share:.3f})"
                    for r in gaps.head(3).itertuples()
                )
            )
        comp = self.tables.get("compression")
        if comp is not None and "variance_ratio" in comp:
            low = comp.dropna(subset=["variance_ratio"])
            low = low[low["variance_ratio"] < 0.8]
            if len(low):
                lines.append(
                    "Variance compression (<0.8 of target): "
                    + ", ".join(f"{r.variable} {r.variance_ratio:.2f}" for r in low.itertuples())
                )
        dup = self.pathologies.get("duplicates")
        if dup:
            lines.append(
                f"Duplicates: exact {dup['exact_duplicate_share']:.3f} (expected from target "
                f"{dup['expected_duplicate_share']:.3f}), near {dup['near_duplicate_share']:.3f}"
            )
        for k, v in self.pathologies.items():
            if k.startswith("text:"):
                lines.append(
                    f"Text {k[5:]}: {v['mean_words']:.1f} words, VADER compound "
                    f"{v['mean_compound']:+.3f}, subjectivity {v['mean_subjectivity']:.3f}"
                )
        for name, w in self.weights.items():
            lines.append(
                f"Weights [{name}]: ESS {w.effective_sample_size:.1f} of {w.n}, deff "
                f"{w.design_effect:.2f}, top-1% share {w.top1_share:.3f}"
            )
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # --- plots -------------------------------------------------------------------------

    def _axes(self, ax: Any, size: tuple[float, float]) -> Any:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=size)
        return ax

    def plot_love(self, metric: str = "asmd", ax: Any = None) -> Any:
        """Love plot: ``metric`` per variable, before and after weights (if given)."""
        m = self.tables["marginal"]
        m = m[m["metric"] == metric]
        if m.empty:
            raise DataError(f"no marginal metric {metric!r} in this report")
        variables = list(dict.fromkeys(m["variable"]))
        ax = self._axes(ax, (6, 0.35 * len(variables) + 1.5))
        y = np.arange(len(variables))
        for marker, wname in zip("os^", self.weightings, strict=False):
            sub = m[m["weighting"] == wname].set_index("variable").reindex(variables)
            ax.errorbar(
                sub["value"],
                y,
                xerr=np.abs(np.vstack([sub["value"] - sub["low"], sub["high"] - sub["value"]])),
                fmt=marker,
                label=wname,
                capsize=2,
            )
        ax.set_yticks(y, variables)
        ax.axvline(0.1 if metric == "asmd" else 0.0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(metric)
        ax.legend()
        return ax

    def plot_levels(self, variable: str, ax: Any = None) -> Any:
        """Bars of population and target shares per level of ``variable``."""
        lv = self.tables["levels"]
        lv = lv[lv["variable"] == variable]
        if lv.empty:
            raise UnknownVariableError([variable], "the report's levels table")
        levels = list(dict.fromkeys(lv["level"]))
        ax = self._axes(ax, (max(4, 0.6 * len(levels) + 2), 3.5))
        x = np.arange(len(levels))
        series = [("target", lv[lv["weighting"] == self.weightings[0]]["target_share"])]
        series += [(w, lv[lv["weighting"] == w]["population_share"]) for w in self.weightings]
        width = 0.8 / len(series)
        for i, (name, vals) in enumerate(series):
            ax.bar(x + i * width, np.asarray(vals), width, label=name)
        ax.set_xticks(x + 0.4 - width / 2, levels, rotation=30, ha="right")
        ax.set_ylabel("share")
        ax.set_title(variable)
        ax.legend()
        return ax

    def plot_association_gaps(
        self, measure: str = "cramers_v_gap", weighting: str = "design", ax: Any = None
    ) -> Any:
        """Heatmap of the pairwise association gap (population minus target)."""
        j = self.tables["joint"]
        j = j[(j["weighting"] == weighting) & (j["k"] == 2)] if len(j) else j
        if j.empty or measure not in j:
            raise DataError(f"no pairwise {measure!r} for weighting {weighting!r}")
        pairs = [v.split("×") for v in j["variables"]]
        names = list(dict.fromkeys([n for p in pairs for n in p]))
        mat = np.full((len(names), len(names)), np.nan)
        for (a, b), val in zip(pairs, j[measure], strict=True):
            ia, ib = names.index(a), names.index(b)
            mat[ia, ib] = mat[ib, ia] = val
        ax = self._axes(ax, (0.5 * len(names) + 3, 0.5 * len(names) + 2.5))
        lim = np.nanmax(np.abs(mat)) if np.isfinite(mat).any() else 1.0
        im = ax.imshow(mat, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.figure.colorbar(im, ax=ax, label=f"{measure} (population - target)")
        return ax

    def plot_importance(self, weighting: str = "design", ax: Any = None) -> Any:
        """Bars of the classifier's variable importance (AUC drop when shuffled)."""
        if weighting not in self.classifier:
            raise DataError(f"no classifier test for weighting {weighting!r}")
        imp = self.classifier[weighting].importance.sort_values()
        ax = self._axes(ax, (5, 0.35 * len(imp) + 1.5))
        ax.barh(list(imp.index), imp.to_numpy())
        ax.set_xlabel("AUC drop when shuffled")
        return ax


__all__ = ["DiagnosticReport"]
