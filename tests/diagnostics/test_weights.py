"""Weight diagnostics against hand-computed values and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calib.diagnostics.weights import (
    coefficient_of_variation,
    design_effect,
    kish_effective_sample_size,
    top_share,
    weight_summary,
)
from calib.errors import CalibError, DataError, WeightError


def test_hand_computed_values():
    # w = (1, 1, 2, 4): sum 8, sum of squares 22 -> ESS 64/22, deff 4*22/64 = 1.375
    w = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_effective_sample_size(w) == pytest.approx(64 / 22)
    assert design_effect(w) == pytest.approx(1.375)
    # mean 2, population sd sqrt(((1+1+0+4)/4)) = sqrt(1.5)
    assert coefficient_of_variation(w) == pytest.approx(np.sqrt(1.5) / 2)
    s = weight_summary(w)
    assert s.n == 4 and s.n_positive == 4
    assert s.total == 8 and s.min == 1 and s.max == 4 and s.median == 1.5
    assert s.max_over_mean == 2.0 and s.ratio_max_min == 4.0
    assert s.top1_share == pytest.approx(0.5)  # heaviest single row: 4 / 8
    assert "Kish effective sample size" in s.summary()
    assert s.to_frame().shape == (1, 13)


def test_equal_weights_have_no_loss():
    s = weight_summary(np.full(50, 3.0))
    assert s.effective_sample_size == pytest.approx(50)
    assert s.design_effect == pytest.approx(1.0)
    assert s.cv == pytest.approx(0.0)


def test_zero_weights_count_as_lost_rows():
    w = np.array([1.0, 1.0, 0.0, 0.0])
    assert kish_effective_sample_size(w) == pytest.approx(2.0)
    assert design_effect(w) == pytest.approx(2.0)
    s = weight_summary(w)
    assert s.n_positive == 2 and s.ratio_max_min == 1.0


def test_top_share_uses_one_percent_of_rows():
    w = np.r_[np.ones(198), 50.0, 50.0]  # top 1% of 200 rows = 2 rows
    assert top_share(w) == pytest.approx(100 / 298)


@pytest.mark.parametrize(
    ("weights", "error"),
    [
        ([], DataError),
        ([1.0, np.nan], WeightError),
        ([1.0, np.inf], WeightError),
        ([1.0, -0.5], WeightError),
        ([0.0, 0.0], WeightError),
    ],
)
def test_bad_weights_raise_typed_errors(weights, error):
    with pytest.raises(error):
        weight_summary(weights)
    with pytest.raises(CalibError):
        kish_effective_sample_size(weights)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 1e3, allow_nan=False), min_size=1, max_size=40),
    st.floats(0.1, 100),
)
def test_invariants(ws, scale):
    w = np.array(ws)
    ess = kish_effective_sample_size(w)
    assert 1 - 1e-9 <= ess <= w.size + 1e-9
    assert ess == pytest.approx(kish_effective_sample_size(scale * w), rel=1e-9)
    assert design_effect(w) == pytest.approx(1 + coefficient_of_variation(w) ** 2, rel=1e-9)
