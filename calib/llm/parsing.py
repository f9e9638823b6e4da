"""Robust parsing of model answers: a forced choice (letter or option text) and a JSON object.

Examples
--------
>>> parse_choice("B) Disapprove", ["Approve", "Disapprove"])
1
>>> parse_choice("I would say I approve.", ["Approve", "Disapprove"])
0
>>> parse_choice("Approve or disapprove, hard to say", ["Approve", "Disapprove"]) is None
True
>>> extract_json_object('Sure! ```json\\n{"AGE": "65+"}\\n```')
{'AGE': '65+'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from calib.errors import LLMResponseError

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LEADING = re.compile(
    r"^\s*(?:(?:answer|option|choice)\s*(?:is)?\s*[:\-]?\s*)?[\(\[]?([A-Z])(?:[\)\]\.:,]|\s*$|\s+)",
    re.IGNORECASE,
)


def letter(i: int) -> str:
    """The letter labelling option ``i`` (0 -> "A")."""
    return LETTERS[i]


def _clean(text: str) -> str:
    return re.sub(r"[*_`\"“”]", "", text or "").strip()


def _option_spans(text: str, options: Sequence[str]) -> list[tuple[int, int, int]]:
    spans = []
    for i, option in enumerate(options):
        pattern = r"(?<!\w)" + re.escape(option.strip()) + r"(?!\w)"
        spans += [(m.start(), m.end(), i) for m in re.finditer(pattern, text, re.IGNORECASE)]
    # drop matches inside a longer match ("approve" inside "strongly approve")
    return [
        s
        for s in spans
        if not any(
            o != s and o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0])
            for o in spans
        )
    ]


def parse_choice(text: str, options: Sequence[str]) -> int | None:
    """Index of the option a forced-choice answer picks, or ``None`` if it is unclear.

    ``options`` are in the order they were presented (labelled A, B, ...). Accepted: a letter
    ("B", "(B)", "B. Disapprove", "Answer: B"), or the option's text anywhere in the answer when
    exactly one option is named (a longer option containing a shorter one wins). A letter that
    contradicts the option text, or several options named, give ``None``.
    """
    cleaned = _clean(text)
    if not cleaned:
        return None
    by_letter: int | None = None
    rest = cleaned
    m = _LEADING.match(cleaned)
    if m:
        candidate = LETTERS.index(m.group(1).upper())
        # a lone lowercase "a" starting a sentence is an article, not a choice
        if candidate < len(options) and (
            m.group(1).isupper() or cleaned[m.end(1) : m.end(1) + 1] in (")", ".", "]", ":")
        ):
            by_letter = candidate
            rest = cleaned[m.end() :]
    spans = _option_spans(rest, options)
    named = sorted({i for _, _, i in spans})
    if len(named) > 1:
        first = min(spans)
        # "Approve. I do not disapprove": trust an option named at the very start
        ends_sentence = rest[first[1] : first[1] + 1] in (".", "!", ";", "\n", ":", " -")
        if first[0] <= 2 and ends_sentence and (by_letter is None or by_letter == first[2]):
            return first[2]
        return None
    if len(named) == 1:
        if by_letter is not None and by_letter != named[0]:
            return None
        return named[0]
    return by_letter


def extract_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in ``text`` (code fences and chatter around it are ignored).

    Raises
    ------
    LLMResponseError
        If there is no complete, valid JSON object.
    """
    source = text or ""
    start = source.find("{")
    while start != -1:
        depth, in_string, escape = 0, False, False
        for pos in range(start, len(source)):
            ch = source[pos]
            if in_string:
                if escape:
                    escape = False
                elif ch == "\\":
                    escape = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(source[start : pos + 1])
                    except json.JSONDecodeError:
                        break
                    if isinstance(value, dict):
                        return value
                    break
        start = source.find("{", start + 1)
    raise LLMResponseError("the answer holds no complete JSON object; ask for the JSON object only")


__all__ = ["LETTERS", "extract_json_object", "letter", "parse_choice"]
