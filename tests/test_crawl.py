"""Crawls of fixture portals served from 127.0.0.1 by the tests themselves."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from crawlers import discovery as disc
from crawlers.mirror import MirrorServer, serving
from crawlers.registry import Body, RegistryError, load
from crawlers.run import crawl
from tests.corpus.sites import (
    build_generic,
    build_gkmlpt,
    build_hanweb,
    build_trs,
    page,
    simple_report,
    write,
)

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "DOWNLOAD_TIMEOUT": 5,
    "LOG_LEVEL": "ERROR",
}


def source(url: str, family: str = "", sid: str = "s1") -> Body:
    return Body(sid, "测试", "county", "", "", url, family)


def paths(result) -> set[str]:
    from urllib.parse import urlsplit

    return {
        urlsplit(r.url).path + (f"?{urlsplit(r.url).query}" if urlsplit(r.url).query else "")
        for r in result.stored
    }


@pytest.mark.parametrize("builder", [build_trs, build_hanweb, build_gkmlpt, build_generic])
def test_each_pagination_family_finds_exactly_the_reports(tmp_path, builder):
    site = builder(tmp_path / "site")
    with serving(tmp_path / "site") as srv:
        result = crawl(
            [source(srv.url + site["entry"], site["family"])], tmp_path / "out", overrides=FAST
        )
    assert paths(result) == site["expected"]
    assert [o["outcome"] for o in result.outcomes] == ["ok"]


def test_family_is_detected_when_the_registry_leaves_it_empty(tmp_path):
    site = build_hanweb(tmp_path / "site", total=20)
    with serving(tmp_path / "site") as srv:
        result = crawl([source(srv.url + site["entry"], "")], tmp_path / "out", overrides=FAST)
    assert paths(result) == site["expected"]


def test_lookalikes_are_not_stored(tmp_path):
    site = build_trs(tmp_path / "site", with_attachments=False)
    with serving(tmp_path / "site") as srv:
        result = crawl([source(srv.url + site["entry"])], tmp_path / "out", overrides=FAST)
    assert site["lookalike"] not in paths(result)
    assert "lookalikes" not in result.outcomes[0]["detail"]  # the detail counts reports, not noise
    assert len(paths(result)) == 5


def test_attachments_of_every_kind_stored_content_addressed(tmp_path):
    site = build_trs(tmp_path / "site")
    with serving(tmp_path / "site") as srv:
        result = crawl([source(srv.url + site["entry"])], tmp_path / "out", overrides=FAST)
    got = paths(result)
    for suffix in (".pdf", ".doc", ".docx", ".wps", ".xls", ".et", ".jpg"):
        assert any(p.endswith(suffix) for p in got), suffix
    assert "/zwgk/zfxxgknb/202301/P020230130_8.pdf" in got  # behind pdf.js viewer.html?file=
    assert "/zwgk/zfxxgknb/202301/P020230130_9.pdf" in got  # behind onclick=window.open(...)
    row = next(r for r in result.stored if r.url.endswith("_1.pdf"))
    assert row.page_url.endswith("t20230130_901.html") and row.kind == "attachment"
    stored = tmp_path / "out" / "raw" / row.path
    import hashlib

    assert hashlib.sha256(stored.read_bytes()).hexdigest() == row.sha256 and stored.suffix == ".pdf"


def test_same_report_from_two_listings_and_two_urls(tmp_path):
    root = tmp_path / "site"
    report = simple_report("青杉市", 2022)
    write(root, "a/r.html", report)
    write(root, "b/copy.html", report)  # the same bytes under another URL
    write(
        root,
        "list.html",
        page(
            "年报",
            '<a href="/a/r.html">青杉市2022年政府信息公开工作年度报告</a>'
            '<a href="/list2.html">下一页</a>',
        ),
    )
    write(
        root,
        "list2.html",
        page(
            "年报",
            '<a href="/a/r.html">青杉市2022年政府信息公开工作年度报告</a>'
            '<a href="/b/copy.html">青杉市2022年政府信息公开工作年度报告（转载）</a>',
        ),
    )
    with serving(root) as srv:
        result = crawl([source(srv.url + "/list.html")], tmp_path / "out", overrides=FAST)
        hits = list(srv.hits)
    assert paths(result) == {"/a/r.html", "/b/copy.html"}
    assert hits.count("/a/r.html") == 1
    assert len({r.sha256 for r in result.stored}) == 1
    assert len(list((tmp_path / "out" / "raw").rglob("*.html"))) == 1


def test_404_and_redirects(tmp_path):
    root = tmp_path / "site"
    write(root, "real/r2021.html", simple_report("青杉市", 2021))
    write(
        root,
        "list.html",
        page(
            "年报",
            '<a href="/gone.html">青杉市2020年政府信息公开工作年度报告</a>'
            '<a href="/moved.html">青杉市2021年政府信息公开工作年度报告</a>',
        ),
    )
    write(root, "_server.json", '{"/moved.html": {"redirect": "/real/r2021.html", "status": 301}}')
    with serving(root) as srv:
        result = crawl([source(srv.url + "/list.html")], tmp_path / "out", overrides=FAST)
    assert paths(result) == {"/real/r2021.html"}
    assert result.outcomes[0]["outcome"] == "ok"


def test_challenge_is_blocked_not_retried(tmp_path):
    root = tmp_path / "site"
    write(
        root,
        "_server.json",
        '{"/": {"status": 412, "body": "<html><script>var $_ts=window.$_ts||{};</script></html>"}}',
    )
    with serving(root) as srv:
        result = crawl([source(srv.url + "/index.html")], tmp_path / "out", overrides=FAST)
        hits = list(srv.hits)
    o = result.outcomes[0]
    assert o["outcome"] == "blocked" and "412" in o["detail"]
    assert hits.count("/index.html") == 1  # never retried in a loop


def test_robots_disallowing_the_column(tmp_path):
    site = build_trs(tmp_path / "site", with_attachments=False)
    write(tmp_path / "site", "robots.txt", "User-agent: *\nDisallow: /zwgk/\n")
    with serving(tmp_path / "site") as srv:
        result = crawl([source(srv.url + site["entry"])], tmp_path / "out", overrides=FAST)
    assert result.stored == []
    assert result.outcomes[0]["outcome"] == "robots_disallowed"


def test_timeout_and_closed_port_are_unreachable(tmp_path):
    root = tmp_path / "site"
    write(root, "_server.json", '{"/slow": {"sleep": 3}}')
    closed = MirrorServer(tmp_path)
    port_url = closed.url
    closed.httpd.server_close()  # nothing listens there now
    with serving(root) as srv:
        result = crawl(
            [
                source(srv.url + "/slow/index.html", sid="slow"),
                source(port_url + "/", sid="closed"),
            ],
            tmp_path / "out",
            overrides={**FAST, "DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1},
        )
    outcomes = {o["source_id"]: o for o in result.outcomes}
    assert outcomes["slow"]["outcome"] == "unreachable"
    assert (
        "timeout" in outcomes["slow"]["detail"].lower()
        or "timed out" in outcomes["slow"]["detail"].lower()
    )
    assert outcomes["closed"]["outcome"] == "unreachable"


def test_no_reports(tmp_path):
    root = tmp_path / "site"
    write(root, "index.html", page("首页", '<a href="/news.html">新闻动态</a>'))
    with serving(root) as srv:
        result = crawl([source(srv.url + "/index.html")], tmp_path / "out", overrides=FAST)
    assert result.outcomes[0]["outcome"] == "no_reports"


@pytest.mark.parametrize(
    "header,meta",
    [
        ("text/html; charset=gbk", ""),
        ("text/html", "gb2312"),
        ("text/html; charset=utf-8", "gbk"),
        ("text/html", ""),
    ],
)
def test_gbk_pages_decode_whatever_the_declarations(tmp_path, header, meta):
    root = tmp_path / "site"
    title = "石桥镇人民政府2020年政府信息公开工作年度报告"
    charset = f'<meta charset="{meta}">' if meta else ""
    listing = f"<html><head>{charset}<title>年报</title></head><body><a href='/r.html'>{title}</a></body></html>"
    write(root, "list.html", listing.encode("gbk"))
    write(
        root,
        "r.html",
        simple_report("石桥镇人民政府", 2020)
        .replace('charset="utf-8"', 'charset="gbk"')
        .encode("gbk"),
    )
    write(root, "_server.json", '{"/": {"headers": {"Content-Type": "%s"}}}' % header)
    with serving(root) as srv:
        result = crawl([source(srv.url + "/list.html")], tmp_path / "out", overrides=FAST)
    assert paths(result) == {"/r.html"}
    assert result.stored[0].title == title


def test_second_run_fetches_only_new_or_changed_documents(tmp_path):
    site = build_generic(tmp_path / "site")
    out = tmp_path / "out"
    with serving(tmp_path / "site") as srv:
        first = crawl([source(srv.url + site["entry"])], out, overrides=FAST)
        assert len(first.stored) == 9
        # months later: one report corrected, one new report published
        write(
            tmp_path / "site",
            "news/show.php@id=100",
            simple_report("青杉市", 2015) + "<!-- 更正 -->",
        )
        os.utime(tmp_path / "site" / "news/show.php@id=100", (time.time() + 60, time.time() + 60))
        old = (tmp_path / "site" / "news/list.php").read_text()
        write(
            tmp_path / "site",
            "news/list.php",
            old.replace(
                '<ul class="list">',
                '<ul class="list"><li><a href="/news/show.php?id=200">青杉市2024年政府信息公开工作年度报告</a></li>',
            ),
        )
        write(tmp_path / "site", "news/show.php@id=200", simple_report("青杉市", 2024))
        srv.hits.clear()
        second = crawl([source(srv.url + site["entry"])], out, overrides=FAST)
        hits = list(srv.hits)
    assert paths(second) == {"/news/show.php?id=100", "/news/show.php?id=200"}
    assert (
        "/news/list.php" in hits and "/news/list.php?page=2" in hits
    )  # listings are fetched again
    assert "8 unchanged" in second.outcomes[0]["detail"]


def test_killed_crawl_resumes_without_refetching(tmp_path):
    site = build_hanweb(tmp_path / "site", total=30)
    out = tmp_path / "out"
    write(tmp_path / "site", "_server.json", '{"/art/": {"sleep": 0.3}}')
    with serving(tmp_path / "site") as srv:
        code = (
            "from crawlers.run import crawl; from crawlers.registry import Body;"
            f"crawl([Body('s1', 'x', 'county', '', '', {srv.url + site['entry']!r}, 'hanweb')], {str(out)!r},"
            " overrides={'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False, 'CONCURRENT_REQUESTS_PER_DOMAIN': 1,"
            " 'LOG_LEVEL': 'ERROR'})"
        )
        proc = subprocess.Popen([sys.executable, "-c", code])
        manifest = out / "manifest.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline and (
            not manifest.exists() or len(manifest.read_text().splitlines()) < 5
        ):
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        before = {l for l in manifest.read_text().splitlines() if l.strip()}
        assert 5 <= len(before) < len(site["expected"])
        stored_urls = {__import__("json").loads(l)["url"] for l in before}
        srv.hits.clear()
        result = crawl([source(srv.url + site["entry"], "hanweb")], out, overrides=FAST)
        hits = set(srv.hits)
    from urllib.parse import urlsplit

    assert not {urlsplit(u).path for u in stored_urls} & hits  # nothing stored is fetched again
    assert paths(result) | {urlsplit(u).path for u in stored_urls} == site["expected"]
    assert "already stored" in result.outcomes[0]["detail"]


def test_ingest_with_sources_loads_documents_and_outcomes(tmp_path):
    from pipeline.api import CrawlFirst, ingest

    build_gkmlpt(tmp_path / "site", total=3, size=2)
    registry = tmp_path / "sources.csv"
    registry.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        "gd-test,绿水市市场监督管理局,department,,,{mirror:site}/gkmlpt/index.html,gkmlpt\n"
    )
    db = tmp_path / "w.duckdb"
    summary = ingest(
        db=db, crawl=CrawlFirst(registry, out=tmp_path / "out", mirror=tmp_path, overrides=FAST)
    )
    assert summary.exit_code == 0 and summary.reports == 3
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT outcome FROM crawl_outcomes").fetchall() == [("ok",)]
    rows = con.sql("SELECT source_id, page_url IS NOT NULL, media_type FROM documents").fetchall()
    assert len(rows) == 3 and all(r[0] == "gd-test" and r[1] and r[2] == "text/html" for r in rows)
    assert con.sql(
        "SELECT new_received_total FROM applications_wide WHERE year = 2022"
    ).fetchone() == (20,)


def test_registry_validation(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\na,甲,county,,,ftp://x,\n"
    )
    with pytest.raises(RegistryError, match="entry_url"):
        load(bad)
    bad.write_text("source_id,name\n")
    with pytest.raises(RegistryError, match="missing column"):
        load(bad)


def test_shipped_registries_load():
    root = Path(__file__).resolve().parents[1] / "crawlers" / "sources"
    provinces = load(root / "provinces.csv")
    assert len([s for s in provinces if s.level == "province"]) == 31
    assert len({s.division_code for s in provinces if s.level == "province"}) == 31
    assert all(s.extra.get("verified") for s in provinces)
    assert [s.source_id for s in load(root / "demo.csv")] == [
        "mirror-baiyunwan",
        "mirror-hanweb",
        "mirror-lvshui",
    ]
    bundled = load(root / "bundled.csv")
    assert len(bundled) == 15 and all(
        s.entry_url.startswith(("http://", "https://")) for s in bundled
    )
    assert {s.source_id for s in bundled} >= {"pingtan", "putian-chengguanju", "huaian-shi-archive"}


@pytest.mark.parametrize(
    "title,ok",
    [
        ("白云湾区人民政府2023年政府信息公开工作年度报告", True),
        ("2022年度政府信息公开工作年度报告", True),
        ("市政府办公室2021年政府信息公开年报", True),
        ("白云湾区人民政府门户网站2023年政府网站工作年度报表", False),
        ("绿水市住房公积金2022年年度报告", False),
        ("2023年法治政府建设年度报告", False),
        ("2024年政务公开工作要点", False),
        ("关于印发政府信息公开工作年度报告格式的通知", False),
        ("政府信息公开年报", False),
    ],
)
def test_report_titles(title, ok):
    assert disc.is_report_title(title) is ok


def test_challenge_detection():
    assert disc.is_challenge(412, b"<script>$_ts</script>")
    assert disc.is_challenge(521, b"")
    assert disc.is_challenge(
        403, b"<html><script>document.cookie='__jsl_clearance=1'</script></html>"
    )
    assert (
        disc.is_challenge(200, b"<html><script>window.location.reload()</script>Hello</html>")
        is None
    )
    assert disc.is_challenge(404, b"not found") is None


@pytest.mark.parametrize(
    "prefix,fragment",
    [("", True), ("/szlh", True), ("", False)],
    ids=["fragment", "under-a-path", "tree"],
)
def test_a_gkmlpt_column_is_read_from_its_config_and_api(tmp_path, prefix, fragment):
    from tests.corpus.sites import build_gkmlpt_platform

    site = build_gkmlpt_platform(tmp_path / "web", prefix=prefix, fragment=fragment)
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(site["entry"], "")],
            tmp_path / "out",
            overrides={**FAST, "MIRROR_PROXY": srv.url},
        )
    assert paths(result) == site["expected"]  # every page of the API, the attachment, no 报表
    assert [o["outcome"] for o in result.outcomes] == ["ok"]


def test_a_gkmlpt_api_that_does_not_answer_is_said_in_the_outcome(tmp_path):
    import shutil

    from tests.corpus.sites import build_gkmlpt_platform

    site = build_gkmlpt_platform(tmp_path / "web")
    shutil.rmtree(tmp_path / "web" / site["host"] / "gkmlpt" / "api")
    with serving(tmp_path / "web") as srv:
        result = crawl(
            [source(site["entry"], "")],
            tmp_path / "out",
            overrides={**FAST, "MIRROR_PROXY": srv.url},
        )
    (o,) = result.outcomes
    assert o["outcome"] == "no_reports"
    assert "gkmlpt/api/all/2641?page=1&sid=gk430041: HTTP 404" in o["detail"]


def test_sources_on_one_host_are_crawled_one_at_a_time_and_progress_counts_reports(tmp_path):
    import threading

    from tests.corpus.sites import _column

    site = tmp_path / "site"
    _column(site, "", "a/nb/", issuer="甲县人民政府", years=(2022, 2023))
    _column(site, "", "b/nb/", issuer="乙县人民政府", years=(2021, 2022, 2023))
    release = threading.Event()
    srv = MirrorServer(site, holds={"/a/nb/index.html": release}).start()
    seen: list[dict] = []
    try:
        rows = [
            Body("a", "甲县人民政府", "county", "", "", f"{srv.url}/a/nb/index.html", ""),
            Body("b", "乙县人民政府", "county", "", "", f"{srv.url}/b/nb/index.html", ""),
        ]
        done = threading.Thread(
            target=lambda: seen.append(
                crawl(rows, tmp_path / "out", overrides=FAST, progress=seen.append)
            )
        )
        done.start()
        for _ in range(600):  # the first source's column is asked for, and held
            if "held:/a/nb/index.html" in srv.hits:
                break
            threading.Event().wait(0.05)
        # while source a is held, source b (same host) has not started
        assert not any(h.startswith("/b/") for h in srv.hits)
        release.set()
        done.join(timeout=120)
    finally:
        release.set()
        srv.stop()
    outcomes = [o for o in seen if isinstance(o, dict)]
    assert [(o["source_id"], o["outcome"], o["reports"]) for o in outcomes] == [
        ("a", "ok", 2),
        ("b", "ok", 3),
    ]
