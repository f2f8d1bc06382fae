"""Notebooks exported to static HTML show their charts (headless Chromium looks at them).

`make test` also executes every notebook (`make notebooks`: paired, then `nbconvert --execute`);
here one is executed and exported with
`jupyter nbconvert --to html`, as a researcher shares it, and the page is rendered offline.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.api import ingest
from tests.corpus import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def chromium(args: list[str], profile: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-quic",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def drawn_charts(dom: str) -> list[tuple[float, float, int]]:
    """(width, height, marks) of every plotly chart drawn in a page: its SVG's size and how many
    drawn shapes (bars, lines, points, links) its plot layers hold."""
    out = []
    for chunk in dom.split('class="plot-container plotly"')[1:]:
        size = re.search(r'<svg class="main-svg"[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"', chunk)
        if not size:
            continue
        marks = len(re.findall(r'class="(?:point|js-line|sankey-link|sankey-node)\b', chunk))
        out.append((float(size.group(1)), float(size.group(2)), marks))
    return out


@pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium is installed by `make setup`"
)
def test_a_notebook_exported_to_static_html_shows_its_charts(tmp_path):
    db = tmp_path / "ogi.duckdb"
    ingest([SAMPLES], db=db, publish=False)  # the bundled real reports, as local files
    subprocess.run(
        [
            str(BIN / "jupytext"),
            "--to",
            "ipynb",
            "-o",
            str(tmp_path / "01.ipynb"),
            str(ROOT / "notebooks" / "01_quickstart.py"),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "OGI_DB": str(db), "PYTHONPATH": str(ROOT)}
    p = subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--execute",
            "--to",
            "html",
            str(tmp_path / "01.ipynb"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    page = tmp_path / "01.html"
    html = page.read_text()
    assert '<script src="https://cdn.plot.ly' not in html  # plotly.js travels inside the page
    dom = chromium(
        ["--virtual-time-budget=20000", "--dump-dom", page.as_uri()], tmp_path / "p1"
    ).stdout
    charts = drawn_charts(dom)
    assert len(charts) >= 2
    for width, height, marks in charts:
        assert width >= 400 and height >= 300 and marks >= 5
    shot = tmp_path / "shot.png"
    chromium(
        [
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            "--virtual-time-budget=20000",
            page.as_uri(),
        ],
        tmp_path / "p2",
    )
    from PIL import Image, ImageStat

    img = Image.open(shot).convert("L")
    assert ImageStat.Stat(img).stddev[0] > 10  # not a blank page
