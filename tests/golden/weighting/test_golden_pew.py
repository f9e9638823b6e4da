"""Real data: the Pew Dec-2013 survey excerpt weighted to ACS 2017 targets, vs R survey.

The raw files come from ../shared/data/pewmethods_pew_acs (via the ``shared_data`` fixture;
the test skips when they are absent). ``make_golden_pew.R`` ran R survey 4.1 on the same files
and committed only aggregates to ``golden_pew.csv``: weighted Obama and ACA approval, Kish
ESS and the weight range for each method. Tolerance 1e-6 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib.population import Population
from calib.schema import Schema, Variable, VariableKind
from calib.target import Target
from calib.weighting import Calibrator, PostStratifier, Raker

HERE = Path(__file__).resolve().parent
LEVELS = {
    "sex": ("Male", "Female"),
    "recage": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "receduc": ("HS grad or less", "Some coll/Assoc degree", "Coll+"),
}
SCHEMA = Schema(
    [
        Variable(k, v, VariableKind.NOMINAL if k == "sex" else VariableKind.ORDINAL)
        for k, v in LEVELS.items()
    ]
)
ESTIMATORS = {
    "rake": lambda: Raker(tol=1e-13),
    "rake_joint": lambda: Raker(margins=[("sex", "recage"), "receduc"], tol=1e-13),
    "poststrat": lambda: PostStratifier(variables=["sex", "recage", "receduc"]),
    "linear": lambda: Calibrator(distance="linear"),
    "logit": lambda: Calibrator(distance="logit", bounds=(0.3, 3.0), tol=1e-12),
}


@pytest.fixture(scope="module")
def pew(shared_data: Path) -> tuple[Population, Target]:
    src = shared_data / "pewmethods_pew_acs"
    frame = pd.read_csv(src / "dec13_excerpt.csv", keep_default_na=False)
    keep = frame["recage"].isin(LEVELS["recage"]) & frame["receduc"].isin(LEVELS["receduc"])
    pop = Population(frame[keep], SCHEMA)
    acs = pd.read_csv(src / "acs_2017_excerpt.csv")
    target = Target.from_joint(acs, SCHEMA, value_column="weight", total=float(pop.n))
    return pop, target


@pytest.mark.parametrize("method", sorted(ESTIMATORS))
def test_pew_weights_match_r_survey(pew, method):
    pop, target = pew
    want = pd.read_csv(HERE / "golden_pew.csv").set_index("method").loc[method]
    w = ESTIMATORS[method]().fit(pop, target).weights_
    approve = (pop.data["q1"] == "Approve").to_numpy(dtype=float)
    aca = (pop.data["q45"] == "Approve").to_numpy(dtype=float)
    assert pop.n == want["n"]
    got = {
        "approve": w @ approve / w.sum(),
        "aca_approve": w @ aca / w.sum(),
        "kish_ess": w.sum() ** 2 / (w**2).sum(),
        "min_weight": w.min(),
        "max_weight": w.max(),
    }
    for key, value in got.items():
        assert value == pytest.approx(want[key], rel=1e-6), key
    assert np.isclose(w.sum(), pop.n)
