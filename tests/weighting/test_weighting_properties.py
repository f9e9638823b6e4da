"""Hypothesis property tests: on random feasible problems raking reproduces every margin and
keeps weights positive and inside the bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target
from calib.weighting import Calibrator, Raker
from calib.weighting.ipf import ipf


@st.composite
def feasible_problems(draw):
    """A random population and margins taken from a reweighting of it (so always feasible)."""
    k = draw(st.integers(1, 4))
    n_levels = [draw(st.integers(2, 4)) for _ in range(k)]
    n = draw(st.integers(30, 150))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    names = [f"v{i}" for i in range(k)]
    schema = Schema(
        [Variable(nm, [f"l{j}" for j in range(m)]) for nm, m in zip(names, n_levels, strict=True)]
    )
    codes = np.column_stack([np.r_[np.arange(m), rng.integers(0, m, n - m)] for m in n_levels])
    frame = pd.DataFrame({nm: [f"l{c}" for c in codes[:, i]] for i, nm in enumerate(names)})
    design = rng.uniform(0.5, 2.0, n)
    pop = Population(frame, schema, weights=design)
    truth = design * rng.uniform(0.5, 2.0, n)  # some positive reweighting: margins feasible
    margins = {nm: pop.margin(nm, truth) for nm in names}
    if k >= 2 and draw(st.booleans()):
        margins = {(names[0], names[1]): pop.margin(names[:2], truth), **margins}
    return pop, Target.from_margins(margins, schema), truth


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_problems())
def test_raking_reproduces_margins(problem):
    pop, target, _ = problem
    res = Raker(tol=1e-10, max_iter=5000).fit(pop, target).result_
    assert res.converged
    for key in target.margin_keys:
        np.testing.assert_allclose(
            pop.margin(list(key), res.weights).to_numpy(),
            target.margin(key).to_numpy(),
            atol=1e-9 * target.total,
        )
    assert (res.weights > 0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feasible_problems(), st.floats(0.0, 0.5), st.floats(2.0, 4.0))
def test_bounded_raking_stays_inside_bounds(problem, lower, upper):
    pop, target, _ = problem
    # the generating factors lie in [0.5, 2], so bounds containing them keep it feasible
    res = Raker(bounds=(lower, upper), tol=1e-9, max_iter=20000).fit(pop, target).result_
    g = res.g_weights
    assert g.min() >= lower - 1e-12 and g.max() <= upper + 1e-12
    assert (res.weights >= 0).all() and res.converged
    if lower > 0:
        assert (res.weights > 0).all()


@settings(max_examples=25, deadline=None)
@given(feasible_problems())
def test_calibration_raking_equals_ipf(problem):
    pop, target, _ = problem
    if len(target.margin_keys) != len({n for k in target.margin_keys for n in k}):
        return  # joint margins: compared in the golden tests
    a = Calibrator(distance="raking", tol=1e-11, max_iter=200).fit(pop, target).weights_
    b = Raker(tol=1e-12, max_iter=5000).fit(pop, target).weights_
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_ipf_keeps_total_and_zero_cells(seed):
    rng = np.random.default_rng(seed)
    n_cells = int(rng.integers(4, 40))
    design = rng.uniform(0.1, 3.0, n_cells)
    design[rng.random(n_cells) < 0.2] = 0.0
    idx = [rng.integers(0, 3, n_cells), rng.integers(0, 2, n_cells)]
    out = ipf(
        design,
        idx,
        [np.bincount(i, design * 1.3, 3 if j == 0 else 2) for j, i in enumerate(idx)],
        tol=1e-12,
    )
    assert (out.weights[design == 0] == 0).all()
    assert np.isclose(out.weights.sum(), 1.3 * design.sum(), rtol=1e-10)


@settings(max_examples=30, deadline=None)
@given(feasible_problems(), st.sampled_from(["linear", "raking"]))
def test_calibration_meets_every_margin(problem, distance):
    pop, target, _ = problem
    res = Calibrator(distance=distance, tol=1e-10, max_iter=200).fit(pop, target).result_
    assert res.converged
    for key in target.margin_keys:
        np.testing.assert_allclose(
            pop.margin(list(key), res.weights).to_numpy(),
            target.margin(key).to_numpy(),
            atol=1e-7 * target.total,
        )
