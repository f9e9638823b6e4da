"""Persona pathologies: duplicates, compressed variety, support gaps, drifting free text.

LLM-generated personas repeat themselves (exact and near duplicates), vary less than real
people (entropy and variance compression; Bisbee et al. 2024, "Synthetic replacements for human
survey data? The perils of large language models", Political Analysis), miss whole cells of
the real population (support gaps that make weighting impossible) and write text whose
positivity grows with the share of LLM content (Li, Chen, Namkoong and Peng 2025).

Examples
--------
>>> import numpy as np
>>> codes = np.array([[0, 0], [0, 0], [0, 1], [1, 1]])
>>> d = duplicate_stats(codes)
>>> d["exact_duplicate_share"], d["near_duplicate_share"]
(0.25, 1.0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from calib.cells import group_codes


def duplicate_stats(
    codes: np.ndarray,
    target_shares: np.ndarray | None = None,
    n_levels: Sequence[int] | None = None,
    counts: np.ndarray | None = None,
) -> dict[str, float]:
    """Exact and near (one variable apart) duplicates among rows of categorical codes.

    Parameters
    ----------
    codes : ndarray of shape (n, k)
        Level codes of the rows (missing values are a level of their own here).
    target_shares : ndarray, optional
        Target shares over the full row-major level product of the ``k`` variables; gives the
        duplicate share expected if ``n`` rows were drawn from the target.
    n_levels : sequence of int, optional
        Levels per variable (kept for the record; the shares are used as given).
    counts : ndarray of shape (n_cells,), optional
        When given, ``codes`` are already distinct cells and ``counts`` their row counts
        (e.g. from :class:`calib.diagnostics.tables.GroupedRows`), so rows are not regrouped.

    Returns
    -------
    dict
        ``exact_duplicate_share`` (rows repeating an earlier row), ``max_multiplicity``,
        ``near_duplicate_share`` (rows with another distinct row one variable apart, exact
        duplicates included), ``distinct_rows`` and ``expected_duplicate_share`` (NaN without
        a target).
    """
    codes = np.asarray(codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    shift = codes - codes.min(axis=0, keepdims=True) if codes.shape[0] else codes
    if counts is None:
        cells = group_codes(shift)
        cell_codes, cell_count = cells.codes, cells.count
    else:
        cell_codes, cell_count = shift, np.asarray(counts, dtype=np.int64)
    n, k = int(cell_count.sum()), codes.shape[1]
    n_cells = cell_codes.shape[0]
    near = cell_count > 1
    for j in range(k):
        if k == 1:
            near |= n_cells > 1
            break
        rest = np.delete(cell_codes, j, axis=1)
        sub = group_codes(rest)
        distinct = np.bincount(sub.inverse, minlength=sub.n_cells)
        near |= distinct[sub.inverse] > 1
    expected = float("nan")
    if target_shares is not None:
        q = np.asarray(target_shares, dtype=float)
        q = q[q > 0] / q.sum()
        expected_distinct = float(np.sum(-np.expm1(n * np.log1p(-np.minimum(q, 1 - 1e-15)))))
        expected = 1.0 - expected_distinct / n
    return {
        "exact_duplicate_share": float((n - n_cells) / n) if n else 0.0,
        "expected_duplicate_share": expected,
        "max_multiplicity": float(cell_count.max()) if n else 0.0,
        "near_duplicate_share": float(cell_count[near].sum() / n) if n else 0.0,
        "distinct_rows": float(n_cells),
    }


_WORD = re.compile(r"[A-Za-z']+")


def _normalise_text(t: str) -> str:
    return " ".join(_WORD.findall(t.lower()))


def text_stats(texts: pd.Series | Sequence[str], weights: np.ndarray | None = None) -> dict:
    """Length, positivity and subjectivity of free-text persona descriptions.

    Positivity is VADER's compound score (Hutto and Gilbert 2014, ``vaderSentiment``, offline).
    Subjectivity is the share of words that carry sentiment in the VADER lexicon (opinion words
    per word: 0 for a purely factual line); a simple offline lexicon measure, not TextBlob's.

    Returns
    -------
    dict
        ``n``, ``mean_chars``, ``mean_words``, ``mean_compound``, ``positive_share`` (compound
        > 0.05), ``mean_subjectivity`` and ``duplicate_share`` (repeats after lower-casing
        and dropping punctuation); means are weighted when ``weights`` is given.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    series = pd.Series(list(texts), dtype=object).fillna("").astype(str)
    w = np.ones(len(series)) if weights is None else np.asarray(weights, dtype=float)
    words = [_WORD.findall(t.lower()) for t in series]
    n_words = np.array([len(x) for x in words], dtype=float)
    subj = np.array(
        [sum(x in analyzer.lexicon for x in ws) / len(ws) if ws else 0.0 for ws in words]
    )
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in series])
    normal = series.map(_normalise_text)

    def mean(x: np.ndarray) -> float:
        return float(np.average(x, weights=w)) if len(x) else float("nan")

    return {
        "n": len(series),
        "mean_chars": mean(series.str.len().to_numpy(dtype=float)),
        "mean_words": mean(n_words),
        "mean_compound": mean(compound),
        "positive_share": mean((compound > 0.05).astype(float)),
        "mean_subjectivity": mean(subj),
        "duplicate_share": float(normal.duplicated().mean()) if len(series) else 0.0,
    }


def support_gaps(
    population_total: np.ndarray,
    target_total: np.ndarray,
    labels: Sequence[str],
    min_share: float = 0.0,
) -> pd.DataFrame:
    """Cells with target share above ``min_share`` but no population weight, largest first.

    Returns
    -------
    pandas.DataFrame
        Columns ``cell`` and ``target_share``.
    """
    q = np.asarray(target_total, dtype=float)
    q = q / q.sum()
    gap = (np.asarray(population_total) <= 0) & (q > min_share)
    idx = np.flatnonzero(gap)
    idx = idx[np.argsort(-q[idx], kind="stable")]
    return pd.DataFrame({"cell": [labels[i] for i in idx], "target_share": q[idx]})


__all__ = ["duplicate_stats", "support_gaps", "text_stats"]
