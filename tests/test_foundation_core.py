"""Core types: Variable, Schema, Population, Target, group_codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calib.cells import group_codes
from calib.errors import (
    DataError,
    InconsistentMarginsError,
    SchemaError,
    UnknownLevelError,
    UnknownVariableError,
    WeightError,
)
from calib.population import Population
from calib.schema import Schema, Variable, VariableKind
from calib.target import Target

SEX = Variable("sex", ("Male", "Female"))
EDUC = Variable("educ3", ("HS or less", "Some college", "College+"), VariableKind.ORDINAL)
SCHEMA = Schema([SEX, EDUC])


def test_variable_rejects_duplicate_levels():
    with pytest.raises(SchemaError, match="duplicate"):
        Variable("x", ("a", "a"))


def test_coerce_lists_every_unknown_value_with_counts():
    with pytest.raises(UnknownLevelError) as info:
        SEX.coerce(pd.Series(["Male", "M", "M", "F"]))
    assert info.value.variable == "sex"
    assert set(info.value.values) == {"M", "F"}
    assert "'M' (x2)" in str(info.value)


def test_population_validates_weights_and_columns():
    frame = pd.DataFrame({"sex": ["Male", "Female"], "educ3": ["College+", "HS or less"]})
    with pytest.raises(WeightError, match="negative"):
        Population(frame, SCHEMA, weights=[1.0, -1.0])
    with pytest.raises(UnknownVariableError, match="educ3"):
        Population(frame[["sex"]], SCHEMA)
    with pytest.raises(DataError, match="missing"):
        Population(frame.assign(sex=["Male", None]), SCHEMA)
    pop = Population(frame, SCHEMA, weights=[2.0, 3.0])
    assert pop.margin("educ3").tolist() == [3.0, 0.0, 2.0]
    assert pop.margin(["sex", "educ3"]).loc[("Male", "College+")] == 2.0


def test_target_margins_consistency_error_names_both_margins():
    margins = {"sex": {"Male": 40, "Female": 60}, ("sex", "educ3"): [10, 10, 25, 30, 20, 5]}
    with pytest.raises(InconsistentMarginsError, match="sex×educ3"):
        Target.from_margins(margins, SCHEMA)


def test_target_derives_sub_margins_and_shares():
    joint = pd.Series(
        [10.0, 20, 30, 5, 15, 20],
        index=pd.MultiIndex.from_product([SEX.levels, EDUC.levels], names=["sex", "educ3"]),
    )
    target = Target.from_joint(joint, SCHEMA)
    assert target.total == 100.0
    assert target.margin("sex").tolist() == [60.0, 40.0]
    assert target.shares("educ3").tolist() == pytest.approx([0.15, 0.35, 0.5])
    shares = Target.from_margins({"sex": [0.5, 0.5]}, SCHEMA)
    assert shares.relative and shares.total == 1.0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.floats(0.1, 10)), min_size=1, max_size=60
    )
)
def test_group_codes_preserves_weight_and_maps_rows_back(rows):
    codes = np.array([[a, b] for a, b, _ in rows])
    weights = np.array([w for _, _, w in rows])
    cells = group_codes(codes, weights, n_levels=(3, 4))
    assert cells.weight.sum() == pytest.approx(weights.sum())
    assert cells.count.sum() == len(rows)
    np.testing.assert_array_equal(cells.codes[cells.inverse], codes)
    assert len({tuple(c) for c in cells.codes}) == cells.n_cells


def test_margin_mappings_place_values_and_name_bad_levels():
    two_way = Target.from_margins(
        {("sex", "educ3"): {("Male", "College+"): 30.0, ("Female", "HS or less"): 70.0}}, SCHEMA
    )
    assert two_way.margin(["sex", "educ3"]).tolist() == [0.0, 0.0, 30.0, 70.0, 0.0, 0.0]
    assert two_way.margin("sex").tolist() == [30.0, 70.0]
    with pytest.raises(UnknownLevelError) as info:
        Target.from_margins({("sex", "educ3"): {("Male", "PhD"): 1.0}}, SCHEMA)
    assert info.value.variable == "educ3" and info.value.values == ("PhD",)
    with pytest.raises(DataError, match="needs 2 levels"):
        Target.from_margins({("sex", "educ3"): {("Male",): 1.0}}, SCHEMA)
    with pytest.raises(DataError, match="more than once"):
        Target.from_margins({"educ3": {1: 1.0, "1": 2.0}}, Schema([Variable("educ3", ("1", "2"))]))
