"""Survey simulation: ask questions in each persona's name and collect option probabilities.

For every persona x question x sample the options are shown in a counterbalanced order
(recorded), the answer is parsed (letter or option text, re-asked up to ``max_attempts`` times
when unreadable) and the option probabilities come from

* ``"logprobs"``: the first answer token's ``top_logprobs`` (see
  :mod:`calib.llm.probabilities`; bounds reported when options are missing from the top-k),
  always from the first ask (the same prompt for everyone), even when a re-ask was needed to
  read the chosen option;
* ``"echo"``: completion scoring of each option letter with ``echo=True`` (exact, costs one
  completions request per option; needs an endpoint with the legacy completions API);
* ``"sampling"``: 1 for the chosen option, 0 otherwise; average over ``samples`` draws.

Examples
--------
>>> presented_order(3, sample=1, scheme="rotate")
[1, 2, 0]
>>> presented_order(3, sample=1, scheme="reverse")
[2, 1, 0]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.errors import DataError
from calib.llm.client import LLMClient
from calib.llm.config import SamplingParams
from calib.llm.parsing import LETTERS, parse_choice
from calib.llm.personas import PersonaSet
from calib.llm.probabilities import (
    OptionProbabilities,
    continuation_logprob,
    from_sequence_logprobs,
    from_top_logprobs,
)
from calib.llm.prompts import TEMPLATE_VERSION, render
from calib.llm.questions import Question
from calib.llm.request import LLMRequest, LLMResponse
from calib.llm.responses import ResponsesTable

Method = Literal["logprobs", "echo", "sampling"]
Counterbalance = Literal["auto", "none", "reverse", "rotate", "shuffle"]


def presented_order(
    n: int, sample: int, scheme: str = "rotate", ordinal: bool = False, salt: str = ""
) -> list[int]:
    """Canonical option indices in the order shown for sample ``sample``.

    ``"auto"`` reverses ordinal scales on odd samples and rotates nominal ones; ``"shuffle"``
    is a random permutation seeded by ``salt`` and the sample index.
    """
    base = list(range(n))
    if scheme == "auto":
        scheme = "reverse" if ordinal else "rotate"
    if scheme == "none":
        return base
    if scheme == "reverse":
        return base[::-1] if sample % 2 else base
    if scheme == "rotate":
        shift = sample % n
        return base[shift:] + base[:shift]
    if scheme == "shuffle":
        digest = hashlib.sha256(f"{salt}|{sample}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        return [int(i) for i in rng.permutation(n)]
    raise DataError(f"unknown counterbalancing scheme {scheme!r}")


def survey_messages(
    description: str,
    question: Question,
    order: Sequence[int],
    context_date: str,
    template_version: int = TEMPLATE_VERSION,
    template_dir: str | None = None,
) -> list[dict[str, str]]:
    """The chat messages asking ``question`` with options in ``order``."""
    options = "\n".join(f"{LETTERS[pos]}. {question.options[j]}" for pos, j in enumerate(order))
    system = render(
        "survey_system",
        template_version,
        template_dir,
        date=question.context_date or context_date,
        persona=description,
    )
    user = render(
        "survey_question", template_version, template_dir, question=question.text, options=options
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _descriptions(personas: PersonaSet | Mapping[str, str]) -> tuple[dict[str, str], str]:
    if isinstance(personas, PersonaSet):
        return personas.descriptions(), personas.tier
    return {str(k): str(v) for k, v in personas.items()}, "custom"


def _echo_requests(messages: Sequence[Mapping[str, str]], n: int) -> tuple[str, list[LLMRequest]]:
    prefix = "\n\n".join(m["content"] for m in messages) + "\nAnswer:"
    params = SamplingParams(temperature=0.0, max_tokens=1, logprobs=True, top_logprobs=1)
    reqs = [LLMRequest.completion(prefix + " " + LETTERS[i], params, echo=True) for i in range(n)]
    return prefix, reqs


def simulate_survey(
    personas: PersonaSet | Mapping[str, str],
    questions: Sequence[Question],
    client: LLMClient,
    *,
    samples: int = 1,
    method: Method = "logprobs",
    counterbalance: Counterbalance = "auto",
    top_logprobs: int = 10,
    max_attempts: int = 2,
    params: SamplingParams | None = None,
    context_date: str = "December 2013",
    template_version: int = TEMPLATE_VERSION,
    template_dir: str | None = None,
    progress: bool | None = None,
) -> ResponsesTable:
    """Answer every question for every (valid) persona, ``samples`` times each.

    Parameters
    ----------
    personas : PersonaSet or mapping of persona id to description
    questions : sequence of Question
    client : LLMClient
    samples : int, default=1
        Independent samples per persona and question (K).
    method : {"logprobs", "echo", "sampling"}
    counterbalance : {"auto", "none", "reverse", "rotate", "shuffle"}
    top_logprobs : int, default=10
    max_attempts : int, default=2
        Asks per answer, including re-asks of unreadable answers.
    params : SamplingParams, optional
        Default: the client's, with ``max_tokens`` 16 when unset.

    Returns
    -------
    ResponsesTable
    """
    if samples < 1 or max_attempts < 1:
        raise DataError("samples and max_attempts must be at least 1")
    if method not in ("logprobs", "echo", "sampling"):
        raise DataError(f"unknown probability method {method!r}")
    descriptions, tier = _descriptions(personas)
    if not descriptions:
        raise DataError("no valid persona to ask: every persona is invalid or the set is empty")
    params = params or client.params
    if params.max_tokens is None:
        params = replace(params, max_tokens=16)
    if method == "logprobs":
        params = replace(params, logprobs=True, top_logprobs=top_logprobs)
    items: list[dict[str, Any]] = []
    for pid, description in descriptions.items():
        for q in questions:
            for k in range(samples):
                order = presented_order(
                    q.n_options, k, counterbalance, q.ordinal, salt=f"{pid}|{q.id}"
                )
                messages = survey_messages(
                    description, q, order, context_date, template_version, template_dir
                )
                items.append(
                    {
                        "pid": pid,
                        "q": q,
                        "k": k,
                        "order": order,
                        "messages": messages,
                        "choice": None,
                        "response": None,
                        "first": None,
                        "attempts": 0,
                    }
                )
    for _ in range(max_attempts):
        todo = [it for it in items if it["choice"] is None]
        if not todo:
            break
        requests = [LLMRequest.chat(it["messages"], params, sample=it["k"]) for it in todo]
        result = client.run(requests, progress=progress)
        for it, response in zip(todo, result.responses, strict=True):
            it["attempts"] += 1
            presented = [it["q"].options[j] for j in it["order"]]
            pos = parse_choice(response.text, presented)
            if it["first"] is None:
                it["first"] = response  # log-probs always come from the first, common prompt
            if it["response"] is None or pos is not None:
                it["response"] = response
            if pos is not None:
                it["choice"] = it["order"][pos]
            else:
                letters = ", ".join(LETTERS[: len(presented)])
                it["messages"] = [
                    *it["messages"],
                    {"role": "assistant", "content": response.text},
                    {
                        "role": "user",
                        "content": render(
                            "reask_choice", template_version, template_dir, letters=letters
                        ),
                    },
                ]
    echo: dict[int, OptionProbabilities] = {}
    if method == "echo":
        echo = _echo_scores(items, client, progress)
    rows = []
    params_json = json.dumps(params.to_dict(), sort_keys=True)
    for idx, it in enumerate(items):
        rows += _rows(it, tier, method, echo.get(idx), client.model, params_json)
    return ResponsesTable(pd.DataFrame(rows))


def _echo_scores(
    items: list[dict[str, Any]], client: LLMClient, progress: bool | None
) -> dict[int, OptionProbabilities]:
    plan = []
    requests: list[LLMRequest] = []
    for idx, it in enumerate(items):
        first_two = it["messages"][:2]
        prefix, reqs = _echo_requests(first_two, it["q"].n_options)
        plan.append((idx, prefix, len(requests), len(reqs)))
        requests += reqs
    responses = client.run(requests, progress=progress).responses
    out = {}
    for idx, prefix, start, n in plan:
        totals = []
        for pos in range(n):
            tokens = responses[start + pos].completion_token_logprobs()
            end = len(prefix) + 2
            totals.append(continuation_logprob(tokens, len(prefix), end))
        out[idx] = from_sequence_logprobs(totals)
    return out


def _rows(
    it: Mapping[str, Any],
    tier: str,
    method: str,
    echo: OptionProbabilities | None,
    model: str,
    params_json: str,
) -> list[dict[str, Any]]:
    q: Question = it["q"]
    order: list[int] = it["order"]
    response: LLMResponse = it["response"]
    valid = it["choice"] is not None
    presented = [q.options[j] for j in order]
    probs: OptionProbabilities | None = None
    if method == "logprobs":
        top = it["first"].first_token_top_logprobs()
        if top is not None:
            labels = [(LETTERS[pos], presented[pos]) for pos in range(len(order))]
            probs = from_top_logprobs(top, labels)
    elif method == "echo":
        probs = echo
    point = probs.probability if probs is not None else None
    low, high = probs.probability_bounds if probs is not None else (None, None)
    rows = []
    for pos, j in enumerate(order):
        chosen = valid and it["choice"] == j
        if point is not None:
            p, lo, hi = float(point[pos]), float(low[pos]), float(high[pos])
        elif valid:
            p = lo = hi = 1.0 if chosen else 0.0
        else:
            p = lo = hi = float("nan")
        rows.append(
            {
                "persona_id": it["pid"],
                "question": q.id,
                "tier": tier,
                "sample": it["k"],
                "option": q.options[j],
                "probability": p,
                "prob_lower": lo,
                "prob_upper": hi,
                "chosen": chosen,
                "valid": valid,
                "method": probs.method if probs is not None else "sampling",
                "mass_outside": (probs.outside_mass + probs.ambiguous_mass)
                if probs is not None
                else float("nan"),
                "position": pos,
                "option_order": " | ".join(presented),
                "raw_text": response.text,
                "model": model,
                "params": params_json,
            }
        )
    rows.sort(key=lambda r: q.options.index(r["option"]))
    return rows


__all__ = ["presented_order", "simulate_survey", "survey_messages"]
