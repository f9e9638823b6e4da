"""Open an HTML file in headless Chromium: a screenshot and the rendered DOM (for tests)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from matplotlib.image import imread

FLAGS = (
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


def chromium_binary() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render(binary: str, path: Path, workdir: Path, height: int = 2400) -> tuple[Path, str]:
    """``(screenshot_png, dom_html)`` of ``path`` rendered by headless Chromium."""
    url = path.resolve().as_uri()
    common = [binary, *FLAGS, f"--user-data-dir={workdir / 'chromium-profile'}"]
    shot = workdir / "screenshot.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", f"--window-size=1280,{height}", url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        [*common, "--dump-dom", url], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return shot, dom


def distinct_colours(png: Path) -> int:
    """Number of distinct (rounded) colours: a blank page has one, a rendered report many."""
    image = imread(png)
    return int(np.unique(image.reshape(-1, image.shape[-1]).round(2), axis=0).shape[0])
