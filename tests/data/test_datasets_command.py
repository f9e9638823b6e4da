"""``calib datasets`` and the dataset catalogue."""

from __future__ import annotations

import json

from calib.cli import main
from calib.sources.catalog import RAW_DATASETS, dataset_catalog


def test_catalog_without_raw_data(tmp_path):
    table = dataset_catalog(data_dir=tmp_path)
    bundled = table[table.kind == "bundled"]
    assert len(bundled) == 3 and bundled.present.all()
    raw = table[table.kind == "raw"]
    assert len(raw) == len(RAW_DATASETS) and not raw.present.any()


def test_catalog_sees_a_partial_folder(tmp_path):
    (tmp_path / "medsl_president").mkdir()
    (tmp_path / "medsl_president" / "1976-2020-president.csv").write_text("year\n")
    (tmp_path / "my_survey").mkdir()
    (tmp_path / "my_survey" / "PROVENANCE.md").write_text("# My survey 2025\n")
    table = dataset_catalog(data_dir=tmp_path).set_index("name")
    assert not table.loc["medsl_president", "present"]  # the 2024 file is missing
    assert table.loc["my_survey", "kind"] == "raw (unregistered)"
    assert table.loc["my_survey", "title"] == "My survey 2025"


def test_command_text_and_json(tmp_path, capsys):
    assert main(["datasets", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "president_by_state.csv" in out and "[no ] silicon_pew2013" in out
    assert main(["datasets", "--data-dir", str(tmp_path), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in records if r["kind"] == "bundled"} >= {"nist_acs_cells.csv"}


def test_real_data_directory_is_complete(shared_data):
    table = dataset_catalog()
    assert table[table.kind == "raw"].present.all()
