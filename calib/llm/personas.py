"""Persona generation in the paper's tiers: meta, objective and subjective tabular, descriptive.

1. :func:`sample_meta_personas` draws meta personas (state, age, sex, race... whatever the
   reference holds) from a :class:`~calib.target.Target`'s joint table, or from any model with a
   ``sample(n, seed)`` method (the copula models in :mod:`calib.copula`), reproducibly by seed.
2. :func:`generate_personas` asks the model to fill a tier's template for every meta persona.
   Tabular answers are parsed as JSON and validated field by field (listed values, whole
   numbers in range, copied meta fields); an invalid answer is re-asked, with the problems
   stated, up to ``max_attempts`` times, and otherwise kept as invalid with its raw text.

Examples
--------
>>> import pandas as pd
>>> from calib.schema import Schema, Variable
>>> from calib.target import Target
>>> schema = Schema([Variable("sex", ("Male", "Female")), Variable("old", ("no", "yes"))])
>>> joint = pd.Series([1.0, 1.0, 1.0, 1.0],
...                   index=pd.MultiIndex.from_product([schema["sex"].levels,
...                                                     schema["old"].levels],
...                                                    names=["sex", "old"]))
>>> meta = sample_meta_personas(Target.from_joint(joint, schema), n=3, seed=1)
>>> list(meta.columns), meta["persona_id"].tolist()
(['persona_id', 'sex', 'old'], ['p0001', 'p0002', 'p0003'])
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from calib.errors import DataError, LLMResponseError, UnknownLevelError
from calib.llm.client import LLMClient
from calib.llm.config import SamplingParams
from calib.llm.parsing import extract_json_object
from calib.llm.prompts import (
    TEMPLATE_VERSION,
    FieldSpec,
    fields_schema,
    meta_lines,
    persona_fields,
    render,
)
from calib.llm.request import LLMRequest
from calib.population import Population
from calib.schema import Schema
from calib.target import Target

TIERS = ("meta", "objective_table", "subjective_table", "descriptive")
TABULAR_TIERS = ("objective_table", "subjective_table")


def sample_meta_personas(
    source: Target | Any,
    n: int,
    seed: int | None = None,
    *,
    variables: Sequence[str] | None = None,
    id_prefix: str = "p",
) -> pd.DataFrame:
    """Draw ``n`` meta personas (one row each, with a ``persona_id``).

    Parameters
    ----------
    source : Target or object with ``sample(n, seed)``
        A joint or microdata Target (cells drawn with probability equal to their share), or a
        fitted model (e.g. a copula) whose ``sample(n, seed)`` returns a DataFrame or Population.
    n : int
    seed : int, optional
    variables : sequence of str, optional
        Keep only these variables (Target: draw from their joint margin).

    Raises
    ------
    DataError
        If the Target holds only margins (fit a copula on them and pass the model instead).
    """
    if n < 1:
        raise DataError(f"n must be a positive number of personas, got {n}")
    if isinstance(source, Target):
        if source.kind == "margins":
            raise DataError(
                "a Target made of margins has no joint table to draw meta personas from; fit a "
                "copula (calib.copula) on the margins and pass the fitted model instead"
            )
        names = list(variables or source.schema.categorical_names)
        shares = source.shares(names)
        rng = np.random.default_rng(seed)
        probs = shares.to_numpy(dtype=float)
        picks = rng.choice(len(shares), size=n, p=probs / probs.sum())
        index = shares.index[picks]
        frame = (
            index.to_frame(index=False)
            if isinstance(index, pd.MultiIndex)
            else pd.DataFrame({names[0]: np.asarray(index)})
        )
    elif callable(getattr(source, "sample", None)):
        drawn = source.sample(n, seed)
        frame = drawn.data if isinstance(drawn, Population) else pd.DataFrame(drawn)
        frame = frame.reset_index(drop=True)
        if variables is not None:
            frame = frame[list(variables)]
        if len(frame) != n:
            raise DataError(f"{type(source).__name__}.sample returned {len(frame)} rows, not {n}")
    else:
        raise DataError(
            f"cannot draw meta personas from a {type(source).__name__}: pass a joint or "
            "microdata Target, or a model with a sample(n, seed) method"
        )
    frame = frame.astype({c: str for c in frame.columns})
    width = max(4, len(str(n)))
    frame.insert(0, "persona_id", [f"{id_prefix}{i + 1:0{width}d}" for i in range(n)])
    return frame


def meta_mapping(row: Mapping[str, Any], schema: Schema | None = None) -> dict[str, str]:
    """A meta persona's variables as ``{NAME: label}`` (persona_id and tier dropped)."""
    out = {}
    for name, value in row.items():
        if name in ("persona_id", "tier"):
            continue
        label = str(value)
        if schema is not None and name in schema and schema[name].is_categorical:
            label = schema[name].label(label)
        out[str(name).upper()] = label
    return out


