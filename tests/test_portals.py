"""Real portal layouts (issue: real portals), served as virtual hosts from 127.0.0.1.

The mirror server answers as an HTTP proxy, so the fixture portals have real-looking host names
(www.qingshan.test and its 信息公开 subdomain xxgk.qingshan.test); nothing leaves the machine.
"""

from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from crawlers.mirror import serving
from crawlers.registry import Body
from crawlers.run import crawl
from tests.corpus.sites import build_attachment_only, build_portal

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "DOWNLOAD_TIMEOUT": 5,
    "LOG_LEVEL": "ERROR",
}


def source(url: str, sid: str = "qingshan") -> Body:
    return Body(sid, "青杉县人民政府", "county", "", "", url, "")


@pytest.mark.parametrize("kind", ["depth1", "depth2", "depth3", "hop404", "sitemap", "subdomain"])
def test_the_walk_reaches_the_column_from_the_home_page(tmp_path, kind):
    site = build_portal(tmp_path / "web", kind)
    result = crawl(
        [source(site["entry"])], tmp_path / "out", mirror=tmp_path / "web", overrides=FAST
    )
    assert {r.url for r in result.stored} == site["expected"]
    o = result.outcomes[0]
    assert o["outcome"] == "ok"
    assert o["trail"] == site["trail"]
    assert (
        o["column_url"].endswith(("zfxxgknb/", "gk/nb/", "gknb/"))
        and " > ".join(site["trail"]) in o["detail"]
    )


def test_no_column_is_no_reports_with_the_pages_tried(tmp_path):
    site = build_portal(tmp_path / "web", "none")
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(site["entry"])], tmp_path / "out", overrides={**FAST, "MIRROR_PROXY": srv.url}
        )
        hits = list(srv.hits)
    o = result.outcomes[0]
    assert o["outcome"] == "no_reports"
    assert "tried" in o["detail"] and "sitemap.html" in o["detail"]
    assert len(hits) <= 1 + 40 + 3  # the home page, the budget, robots.txt per host
    assert not any("/xwdt/t1.html" in h for h in hits)  # news items are not walked


def test_the_walk_stays_within_its_page_budget(tmp_path):
    site = build_portal(tmp_path / "web", "depth3")
    result = crawl(
        [source(site["entry"])],
        tmp_path / "out",
        mirror=tmp_path / "web",
        overrides={**FAST, "NAV_PAGE_BUDGET": 1},
    )
    # cut by the budget, and said so: not "no reports", which would claim the site has none
    assert result.outcomes[0]["outcome"] == "truncated"
    assert "the navigation budget of 1 pages was reached" in result.outcomes[0]["detail"]


def test_attachments_behind_download_scripts(tmp_path):
    site = build_attachment_only(tmp_path / "web")
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(site["entry"], "baisha")],
            tmp_path / "out",
            overrides={**FAST, "MIRROR_PROXY": srv.url},
        )
        hits = [urlsplit(h).path for h in srv.hits]
    stored = {unquote(r.url): r for r in result.stored}
    assert site["attachments"] <= set(stored)
    assert not set(site["images"]) & set(hits)  # decorative images are never fetched
    assert not any(h.endswith(".apk") for h in hits)
    docx = stored[next(u for u in site["attachments"] if "downfile" in u)]
    assert docx.path.endswith(".docx") and docx.kind == "attachment"
    pdf = stored[next(u for u in site["attachments"] if "attach/download" in u)]
    assert pdf.path.endswith(".pdf") and pdf.filename == "2022年报.pdf"  # RFC 6266 filename*
    gbk = stored[next(u for u in site["attachments"] if "file.do" in u)]
    assert gbk.filename == "2021年报.pdf" and gbk.path.endswith(".pdf")  # a GBK file name


def test_ingest_reads_reports_published_only_as_attachments(tmp_path):
    from pipeline.api import CrawlFirst, ingest

    build_attachment_only(tmp_path / "web")
    registry = tmp_path / "sources.csv"
    registry.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        "baisha,白沙县人民政府,county,,,http://www.baisha.test/,\n"
    )
    db = tmp_path / "w.duckdb"
    ingest(
        db=db,
        crawl=CrawlFirst(
            registry,
            out=tmp_path / "out",
            mirror=tmp_path / "web",
            overrides=FAST,
        ),
        publish=False,
    )
    con = duckdb.connect(str(db), read_only=True)
    got = dict(
        con.sql(
            "SELECT year, new_received_total FROM applications_wide WHERE status <> 'error'"
        ).fetchall()
    )
    assert got == {2023: 167, 2022: 20, 2021: 47}


