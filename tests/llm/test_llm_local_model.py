"""The real client against a real model over real HTTP: SmolLM2-135M-Instruct under llama.cpp.

Assertions are about structure and invariants (tables well formed, probabilities valid,
determinism at temperature 0), not about the small model's opinions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.cli import main
from calib.llm import LLMClient, LLMRequest, Question, SamplingParams
from calib.llm.personas import generate_personas, meta_persona_set, sample_meta_personas
from calib.llm.simulate import simulate_survey
from calib.schema import Schema, Variable
from calib.target import Target

pytestmark = pytest.mark.llm_server

SCHEMA = Schema([Variable("sex", ("Male", "Female")), Variable("age", ("18-29", "65+"))])
QUESTIONS = [
    Question(
        "approve",
        "Do you approve of the way the president is handling his job?",
        ("Approve", "Disapprove"),
        context_date="December 2013",
    ),
    Question(
        "party",
        "Do you consider yourself a Republican, a Democrat or an independent?",
        ("Republican", "Democrat", "Independent"),
    ),
]


@pytest.fixture(scope="module")
def meta() -> pd.DataFrame:
    index = pd.MultiIndex.from_product(
        [SCHEMA["sex"].levels, SCHEMA["age"].levels], names=["sex", "age"]
    )
    target = Target.from_joint(pd.Series([1.0, 2.0, 3.0, 4.0], index=index), SCHEMA)
    return sample_meta_personas(target, n=1, seed=11)


def client_for(server, **kw) -> LLMClient:
    return LLMClient(server.model, server.base_url, timeout=120, **kw)


COMPACT_FIELDS = """
[[objective_table]]
name = "EDUCATION"
type = "choice"
values = ["High school graduate", "Bachelor's degree", "Graduate degree"]

[[objective_table]]
name = "HOUSEHOLD_SIZE"
type = "integer"
min = 1
max = 20

[[subjective_table]]
name = "PARTY"
type = "choice"
values = ["Democrat", "Republican", "Independent"]

