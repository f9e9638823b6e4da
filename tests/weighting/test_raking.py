"""Raking: hand-computed cases, margins met, bounds held during the fit, input forms agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import ConvergenceError, DataError, NotFittedError
from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target
from calib.weighting import Raker, rake
from calib.weighting.ipf import clipped_factors, ipf


def test_one_margin_is_exact_ratio_adjustment(schema):
    # one margin: raking = post-stratification, g = target / design total in one sweep
    rows = pd.DataFrame({"sex": ["M", "F", "F", "F"], "age": "young", "educ": "low"})
    res = rake(rows, {"sex": [6.0, 6.0]}, schema=schema, tol=1e-14)
    np.testing.assert_allclose(res.weights, [6.0, 2.0, 2.0, 2.0])
    assert res.converged and res.n_iter <= 2


def test_two_by_two_hand_solution():
    # 2x2 table with counts [[1, 2], [3, 4]] raked to rows (6, 4), cols (5, 5): the IPF limit
    # is the unique table with those margins and the same odds ratio (1*4)/(2*3) = 2/3.
    idx = [np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])]
    out = ipf(np.array([1.0, 2, 3, 4]), idx, [np.array([6.0, 4]), np.array([5.0, 5])], tol=1e-14)
    w = out.weights
    np.testing.assert_allclose([w[0] + w[1], w[2] + w[3], w[0] + w[2]], [6, 4, 5], atol=1e-12)
    assert w[0] * w[3] / (w[1] * w[2]) == pytest.approx(4 / 6, rel=1e-10)


def test_margins_met_and_history_decreases(population, target):
    raker = Raker(tol=1e-12).fit(population, target)
    for name in ("sex", "age", "educ"):
        np.testing.assert_allclose(
            population.margin(name, raker.weights_), target.margin(name), rtol=1e-10
        )
    assert raker.converged_ and raker.history_[-1] <= 1e-12
    assert raker.history_[0] > raker.history_[-1]
    assert raker.result_.margins["achieved"].sub(raker.result_.margins["target"]).abs().max() < 1e-8
    np.testing.assert_allclose(raker.g_weights_, raker.weights_ / population.weights)


def test_relative_target_scales_to_population_total(population, schema):
    shares = Target.from_margins({"sex": [0.5, 0.5], "age": [0.2, 0.3, 0.5]}, schema)
    assert shares.relative
    res = rake(population, shares, tol=1e-12)
    assert res.total == pytest.approx(population.total_weight, rel=1e-12)


def test_multiway_margin(population, schema):
    joint = pd.Series(
        [100.0, 150, 230, 120, 200, 200],
        index=pd.MultiIndex.from_product([schema["sex"].levels, schema["age"].levels]),
    )
    target = Target.from_margins({("sex", "age"): joint, "educ": [300.0, 400.0, 300.0]}, schema)
    w = Raker(tol=1e-12).fit(population, target).weights_
    np.testing.assert_allclose(population.margin(["sex", "age"], w).to_numpy(), joint.to_numpy())


def test_bounds_hold_at_every_iteration_and_at_the_end(population, target):
    raker = Raker(bounds=(0.4, 4.0), tol=1e-10, max_iter=5000).fit(population, target)
    g = raker.g_weights_
    assert g.min() >= 0.4 - 1e-12 and g.max() <= 4.0 + 1e-12
    unbounded = Raker().fit(population, target).g_weights_
    assert unbounded.min() < 0.4 or unbounded.max() > 4.0  # the bounds really bind
    # a one-sweep, capped fit: still inside the bounds (enforced during the fit)
    early = Raker(bounds=(0.4, 4.0), max_iter=1, on_fail="flag")
    with pytest.warns(UserWarning, match="converged=False"):
        early.fit(population, target)
    assert not early.converged_
    assert early.g_weights_.min() >= 0.4 - 1e-12 and early.g_weights_.max() <= 4.0 + 1e-12


def test_jointly_infeasible_bounds_raise_convergence_error(population, target):
    # each margin alone is reachable within (0.5, 3), all three together are not
    with pytest.raises(ConvergenceError, match="widen the bounds"):
        Raker(bounds=(0.5, 3.0), max_iter=200).fit(population, target)


def test_clipped_factor_solves_piecewise_equation():
    rng = np.random.default_rng(3)
    index = rng.integers(0, 4, 50)
    design, raw = rng.uniform(0.5, 2, 50), rng.uniform(0.3, 3, 50)
    sums = np.bincount(index, weights=design, minlength=4)
    target = sums * np.array([0.6, 1.0, 1.4, 1.9])
    f = clipped_factors(index, design, raw, 0.4, 2.5, target)
    got = np.bincount(index, weights=design * np.clip(raw * f[index], 0.4, 2.5), minlength=4)
    np.testing.assert_allclose(got, target, rtol=1e-12)


def test_iteration_cap_is_never_converged(population, target):
    with pytest.raises(ConvergenceError, match="did not converge"):
        Raker(tol=1e-15, max_iter=1).fit(population, target)
    flagged = Raker(tol=1e-15, max_iter=1, on_fail="flag")
    with pytest.warns(UserWarning):
        flagged.fit(population, target)
    assert flagged.converged_ is False and flagged.n_iter_ == 1


def test_grouped_cell_table_gives_the_same_weights(population, frame, target, schema):
    rows = Raker(tol=1e-13).fit(population, target)
    cells = frame.groupby(["sex", "age", "educ"], observed=True)["d"].sum().rename("count")
    cells = cells.reset_index()
    grouped = Raker(tol=1e-13).fit(cells, target)
    # cell weight = sum of its rows' weights
    by_cell = (
        frame.assign(w=rows.weights_).groupby(["sex", "age", "educ"], observed=True)["w"].sum()
    )
    np.testing.assert_allclose(grouped.weights_, by_cell.to_numpy(), rtol=1e-10)


def test_many_variables_never_builds_dense_table():
    # 12 variables x 10 levels = 1e12 combinations; only the ~2000 present cells are used
    rng = np.random.default_rng(0)
    names = [f"v{i}" for i in range(12)]
    levels = tuple(str(j) for j in range(10))
    schema = Schema([Variable(n, levels) for n in names])
    frame = pd.DataFrame({n: rng.choice(levels, 2000) for n in names})
    target = Target.from_margins({n: np.full(10, 0.1) for n in names}, schema)
    res = Raker(tol=1e-9).fit(Population(frame, schema), target)
    assert res.result_.problem.n_units <= 2000 and res.converged_


def test_unfitted_and_bad_params(population, target):
    with pytest.raises(NotFittedError):
        _ = Raker().weights_
    with pytest.raises(DataError):
        Raker(bounds=(2.0, 1.0)).fit(population, target)
    with pytest.raises(DataError):
        Raker(tol=-1).fit(population, target)


def test_summary_and_frame(population, target):
    res = rake(population, target)
    text = res.summary()
    assert "raking" in text and "Kish ESS" in text
    frame = res.to_frame()
    assert list(frame.columns) == ["id", "design_weight", "g_weight", "weight"]
    assert res.ess < population.n and res.deff > 1


def test_microdata_target_rakes_to_its_one_way_margins(population, reference):
    res = rake(population, Target.from_microdata(reference), tol=1e-12)
    for name in ("sex", "age", "educ"):
        np.testing.assert_allclose(
            population.margin(name, res.weights), reference.margin(name), rtol=1e-9
        )
    assert sorted(res.margins["margin"].unique()) == ["age", "educ", "sex"]