@pytest.mark.parametrize("kind", ["depth1", "depth3", "hop404", "sitemap", "subdomain"])
def test_ingest_with_sources_finds_every_report_at_every_depth(tmp_path, kind):
    from pipeline.api import CrawlFirst, ingest

    site = build_portal(tmp_path / "web", kind)
    registry = tmp_path / "sources.csv"
    registry.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        f"qingshan,青杉县人民政府,county,,,{site['entry']},\n"
    )
    db = tmp_path / "w.duckdb"
    summary = ingest(
        db=db,
        crawl=CrawlFirst(
            registry,
            out=tmp_path / "out",
            mirror=tmp_path / "web",
            overrides=FAST,
        ),
        publish=False,
    )
    assert summary.reports == len(site["expected"]) == 3 and not summary.errors
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(r[0] for r in con.sql("SELECT year FROM reports").fetchall()) == [
        2021,
        2022,
        2023,
    ]
    assert con.sql(
        "SELECT count(*) FROM documents WHERE title LIKE '%工作要点%' OR title LIKE '%年度报表%'"
    ).fetchone() == (0,)


# ---------------------------------------------------------------- crawler faults (loopback fault portals)
from tests.corpus.sites import links, page, simple_report, write  # noqa: E402


def _listing_site(root, pages: int, new_each_page: bool) -> str:
    """?page=N with a 下一页 link to N+1, `pages` of them (as good as endless)."""
    host = root / "www.endless.test"
    for n in range(1, pages + 1):
        k = n if new_each_page else 1
        items = [(f"/r{k}.html", f"青杉市{2000 + k % 25}年政府信息公开工作年度报告")]
        write(host, f"r{k}.html", simple_report("青杉市", 2000 + k % 25))
        body = links(items) + f'<a href="/list.php?page={n + 1}">下一页</a>'
        write(host, "list.php" if n == 1 else f"list.php@page={n}", page("年报", body))
    return "http://www.endless.test/list.php"


def test_an_endless_next_page_chain_ends_when_nothing_new_is_listed(tmp_path):
    entry = _listing_site(tmp_path / "web", 300, new_each_page=False)
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(entry, "endless")],
            tmp_path / "out",
            overrides={**FAST, "MIRROR_PROXY": srv.url},
        )
        listing_hits = [h for h in srv.hits if "list.php" in h]
    assert len(listing_hits) == 2  # page 2 listed nothing new: the walk stops there
    assert result.outcomes[0]["outcome"] == "ok"


def test_an_endless_chain_that_keeps_listing_stops_at_the_page_budget(tmp_path):
    entry = _listing_site(tmp_path / "web", 300, new_each_page=True)
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(entry, "endless")],
            tmp_path / "out",
            overrides={**FAST, "MIRROR_PROXY": srv.url, "LISTING_PAGE_BUDGET": 12},
        )
        listing_hits = [h for h in srv.hits if "list.php" in h]
    assert 10 <= len(listing_hits) <= 12
    # the budget cut it: a truncated crawl never looks complete
    (o,) = result.outcomes
    assert o["outcome"] == "truncated"
    assert "the listing budget of 12 pages was reached" in o["detail"]


def _registry(tmp_path, sid: str, url: str):
    reg = tmp_path / "sources.csv"
    reg.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        f"{sid},青杉县人民政府,county,,,{url},\n"
    )
    return reg


