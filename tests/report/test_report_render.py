"""The report renders in a real browser: headless Chromium screenshot and DOM checks."""

from __future__ import annotations

import numpy as np
from headless_chromium import distinct_colours
from matplotlib.image import imread

from calib.estimate import Estimate
from calib.report import Report


def test_report_renders_in_headless_chromium(tmp_path, render_html):
    rep = Report("Render check", "headless chromium")
    rep.add_weight_table({"raking": np.random.default_rng(0).lognormal(size=200)})
    rep.add_estimates([Estimate("approve", 0.46, 0.02, "ppi", truth=0.45)])
    rep.set_provenance(seeds={"render": 0})
    paths = rep.write(tmp_path / "report.html")

    shot, dom = render_html(paths.html)
    image = imread(shot)
    assert image.shape[0] > 500 and image.shape[1] > 500
    # a blank page would be one colour; a rendered report has text, tables and plots
    assert distinct_colours(shot) > 20
    assert dom.count('class="calib-figure"') == 2
    assert dom.count('<table class="calib"') >= 3
    assert "Provenance" in dom and "Render check" in dom
