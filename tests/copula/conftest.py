"""Fixtures of the copula tests."""

from __future__ import annotations

import pytest
from copula_sim import mixed_schema, simulate_frame

from calib.population import Population


@pytest.fixture(scope="session")
def mixed_population() -> Population:
    return Population(simulate_frame(60_000, seed=1), mixed_schema())
