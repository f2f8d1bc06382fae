"""SIGINT and SIGTERM at several moments of an ingest and a crawl: exit 130 / 143, one line,
nothing half-written — the next run loads exactly what a run never interrupted loads.

The command is stopped at a chosen moment (``OGI_PAUSE_AT``: while extracting, inside a DuckDB
query, inside the load's transaction before its commit; a crawl: on a response the test holds),
then signalled — no delay is guessed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawlers.mirror import MirrorServer
from tests.corpus import SAMPLES
from tests.warehouse import rows

OGI = str(Path(sys.executable).parent / "ogi")


def corpus(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for p in sorted((SAMPLES / "real").glob("*.txt")):
        shutil.copy(p, d / p.name)
    shutil.copy(SAMPLES / "luanhe-2023.txt", d / "luanhe-2023.txt")
    return d


def counts(db: Path) -> tuple:
    return rows(
        db,
        "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM fact), "
        "(SELECT count(*) FROM doc)",
    )[0]


def run_until_paused(args: list[str], stage: str | None, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "OGI_PAUSE_AT": stage or ""}
    proc = subprocess.Popen(
        [OGI, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return proc


def wait_for(proc: subprocess.Popen, marker: str, timeout: float = 120) -> list[str]:
    """Lines of stderr up to the one holding `marker` (read on a thread: no deadlock)."""
    seen: list[str] = []
    found = threading.Event()

    def read():
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                found.set()
        found.set()

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(timeout), f"{marker!r} never came: {''.join(seen)}"
    return seen


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    d = tmp_path_factory.mktemp("ref")
    docs = corpus(d / "docs")
    p = subprocess.run([OGI, "ingest", str(docs), "--db", str(d / "ref.duckdb"), "--no-progress"])
    assert p.returncode in (0, 1)
    return counts(d / "ref.duckdb")


@pytest.mark.parametrize(
    "stage,sig,code",
    [
        ("extract", signal.SIGINT, 130),
        ("query", signal.SIGINT, 130),
        ("commit", signal.SIGINT, 130),
        ("commit", signal.SIGTERM, 143),
        ("extract", signal.SIGTERM, 143),
    ],
)
def test_an_interrupted_ingest_exits_cleanly_and_the_next_run_completes_it(
    tmp_path, reference, stage, sig, code
):
    docs = corpus(tmp_path / "docs")
    db = tmp_path / "w.duckdb"
    proc = run_until_paused(
        ["ingest", str(docs), "--db", str(db), "--no-progress"], stage, tmp_path
    )
    try:
        lines = wait_for(proc, f"ogi-paused-at:{stage}")
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == code
    finally:
        if proc.poll() is None:  # a failed test leaves no process behind
            proc.kill()
            proc.wait()
    time.sleep(0.2)  # the reader thread takes the last lines
    err = [l for l in lines if not l.startswith("ogi-paused-at")]
    assert len(err) == 1 and err[0].startswith("ogi: interrupted"), err
    assert "Traceback" not in "".join(lines) and "Exception ignored" not in "".join(lines)
    # nothing half-written: the file opens, and a run to the end loads what one run loads
    again = subprocess.run(
        [OGI, "ingest", str(docs), "--db", str(db), "--no-progress"], capture_output=True, text=True
    )
    assert again.returncode in (0, 1), again.stderr
    assert counts(db) == reference


def test_an_interrupted_crawl_records_its_sources_and_exits_130(tmp_path):
    from tests.corpus.sites import _column

    site = tmp_path / "site"
    _column(site, "", "a/nb/", issuer="甲县人民政府", years=(2022, 2023))
    release = threading.Event()
    srv = MirrorServer(site, holds={"/a/nb/t20240120_2023.html": release}).start()
    try:
        registry = tmp_path / "r.csv"
        registry.write_text(
            "source_id,name,level,parent_id,division_code,entry_url,family\n"
            f"a,甲县人民政府,county,,,{srv.url}/a/nb/index.html,\n"
        )
        proc = subprocess.Popen(
            [OGI, "crawl", "--sources", str(registry), "--out", str(tmp_path / "crawl"),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for _ in range(600):
            if "held:/a/nb/t20240120_2023.html" in srv.hits:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        release.set()
        srv.stop()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("ogi: interrupted (SIGINT)")
    assert "Traceback" not in err
    outcomes = (tmp_path / "crawl" / "outcomes.jsonl").read_text()
    assert '"outcome": "interrupted"' in outcomes
