"""HTML building blocks for the self-contained report: escaping, tables, figures, page shell.

Everything here returns strings; nothing reads files or the network. Figures are rendered to PNG
in memory and embedded as ``data:`` URIs so the report is one file that opens anywhere.

Examples
--------
>>> import pandas as pd
>>> html = frame_to_html(pd.DataFrame({"a": [1.23456], "b": ["x<y"]}))
>>> "1.2346" in html and "x&lt;y" in html
True
"""

from __future__ import annotations

import base64
import html as _html
import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2430;
background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px 0;font-size:24px} header p{margin:0;opacity:.85}
nav{padding:8px 32px;background:#e9edf3;font-size:14px} nav a{margin-right:14px;color:#1d3557}
main{padding:8px 32px 40px 32px;max-width:1200px}
section{background:#fff;border-radius:6px;padding:12px 20px;margin:16px 0;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:19px;border-bottom:1px solid #dde;padding-bottom:4px}
h3{font-size:15px;margin-bottom:4px}
table.calib{border-collapse:collapse;font-size:13px;margin:6px 0 12px 0}
table.calib th{background:#eef1f6;text-align:left;padding:3px 8px;border-bottom:1px solid #ccd}
table.calib td{padding:2px 8px;border-bottom:1px solid #eee;font-variant-numeric:tabular-nums}
table.calib td.num{text-align:right}
figure{margin:8px 0 14px 0} figure img{max-width:100%;border:1px solid #e3e6ea}
figcaption{font-size:12px;color:#555}
p.note{font-size:13px;color:#444}
pre{background:#f3f4f6;padding:8px;font-size:12px;overflow-x:auto}
"""


def escape(text: object) -> str:
    """HTML-escape any value's string form."""
    return _html.escape(str(text), quote=True)


def format_value(value: Any, digits: int = 4) -> tuple[str, bool]:
    """Text for one table cell and whether it is numeric (right-aligned)."""
    if value is None:
        return "", False
    if isinstance(value, bool | np.bool_):
        return str(bool(value)), False
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", True
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "", True
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 10 ** (-digits)):
            return f"{v:.{digits - 1}g}", True
        return f"{v:.{digits}f}", True
    return str(value), False


def frame_to_html(
    frame: pd.DataFrame, digits: int = 4, max_rows: int = 200, index: bool = False
) -> str:
    """A DataFrame as an HTML table (class ``calib``), numbers rounded and right-aligned.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    digits : int, default=4
        Decimals for floats.
    max_rows : int, default=200
        Rows shown; a note says how many were left out.
    index : bool, default=False
        Include the index as leading column(s).
    """
    if index:
        frame = frame.reset_index()
    shown = frame.iloc[:max_rows]
    head = "".join(f"<th>{escape(c)}</th>" for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False, name=None):
        cells = []
        for value in values:
            text, numeric = format_value(value, digits)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="note">{len(frame) - max_rows} more rows in the JSON file.</p>'
    return (
        f'<table class="calib"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def mapping_to_html(mapping: Mapping[str, Any]) -> str:
    """A two-column key/value table; nested values are shown as compact text."""
    frame = pd.DataFrame(
        {"name": list(mapping), "value": [_compact(v) for v in mapping.values()]},
        dtype=object,
    )
    return frame_to_html(frame)


def _compact(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_compact(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_compact(v) for v in value)
    text, _ = format_value(value)
    return text


def figure_to_data_uri(fig: Figure, dpi: int = 100) -> str:
    """Render a matplotlib figure to a base64 PNG ``data:`` URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_to_html(fig: Figure, caption: str = "", alt: str = "figure") -> str:
    """An embedded ``<figure>`` with the PNG inline."""
    uri = figure_to_data_uri(fig)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img class="calib-figure" alt="{escape(alt)}" src="{uri}">{cap}</figure>'


def page(title: str, subtitle: str, sections: list[tuple[str, str, str]]) -> str:
    """The complete HTML document from ``(anchor, title, body_html)`` sections."""
    nav = "".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t, _ in sections)
    body = "".join(
        f'<section id="{escape(a)}"><h2>{escape(t)}</h2>{html}</section>' for a, t, html in sections
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>"
    )


__all__ = [
    "escape",
    "figure_to_data_uri",
    "figure_to_html",
    "format_value",
    "frame_to_html",
    "mapping_to_html",
    "page",
]
