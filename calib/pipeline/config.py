"""The pipeline's TOML configuration: parsing and validation with errors naming the field.

A configuration names the persona file, the reference, the gold sample, the questions, the
methods and the output folder. Relative paths are relative to the configuration file.

Example configuration::

    [population]
    path = "personas.csv"            # CSV or Parquet, one row per persona
    id_column = "persona_id"
    variables = ["sex", "age_pew6", "race4", "region"]   # standard variable names
    filter = { tier = "meta" }       # optional: keep rows with these values

    [reference]
    path = "reference.csv"           # long table: one column per variable + a value column
    kind = "joint"                   # "joint" (cells), "margins" (columns variable, level, value)
                                     # or "pums" (ACS PUMS person file(s), psam_p*.csv or .zip,
                                     # weighted by PWGTP; optional states = ["MA", "TX"])
    value = "share"
    source = "Pew Research Center Dec 2013"
    vintage = "2013"

    [weighting]
    method = "raking"                # "raking" or "none"
    margins = [["sex"], ["age_pew6"], ["race4"], ["region"]]
    bounds = [0.2, 5.0]
    copula = [["sex", "age_pew6", "region"]]  # optional k-way targets implied by a Gaussian
                                     # copula fitted to the reference's margins + 2-way tables

    [gold]
    path = "gold_cells.csv"          # cells: question, cell variables..., answer, count
    format = "cells"                 # "cells" or "rows" (one row per respondent)
    cell = ["sex", "age_pew6", "race4"]

    [[questions]]
    name = "obama_approve"
    column = "obama_approval"        # the personas' (LLM) answer column
    level = "Approve"                # the estimate is the share giving this answer...
    among = ["Approve", "Disapprove"]    # ...among those giving one of these
    gold = "obama_approval"          # question (cells) or column (rows) in the gold file

    [correction]
    method = "ppi++"                 # "ppi++", "ppi", "hierarchical_bayes" (PyMC) or "none"

    [output]
    dir = "calib-output"
    seed = 1

Examples
--------
>>> cfg = parse_config({"population": {"path": "p.csv", "variables": ["sex"]},
...     "reference": {"path": "r.csv"}, "questions": [{"name": "q", "column": "a",
...     "level": "Yes"}]}, base=".")
>>> cfg.weighting.method, cfg.correction.method, cfg.questions[0].among
('raking', 'none', None)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from calib.errors import DataError


class ConfigError(DataError):
    """A configuration file is missing a field or has a wrong value; the message names it."""

    def __init__(self, source: str, field_name: str, problem: str, fix: str = ""):
        self.source = source
        self.field_name = field_name
        tail = f" To fix: {fix}" if fix else ""
        super().__init__(f"{source}: field {field_name!r} {problem}.{tail}")


@dataclass(frozen=True)
class PopulationConfig:
    """The persona table."""

    path: Path
    variables: tuple[str, ...]
    id_column: str | None = None
    weight: str | None = None
    filter: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class ReferenceConfig:
    """The real population's distribution."""

    path: Path
    kind: str = "joint"
    value: str = "share"
    source: str = ""
    vintage: str = ""
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeightingConfig:
    """How the personas are reweighted."""

    method: str = "raking"
    margins: tuple[tuple[str, ...], ...] | None = None
    bounds: tuple[float, float] | None = None
    max_iter: int = 2000
    copula: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class GoldConfig:
    """The gold (real human) sample."""

    path: Path
    format: str = "cells"
    cell: tuple[str, ...] = ()
    count: str = "count"
    source: str = ""


@dataclass(frozen=True)
class QuestionConfig:
    """One estimated quantity: the share giving ``level`` among those answering ``among``."""

    name: str
    column: str
    level: str
    among: tuple[str, ...] | None = None
    gold: str | None = None
    truth: float | None = None


@dataclass(frozen=True)
class CorrectionConfig:
    """How the answers are bias-corrected with the gold sample."""

    method: str = "ppi++"
    smoothing: float = 2.0
    alpha: float = 0.05
    seed: int = 0
    draws: int = 1000
    tune: int = 1000
    target_accept: float = 0.95


@dataclass(frozen=True)
class OutputConfig:
    """Where results go."""

    dir: Path
    report: bool = True
    seed: int = 0
    title: str = "calib report"


@dataclass(frozen=True)
class PipelineConfig:
    """A complete, validated pipeline configuration."""

    population: PopulationConfig
    reference: ReferenceConfig
    questions: tuple[QuestionConfig, ...]
    weighting: WeightingConfig = WeightingConfig()
    gold: GoldConfig | None = None
    correction: CorrectionConfig = CorrectionConfig()
    output: OutputConfig = OutputConfig(Path("calib-output"))
    truth_path: Path | None = None
    source: str = "<config>"

    def with_changes(self, **changes: Any) -> PipelineConfig:
        """A copy with top-level sections replaced."""
        return replace(self, **changes)


_WEIGHTING = ("raking", "none")
_CORRECTION = ("ppi++", "ppi", "hierarchical_bayes", "none")


