"""Coverage harness (as a user feature) and gold-budget planning."""

from __future__ import annotations

import numpy as np
import pytest

from calib.correct import (
    CoverageStudy,
    Design,
    allocate_gold,
    plan_gold_budget,
    ppi_mean_ci,
    simulate_world,
)
from calib.errors import DataError
from calib.estimate import Estimate


@pytest.mark.parametrize("bias", ["constant", "subgroup", "compression", "stereotype"])
def test_corrected_methods_cover_under_every_bias_pattern(bias):
    result = CoverageStudy(Design(bias=bias, silicon_size=3000)).run(n_worlds=300, seed=7)
    frame = result.to_frame().set_index("method")
    for method in ("classical", "ppi", "ppi++"):
        assert 0.925 <= frame.loc[method, "coverage"] <= 0.975, (bias, method)
    assert frame.loc["silicon", "coverage"] < 0.9  # the raw LLM interval does not cover
    assert "coverage" in result.summary()


def test_weighted_gold_design_and_custom_method():
    design = Design(bias="subgroup", gold_oversample=(1, 1, 2, 4), gold_size=300)

    def half(world):
        return Estimate("m", 0.5, 0.01, "fixed")

    result = CoverageStudy(design, {"fixed": half}).run(n_worlds=5, seed=0)
    assert result.records.shape == (5, 6)
    world = simulate_world(design, np.random.default_rng(0))
    assert world.w_gold is not None and world.w_gold.min() < world.w_gold.max()


def test_design_validation():
    with pytest.raises(DataError, match="bias"):
        CoverageStudy(Design(bias="weird")).run(1)
    with pytest.raises(DataError, match="unknown method"):
        CoverageStudy(Design(), ["magic"]).run(1)


def test_plan_closed_form_and_monte_carlo_width():
    plan = plan_gold_budget(0.06, cost_human=20, cost_llm=0.01, sigma_y=0.5, rho=0.6)
    # no prediction: the humans-only sample size (z/h)^2 sigma^2
    none = plan_gold_budget(0.06, cost_human=20, cost_llm=0.01, sigma_y=0.5, rho=0.0)
    assert none.n_gold == none.n_gold_classical == int(np.ceil((1.959964 / 0.03) ** 2 * 0.25))
    assert plan.n_gold < plan.n_gold_classical and plan.cost < plan.cost_classical
    # design effect of the gold weighting scales the gold sample
    deff = plan_gold_budget(0.06, 20, 0.01, sigma_y=0.5, rho=0.6, deff_gold=2.0)
    assert deff.n_gold == pytest.approx(2 * plan.n_gold, rel=0.02)
    # simulate at the planned sizes: PPI++ widths hit the target
    rng = np.random.default_rng(3)
    widths = []
    for _ in range(40):
        z_y = rng.normal(size=plan.n_gold)
        z_u = rng.normal(size=plan.n_silicon)
        y = 0.5 * z_y
        yh = 0.5 * (0.6 * z_y + 0.8 * rng.normal(size=plan.n_gold))
        yu = 0.5 * (0.6 * z_u + 0.8 * rng.normal(size=plan.n_silicon))
        lo, hi = ppi_mean_ci(y, yh, yu)
        widths.append(hi - lo)
    assert np.mean(widths) == pytest.approx(0.06, rel=0.05)


def test_plan_with_capped_personas_and_pilot():
    capped = plan_gold_budget(0.06, 20, 0.01, sigma_y=0.5, rho=0.6, max_silicon=500)
    assert capped.n_silicon <= 500 and capped.cost <= capped.cost_classical
    tiny = plan_gold_budget(0.06, 20, 0.01, sigma_y=0.5, rho=0.6, max_silicon=5)
    assert tiny.lam < 0.1 and tiny.n_gold <= tiny.n_gold_classical  # falls back to humans
    with pytest.raises(DataError):
        plan_gold_budget(0.06, 20, 0.01, sigma_y=0.5)
    rng = np.random.default_rng(0)
    y = rng.binomial(1, 0.4, 200).astype(float)
    yh = np.clip(0.3 + 0.5 * y + rng.normal(0, 0.1, 200), 0, 1)
    pilot = plan_gold_budget(0.05, 10, 0.05, pilot=(y, yh, rng.uniform(0.3, 0.8, 1000)))
    assert 0 < pilot.lam <= 1 and pilot.n_gold < pilot.n_gold_classical


def test_allocate_gold_neyman():
    alloc = allocate_gold(100, [0.5, 0.5], residual_sd=[0.1, 0.3])
    assert alloc.tolist() == [25, 75]
    assert allocate_gold(10, [0.2, 0.3, 0.5]).sum() == 10
    assert allocate_gold(90, [0.5, 0.5], costs=[1, 4]).tolist() == [60, 30]
