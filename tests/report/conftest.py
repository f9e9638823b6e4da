"""Fixture: open an HTML file in headless Chromium, returning a screenshot and the rendered DOM."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from headless_chromium import chromium_binary, render


@pytest.fixture
def render_html(tmp_path: Path) -> Callable[[Path], tuple[Path, str]]:
    """``render(path) -> (screenshot_png, dom_html)`` using headless Chromium (skips if absent)."""
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (.ci/setup installs it)")
    return lambda path: render(binary, path, tmp_path)
