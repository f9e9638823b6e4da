"""A durable SQLite answer cache (WAL mode) that makes runs free to repeat and safe to kill.

Every answer is committed the moment it arrives, keyed by the request's hash
(:meth:`LLMRequest.key`). Before a request is sent its key is written to a ``pending`` journal;
after a crash (Ctrl-C, ``kill -9``) the next run finds the stored answers, sends only what is
missing, and reports how many requests were in flight when the process died. Those are re-sent
with the same ``Idempotency-Key`` header, so a server that honours it does not charge twice.

Only model outputs and request bodies are stored: never API keys or headers.

Examples
--------
>>> cache = ResponseCache(":memory:")
>>> cache.put("k1", "m", {"model": "m"}, {"choices": [{"message": {"content": "A"}}]})
>>> cache.get_many(["k1", "k2"])["k1"]["choices"][0]["message"]["content"]
'A'
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from calib.errors import DataError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'live',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, sent REAL NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    input_file_id TEXT,
    keys_hash TEXT NOT NULL,
    n_requests INTEGER NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL
);
"""


class ResponseCache:
    """Stored model answers keyed by request hash.

    Parameters
    ----------
    path : str or PathLike
        SQLite file (created with its folder if needed), or ``":memory:"``.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process (not a power cut) and is much faster.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"ResponseCache({self.path!r}, {len(self)} answers)"

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def __contains__(self, key: object) -> bool:
        row = self._conn.execute("SELECT 1 FROM responses WHERE key=?", (key,)).fetchone()
        return row is not None

    @property
    def journal_mode(self) -> str:
        return str(self._conn.execute("PRAGMA journal_mode").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    # --- answers -------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer body for ``key`` (or ``None``)."""
        row = self._conn.execute("SELECT response FROM responses WHERE key=?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Stored answers for the keys that have one (one query per 500 keys)."""
        out: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT key, response FROM responses WHERE key IN ({marks})", chunk
            )
            out.update((k, json.loads(v)) for k, v in rows)
        return out

    def put(
        self,
        key: str,
        model: str,
        request: dict[str, Any],
        response: dict[str, Any],
        cost: float = 0.0,
        source: str = "live",
    ) -> None:
        """Store one answer and clear its pending mark, in one committed transaction."""
        usage = response.get("usage") or {}
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    key,
                    model,
                    json.dumps(request, sort_keys=True),
                    json.dumps(response),
                    int(usage.get("prompt_tokens") or 0),
                    int(usage.get("completion_tokens") or 0),
                    float(cost),
                    source,
                    time.time(),
                ),
            )
            self._conn.execute("DELETE FROM pending WHERE key=?", (key,))
            self._conn.execute("COMMIT")

    # --- the in-flight journal -------------------------------------------------------------

    def mark_pending(self, keys: Iterable[str]) -> None:
        """Record that these requests are about to be sent."""
        now = time.time()
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO pending VALUES (?,?)", ((k, now) for k in keys)
            )

    def pending(self) -> list[str]:
        """Keys sent by an earlier run whose answers never arrived (it was interrupted)."""
        return [r[0] for r in self._conn.execute("SELECT key FROM pending")]

    def clear_pending(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._conn.executemany("DELETE FROM pending WHERE key=?", ((k,) for k in keys))

    # --- batches ----------------------------------------------------------------------------

    def record_batch(
        self, batch_id: str, input_file_id: str, keys_hash: str, n: int, status: str
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO batches VALUES (?,?,?,?,?,?)",
                (batch_id, input_file_id, keys_hash, n, status, time.time()),
            )

    def open_batch(self, keys_hash: str) -> str | None:
        """The id of a submitted, not yet collected batch for the same set of requests."""
        row = self._conn.execute(
            "SELECT batch_id FROM batches WHERE keys_hash=? AND status!='collected' "
            "ORDER BY created DESC",
            (keys_hash,),
        ).fetchone()
        return None if row is None else str(row[0])

    # --- accounting -------------------------------------------------------------------------

    def totals(self) -> dict[str, float]:
        """Answers stored, tokens and dollars paid for them, over the cache's whole life."""
        n, p, c, cost = self._conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(prompt_tokens),0), COALESCE(SUM(completion_tokens),0),"
            " COALESCE(SUM(cost),0) FROM responses"
        ).fetchone()
        return {"answers": n, "prompt_tokens": p, "completion_tokens": c, "cost": cost}

    # --- export / import ---------------------------------------------------------------------

    def iter_records(self) -> Iterator[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT key, model, request, response, cost, source FROM responses ORDER BY created"
        )
        for key, model, request, response, cost, source in rows:
            yield {
                "key": key,
                "model": model,
                "request": json.loads(request),
                "response": json.loads(response),
                "cost": cost,
                "source": source,
            }

    def export_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every stored answer as one JSON line; returns the number written."""
        n = 0
        with open(path, "w", encoding="utf-8") as fh:
            for record in self.iter_records():
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
        return n

    def import_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Load answers exported by :meth:`export_jsonl`; returns how many were new.

        Raises
        ------
        DataError
            If a line is not a JSON record with ``key``, ``model``, ``request`` and ``response``.
        """
        new = 0
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    key, model, request, response = (
                        rec["key"],
                        rec["model"],
                        rec["request"],
                        rec["response"],
                    )
                except (json.JSONDecodeError, KeyError, TypeError) as err:
                    raise DataError(
                        f"{path}: line {lineno} is not an exported answer record ({err}); "
                        "export runs with ResponseCache.export_jsonl"
                    ) from None
                if key in self:
                    continue
                self.put(key, model, request, response, cost=0.0, source="imported")
                new += 1
        return new


__all__ = ["ResponseCache"]
