"""Forced-choice parsing and JSON extraction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calib.errors import LLMResponseError
from calib.llm.parsing import LETTERS, extract_json_object, parse_choice

OPTS = ["Approve", "Disapprove"]
VOTE = ["Barack Obama", "Mitt Romney", "Someone else", "Did not vote"]


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("A", OPTS, 0),
        ("B", OPTS, 1),
        (" (B)", OPTS, 1),
        ("B. Disapprove", OPTS, 1),
        ("Answer: A", OPTS, 0),
        ("**B**", OPTS, 1),
        ("Disapprove", OPTS, 1),
        ("I approve of the job he is doing.", OPTS, 0),
        ("disapprove", OPTS, 1),
        ("A. Disapprove", OPTS, None),  # letter and text disagree
        ("Approve or disapprove, hard to say", OPTS, None),
        ("Approve. I do not disapprove.", OPTS, 0),
        ("C", OPTS, None),  # no such option
        ("", OPTS, None),
        ("a good question", OPTS, None),  # an article, not a letter
        ("D", VOTE, 3),
        ("I did not vote in 2012", VOTE, 3),
        ("Mitt Romney", VOTE, 1),
        ("Someone else entirely", VOTE, 2),
    ],
)
def test_parse_choice(text, options, expected):
    assert parse_choice(text, options) == expected


def test_longer_option_wins_over_contained_one():
    options = ["Approve", "Strongly approve"]
    assert parse_choice("Strongly approve", options) == 1
    assert parse_choice("approve", options) == 0


@given(
    st.lists(
        st.sampled_from(["Yes", "No", "Maybe", "Often", "Never", "Rarely"]),
        min_size=2,
        max_size=6,
        unique=True,
    ),
    st.data(),
)
def test_letters_and_option_texts_always_parse_to_their_option(options, data):
    i = data.draw(st.integers(0, len(options) - 1))
    assert parse_choice(LETTERS[i], options) == i
    assert parse_choice(f"{LETTERS[i]}) {options[i]}", options) == i
    assert parse_choice(options[i].upper(), options) == i


def test_extract_json_object():
    assert extract_json_object('x {"a": {"b": "}"}} y {"c": 1}') == {"a": {"b": "}"}}
    assert extract_json_object('```json\n{"AGE": "65+", "N": 2}\n```') == {"AGE": "65+", "N": 2}
    assert extract_json_object('{broken} then {"ok": true}') == {"ok": True}
    with pytest.raises(LLMResponseError, match="JSON"):
        extract_json_object('{"unterminated": 1')
