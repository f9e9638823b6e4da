"""LLMClient against the scripted loopback server: retries, timeouts, concurrency, caching,
accounting, sync and async paths, and that the API key never leaks."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from calib.errors import LLMError, LLMTransportError
from calib.llm import LLMClient, LLMRequest, Pricing, ResponseCache, SamplingParams
from calib.llm.client import parse_retry_after


def chat(text: str, **params) -> LLMRequest:
    return LLMRequest.chat([{"role": "user", "content": text}], SamplingParams(**params))


def test_retry_after_header_is_honoured_and_429_500_retried(fake):
    fake.script = [
        {"status": 429, "headers": {"Retry-After": "0.2"}},
        {"status": 503},
        {"status": 429, "headers": {"retry-after-ms": "150"}},
    ]
    client = LLMClient("m", fake.base_url, backoff_base=0.01, jitter_seed=0)
    result = client.run([chat("hello")])
    assert result.responses[0].text == "A"
    stats = result.stats
    assert stats.retries == 3 and stats.sent == 1 and fake.received == 4
    # the Retry-After waits are at least what the server asked for (plus at most 10% jitter)
    assert 0.2 <= stats.retry_delays[0] <= 0.22
    assert 0.01 <= stats.retry_delays[1] <= 0.02  # no header: 0.01 * 2**1 * jitter in [.5, 1]
    assert 0.15 <= stats.retry_delays[2] <= 0.165


def test_backoff_is_exponential_with_jitter():
    client = LLMClient(
        "m", "http://127.0.0.1:9/v1", backoff_base=1.0, backoff_max=8.0, jitter_seed=3
    )
    import openai

    err = openai.APIConnectionError(request=None)  # type: ignore[arg-type]
    delays = [client._retry_delay(err, attempt) for attempt in range(6)]
    for attempt, delay in enumerate(delays):
        cap = min(8.0, 2.0**attempt)
        assert 0.5 * cap <= delay <= cap
    assert len(set(delays)) == len(delays)  # jittered


def test_timeout_is_retried(fake):
    fake.script = [{"sleep": 1.5}]
    client = LLMClient("m", fake.base_url, timeout=0.4, backoff_base=0.01)
    result = client.run([chat("slow")])
    assert result.stats.retries == 1 and result.responses[0].text == "A"


def test_client_errors_are_not_retried_and_retries_are_bounded(fake):
    fake.script = [{"status": 400, "message": "bad parameter"}]
    client = LLMClient("m", fake.base_url, max_retries=2, backoff_base=0.001)
    with pytest.raises(LLMTransportError, match="HTTP 400") as info:
        client.run([chat("x")])
    assert fake.received == 1 and info.value.failures[0].status_code == 400
    fake.script = [{"status": 500}] * 3
    with pytest.raises(LLMTransportError, match="after 3 attempt"):
        client.run([chat("y")])
    assert fake.received == 4


def test_at_least_64_requests_in_flight(fake):
    fake.delay = 0.5
    client = LLMClient("m", fake.base_url, concurrency=80, timeout=30)
    result = client.run([chat(f"q{i}") for i in range(160)])
    assert len(result) == 160
    assert fake.max_in_flight >= 64
    assert result.stats.max_in_flight == 80


def test_cache_makes_a_rerun_free_and_duplicates_are_sent_once(fake, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = LLMClient("m", fake.base_url, cache=cache, pricing=Pricing(1.0, 2.0))
    requests = [chat(f"q{i % 5}") for i in range(10)]
    first = client.run(requests)
    assert fake.received == 5 and first.stats.sent == 5 and first.stats.n_unique == 5
    # the fake counts words: prompt "qN" is one token, completion one token
    assert first.stats.prompt_tokens == 5 and first.stats.completion_tokens == 5
    assert first.stats.cost == pytest.approx((5 * 1.0 + 5 * 2.0) / 1e6)
    again = LLMClient("m", fake.base_url, cache=tmp_path / "c.sqlite").run(requests)
    assert fake.received == 5
    assert again.stats.sent == 0 and again.stats.cache_hits == 5 and again.stats.cost == 0
    assert [r.text for r in again] == [r.text for r in first]
    assert all(r.cached for r in again)
    assert cache.totals()["answers"] == 5


def test_cache_key_covers_model_params_and_sample():
    base = chat("q", temperature=0.0)
    keys = {
        base.key("m"),
        base.key("other-model"),
        chat("q", temperature=0.5).key("m"),
        base.with_sample(1).key("m"),
        chat("q ").key("m"),
    }
    assert len(keys) == 5
    assert base.key("m") == chat("q", temperature=0.0).key("m")


def test_seed_shifts_with_sample_index(fake):
    client = LLMClient("m", fake.base_url)
    req = chat("q", seed=10, temperature=1.0)
    client.run([req, req.with_sample(1), req.with_sample(2)])
    assert sorted(b["seed"] for b in fake.requests_seen) == [10, 11, 12]


def test_sync_and_async_paths_give_the_same_answer(fake):
    fake.reply = lambda body: body["messages"][-1]["content"].upper()
    client = LLMClient("m", fake.base_url)
    assert client.complete(chat("abc")).text == "ABC"
    assert asyncio.run(client.acomplete(chat("def"))).text == "DEF"

    async def inside_loop():
        with pytest.raises(LLMError, match="arun"):
            client.run([chat("x")])
        return await client.arun([chat("x"), chat("y")])

    assert [r.text for r in asyncio.run(inside_loop())] == ["X", "Y"]


def test_api_key_never_leaks(fake, tmp_path, monkeypatch, caplog):
    secret = "sk-test-SECRETKEY1234567890abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    fake.expected_key = secret
    cache = ResponseCache(tmp_path / "c.sqlite")
    caplog.set_level(logging.DEBUG)
    client = LLMClient("m", fake.base_url, cache=cache)
    client.run([chat("ok")])
    assert fake.headers_seen[0]["authorization"] == f"Bearer {secret}"
    # a wrong key: the server echoes it in its error body; our error must not show it
    wrong = "sk-wrong-ANOTHERSECRET987654321zyx"
    bad = LLMClient("m", fake.base_url, api_key=wrong, cache=cache)
    with pytest.raises(LLMTransportError) as info:
        bad.run([chat("no")])
    for text in (str(info.value), repr(info.value), repr(bad), repr(client), caplog.text):
        assert secret not in text and wrong not in text
        assert "SECRET" not in text
    cache.export_jsonl(tmp_path / "run.jsonl")
    cache.close()
    for path in (tmp_path / "c.sqlite", tmp_path / "run.jsonl"):
        blob = path.read_bytes()
        assert secret.encode() not in blob and b"SECRET" not in blob
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(client)


def test_api_key_from_config_file(fake, tmp_path, monkeypatch):
    secret = "sk-config-FILEKEY12345678"
    config = tmp_path / "llm.toml"
    config.write_text(f'api_key = "{secret}"\n')
    monkeypatch.setenv("CALIB_LLM_CONFIG", str(config))
    fake.expected_key = secret
    assert LLMClient("m", fake.base_url).complete(chat("x")).text == "A"
    assert secret not in repr(LLMClient("m", fake.base_url))


def test_remote_endpoint_without_key_says_where_to_put_it():
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        LLMClient("gpt-4o-mini", "https://api.example.invalid/v1")


def test_idempotency_key_is_the_request_key(fake):
    client = LLMClient("m", fake.base_url)
    req = chat("q")
    client.run([req])
    assert fake.headers_seen[0]["idempotency-key"] == req.key("m")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(headers) == expected


def test_export_import_roundtrip(fake, tmp_path):
    source = ResponseCache(tmp_path / "a.sqlite")
    client = LLMClient("m", fake.base_url, cache=source)
    requests = [chat(f"q{i}") for i in range(4)]
    client.run(requests)
    assert source.export_jsonl(tmp_path / "run.jsonl") == 4
    records = [json.loads(x) for x in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert {r["key"] for r in records} == {r.key("m") for r in requests}
    target = ResponseCache(tmp_path / "b.sqlite")
    assert target.import_jsonl(tmp_path / "run.jsonl") == 4
    assert target.import_jsonl(tmp_path / "run.jsonl") == 0
    replay = LLMClient("m", "http://127.0.0.1:9/v1", cache=target).run(requests)  # offline
    assert replay.stats.sent == 0 and [r.text for r in replay] == ["A"] * 4


def test_json_mode_and_params_in_the_body():
    body = chat("q", temperature=0.0, top_p=0.9, max_tokens=5, json_mode=True).body("m")
    assert body["response_format"] == {"type": "json_object"}
    assert body["temperature"] == 0.0 and body["top_p"] == 0.9 and body["max_tokens"] == 5
    assert "response_format" not in chat("q").body("m")
    params = SamplingParams(temperature=0.0, logprobs=True, top_logprobs=3)
    assert params.to_dict() == {"temperature": 0.0, "logprobs": True, "top_logprobs": 3}
    completion = LLMRequest.completion("x", params, echo=True).body("m")
    assert completion["logprobs"] == 3 and completion["echo"] is True
