"""Read the pipeline's input files (personas, reference, gold sample, truth) into calib objects.

Every error names the file and the column at fault.

Examples
--------
>>> read_table("no/such/file.csv", "persona table")
Traceback (most recent call last):
...
calib.pipeline.inputs.MissingInputError: persona table 'no/such/file.csv' does not exist. \
To fix: correct the path in the configuration file
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calib.errors import CalibError, DataError, MissingDataFileError
from calib.pipeline.config import GoldConfig, PipelineConfig, QuestionConfig, ReferenceConfig
from calib.population import Population
from calib.provenance import Provenance
from calib.schema import Schema
from calib.sources.acs import read_pums
from calib.standard import standard_schema
from calib.target import Target


class MissingInputError(MissingDataFileError):
    """An input or intermediate file of the pipeline does not exist."""

    def __init__(self, path: object, what: str, fix: str):
        self.path = path
        self.dataset = what
        DataError.__init__(self, f"{what} {str(path)!r} does not exist. To fix: {fix}")


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (suffix decides)."""
    path = Path(path)
    if not path.is_file():
        raise MissingInputError(path, what, "correct the path in the configuration file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except (ValueError, OSError, ImportError) as err:
        raise DataError(f"{what} {str(path)!r} could not be read: {err}") from None


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str, path: Path) -> None:
    """Raise naming the file and the first missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} {str(path)!r} has no column {missing[0]!r} (columns: "
            f"{', '.join(map(str, frame.columns))}); fix the file or the configuration"
        )


def _wrap(err: CalibError, what: str, path: Path) -> DataError:
    return DataError(f"{what} {str(path)!r}: {err}")


@dataclass(frozen=True)
class Inputs:
    """Everything the pipeline reads, validated."""

    schema: Schema
    population: Population
    answers: pd.DataFrame
    target: Target
    gold: pd.DataFrame | None
    truth: dict[str, float]


def load_population(cfg: PipelineConfig, schema: Schema) -> tuple[Population, pd.DataFrame]:
    """The persona Population (schema columns) and its answer columns."""
    pc = cfg.population
    frame = read_table(pc.path, "persona table")
    require_columns(frame, list(pc.filter), "persona table", pc.path)
    for column, value in pc.filter.items():
        frame = frame[frame[column].astype(str) == str(value)]
    if frame.empty:
        raise DataError(f"persona table {str(pc.path)!r} has no rows matching {dict(pc.filter)}")
    frame = frame.reset_index(drop=True)
    answers = list(dict.fromkeys(q.column for q in cfg.questions))
    extra = [c for c in (pc.id_column, pc.weight) if c]
    require_columns(frame, [*schema.names, *answers, *extra], "persona table", pc.path)
    prov = Provenance(
        source=pc.source or pc.path.name,
        path=str(pc.path),
        notes=tuple(f"{k} = {v}" for k, v in pc.filter.items()),
    )
    try:
        population = Population(
            frame[[*schema.names, *extra]],
            schema,
            weights=pc.weight,
            id_column=pc.id_column,
            provenance=prov,
        )
    except CalibError as err:
        raise _wrap(err, "persona table", pc.path) from err
    return population, frame[answers]


def load_reference(cfg: PipelineConfig, schema: Schema, total: float) -> Target:
    """The reference as a Target over the persona variables, scaled to ``total``.

    The reference's values may be counts or shares: only its distribution is used, scaled to
    the personas' total design weight.
    """
    rc = cfg.reference
    prov = Provenance(source=rc.source or rc.path.name, vintage=rc.vintage, path=str(rc.path))
    if rc.kind == "pums":
        return _pums_reference(rc, schema, total, prov)
    frame = read_table(rc.path, "reference table")
    try:
        if rc.kind == "joint":
            require_columns(frame, [*schema.names, rc.value], "reference table", rc.path)
            keep = frame[[*schema.names, rc.value]]
            joint = keep.groupby(list(schema.names), observed=True)[rc.value].sum().reset_index()
            return Target.from_joint(
                joint, schema, value_column=rc.value, total=total, provenance=prov
            )
        require_columns(frame, ["variable", "level", rc.value], "reference table", rc.path)
        margins = {}
        for name, part in frame.groupby("variable", sort=False):
            if name in schema.names:
                margins[str(name)] = dict(
                    zip(part["level"].astype(str), part[rc.value], strict=True)
                )
        missing = [n for n in schema.names if n not in margins]
        if missing:
            raise DataError(
                f"no margin for variable {missing[0]!r} (rows variable == {missing[0]!r})"
            )
        return Target.from_margins(margins, schema, shares=True, total=total, provenance=prov)
    except CalibError as err:
        raise _wrap(err, "reference table", rc.path) from err


def _pums_reference(rc: ReferenceConfig, schema: Schema, total: float, prov: Provenance) -> Target:
    """ACS PUMS person records on the standard variables, as a weighted-microdata target."""
    if not rc.path.exists():
        raise MissingDataFileError(
            rc.path, "ACS PUMS person file (reference)", "the [reference] path", remedy="Check it."
        )
    try:
        pums = read_pums(rc.path, vintage=rc.vintage, states=rc.states or None, progress=False)
        absent = [n for n in schema.names if n not in pums.schema.names]
        if absent:
            raise DataError(
                f"ACS PUMS gives no variable {absent[0]!r}; PUMS references provide "
                f"{', '.join(pums.schema.names)}"
            )
        reference = Population(
            pums.data[list(schema.names)],
            schema,
            weights=pums.weights,
            provenance=pums.provenance,
        )
    except CalibError as err:
        raise _wrap(err, "reference table", rc.path) from err
    note = f"ACS PUMS persons{' in ' + ', '.join(rc.states) if rc.states else ''}, PWGTP"
    return Target.from_microdata(reference, prov.with_note(note)).scaled(total)


def load_gold(gc: GoldConfig, questions: Sequence[QuestionConfig], schema: Schema) -> pd.DataFrame:
    """The gold sample as cells: columns ``question``, cell variables, ``answer``, ``count``."""
    frame = read_table(gc.path, "gold sample")
    schema.require(gc.cell, f"the persona variables (gold.cell in {gc.path})")
    if gc.format == "cells":
        require_columns(frame, ["question", *gc.cell, "answer", gc.count], "gold sample", gc.path)
        cells = frame.rename(columns={gc.count: "count"})
    else:
        wanted = [q.gold for q in questions if q.gold]
        require_columns(frame, [*gc.cell, *wanted], "gold sample", gc.path)
        parts = []
        for column in wanted:
            part = frame[[*gc.cell, column]].dropna().rename(columns={column: "answer"})
            part = part.groupby([*gc.cell, "answer"], observed=True).size().rename("count")
            parts.append(part.reset_index().assign(question=column))
        cells = pd.concat(parts, ignore_index=True)
    counts = pd.to_numeric(cells["count"], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        raise DataError(f"gold sample {str(gc.path)!r}: column 'count' must hold counts >= 0")
    cells = cells.assign(count=counts.astype(int), answer=cells["answer"].astype(str))
    for name in gc.cell:
        bad = sorted(set(cells[name].dropna().astype(str)) - set(schema[name].levels))
        if bad:
            raise DataError(
                f"gold sample {str(gc.path)!r}: column {name!r} has value(s) {bad[:5]} that are "
                f"not levels of {name} ({', '.join(schema[name].levels)})"
            )
    return cells


def load_truth(cfg: PipelineConfig) -> dict[str, float]:
    """Known real values by question name (from the questions or the truth table)."""
    out = {q.name: q.truth for q in cfg.questions if q.truth is not None}
    if cfg.truth_path is not None:
        frame = read_table(cfg.truth_path, "truth table")
        require_columns(frame, ["question", "level", "value"], "truth table", cfg.truth_path)
        lookup = {
            (str(r.question), str(r.level)): float(r.value) for r in frame.itertuples(index=False)
        }
        for q in cfg.questions:
            if q.name not in out and (q.column, q.level) in lookup:
                out[q.name] = lookup[(q.column, q.level)]
    return out


def load_inputs(cfg: PipelineConfig) -> Inputs:
    """Read and validate every input the configuration names."""
    try:
        schema = standard_schema(cfg.population.variables)
    except CalibError as err:
        raise DataError(f"{cfg.source}: population.variables: {err}") from err
    population, answers = load_population(cfg, schema)
    target = load_reference(cfg, schema, population.total_weight)
    gold = load_gold(cfg.gold, cfg.questions, schema) if cfg.gold is not None else None
    return Inputs(schema, population, answers, target, gold, load_truth(cfg))


def indicator(values: pd.Series, q: QuestionConfig) -> tuple[np.ndarray, np.ndarray]:
    """``(y, keep)``: 1 where the answer is ``q.level``, among rows answering ``q.among``."""
    text = values.astype("string")
    keep = (
        text.notna().to_numpy() if q.among is None else text.isin(q.among).fillna(False).to_numpy()
    )
    y = (text == q.level).fillna(False).to_numpy(dtype=float)
    return y, keep.astype(bool)


__all__ = [
    "Inputs",
    "MissingInputError",
    "indicator",
    "load_gold",
    "load_inputs",
    "load_population",
    "load_reference",
    "load_truth",
    "read_table",
    "require_columns",
]