class _Reader:
    """Reads one TOML table, naming the field in every error."""

    def __init__(self, source: str, table: Mapping[str, Any], section: str, base: Path):
        self.source, self.table, self.section, self.base = source, table, section, base

    def _name(self, key: str) -> str:
        return f"{self.section}.{key}" if self.section else key

    def error(self, key: str, problem: str, fix: str = "") -> ConfigError:
        return ConfigError(self.source, self._name(key), problem, fix)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., fix: str = ""):
        if key not in self.table:
            if default is ...:
                raise self.error(
                    key, "is missing", fix or f"add {key} = ... under [{self.section}]"
                )
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            names = " or ".join(k.__name__ for k in _tuple(kind))
            raise self.error(key, f"must be {names}, got {value!r}", fix)
        return value

    def path(self, key: str, required: bool = True) -> Path | None:
        value = self.get(key, str, ... if required else None)
        if value is None:
            return None
        path = Path(value)
        return path if path.is_absolute() else (self.base / path)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in options:
            raise self.error(key, f"is {value!r}", f"use one of {', '.join(options)}")
        return value

    def strings(self, key: str, default: Any = ...) -> tuple[str, ...] | None:
        value = self.get(key, list, default)
        if value is None:
            return None
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, f"must be a list of strings, got {value!r}")
        return tuple(value)

    def unknown(self, allowed: tuple[str, ...]) -> None:
        extra = sorted(set(self.table) - set(allowed))
        if extra:
            raise self.error(extra[0], "is not a known field", f"use one of {', '.join(allowed)}")


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _section(data: Mapping[str, Any], name: str, source: str, base: Path, required: bool):
    if name not in data:
        if required:
            raise ConfigError(source, name, "section is missing", f"add a [{name}] table")
        return None
    if not isinstance(data[name], Mapping):
        raise ConfigError(source, name, "must be a table", f"write it as [{name}]")
    return _Reader(source, data[name], name, base)


def _population(r: _Reader) -> PopulationConfig:
    r.unknown(("path", "variables", "id_column", "weight", "filter", "source"))
    variables = r.strings("variables")
    if not variables:
        raise r.error("variables", "is empty", "list the persona variables to compare")
    flt = r.get("filter", dict, {})
    return PopulationConfig(
        path=r.path("path"),
        variables=variables,
        id_column=r.get("id_column", str, None),
        weight=r.get("weight", str, None),
        filter=dict(flt),
        source=r.get("source", str, ""),
    )


def _reference(r: _Reader) -> ReferenceConfig:
    r.unknown(("path", "kind", "value", "source", "vintage", "states"))
    kind = r.choice("kind", ("joint", "margins", "pums"), "joint")
    states = r.get("states", list, [])
    if not all(isinstance(s, str) for s in states):
        raise r.error("states", f"must be a list of state postal codes, got {states!r}")
    if states and kind != "pums":
        raise r.error("states", "only applies to kind = 'pums'")
    return ReferenceConfig(
        path=r.path("path"),
        kind=kind,
        value=r.get("value", str, "share"),
        source=r.get("source", str, ""),
        vintage=str(r.get("vintage", (str, int), "")),
        states=tuple(states),
    )


def _weighting(r: _Reader | None) -> WeightingConfig:
    if r is None:
        return WeightingConfig()
    r.unknown(("method", "margins", "bounds", "max_iter", "copula"))
    margins = _keys(r, "margins")
    copula = _keys(r, "copula") or ()
    if any(len(k) < 2 for k in copula):
        raise r.error("copula", "lists a 1-way key", "copula keys name 2 or more variables")
    bounds = r.get("bounds", list, None)
    if bounds is not None:
        if len(bounds) != 2 or not all(isinstance(b, int | float) for b in bounds):
            raise r.error("bounds", f"must be [lower, upper], got {bounds!r}")
        if not 0 <= bounds[0] < 1 < bounds[1]:
            raise r.error("bounds", f"must satisfy 0 <= lower < 1 < upper, got {bounds!r}")
        bounds = (float(bounds[0]), float(bounds[1]))
    max_iter = r.get("max_iter", int, 2000)
    if max_iter < 1:
        raise r.error("max_iter", f"must be positive, got {max_iter}")
    return WeightingConfig(
        r.choice("method", _WEIGHTING, "raking"), margins, bounds, max_iter, copula
    )


def _keys(r: _Reader, key: str) -> tuple[tuple[str, ...], ...] | None:
    value = r.get(key, list, None)
    if value is None:
        return None
    parsed = []
    for m in value:
        m = [m] if isinstance(m, str) else m
        if not isinstance(m, list) or not m or not all(isinstance(v, str) for v in m):
            raise r.error(key, f"has entry {m!r}", f'write {key} = [["sex"], ["age", "educ"]]')
        parsed.append(tuple(m))
    return tuple(parsed)


