"""A small synthetic pipeline problem written to files, with numbers that can be checked by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """Personas (sex x region, answer), sex and region reference margins, gold cells, config."""
    rng = np.random.default_rng(3)
    n = 240
    sex = rng.choice(["Male", "Female"], n, p=[0.7, 0.3])
    region = rng.choice(["Northeast", "Midwest", "South", "West"], n)
    p_yes = np.where(sex == "Female", 0.7, 0.4)
    answer = np.where(rng.random(n) < p_yes, "Yes", "No")
    answer[:5] = "Unsure"
    pd.DataFrame(
        {"pid": [f"p{i}" for i in range(n)], "sex": sex, "region": region, "answer": answer}
    ).to_csv(tmp_path / "personas.csv", index=False)
    pd.DataFrame(
        {
            "variable": ["sex", "sex", "region", "region", "region", "region"],
            "level": ["Male", "Female", "Northeast", "Midwest", "South", "West"],
            "share": [0.48, 0.52, 0.17, 0.21, 0.38, 0.24],
        }
    ).to_csv(tmp_path / "margins.csv", index=False)
    pd.DataFrame(
        {
            "question": ["q"] * 4,
            "sex": ["Male", "Male", "Female", "Female"],
            "answer": ["Yes", "No", "Yes", "No"],
            "count": [20, 30, 25, 25],
        }
    ).to_csv(tmp_path / "gold.csv", index=False)
    (tmp_path / "config.toml").write_text(
        textwrap.dedent(
            """
            [population]
            path = "personas.csv"
            id_column = "pid"
            variables = ["sex", "region"]

            [reference]
            path = "margins.csv"
            kind = "margins"
            source = "hand-made margins"

            [weighting]
            method = "raking"

            [gold]
            path = "gold.csv"
            cell = ["sex"]

            [[questions]]
            name = "yes_share"
            column = "answer"
            level = "Yes"
            among = ["Yes", "No"]
            gold = "q"
            truth = 0.5

            [correction]
            method = "ppi"
            smoothing = 0

            [output]
            dir = "out"
            seed = 5
            """
        )
    )
    return tmp_path
