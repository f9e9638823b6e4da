"""calib.weighting against R survey 4.1 (rake, calibrate, postStratify, svrepdesign).

Expected numbers come from ``make_golden.R`` in this folder, run on the seeded inputs written
by ``make_data.py``; both scripts and their outputs are committed, so CI needs no R.
Tolerance: 1e-6 relative on every weight and on the replicate standard errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calib.population import Population
from calib.schema import Schema, Variable
from calib.target import Target
from calib.weighting import Calibrator, Raker

HERE = Path(__file__).resolve().parent
LEVELS = {
    "sex": ("M", "F"),
    "age4": ("a18_29", "a30_44", "a45_64", "a65p"),
    "educ3": ("hs", "some", "ba"),
    "region4": ("NE", "MW", "S", "W"),
}
SCHEMA = Schema([Variable(k, v) for k, v in LEVELS.items()])
RTOL = 1e-6


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(HERE / "sample.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def population(sample: pd.DataFrame) -> Population:
    return Population(sample, SCHEMA, weights="d")


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(HERE / "golden_weights.csv")


@pytest.fixture(scope="module")
def margins() -> pd.DataFrame:
    return pd.read_csv(HERE / "margins.csv", keep_default_na=False)


def one_way(margins: pd.DataFrame, name: str) -> dict[str, float]:
    m = margins[margins["margin"] == name]
    return dict(zip(m["level"], m["total"], strict=True))


def joint(margins: pd.DataFrame) -> pd.Series:
    m = margins[margins["margin"] == "sex:age4"]
    index = pd.MultiIndex.from_arrays([m["level"], m["level2"]], names=["sex", "age4"])
    return pd.Series(m["total"].to_numpy(), index=index)


@pytest.fixture(scope="module")
def target_1way(margins: pd.DataFrame) -> Target:
    return Target.from_margins({k: one_way(margins, k) for k in LEVELS}, SCHEMA)


@pytest.fixture(scope="module")
def x_total(margins: pd.DataFrame) -> float:
    return float(margins.loc[margins["margin"] == "x", "total"].iloc[0])


def close(got: np.ndarray, want: pd.Series) -> None:
    np.testing.assert_allclose(got, want.to_numpy(), rtol=RTOL, atol=0)


def test_rake_one_way_matches_r_rake(population, target_1way, golden):
    close(Raker(tol=1e-13).fit(population, target_1way).weights_, golden["rake"])


def test_rake_joint_margin_matches_r_rake(population, margins, golden):
    target = Target.from_margins(
        {
            ("sex", "age4"): joint(margins),
            "educ3": one_way(margins, "educ3"),
            "region4": one_way(margins, "region4"),
        },
        SCHEMA,
    )
    close(Raker(tol=1e-13).fit(population, target).weights_, golden["rake_joint"])


@pytest.mark.parametrize("distance", ["linear", "raking"])
def test_calibrate_with_continuous_total_matches_r(
    population, target_1way, x_total, golden, distance
):
    cal = Calibrator(totals={"x": x_total}, distance=distance, tol=1e-12).fit(
        population, target_1way
    )
    close(cal.weights_, golden[distance])


def test_calibrate_logit_bounded_matches_r(population, target_1way, x_total, golden):
    cal = Calibrator(totals={"x": x_total}, distance="logit", bounds=(0.4, 2.2), tol=1e-12)
    close(cal.fit(population, target_1way).weights_, golden["logit"])


def test_calibrate_raking_categorical_equals_r_and_ipf(population, target_1way, golden):
    cal = Calibrator(distance="raking", tol=1e-12).fit(population, target_1way)
    close(cal.weights_, golden["raking_cat"])
    close(Raker(tol=1e-13).fit(population, target_1way).weights_, golden["raking_cat"])


@pytest.mark.parametrize("distance", ["linear", "raking"])
def test_bounded_calibration_matches_r(population, target_1way, golden, distance):
    cal = Calibrator(distance=distance, bounds=(0.4, 2.5), tol=1e-12, max_iter=500)
    w = cal.fit(population, target_1way).weights_
    close(w, golden[f"{distance}_bounded"])
    g = w / population.weights
    assert g.min() >= 0.4 - 1e-12 and g.max() <= 2.5 + 1e-12


def test_bounded_raking_ipf_equals_r_bounded_calibrate(population, target_1way, golden):
    # bounds enforced during the IPF reach R's truncated-exponential calibration solution
    raker = Raker(bounds=(0.4, 2.5), tol=1e-13, max_iter=20000).fit(population, target_1way)
    close(raker.weights_, golden["raking_bounded"])


def test_poststratify_matches_r_poststratify(population, margins, golden):
    from calib.weighting import PostStratifier

    target = Target.from_margins({("sex", "age4"): joint(margins)}, SCHEMA)
    close(PostStratifier().fit(population, target).weights_, golden["poststrat"])


@pytest.fixture(scope="module")
def replicate_golden() -> pd.DataFrame:
    return pd.read_csv(HERE / "golden_replicates.csv")


@pytest.mark.parametrize("scheme", ["jk1", "bootstrap"])
@pytest.mark.parametrize("distance", ["linear", "raking"])
def test_replicate_se_of_calibrated_total_matches_r(
    population, target_1way, replicate_golden, scheme, distance
):
    from calib.weighting import make_replicate_base, replicate_weights

    n = population.n
    if scheme == "jk1":
        # the same delete-one replicates the R script builds
        base, scale, rscales = make_replicate_base(population.weights, "jk1")
    else:
        mult = pd.read_csv(HERE / "boot_multiplicities.csv").to_numpy(dtype=float)
        base = population.weights[:, None] * mult * n / (n - 1)
        scale, rscales = 1.0 / (mult.shape[1] - 1), np.ones(mult.shape[1])
    reps = replicate_weights(
        Calibrator(distance=distance, tol=1e-12),
        population,
        target_1way,
        method=scheme,
        base=base,
        scale=scale,
        rscales=rscales,
    )
    est = reps.total("y")
    row = replicate_golden.query("scheme == @scheme and distance == @distance").iloc[0]
    assert est.point == pytest.approx(row["estimate"], rel=RTOL)
    assert est.std_error == pytest.approx(row["se"], rel=RTOL)
    assert reps.scale == pytest.approx(row["scale"], rel=1e-12)
