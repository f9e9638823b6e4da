"""Small self-made schemas and populations for the diagnostics tests."""

import numpy as np
import pandas as pd
import pytest

from calib.population import Population
from calib.schema import Schema, Variable

SCHEMA = Schema(
    [
        Variable("sex", ("M", "F")),
        Variable("age", ("18-34", "35-64", "65+"), kind="ordinal"),
        Variable("educ", ("low", "mid", "high"), kind="ordinal"),
    ]
)


def make_frame(n: int, seed: int, dependent: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.choice(3, n, p=[0.3, 0.5, 0.2])
    educ = np.clip(age + rng.integers(-1, 2, n), 0, 2) if dependent else rng.choice(3, n)
    return pd.DataFrame(
        {
            "sex": rng.choice(["M", "F"], n),
            "age": np.array(SCHEMA["age"].levels)[age],
            "educ": np.array(SCHEMA["educ"].levels)[educ],
        }
    )


@pytest.fixture
def schema() -> Schema:
    return SCHEMA


@pytest.fixture
def personas() -> Population:
    return Population(make_frame(300, 1, dependent=False), SCHEMA)


@pytest.fixture
def reference() -> Population:
    rng = np.random.default_rng(2)
    return Population(make_frame(2000, 2), SCHEMA, weights=rng.uniform(0.5, 2.0, 2000))
