"""Sampling parameters, prices and API-key resolution for the LLM client.

The API key is looked up, in order, from the ``api_key`` argument, an environment variable
(``OPENAI_API_KEY`` unless told otherwise) and a TOML config file (``$CALIB_LLM_CONFIG`` or
``~/.config/calib/llm.toml``, key ``api_key``). It is wrapped in :class:`Secret`, whose ``repr``
and ``str`` never show it, and every error message that passes through :func:`redact` has it
removed, so it never reaches logs, caches, reports or exceptions.

Examples
--------
>>> params = SamplingParams(temperature=0.0, max_tokens=5, seed=1)
>>> params.to_body(sample=2)["seed"]
3
>>> str(Secret("sk-abc"))
'***'
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from calib.errors import LLMError

CONFIG_ENV = "CALIB_LLM_CONFIG"
DEFAULT_CONFIG = Path("~/.config/calib/llm.toml")
#: Placeholder sent to local endpoints (llama.cpp, vLLM, Ollama) that ignore the key.
LOCAL_PLACEHOLDER_KEY = "sk-local-no-key"


@dataclass(frozen=True)
class SamplingParams:
    """Sampling parameters sent with every request (``None`` means "server default").

    Parameters
    ----------
    temperature : float, optional
    top_p : float, optional
    seed : int, optional
        Base seed; sample ``k`` of a request is sent with ``seed + k`` so repeated samples
        differ yet stay reproducible.
    max_tokens : int, optional
    logprobs : bool, default=False
        Ask for token log-probabilities of the completion.
    top_logprobs : int, optional
        How many alternatives per token (chat endpoint; ``logprobs`` for completions).
    stop : tuple of str, optional
    json_mode : bool, default=False
        Chat only: ask for a JSON object (``response_format={"type": "json_object"}``; OpenAI,
        vLLM and llama.cpp constrain the output to valid JSON).
    """

    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    max_tokens: int | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    stop: tuple[str, ...] | None = None
    json_mode: bool = False

    def to_body(self, sample: int = 0, endpoint: str = "chat") -> dict[str, Any]:
        """The request-body fields for this sample (``endpoint`` is "chat" or "completions")."""
        body: dict[str, Any] = {}
        for name in ("temperature", "top_p", "max_tokens"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.seed is not None:
            body["seed"] = int(self.seed) + int(sample)
        if self.stop:
            body["stop"] = list(self.stop)
        if endpoint == "chat":
            if self.json_mode:
                body["response_format"] = {"type": "json_object"}
            if self.logprobs or self.top_logprobs:
                body["logprobs"] = True
                if self.top_logprobs:
                    body["top_logprobs"] = int(self.top_logprobs)
        elif self.logprobs or self.top_logprobs:
            body["logprobs"] = int(self.top_logprobs or 1)
        return body

    def to_dict(self) -> dict[str, Any]:
        """Non-default fields as a plain dict (recorded in the responses table)."""
        return {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(self).items()
            if v is not None and v is not False
        }


@dataclass(frozen=True)
class Pricing:
    """Prices in US dollars per million tokens (used for cost accounting only).

    Examples
    --------
    >>> Pricing(0.15, 0.60).cost(1_000_000, 0)
    0.15
    """

    input_per_million: float = 0.0
    output_per_million: float = 0.0
    batch_discount: float = 0.5

    def cost(self, prompt_tokens: int, completion_tokens: int, batch: bool = False) -> float:
        """Dollar cost of the given token counts."""
        dollars = (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1e6
        return dollars * (self.batch_discount if batch else 1.0)


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def get(self) -> str:
        """The secret value (only to hand to the SDK)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __reduce__(self) -> Any:  # never pickle the value
        raise TypeError("a Secret cannot be pickled")


_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-*]{6,}")


def redact(text: str, secret: Secret | str | None = None) -> str:
    """``text`` with ``secret`` and anything shaped like an API key (``sk-...``) removed."""
    out = str(text)
    value = secret.get() if isinstance(secret, Secret) else secret
    if value:
        out = out.replace(value, "***")
        if len(value) > 12:  # servers often echo a truncated key ("sk-abc...wxyz")
            out = out.replace(value[:8], "***").replace(value[-4:], "***")
    return _KEY_PATTERN.sub("sk-***", out)


def is_local(base_url: str | None) -> bool:
    """True for loopback endpoints (llama.cpp, vLLM or Ollama running on this machine)."""
    if not base_url:
        return False
    host = urlparse(base_url).hostname or ""
    return host in {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def read_config(path: str | os.PathLike[str] | None = None) -> Mapping[str, Any]:
    """The LLM config file as a mapping (empty when there is none)."""
    candidate = Path(path) if path else Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    candidate = candidate.expanduser()
    if not candidate.is_file():
        if path:
            raise LLMError(f"LLM config file {str(candidate)!r} does not exist")
        return {}
    with candidate.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise LLMError(f"LLM config file {str(candidate)!r} is not valid TOML: {err}") from None


def resolve_api_key(
    api_key: str | Secret | None = None,
    env_var: str = "OPENAI_API_KEY",
    config_file: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
) -> Secret:
    """Find the API key (argument, environment, config file), wrapped in a :class:`Secret`.

    Raises
    ------
    LLMError
        If no key is found for a remote endpoint; the message says where to put one.
    """
    if isinstance(api_key, Secret):
        return api_key
    if api_key:
        return Secret(api_key)
    env_value = os.environ.get(env_var)
    if env_value:
        return Secret(env_value)
    config = read_config(config_file)
    if config.get("api_key"):
        return Secret(str(config["api_key"]))
    if is_local(base_url):
        return Secret(LOCAL_PLACEHOLDER_KEY)
    raise LLMError(
        f"no API key for {base_url or 'the OpenAI API'}: set ${env_var}, or put "
        f'api_key = "..." in {os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG} (or ${CONFIG_ENV})'
    )


__all__ = [
    "CONFIG_ENV",
    "Pricing",
    "SamplingParams",
    "Secret",
    "is_local",
    "read_config",
    "redact",
    "resolve_api_key",
]
