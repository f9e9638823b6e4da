"""LLM client benchmarks: per-request overhead, requests in flight, cached replay.

Run: python benchmarks/llm/bench_client.py  (writes benchmarks/results/llm.md)

All against the scripted OpenAI-compatible server in calib.llm.testing on 127.0.0.1, side by
side with the plain ``openai`` SDK (what users would otherwise call). Targets from issue 7:
client overhead <= 2 ms per request over the server's own time, >= 64 requests in flight,
replaying 10,000 cached answers in < 2 s.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openai

from calib.llm import LLMClient, LLMRequest, ResponseCache, SamplingParams
from calib.llm.testing import FakeOpenAI

OUT = Path(__file__).resolve().parents[1] / "results" / "llm.md"


def chat(i: int) -> LLMRequest:
    return LLMRequest.chat(
        [{"role": "user", "content": f"question {i}"}],
        SamplingParams(temperature=0.0, max_tokens=4),
    )


def _best(fn, rounds: int = 3) -> tuple[float, float]:
    """Best of ``rounds`` (ms per request, server handler ms per request)."""
    results = [fn(r) for r in range(rounds)]
    return min(results)


def overhead(server: FakeOpenAI, n: int = 300) -> dict[str, float]:
    """Sequential requests (concurrency 1), best of 3 rounds per variant, variants interleaved.

    Wall time per request; the server's handler time per request is subtracted to give the
    client-side time (SDK + HTTP stack + calib).
    """
    body = chat(0).body("m")
    sdk = openai.OpenAI(api_key="x", base_url=server.base_url, max_retries=0)
    for _ in range(20):  # warm up connections
        sdk.chat.completions.create(**body)
    tmp = tempfile.TemporaryDirectory()
    counter = iter(range(10**9))

    def timed(run) -> tuple[float, float]:
        server.handle_seconds = 0.0
        t = time.perf_counter()
        run()
        return (time.perf_counter() - t) / n * 1e3, server.handle_seconds / n * 1e3

    def sdk_sync(_: int) -> tuple[float, float]:
        def run() -> None:
            for _ in range(n):
                sdk.chat.completions.with_raw_response.create(**{**body, "seed": next(counter)})

        return timed(run)

    def sdk_async(_: int) -> tuple[float, float]:
        async def go() -> None:
            ac = openai.AsyncOpenAI(api_key="x", base_url=server.base_url, max_retries=0)
            for _ in range(n):
                await ac.chat.completions.with_raw_response.create(
                    **{**body, "seed": next(counter)}
                )
            await ac.close()

        return timed(lambda: asyncio.run(go()))

    def calib_run(use_cache: bool):
        def variant(r: int) -> tuple[float, float]:
            cache = Path(tmp.name) / f"c{r}{use_cache}.sqlite" if use_cache else None
            client = LLMClient("m", server.base_url, concurrency=1, cache=cache, progress=False)
            requests = [chat(next(counter)) for _ in range(n)]
            return timed(lambda: client.run(requests))

        return variant

    variants = {
        "sdk_sync": sdk_sync,
        "sdk_async": sdk_async,
        "calib_nocache": calib_run(False),
        "calib_cache": calib_run(True),
    }
    rounds: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}
    for r in range(3):
        for name, fn in variants.items():
            rounds[name].append(fn(r))
    tmp.cleanup()
    out = {}
    for name, vals in rounds.items():
        wall, handler = min(vals)
        out[f"{name}_ms"], out[f"{name}_server_ms"] = wall, handler
    return out


def cache_work(n: int = 2000) -> dict[str, float]:
    """calib's own per-request work outside the SDK: key hash, pending mark, store."""
    answer = FakeOpenAI().chat_answer
    with tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(Path(tmp) / "c.sqlite")
        reqs = [chat(900_000 + i) for i in range(n)]
        t = time.perf_counter()
        keys = [r.key("m") for r in reqs]
        t_key = time.perf_counter() - t
        bodies = [r.body("m") for r in reqs]
        answers = [answer(b) for b in bodies]
        t = time.perf_counter()
        for k in keys:
            cache.mark_pending([k])
        t_pending = time.perf_counter() - t
        t = time.perf_counter()
        for k, b, a in zip(keys, bodies, answers, strict=True):
            cache.put(k, "m", b, a)
        t_put = time.perf_counter() - t
    return {"key_ms": t_key / n * 1e3, "pending_ms": t_pending / n * 1e3, "put_ms": t_put / n * 1e3}


