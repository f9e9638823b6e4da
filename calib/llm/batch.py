"""Batch jobs: the OpenAI Batch API (files + batches) and the same job format run locally.

A job file is JSON Lines, one request per line, in the Batch API's input format::

    {"custom_id": "<request key>", "method": "POST", "url": "/v1/chat/completions",
     "body": {"model": ..., "messages": [...], ...}}

The ``custom_id`` is the request's cache key, so answers collected from a batch, answers from a
local run of the same file, and answers from :meth:`LLMClient.run` all land in the same cache.
Batch output comes back in any order and is matched by ``custom_id``. A submitted batch is
recorded in the cache before polling starts, so an interrupted run resumes polling that batch
instead of paying for a second one.

Examples
--------
>>> from calib.llm import LLMRequest
>>> lines = batch_lines([LLMRequest.chat([{"role": "user", "content": "Hi"}])], "m")
>>> lines[0]["url"], lines[0]["body"]["model"]
('/v1/chat/completions', 'm')
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai

from calib.errors import DataError, LLMError, LLMTransportError
from calib.llm.cache import ResponseCache
from calib.llm.client import LLMClient, RunResult, RunStats
from calib.llm.config import redact
from calib.llm.request import ENDPOINT_PATHS, LLMRequest, LLMResponse

_URL_ENDPOINT = {v: k for k, v in ENDPOINT_PATHS.items()}
FINAL_STATES = {"completed", "failed", "expired", "cancelled"}


def batch_lines(requests: Sequence[LLMRequest], model: str) -> list[dict[str, Any]]:
    """Batch API input lines for ``requests`` (duplicates dropped, ``custom_id`` = key)."""
    seen: dict[str, dict[str, Any]] = {}
    for r in requests:
        key = r.key(model)
        if key not in seen:
            seen[key] = {
                "custom_id": key,
                "method": "POST",
                "url": ENDPOINT_PATHS[r.endpoint],
                "body": r.body(model),
            }
    return list(seen.values())


def write_batch_jsonl(
    requests: Sequence[LLMRequest], model: str, path: str | os.PathLike[str]
) -> Path:
    """Write the job file; returns its path."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        for line in batch_lines(requests, model):
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


@dataclass(frozen=True)
class BatchLine:
    """One line of a job file, usable wherever the client expects a request."""

    custom_id: str
    url: str
    payload: dict[str, Any] = field(hash=False)
    meta: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def endpoint(self) -> str:
        return _URL_ENDPOINT[self.url]

    def key(self, model: str) -> str:
        """The cache key (the line's ``custom_id``)."""
        return self.custom_id

    def body(self, model: str) -> dict[str, Any]:
        """The request body as written in the file (its own model name is kept)."""
        return dict(self.payload)


def read_batch_jsonl(path: str | os.PathLike[str]) -> list[BatchLine]:
    """Read a job file.

    Raises
    ------
    DataError
        If a line is not a Batch API request line for a supported endpoint.
    """
    out = []
    with open(path, encoding="utf-8") as fh:
        for lineno, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                rec = json.loads(text)
                line = BatchLine(str(rec["custom_id"]), str(rec["url"]), dict(rec["body"]))
                _ = line.endpoint
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise DataError(
                    f"{path}: line {lineno} is not a batch request line ({err}); "
                    f"supported urls: {sorted(_URL_ENDPOINT)}"
                ) from None
            out.append(line)
    return out


