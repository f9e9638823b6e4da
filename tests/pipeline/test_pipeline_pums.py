"""The pipeline with an ACS PUMS person file as the reference (weighted microdata)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.pipeline import load_config, run_pipeline
from calib.pipeline.config import ConfigError

REGION_OF_STATE = {25: "Northeast", 17: "Midwest", 48: "South", 6: "West"}


def _write_pums(path, rng):
    n = 400
    st = rng.choice(list(REGION_OF_STATE), n, p=[0.2, 0.3, 0.3, 0.2])
    frame = pd.DataFrame(
        {
            "SERIALNO": [f"2019HU{i}" for i in range(n)],
            "SPORDER": 1,
            "ST": st,
            "PUMA": "00100",
            "PWGTP": rng.integers(5, 120, n),
            "AGEP": rng.integers(18, 90, n),
            "SEX": rng.choice([1, 2], n),
            "RAC1P": 1,
            "HISP": 1,
            "SCHL": 16,
        }
    )
    frame.to_csv(path, index=False)
    return frame


def test_pums_reference_rakes_to_the_weighted_person_records(small_project):
    pums = _write_pums(small_project / "psam_p99.csv", np.random.default_rng(8))
    config = small_project / "config.toml"
    text = config.read_text().replace(
        'path = "margins.csv"\nkind = "margins"', 'path = "psam_p99.csv"\nkind = "pums"'
    )
    config.write_text(text)
    run_pipeline(load_config(config))
    personas = pd.read_csv(small_project / "personas.csv")
    w = pd.read_csv(small_project / "out" / "weights.csv")["weight"].to_numpy()
    region = pums["ST"].map(REGION_OF_STATE)
    for level in ("Northeast", "South"):
        share = pums.loc[region == level, "PWGTP"].sum() / pums["PWGTP"].sum()
        assert w[personas["region"] == level].sum() / w.sum() == pytest.approx(share, rel=1e-8)
    female = pums.loc[pums["SEX"] == 2, "PWGTP"].sum() / pums["PWGTP"].sum()
    assert w[personas["sex"] == "Female"].sum() / w.sum() == pytest.approx(female, rel=1e-8)


def test_pums_reference_errors_name_the_field_or_variable(small_project):
    _write_pums(small_project / "psam_p99.csv", np.random.default_rng(8))
    config = small_project / "config.toml"
    base = config.read_text()
    config.write_text(base.replace('kind = "margins"', 'kind = "margins"\nstates = ["MA"]'))
    with pytest.raises(ConfigError, match="states"):
        load_config(config)
    config.write_text(
        base.replace(
            'path = "margins.csv"\nkind = "margins"', 'path = "psam_p99.csv"\nkind = "pums"'
        ).replace('variables = ["sex", "region"]', 'variables = ["sex", "region", "party3"]')
    )
    personas = pd.read_csv(small_project / "personas.csv").assign(party3="Democrat")
    personas.to_csv(small_project / "personas.csv", index=False)
    with pytest.raises(DataError, match="PUMS gives no variable 'party3'"):
        run_pipeline(load_config(config))