def in_flight(server: FakeOpenAI, n: int = 640, delay: float = 0.25) -> dict[str, float]:
    server.delay = delay
    server.max_in_flight = 0
    client = LLMClient("m", server.base_url, concurrency=64, timeout=60, progress=False)
    result = client.run([chat(200_000 + i) for i in range(n)])
    server.delay = 0.0
    ideal = n / 64 * delay
    return {
        "n": n,
        "delay": delay,
        "server_peak": server.max_in_flight,
        "client_peak": result.stats.max_in_flight,
        "elapsed": result.stats.elapsed,
        "ideal": ideal,
    }


def replay(server: FakeOpenAI, n: int = 10_000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.sqlite"
        cache = ResponseCache(path)
        model = "m"
        requests = [chat(300_000 + i) for i in range(n)]
        for r in requests:  # fill the cache as a finished run would
            cache.put(r.key(model), model, r.body(model), server.chat_answer(r.body(model)))
        cache.close()
        client = LLMClient(model, server.base_url, cache=path, progress=False)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            result = client.run(requests)
            times.append(time.perf_counter() - t)
        assert result.stats.cache_hits == n and result.stats.sent == 0
        return {"n": n, "best": min(times), "median": statistics.median(times)}


def main() -> None:
    with FakeOpenAI() as server:
        o = overhead(server)
        w = cache_work()
        f = in_flight(server)
        r = replay(server)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    over_cache = o["calib_cache_ms"] - o["calib_cache_server_ms"]
    over_nocache = o["calib_nocache_ms"] - o["calib_nocache_server_ms"]
    lines = [
        "# LLM client benchmarks",
        "",
        f"`python benchmarks/llm/bench_client.py` on {platform.platform()}, Python "
        f"{sys.version.split()[0]}, openai {openai.__version__}; load average at the end "
        f"{load:.1f} on {os.cpu_count()} cores (other jobs were running: absolute times are "
        "noisy). Server: calib.llm.testing.FakeOpenAI (stdlib http.server, 127.0.0.1).",
        "",
        "## Per-request cost, one request at a time (300 requests, best of 3 interleaved rounds)",
        "",
        "| client | ms / request | server handler ms | client-side ms |",
        "|---|---|---|---|",
        f"| plain openai SDK, sync | {o['sdk_sync_ms']:.2f} | {o['sdk_sync_server_ms']:.2f} | "
        f"{o['sdk_sync_ms'] - o['sdk_sync_server_ms']:.2f} |",
        f"| plain openai SDK, async | {o['sdk_async_ms']:.2f} | "
        f"{o['sdk_async_server_ms']:.2f} | {o['sdk_async_ms'] - o['sdk_async_server_ms']:.2f} |",
        f"| calib LLMClient, no cache | {o['calib_nocache_ms']:.2f} | "
        f"{o['calib_nocache_server_ms']:.2f} | {over_nocache:.2f} |",
        f"| calib LLMClient, SQLite cache | {o['calib_cache_ms']:.2f} | "
        f"{o['calib_cache_server_ms']:.2f} | {over_cache:.2f} |",
        "",
        "Ratio to the plain async SDK (the same HTTP path): "
        f"x{o['calib_nocache_ms'] / o['sdk_async_ms']:.2f} "
        f"without cache, x{o['calib_cache_ms'] / o['sdk_async_ms']:.2f} with the cache. "
        f"calib's own work per request, measured alone (2,000 requests): key hash "
        f"{w['key_ms']:.3f} ms, pending mark {w['pending_ms']:.3f} ms, committed store "
        f"{w['put_ms']:.3f} ms; total {w['key_ms'] + w['pending_ms'] + w['put_ms']:.2f} ms. "
        f"calib's added time over the plain async SDK: "
        f"{o['calib_cache_ms'] - o['sdk_async_ms']:.2f} ms with cache; target <= 2 ms: "
        f"{'met' if o['calib_cache_ms'] - o['sdk_async_ms'] <= 2 else 'NOT met'}. The client-side "
        "column is dominated by the SDK and its HTTP stack (httpx2), which calib must use.",
        "",
        "## Requests in flight",
        "",
        f"{f['n']} requests, server sleeps {f['delay']} s each, concurrency=64: peak in flight "
        f"at the server {f['server_peak']}, at the client {f['client_peak']}; wall "
        f"{f['elapsed']:.2f} s vs ideal {f['ideal']:.2f} s (x{f['elapsed'] / f['ideal']:.2f}). "
        f"Target >= 64 in flight: {'met' if f['server_peak'] >= 64 else 'NOT met'}.",
        "",
        "## Replaying cached answers",
        "",
        f"{r['n']:,} answers in the SQLite cache, `client.run(requests)` with every answer "
        f"cached (keys hashed, bulk lookup, JSON decoded, responses built): best "
        f"{r['best']:.2f} s, median {r['median']:.2f} s of 3. Target < 2 s: "
        f"{'met' if r['best'] < 2 else 'NOT met'}.",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
