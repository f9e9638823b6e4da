"""ResponseCache: WAL mode, pending journal, import errors."""

from __future__ import annotations

import pytest

from calib.errors import DataError
from calib.llm import ResponseCache


def test_wal_mode_and_put_clears_pending(tmp_path):
    cache = ResponseCache(tmp_path / "x" / "c.sqlite")
    assert cache.journal_mode == "wal"
    cache.mark_pending(["k1", "k2"])
    assert sorted(cache.pending()) == ["k1", "k2"]
    cache.put("k1", "m", {"model": "m"}, {"usage": {"prompt_tokens": 3}}, cost=0.5)
    assert cache.pending() == ["k2"] and "k1" in cache and "k2" not in cache
    assert cache.totals() == {"answers": 1, "prompt_tokens": 3, "completion_tokens": 0, "cost": 0.5}


def test_a_second_connection_sees_committed_answers(tmp_path):
    a = ResponseCache(tmp_path / "c.sqlite")
    b = ResponseCache(tmp_path / "c.sqlite")
    a.put("k", "m", {}, {"choices": []})
    assert b.get("k") == {"choices": []}


def test_import_rejects_foreign_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"key": "k", "model": "m", "request": {}, "response": {}}\n{"oops": 1}\n')
    with pytest.raises(DataError, match="line 2"):
        ResponseCache(":memory:").import_jsonl(path)
