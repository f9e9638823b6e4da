"""Configuration parsing: defaults, and errors that name the file and the field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from calib.errors import CalibError, DataError, MissingDataFileError
from calib.pipeline import ConfigError, load_config, parse_config

BASE = {
    "population": {"path": "p.csv", "variables": ["sex"]},
    "reference": {"path": "r.csv"},
    "questions": [{"name": "q", "column": "a", "level": "Yes"}],
}


def _with(section: str, **fields):
    data = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in BASE.items()}
    data[section] = {**data.get(section, {}), **fields}
    return data


def test_defaults_and_relative_paths(tmp_path):
    cfg = parse_config(BASE, base=tmp_path, source="c.toml")
    assert cfg.population.path == tmp_path / "p.csv"
    assert cfg.weighting.method == "raking" and cfg.weighting.margins is None
    assert cfg.correction.method == "none"  # no gold sample
    assert cfg.output.dir == tmp_path / "calib-output"


def test_loads_the_bundled_demo_config():
    cfg = load_config(Path(__file__).parents[2] / "data" / "demo" / "demo.toml")
    assert [q.name for q in cfg.questions][:2] == ["obama_approve", "aca_approve"]
    assert cfg.weighting.bounds == (0.1, 10.0)
    assert cfg.gold is not None and cfg.gold.cell == ("sex", "age_pew6", "race4")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({k: v for k, v in BASE.items() if k != "reference"}, "reference", "missing"),
        (_with("population", variables="sex"), "population.variables", "must be list"),
        (_with("population", colour="red"), "population.colour", "not a known field"),
        (_with("weighting", method="magic"), "weighting.method", "raking, none"),
        (_with("weighting", bounds=[2, 3]), "weighting.bounds", "lower < 1 < upper"),
        (_with("weighting", margins=[["sex"], []]), "weighting.margins", "has entry"),
        (_with("correction", method="ppi++"), "correction.method", "no [gold]"),
        ({**BASE, "questions": []}, "questions", "missing or empty"),
        ({**BASE, "extra": {}}, "extra", "not a known section"),
        (
            {**BASE, "questions": [{"name": "q", "column": "a"}]},
            "questions[0].level",
            "missing",
        ),
    ],
)
def test_errors_name_the_field(data, field, words):
    with pytest.raises(ConfigError) as info:
        parse_config(data, base=".", source="my.toml")
    message = str(info.value)
    assert message.startswith("my.toml: field") and repr(field) in message and words in message
    assert info.value.field_name == field
    assert isinstance(info.value, CalibError)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(MissingDataFileError):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[population\npath = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_duplicate_question_names():
    q = {"name": "q", "column": "a", "level": "Yes"}
    with pytest.raises(DataError, match="repeat the name 'q'"):
        parse_config({**BASE, "questions": [q, q]}, base=".")
