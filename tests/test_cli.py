"""The ``calib`` command line: help texts, the demo end to end (rendered in Chromium), the
pipeline subcommands on files, and errors that name the input at fault."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from calib.cli import main

sys.path.insert(0, str(Path(__file__).parent / "report"))
from headless_chromium import chromium_binary, distinct_colours, render

TIERS = ("meta", "objective_table", "subjective_table", "descriptive")


@pytest.mark.parametrize("command", ["demo", "run", "diagnose", "weight", "correct", "report"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: calib {command}" in text and "--out" in text


def test_run_help_documents_the_configuration(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for section in ("[population]", "[reference]", "[gold]", "[[questions]]", "[output]"):
        assert section in text


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """``calib demo`` on the default path (all four tiers), run once for this module."""
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [sys.executable, "-m", "calib.cli", "demo", "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).parents[1],
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout, proc.stderr


def test_demo_prints_a_table_per_tier_and_the_report_path(demo_run):
    out, stdout, stderr = demo_run
    for tier in TIERS:
        assert f"tier {tier}: 400 personas" in stdout
        assert f"[{tier}] weight: raking" in stderr  # progress lines
    assert f"report: {out / 'report.html'}" in stdout
    # one row per question per tier, with the real values from truth.csv
    assert len(re.findall(r"^  obama_approve .* 48\.1%$", stdout, re.M)) == 4
    assert len(re.findall(r"^  vote2012_obama .*\(no gold answers\)\s+51\.1%$", stdout, re.M)) == 4


def test_demo_outputs_are_consistent(demo_run):
    out, _, _ = demo_run
    report = json.loads((out / "report.json").read_text())
    summary = pd.DataFrame(report["sections"][0]["tables"]["summary"])
    assert sorted(summary["tier"].unique()) == sorted(TIERS)
    truth = pd.read_csv(Path(__file__).parents[1] / "data" / "demo" / "truth.csv")
    real = summary.set_index(["tier", "question"])["real"]
    assert real[("meta", "obama_approve")] == pytest.approx(
        truth.query("question == 'obama_approval'")["value"].item()
    )
    # the corrected interval contains its point; weighting matched the raked margins
    ok = summary.dropna(subset=["corrected"])
    assert ((ok["lower"] < ok["corrected"]) & (ok["corrected"] < ok["upper"])).all()
    for tier in TIERS:
        diag = pd.read_csv(out / tier / "diagnostics.csv")
        after = diag[diag["stage"] == "weighted"].set_index("margin")["tvd"]
        assert after["sex × age_pew6"] < 1e-6 and after["race4"] < 1e-6
        info = json.loads((out / tier / "weighting.json").read_text())
        assert info["converged"] is True
        auc = pd.read_csv(out / tier / "diagnostics_classifier.csv")["auc"]
        assert ((auc > 0) & (auc < 1)).all()
    versions = report["provenance"]["versions"]
    assert "numpy" in versions and "python" in versions


def test_demo_report_renders_in_chromium(demo_run, tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (.ci/setup installs it)")
    out, _, _ = demo_run
    shot, dom = render(binary, out / "report.html", tmp_path, height=3000)
    assert distinct_colours(shot) > 50
    # per tier: diagnostics bars, weight histogram, forest plot, variance decomposition
    assert dom.count('class="calib-figure"') == 4 * len(TIERS)
    assert dom.count('<table class="calib"') >= 5 * len(TIERS)
    assert "Provenance" in dom and "subjective_table: estimates" in dom
    assert "meta: diagnostics with intervals" in dom


def test_run_and_steps_on_the_demo_config(tmp_path, capsys):
    config = str(Path(__file__).parents[1] / "data" / "demo" / "demo.toml")
    assert main(["run", config, "--out", str(tmp_path), "--steps", "diagnose,weight"]) == 0
    assert (tmp_path / "weights.csv").is_file() and not (tmp_path / "estimates.csv").exists()
    assert main(["correct", config, "--out", str(tmp_path)]) == 0
    assert "obama_approve" in capsys.readouterr().out
    assert main(["report", config, "--out", str(tmp_path)]) == 0
    assert f"report: {tmp_path / 'report.html'}" in capsys.readouterr().out


def test_errors_exit_1_and_name_the_input(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[population]\npath = "p.csv"\nvariables = ["sex"]\n')
    assert main(["diagnose", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("calib diagnose: error:") and "'reference'" in err
    assert main(["demo", "--tiers", "gpt9", "--out", str(tmp_path)]) == 1
    assert "unknown tier 'gpt9'" in capsys.readouterr().err
