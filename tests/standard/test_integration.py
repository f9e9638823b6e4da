"""The standard codings hold together on real data: nested codings give the same margins."""

from __future__ import annotations

import numpy as np
import pytest

from calib.sources.acs import read_nist_excerpt
from calib.sources.bundled import load_acs2017_target
from calib.standard import level_map
from calib.target import Target


@pytest.mark.parametrize(
    ("fine", "coarse"),
    [("age_acs10", "age_pew6"), ("age_acs10", "age_cvap4"), ("age_pew6", "age_b15001_5"),
     ("educ5", "educ3"), ("race7", "race4"), ("state", "division"), ("division", "region")],
)  # fmt: skip
def test_collapsing_a_fine_margin_equals_the_coarse_margin(shared_data, fine, coarse):
    target = Target.from_microdata(read_nist_excerpt("national2018"))
    fine_margin = target.margin(fine)
    collapsed = fine_margin.groupby(fine_margin.index.map(level_map(fine, coarse))).sum()
    coarse_margin = target.margin(coarse)
    np.testing.assert_allclose(collapsed.reindex(coarse_margin.index), coarse_margin)


def test_bundled_target_and_survey_share_level_sets(shared_data):
    from calib.sources.pew import read_pew_dec13

    pew = read_pew_dec13()
    target = load_acs2017_target()
    for name in ("sex", "age_pew6", "educ3"):
        assert target.margin(name).index.tolist() == pew.margin(name).index.tolist()
