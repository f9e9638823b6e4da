"""Helpers shared by the source readers: locating files and collecting recodes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from calib.errors import MissingDataFileError
from calib.recode import recode
from calib.standard import STANDARD

PathLike = str | os.PathLike[str]


def locate(
    relative: str,
    dataset: str,
    origin: str,
    data_dir: PathLike | None = None,
    path: PathLike | None = None,
) -> Path:
    """The file a reader needs: ``path`` if given, else ``relative`` inside the data directory.

    Raises
    ------
    MissingDataFileError
        Naming the file, the dataset and where it comes from.
    """
    from calib.datadir import shared_data_dir

    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise MissingDataFileError(p, dataset, origin)
        return p
    base = shared_data_dir(data_dir, required=False)
    candidate = (base / relative) if base is not None else Path(relative)
    if base is None or not candidate.is_file():
        raise MissingDataFileError(candidate, dataset, origin)
    return candidate


@dataclass
class RecodeLog:
    """Unmapped raw values met while recoding, per standard variable, and the policy applied."""

    policy: str = "raise"
    unmapped: dict[str, dict[object, int]] = field(default_factory=dict)

    def add(self, name: str, counts: Mapping[object, int]) -> None:
        """Record ``counts`` of unmapped values for variable ``name``."""
        if not counts:
            return
        bucket = self.unmapped.setdefault(name, {})
        for key, count in counts.items():
            bucket[key] = bucket.get(key, 0) + int(count)

    def note(self) -> str:
        """One line for a provenance record (empty when nothing was unmapped)."""
        if not self.unmapped:
            return ""
        parts = [f"{name}: {dict(values)}" for name, values in self.unmapped.items()]
        return f"unmapped values (policy unknown={self.policy!r}): " + "; ".join(parts)


def map_column(
    raw: pd.Series,
    mapping: Mapping[object, str | None],
    name: str,
    unknown: str,
    log: RecodeLog,
    source: str,
) -> pd.Series:
    """Recode ``raw`` into standard variable ``name``; unmapped values go to ``log``."""
    result = recode(raw, mapping, STANDARD[name], unknown=unknown, source=source)
    log.add(name, result.unmapped)
    return result.values


def missing_note(data: pd.DataFrame, names: list[str]) -> str:
    """A provenance note counting missing values per standard column (empty when none)."""
    counts = {n: int(data[n].isna().sum()) for n in names if data[n].isna().any()}
    return f"missing values kept as missing: {counts}" if counts else ""


__all__ = ["RecodeLog", "locate", "map_column", "missing_note"]
