"""The pipeline on a small hand-made problem: every number checked against a closed form."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.pipeline import load_config, run_correct, run_pipeline, run_report, run_weight


def test_pipeline_numbers_match_closed_forms(small_project):
    cfg = load_config(small_project / "config.toml")
    result = run_pipeline(cfg)
    out = small_project / "out"
    for name in ("diagnostics.csv", "weights.csv", "weighting.json", "estimates.csv"):
        assert (out / name).is_file()
    assert (out / "report.html").is_file() and (out / "report.json").is_file()

    personas = pd.read_csv(small_project / "personas.csv")
    w = pd.read_csv(out / "weights.csv")["weight"].to_numpy()
    # raking reproduces both reference margins (shares scaled to the 240 personas)
    for var, level, share in (("sex", "Female", 0.52), ("region", "South", 0.38)):
        assert w[personas[var] == level].sum() == pytest.approx(share * 240, rel=1e-8)

    keep = personas["answer"].isin(["Yes", "No"]).to_numpy()
    y = (personas["answer"] == "Yes").to_numpy(float)
    est = result.estimates.set_index("method")
    assert est.loc["silicon_raw", "point"] == pytest.approx(y[keep].mean())
    weighted = np.sum(w[keep] * y[keep]) / w[keep].sum()
    assert est.loc["silicon_weighted", "point"] == pytest.approx(weighted)
    # gold only: (20 + 25) / 100
    assert est.loc["classical", "point"] == pytest.approx(0.45)
    # PPI (lambda = 1, no smoothing): weighted persona mean + mean over gold of (Y - f(sex)),
    # f(sex) the weighted persona mean within sex
    sex = personas["sex"].to_numpy()
    f = {
        s: np.sum((w * y)[keep & (sex == s)]) / w[keep & (sex == s)].sum()
        for s in ("Male", "Female")
    }
    rectifier = (20 * (1 - f["Male"]) + 30 * (0 - f["Male"])) / 100 + (
        25 * (1 - f["Female"]) + 25 * (0 - f["Female"])
    ) / 100
    assert est.loc["ppi", "point"] == pytest.approx(weighted + rectifier)
    assert est.loc["ppi", "truth"] == 0.5
    lo, hi = est.loc["ppi", ["lower", "upper"]]
    se = est.loc["ppi", "std_error"]
    assert hi - lo == pytest.approx(2 * 1.959964 * se, rel=1e-5)

    diag = pd.read_csv(out / "diagnostics.csv")
    after = diag[diag["stage"] == "weighted"].set_index("margin")
    assert after.loc["sex", "tvd"] == pytest.approx(0, abs=1e-8)
    before = diag[diag["stage"] == "unweighted"].set_index("margin")
    female = (personas["sex"] == "Female").mean()
    assert before.loc["sex", "tvd"] == pytest.approx(abs(female - 0.52))

    marginal = pd.read_csv(out / "diagnostics_marginal.csv").set_index(["variable", "weighting"])
    assert marginal.loc[("sex", "design"), "tv"] == pytest.approx(abs(female - 0.52))
    assert marginal.loc[("sex", "weighted"), "tv"] == pytest.approx(0, abs=1e-8)
    assert not (out / "diagnostics_classifier.csv").exists()  # margins only: no classifier

    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seeds"] == {"output.seed": 5, "correction.seed": 0}
    assert prov["sources"][1]["source"] == "hand-made margins"


def test_steps_rerun_from_files(small_project):
    cfg = load_config(small_project / "config.toml")
    run_weight(cfg)
    w = pd.read_csv(small_project / "out" / "weights.csv")
    # editing the weights file changes what 'correct' reads
    w.assign(weight=1.0).to_csv(small_project / "out" / "weights.csv", index=False)
    table = run_correct(cfg)
    raw = table.get("yes_share", method="silicon_raw").point
    assert table.get("yes_share", method="silicon_weighted").point == pytest.approx(raw)
    assert run_report(cfg).is_file()
    (small_project / "out" / "estimates.csv").unlink()
    with pytest.raises(DataError, match="run 'calib correct' first"):
        run_report(cfg)


def test_wrong_weights_file_length_is_named(small_project):
    cfg = load_config(small_project / "config.toml")
    run_weight(cfg)
    path = small_project / "out" / "weights.csv"
    pd.read_csv(path).iloc[:10].to_csv(path, index=False)
    with pytest.raises(DataError, match="rerun 'calib weight'"):
        run_correct(cfg)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d.drop(columns=["region"]), "no column 'region'"),
        (lambda d: d.assign(sex=d["sex"].replace("Male", "M")), "'sex'"),
    ],
)
def test_bad_persona_file_names_file_and_column(small_project, edit, words):
    path = small_project / "personas.csv"
    edit(pd.read_csv(path)).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        run_pipeline(load_config(small_project / "config.toml"))
    assert "personas.csv" in str(info.value) and words in str(info.value)


def test_gold_level_not_in_schema_is_named(small_project):
    path = small_project / "gold.csv"
    pd.read_csv(path).replace("Female", "F").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"gold.csv.*'sex'.*\['F'\]"):
        run_pipeline(load_config(small_project / "config.toml"))


def test_parquet_personas_and_row_level_gold_give_the_same_numbers(small_project):
    cfg = load_config(small_project / "config.toml")
    expected = run_pipeline(cfg, ["diagnose", "weight", "correct"]).estimates
    pd.read_csv(small_project / "personas.csv").to_parquet(small_project / "personas.parquet")
    cells = pd.read_csv(small_project / "gold.csv")
    rows = cells.loc[cells.index.repeat(cells["count"]), ["sex", "answer"]]
    rows.rename(columns={"answer": "q"}).to_csv(small_project / "gold_rows.csv", index=False)
    text = (small_project / "config.toml").read_text()
    text = text.replace('path = "personas.csv"', 'path = "personas.parquet"')
    text = text.replace('path = "gold.csv"', 'path = "gold_rows.csv"\nformat = "rows"')
    (small_project / "config2.toml").write_text(text.replace('dir = "out"', 'dir = "out2"'))
    got = run_pipeline(load_config(small_project / "config2.toml"), ["weight", "correct"])
    pd.testing.assert_frame_equal(got.estimates, expected)


@pytest.mark.slow
def test_hierarchical_bayes_correction_agrees_with_the_cell_arithmetic(small_project):
    text = (small_project / "config.toml").read_text()
    text = text.replace('method = "ppi"', 'method = "hierarchical_bayes"\nseed = 3')
    (small_project / "hb.toml").write_text(text)
    result = run_pipeline(load_config(small_project / "hb.toml"), ["weight", "correct"])
    est = result.estimates.set_index("method").loc["hierarchical_bayes"]
    # gold: 40% yes among men, 50% among women; population 48% men -> about 0.452
    assert est["point"] == pytest.approx(0.48 * 0.40 + 0.52 * 0.50, abs=0.05)
    assert est["lower"] < est["point"] < est["upper"]
