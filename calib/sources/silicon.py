"""The recorded silicon samples: LLM personas in four tiers and their simulated answers.

Two datasets, same shape (``silicon_pew2013/`` and ``silicon_2024_states/`` in the data
directory; see their PROVENANCE.md and PROMPTS.md):

``read_silicon_pew2013()``
    400 personas (p0001-p0400) from Pew December 2013 meta personas (age_pew6, sex, race4,
    region), answering Obama approval, health-care-law approval, party and 2012 vote.
``read_silicon_2024_states()``
    816 personas (s0001-s0816, 17 in each of 48 states) from ACS 2018 meta personas (state,
    age_acs10, sex, race5), answering 2016, 2020 and 2024 presidential vote and 2024 turnout.
    Its meta RACE groups were drawn from ACS tables B01001H (White non-Hispanic), B01001I
    (Hispanic), B01001B (Black alone) and B01001D (Asian alone), so ``race5`` "Black" / "Asian"
    follow the race-alone definition (a few Hispanic people are in them).

Both return a :class:`SiliconSample`:

- ``personas[tier]``: a :class:`~calib.population.Population` per tier (``"meta"``,
  ``"objective_table"``, ``"subjective_table"``, ``"descriptive"``), id ``persona_id``, weight 1.
  Standard variables: the meta variables and what derives from them (e.g. region from state) in
  every tier; ``objective_table`` adds ``educ5``/``educ4``/``educ3``, ``employment``,
  ``income_personal`` (from the dollar amount), ``marital``, ``urbanicity``, ``citizen``;
  ``subjective_table`` adds ``religion``, ``attendance``, ``ideology5``, ``party3``. The other
  template fields are plain snake_case columns (``occupation``, ``income_usd``,
  ``big_five_openness``...); ``descriptive`` has the narrative in ``text``.
- ``responses``: one row per persona x tier x question with columns ``persona_id``, ``tier``,
  ``question``, ``answer`` (the option text as written), ``probability`` (0-1, where the
  simulation gave one, else missing) and ``probability_of`` (the option the probability is for,
  e.g. "Approve" or "Donald Trump").

Template values are mapped with :func:`calib.sources.normalize.normalize_values` (an unknown
value raises unless ``unknown=`` says otherwise; the policy and the unmapped values are recorded
in each tier's provenance).

Examples
--------
>>> sample = read_silicon_pew2013()  # doctest: +SKIP
>>> sample.answers("meta").loc["p0001", "obama_approval"]  # doctest: +SKIP
'Disapprove'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from calib.errors import DataError, UnknownLevelError
from calib.population import Population
from calib.provenance import Provenance
from calib.sources._common import PathLike, RecodeLog, locate, missing_note
from calib.sources.normalize import normalize_values
from calib.standard import STANDARD, convert, income_bracket

TIERS = ("meta", "objective_table", "subjective_table", "descriptive")
#: Template key -> standard variable (values normalised into its levels).
TEMPLATE_FIELDS = {
    "EDUCATION": "educ5",
    "EMPLOYMENT_STATUS": "employment",
    "MARITAL_STATUS": "marital",
    "URBANICITY": "urbanicity",
    "CITIZENSHIP": "citizen",
    "RELIGION": "religion",
    "RELIGIOUS_ATTENDANCE": "attendance",
    "IDEOLOGY": "ideology5",
    "PARTY": "party3",
}
#: Standard variable -> coarser standard variables derived from it.
DERIVED = {
    "educ5": ("educ4", "educ3"),
    "age_acs10": ("age_pew6", "age_cvap4", "age_b15001_5"),
    "race5": ("race4", "hispanic"),
    "race4": ("hispanic",),
    "state": ("region", "division"),
}


@dataclass(frozen=True)
class Question:
    """A simulated survey question: its answer options and the probability field, if any."""

    name: str
    options: tuple[str, ...]
    probability_field: str | None = None
    probability_of: str | None = None


@dataclass(frozen=True)
class SiliconSpec:
    """Where a recorded silicon sample lives and how its meta personas are coded."""

    name: str
    folder: str
    parts: int
    meta_columns: Mapping[str, str]
    questions: tuple[Question, ...]
    vintage: str
    universe: str


PEW2013 = SiliconSpec(
    name="silicon_pew2013",
    folder="silicon_pew2013",
    parts=2,
    meta_columns={"AGE": "age_pew6", "SEX": "sex", "RACE": "race4", "REGION": "region"},
    questions=(
        Question("obama_approval", ("Approve", "Disapprove"), "obama_p_approve", "Approve"),
        Question("aca_approval", ("Approve", "Disapprove"), "aca_p_approve", "Approve"),
        Question("party", ("Republican", "Democrat", "Independent")),
        Question("vote2012", ("Barack Obama", "Mitt Romney", "Someone else", "Did not vote")),
    ),
    vintage="persona setting December 2013; recorded November 2026",
    universe="LLM personas of US adults (Pew December 2013 meta personas)",
)
STATES2024 = SiliconSpec(
    name="silicon_2024_states",
    folder="silicon_2024_states",
    parts=4,
    meta_columns={"STATE": "state", "AGE": "age_acs10", "SEX": "sex", "RACE": "race5"},
    questions=(
        Question("vote2016", ("Donald Trump", "Hillary Clinton"), "p_trump_2016", "Donald Trump"),
        Question("vote2020", ("Joe Biden", "Donald Trump"), "p_trump_2020", "Donald Trump"),
        Question("vote2024", ("Donald Trump", "Kamala Harris"), "p_trump_2024", "Donald Trump"),
        Question(
            "turnout2024",
            (
                "Certain to vote",
                "Probably will vote",
                "Probably will not vote",
                "Certainly will not vote",
            ),
        ),
    ),
    vintage="persona setting October 2024; recorded November 2026",
    universe="LLM personas of adults in 48 states (ACS 2018 meta personas), 17 per state",
)
ORIGIN = "recorded by the calib project (../shared/data/{folder}, see its PROVENANCE.md)"


@dataclass(frozen=True)
class SiliconSample:
    """A recorded silicon sample: per-tier persona populations and a tidy responses table."""

    name: str
    personas: Mapping[str, Population]
    responses: pd.DataFrame
    provenance: Provenance
    questions: tuple[Question, ...] = field(default=())

    @property
    def tiers(self) -> tuple[str, ...]:
        """Tier names in order (meta first)."""
        return tuple(self.personas)

    def answers(self, tier: str, value: str = "answer") -> pd.DataFrame:
        """Wide table persona_id x question of ``value`` ("answer" or "probability") for ``tier``.

        Raises
        ------
        DataError
            If ``tier`` is not a tier of this sample.
        """
        if tier not in self.personas:
            raise DataError(f"tier {tier!r} is not in {self.name}: tiers are {self.tiers}")
        rows = self.responses[self.responses["tier"] == tier]
        wide = rows.pivot(index="persona_id", columns="question", values=value)
        return wide[[q.name for q in self.questions]]


def _read_jsonl(path: Path) -> list[dict]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise DataError(f"{path}:{number} is not valid JSON: {err}") from None
    return records


def _snake(key: str) -> str:
    return key.lower()


def _standardise(
    frame: pd.DataFrame, fields: Mapping[str, str], unknown: str, log: RecodeLog
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for raw_key, name in fields.items():
        if raw_key not in frame.columns:
            continue
        result = normalize_values(frame[raw_key], name, unknown=unknown)
        log.add(name, result.unmapped)
        out[name] = result.values
        for coarser in DERIVED.get(name, ()):
            if coarser not in out.columns:
                out[coarser] = convert(out[name], name, coarser)
    for name in list(out.columns):
        for coarser in DERIVED.get(name, ()):
            if coarser not in out.columns:
                out[coarser] = convert(out[name], name, coarser)
    return out


def _read_parts(base: Path, prefix: str, spec: SiliconSpec, origin: str) -> list[dict]:
    records: list[dict] = []
    for part in range(1, spec.parts + 1):
        rel = f"{prefix}_{part}.jsonl"
        path = base / rel
        if not path.is_file():
            from calib.errors import MissingDataFileError

            raise MissingDataFileError(path, spec.name, origin)
        records += _read_jsonl(path)
    return records


def _check_ids(ids: pd.Series, expected: pd.Index, what: str) -> None:
    dupes = ids[ids.duplicated()].unique().tolist()
    missing = sorted(set(expected) - set(ids))
    extra = sorted(set(ids) - set(expected))
    if dupes or missing or extra:
        raise DataError(
            f"{what}: persona ids do not match meta_personas.csv (duplicates {dupes[:5]}, "
            f"missing {missing[:5]}, unknown {extra[:5]})"
        )


def _tier_population(
    tier: str, meta: pd.DataFrame, records: list[dict] | None, spec: SiliconSpec, unknown: str,
    path: Path,
) -> Population:  # fmt: skip
    log = RecodeLog(policy=unknown)
    if records is None:
        raw = meta.copy()
        extra = pd.DataFrame(index=raw.index)
    else:
        raw = pd.DataFrame(
            [{"persona_id": r["persona_id"], **r.get("persona", {})} for r in records]
        )
        _check_ids(raw["persona_id"], pd.Index(meta["persona_id"]), f"{spec.name} {tier}")
        raw = raw.set_index("persona_id").loc[meta["persona_id"]].reset_index()
        if tier == "descriptive":
            text = {r["persona_id"]: r.get("text", "") for r in records}
            raw = meta.copy()
            raw["text"] = raw["persona_id"].map(text)
        extra = pd.DataFrame(index=raw.index)
        for key in raw.columns:
            if key in spec.meta_columns or key in TEMPLATE_FIELDS or key == "persona_id":
                continue
            if key == "BIG_FIVE":
                five = pd.json_normalize(raw[key].tolist())
                for col in five.columns:
                    extra[f"big_five_{col.lower()}"] = five[col].to_numpy()
                continue
            column = "income_usd" if key == "ANNUAL_PERSONAL_INCOME_USD" else _snake(key)
            extra[column] = raw[key]
    std = _standardise(raw, {**spec.meta_columns, **TEMPLATE_FIELDS}, unknown, log)
    if "income_usd" in extra.columns:
        std["income_personal"] = income_bracket(extra["income_usd"])
    data = pd.concat([raw[["persona_id"]], std, extra], axis=1)
    schema = STANDARD.subset([n for n in STANDARD.names if n in data.columns])
    notes = [f"tier {tier!r}; unweighted (weight 1 per persona)"]
    if records is not None and tier != "descriptive":
        agree = [
            int((raw[k].astype(str) != meta[k].astype(str)).sum())
            for k in spec.meta_columns
            if k in raw.columns
        ]
        if sum(agree):
            notes.append(f"{sum(agree)} meta field value(s) differ from meta_personas.csv")
    for note in (log.note(), missing_note(data, list(schema.names))):
        if note:
            notes.append(note)
    prov = Provenance(
        source=f"{spec.name} ({tier} tier)",
        vintage=spec.vintage,
        universe=spec.universe,
        path=str(path),
        notes=tuple(notes),
        extra={"tier": tier, "unmapped": log.unmapped, "policy": unknown},
    )
    return Population(data, schema, id_column="persona_id", provenance=prov, allow_missing=True)


def _responses(
    records: list[dict], tier: str, spec: SiliconSpec, unknown: str, path: Path
) -> pd.DataFrame:
    rows = []
    bad: dict[str, list[object]] = {}
    for r in records:
        for q in spec.questions:
            answer = r.get(q.name)
            if answer not in q.options:
                bad.setdefault(q.name, []).append(answer)
                if unknown == "raise":
                    continue
                answer = None if unknown == "missing" else unknown
            prob = None
            if q.probability_field is not None:
                value = r.get(q.probability_field)
                if value is None or not 0 <= float(value) <= 100:
                    raise DataError(
                        f"{path}: persona {r.get('persona_id')} has {q.probability_field}="
                        f"{value!r}; it must be a number from 0 to 100"
                    )
                prob = float(value) / 100.0
            rows.append((r["persona_id"], tier, q.name, answer, prob, q.probability_of))
    if bad and unknown == "raise":
        name, values = next(iter(bad.items()))
        options = next(q.options for q in spec.questions if q.name == name)
        raise UnknownLevelError(f"{spec.name} {tier} answer {name}", values, options)
    return pd.DataFrame(
        rows,
        columns=["persona_id", "tier", "question", "answer", "probability", "probability_of"],
    )


def read_silicon(
    spec: SiliconSpec, data_dir: PathLike | None = None, unknown: str = "raise"
) -> SiliconSample:
    """Read the recorded silicon sample described by ``spec`` (see the module docstring)."""
    origin = ORIGIN.format(folder=spec.folder)
    meta_path = locate(f"{spec.folder}/meta_personas.csv", spec.name, origin, data_dir)
    base = meta_path.parent
    meta = pd.read_csv(meta_path, dtype=str)
    missing = [c for c in ("persona_id", *spec.meta_columns) if c not in meta.columns]
    if missing:
        raise DataError(f"{meta_path} lacks columns {missing}")
    personas: dict[str, Population] = {}
    frames = []
    for tier in TIERS:
        records = None
        if tier != "meta":
            records = _read_parts(base, f"gen_{tier}", spec, origin)
        personas[tier] = _tier_population(tier, meta, records, spec, unknown, base)
        answers = _read_parts(base, f"sim_{tier}", spec, origin)
        ids = pd.Series([a.get("persona_id") for a in answers])
        _check_ids(ids, pd.Index(meta["persona_id"]), f"{spec.name} sim_{tier}")
        frames.append(_responses(answers, tier, spec, unknown, base))
    responses = pd.concat(frames, ignore_index=True)
    order = {p: i for i, p in enumerate(meta["persona_id"])}
    responses = responses.sort_values(
        ["tier", "persona_id"],
        key=lambda c: (
            c.map({t: i for i, t in enumerate(TIERS)}) if c.name == "tier" else c.map(order)
        ),
        kind="stable",
    ).reset_index(drop=True)
    prov = Provenance(
        source=spec.name,
        vintage=spec.vintage,
        universe=spec.universe,
        path=str(base),
        notes=("LLM-generated personas and answers; not human data",),
        extra={"licence": "written by the calib project; may be shipped"},
    )
    return SiliconSample(spec.name, personas, responses, prov, spec.questions)


def read_silicon_pew2013(data_dir: PathLike | None = None, unknown: str = "raise") -> SiliconSample:
    """The 400-persona Pew December 2013 silicon sample (see the module docstring)."""
    return read_silicon(PEW2013, data_dir, unknown)


def read_silicon_2024_states(
    data_dir: PathLike | None = None, unknown: str = "raise"
) -> SiliconSample:
    """The 816-persona, 48-state 2016/2020/2024 vote silicon sample (see the module docstring)."""
    return read_silicon(STATES2024, data_dir, unknown)


__all__ = [
    "PEW2013",
    "STATES2024",
    "TIERS",
    "Question",
    "SiliconSample",
    "SiliconSpec",
    "read_silicon",
    "read_silicon_2024_states",
    "read_silicon_pew2013",
]
