"""Post-stratification: exact hand cases, partial strata, automatic collapsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError, EmptyCellError
from calib.schema import Schema, Variable, VariableKind
from calib.target import Target
from calib.weighting import PostStratifier, poststratify

SCHEMA = Schema(
    [Variable("sex", ("M", "F")), Variable("age", ("y", "m", "o"), VariableKind.ORDINAL)]
)


def rows(cells: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    out = [{"sex": s, "age": a, "weight": w} for (s, a), ws in cells.items() for w in ws]
    return pd.DataFrame(out)


def joint(values: list[float]) -> Target:
    index = pd.MultiIndex.from_product([("M", "F"), ("y", "m", "o")])
    return Target.from_margins({("sex", "age"): pd.Series(values, index=index)}, SCHEMA)


def test_full_poststratification_by_hand():
    data = rows(
        {
            ("M", "y"): [1, 3],
            ("M", "m"): [2],
            ("M", "o"): [1],
            ("F", "y"): [1],
            ("F", "m"): [1, 1],
            ("F", "o"): [5],
        }
    )
    res = poststratify(data, joint([40, 10, 5, 20, 30, 25]))
    # g = target / design total per stratum: 40/4, 10/2, 5/1, 20/1, 30/2, 25/5
    np.testing.assert_allclose(res.weights, [10, 30, 10, 5, 20, 15, 15, 25])
    assert res.total == pytest.approx(130.0)


def test_empty_stratum_raises_unless_partial_or_collapsed():
    data = rows(
        {("M", "y"): [1], ("M", "m"): [1], ("F", "y"): [1], ("F", "m"): [1], ("F", "o"): [2]}
    )
    target = joint([10, 20, 6, 10, 20, 30])
    with pytest.raises(EmptyCellError, match="M\\|o"):
        PostStratifier().fit(data, target)
    partial = PostStratifier(partial=True).fit(data, target)
    assert partial.result_.extra["dropped_mass"] == pytest.approx(6.0)
    assert partial.result_.total == pytest.approx(90.0)
    collapsed = PostStratifier(collapse="auto").fit(data, target)
    # M-old pooled with its age neighbour M-middle: (20 + 6) / 1
    np.testing.assert_allclose(collapsed.weights_, [10, 26, 10, 20, 30])
    assert collapsed.result_.extra["collapsed"] == [["M|m", "M|o"]]
    assert collapsed.result_.total == pytest.approx(96.0)


def test_min_count_collapses_thin_strata():
    data = rows(
        {
            ("M", "y"): [1, 1, 1],
            ("M", "m"): [1],
            ("M", "o"): [1, 1, 1],
            ("F", "y"): [1, 1, 1],
            ("F", "m"): [1, 1, 1],
            ("F", "o"): [1, 1, 1],
        }
    )
    res = PostStratifier(collapse="auto", min_count=2).fit(data, joint([30, 10, 30, 30, 30, 30]))
    pooled = res.result_.extra["collapsed"][0]
    assert "M|m" in pooled and len(pooled) == 2
    assert res.result_.total == pytest.approx(160.0)


def test_bad_params():
    data = rows({("M", "y"): [1]})
    with pytest.raises(DataError):
        PostStratifier(collapse="sometimes").fit(data, joint([1, 0, 0, 0, 0, 0]))
    with pytest.raises(DataError):
        PostStratifier(min_count=0).fit(data, joint([1, 0, 0, 0, 0, 0]))
