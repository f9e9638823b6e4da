"""Figures for the report, drawn on :class:`matplotlib.figure.Figure` (no pyplot, no GUI).

Each function takes plain arrays or DataFrames and returns a Figure; the report embeds them.

Examples
--------
>>> import numpy as np
>>> fig = weight_histogram(np.array([0.5, 1.0, 1.0, 2.0]))
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

PALETTE = ("#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6d597a", "#8d99ae")


def weight_histogram(weights: np.ndarray, label: str = "weights") -> Figure:
    """Histogram of weights scaled to mean 1, with the mean marked."""
    w = np.asarray(weights, dtype=float)
    scaled = w / w.mean() if w.size and w.mean() > 0 else w
    fig = Figure(figsize=(6.0, 3.0))
    ax = fig.add_subplot()
    ax.hist(scaled, bins=min(40, max(5, int(np.sqrt(max(len(w), 1))))), color=PALETTE[0])
    ax.axvline(1.0, color=PALETTE[1], linestyle="--", linewidth=1)
    ax.set_xlabel(f"{label} / mean")
    ax.set_ylabel("rows")
    fig.tight_layout()
    return fig


def comparison_bars(frame: pd.DataFrame, label: str, columns: Sequence[str], xlabel: str) -> Figure:
    """Horizontal grouped bars: one group per row of ``frame``, one bar per column."""
    frame = frame.iloc[:30]
    n = len(frame)
    height = max(2.2, 0.28 * n * max(1, len(columns)) + 0.8)
    fig = Figure(figsize=(6.5, height))
    ax = fig.add_subplot()
    y = np.arange(n)
    bar = 0.8 / max(1, len(columns))
    for j, col in enumerate(columns):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        ax.barh(y + j * bar, values, height=bar, label=str(col), color=PALETTE[j % len(PALETTE)])
    ax.set_yticks(y + bar * (len(columns) - 1) / 2)
    ax.set_yticklabels([str(v) for v in frame[label]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if len(columns) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def estimate_forest(frame: pd.DataFrame) -> Figure:
    """Point estimates with intervals (and truth as a marker when present), one row each.

    ``frame`` needs columns ``label``, ``point``, ``lower``, ``upper`` and optionally ``truth``.
    """
    frame = frame.iloc[:40].reset_index(drop=True)
    n = len(frame)
    fig = Figure(figsize=(6.5, max(2.0, 0.3 * n + 0.8)))
    ax = fig.add_subplot()
    y = np.arange(n)
    point = frame["point"].to_numpy(dtype=float)
    lower = frame["lower"].to_numpy(dtype=float)
    upper = frame["upper"].to_numpy(dtype=float)
    xerr = np.vstack([point - lower, upper - point])
    ax.errorbar(point, y, xerr=np.clip(xerr, 0, None), fmt="o", color=PALETTE[0], capsize=3)
    if "truth" in frame:
        truth = pd.to_numeric(frame["truth"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(truth)
        ax.scatter(truth[ok], y[ok], marker="|", s=200, color=PALETTE[1], label="real value")
        if ok.any():
            ax.legend(fontsize=8, loc="best")
    ax.set_yticks(y)
    ax.set_yticklabels([str(v) for v in frame["label"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("estimate with 95% interval")
    fig.tight_layout()
    return fig


def variance_stack(components: Mapping[str, Mapping[str, float]]) -> Figure:
    """Stacked horizontal bars of each estimate's variance share by source."""
    labels = list(components)
    sources = sorted({s for comp in components.values() for s in comp})
    fig = Figure(figsize=(6.5, max(2.0, 0.3 * len(labels) + 0.8)))
    ax = fig.add_subplot()
    left = np.zeros(len(labels))
    for j, source in enumerate(sources):
        values = np.array([float(components[lab].get(source, 0.0)) for lab in labels])
        totals = np.array([sum(components[lab].values()) or 1.0 for lab in labels])
        share = values / totals
        ax.barh(labels, share, left=left, label=source, color=PALETTE[j % len(PALETTE)])
        left += share
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of variance")
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


__all__ = ["comparison_bars", "estimate_forest", "variance_stack", "weight_histogram"]
