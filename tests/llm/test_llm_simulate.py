"""Survey simulation against the scripted server: exact log-prob probabilities, counterbalanced
orders, K samples, re-asks of unreadable answers, echo scoring and sampling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.llm import LLMClient, Question, SamplingParams, load_questions, pew2013_questions
from calib.llm.personas import meta_persona_set
from calib.llm.responses import COLUMNS, ResponsesTable
from calib.llm.simulate import presented_order, simulate_survey

Q = Question("approve", "Do you approve?", ("Approve", "Disapprove"), context_date="2013")
Q3 = Question("party", "Party?", ("Republican", "Democrat", "Independent"))
META = pd.DataFrame({"persona_id": ["p1", "p2"], "sex": ["Male", "Female"]})


def test_logprob_probabilities_follow_the_presented_order(fake):
    # the model always puts 0.7 on letter "B" and 0.2 on " A", 0.1 on other tokens
    fake.top_logprobs = [("B", math.log(0.7)), (" A", math.log(0.2)), ("So", math.log(0.1))]
    fake.reply = lambda body: "B"
    client = LLMClient("m", fake.base_url, params=SamplingParams(temperature=0.0))
    table = simulate_survey(meta_persona_set(META), [Q], client, samples=2)
    f = table.to_frame()
    assert list(f.columns) == list(COLUMNS) and len(f) == 2 * 2 * 2
    s0 = f[(f.persona_id == "p1") & (f["sample"] == 0)].set_index("option")
    s1 = f[(f.persona_id == "p1") & (f["sample"] == 1)].set_index("option")
    # sample 0 shows (Approve, Disapprove): B = Disapprove; sample 1 is rotated: B = Approve
    assert s0.loc["Disapprove", "probability"] == pytest.approx(0.7 / 0.9)
    assert s1.loc["Approve", "probability"] == pytest.approx(0.7 / 0.9)
    assert s0.loc["Disapprove", "chosen"] and s1.loc["Approve", "chosen"]
    assert s0.loc["Approve", "option_order"] == "Approve | Disapprove"
    assert s1.loc["Approve", "option_order"] == "Disapprove | Approve"
    assert s1.loc["Approve", "position"] == 1
    np.testing.assert_allclose(f["mass_outside"], 0.1)
    assert (f["method"] == "logprobs").all() and (f["tier"] == "meta").all()
    sent = fake.requests_seen[0]
    assert sent["logprobs"] is True and sent["top_logprobs"] == 10 and sent["temperature"] == 0
    assert "2013" in sent["messages"][0]["content"]
    # counterbalanced: over the two samples each option gets 0.5 * (0.7 + 0.2) / 0.9
    shares = table.option_shares().set_index("option")["share"]
    assert shares["Approve"] == pytest.approx(0.5)


def test_unreadable_answers_are_reasked_then_kept_invalid(fake):
    def reply(body):
        if "Female" in body["messages"][0]["content"]:
            return "Hmm, hard to say."
        return "Well..." if len(body["messages"]) == 2 else "A"

    fake.reply = reply
    client = LLMClient("m", fake.base_url)
    table = simulate_survey(meta_persona_set(META), [Q], client, method="sampling", max_attempts=3)
    choices = table.choices().set_index("persona_id")
    assert choices.loc["p1", "option"] == "Approve" and choices.loc["p1", "valid"]
    assert not choices.loc["p2", "valid"] and pd.isna(choices.loc["p2", "option"])
    assert choices.loc["p2", "raw_text"] == "Hmm, hard to say."
    assert fake.received == 2 + 3
    f = table.to_frame()
    assert f.loc[f.persona_id == "p2", "probability"].isna().all()
    assert table.invalid_share() == 0.5


def test_echo_scoring_gives_exact_option_probabilities(fake):
    # echo log-prob of the letter token: " A" -> log 0.6, " B" -> log 0.2
    fake.echo_logprobs = lambda tok: {" A": math.log(0.6), " B": math.log(0.2)}.get(tok, -0.5)
    client = LLMClient("m", fake.base_url)
    table = simulate_survey({"p1": "About you: farmer."}, [Q], client, method="echo")
    f = table.to_frame().set_index("option")
    assert f.loc["Approve", "probability"] == pytest.approx(0.75)
    assert f.loc["Disapprove", "probability"] == pytest.approx(0.25)
    assert (f["method"] == "echo").all() and (f["tier"] == "custom").all()
    echo_bodies = [b for b in fake.requests_seen if "prompt" in b]
    assert len(echo_bodies) == 2 and all(b["echo"] for b in echo_bodies)


def test_sampling_k_draws_with_shuffled_orders(fake):
    fake.reply = lambda body: "Democrat"
    client = LLMClient("m", fake.base_url, params=SamplingParams(temperature=1.0, seed=5))
    table = simulate_survey(
        {"p1": "x"}, [Q3], client, samples=6, method="sampling", counterbalance="shuffle"
    )
    f = table.to_frame()
    assert sorted(f["sample"].unique()) == list(range(6))
    per_sample = f.groupby("sample")["probability"].sum()
    assert (per_sample == 1.0).all()
    assert (f.loc[f.chosen, "option"] == "Democrat").all()
    assert f["option_order"].nunique() > 1  # orders vary across samples
    assert sorted(b["seed"] for b in fake.requests_seen) == [5, 6, 7, 8, 9, 10]


def test_presented_order_schemes():
    assert presented_order(4, 0, "auto", ordinal=True) == [0, 1, 2, 3]
    assert presented_order(4, 1, "auto", ordinal=True) == [3, 2, 1, 0]
    assert presented_order(4, 2, "auto") == [2, 3, 0, 1]
    a = presented_order(5, 3, "shuffle", salt="p1|q")
    assert sorted(a) == list(range(5)) and a == presented_order(5, 3, "shuffle", salt="p1|q")
    with pytest.raises(DataError):
        presented_order(3, 0, "zigzag")


def test_questions_load_from_toml_and_json(tmp_path):
    toml = tmp_path / "q.toml"
    toml.write_text('[[question]]\nid = "a"\ntext = "A?"\noptions = ["x", "y"]\nordinal = true\n')
    assert load_questions(toml)[0].ordinal
    js = tmp_path / "q.json"
    js.write_text('[{"id": "a", "text": "A?", "options": ["x", "y"]}]')
    assert load_questions(js)[0].options == ("x", "y")
    js.write_text('[{"id": "a", "text": "A?", "options": ["x", "x"]}]')
    with pytest.raises(DataError, match="distinct"):
        load_questions(js)
    assert [q.id for q in pew2013_questions()] == [
        "obama_approval",
        "aca_approval",
        "party",
        "vote2012",
    ]


def test_responses_table_csv_roundtrip(fake, tmp_path):
    table = simulate_survey({"p1": "x"}, [Q], LLMClient("m", fake.base_url), method="sampling")
    table.to_csv(tmp_path / "r.csv")
    back = ResponsesTable.read_csv(tmp_path / "r.csv").to_frame()
    assert len(back) == len(table)
    np.testing.assert_allclose(back["probability"], table.to_frame()["probability"])


def test_logprobs_come_from_the_first_ask_even_after_a_reask(fake):
    fake.top_logprobs = [("A", math.log(0.8)), ("B", math.log(0.1))]
    fake.reply = lambda body: "Hmm" if len(body["messages"]) == 2 else "B"
    table = simulate_survey({"p1": "x"}, [Q], LLMClient("m", fake.base_url), max_attempts=2)
    f = table.to_frame().set_index("option")
    assert f.loc["Disapprove", "chosen"] and f.loc["Disapprove", "raw_text"] == "B"
    assert f.loc["Approve", "probability"] == pytest.approx(0.8 / 0.9)
