"""Option probabilities: from first-token log-probs, from echo scoring, or from sampling.

From ``top_logprobs`` of the first answer token: each listed token is matched to an option
label (the letter, or the option text) after stripping spaces and brackets. An exact match
wins; otherwise a token that is a prefix of exactly one option's label counts for that option
("Dis" -> "Disapprove"); a prefix of several is *ambiguous*; anything else is *outside* mass.
The mass the endpoint did not list (``1 - sum(listed)``) is unknown. An option absent from the
top-k is not zero: its first token has probability at most the smallest listed one, so its
upper bound is ``min(smallest listed, unlisted mass)`` (and a listed option may have one more
unlisted variant token, so its upper bound adds the same).

Examples
--------
>>> import math
>>> probs = from_top_logprobs(
...     [(" A", math.log(0.6)), ("B", math.log(0.3)), ("The", math.log(0.05))],
...     [("A", "Approve"), ("B", "Disapprove")],
... )
>>> [round(float(p), 3) for p in probs.probability]
[0.667, 0.333]
>>> round(probs.outside_mass, 3), round(probs.unlisted_mass, 3)
(0.05, 0.05)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_STRIP = " \t\n\r([{*_\"'`"
_TRAIL = " \t\n\r)]}.:,*_\"'`"


@dataclass(frozen=True)
class OptionProbabilities:
    """Probabilities of the presented options of one answer.

    Attributes
    ----------
    mass : ndarray
        Probability mass found for each option (raw, not normalised), in presented order.
    present : ndarray of bool
        Whether any listed token / sample matched the option.
    outside_mass, ambiguous_mass, unlisted_mass : float
        Listed mass on non-option tokens; on tokens matching several options; not listed.
    bound : float
        Most an unlisted token can carry (the smallest listed probability, capped by the
        unlisted mass).
    method : str
        ``"logprobs"``, ``"echo"`` or ``"sampling"``.
    """

    mass: np.ndarray
    present: np.ndarray
    outside_mass: float
    ambiguous_mass: float
    unlisted_mass: float
    bound: float
    method: str

    @property
    def lower(self) -> np.ndarray:
        """Raw lower bounds (the mass found)."""
        return self.mass

    @property
    def upper(self) -> np.ndarray:
        """Raw upper bounds (the mass found plus one unlisted token at most ``bound``)."""
        return self.mass + self.bound

    @property
    def probability(self) -> np.ndarray:
        """Point estimate normalised over the options (NaN when no option was found)."""
        total = self.mass.sum()
        if total <= 0:
            return np.full(self.mass.shape, np.nan)
        return self.mass / total

    @property
    def probability_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds on the normalised probabilities given the raw bounds of every option."""
        lo, hi = self.lower, self.upper
        with np.errstate(divide="ignore", invalid="ignore"):
            low = lo / (lo + (hi.sum() - hi))
            high = hi / (hi + (lo.sum() - lo))
        return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)

    @property
    def complete(self) -> bool:
        """True when every option was found among the listed tokens."""
        return bool(self.present.all())


def _normalise(token: str) -> str:
    return token.lstrip(_STRIP).rstrip(_TRAIL).lower()


def match_token(token: str, labels: Sequence[Sequence[str]]) -> int | str | None:
    """Option index a token stands for, ``None`` if none, ``"ambiguous"`` if several."""
    t = _normalise(token)
    if not t:
        return None
    exact = {i for i, names in enumerate(labels) for n in names if n.lower() == t}
    if len(exact) == 1:
        return exact.pop()
    if exact:
        return "ambiguous"
    prefix = {i for i, names in enumerate(labels) for n in names if n.lower().startswith(t)}
    if len(prefix) == 1:
        return prefix.pop()
    return "ambiguous" if prefix else None


def from_top_logprobs(
    top: Sequence[tuple[str, float]], labels: Sequence[Sequence[str] | str]
) -> OptionProbabilities:
    """Option probabilities from the first answer token's ``(token, logprob)`` alternatives.

    Parameters
    ----------
    top : sequence of (str, float)
        The listed alternatives (any order).
    labels : sequence
        For each presented option, the strings that name it (e.g. ``("A", "Approve")``).
    """
    names = [(lab,) if isinstance(lab, str) else tuple(lab) for lab in labels]
    mass = np.zeros(len(names))
    present = np.zeros(len(names), dtype=bool)
    outside = ambiguous = listed = 0.0
    smallest = 1.0
    for token, logprob in top:
        p = math.exp(float(logprob))
        listed += p
        smallest = min(smallest, p)
        which = match_token(token, names)
        if which is None:
            outside += p
        elif which == "ambiguous":
            ambiguous += p
        else:
            mass[int(which)] += p
            present[int(which)] = True
    unlisted = max(0.0, 1.0 - listed)
    bound = min(smallest, unlisted) if top else 1.0
    return OptionProbabilities(mass, present, outside, ambiguous, unlisted, bound, "logprobs")


def from_sequence_logprobs(totals: Sequence[float | None]) -> OptionProbabilities:
    """Option probabilities from each option's total log-probability (echo scoring)."""
    vals = np.array([-np.inf if v is None else float(v) for v in totals])
    mass = np.exp(vals)
    present = np.isfinite(vals)
    outside = max(0.0, 1.0 - float(mass.sum()))
    return OptionProbabilities(mass, present, outside, 0.0, 0.0, 0.0, "echo")


def from_samples(choices: Sequence[int | None], n_options: int) -> OptionProbabilities:
    """Option frequencies over repeated samples (unparseable answers are outside mass)."""
    n = len(choices)
    counts = np.zeros(n_options)
    for c in choices:
        if c is not None:
            counts[int(c)] += 1
    mass = counts / n if n else counts
    outside = float(sum(c is None for c in choices) / n) if n else 0.0
    return OptionProbabilities(mass, counts > 0, outside, 0.0, 0.0, 0.0, "sampling")


def continuation_logprob(
    tokens: Sequence[tuple[str, float | None, int]], start: int, end: int
) -> float | None:
    """Sum of log-probs of the echoed tokens covering characters ``[start, end)``.

    Tokens are ``(text, logprob, text_offset)`` as returned with ``echo=True``; a token that
    straddles ``start`` counts (tokenisers merge across the boundary). ``None`` if a needed
    log-prob is missing.
    """
    total = 0.0
    used = False
    for text, logprob, offset in tokens:
        if offset < 0:
            return None
        if offset + len(text) > start and offset < end:
            if logprob is None:
                return None
            total += logprob
            used = True
    return total if used else None


__all__ = [
    "OptionProbabilities",
    "continuation_logprob",
    "from_samples",
    "from_sequence_logprobs",
    "from_top_logprobs",
    "match_token",
]
