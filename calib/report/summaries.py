"""Adapters that turn calib result objects into tables the report can show.

They are duck-typed so the report does not depend on the internals of the layers below it:
anything with ``to_frame()`` is a table, anything with ``weights_`` or ``weights`` is a weight
vector, anything iterable over :class:`~calib.estimate.Estimate` is an estimate table.

Examples
--------
>>> import numpy as np
>>> stats = weight_summary(np.array([1.0, 1.0, 2.0, 4.0]))
>>> round(stats["kish_ess"], 3), round(stats["kish_deff"], 3)
(2.909, 1.375)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.estimate import Estimate


def as_frame(obj: Any, what: str = "result") -> pd.DataFrame:
    """A DataFrame from a DataFrame, a Series, or an object with ``to_frame()``."""
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.reset_index()
    to_frame = getattr(obj, "to_frame", None)
    if callable(to_frame):
        frame = to_frame()
        if isinstance(frame, pd.Series):
            frame = frame.reset_index()
        if isinstance(frame, pd.DataFrame):
            return frame
    raise DataError(
        f"cannot show {what} of type {type(obj).__name__} in the report: pass a DataFrame or an "
        "object with a to_frame() method"
    )


def as_weights(obj: Any) -> np.ndarray:
    """A weight vector from an array or an object with ``weights_`` / ``weights``."""
    for attr in ("weights_", "weights"):
        value = getattr(obj, attr, None)
        if value is not None and not callable(value):
            obj = value
            break
    w = np.asarray(obj, dtype=float).ravel()
    if w.size == 0 or not np.isfinite(w).all():
        raise DataError("weights for the report are empty or not finite")
    return w


def weight_summary(weights: Any) -> dict[str, float]:
    """Size, spread, Kish effective sample size and design effect of a weight vector.

    Notes
    -----
    Kish: ``ess = (sum w)^2 / sum w^2`` and ``deff = n / ess = 1 + cv^2`` (population cv).
    """
    w = as_weights(weights)
    n = w.size
    total = float(w.sum())
    ess = total**2 / float(np.square(w).sum()) if total > 0 else 0.0
    mean = total / n
    positive = w[w > 0]
    return {
        "n": float(n),
        "sum": total,
        "min": float(w.min()),
        "max": float(w.max()),
        "max_over_min": float(positive.max() / positive.min()) if positive.size else float("nan"),
        "cv": float(w.std() / mean) if mean > 0 else float("nan"),
        "kish_ess": ess,
        "kish_deff": n / ess if ess > 0 else float("inf"),
        "p05_over_mean": float(np.quantile(w, 0.05) / mean) if mean > 0 else float("nan"),
        "p95_over_mean": float(np.quantile(w, 0.95) / mean) if mean > 0 else float("nan"),
    }


def estimates_frame(estimates: Any, alpha: float = 0.05) -> pd.DataFrame:
    """Tidy estimates (one row each) with a ``label`` column for plots."""
    if isinstance(estimates, pd.DataFrame):
        frame = estimates.copy()
    else:
        items = list(estimates) if isinstance(estimates, Iterable) else [estimates]
        if not all(isinstance(e, Estimate) for e in items):
            return as_frame(estimates, "estimates")
        frame = pd.DataFrame([e.to_dict(alpha) for e in items])
    for col in ("quantity", "point", "lower", "upper"):
        if col not in frame:
            raise DataError(f"estimates table lacks column {col!r}")
    subgroups = frame.get("subgroup", pd.Series("all", index=frame.index)).astype(str)
    methods = frame.get("method", pd.Series("", index=frame.index)).astype(str)
    labels = [
        q + ("" if g == "all" else f" [{g}]") + (f" · {m}" if m else "")
        for q, g, m in zip(frame["quantity"].astype(str), subgroups, methods, strict=True)
    ]
    frame.insert(0, "label", labels)
    return frame


def variance_components(estimates: Iterable[Estimate]) -> dict[str, dict[str, float]]:
    """Label -> variance by source, for estimates whose variance has two or more sources."""
    out: dict[str, dict[str, float]] = {}
    for e in estimates:
        if isinstance(e, Estimate) and len(e.variance_components) > 1:
            label = e.quantity + ("" if e.subgroup == "all" else f" [{e.subgroup}]")
            out[f"{label} · {e.method}"] = {k: float(v) for k, v in e.variance_components.items()}
    return out


def compare_frames(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Join two result tables on their key columns (rows and order of ``before``)."""
    keys = [c for c in before.columns if not pd.api.types.is_numeric_dtype(before[c])]
    keys = [c for c in keys if c in after.columns]
    numeric = [c for c in before.columns if c not in keys and c in after.columns]
    if not keys or not numeric:
        raise DataError("before/after tables share no key and numeric columns to compare")
    merged = before[keys + numeric].merge(
        after[keys + numeric], on=keys, how="left", suffixes=(" before", " after")
    )
    order = keys + [f"{c} {s}" for c in numeric for s in ("before", "after")]
    return merged[order]


__all__ = [
    "as_frame",
    "as_weights",
    "compare_frames",
    "estimates_frame",
    "variance_components",
    "weight_summary",
]
