"""The whole LLM path in one call: meta personas -> persona tiers -> simulated survey answers.

Examples
--------
>>> from calib.llm.workflow import TIER_CHOICES
>>> TIER_CHOICES
('meta', 'objective_table', 'subjective_table', 'descriptive')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from calib.errors import DataError
from calib.llm.client import LLMClient
from calib.llm.config import SamplingParams
from calib.llm.personas import TIERS, PersonaSet, generate_personas
from calib.llm.questions import Question
from calib.llm.responses import ResponsesTable
from calib.llm.simulate import Method, simulate_survey
from calib.schema import Schema

TIER_CHOICES = TIERS


@dataclass
class SimulationRun:
    """Personas of every tier and the answers given in their names."""

    personas: dict[str, PersonaSet]
    responses: ResponsesTable
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [p.summary() for p in self.personas.values()]
        lines.append(self.responses.summary())
        return "\n".join(lines + self.notes)


def run_simulation(
    meta: pd.DataFrame,
    questions: Sequence[Question],
    client: LLMClient,
    *,
    tiers: Sequence[str] = TIERS,
    samples: int = 1,
    method: Method = "logprobs",
    schema: Schema | None = None,
    persona_params: SamplingParams | None = None,
    survey_params: SamplingParams | None = None,
    max_attempts: int = 2,
    context_date: str = "December 2013",
    progress: bool | None = None,
) -> SimulationRun:
    """Generate each tier's personas from ``meta`` and simulate the survey for every tier.

    Tiers whose personas are all invalid are reported in ``notes`` and contribute no answers.
    """
    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        raise DataError(f"unknown tier(s) {unknown}; choose from {TIERS}")
    personas: dict[str, PersonaSet] = {}
    tables = []
    notes = []
    for tier in tiers:
        persona_set = generate_personas(
            meta,
            tier,
            client,
            schema=schema,
            context_date=context_date,
            max_attempts=max_attempts,
            params=persona_params,
            progress=progress,
        )
        personas[tier] = persona_set
        if persona_set.n_valid == 0:
            notes.append(f"{tier}: no valid persona, no answers simulated")
            continue
        tables.append(
            simulate_survey(
                persona_set,
                questions,
                client,
                samples=samples,
                method=method,
                params=survey_params,
                max_attempts=max_attempts,
                context_date=context_date,
                progress=progress,
            )
        )
    responses = ResponsesTable.concat(tables) if tables else ResponsesTable.empty()
    return SimulationRun(personas, responses, notes)


__all__ = ["TIER_CHOICES", "SimulationRun", "run_simulation"]
