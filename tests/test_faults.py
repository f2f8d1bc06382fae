"""The crawler under the faults real portals have (one fault per URL, served on loopback): nothing
lost, nothing stale, every failure recorded with its true reason and attempts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from crawlers.mirror import MirrorServer
from crawlers.registry import Body
from crawlers.run import crawl
from crawlers.store import DocumentStore
from tests.corpus.sites import links, page, simple_report, write

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "RETRY_FIRST_DELAY": 0,
    "DOWNLOAD_TIMEOUT": 5,
    "LOG_LEVEL": "ERROR",
}
ISSUER = "故障县人民政府"


def site(root: Path, years: list[int], rules: dict) -> None:
    items = [(f"/r/{y}.html", f"{ISSUER}{y}年政府信息公开工作年度报告") for y in years]
    write(root, "nb/index.html", page("政府信息公开年报", links(items)))
    for y in years:
        write(root, f"r/{y}.html", simple_report(ISSUER, y))
    write(root, "_server.json", json.dumps(rules))


def run(srv: MirrorServer, out: Path, **overrides):
    row = Body("fx", ISSUER, "county", "", "", f"{srv.url}/nb/index.html", "")
    return crawl([row], out, overrides={**FAST, **overrides})


def latest_errors(out: Path) -> dict[str, dict]:
    rows = {}
    for e in DocumentStore(out).errors():
        rows[e["url"].split("/", 3)[-1]] = e
    return rows


def test_a_report_waiting_for_a_retry_survives_an_anti_bot_answer(tmp_path):
    # r/2023 answers 500, 500, then 200; r/2021 on the same host answers 412 (a challenge)
    site(
        tmp_path / "web",
        [2023, 2022, 2021],
        {"/r/2023.html": {"status": 500, "times": 2}, "/r/2021.html": {"status": 412}},
    )
    srv = MirrorServer(tmp_path / "web").start()
    out = tmp_path / "crawl"
    try:
        # the first retry waits 3 s: the challenge closes the source meanwhile
        first = run(srv, out, RETRY_BACKOFF_BASE=3)
        assert [o["outcome"] for o in first.outcomes] == ["blocked"]
        err = latest_errors(out)["r/2023.html"]
        assert err["attempts"] == 1 and err["retry"]  # the attempt made, and asked for first next
        assert "closed after an anti-bot challenge after 1 failed attempts" in err["error"]
        assert err["title"] == f"{ISSUER}2023年政府信息公开工作年度报告"
        hits_before = len(srv.hits)
        second = run(srv, out)
        asked = [h for h in srv.hits[hits_before:] if not h.endswith("robots.txt")]
        assert asked[:2] == ["/r/2023.html", "/r/2023.html"]  # first, before the listing (500, 200)
        assert any(d.url.endswith("/r/2023.html") for d in second.stored)
    finally:
        srv.stop()
    assert "r/2023.html" not in {
        u for u, e in latest_errors(out).items() if e["error"] is not None
    }  # stored: its error is gone


def test_a_report_that_keeps_failing_is_given_up_after_three_runs(tmp_path):
    site(tmp_path / "web", [2023, 2022], {"/r/2023.html": {"status": 503}})
    srv = MirrorServer(tmp_path / "web").start()
    out = tmp_path / "crawl"
    try:
        for _ in range(3):
            run(srv, out, RETRY_TIMES=1)
        assert srv.hits.count("/r/2023.html") == 3 * 2  # each run: asked (first), retried once
        fourth = run(srv, out, RETRY_TIMES=1)
        assert srv.hits.count("/r/2023.html") == 6  # given up: not asked for again
        assert any(d.url.endswith("/r/2022.html") for d in DocumentStore(out).manifest())
        assert fourth.outcomes[0]["outcome"] == "ok"
    finally:
        srv.stop()
    err = latest_errors(out)["r/2023.html"]
    assert err["error"].startswith("given up: failed in 3 runs (last: HTTP 503)")
    assert not err.get("retry")


def test_a_page_that_changes_without_validators_is_read_again(tmp_path):
    web = tmp_path / "web"
    # 2025 is a recent report year: fetched every run; 2015 is old: every 90 days only
    site(web, [2025, 2015], {"/r/": {"validators": False}})
    srv = MirrorServer(web).start()
    out = tmp_path / "crawl"
    try:
        first = run(srv, out)
        assert len(first.stored) == 2
        corrected = simple_report(ISSUER, 2025).replace("</body>", "<p>（修订）</p></body>")
        write(web, "r/2025.html", corrected)
        second = run(srv, out)
        assert [Path(d.url).name for d in second.stored] == ["2025.html"]  # the new version
        assert srv.hits.count("/r/2015.html") == 1  # the old one: not asked again yet
        third = run(srv, out)
        assert third.stored == []  # unchanged: one request, no row
        assert "1 unchanged" in third.outcomes[0]["detail"]
        assert srv.hits.count("/r/2025.html") == 3
    finally:
        srv.stop()
    rows = [d for d in DocumentStore(out).manifest() if d.url.endswith("2025.html")]
    assert len(rows) == 2 and rows[0].sha256 != rows[1].sha256


def test_every_cancelled_request_is_recorded_with_its_reason(tmp_path):
    web = tmp_path / "web"
    site(
        web,
        [2023, 2022, 2021, 2020],
        {
            "/r/2022.html": {"headers": {"Content-Encoding": "gzip", "Content-Type": "text/html"}},
            "/r/2020.html": {"redirect": "/r/2020b.html", "status": 302},
            "/r/2020b.html": {"redirect": "/r/2020.html", "status": 302},
        },
    )
    write(web, "r/2022.html", gzip.compress(b"<html>" + b" " * (8 * 1024 * 1024)))  # a bomb
    write(web, "r/2021.html", b"x" * (3 * 1024 * 1024))  # larger than the cap
    srv = MirrorServer(web).start()
    out = tmp_path / "crawl"
    try:
        result = run(srv, out, DOWNLOAD_MAXSIZE=1024 * 1024, DOWNLOAD_WARNSIZE=0)
    finally:
        srv.stop()
    errors = latest_errors(out)
    assert (
        "exceeded DOWNLOAD_MAXSIZE (1048576 B) during decompression"
        in errors["r/2022.html"]["error"]
    )
    assert "larger than download max size" in errors["r/2021.html"]["error"]
    loop = errors["r/2020.html"]["error"]
    assert loop.startswith("cancelled: redirect loop:") and loop.endswith("/r/2020.html")
    assert all(e["attempts"] >= 1 for e in errors.values())
    assert [Path(d.url).name for d in result.stored] == ["2023.html"]


def test_a_listing_that_failed_and_then_answered_leaves_no_error(tmp_path):
    from pipeline.api import ingest

    web = tmp_path / "web"
    site(web, [2023, 2022], {"/nb/index.html": {"status": 502, "times": 2}})
    srv = MirrorServer(web).start()
    out = tmp_path / "crawl"
    try:
        first = run(srv, out, RETRY_TIMES=1)  # 502 twice: failed for good
        assert first.outcomes[0]["outcome"] == "unreachable"
        second = run(srv, out, RETRY_TIMES=1)
        assert second.outcomes[0]["outcome"] == "ok"
    finally:
        srv.stop()
    db = tmp_path / "w.duckdb"
    summary = ingest(crawl_dir=out, db=db, publish=False)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM crawl_errors").fetchone() == (0,)
    assert summary.crawl_errors == 0


def test_a_redirected_report_leaves_no_error(tmp_path):
    web = tmp_path / "web"
    site(web, [2023, 2022], {"/r/2023.html": {"redirect": "/r/2022.html", "status": 301}})
    srv = MirrorServer(web).start()
    try:
        result = run(srv, tmp_path / "crawl")
    finally:
        srv.stop()
    assert result.errors == [] and result.outcomes[0]["outcome"] == "ok"
