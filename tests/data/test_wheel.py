"""Packaging: a built wheel ships the bundled tables as calib/_bundled (slow: builds a wheel)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_ships_bundled_tables(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("silicon_calib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in ("president_by_state.csv", "acs2017_sex_age_educ.csv", "nist_acs_cells.csv",
                  "manifest.json", "README.md"):  # fmt: skip
        assert f"calib/_bundled/{table}" in names, table
    assert "calib/sources/bundled.py" in names and "calib/standard/variables.py" in names
