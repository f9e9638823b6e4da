"""Option probabilities from first-token log-probs (hand-computed), echo scoring, sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calib.llm.probabilities import (
    continuation_logprob,
    from_samples,
    from_sequence_logprobs,
    from_top_logprobs,
    match_token,
)

LABELS = [("A", "Approve"), ("B", "Disapprove")]


def lp(p: float) -> float:
    return math.log(p)


def test_hand_computed_masses_and_outside_mass():
    top = [(" A", lp(0.5)), ("A", lp(0.1)), ("B", lp(0.2)), ("Dis", lp(0.05)), ("The", lp(0.1))]
    probs = from_top_logprobs(top, LABELS)
    np.testing.assert_allclose(probs.mass, [0.6, 0.25])
    assert probs.outside_mass == pytest.approx(0.1)
    assert probs.unlisted_mass == pytest.approx(0.05)
    np.testing.assert_allclose(probs.probability, [0.6 / 0.85, 0.25 / 0.85])
    assert probs.complete


def test_absent_option_is_bounded_by_smallest_listed_not_zero():
    top = [("A", lp(0.9)), ("The", lp(0.04)), ("I", lp(0.03))]
    probs = from_top_logprobs(top, LABELS)
    assert not probs.complete
    assert probs.mass[1] == 0.0
    # the unlisted "B" token is at most the smallest listed probability (0.03) and at most the
    # unlisted mass (1 - 0.97 = 0.03)
    assert probs.upper[1] == pytest.approx(0.03)
    low, high = probs.probability_bounds
    assert low[1] == 0.0
    assert high[1] == pytest.approx(0.03 / (0.03 + 0.9))
    assert low[0] == pytest.approx(0.9 / (0.9 + 0.03))  # A at its lower, B at its upper
    assert high[0] == pytest.approx(1.0)


def test_ambiguous_prefix_is_reported_not_assigned():
    labels = [("A", "Apple"), ("B", "Apply")]
    probs = from_top_logprobs([("Appl", lp(0.4)), ("A", lp(0.5))], labels)
    assert probs.ambiguous_mass == pytest.approx(0.4)
    np.testing.assert_allclose(probs.mass, [0.5, 0.0])


def test_match_token_rules():
    assert match_token(" B", LABELS) == 1
    assert match_token("(A", LABELS) == 0
    assert match_token("Dis", LABELS) == 1
    assert match_token("App", LABELS) == 0
    assert match_token("\n", LABELS) is None
    assert match_token("Xyz", LABELS) is None


@given(st.lists(st.floats(0.001, 1.0), min_size=2, max_size=8))
def test_probability_bounds_bracket_point_and_normalise(weights):
    w = np.array(weights) / (sum(weights) * 1.25)  # leave 20% unlisted
    top = [(f"{chr(65 + i)}", math.log(x)) for i, x in enumerate(w[1:], start=1)]
    labels = [(chr(65 + i),) for i in range(len(w))]
    probs = from_top_logprobs(top, labels)  # option A never listed
    low, high = probs.probability_bounds
    point = probs.probability
    assert np.all(low <= point + 1e-12) and np.all(point <= high + 1e-12)
    assert point.sum() == pytest.approx(1.0)
    assert probs.upper[0] <= min(w[1:].min(), probs.unlisted_mass) + 1e-12


def test_echo_and_sampling():
    probs = from_sequence_logprobs([lp(0.3), lp(0.1), None])
    np.testing.assert_allclose(probs.probability, [0.75, 0.25, 0.0])
    assert probs.outside_mass == pytest.approx(0.6)
    counts = from_samples([0, 0, 1, None], 3)
    np.testing.assert_allclose(counts.mass, [0.5, 0.25, 0.0])
    assert counts.outside_mass == 0.25


def test_continuation_logprob_sums_the_option_tokens():
    prefix = "Q: x\nAnswer:"
    tokens = [
        ("Q", None, 0),
        (":", -1.0, 1),
        (" x", -2.0, 2),
        ("\n", -0.1, 4),
        ("Answer", -0.2, 5),
        (":", -0.3, 11),
        (" B", -0.7, 12),
    ]
    assert continuation_logprob(tokens, len(prefix), len(prefix) + 2) == pytest.approx(-0.7)
    assert continuation_logprob(tokens[:-1], len(prefix), len(prefix) + 2) is None
