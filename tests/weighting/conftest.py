"""Small self-made populations and targets for the weighting tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.population import Population
from calib.schema import Schema, Variable, VariableKind
from calib.target import Target

LEVELS = {
    "sex": ("M", "F"),
    "age": ("young", "middle", "old"),
    "educ": ("low", "mid", "high"),
}


@pytest.fixture(scope="session")
def schema() -> Schema:
    return Schema(
        [
            Variable("sex", LEVELS["sex"]),
            Variable("age", LEVELS["age"], VariableKind.ORDINAL),
            Variable("educ", LEVELS["educ"], VariableKind.ORDINAL),
        ]
    )


def make_frame(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(LEVELS["sex"], n, p=[0.35, 0.65]),
            "age": rng.choice(LEVELS["age"], n, p=[0.5, 0.3, 0.2]),
            "educ": rng.choice(LEVELS["educ"], n, p=[0.2, 0.3, 0.5]),
        }
    )
    frame["income"] = rng.gamma(3.0, 15.0, n)
    frame["y"] = rng.normal(0, 1, n) + (frame["educ"] == "high")
    frame["d"] = rng.uniform(1.0, 3.0, n)
    return frame


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture
def population(frame: pd.DataFrame, schema: Schema) -> Population:
    return Population(frame, schema, weights="d")


@pytest.fixture
def target(schema: Schema) -> Target:
    return Target.from_margins(
        {"sex": [0.48, 0.52], "age": [0.3, 0.35, 0.35], "educ": [0.35, 0.35, 0.3]},
        schema,
        total=1000.0,
    )


@pytest.fixture(scope="session")
def reference_frame() -> pd.DataFrame:
    """Weighted 'real' microdata with a different composition than the personas."""
    rng = np.random.default_rng(11)
    n = 800
    return pd.DataFrame(
        {
            "sex": rng.choice(LEVELS["sex"], n, p=[0.5, 0.5]),
            "age": rng.choice(LEVELS["age"], n, p=[0.3, 0.35, 0.35]),
            "educ": rng.choice(LEVELS["educ"], n, p=[0.35, 0.35, 0.3]),
            "pw": rng.uniform(50.0, 150.0, n),
        }
    )


@pytest.fixture
def reference(reference_frame: pd.DataFrame, schema: Schema) -> Population:
    return Population(reference_frame, schema, weights="pw")
