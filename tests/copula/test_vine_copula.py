"""VineCopula: same interface, exact margins, dependence recovered, nominal refused."""

from __future__ import annotations

import numpy as np
import pytest
from copula_sim import mixed_schema, simulate_frame

from calib.copula import GaussianCopula, VineCopula, make_copula
from calib.errors import DataError, NotFittedError, SchemaError
from calib.population import Population
from calib.schema import Schema

pytest.importorskip("pyvinecopulib")


@pytest.fixture(scope="module")
def ordinal_population() -> Population:
    frame = simulate_frame(4000, seed=6)[["educ", "sex", "inc"]]
    schema = Schema([mixed_schema()[k] for k in ("educ", "sex", "inc")])
    return Population(frame, schema)


@pytest.fixture(scope="module")
def vine(ordinal_population) -> VineCopula:
    return make_copula("vine", family_set=["gaussian"], seed=2).fit(ordinal_population)


def test_make_copula_chooses_by_argument():
    assert isinstance(make_copula("gaussian"), GaussianCopula)
    assert isinstance(make_copula("vine"), VineCopula)
    with pytest.raises(DataError, match="family"):
        make_copula("clayton-only")


def test_vine_tables_and_targets(vine, ordinal_population):
    tab = vine.table(["educ", "sex"], n_draws=2**13)
    emp = ordinal_population.margin(["educ", "sex"]).to_numpy() / 4000
    # a Gaussian-family vine on Gaussian-generated data: within sampling error of n=4,000
    assert 0.5 * np.abs(tab.probs.to_numpy() - emp).sum() < 0.03
    target = vine.joint_target([("educ", "sex")], n_draws=2**15)
    np.testing.assert_allclose(
        target.margin("educ").to_numpy(), ordinal_population.margin("educ").to_numpy()
    )
    people = vine.sample(500, seed=1)
    assert list(people.columns) == ["educ", "sex", "inc"]
    assert "VineCopula" in vine.summary()


def test_vine_refuses_nominal_and_needs_fit():
    frame = simulate_frame(200, seed=1)
    with pytest.raises(SchemaError, match="nominal"):
        VineCopula().fit(Population(frame, mixed_schema()))
    with pytest.raises(NotFittedError):
        VineCopula().table(["educ"])


def test_missing_pyvinecopulib_gives_clear_error(monkeypatch, ordinal_population):
    import sys

    from calib.errors import CalibError

    monkeypatch.setitem(sys.modules, "pyvinecopulib", None)
    with pytest.raises(CalibError, match="pip install"):
        VineCopula().fit(ordinal_population)
