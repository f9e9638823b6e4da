"""State frames from the real ACS 2018 tables: every published margin used is reproduced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calib.forecast.census import read_state_tables
from calib.forecast.frames import build_state_frames


@pytest.fixture(scope="module")
def tables(shared_data):
    return read_state_tables(shared_data)


@pytest.fixture(scope="module")
def cvap(tables):
    return build_state_frames(tables, population="cvap", n_replicates=3, random_state=1)


@pytest.fixture(scope="module")
def adult(tables):
    return build_state_frames(tables, population="adult")


@pytest.fixture(scope="module")
def raw_b01(shared_data):
    path = shared_data / "census_state_tables" / "acs1_2018_state_B01001_sex_by_age_by_race.csv"
    return pd.read_csv(path)


def _rel(a, b):
    return float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


def test_adult_frame_reproduces_b01001_and_b15001_exactly(adult, tables):
    rsa = tables.tables["adult_race_sex_age"].estimate
    sae = tables.tables["adult_sex_age_educ"].estimate
    assert _rel(adult.counts.sum(axis=4), rsa) < 1e-5
    assert _rel(adult.counts.sum(axis=1), sae) < 1e-5


def test_adult_frame_reproduces_b15002_within_harmonisation(adult, tables):
    published = tables.tables["adult25_race_sex_educ"].estimate
    fitted = adult.counts[:, :, :, 1:, :].sum(axis=3)
    have = ~np.isnan(published)
    gap = np.abs(fitted - published)[have].sum() / published[have].sum()
    assert gap < 0.002  # published B15002 and B01001 differ by rounding only
    assert adult.diagnostics["harmonisation"]["adult25_race_sex_educ"] < 0.01
    assert adult.diagnostics["harmonisation"]["adult_race_sex_age"] == 0.0


def test_cvap_frame_reproduces_cvap_margins(cvap, tables):
    t = tables.tables
    assert _rel(cvap.counts.sum(axis=(3, 4)), t["cvap_race_sex"].estimate) < 1e-5
    age3 = cvap.counts.sum(axis=(1, 2, 4))
    age3 = np.stack([age3[:, :3].sum(1), age3[:, 3], age3[:, 4]], axis=1)
    assert _rel(age3, t["cvap_age3"].estimate) < 1e-5
    assert _rel(cvap.counts.sum(axis=(1, 2, 3)), t["cvap_educ"].estimate) < 1e-5


def test_published_values_by_hand(cvap, adult, raw_b01):
    # Alabama CVAP total and CVAP with a bachelor's degree (B29001 / B29002, published).
    frame = cvap.to_frame()
    al = frame[frame.state == "AL"]
    assert al["count"].sum() == pytest.approx(3_712_212, rel=1e-7)
    assert al.loc[al.educ4 == "Bachelor's", "count"].sum() == pytest.approx(558_690, rel=1e-6)
    # Alabama White non-Hispanic men 25-34 = B01001H lines "25 to 29" + "30 to 34".
    h = raw_b01[(raw_b01.table_id == "B01001H") & (raw_b01.state_fips == 1)]
    want = h[h.label.isin(["Total!!Male!!25 to 29 years", "Total!!Male!!30 to 34 years"])]
    got = adult.margin(["race5", "sex", "age_b15001_5"])[0, 0, 0, 1]
    assert got == pytest.approx(want.estimate.sum(), rel=1e-6)


def test_race_groups_sum_to_the_total(adult, raw_b01):
    base = raw_b01[(raw_b01.table_id == "B01001") & raw_b01.state_fips.isin([6, 48])]
    ages = base.label.str.extract(r"!!(\d+)")[0].astype(float)
    adults = base[(ages >= 18) & base.label.str.count("!!").eq(2)]
    by_state = adults.groupby("state_fips").estimate.sum()
    totals = adult.counts.reshape(51, -1).sum(axis=1)
    assert totals[adult.states.index("CA")] == pytest.approx(by_state[6], rel=1e-6)
    assert totals[adult.states.index("TX")] == pytest.approx(by_state[48], rel=1e-6)


def test_replicates_carry_the_margins_of_error(cvap):
    assert cvap.replicates.shape == (3, 51, 5, 2, 5, 4)
    mean = cvap.replicates.mean(axis=0)
    big = cvap.counts > 50_000
    assert np.median(np.abs(mean[big] / cvap.counts[big] - 1)) < 0.05
    assert (cvap.replicates.std(axis=0)[big] > 0).all()
    assert "MOE replicates" in cvap.summary()


def test_notes_record_suppression(tables):
    assert any("suppressed" in n for n in tables.notes)


def test_copula_seed_keeps_margins_and_changes_the_joint(tables, adult):
    from calib.forecast.copula_seed import copula_seed

    seed = copula_seed(tables, states=["VT"])
    vt = tables.states.index("VT")
    assert np.all(seed[np.arange(51) != vt] == 1.0)  # other states keep the uniform seed
    frame = build_state_frames(tables, population="adult", seed=seed)
    rsa = tables.tables["adult_race_sex_age"].estimate
    sae = tables.tables["adult_sex_age_educ"].estimate
    assert _rel(frame.counts.sum(axis=4)[vt], rsa[vt]) < 1e-5
    assert _rel(frame.counts.sum(axis=1)[vt], sae[vt]) < 1e-5
    # the 4-way structure differs from the maximum-entropy frame, other states do not
    a = frame.counts[vt] / frame.counts[vt].sum()
    b = adult.counts[vt] / adult.counts[vt].sum()
    assert 0.5 * np.abs(a - b).sum() > 1e-4
    np.testing.assert_allclose(frame.counts[0], adult.counts[0])
    assert "given" in frame.provenance["method"]
