"""Answer alignment: 1 - TVD, JS and OpinionQA representativeness by hand."""

import pandas as pd
import pytest

from calib.diagnostics.alignment import answer_alignment
from calib.errors import UnknownLevelError, UnknownVariableError
from calib.population import Population
from calib.schema import Schema, Variable

S = Schema([Variable("sex", ("M", "F"))])
Q = Variable("q", ("agree", "neutral", "disagree"), kind="ordinal")
N = Variable("color", ("red", "blue"))


def _pop(sex, q, color, w=None):
    return Population(pd.DataFrame({"sex": sex, "q": q, "color": color}), S, weights=w)


def test_hand_computed_alignment_per_subgroup():
    sim = _pop(["M", "M", "F", "F"], ["agree"] * 4, ["red", "red", "blue", "red"])
    hum = _pop(
        ["M", "M", "F", "F"],
        ["agree", "neutral", "disagree", "disagree"],
        ["red", "blue", "blue", "red"],
        w=[1, 1, 1, 3],
    )
    r = answer_alignment(sim, hum, [Q, N], by="sex").frame.set_index(["question", "subgroup"])
    # all: human q shares (1, 1, 4)/6 -> TVD = 5/6, W1 = (5/6 + 4/6) = 1.5 -> rep = 1 - 1.5/2
    assert r.loc[("q", "all"), "one_minus_tvd"] == pytest.approx(1 / 6)
    assert r.loc[("q", "all"), "representativeness"] == pytest.approx(0.25)
    # M: human (1, 1, 0)/2 -> W1 = 0.5 -> rep 0.75; F: all disagree vs all agree -> 0
    assert r.loc[("q", "sex=M"), "representativeness"] == pytest.approx(0.75)
    assert r.loc[("q", "sex=F"), "representativeness"] == pytest.approx(0.0)
    assert r.loc[("q", "sex=F"), "jensen_shannon"] == pytest.approx(1.0)
    # nominal question: no representativeness; sim color (3, 1)/4 vs human (4, 2)/6
    assert pd.isna(r.loc[("color", "all"), "representativeness"])
    assert r.loc[("color", "all"), "one_minus_tvd"] == pytest.approx(1 - abs(3 / 4 - 4 / 6))


def test_alignment_errors():
    sim = _pop(["M"], ["maybe"], ["red"])
    hum = _pop(["M"], ["agree"], ["red"])
    with pytest.raises(UnknownLevelError):
        answer_alignment(sim, hum, [Q])
    with pytest.raises(UnknownVariableError):
        answer_alignment(hum, hum, [Variable("q9", ("a", "b"))])
    with pytest.raises(UnknownVariableError):
        answer_alignment(hum, hum, [Q], by="region")
