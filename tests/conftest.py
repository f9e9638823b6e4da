"""Shared fixtures: the real data directory (skipping cleanly when absent) and small schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from calib.datadir import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data directory with the real raw files; skips the test when absent."""
    path = shared_data_dir(required=False)
    if path is None:
        pytest.skip("real data directory ../shared/data (or $CALIB_DATA_DIR) is not available")
    return path
