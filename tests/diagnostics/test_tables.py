"""Group-once tables equal the population's own margins, with sums of squared weights."""

import numpy as np
import pytest

from calib.diagnostics.tables import GroupedRows


def test_tables_match_population_margins(reference):
    g = GroupedRows(reference, ["sex", "age", "educ"])
    for key in (["sex"], ["age", "educ"], ["educ", "sex"], ["sex", "age", "educ"]):
        side = g.table(key)
        assert side.total == pytest.approx(reference.margin(key).to_numpy())
        assert side.sum_sq.sum() == pytest.approx(np.square(reference.weights).sum())
    assert g.table(["sex"], known=True).sum_sq is None


def test_replicates_and_second_weighting(reference):
    reps = np.stack([reference.weights * f for f in (0.9, 1.1)], axis=1)
    g = GroupedRows(
        reference, ["age"], {"a": reference.weights, "b": np.ones(reference.n)}, replicates=reps
    )
    side = g.table(["age"])
    assert side.replicates.shape == (2, 3)
    assert side.replicates[1] == pytest.approx(1.1 * side.total)
    assert g.table(["age"], "b").total.sum() == reference.n
