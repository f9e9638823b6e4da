"""One client for any OpenAI-compatible endpoint, over the official ``openai`` SDK.

:class:`LLMClient` sends chat and completion requests (sync: :meth:`~LLMClient.complete`,
:meth:`~LLMClient.run`; async: :meth:`~LLMClient.acomplete`, :meth:`~LLMClient.arun`) with at
most ``concurrency`` requests in flight, retries 408/409/429/5xx replies, timeouts and dropped
connections with exponential backoff and jitter (a ``Retry-After`` header wins), looks every
request up in a :class:`~calib.llm.cache.ResponseCache` first and stores each answer as soon as
it arrives, and counts requests, retries, tokens and dollars per run (:class:`RunStats`).

The SDK's own retries are switched off (``max_retries=0``) so that every attempt is counted here.

Examples
--------
>>> client = LLMClient("smollm2", "http://127.0.0.1:8000/v1", cache=":memory:")
>>> client.concurrency
64
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import openai
from tqdm.auto import tqdm

from calib.errors import LLMError, LLMTransportError
from calib.llm.cache import ResponseCache
from calib.llm.config import Pricing, SamplingParams, Secret, redact, resolve_api_key
from calib.llm.request import LLMRequest, LLMResponse

logger = logging.getLogger("calib.llm")

RETRY_STATUS = frozenset({408, 409, 429})


@dataclass
class RunStats:
    """What one run asked for, sent, retried and paid.

    ``sent`` counts answers that arrived from the endpoint (each paid once); ``cache_hits``
    answers found in the cache (free); ``resumed`` requests that an interrupted earlier run had
    in flight and that are sent again now.
    """

    n_requests: int = 0
    n_unique: int = 0
    cache_hits: int = 0
    sent: int = 0
    failed: int = 0
    retries: int = 0
    resumed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    elapsed: float = 0.0
    max_in_flight: int = 0
    retry_delays: list[float] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the command line."""
        return (
            f"{self.n_requests} requests ({self.n_unique} unique): {self.cache_hits} cached, "
            f"{self.sent} sent, {self.failed} failed, {self.retries} retries; "
            f"{self.prompt_tokens}+{self.completion_tokens} tokens, ${self.cost:.4f}; "
            f"{self.elapsed:.2f} s, peak {self.max_in_flight} in flight"
        )


@dataclass
class RunResult:
    """Answers in request order, and the run's accounting."""

    responses: list[LLMResponse]
    stats: RunStats

    def __iter__(self):
        return iter(self.responses)

    def __len__(self) -> int:
        return len(self.responses)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - time.time())