def _gold(r: _Reader | None) -> GoldConfig | None:
    if r is None:
        return None
    r.unknown(("path", "format", "cell", "count", "source"))
    fmt = r.choice("format", ("cells", "rows"), "cells")
    cell = r.strings("cell")
    if not cell:
        raise r.error("cell", "is empty", "list the variables the gold sample is grouped by")
    return GoldConfig(
        r.path("path"), fmt, cell, r.get("count", str, "count"), r.get("source", str, "")
    )


def _questions(data: Mapping[str, Any], source: str, base: Path) -> tuple[QuestionConfig, ...]:
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        raise ConfigError(source, "questions", "is missing or empty", "add [[questions]] tables")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ConfigError(source, f"questions[{i}]", "must be a table")
        r = _Reader(source, item, f"questions[{i}]", base)
        r.unknown(("name", "column", "level", "among", "gold", "truth"))
        truth = r.get("truth", (int, float), None)
        out.append(
            QuestionConfig(
                name=r.get("name", str),
                column=r.get("column", str),
                level=r.get("level", str),
                among=r.strings("among", None),
                gold=r.get("gold", str, None),
                truth=None if truth is None else float(truth),
            )
        )
    names = [q.name for q in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(source, "questions", f"repeat the name {dup[0]!r}", "give unique names")
    return tuple(out)


def _correction(r: _Reader | None, has_gold: bool) -> CorrectionConfig:
    if r is None:
        return CorrectionConfig(method="ppi++" if has_gold else "none")
    r.unknown(("method", "smoothing", "alpha", "seed", "draws", "tune", "target_accept"))
    method = r.choice("method", _CORRECTION, "ppi++")
    if method != "none" and not has_gold:
        raise r.error("method", f"is {method!r} but there is no [gold] section", "add [gold]")
    alpha = float(r.get("alpha", (int, float), 0.05))
    if not 0 < alpha < 1:
        raise r.error("alpha", f"must be in (0, 1), got {alpha}")
    smoothing = float(r.get("smoothing", (int, float), 2.0))
    if smoothing < 0:
        raise r.error("smoothing", f"must be >= 0, got {smoothing}")
    draws, tune = r.get("draws", int, 1000), r.get("tune", int, 1000)
    if draws < 100 or tune < 100:
        raise r.error("draws", f"and tune must be >= 100, got {draws} and {tune}")
    target_accept = float(r.get("target_accept", float, 0.95))
    if not 0.5 <= target_accept < 1:
        raise r.error("target_accept", f"must be in [0.5, 1), got {target_accept}")
    return CorrectionConfig(
        method, smoothing, alpha, r.get("seed", int, 0), draws, tune, target_accept
    )


def _output(r: _Reader | None, base: Path) -> OutputConfig:
    if r is None:
        return OutputConfig(base / "calib-output")
    r.unknown(("dir", "report", "seed", "title"))
    return OutputConfig(
        dir=r.path("dir", required=False) or base / "calib-output",
        report=r.get("report", bool, True),
        seed=r.get("seed", int, 0),
        title=r.get("title", str, "calib report"),
    )


def parse_config(data: Mapping[str, Any], base: str | Path, source: str = "<config>"):
    """Validate a configuration mapping (as read from TOML) into a :class:`PipelineConfig`.

    Raises
    ------
    ConfigError
        Naming the file and the field at fault.
    """
    base = Path(base)
    known = (
        "population",
        "reference",
        "weighting",
        "gold",
        "questions",
        "correction",
        "output",
        "truth",
    )
    extra = sorted(set(data) - set(known))
    if extra:
        raise ConfigError(source, extra[0], "is not a known section", f"use {', '.join(known)}")
    gold = _gold(_section(data, "gold", source, base, False))
    truth = _section(data, "truth", source, base, False)
    return PipelineConfig(
        population=_population(_section(data, "population", source, base, True)),
        reference=_reference(_section(data, "reference", source, base, True)),
        questions=_questions(data, source, base),
        weighting=_weighting(_section(data, "weighting", source, base, False)),
        gold=gold,
        correction=_correction(_section(data, "correction", source, base, False), gold is not None),
        output=_output(_section(data, "output", source, base, False), base),
        truth_path=truth.path("path") if truth is not None else None,
        source=source,
    )


def load_config(path: str | Path) -> PipelineConfig:
    """Read and validate a TOML configuration file.

    Raises
    ------
    MissingDataFileError
        If the file does not exist.
    ConfigError
        If it is not valid TOML or a field is missing or wrong.
    """
    from calib.errors import MissingDataFileError

    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(
            path, "pipeline configuration", "the path you gave", remedy="Check the path."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(str(path), "(file)", f"is not valid TOML: {err}") from None
    return parse_config(data, path.resolve().parent, str(path))


__all__ = [
    "ConfigError",
    "CorrectionConfig",
    "GoldConfig",
    "OutputConfig",
    "PipelineConfig",
    "PopulationConfig",
    "QuestionConfig",
    "ReferenceConfig",
    "WeightingConfig",
    "load_config",
    "parse_config",
]