def run_batch_file_locally(
    path: str | os.PathLike[str],
    client: LLMClient,
    output_path: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> RunResult:
    """Run a job file through ``client`` with its concurrency, retries and cache.

    For endpoints without a batch API (vLLM, Ollama, llama.cpp). With ``output_path`` the
    answers are also written in the Batch API's output format.
    """
    lines = read_batch_jsonl(path)
    result = client.run(lines, progress=progress)  # type: ignore[arg-type]
    if output_path is not None:
        with open(output_path, "w", encoding="utf-8") as fh:
            for line, response in zip(lines, result.responses, strict=True):
                fh.write(
                    json.dumps(
                        {
                            "id": f"local-{line.custom_id[:12]}",
                            "custom_id": line.custom_id,
                            "response": {"status_code": 200, "body": response.body},
                            "error": None,
                        }
                    )
                    + "\n"
                )
    return result


class BatchRunner:
    """Run requests through the OpenAI Batch API, resuming and collecting by ``custom_id``.

    Parameters
    ----------
    client : LLMClient
        Supplies model, endpoint, key and cache (a cache is required: it records the batch).
    poll_interval : float, default=30.0
    completion_window : str, default="24h"
    max_wait : float, optional
        Give up polling after this many seconds (the batch stays recorded; rerun to resume).
    """

    def __init__(
        self,
        client: LLMClient,
        poll_interval: float = 30.0,
        completion_window: str = "24h",
        max_wait: float | None = None,
    ):
        self.client = client
        self.poll_interval = poll_interval
        self.completion_window = completion_window
        self.max_wait = max_wait

    def _sdk(self) -> openai.OpenAI:
        return self.client._openai()

    def _wrap(self, err: Exception, what: str) -> LLMTransportError:
        return LLMTransportError(redact(f"batch {what} failed: {err}", self.client._secret))

    def submit(self, requests: Sequence[LLMRequest]) -> str:
        """Upload the job file and create the batch; returns the batch id (recorded)."""
        cache = self._require_cache()
        lines = batch_lines(requests, self.client.model)
        urls = {line["url"] for line in lines}
        if len(urls) != 1:
            raise DataError(f"a batch holds requests for one endpoint; got {sorted(urls)}")
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
        try:
            uploaded = self._sdk().files.create(file=("calib-batch.jsonl", data), purpose="batch")
            batch = self._sdk().batches.create(
                input_file_id=uploaded.id,
                endpoint=urls.pop(),
                completion_window=self.completion_window,
            )
        except openai.APIError as err:
            raise self._wrap(err, "submission") from None
        cache.record_batch(batch.id, uploaded.id, _keys_hash(lines), len(lines), batch.status)
        return batch.id

    def _require_cache(self) -> ResponseCache:
        if self.client.cache is None:
            raise LLMError("batch runs need a client with a cache (it records the batch id)")
        return self.client.cache

    def wait(self, batch_id: str) -> Any:
        """Poll until the batch reaches a final state; returns the batch object."""
        start = time.monotonic()
        while True:
            try:
                batch = self._sdk().batches.retrieve(batch_id)
            except openai.APIError as err:
                raise self._wrap(err, f"{batch_id} polling") from None
            if batch.status in FINAL_STATES:
                return batch
            if self.max_wait is not None and time.monotonic() - start > self.max_wait:
                raise LLMTransportError(
                    f"batch {batch_id} still {batch.status!r} after {self.max_wait:g} s; it is "
                    "recorded in the cache: run again to resume polling it"
                )
            time.sleep(self.poll_interval)

    def collect(self, batch_id: str) -> dict[str, dict[str, Any]]:
        """Download the output, store every answer in the cache, return bodies by custom_id."""
        cache = self._require_cache()
        batch = self.wait(batch_id)
        if batch.status != "completed" or not batch.output_file_id:
            raise LLMTransportError(f"batch {batch_id} ended as {batch.status!r} with no output")
        try:
            text = self._sdk().files.content(batch.output_file_id).text
        except openai.APIError as err:
            raise self._wrap(err, f"{batch_id} download") from None
        bodies: dict[str, dict[str, Any]] = {}
        failed: list[str] = []
        for raw in text.splitlines():
            if not raw.strip():
                continue
            rec = json.loads(raw)
            response = rec.get("response") or {}
            if rec.get("error") or response.get("status_code") != 200:
                failed.append(str(rec.get("custom_id")))
                continue
            body = response["body"]
            usage = body.get("usage") or {}
            cost = self.client.pricing.cost(
                int(usage.get("prompt_tokens") or 0),
                int(usage.get("completion_tokens") or 0),
                batch=True,
            )
            cache.put(
                rec["custom_id"],
                self.client.model,
                {"batch_id": batch_id},
                body,
                cost=cost,
                source="batch",
            )
            bodies[str(rec["custom_id"])] = body
        cache.record_batch(batch_id, batch.input_file_id, "", 0, "collected")
        if failed:
            raise LLMTransportError(
                f"batch {batch_id}: {len(failed)} request(s) failed (e.g. {failed[:3]}); the "
                f"{len(bodies)} answers are cached, run again to send the rest"
            )
        return bodies

    def run(self, requests: Sequence[LLMRequest]) -> RunResult:
        """Cached answers first; the rest through one batch (resumed if already submitted)."""
        cache = self._require_cache()
        start = time.perf_counter()
        model = self.client.model
        keys = [r.key(model) for r in requests]
        stats = RunStats(n_requests=len(requests), n_unique=len(set(keys)))
        bodies = cache.get_many(keys)
        stats.cache_hits = len(bodies)
        cached = set(bodies)
        missing = [r for r, k in zip(requests, keys, strict=True) if k not in bodies]
        if missing:
            lines = batch_lines(missing, model)
            batch_id = cache.open_batch(_keys_hash(lines))
            if batch_id is not None:
                stats.resumed = len(lines)
            else:
                batch_id = self.submit(missing)
            new = self.collect(batch_id)
            bodies.update(new)
            for body in new.values():
                usage = body.get("usage") or {}
                stats.sent += 1
                stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
                stats.completion_tokens += int(usage.get("completion_tokens") or 0)
            stats.cost = self.client.pricing.cost(
                stats.prompt_tokens, stats.completion_tokens, batch=True
            )
        stats.elapsed = time.perf_counter() - start
        responses = [
            LLMResponse(k, bodies[k], k in cached, r.meta)
            for k, r in zip(keys, requests, strict=True)
        ]
        return RunResult(responses, stats)


def _keys_hash(lines: Sequence[dict[str, Any]]) -> str:
    joined = "\n".join(sorted(str(line["custom_id"]) for line in lines))
    return hashlib.sha256(joined.encode()).hexdigest()


__all__ = [
    "BatchLine",
    "BatchRunner",
    "batch_lines",
    "read_batch_jsonl",
    "run_batch_file_locally",
    "write_batch_jsonl",
]
