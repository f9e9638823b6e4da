"""Batch API path (files + batches on the scripted server) and the same job file run locally."""

from __future__ import annotations

import json

import pytest

from calib.errors import DataError
from calib.llm import LLMClient, LLMRequest, Pricing, ResponseCache, SamplingParams
from calib.llm.batch import (
    BatchRunner,
    read_batch_jsonl,
    run_batch_file_locally,
    write_batch_jsonl,
)


def requests(n: int) -> list[LLMRequest]:
    return [
        LLMRequest.chat(
            [{"role": "user", "content": f"question {i}"}], SamplingParams(temperature=0.0)
        )
        for i in range(n)
    ]


def test_batch_submit_poll_collect_by_custom_id(fake, tmp_path):
    fake.reply = lambda body: body["messages"][0]["content"].split()[-1]
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = LLMClient("m", fake.base_url, cache=cache, pricing=Pricing(2.0, 4.0))
    runner = BatchRunner(client, poll_interval=0.01)
    reqs = requests(6)
    result = runner.run(reqs)
    # the server returns lines in reverse order; answers still match their requests
    assert [r.text for r in result] == [str(i) for i in range(6)]
    assert len(fake.batches) == 1 and fake.received == 0  # nothing went through chat
    stats = result.stats
    assert stats.sent == 6 and stats.prompt_tokens == 12
    assert stats.cost == pytest.approx(0.5 * (12 * 2.0 + 6 * 4.0) / 1e6)  # batch discount
    again = runner.run(reqs)
    assert again.stats.cache_hits == 6 and len(fake.batches) == 1
    # the live client now finds these answers in the same cache
    assert client.run(reqs).stats.sent == 0


def test_an_interrupted_batch_is_resumed_not_resubmitted(fake, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = LLMClient("m", fake.base_url, cache=cache)
    reqs = requests(3)
    batch_id = BatchRunner(client).submit(reqs)  # then the process "dies" before polling
    fake.batch_polls_until_done = 1
    result = BatchRunner(client, poll_interval=0.01).run(reqs)
    assert len(fake.batches) == 1 and batch_id in fake.batches
    assert result.stats.resumed == 3 and result.stats.sent == 3


def test_same_job_file_runs_locally(fake, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    client = LLMClient("m", fake.base_url, cache=cache)
    reqs = requests(5) + requests(2)  # duplicates are written once
    path = write_batch_jsonl(reqs, "m", tmp_path / "jobs.jsonl")
    lines = read_batch_jsonl(path)
    assert len(lines) == 5 and lines[0].custom_id == reqs[0].key("m")
    result = run_batch_file_locally(path, client, output_path=tmp_path / "out.jsonl")
    assert result.stats.sent == 5 and fake.received == 5
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["custom_id"] for o in out] == [line.custom_id for line in lines]
    assert all(o["response"]["status_code"] == 200 for o in out)
    # answers stored under the custom_id = the request key: the client replays them for free
    assert client.run(reqs).stats.sent == 0


def test_bad_job_file_is_rejected(tmp_path):
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"custom_id": "a", "url": "/v1/embeddings", "body": {}}\n')
    with pytest.raises(DataError, match="line 1"):
        read_batch_jsonl(path)
