"""The report's provenance record: sources, methods, settings, seeds and software versions.

Examples
--------
>>> versions = package_versions(["numpy"])
>>> "python" in versions and "numpy" in versions
True
>>> to_jsonable({"a": (1, 2.5)})
{'a': [1, 2.5]}
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import math
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Packages whose versions every report records.
DEFAULT_PACKAGES: tuple[str, ...] = (
    "silicon-calib",
    "numpy",
    "scipy",
    "pandas",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
    "pymc",
)


def package_versions(packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` plus Python and the platform."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas/dataclass/Provenance values to plain JSON types (NaN -> None)."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


def build_provenance(
    sources: Iterable[Any] = (),
    methods: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    seeds: Mapping[str, Any] | None = None,
    packages: Iterable[str] = DEFAULT_PACKAGES,
    created: _dt.datetime | None = None,
) -> dict[str, Any]:
    """The provenance dictionary written into the report and its JSON file.

    Parameters
    ----------
    sources : iterable of Provenance or mapping
        Inputs (population, reference, gold sample) with source and vintage.
    methods : mapping, optional
        Step name -> method used (``{"weighting": "raking"}``).
    settings : mapping, optional
        Settings of each step.
    seeds : mapping, optional
        Random seeds.
    packages : iterable of str
        Packages whose versions to record.
    created : datetime, optional
        Creation time (default: now, UTC).
    """
    created = created or _dt.datetime.now(_dt.UTC)
    return {
        "created": created.replace(microsecond=0).isoformat(),
        "sources": [to_jsonable(s) for s in sources],
        "methods": to_jsonable(dict(methods or {})),
        "settings": to_jsonable(dict(settings or {})),
        "seeds": to_jsonable(dict(seeds or {})),
        "versions": package_versions(packages),
    }


__all__ = ["DEFAULT_PACKAGES", "build_provenance", "package_versions", "to_jsonable"]
