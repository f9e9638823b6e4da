"""Bundled tables: loaders work without raw data; the build script reproduces them byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from calib.datadir import bundled_file
from calib.errors import DataError
from calib.sources.bundled import (
    bundled_provenance,
    bundled_tables,
    load_acs2017_target,
    load_nist_cells,
    load_president_results,
    nist_cells_frame,
)

DATA = Path(__file__).resolve().parents[2] / "data"
TABLES = ("president_by_state.csv", "acs2017_sex_age_educ.csv", "nist_acs_cells.csv")


def load_build_module():
    spec = importlib.util.spec_from_file_location("calib_data_build", DATA / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_manifest_lists_every_table_with_licence():
    entries = {e["file"]: e for e in bundled_tables()}
    assert set(entries) == set(TABLES)
    for entry in entries.values():
        for key in ("source", "vintage", "universe", "licence", "title"):
            assert entry[key], (entry["file"], key)
    assert "NOT nationally" in " ".join(entries["nist_acs_cells.csv"]["notes"])
    assert bundled_provenance("nist_acs_cells.csv").weight == "PWGTP"
    with pytest.raises(DataError):
        bundled_provenance("nope.csv")


def test_president_table():
    table = load_president_results()
    assert sorted(set(table.year)) == [2000, 2004, 2008, 2012, 2016, 2020, 2024]
    assert (table.groupby("year").size() == 51).all()
    assert (table.groupby("year").electoral_votes.sum() == 538).all()
    ev = table.groupby("year")[["ev_dem", "ev_rep"]].sum()
    assert tuple(ev.loc[2000]) == (267, 271) and tuple(ev.loc[2020]) == (306, 232)
    assert (table.dem_votes + table.rep_votes + table.other_votes == table.total_votes).all()
    assert table.attrs["provenance"].extra["licence"].startswith("CC0")
    with pytest.raises(DataError, match="1996"):
        load_president_results(years=[1996])


def test_acs2017_target():
    target = load_acs2017_target()
    assert target.relative and target.joint().sum() == pytest.approx(1.0)
    assert target.joint().shape == (36,)
    assert "pewmethods" in target.provenance.source


def test_nist_cells():
    frame = nist_cells_frame()
    assert set(zip(frame.area, frame.year, strict=True)) == {
        (a, y) for a in ("national", "ma", "tx") for y in (2018, 2019)
    }
    assert (frame.weighted_count > 0).all() and (frame.n_persons > 0).all()
    target = load_nist_cells("tx", 2019, ["sex"])
    assert target.joint().index.tolist() == ["Male", "Female"]
    with pytest.raises(DataError, match="fl"):
        load_nist_cells("fl")


def test_nist_cells_match_the_microdata(shared_data):
    from calib.sources.acs import read_nist_excerpt

    pop = read_nist_excerpt("ma2019")
    target = load_nist_cells("ma", 2019, ["race5", "educ4"])
    expected = pop.margin(["race5", "educ4"])
    pd.testing.assert_series_equal(
        target.margin(["race5", "educ4"]), expected, check_names=False, atol=0.5, rtol=0
    )
    assert target.total == pytest.approx(pop.total_weight)


def test_build_is_byte_identical(shared_data, tmp_path):
    """Rebuilding from ../shared/data reproduces every committed table byte for byte."""
    build = load_build_module()
    written = build.build(out=tmp_path)
    assert {p.name for p in written} == {*TABLES, "manifest.json"}
    for path in written:
        assert path.read_bytes() == bundled_file(path.name).read_bytes(), path.name
    again = tmp_path / "again"
    build.build(out=again)
    for path in written:
        assert (again / path.name).read_bytes() == path.read_bytes()
