"""Report builder: tables, figures, weight statistics, JSON twin, provenance, errors."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from calib.errors import DataError
from calib.estimate import Estimate, EstimateTable
from calib.report import Report, weight_summary
from calib.report.html import format_value, frame_to_html
from calib.report.provenance import build_provenance, to_jsonable
from calib.report.summaries import compare_frames, estimates_frame


class FakeDiagnostics:
    """Duck-typed diagnostics result: to_frame() and figures()."""

    def __init__(self, values):
        self.values = values

    def to_frame(self):
        return pd.DataFrame({"variable": ["sex", "age"], "tvd": self.values})

    def figures(self):
        from matplotlib.figure import Figure

        fig = Figure()
        fig.add_subplot().plot([0, 1], [0, 1])
        return [fig]


def _estimates():
    return EstimateTable(
        [
            Estimate("approve", 0.50, 0.03, "silicon_raw", truth=0.45),
            Estimate(
                "approve",
                0.46,
                0.02,
                "ppi++",
                truth=0.45,
                variance_components={"gold_sampling": 3e-4, "silicon": 1e-4},
            ),
        ]
    )


def test_weight_summary_matches_kish_closed_form():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    s = weight_summary(w)
    # Kish: ESS = (sum w)^2 / sum w^2 = 64 / 22; deff = n / ESS = 1 + cv^2
    assert s["kish_ess"] == pytest.approx(64 / 22)
    assert s["kish_deff"] == pytest.approx(4 * 22 / 64)
    assert s["kish_deff"] == pytest.approx(1 + s["cv"] ** 2)
    assert s["max_over_min"] == pytest.approx(4.0)


def test_weight_summary_reads_fitted_attribute_and_rejects_nan():
    class Fitted:
        weights_ = np.array([2.0, 2.0])

    assert weight_summary(Fitted())["kish_ess"] == pytest.approx(2.0)
    with pytest.raises(DataError):
        weight_summary(np.array([1.0, np.nan]))


def test_html_table_escapes_and_formats():
    html = frame_to_html(pd.DataFrame({"name": ["<b>x</b>"], "v": [0.123456], "n": [1200]}))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert "0.1235" in html and "1,200" in html
    assert format_value(float("nan")) == ("", True)


def test_compare_frames_puts_before_and_after_side_by_side():
    merged = compare_frames(
        FakeDiagnostics([0.2, 0.3]).to_frame(), FakeDiagnostics([0.01, 0.05]).to_frame()
    )
    assert list(merged.columns) == ["variable", "tvd before", "tvd after"]
    assert merged.set_index("variable").loc["age", "tvd after"] == pytest.approx(0.05)


def test_estimates_frame_labels_and_requires_columns():
    frame = estimates_frame(_estimates())
    assert frame["label"].tolist() == ["approve · silicon_raw", "approve · ppi++"]
    with pytest.raises(DataError, match="lower"):
        estimates_frame(pd.DataFrame({"quantity": ["q"], "point": [0.1]}))


def test_to_jsonable_handles_numpy_nan_and_provenance():
    from calib.provenance import Provenance

    out = to_jsonable({"a": np.float64("nan"), "b": np.arange(2), "p": Provenance("ACS", "2017")})
    assert out["a"] is None and out["b"] == [0, 1] and out["p"]["vintage"] == "2017"
    json.dumps(out)


def test_provenance_records_versions_and_seeds():
    prov = build_provenance(methods={"weighting": "raking"}, seeds={"gold": 7})
    assert prov["seeds"] == {"gold": 7}
    assert prov["versions"]["numpy"] == np.__version__


def _full_report():
    rep = Report("Test report", "unit test")
    rep.add_diagnostics(FakeDiagnostics([0.2, 0.3]), FakeDiagnostics([0.01, 0.05]))
    rep.add_weight_table({"raking": np.array([0.5, 1.0, 1.5, 3.0])})
    rep.add_estimates(_estimates())
    rep.set_provenance(
        sources=[{"source": "Pew Dec 2013", "vintage": "2013"}],
        methods={"correction": "ppi++"},
        seeds={"gold": 11},
    )
    return rep


def test_report_writes_html_with_embedded_pngs_and_json(tmp_path):
    paths = _full_report().write(tmp_path / "out" / "report.html")
    html = paths.html.read_text()
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    # diagnostics bars + own figure x2, weight histogram, forest plot, variance stack
    assert len(uris) == 6
    for uri in uris:
        assert base64.b64decode(uri)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Provenance" in html and "Pew Dec 2013" in html and "ppi++" in html
    data = json.loads(paths.json.read_text())
    titles = [s["title"] for s in data["sections"]]
    assert titles == ["Diagnostics", "Weights", "Estimates"]
    est = data["sections"][2]["tables"]["estimates"]
    assert est[1]["point"] == pytest.approx(0.46) and est[1]["truth"] == pytest.approx(0.45)
    assert data["provenance"]["seeds"] == {"gold": 11}


def test_report_rejects_non_html_path(tmp_path):
    with pytest.raises(DataError, match=r"\.html"):
        Report("x").write(tmp_path / "report.txt")


def test_diagnostics_without_to_frame_is_a_typed_error():
    with pytest.raises(DataError, match="to_frame"):
        Report("x").add_diagnostics(object())