def test_a_report_queued_for_retry_when_a_challenge_closes_the_source_is_stored_or_recorded(
    tmp_path,
):
    from pipeline.api import CrawlFirst, ingest

    host = tmp_path / "web" / "www.flaky.test"
    write(
        host,
        "list.html",
        page(
            "年报",
            links(
                [
                    ("/r1.html", "青杉县2022年政府信息公开工作年度报告"),
                    ("/r2.html", "青杉县2023年政府信息公开工作年度报告"),
                ]
            ),
        ),
    )
    write(host, "r1.html", simple_report("青杉县人民政府", 2022))
    write(
        host,
        "_server.json",
        '{"/r1.html": {"status": 500, "times": 2, "sleep": 0.2}, '
        '"/r2.html": {"status": 412, "body": "<script>var $_ts={};</script>"}}',
    )
    db = tmp_path / "w.duckdb"
    summary = ingest(
        db=db,
        crawl=CrawlFirst(
            _registry(tmp_path, "flaky", "http://www.flaky.test/list.html"),
            out=tmp_path / "out",
            mirror=tmp_path / "web",
            overrides={**FAST, "RETRY_TIMES": 2},
        ),
        publish=False,
    )
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT outcome FROM crawl_outcomes").fetchall() == [("blocked",)]
    stored = {r[0] for r in con.sql("SELECT url FROM document_urls").fetchall()}
    failed = dict(con.sql("SELECT url, error FROM crawl_errors").fetchall())
    r1, r2 = "http://www.flaky.test/r1.html", "http://www.flaky.test/r2.html"
    assert r1 in stored or r1 in failed  # never lost in between
    assert failed[r2].startswith("blocked")
    assert summary.crawl_errors >= 1


def test_a_page_that_never_answers_is_a_crawl_error_row(tmp_path):
    from pipeline.api import CrawlFirst, ingest

    host = tmp_path / "web" / "www.slow.test"
    write(
        host,
        "list.html",
        page(
            "年报",
            links(
                [
                    ("/r1.html", "青杉县2022年政府信息公开工作年度报告"),
                    ("/slow.html", "青杉县2023年政府信息公开工作年度报告"),
                ]
            ),
        ),
    )
    write(host, "r1.html", simple_report("青杉县人民政府", 2022))
    write(host, "slow.html", simple_report("青杉县人民政府", 2023))
    write(host, "_server.json", '{"/slow.html": {"sleep": 2}}')
    db = tmp_path / "w.duckdb"
    ingest(
        db=db,
        crawl=CrawlFirst(
            _registry(tmp_path, "slow", "http://www.slow.test/list.html"),
            out=tmp_path / "out",
            mirror=tmp_path / "web",
            overrides={**FAST, "DOWNLOAD_TIMEOUT": 0.5, "RETRY_TIMES": 2},
        ),
        publish=False,
    )
    con = duckdb.connect(str(db), read_only=True)
    rows = con.sql("SELECT source_id, url, attempts, error FROM crawl_errors").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("slow", "http://www.slow.test/slow.html", 3)]
    assert "timeout" in rows[0][3].lower() or "timed out" in rows[0][3].lower()
    assert con.sql("SELECT outcome FROM crawl_outcomes").fetchall() == [("ok",)]
    assert con.sql("SELECT count(*) FROM reports WHERE status <> 'error'").fetchone() == (1,)


def test_ctrl_c_during_ingest_loads_what_is_stored_and_exits_130(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    host = tmp_path / "web" / "www.big.test"
    items = []
    for i in range(30):
        write(host, f"r{i}.html", simple_report(f"某{i}局", 2021))
        items.append((f"/r{i}.html", f"某{i}局2021年政府信息公开工作年度报告"))
    write(host, "list.html", page("年报", links(items)))
    write(host, "_server.json", '{"/r": {"sleep": 0.25}}')
    reg = _registry(tmp_path, "big", "http://www.big.test/list.html")
    db, out = tmp_path / "w.duckdb", tmp_path / "out"
    ogi = os.path.join(os.path.dirname(sys.executable), "ogi")
    proc = subprocess.Popen(
        [
            ogi,
            "ingest",
            "--sources",
            str(reg),
            "--mirror",
            str(tmp_path / "web"),
            "--out",
            str(out),
            "--db",
            str(db),
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    manifest = out / "manifest.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (
        not manifest.exists() or len(manifest.read_text().splitlines()) < 3
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT outcome FROM crawl_outcomes").fetchall() == [("interrupted",)]
    loaded = con.sql("SELECT count(*) FROM reports WHERE status <> 'error'").fetchone()[0]
    assert 3 <= loaded < 30
    stored = len([l for l in manifest.read_text().splitlines() if l.strip()])
    assert loaded == stored  # everything stored was loaded
