"""Duplicates, support gaps and text statistics against hand counts and closed forms."""

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from calib.diagnostics.pathologies import duplicate_stats, support_gaps, text_stats


def test_duplicates_hand_counted():
    codes = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 1, 0], [2, 2, 2]])
    d = duplicate_stats(codes)
    assert d["exact_duplicate_share"] == pytest.approx(2 / 5)
    assert d["max_multiplicity"] == 3 and d["distinct_rows"] == 3
    assert d["near_duplicate_share"] == pytest.approx(4 / 5)  # (2,2,2) is 3 variables away


def test_expected_duplicates_closed_form():
    # n draws from m equally likely cells: E[distinct] = m (1 - (1 - 1/m)^n)
    m, n = 20, 50
    codes = np.arange(n)[:, None] % m
    d = duplicate_stats(codes, np.full(m, 1 / m), [m])
    assert d["expected_duplicate_share"] == pytest.approx(1 - m * (1 - (1 - 1 / m) ** n) / n)


def test_support_gaps_ranked_by_target_mass():
    g = support_gaps(np.array([5.0, 0.0, 0.0, 1.0]), np.array([1.0, 2.0, 3.0, 4.0]), list("abcd"))
    assert g["cell"].tolist() == ["c", "b"]
    assert g["target_share"].tolist() == pytest.approx([0.3, 0.2])


def test_text_stats_match_vader_and_hand_counts():
    texts = [
        "I love my wonderful family!",
        "Works as an accountant in Ohio.",
        "i love my wonderful family",
    ]
    s = text_stats(pd.Series(texts))
    vader = SentimentIntensityAnalyzer()
    compound = np.mean([vader.polarity_scores(t)["compound"] for t in texts])
    assert s["mean_compound"] == pytest.approx(compound)
    assert s["mean_words"] == pytest.approx((5 + 6 + 5) / 3)
    assert s["duplicate_share"] == pytest.approx(1 / 3)
    # "love" and "wonderful" are VADER lexicon words: 2 of 5; the factual line has none
    assert s["mean_subjectivity"] == pytest.approx((2 / 5 + 0 + 2 / 5) / 3)
    assert s["positive_share"] == pytest.approx(2 / 3)


def test_grouped_input_gives_the_same_answer():
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 3, size=(500, 3))
    distinct, counts = np.unique(codes, axis=0, return_counts=True)
    q = np.full(27, 1 / 27)
    a, b = duplicate_stats(distinct, q, counts=counts), duplicate_stats(codes, q)
    assert a == pytest.approx(b)
