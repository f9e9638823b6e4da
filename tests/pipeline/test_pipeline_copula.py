"""Copula-derived k-way raking targets in the weight step."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from calib.pipeline.config import WeightingConfig
from calib.pipeline.steps import copula_target, diagnose, weight
from calib.population import Population
from calib.standard import standard_schema
from calib.target import Target

NAMES = ["sex", "age_pew6", "region"]


@pytest.fixture
def reference():
    """A joint sex x age x region table with a sex-age association and region independent."""
    schema = standard_schema(NAMES)
    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product([schema[n].levels for n in NAMES], names=NAMES)
    sex_age = np.outer([0.48, 0.52], np.linspace(1, 2, 6))
    sex_age[1] *= np.linspace(0.8, 1.3, 6)
    region = np.array([0.17, 0.21, 0.38, 0.24])
    joint = (sex_age[:, :, None] * region[None, None, :]).ravel()
    joint = joint * (1 + 0.02 * rng.standard_normal(joint.size))
    return schema, Target.from_joint(pd.Series(joint / joint.sum(), index=index), schema)


def test_copula_target_reproduces_margins_and_tables(reference):
    _, target = reference
    implied, check = copula_target(target, [tuple(NAMES)], seed=1)
    for name in NAMES:
        np.testing.assert_allclose(implied.shares(name), target.shares(name), atol=1e-9)
    for a, b in itertools.combinations(NAMES, 2):
        np.testing.assert_allclose(implied.shares([a, b]), target.shares([a, b]), atol=1e-6)
    # the reference is nearly a product of its 2-way tables, so the copula's 3-way is close
    assert check["key"].tolist() == ["sex × age_pew6 × region"]
    assert check["tvd_vs_reference"].item() < 0.02


def test_weighting_with_a_copula_target_hits_the_implied_table(reference):
    schema, target = reference
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({n: rng.choice(schema[n].levels, 600) for n in NAMES})
    pop = Population(frame, schema)
    cfg = WeightingConfig(margins=(("sex",),), copula=(tuple(NAMES),))
    result = weight(pop, target.scaled(pop.total_weight), cfg, seed=1)
    assert result.converged
    implied, _ = copula_target(target.scaled(pop.total_weight), [tuple(NAMES)], seed=1)
    achieved = pop.margin(NAMES, result.weights)
    np.testing.assert_allclose(achieved, implied.margin(NAMES).reindex(achieved.index), rtol=1e-6)
    assert "copula" in result.extra
    after = diagnose(pop, target, result.weights).set_index("margin")
    assert after.loc["sex × age_pew6", "tvd"] < 1e-6
