"""Post-stratification arithmetic by hand on tiny frames, and frame collapsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import EmptyCellError, UnknownLevelError
from calib.forecast.frames import StateFrame
from calib.forecast.poststrat import cell_table, national_share, poststratify


def test_poststratify_by_hand():
    # State 0: cells 100 people at 0.2 and 300 at 0.6 -> (20 + 180) / 400 = 0.5.
    # State 1: one cell of 50 at 0.9 -> 0.9.  National: (20 + 180 + 45) / 450.
    theta = np.array([[0.2, 0.6, 0.9], [0.4, 0.4, 0.1]])
    counts = np.array([100.0, 300.0, 50.0])
    out = poststratify(theta, counts, np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(out, [[0.5, 0.9], [0.4, 0.1]])
    np.testing.assert_allclose(national_share(theta, counts), [245 / 450, (160 + 5) / 450])


def test_poststratify_with_counts_per_draw():
    theta = np.array([[0.0, 1.0], [0.0, 1.0]])
    counts = np.array([[1.0, 3.0], [3.0, 1.0]])
    np.testing.assert_allclose(poststratify(theta, counts, np.array([0, 0]), 1), [[0.75], [0.25]])


def test_empty_state_is_an_error():
    with pytest.raises(EmptyCellError):
        poststratify(np.ones((1, 2)), np.array([1.0, 0.0]), np.array([0, 1]), 2)


@pytest.fixture(scope="module")
def tiny_frame() -> StateFrame:
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 100, size=(2, 5, 2, 5, 4)).astype(float)
    reps = counts[None] * rng.uniform(0.9, 1.1, size=(3, *counts.shape))
    return StateFrame(("AA", "BB"), counts, reps, "cvap")


def test_margin_and_collapse_by_hand(tiny_frame):
    arr = tiny_frame.margin(["sex", "race5"])
    np.testing.assert_allclose(arr, tiny_frame.counts.sum(axis=(3, 4)).transpose(0, 2, 1))
    merged, levels = tiny_frame.collapse(["race5"], {"race5": {"Asian": "Other"}})
    assert levels["race5"] == ("White", "Black", "Hispanic", "Other")
    by_race = tiny_frame.counts.sum(axis=(2, 3, 4))
    np.testing.assert_allclose(merged[:, :3], by_race[:, :3])
    np.testing.assert_allclose(merged[:, 3], by_race[:, 3] + by_race[:, 4])


def test_cell_table_order_and_replicates(tiny_frame):
    cells, reps = cell_table(tiny_frame, ["race5", "sex"], replicates=True)
    assert len(cells) == 2 * 5 * 2
    assert list(cells["state"].cat.categories) == ["AA", "BB"]
    row = cells[(cells.state == "BB") & (cells.race5 == "Asian") & (cells.sex == "Female")]
    assert float(row["count"].iloc[0]) == pytest.approx(tiny_frame.counts[1, 3, 1].sum())
    assert reps.shape == (3, 20)
    np.testing.assert_allclose(reps[1].reshape(2, 5, 2), tiny_frame.replicates[1].sum((3, 4)))


def test_collapse_unknown_level_is_typed(tiny_frame):
    with pytest.raises(UnknownLevelError):
        tiny_frame.collapse(["race5"], {"race5": {"Martian": "Other"}})


def test_to_frame_has_replicate_columns(tiny_frame):
    frame = tiny_frame.to_frame()
    assert {"count", "se", "lower", "upper"} <= set(frame.columns)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2 * 200
