"""Provenance records: where a table came from, so every number can be traced.

Examples
--------
>>> p = Provenance(source="ACS PUMS", vintage="2018", universe="adults 18+", weight="PWGTP")
>>> p.to_dict()["source"]
'ACS PUMS'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Provenance:
    """Where a population or target comes from.

    Parameters
    ----------
    source : str
        Dataset name ("ACS 2018 1-year PUMS", "Pew Research Center Dec 2013").
    vintage : str, default=""
        Year or release of the data.
    universe : str, default=""
        Who the table describes ("US adults 18+", "citizens of voting age").
    weight : str, default=""
        The weight variable used, if any.
    path : str, default=""
        File or bundled table the data were read from.
    notes : tuple of str, default=()
        Free-text caveats (coverage, derivations, recodes applied).
    extra : dict, default={}
        Anything else worth keeping (licence, URL, seeds).
    """

    source: str
    vintage: str = ""
    universe: str = ""
    weight: str = ""
    path: str = ""
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def with_note(self, note: str) -> Provenance:
        """A copy with ``note`` appended to ``notes``."""
        return replace(self, notes=(*self.notes, note))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out = asdict(self)
        out["notes"] = list(self.notes)
        return out


UNKNOWN = Provenance(source="unspecified")

__all__ = ["UNKNOWN", "Provenance"]
