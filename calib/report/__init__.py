"""Self-contained HTML reports (figures embedded) with a JSON twin holding tables and provenance.

Examples
--------
>>> from calib.report import Report
>>> Report("title").to_html().startswith("<!DOCTYPE html>")
True
"""

from calib.report.builder import Report, ReportPaths, Section
from calib.report.provenance import build_provenance, package_versions
from calib.report.summaries import weight_summary

__all__ = [
    "Report",
    "ReportPaths",
    "Section",
    "build_provenance",
    "package_versions",
    "weight_summary",
]
