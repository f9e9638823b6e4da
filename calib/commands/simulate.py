"""``calib simulate``: generate personas and simulate survey answers through an LLM endpoint.

``calib simulate --local-model`` starts the bundled SmolLM2-135M model under llama.cpp on
127.0.0.1 and runs the whole path offline.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from calib.datadir import shared_data_dir
from calib.errors import DataError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand."""
    p = subparsers.add_parser(
        "simulate",
        help="generate LLM personas (meta, tabular, descriptive tiers) and simulate answers",
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--local-model",
        action="store_true",
        help="serve the bundled SmolLM2-135M model with llama.cpp (no network)",
    )
    where.add_argument("--base-url", help="OpenAI-compatible endpoint (e.g. http://host/v1)")
    p.add_argument("--model", help="model name (required with --base-url)")
    p.add_argument("--questions", help="questions file (.toml/.json); default: Pew Dec 2013")
    p.add_argument(
        "--meta",
        help="meta personas CSV with persona_id; default: the recorded "
        "silicon_pew2013 meta personas from the data directory",
    )
    p.add_argument("--data-dir", help="raw data directory (default: $CALIB_DATA_DIR)")
    p.add_argument("--n-personas", type=int, default=4)
    p.add_argument("--tiers", default="meta,objective_table,subjective_table,descriptive")
    p.add_argument("--samples", type=int, default=2, help="samples per persona and question")
    p.add_argument("--method", choices=("logprobs", "echo", "sampling"), default="logprobs")
    p.add_argument("--temperature", type=float, default=0.7)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--persona-max-tokens", type=int, default=320)
    p.add_argument("--max-attempts", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--cache", default=".calib/llm_cache.sqlite", help="SQLite answer cache")
    p.add_argument("--out", default="responses.csv", help="tidy responses table (CSV)")
    p.add_argument("--personas-out", help="write generated personas here (JSON Lines)")
    p.add_argument(
        "--import-run",
        help="load a recorded run (JSONL) into the cache first, "
        "so its answers are replayed instead of requested",
    )
    p.add_argument("--export-run", help="write every cached answer to this JSONL file")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def _meta(args: argparse.Namespace) -> pd.DataFrame:
    if args.meta:
        path = Path(args.meta)
    else:
        base = shared_data_dir(args.data_dir, required=False)
        path = (base / "silicon_pew2013" / "meta_personas.csv") if base else Path("")
        if not path.is_file():
            raise DataError("no meta personas: pass --meta FILE.csv (persona_id plus variables)")
    frame = pd.read_csv(path, dtype=str)
    if "persona_id" not in frame.columns:
        raise DataError(f"{path}: the meta personas need a persona_id column")
    return frame.head(args.n_personas)


def run(args: argparse.Namespace) -> int:
    """Run generation and simulation, write the responses table, print a summary."""
    from calib.llm import LLMClient, SamplingParams, load_questions, pew2013_questions
    from calib.llm.local import LocalServer
    from calib.llm.workflow import run_simulation

    questions = load_questions(args.questions) if args.questions else pew2013_questions()
    meta = _meta(args)
    tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    server = None
    if args.local_model:
        print("starting the bundled SmolLM2-135M model under llama.cpp on 127.0.0.1 ...")
        server = LocalServer().start()
        base_url, model = server.base_url, server.model
    else:
        if not args.model:
            raise DataError("--model is required with --base-url")
        base_url, model = args.base_url, args.model
    try:
        client = LLMClient(
            model,
            base_url,
            cache=args.cache,
            concurrency=args.concurrency,
            params=SamplingParams(temperature=args.temperature, seed=args.seed),
            progress=not args.no_progress,
        )
        if args.import_run and client.cache is not None:
            print(f"imported {client.cache.import_jsonl(args.import_run)} answers")
        result = run_simulation(
            meta,
            questions,
            client,
            tiers=tiers,
            samples=args.samples,
            method=args.method,
            persona_params=SamplingParams(
                temperature=args.temperature, seed=args.seed, max_tokens=args.persona_max_tokens
            ),
            max_attempts=args.max_attempts,
            progress=not args.no_progress,
        )
    finally:
        if server is not None:
            server.stop()
    if args.export_run and client.cache is not None:
        n = client.cache.export_jsonl(args.export_run)
        print(f"exported {n} answers to {args.export_run}")
    result.responses.to_csv(args.out)
    if args.personas_out:
        with open(args.personas_out, "w", encoding="utf-8") as fh:
            for persona_set in result.personas.values():
                for rec in persona_set.records.to_dict("records"):
                    fh.write(json.dumps(rec, default=str) + "\n")
    print(result.summary())
    print("requests: " + client.total_stats().summary())
    print(
        f"responses table: {args.out} ({len(result.responses)} rows); cache: {args.cache} "
        f"({client.cache.totals()['answers'] if client.cache else 0} stored answers)"
    )
    return 0