class LLMClient:
    """A cached, concurrent, retrying client for an OpenAI-compatible endpoint.

    Parameters
    ----------
    model : str
        Model name sent with every request.
    base_url : str, optional
        Endpoint root (``http://127.0.0.1:8000/v1`` for llama.cpp / vLLM); default OpenAI's.
    params : SamplingParams, optional
        Default sampling parameters for requests built by calib (personas, surveys).
    api_key : str, optional
        Otherwise read from ``$api_key_env`` or the config file (see
        :func:`~calib.llm.config.resolve_api_key`). Never logged or stored.
    api_key_env : str, default="OPENAI_API_KEY"
    config_file : str, optional
    concurrency : int, default=64
        Requests in flight at once.
    max_retries : int, default=6
    timeout : float, default=60.0
        Seconds per attempt.
    backoff_base, backoff_max : float, default=0.5, 30.0
        Wait ``min(backoff_max, backoff_base * 2**attempt)`` times a jitter in [0.5, 1].
    max_retry_after : float, default=120.0
        Cap on a server's ``Retry-After``.
    cache : str, PathLike or ResponseCache, optional
        SQLite cache; without one nothing survives the process.
    pricing : Pricing, optional
        Dollar prices for cost accounting.
    progress : bool, optional
        Show a progress bar (default: only on a terminal).
    jitter_seed : int, optional
        Seed of the jitter generator (tests).
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        params: SamplingParams | None = None,
        api_key: str | Secret | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        config_file: str | os.PathLike[str] | None = None,
        concurrency: int = 64,
        max_retries: int = 6,
        timeout: float = 60.0,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 120.0,
        cache: str | os.PathLike[str] | ResponseCache | None = None,
        pricing: Pricing | None = None,
        progress: bool | None = None,
        jitter_seed: int | None = None,
    ):
        self.model = model
        self.base_url = base_url
        self.params = params or SamplingParams()
        self.api_key_env = api_key_env
        self.config_file = config_file
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.pricing = pricing or Pricing()
        self.progress = progress
        self._secret = resolve_api_key(api_key, api_key_env, config_file, base_url)
        self.cache = (
            cache if isinstance(cache, ResponseCache) or cache is None else (ResponseCache(cache))
        )
        self._rng = random.Random(jitter_seed)
        self._sync_client: openai.OpenAI | None = None
        self.history_: list[RunStats] = []

    def total_stats(self) -> RunStats:
        """Accounting summed over every run of this client (``history_``)."""
        total = RunStats()
        for run in self.history_:
            for name in (
                "n_requests",
                "n_unique",
                "cache_hits",
                "sent",
                "failed",
                "retries",
                "resumed",
                "prompt_tokens",
                "completion_tokens",
                "cost",
                "elapsed",
            ):
                setattr(total, name, getattr(total, name) + getattr(run, name))
            total.max_in_flight = max(total.max_in_flight, run.max_in_flight)
        return total

    def __repr__(self) -> str:
        return (
            f"LLMClient(model={self.model!r}, base_url={self.base_url!r}, "
            f"concurrency={self.concurrency}, cache={self.cache!r})"
        )

    def __reduce__(self) -> Any:
        raise TypeError("an LLMClient holds an API key and cannot be pickled")

    # --- retries ----------------------------------------------------------------------------

    def _retry_delay(self, err: BaseException, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``err`` (``None``: do not retry)."""
        retry_after = None
        if isinstance(err, openai.APIStatusError):
            status = err.status_code
            if status not in RETRY_STATUS and status < 500:
                return None
            retry_after = parse_retry_after(err.response.headers if err.response else None)
        elif not isinstance(err, openai.APIConnectionError):  # includes APITimeoutError
            return None
        if retry_after is not None:
            return min(self.max_retry_after, retry_after * self._rng.uniform(1.0, 1.1))
        backoff = min(self.backoff_max, self.backoff_base * 2.0**attempt)
        return backoff * self._rng.uniform(0.5, 1.0)

    def _failure(self, err: BaseException, request: LLMRequest, attempts: int) -> LLMError:
        status = getattr(err, "status_code", None)
        what = f"HTTP {status}" if status else type(err).__name__
        hint = (
            "check the model name, parameters and API key"
            if status and status < 500 and status not in RETRY_STATUS
            else "the endpoint kept failing: retry later (answers already received are cached)"
        )
        message = redact(
            f"{request.endpoint} request for model {self.model!r} at "
            f"{self.base_url or 'api.openai.com'} failed after {attempts} attempt(s) ({what}: "
            f"{err}); {hint}",
            self._secret,
        )
        failure = LLMTransportError(message)
        failure.status_code = status  # type: ignore[attr-defined]
        return failure

    @staticmethod
    def _kwargs(body: dict[str, Any], key: str, timeout: float) -> dict[str, Any]:
        kwargs = dict(body)
        kwargs["extra_headers"] = {"Idempotency-Key": key}
        kwargs["timeout"] = timeout
        return kwargs

    def _cost(self, body: Mapping[str, Any]) -> float:
        usage = body.get("usage") or {}
        return self.pricing.cost(
            int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        )

    def _record(self, stats: RunStats, key: str, request: LLMRequest, body: dict) -> None:
        cost = self._cost(body)
        usage = body.get("usage") or {}
        stats.sent += 1
        stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        stats.completion_tokens += int(usage.get("completion_tokens") or 0)
        stats.cost += cost
        if self.cache is not None:
            self.cache.put(key, self.model, request.body(self.model), body, cost=cost)

    # --- sync -------------------------------------------------------------------------------

    def _openai(self) -> openai.OpenAI:
        if self._sync_client is None:
            self._sync_client = openai.OpenAI(
                api_key=self._secret.get(),
                base_url=self.base_url,
                max_retries=0,
                timeout=self.timeout,
            )
        return self._sync_client

    def _send(self, request: LLMRequest, key: str, stats: RunStats) -> dict[str, Any]:
        sdk = self._openai()
        kwargs = self._kwargs(request.body(self.model), key, self.timeout)
        create = (
            sdk.chat.completions.with_raw_response.create
            if request.endpoint == "chat"
            else sdk.completions.with_raw_response.create
        )
        attempt = 0
        while True:
            try:
                return json.loads(create(**kwargs).text)
            except (openai.APIError, json.JSONDecodeError) as err:
                delay = self._retry_delay(err, attempt)
                if delay is None or attempt >= self.max_retries:
                    raise self._failure(err, request, attempt + 1) from None
                stats.retries += 1
                stats.retry_delays.append(delay)
                logger.info("retrying after %s in %.2f s", type(err).__name__, delay)
                time.sleep(delay)
                attempt += 1

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send one request (or read it from the cache), synchronously."""
        return self.run([request]).responses[0]

    def run(self, requests: Sequence[LLMRequest], progress: bool | None = None) -> RunResult:
        """Answer many requests concurrently (blocking); see :meth:`arun`.

        Raises
        ------
        LLMError
            If called from inside a running event loop (use ``await client.arun(...)``).
        LLMTransportError
            If some requests still failed after the retries (the others are cached).
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise LLMError("LLMClient.run was called inside an event loop; await arun() instead")
        if len(requests) == 1 and self.cache is None:
            return self._run_one_sync(requests[0])
        return asyncio.run(self.arun(requests, progress=progress))

    def _raise_failures(self, failures: list[LLMError], n: int, stats: RunStats) -> None:
        err = LLMTransportError(
            f"{len(failures)} of {n} requests failed after retries "
            f"({stats.sent} answered{' and cached' if self.cache is not None else ''}; "
            f"rerun to resume). First failure: {failures[0]}"
        )
        err.failures = failures  # type: ignore[attr-defined]
        err.stats = stats  # type: ignore[attr-defined]
        raise err

    def _run_one_sync(self, request: LLMRequest) -> RunResult:
        start = time.perf_counter()
        stats = RunStats(n_requests=1, n_unique=1, max_in_flight=1)
        key = request.key(self.model)
        try:
            body = self._send(request, key, stats)
        except LLMError as err:
            stats.failed = 1
            self._raise_failures([err], 1, stats)
        self._record(stats, key, request, body)
        stats.elapsed = time.perf_counter() - start
        self.history_.append(stats)
        return RunResult([LLMResponse(key, body, False, request.meta)], stats)

    # --- async ------------------------------------------------------------------------------

    async def _asend(
        self, sdk: openai.AsyncOpenAI, request: LLMRequest, key: str, stats: RunStats
    ) -> dict[str, Any]:
        kwargs = self._kwargs(request.body(self.model), key, self.timeout)
        create = (
            sdk.chat.completions.with_raw_response.create
            if request.endpoint == "chat"
            else sdk.completions.with_raw_response.create
        )
        attempt = 0
        while True:
            try:
                raw = await create(**kwargs)
                return json.loads(raw.text)
            except (openai.APIError, json.JSONDecodeError) as err:
                delay = self._retry_delay(err, attempt)
                if delay is None or attempt >= self.max_retries:
                    raise self._failure(err, request, attempt + 1) from None
                stats.retries += 1
                stats.retry_delays.append(delay)
                logger.info("retrying after %s in %.2f s", type(err).__name__, delay)
                await asyncio.sleep(delay)
                attempt += 1

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Send one request (or read it from the cache), asynchronously."""
        return (await self.arun([request], progress=False)).responses[0]

    async def arun(self, requests: Sequence[LLMRequest], progress: bool | None = None) -> RunResult:
        """Answer many requests with at most ``concurrency`` in flight.

        Duplicate requests (same key) are sent once; cached ones are not sent; every answer is
        committed to the cache when it arrives, so an interrupted run loses nothing.

        Raises
        ------
        LLMTransportError
            After all requests have finished, if some failed after their retries; its
            ``failures`` attribute lists them.
        """
        start = time.perf_counter()
        keys = [r.key(self.model) for r in requests]
        unique: dict[str, LLMRequest] = {}
        for key, request in zip(keys, requests, strict=True):
            unique.setdefault(key, request)
        stats = RunStats(n_requests=len(requests), n_unique=len(unique))
        bodies: dict[str, dict[str, Any]] = (
            self.cache.get_many(list(unique)) if self.cache is not None else {}
        )
        cached = set(bodies)
        stats.cache_hits = len(bodies)
        todo = [(k, r) for k, r in unique.items() if k not in bodies]
        if self.cache is not None and todo:
            left_over = set(self.cache.pending())
            stats.resumed = sum(1 for k, _ in todo if k in left_over)
        failures: list[LLMError] = []
        if todo:
            show = self.progress if progress is None else progress
            bar = tqdm(total=len(todo), desc="LLM requests", disable=not show, leave=False)
            semaphore = asyncio.Semaphore(max(1, int(self.concurrency)))
            in_flight = 0
            sdk = openai.AsyncOpenAI(
                api_key=self._secret.get(),
                base_url=self.base_url,
                max_retries=0,
                timeout=self.timeout,
            )

            async def one(key: str, request: LLMRequest) -> None:
                nonlocal in_flight
                async with semaphore:
                    if self.cache is not None:
                        self.cache.mark_pending([key])
                    in_flight += 1
                    stats.max_in_flight = max(stats.max_in_flight, in_flight)
                    try:
                        body = await self._asend(sdk, request, key, stats)
                    except LLMError as err:
                        failures.append(err)
                        stats.failed += 1
                        return
                    finally:
                        in_flight -= 1
                        bar.update(1)
                    self._record(stats, key, request, body)
                    bodies[key] = body

            try:
                await asyncio.gather(*(one(k, r) for k, r in todo))
            finally:
                bar.close()
                await sdk.close()
        stats.elapsed = time.perf_counter() - start
        self.history_.append(stats)
        if failures:
            self._raise_failures(failures, len(todo), stats)
        responses = [
            LLMResponse(k, bodies[k], k in cached, r.meta)
            for k, r in zip(keys, requests, strict=True)
        ]
        return RunResult(responses, stats)


__all__ = ["LLMClient", "RunResult", "RunStats", "parse_retry_after"]
