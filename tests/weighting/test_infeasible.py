"""Every infeasibility raises its typed error, naming the margin and cell and a remedy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import (
    ConvergenceError,
    DataError,
    EmptyCellError,
    InconsistentMarginsError,
    InfeasibleError,
    SchemaError,
)
from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target
from calib.weighting import Calibrator, PostStratifier, Raker


@pytest.fixture
def no_old(population) -> Population:
    return population.subset(population.data["age"] != "old")


def test_inconsistent_totals(population, schema):
    target = Target.from_margins(
        {"sex": [500.0, 500.0], "age": [300.0, 300.0, 300.0]}, schema, check=False
    )
    for est in (Raker(), Calibrator()):
        with pytest.raises(InconsistentMarginsError, match="margin sex sums to 1000"):
            est.fit(population, target)


def test_target_level_without_personas_names_level_and_neighbour(no_old, target):
    for est in (Raker(), Calibrator(distance="raking"), PostStratifier(variables=["age"])):
        with pytest.raises(EmptyCellError, match=r"margin age.*'old'.*adjacent level 'middle'"):
            est.fit(no_old, target)


def test_empty_cell_of_multiway_margin(no_old, schema):
    joint = pd.Series(
        np.full(6, 100.0),
        index=pd.MultiIndex.from_product([schema["sex"].levels, schema["age"].levels]),
    )
    target = Target.from_margins({("sex", "age"): joint}, schema)
    with pytest.raises(EmptyCellError, match=r"sex×age.*M\|old") as info:
        Raker().fit(no_old, target)
    assert "replace the sex×age margin by its 1-way margins" in str(info.value)
    assert info.value.margin == "sex×age" and "F|old" in info.value.cells


def test_structural_zero(population, schema):
    target = Target.from_margins({"age": [500.0, 500.0, 0.0]}, schema)
    w = Raker().fit(population, target).weights_
    assert (w[population.data["age"] == "old"] == 0).all()  # unbounded raking may zero them
    with pytest.raises(InfeasibleError, match="structural zeros"):
        Calibrator(distance="raking").fit(population, target)
    with pytest.raises(InfeasibleError, match="structural zeros"):
        Raker(bounds=(0.2, 5.0)).fit(population, target)


def test_bounds_that_cannot_be_met_name_the_cell(population, target):
    with pytest.raises(InfeasibleError, match=r"margin sex cell 'M' needs .* widen the bounds"):
        Raker(bounds=(0.9, 1.5)).fit(population, target)
    with pytest.raises(InfeasibleError, match="cannot be met"):
        Calibrator(distance="logit", bounds=(0.9, 1.5)).fit(population, target)


def test_calibration_that_hits_the_cap(population, target):
    with pytest.raises(ConvergenceError, match="did not converge"):
        Calibrator(distance="raking", max_iter=1, tol=1e-14).fit(population, target)


def test_schema_mismatch_and_missing_values(population):
    other = Schema([Variable("sex", ("Male", "Female"))])
    target = Target.from_margins({"sex": [0.5, 0.5]}, other)
    with pytest.raises(SchemaError, match="recode one side"):
        Raker().fit(population, target)
    schema = Schema([Variable("sex", ("M", "F"))])
    pop = Population(pd.DataFrame({"sex": ["M", None, "F"]}), schema, allow_missing=True)
    with pytest.raises(DataError, match="missing values"):
        Raker().fit(pop, {"sex": [0.5, 0.5]})
