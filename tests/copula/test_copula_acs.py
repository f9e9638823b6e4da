"""Real data: ACS PUMS 2018 margins + pairs predict 2019 three-way tables better than
independence, and the k-way target keeps the 2018 margins exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.copula import GaussianCopula
from calib.population import Population
from calib.schema import Schema, Variable

EDUC = ("<HS", "HS/GED", "Some college/assoc", "BA+")
INC = ("<10k", "10-25k", "25-50k", "50-100k", "100k+")
RACE = ("Hispanic", "White", "Black", "Asian", "Other")
SCHEMA = Schema(
    [
        Variable("sex", ("Male", "Female")),
        Variable("raceeth", RACE),
        Variable("educ4", EDUC, kind="ordinal"),
        Variable("income5", INC, kind="ordinal"),
    ]
)


def _load(path) -> Population:
    raw = pd.read_csv(path, na_values="N")
    raw = raw[raw["AGEP"] >= 18]
    race = np.select(
        [raw["HISP"] > 0, raw["RAC1P"] == 1, raw["RAC1P"] == 2, raw["RAC1P"] == 6],
        ["Hispanic", "White", "Black", "Asian"],
        "Other",
    )
    frame = pd.DataFrame(
        {
            "sex": np.where(raw["SEX"] == 1, "Male", "Female"),
            "raceeth": race,
            "educ4": pd.cut(raw["EDU"], [0, 4, 6, 8, 12], labels=EDUC).astype(str),
            "income5": pd.cut(
                raw["PINCP"], [-np.inf, 9999, 24999, 49999, 99999, np.inf], labels=INC
            ).astype(str),
            "w": raw["PWGTP"].to_numpy(float),
        }
    )
    return Population(frame, SCHEMA, weights="w")


@pytest.fixture(scope="module")
def acs(shared_data):
    folder = shared_data / "nist_acs_excerpts"
    return _load(folder / "national2018.csv"), _load(folder / "national2019.csv")


def test_margins_and_pairs_beat_independence_on_real_acs(acs):
    pop18, pop19 = acs
    names = list(SCHEMA.names)
    margins = {n: pop18.margin(n) for n in names}
    tables = {(a, b): pop18.margin([a, b]) for i, a in enumerate(names) for b in names[i + 1 :]}
    cop = GaussianCopula().fit_summaries(margins=margins, tables=tables, schema=SCHEMA)
    assert set(cop.pair_sources_.values()) == {"table"}
    key = ["raceeth", "educ4", "income5"]
    truth = pop19.margin(key).to_numpy()
    truth = truth / truth.sum()
    indep = np.ones(1)
    for n in key:
        m = pop18.margin(n).to_numpy()
        indep = np.multiply.outer(indep, m / m.sum()).ravel()
    model = cop.table(key, n_draws=2**15).probs.to_numpy()

    def tv(p: np.ndarray) -> float:
        return 0.5 * float(np.abs(p - truth).sum())

    assert tv(model) < 0.7 * tv(indep)
    target = cop.joint_target([tuple(key)], n_draws=2**17, match_tables=True)
    assert tv(target.shares(key).to_numpy()) < 0.5 * tv(indep)
    for n in key:
        np.testing.assert_allclose(
            target.margin(n).to_numpy() / target.total,
            (pop18.margin(n) / pop18.total_weight).to_numpy(),
            atol=1e-9,
        )