# --- validation --------------------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\$?\s*-?[\d,]+\s*", value):
        return int(value.replace("$", "").replace(",", "").strip())
    return None


def validate_tabular(
    answer: Mapping[str, Any], fields: Sequence[FieldSpec], meta: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Check a tabular persona against its field list and meta persona.

    Returns the cleaned record (choice values in their listed spelling, numbers as int) and the
    list of problems (empty when valid). Nothing is guessed: a value that is not listed, a
    number out of range, a missing or extra key, or a changed meta field is a problem.
    """
    errors: list[str] = []
    given = {str(k).upper(): v for k, v in answer.items()}
    out: dict[str, Any] = {}
    schema = fields_schema(fields)
    expected = list(meta) + [f.name for f in fields]
    missing = [k for k in expected if k not in given]
    if missing:
        errors.append(f"missing key(s) {', '.join(missing)}")
    extra = [k for k in given if k not in expected]
    if extra:
        errors.append(f"unexpected key(s) {', '.join(extra)}")
    for key, value in meta.items():
        if key in given:
            if str(given[key]).strip().casefold() != str(value).casefold():
                errors.append(f"{key} must be copied as {value!r}, not {given[key]!r}")
            out[key] = value
    for spec in fields:
        if spec.name not in given:
            continue
        value = given[spec.name]
        if spec.type == "choice":
            lookup = {v.casefold(): v for v in spec.values}
            canon = lookup.get(str(value).strip().casefold())
            try:
                schema[spec.name].index(canon if canon is not None else str(value))
                out[spec.name] = canon
            except UnknownLevelError:
                errors.append(f"{spec.name}={value!r} is not one of the listed values")
        elif spec.type == "integer":
            number = _as_int(value)
            lo = -np.inf if spec.min is None else spec.min
            hi = np.inf if spec.max is None else spec.max
            if number is None or not lo <= number <= hi:
                errors.append(f"{spec.name}={value!r} is not a whole number in [{lo:g}, {hi:g}]")
            else:
                out[spec.name] = number
        elif spec.type == "scores":
            scores = (
                {str(k).upper(): v for k, v in value.items()} if isinstance(value, Mapping) else {}
            )
            bad = [
                k
                for k in spec.keys
                if _as_int(scores.get(k)) is None
                or not (spec.min or 0) <= _as_int(scores.get(k)) <= (spec.max or 0)
            ]
            if not scores or bad or set(scores) - set(spec.keys):
                errors.append(
                    f"{spec.name} needs whole-number scores {spec.min:g}-{spec.max:g} for "
                    f"{', '.join(spec.keys)}"
                )
            else:
                out[spec.name] = {k: _as_int(scores[k]) for k in spec.keys}
        else:
            if not isinstance(value, str | int | float) or not str(value).strip():
                errors.append(f"{spec.name} needs a short text")
            else:
                out[spec.name] = str(value).strip()
    return out, errors


_REFUSAL = re.compile(r"^\s*(i'?m sorry|i cannot|i can't|as an ai)", re.IGNORECASE)


def validate_descriptive(text: str, min_words: int) -> tuple[str, list[str]]:
    """Check a narrative persona: long enough and not a refusal."""
    cleaned = " ".join((text or "").split())
    errors = []
    if _REFUSAL.match(cleaned):
        errors.append("the reply is a refusal, not a persona")
    if len(cleaned.split()) < min_words:
        errors.append(
            f"the description has {len(cleaned.split())} words; write at least {min_words}"
        )
    return cleaned, errors


# --- generation ---------------------------------------------------------------------------


@dataclass
class PersonaSet:
    """Generated personas of one tier, valid or not (invalid ones keep their raw text).

    Attributes
    ----------
    records : DataFrame
        persona_id, tier, valid, attempts, errors, raw_text, meta (dict), persona (dict of
        validated fields, tabular tiers), text (descriptive tier).
    """

    tier: str
    records: pd.DataFrame
    model: str = ""
    template_version: int = TEMPLATE_VERSION
    params: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def n_valid(self) -> int:
        return int(self.records["valid"].sum())

    @property
    def invalid(self) -> pd.DataFrame:
        """Rows that stayed invalid after every attempt (with raw text and problems)."""
        return self.records[~self.records["valid"]]

    def to_frame(self) -> pd.DataFrame:
        """One row per persona: ids, validity and every meta and generated field as columns."""
        rows = []
        for rec in self.records.to_dict("records"):
            row = {"persona_id": rec["persona_id"], "tier": rec["tier"], "valid": rec["valid"]}
            row.update(rec["meta"])
            for key, value in (rec.get("persona") or {}).items():
                row[key] = json.dumps(value) if isinstance(value, Mapping) else value
            if self.tier == "descriptive":
                row["text"] = rec.get("text")
            rows.append(row)
        return pd.DataFrame(rows)

    def descriptions(self, include_invalid: bool = False) -> dict[str, str]:
        """Text describing each persona to the survey simulator, by persona id."""
        out = {}
        for rec in self.records.to_dict("records"):
            if not rec["valid"] and not include_invalid:
                continue
            if self.tier == "descriptive":
                out[rec["persona_id"]] = rec.get("text") or rec["raw_text"]
            elif self.tier == "meta":
                out[rec["persona_id"]] = "About you:\n" + meta_lines(rec["meta"])
            else:
                fields = rec.get("persona") or {}
                lines = [
                    f"- {k}: "
                    + (
                        ", ".join(f"{a} {b}" for a, b in v.items())
                        if isinstance(v, Mapping)
                        else str(v)
                    )
                    for k, v in fields.items()
                ]
                out[rec["persona_id"]] = "About you:\n" + "\n".join(lines)
        return out

    def summary(self) -> str:
        return (
            f"{self.tier}: {len(self)} personas, {self.n_valid} valid, "
            f"{len(self) - self.n_valid} invalid (model {self.model or 'none'}, template "
            f"v{self.template_version})"
        )


def meta_persona_set(meta: pd.DataFrame, schema: Schema | None = None) -> PersonaSet:
    """The meta tier itself as a :class:`PersonaSet` (no model call)."""
    rows = [
        {
            "persona_id": str(r["persona_id"]),
            "tier": "meta",
            "valid": True,
            "attempts": 0,
            "errors": "",
            "raw_text": "",
            "meta": meta_mapping(r, schema),
            "persona": None,
            "text": None,
        }
        for r in meta.to_dict("records")
    ]
    return PersonaSet("meta", pd.DataFrame(rows))


def generate_personas(
    meta: pd.DataFrame,
    tier: str,
    client: LLMClient,
    *,
    schema: Schema | None = None,
    context_date: str = "December 2013",
    max_attempts: int = 3,
    params: SamplingParams | None = None,
    min_words: int = 60,
    max_words: int = 250,
    template_version: int = TEMPLATE_VERSION,
    template_dir: str | None = None,
    json_mode: bool = False,
    progress: bool | None = None,
) -> PersonaSet:
    """Generate one persona of ``tier`` per meta persona, validating and re-asking.

    Parameters
    ----------
    meta : DataFrame
        Meta personas with a ``persona_id`` column (see :func:`sample_meta_personas`).
    tier : {"meta", "objective_table", "subjective_table", "descriptive"}
    client : LLMClient
    schema : Schema, optional
        Used to show level labels instead of level codes.
    max_attempts : int, default=3
        Total asks per persona (the first plus re-asks stating what was wrong).
    params : SamplingParams, optional
        Default: the client's parameters.
    json_mode : bool, default=False
        Tabular tiers: request a JSON object (``response_format``); the answer is validated
        all the same. Off by default: llama.cpp's JSON grammar can let a small model emit
        whitespace until ``max_tokens``.

    Returns
    -------
    PersonaSet
    """
    if tier not in TIERS:
        raise DataError(f"unknown persona tier {tier!r}; choose one of {TIERS}")
    if "persona_id" not in meta.columns:
        raise DataError("the meta personas need a persona_id column")
    if meta["persona_id"].duplicated().any():
        raise DataError("persona_id values repeat in the meta personas")
    if tier == "meta":
        return meta_persona_set(meta, schema)
    if max_attempts < 1:
        raise DataError("max_attempts must be at least 1")
    params = params or client.params
    if tier in TABULAR_TIERS and json_mode:
        params = replace(params, json_mode=True)
    fields = persona_fields(tier, template_version, template_dir) if tier in TABULAR_TIERS else []
    state: dict[str, dict[str, Any]] = {}
    for row in meta.to_dict("records"):
        m = meta_mapping(row, schema)
        if tier in TABULAR_TIERS:
            lines = [f'- {k}: copy "{v}"' for k, v in m.items()] + [f.describe() for f in fields]
            prompt = render(
                f"persona_{tier}",
                template_version,
                template_dir,
                date=context_date,
                meta=meta_lines(m),
                fields="\n".join(lines),
            )
        else:
            prompt = render(
                "persona_descriptive",
                template_version,
                template_dir,
                date=context_date,
                meta=meta_lines(m),
                min_words=min_words,
                max_words=max_words,
            )
        state[str(row["persona_id"])] = {
            "meta": m,
            "messages": [{"role": "user", "content": prompt}],
            "attempts": 0,
            "valid": False,
            "errors": [],
            "raw_text": "",
            "persona": None,
            "text": None,
        }
    for _ in range(max_attempts):
        todo = [pid for pid, s in state.items() if not s["valid"]]
        if not todo:
            break
        requests = [LLMRequest.chat(state[pid]["messages"], params, persona_id=pid) for pid in todo]
        result = client.run(requests, progress=progress)
        for pid, response in zip(todo, result.responses, strict=True):
            s = state[pid]
            s["attempts"] += 1
            raw = response.text
            s["raw_text"] = raw
            if tier in TABULAR_TIERS:
                try:
                    record, errors = validate_tabular(extract_json_object(raw), fields, s["meta"])
                except LLMResponseError as err:
                    record, errors = None, [str(err)]
                if not errors:
                    s["persona"] = record
            else:
                text, errors = validate_descriptive(raw, min_words // 2)
                if not errors:
                    s["text"] = text
            s["errors"] = errors
            s["valid"] = not errors
            if errors:
                reask = render(
                    "reask_persona", template_version, template_dir, errors="; ".join(errors)
                )
                s["messages"] = [
                    *s["messages"],
                    {"role": "assistant", "content": raw},
                    {"role": "user", "content": reask},
                ]
    rows = [
        {
            "persona_id": pid,
            "tier": tier,
            "valid": s["valid"],
            "attempts": s["attempts"],
            "errors": "; ".join(s["errors"]),
            "raw_text": s["raw_text"],
            "meta": s["meta"],
            "persona": s["persona"],
            "text": s["text"],
        }
        for pid, s in state.items()
    ]
    return PersonaSet(
        tier,
        pd.DataFrame(rows),
        model=client.model,
        template_version=template_version,
        params=params.to_dict(),
    )


__all__ = [
    "TIERS",
    "PersonaSet",
    "generate_personas",
    "meta_mapping",
    "meta_persona_set",
    "sample_meta_personas",
    "validate_descriptive",
    "validate_tabular",
]
