"""A run killed (SIGKILL, or Ctrl-C) mid-way and restarted loses no request, pays none twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calib.llm import ResponseCache

WORKER = Path(__file__).with_name("resume_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def start_worker(base_url: str, cache: Path, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, str(WORKER), base_url, str(cache), str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGINT"])  # kill -9, and Ctrl-C
def test_interrupted_run_resumes(fake, tmp_path, sig):
    n = 120
    fake.delay = 0.1  # 120 requests, 8 in flight: about 1.5 s, so the kill lands mid-run
    cache_path = tmp_path / "run.sqlite"
    first = start_worker(fake.base_url, cache_path, n)
    watcher = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if cache_path.exists():
            watcher = watcher or ResponseCache(cache_path)
            if len(watcher) >= n // 3:
                break
        if first.poll() is not None:
            pytest.fail(f"worker ended before it was killed: {first.communicate()}")
        time.sleep(0.02)
    first.send_signal(getattr(signal, sig))
    first.communicate()
    assert first.returncode != 0
    assert watcher is not None
    stored_at_kill = len(watcher)
    in_flight_at_kill = len(watcher.pending())
    assert 0 < stored_at_kill < n

    second = start_worker(fake.base_url, cache_path, n)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    stats = json.loads(out.strip().splitlines()[-1])
    assert stats["cache_hits"] >= stored_at_kill
    assert stats["cache_hits"] + stats["sent"] == n
    assert stats["resumed"] == in_flight_at_kill <= 8  # at most `concurrency` were in flight
    # nothing lost, nothing paid twice
    assert len(watcher) == n and watcher.pending() == []
    assert fake.n_paid == n
    keys = [h["idempotency-key"] for h in fake.headers_seen]
    assert len(set(keys)) == n
    # the only repeats on the wire are requests that were in flight at the kill
    assert len(keys) - n <= in_flight_at_kill
