"""Hierarchical Bayesian correction and MRP with real (small) PyMC sampling.

One compiled binary model is shared by the whole module (module-scoped fixture; refits with the
same structure reuse the compiled model). Worlds: the LLM's probability is shifted by state, so
the raw persona mean is biased by about +0.1; the corrected estimate must recover the truth.
Categorical and ordinal fits compile their own models and are marked slow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.correct import HierarchicalCorrector, MRPEstimator, silicon_mean
from calib.errors import ConvergenceError, DataError, NotFittedError, UnknownVariableError

STATES = [f"s{k}" for k in range(6)]
SHIFT = np.linspace(-0.05, 0.25, 6)  # the LLM's state-specific bias on the probability scale


def world(rng, n, truth=0.45):
    g = rng.integers(0, 6, n)
    y = rng.binomial(1, truth, n)
    p = np.clip(0.15 + 0.6 * y + SHIFT[g] + rng.normal(0, 0.1, n), 0.01, 0.99)
    return pd.DataFrame({"y": y, "p": p, "state": np.array(STATES)[g]})


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(11)
    gold, personas = world(rng, 400), world(rng, 4000)
    hc = HierarchicalCorrector("y", "p", groups=["state"], seed=3).fit(gold, personas)
    return hc, gold, personas


def test_corrects_bias_and_covers(fitted):
    hc, _, personas = fitted
    est = hc.estimate()[0]
    raw = silicon_mean(personas["p"])
    truth = personas["y"].mean()
    assert abs(raw.point - truth) > 0.05  # the LLM alone is far off
    assert abs(est.point - truth) < 0.03
    assert est.covers(truth)
    assert est.diagnostics["converged"] and est.diagnostics["max_rhat"] < 1.01
    assert est.diagnostics["divergences"] == 0
    assert est.draws.shape == (1000,)
    assert est.method == "hierarchical_bayes"


def test_subgroups_and_weights(fitted):
    hc, _, personas = fitted
    table = hc.estimate(by="state")
    assert [e.subgroup for e in table] == [f"state={s}" for s in STATES]
    for e in table:
        s = e.subgroup.split("=")[1]
        assert abs(e.point - personas.loc[personas.state == s, "y"].mean()) < 0.1
    # weighting all mass on one state reproduces that state's estimate
    w = (personas["state"] == "s2").to_numpy(float)
    assert hc.estimate(weights=w)[0].point == pytest.approx(table[2].point, abs=1e-9)


def test_mrp_poststratifies_to_cell_counts(fitted):
    hc, _, personas = fitted
    mrp = MRPEstimator("y", "p", groups=["state"], seed=3)
    mrp.__dict__.update({k: v for k, v in hc.__dict__.items() if k.endswith("_")})
    counts = pd.Series([1.0, 0, 0, 0, 0, 0], index=pd.Index(STATES, name="state"))
    one = mrp.estimate(counts)[0]
    assert one.point == pytest.approx(hc.estimate(by="state")[0].point, abs=1e-9)
    # a cell without personas is filled from the model and counted in the diagnostics
    few = personas[personas.state != "s5"]
    full = pd.Series(1.0, index=pd.Index(STATES, name="state"))
    est = mrp.estimate(full, silicon=few)[0]
    assert est.diagnostics["cells_without_personas"] == 1
    assert 0.3 < est.point < 0.6
    mrp.empty_cells = "raise"
    from calib.errors import EmptyCellError

    with pytest.raises(EmptyCellError):
        mrp.estimate(full, silicon=few)


def test_failed_convergence_raises_or_is_flagged(fitted):
    _, gold, personas = fitted
    bad = HierarchicalCorrector("y", "p", groups=["state"], draws=15, tune=15, seed=1)
    with pytest.raises(ConvergenceError, match="did not converge"):
        bad.fit(gold, personas)
    bad.on_failure = "flag"
    with pytest.warns(UserWarning, match="did not converge"):
        bad.fit(gold, personas)
    with pytest.warns(UserWarning):
        est = bad.estimate()[0]
    assert est.method == "hierarchical_bayes[NOT CONVERGED]"
    assert est.diagnostics["converged"] is False


def test_errors_before_and_on_bad_input(fitted):
    _, gold, _ = fitted
    with pytest.raises(NotFittedError):
        HierarchicalCorrector("y", "p").estimate(gold)
    with pytest.raises(UnknownVariableError):
        HierarchicalCorrector("y", "nope").fit(gold)
    with pytest.raises(DataError, match="kind"):
        HierarchicalCorrector("y", "p", kind="poisson").fit(gold)
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        HierarchicalCorrector("y", "p").fit(gold.assign(p=gold.p * 3))
    with pytest.raises(DataError, match="ordinal"):
        HierarchicalCorrector("y", "p", kind="ordinal").fit(gold)


def test_params_round_trip_and_inputs_not_mutated(fitted):
    _, gold, personas = fitted
    hc = HierarchicalCorrector("y", "p", groups=["state"], draws=300)
    assert hc.draws == 300 and hc.groups == ["state"] and not hasattr(hc, "idata_")
    before = gold.copy()
    hc2 = HierarchicalCorrector("y", "p", groups=["state"], seed=3).fit(gold, personas)
    pd.testing.assert_frame_equal(gold, before)
    assert hc2.estimate()[0].point == pytest.approx(fitted[0].estimate()[0].point, abs=1e-12)


@pytest.mark.slow
def test_categorical_and_ordinal_recover_shares():
    rng = np.random.default_rng(5)
    levels = ["low", "mid", "high"]
    p = np.array([0.5, 0.3, 0.2])

    def make(n):
        y = rng.choice(3, n, p=p)
        g = rng.integers(0, 4, n)
        # the LLM over-predicts "high" (stereotyping) and shifts by group
        pred = np.clip(y + (rng.uniform(size=n) < 0.3) + (g == 3), 0, 2)
        return pd.DataFrame(
            {"y": np.array(levels)[y], "pred": np.array(levels)[pred], "g": g.astype(str)}
        )

    gold, personas = make(500), make(4000)
    truth = personas["y"].value_counts(normalize=True)
    for kind in ("categorical", "ordinal"):
        hc = HierarchicalCorrector("y", "pred", groups=["g"], kind=kind, levels=levels, seed=2)
        table = hc.fit(gold, personas).estimate()
        assert [e.quantity for e in table] == [f"y={lev}" for lev in levels]
        assert sum(e.point for e in table) == pytest.approx(1.0, abs=1e-9)
        for e in table:
            lev = e.quantity.split("=")[1]
            assert abs(e.point - truth[lev]) < 0.04, (kind, lev)
            assert e.diagnostics["converged"]


def test_mrp_accepts_a_target(fitted):
    from calib.schema import Schema, Variable
    from calib.target import Target

    hc, _, _ = fitted
    mrp = MRPEstimator("y", "p", groups=["state"], seed=3)
    mrp.__dict__.update({k: v for k, v in hc.__dict__.items() if k.endswith("_")})
    schema = Schema([Variable("state", STATES)])
    counts = [10.0, 20, 30, 40, 50, 60]
    target = Target.from_margins({"state": counts}, schema)
    by_state = hc.estimate(by="state")
    expected = np.average([e.point for e in by_state], weights=counts)
    est = mrp.estimate(target)[0]
    assert est.point == pytest.approx(expected, abs=1e-9)
    assert est.method == "mrp" and est.diagnostics["cells"] == 6
