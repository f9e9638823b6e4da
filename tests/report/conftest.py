"""Fixture: open an HTML file in headless Chromium, returning a screenshot and the rendered DOM."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def render_html(tmp_path: Path) -> Callable[[Path], tuple[Path, str]]:
    """``render(path) -> (screenshot_png, dom_html)`` using headless Chromium (skips if absent)."""
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium is not installed (.ci/setup installs it)")

    def render(path: Path) -> tuple[Path, str]:
        url = path.resolve().as_uri()
        profile = tmp_path / "chromium-profile"
        shot = tmp_path / "screenshot.png"
        common = [binary, *_FLAGS, f"--user-data-dir={profile}"]
        subprocess.run(
            [*common, f"--screenshot={shot}", "--window-size=1280,2400", url],
            check=True,
            capture_output=True,
            timeout=120,
        )
        dom = subprocess.run(
            [*common, "--dump-dom", url], check=True, capture_output=True, text=True, timeout=120
        ).stdout
        return shot, dom

    return render
