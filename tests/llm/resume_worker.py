"""Worker for test_llm_resume.py: runs N requests through a cached client and prints its stats.

Usage: python resume_worker.py BASE_URL CACHE_PATH N
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from calib.llm import LLMClient, LLMRequest, SamplingParams


def main() -> None:
    base_url, cache_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = LLMClient("m", base_url, cache=cache_path, concurrency=8, progress=False)
    requests = [
        LLMRequest.chat([{"role": "user", "content": f"item {i}"}], SamplingParams(seed=1))
        for i in range(n)
    ]
    stats = client.run(requests).stats
    print(json.dumps({k: v for k, v in asdict(stats).items() if k != "retry_delays"}))


if __name__ == "__main__":
    main()
