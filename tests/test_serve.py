"""`ogi serve`: the warehouse read-only in datasette, looked at in headless Chromium."""

import io
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from pipeline.api import ingest
from tests.corpus import SAMPLES
from tests.corpus.synth import PANEL_DIR, SAMPLES_DIR
from tests.test_notebooks import chromium

ROOT = Path(__file__).resolve().parents[1]
OGI = str(Path(sys.executable).parent / "ogi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(db) -> tuple[subprocess.Popen, str]:
    """`ogi serve` on a free loopback port, once datasette answers: (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen(
        [OGI, "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read())
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"ogi serve did not answer on {base} within 90 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    db = d / "ogi.duckdb"
    panel = sorted((PANEL_DIR).glob("*.html"))
    ingest(
        panel + [SAMPLES / "luanhe-2023.txt", SAMPLES_DIR],
        db=db,
    )
    proc, base = start_serve(db)
    yield base, d
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium is installed by `make setup`"
)
def test_a_faceted_page_renders_with_its_counts(server, tmp_path):
    base, _ = server
    import re

    dom = chromium(
        ["--virtual-time-budget=5000", "--dump-dom", base + "/ogi/reports"], tmp_path / "p"
    ).stdout
    assert "CC BY 4.0" in dom  # licence and source notes in the footer
    assert "sorted by year descending" in dom  # a human default sort, not by a hash
    for facet in ("province_name", "level", "year", "scope", "format", "status", "generated"):
        assert re.search(rf"<strong>{facet}\s*<span class=\"facet-info-total\">\d+", dom), facet
    # the generated facet reads true / false, not 1 / 0: the founding example is the one real report
    assert (
        '1 row where generated = "false"'
        in chromium(
            ["--virtual-time-budget=5000", "--dump-dom", base + "/ogi/reports?generated=false"],
            tmp_path / "p2",
        ).stdout
    )
    # provenance: a fact row links its report, and its source URL is a link
    dom = chromium(
        [
            "--virtual-time-budget=5000",
            "--dump-dom",
            base + "/ogi/facts?row_key=fees&issuer=灤河回族区人民政府",
        ],
        tmp_path / "q",
    ).stdout
    assert "621.952" in dom and 'href="/ogi/reports/' in dom


# like with like: one level (departments), at least three reports behind each rate
PARAMS = "include_generated=1&level=department&min_reports=3"


@pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium is installed by `make setup`"
)
def test_a_canned_query_renders_the_expected_numbers(server, tmp_path):
    base, d = server
    import duckdb

    con = duckdb.connect(str(d / "ogi.duckdb"), read_only=True)
    granted, processed = (
        con.sql("""SELECT sum(granted_total), sum(total_processed_total) FROM applications_wide
                                    WHERE is_current AND scope = 'agency' AND year = 2023
                                    AND level = 'department'
                                    AND granted_total IS NOT NULL AND total_processed_total > 0""").fetchone()
    )
    con.close()
    dom = chromium(
        [
            "--virtual-time-budget=5000",
            "--dump-dom",
            base + "/ogi/grant_rate_by_province_year?" + PARAMS,
        ],
        tmp_path / "p",
    ).stdout
    assert "予以公开率" in dom and f">{int(granted)}<" in dom.replace(",", "")
    csv = urllib.request.urlopen(
        base + "/ogi/grant_rate_by_province_year.csv?_size=max&" + PARAMS
    ).read()
    frame = pd.read_csv(io.BytesIO(csv))
    y23 = frame[frame.year == 2023]
    assert y23.granted.sum() == granted and y23.processed.sum() == processed
    assert list(frame.columns) == [
        "province",
        "year",
        "level",
        "reports",
        "granted",
        "processed",
        "grant_rate",
    ]


def test_a_table_downloads_as_csv(server):
    base, _ = server
    csv = urllib.request.urlopen(
        base
        + "/ogi/metrics.csv?_size=max&issuer=灤河回族区人民政府".replace(
            "灤河回族区人民政府", urllib.parse.quote("灤河回族区人民政府")
        )
    ).read()
    frame = pd.read_csv(io.BytesIO(csv))
    assert frame.applications.tolist() == [78] and round(frame.grant_rate.iloc[0], 4) == round(
        43 / 71, 4
    )
    assert csv.startswith("\ufeff".encode())  # a byte-order mark: Excel opens the Chinese intact


def test_the_site_says_what_it_is_and_the_copy_stays_out_of_the_source_tree(server):
    base, d = server
    meta = json.loads(urllib.request.urlopen(base + "/-/metadata.json").read())
    assert (
        meta["title"]
        and meta["description"]
        and meta["license"]
        and meta["source"]
        and meta["about"]
    )
    tables = meta["databases"]["ogi"]["tables"]
    assert all(tables[v]["description"] for v in tables)
    # the wide views describe their ~240 cell columns once, not one by one above the first row
    assert (
        tables["applications_wide"]["columns"] == {}
        and "ROW_COL" in tables["applications_wide"]["description"]
    )
    assert (d / "snapshot" / "ogi.sqlite").exists() and not (d / "ogi.sqlite").exists()


def test_ogi_serve_stops_cleanly_on_sigint_and_sigterm(tmp_path):
    import signal

    db = tmp_path / "ogi.duckdb"
    ingest([SAMPLES / "luanhe-2023.txt"], db=db)
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        proc, base = start_serve(db)
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == code
        out = proc.stdout.read()
        assert "Traceback" not in out and f"serving {tmp_path / 'snapshot' / 'ogi.sqlite'}" in out
        with pytest.raises(OSError):  # the server went with it: the port is free
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