[[subjective_table]]
name = "LIFESTYLE"
type = "text"
"""


@pytest.fixture(scope="module")
def compact_templates(tmp_path_factory) -> str:
    """The package's templates with a short field list: with --logits_all the server scores
    every prompt token, so the full 15-field prompts take minutes on a busy 2-core machine."""
    from importlib import resources

    folder = tmp_path_factory.mktemp("templates")
    for ref in resources.files("calib.llm").joinpath("templates").iterdir():
        if ref.name.endswith(".txt"):
            (folder / ref.name).write_text(ref.read_text(encoding="utf-8"))
    (folder / "persona_fields.v1.toml").write_text(COMPACT_FIELDS)
    return str(folder)


@pytest.mark.parametrize("tier", ["objective_table", "subjective_table", "descriptive"])
def test_each_tier_is_generated_validated_or_kept_invalid(
    llama_server, meta, compact_templates, tier
):
    client = client_for(llama_server)
    personas = generate_personas(
        meta,
        tier,
        client,
        max_attempts=1,
        min_words=20,
        template_dir=compact_templates,
        params=SamplingParams(
            temperature=0.0, seed=1, max_tokens=64 if tier == "descriptive" else 96
        ),
    )
    rec = personas.records.iloc[0]
    assert len(personas) == 1 and rec["attempts"] == 1 and rec["raw_text"].strip()
    if rec["valid"]:
        assert rec["errors"] == ""
        if tier == "descriptive":
            assert len(rec["text"].split()) >= 10
        else:
            assert rec["persona"]["SEX"] == meta.loc[0, "sex"]
    else:  # recorded, never dropped: the raw text and the problems are kept
        assert rec["errors"] and personas.invalid.shape[0] == 1


def test_survey_logprob_probabilities_and_determinism(llama_server, meta):
    def run() -> pd.DataFrame:
        client = client_for(llama_server, params=SamplingParams(temperature=0.0, seed=3))
        table = simulate_survey(
            meta_persona_set(meta, SCHEMA),
            QUESTIONS,
            client,
            samples=2,
            top_logprobs=8,
            max_attempts=1,
            params=SamplingParams(temperature=0.0, seed=3, max_tokens=3),
        )
        return table.to_frame()

    first = run()
    assert len(first) == 1 * (2 + 3) * 2
    assert set(first["method"]) == {"logprobs"}
    answers = first.groupby(["question", "sample"])
    for _, rows in answers:
        p = rows["probability"].to_numpy(dtype=float)
        if not np.isnan(p).all():  # some option among the listed tokens
            assert p.sum() == pytest.approx(1.0)
            assert np.all(rows["prob_lower"] <= p + 1e-9) and np.all(p <= rows["prob_upper"] + 1e-9)
        assert 0.0 <= rows["mass_outside"].iloc[0] <= 1.0
        assert rows["option_order"].nunique() == 1 and sorted(rows["position"]) == list(
            range(len(rows))
        )
    # counterbalanced: the second sample shows another order
    approve = first[first.question == "approve"]
    assert approve.groupby("sample")["option_order"].first().nunique() == 2
    second = run()  # temperature 0, no cache: the same answers and probabilities
    assert first["raw_text"].tolist() == second["raw_text"].tolist()
    np.testing.assert_allclose(first["probability"], second["probability"], atol=1e-6)


def test_echo_scoring_on_the_real_model(llama_server):
    client = client_for(llama_server)
    table = simulate_survey(
        {"p1": "About you: a retired farmer in Iowa."},
        QUESTIONS[:1],
        client,
        method="echo",
        max_attempts=1,
        params=SamplingParams(temperature=0.0, max_tokens=2),
    )
    p = table.to_frame()["probability"].to_numpy(dtype=float)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0) and (p > 0).all()


def test_concurrent_requests_to_the_real_server(llama_server):
    client = client_for(llama_server, concurrency=6)
    requests = [
        LLMRequest.chat(
            [{"role": "user", "content": f"Say {i}."}],
            SamplingParams(temperature=0.0, max_tokens=2),
        )
        for i in range(6)
    ]
    result = client.run(requests)
    assert result.stats.sent == 6 and result.stats.max_in_flight == 6
    assert all(r.completion_tokens >= 1 for r in result)


def test_cli_simulate_local_model_then_offline_replay(tmp_path, meta):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python[server] is not installed")
    meta_path = tmp_path / "meta.csv"
    meta.to_csv(meta_path, index=False)
    questions = tmp_path / "q.toml"
    questions.write_text(
        '[[question]]\nid = "approve"\ntext = "Do you approve?"\n'
        'options = ["Approve", "Disapprove"]\n'
    )
    common = [
        "--meta",
        str(meta_path),
        "--questions",
        str(questions),
        "--tiers",
        "meta",
        "--samples",
        "1",
        "--max-attempts",
        "1",
        "--no-progress",
    ]
    out = tmp_path / "responses.csv"
    code = main(
        [
            "simulate",
            "--local-model",
            *common,
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--out",
            str(out),
            "--export-run",
            str(tmp_path / "run.jsonl"),
        ]
    )
    assert code == 0
    frame = pd.read_csv(out)
    assert len(frame) == 2 and set(frame["option"]) == {"Approve", "Disapprove"}
    assert set(frame["tier"]) == {"meta"}
    # replay the exported run offline into a fresh cache: nothing listens on port 9
    replay = tmp_path / "replay.csv"
    offline = ["--base-url", "http://127.0.0.1:9/v1", "--model", "smollm2-135m-instruct"]
    code = main(
        [
            "simulate",
            *offline,
            *common,
            "--cache",
            str(tmp_path / "new.sqlite"),
            "--import-run",
            str(tmp_path / "run.jsonl"),
            "--out",
            str(replay),
        ]
    )
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_csv(replay), frame)
