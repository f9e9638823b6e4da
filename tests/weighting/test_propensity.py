"""Propensity weights: saturated logistic = post-stratification, any sklearn classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from calib.errors import DataError
from calib.population import Population
from calib.target import Target
from calib.weighting import PostStratifier, PropensityWeighter


@pytest.fixture
def reference(schema) -> Population:
    rng = np.random.default_rng(7)
    n = 1500
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["M", "F"], n, p=[0.5, 0.5]),
            "age": rng.choice(["young", "middle", "old"], n, p=[0.3, 0.35, 0.35]),
            "educ": rng.choice(["low", "mid", "high"], n, p=[0.35, 0.35, 0.3]),
            "pw": rng.uniform(50, 150, n),
        }
    )
    return Population(frame, schema, weights="pw")


def test_saturated_logistic_reproduces_poststratification(population, reference):
    # one-hot of a single variable + intercept is saturated: odds = cell density ratio
    prop = PropensityWeighter(variables=["age"], C=1e8).fit(population, reference)
    ps = PostStratifier(variables=["age"]).fit(population, Target.from_microdata(reference))
    np.testing.assert_allclose(prop.weights_, ps.weights_, rtol=1e-4)
    assert prop.weights_.sum() == pytest.approx(reference.total_weight)


def test_gbm_and_custom_classifier_move_margins_toward_target(population, reference):
    before = population.margin("sex") / population.total_weight
    want = reference.margin("sex") / reference.total_weight
    for clf in ("gbm", RandomForestClassifier(n_estimators=30, min_samples_leaf=20)):
        est = PropensityWeighter(classifier=clf, random_state=3).fit(population, reference)
        after = population.margin("sex", est.weights_) / est.weights_.sum()
        assert np.abs(after - want).max() < np.abs(before - want).max()
        assert (est.weights_ > 0).all()
        assert est.propensity_.shape == (population.n,)
    # the user's classifier object is cloned, not fitted in place
    assert not hasattr(clf, "estimators_")


def test_margins_target_is_rejected(population, target):
    with pytest.raises(DataError, match="microdata"):
        PropensityWeighter().fit(population, target)
    with pytest.raises(DataError, match="classifier"):
        PropensityWeighter(classifier="svm").fit(population, Target.from_microdata(population))
