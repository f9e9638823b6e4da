"""Requests and responses: the unit of work, its cache key, and the answer with its log-probs.

A request is one chat (``messages``) or completion (``prompt``) call with its sampling
parameters and a sample index ``k`` (the k-th independent draw of the same prompt). Its cache
key is the SHA-256 of the model, the endpoint, the exact body and ``k``, so two requests share a
key exactly when they would cost the same answer.

Examples
--------
>>> req = LLMRequest.chat([{"role": "user", "content": "Hi"}], SamplingParams(temperature=0))
>>> len(req.key("some-model"))
64
>>> req.key("some-model") == req.with_sample(1).key("some-model")
False
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from calib.llm.config import SamplingParams

Endpoint = Literal["chat", "completions"]
ENDPOINT_PATHS = {"chat": "/v1/chat/completions", "completions": "/v1/completions"}


def canonical_json(value: Any) -> str:
    """Deterministic compact JSON (sorted keys) used for hashing and storage."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class LLMRequest:
    """One call to the model.

    Parameters
    ----------
    messages : tuple of mapping, optional
        Chat messages (``{"role": ..., "content": ...}``) for the chat endpoint.
    prompt : str, optional
        Raw prompt for the completions endpoint (used for echo scoring).
    params : SamplingParams
    sample : int, default=0
        Index of the independent draw (part of the cache key; shifts the seed).
    echo : bool, default=False
        Completions only: return the prompt's own tokens and log-probs.
    meta : mapping, default={}
        Caller's labels (persona id, question...), not part of the key and never sent.
    """

    messages: tuple[Mapping[str, str], ...] | None = None
    prompt: str | None = None
    params: SamplingParams = field(default_factory=SamplingParams)
    sample: int = 0
    echo: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def chat(
        cls,
        messages: Sequence[Mapping[str, str]],
        params: SamplingParams | None = None,
        sample: int = 0,
        **meta: Any,
    ) -> LLMRequest:
        """A chat-completion request."""
        msgs = tuple({"role": str(m["role"]), "content": str(m["content"])} for m in messages)
        return cls(messages=msgs, params=params or SamplingParams(), sample=sample, meta=meta)

    @classmethod
    def completion(
        cls, prompt: str, params: SamplingParams | None = None, echo: bool = False, **meta: Any
    ) -> LLMRequest:
        """A (legacy) completion request, e.g. for echo scoring of answer options."""
        return cls(prompt=prompt, params=params or SamplingParams(), echo=echo, meta=meta)

    @property
    def endpoint(self) -> Endpoint:
        """``"chat"`` or ``"completions"``."""
        return "chat" if self.messages is not None else "completions"

    def with_sample(self, sample: int) -> LLMRequest:
        """The same request as the ``sample``-th independent draw."""
        return replace(self, sample=sample)

    def body(self, model: str) -> dict[str, Any]:
        """The JSON body sent to the endpoint."""
        body: dict[str, Any] = {"model": model}
        if self.messages is not None:
            body["messages"] = [dict(m) for m in self.messages]
        else:
            body["prompt"] = self.prompt or ""
            if self.echo:
                body["echo"] = True
        body.update(self.params.to_body(self.sample, self.endpoint))
        return body

    def key(self, model: str) -> str:
        """Cache key: SHA-256 of model, endpoint, body and sample index."""
        payload = canonical_json(
            {"endpoint": self.endpoint, "body": self.body(model), "sample": self.sample}
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class LLMResponse:
    """A model's answer to one request (from the endpoint or from the cache).

    Attributes
    ----------
    key : str
        The request's cache key.
    body : dict
        The endpoint's JSON answer, unchanged.
    cached : bool
        True when it came from the cache (nothing was paid for it in this run).
    """

    key: str
    body: dict[str, Any]
    cached: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def _choice(self) -> Mapping[str, Any]:
        choices = self.body.get("choices") or [{}]
        return choices[0]

    @property
    def text(self) -> str:
        """The answer text (chat message content or completion text)."""
        choice = self._choice
        if "message" in choice:
            return str((choice.get("message") or {}).get("content") or "")
        return str(choice.get("text") or "")

    @property
    def finish_reason(self) -> str | None:
        return self._choice.get("finish_reason")

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def prompt_tokens(self) -> int:
        return int((self.body.get("usage") or {}).get("prompt_tokens") or 0)

    @property
    def completion_tokens(self) -> int:
        return int((self.body.get("usage") or {}).get("completion_tokens") or 0)

    def first_token_top_logprobs(self) -> list[tuple[str, float]] | None:
        """The first generated token's alternatives as ``(token, logprob)``, best first.

        Reads the chat format (``logprobs.content[0].top_logprobs``) and the completions format
        (``logprobs.top_logprobs[0]``); ``None`` when the endpoint returned no log-probs.
        """
        lp = self._choice.get("logprobs")
        if not lp:
            return None
        if lp.get("content"):
            first = lp["content"][0]
            alts = first.get("top_logprobs") or [
                {"token": first.get("token"), "logprob": first.get("logprob")}
            ]
            pairs = [(str(a["token"]), float(a["logprob"])) for a in alts]
        elif lp.get("top_logprobs"):
            first = lp["top_logprobs"][0] or {}
            pairs = [(str(t), float(v)) for t, v in first.items()]
        else:
            return None
        pairs = [(t, v) for t, v in pairs if not math.isnan(v)]
        return sorted(pairs, key=lambda p: -p[1])

    def completion_token_logprobs(self) -> list[tuple[str, float | None, int]]:
        """Completions endpoint: ``(token, logprob, text_offset)`` for every returned token."""
        lp = self._choice.get("logprobs") or {}
        tokens = lp.get("tokens") or []
        values = lp.get("token_logprobs") or [None] * len(tokens)
        offsets = lp.get("text_offset") or [-1] * len(tokens)
        return [
            (str(t), None if v is None else float(v), int(o))
            for t, v, o in zip(tokens, values, offsets, strict=False)
        ]


__all__ = ["ENDPOINT_PATHS", "LLMRequest", "LLMResponse", "canonical_json"]
