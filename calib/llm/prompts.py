"""Prompt templates: versioned text files shipped in ``calib/llm/templates``.

A template is ``<name>.v<version>.txt`` with ``$placeholders`` (:class:`string.Template`);
the tabular persona fields are ``persona_fields.v<version>.toml``. Users can pass their own
template directory to use changed wording; the version is recorded with every run.

Examples
--------
>>> render("survey_question", question="Q?", options="A. Yes\\nB. No").splitlines()[0]
'Q?'
>>> [f.name for f in persona_fields("objective_table")][:2]
['EDUCATION', 'EMPLOYMENT_STATUS']
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from calib.errors import DataError
from calib.schema import Schema, Variable

TEMPLATE_VERSION = 1


def _read(name: str, version: int, directory: str | os.PathLike[str] | None) -> str:
    filename = f"{name}.v{version}.{'toml' if name == 'persona_fields' else 'txt'}"
    if directory is not None:
        path = Path(directory) / filename
        if not path.is_file():
            raise DataError(f"template {filename!r} not found in {str(directory)!r}")
        return path.read_text(encoding="utf-8")
    ref = resources.files("calib.llm").joinpath("templates").joinpath(filename)
    if not ref.is_file():
        raise DataError(f"no bundled template {filename!r} (name or version is wrong)")
    return ref.read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def _cached(name: str, version: int, directory: str | None) -> str:
    return _read(name, version, directory)


def load_template(
    name: str, version: int = TEMPLATE_VERSION, directory: str | os.PathLike[str] | None = None
) -> string.Template:
    """The template ``name`` at ``version`` (from ``directory`` or the package)."""
    return string.Template(_cached(name, version, None if directory is None else str(directory)))


def render(
    name: str,
    version: int = TEMPLATE_VERSION,
    directory: str | os.PathLike[str] | None = None,
    **fields: Any,
) -> str:
    """Fill template ``name`` with ``fields``; a missing placeholder raises DataError."""
    try:
        return load_template(name, version, directory).substitute(fields).strip()
    except KeyError as err:
        raise DataError(f"template {name}.v{version} needs the field {err.args[0]!r}") from None


@dataclass(frozen=True)
class FieldSpec:
    """One field of a tabular persona tier (see ``persona_fields.v1.toml``)."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    hint: str = ""

    def describe(self) -> str:
        """The line the prompt shows for this field."""
        if self.type == "choice":
            return f"- {self.name}: one of {', '.join(chr(34) + v + chr(34) for v in self.values)}"
        if self.type == "integer":
            return f"- {self.name}: a whole number{f' ({self.hint})' if self.hint else ''}"
        if self.type == "scores":
            keys = ", ".join(self.keys)
            return (
                f"- {self.name}: an object with whole-number scores {self.min:g}-{self.max:g} "
                f"for {keys}"
            )
        return f"- {self.name}: one sentence{f' ({self.hint})' if self.hint else ''}"


def persona_fields(
    tier: str, version: int = TEMPLATE_VERSION, directory: str | os.PathLike[str] | None = None
) -> list[FieldSpec]:
    """The fields a tabular tier asks for."""
    spec = tomllib.loads(
        _cached("persona_fields", version, None if directory is None else str(directory))
    )
    if tier not in spec:
        raise DataError(f"no field list for tier {tier!r}; known: {sorted(spec)}")
    out = []
    for rec in spec[tier]:
        out.append(
            FieldSpec(
                name=str(rec["name"]),
                type=str(rec.get("type", "text")),
                values=tuple(rec.get("values", ())),
                keys=tuple(rec.get("keys", ())),
                min=rec.get("min"),
                max=rec.get("max"),
                hint=str(rec.get("hint", "")),
            )
        )
    return out


def fields_schema(fields: Sequence[FieldSpec]) -> Schema:
    """The categorical fields as a calib :class:`~calib.schema.Schema` (for validation)."""
    return Schema([Variable(f.name, f.values) for f in fields if f.type == "choice"])


def meta_lines(meta: Mapping[str, str]) -> str:
    """``KEY: value`` lines of a meta persona (keys upper-cased)."""
    return "\n".join(f"- {k.upper()}: {v}" for k, v in meta.items())


__all__ = [
    "TEMPLATE_VERSION",
    "FieldSpec",
    "fields_schema",
    "load_template",
    "meta_lines",
    "persona_fields",
    "render",
]
