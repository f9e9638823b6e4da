"""Report: collect diagnostics, weights, estimates and provenance; write HTML and JSON.

The HTML file is self-contained (CSS inline, figures as base64 PNG); the JSON file beside it
holds the same tables as records plus the provenance, for machines and for diffing runs.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from calib.estimate import Estimate
>>> rep = Report("Demo")
>>> _ = rep.add_weights(np.array([1.0, 2.0, 1.0]), name="raking")
>>> _ = rep.add_estimates([Estimate("q1=Approve", 0.45, 0.02, "ppi", truth=0.46)])
>>> _ = rep.set_provenance(methods={"weighting": "raking"}, seeds={"demo": 1})
>>> out = rep.write(pathlib.Path(tempfile.mkdtemp()) / "report.html")
>>> out.html.exists() and out.json.exists()
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from calib.errors import DataError
from calib.report import figures as figs
from calib.report import html as h
from calib.report.provenance import build_provenance, to_jsonable
from calib.report.summaries import (
    as_frame,
    as_weights,
    compare_frames,
    estimates_frame,
    variance_components,
    weight_summary,
)


@dataclass
class Section:
    """One section of the report: HTML fragments plus the tables the JSON keeps."""

    anchor: str
    title: str
    parts: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    n_figures: int = 0

    def text(self, text: str) -> None:
        """A paragraph of plain text."""
        self.parts.append(f'<p class="note">{h.escape(text)}</p>')

    def heading(self, text: str) -> None:
        """A sub-heading."""
        self.parts.append(f"<h3>{h.escape(text)}</h3>")

    def table(self, name: str, frame: pd.DataFrame, digits: int = 4) -> None:
        """A table shown in HTML and kept as records in the JSON."""
        self.parts.append(h.frame_to_html(frame, digits=digits))
        self.tables[name] = to_jsonable(frame)

    def mapping(self, name: str, values: Mapping[str, Any]) -> None:
        """A key/value table."""
        self.parts.append(h.mapping_to_html(values))
        self.tables[name] = to_jsonable(dict(values))

    def figure(self, fig: Figure, caption: str = "") -> None:
        """An embedded figure."""
        self.parts.append(h.figure_to_html(fig, caption, alt=caption or self.title))
        self.n_figures += 1

    def preformatted(self, text: str) -> None:
        """Monospaced text (a ``summary()``)."""
        self.parts.append(f"<pre>{h.escape(text)}</pre>")


@dataclass(frozen=True)
class ReportPaths:
    """Where :meth:`Report.write` put the files."""

    html: Path
    json: Path


class Report:
    """A self-contained HTML report with a JSON twin.

    Parameters
    ----------
    title : str
        Page title.
    subtitle : str, default=""
        One line under the title (data, date).
    """

    def __init__(self, title: str, subtitle: str = ""):
        self.title = title
        self.subtitle = subtitle
        self.sections: list[Section] = []
        self.provenance: dict[str, Any] = {}

    # --- generic -------------------------------------------------------------------

    def section(self, title: str) -> Section:
        """A new section appended to the report."""
        anchor = f"s{len(self.sections) + 1}"
        sec = Section(anchor, title)
        self.sections.append(sec)
        return sec

    # --- calib results -------------------------------------------------------------

    def add_diagnostics(
        self, before: Any, after: Any = None, title: str = "Diagnostics", value: str | None = None
    ) -> Section:
        """Diagnostics of a population against its reference, before and after weighting.

        ``before`` and ``after`` are result objects with ``to_frame()`` (or DataFrames). Their
        own figures (``figures()`` returning Figures) are embedded when available; otherwise a
        bar chart of the first numeric column (or ``value``) is drawn.
        """
        sec = self.section(title)
        frame_b = as_frame(before, "diagnostics")
        if after is None:
            sec.table("diagnostics", frame_b)
            shown = frame_b
            columns = [value] if value else _numeric(frame_b)[:1]
        else:
            frame_a = as_frame(after, "diagnostics after weighting")
            shown = compare_frames(frame_b, frame_a)
            sec.table("diagnostics", shown)
            metric = value or _numeric(frame_b)[0]
            columns = [f"{metric} before", f"{metric} after"]
        keys = [c for c in shown.columns if c not in _numeric(shown)]
        if columns and keys:
            label = shown[keys].astype(str).agg(" · ".join, axis=1)
            plot = shown.assign(_label=label)
            sec.figure(
                figs.comparison_bars(plot, "_label", columns, columns[0].replace(" before", "")),
                caption=f"{title}: {', '.join(columns)}",
            )
        for obj, tag in ((before, "before"), (after, "after")):
            for fig in _own_figures(obj):
                sec.figure(fig, caption=f"{title} ({tag} weighting)")
        return sec

    def add_weights(self, weights: Any, name: str = "weights", title: str | None = None) -> Section:
        """Weight diagnostics: ESS, design effect, spread and the distribution."""
        sec = self.section(title or f"Weights: {name}")
        stats = weight_summary(weights)
        sec.mapping(f"{name}_summary", stats)
        summary = getattr(weights, "summary", None)
        if callable(summary):
            sec.preformatted(str(summary()))
        sec.figure(figs.weight_histogram(as_weights(weights), name), f"distribution of {name}")
        return sec

    def add_weight_table(self, summaries: Mapping[str, Any], title: str = "Weights") -> Section:
        """One row of weight diagnostics per weighting (``{name: weights}``) and histograms."""
        sec = self.section(title)
        rows = [{"weighting": k, **weight_summary(v)} for k, v in summaries.items()]
        sec.table("weights", pd.DataFrame(rows))
        for name, w in summaries.items():
            sec.figure(figs.weight_histogram(as_weights(w), name), f"distribution of {name}")
        return sec

    def add_estimates(
        self, estimates: Any, title: str = "Estimates", alpha: float = 0.05
    ) -> Section:
        """Estimates with intervals (table and forest plot) and their variance decomposition."""
        sec = self.section(title)
        items = list(estimates) if not isinstance(estimates, pd.DataFrame) else estimates
        frame = estimates_frame(items, alpha)
        sec.table("estimates", frame.drop(columns=["label"]))
        sec.figure(figs.estimate_forest(frame), f"{title}: {100 * (1 - alpha):.0f}% intervals")
        comps = (
            _frame_components(frame)
            if isinstance(items, pd.DataFrame)
            else variance_components(items)
        )
        if comps:
            sec.heading("Variance decomposition")
            rows = [{"estimate": k, **v} for k, v in comps.items()]
            sec.table("variance_components", pd.DataFrame(rows))
            sec.figure(figs.variance_stack(comps), "share of variance by source")
        return sec

    def set_provenance(
        self,
        sources: Iterable[Any] = (),
        methods: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        seeds: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record the inputs, methods, settings, seeds and package versions."""
        self.provenance = build_provenance(sources, methods, settings, seeds)
        return self.provenance

    # --- output --------------------------------------------------------------------

    def _provenance_html(self) -> str:
        prov = self.provenance or build_provenance()
        parts = []
        if prov["sources"]:
            parts.append("<h3>Sources</h3>")
            rows = [s if isinstance(s, dict) else {"source": s} for s in prov["sources"]]
            parts.append(h.frame_to_html(pd.DataFrame(rows).map(_flat)))
        for key, heading in (("methods", "Methods"), ("settings", "Settings"), ("seeds", "Seeds")):
            if prov[key]:
                parts.append(f"<h3>{heading}</h3>{h.mapping_to_html(prov[key])}")
        parts.append(f"<h3>Software</h3>{h.mapping_to_html(prov['versions'])}")
        parts.append(f'<p class="note">created {h.escape(prov["created"])}</p>')
        return "".join(parts)

    def to_html(self) -> str:
        """The complete HTML document."""
        sections = [(s.anchor, s.title, "".join(s.parts)) for s in self.sections]
        sections.append(("provenance", "Provenance", self._provenance_html()))
        return h.page(self.title, self.subtitle, sections)

    def to_dict(self) -> dict[str, Any]:
        """The report's tables and provenance as JSON-ready data."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "sections": [
                {"title": s.title, "tables": s.tables, "n_figures": s.n_figures}
                for s in self.sections
            ],
            "provenance": self.provenance or build_provenance(),
        }

    def write(self, path: str | Path) -> ReportPaths:
        """Write ``path`` (HTML) and the same name with ``.json``; return both paths."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise DataError(f"report path {str(path)!r} must end in .html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        json_path = path.with_suffix(".json")
        json_path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return ReportPaths(path, json_path)


def _numeric(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def _frame_components(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Variance by source from ``var_<source>`` columns of a tidy estimates table."""
    cols = [c for c in frame.columns if str(c).startswith("var_")]
    out: dict[str, dict[str, float]] = {}
    for _, row in frame.iterrows():
        comp = {c[4:]: float(row[c]) for c in cols if pd.notna(row[c]) and float(row[c]) > 0}
        if len(comp) > 1:
            out[str(row["label"])] = comp
    return out


def _own_figures(obj: Any) -> list[Figure]:
    if obj is None:
        return []
    maker = getattr(obj, "figures", None)
    if not callable(maker):
        return []
    made = maker()
    if isinstance(made, Figure):
        return [made]
    if isinstance(made, Mapping):
        made = list(made.values())
    return [f for f in made if isinstance(f, Figure)]


def _flat(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in ("", None, [], {}))
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


__all__ = ["Report", "ReportPaths", "Section"]
