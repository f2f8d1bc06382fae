"""What no one else measures (pipeline/store/compliance.py): reports on time against the rule in
force, registry sources without a report and why, the publisher's own arithmetic errors told
from our reading doubts, and covariates per capita — on real reports and loopback portals."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from crawlers.mirror import MirrorServer
from pipeline import api
from pipeline.model import Provenance
from tests.corpus import SAMPLES
from tests.corpus.sites import links, page, simple_report, write
from tests.warehouse import rows

ROOT = Path(__file__).resolve().parents[1]
REAL = SAMPLES / "real-pages"


def load(db: Path, *docs: tuple[Path, str]) -> None:
    """Documents with the URL they were published at."""
    items = [Provenance(url=url, path=str(path)) for path, url in docs]
    summary = api.load_sources(items, db)
    assert summary.reports == len(docs), summary


def sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_timeliness_follows_the_rule_in_force_and_weighs_the_dates(tmp_path):
    # a 莆田 department's report published 13 January: on time against 31 January
    original = tmp_path / "putian_2022.html"
    shutil.copy(REAL / "putian_chengguanju_2022.html", original)
    # the same page re-dated to 20 February: late by 20 days
    redated = tmp_path / "putian_2022_redated.html"
    redated.write_text(original.read_text(encoding="utf-8").replace("2023-01-13", "2023-02-20"))
    # a whole-city report whose page date is impossible (before its year ended): the URL's date
    # (6 March) is used instead, against the 31 March of a government's report
    city = tmp_path / "pingtan_2019.html"
    city.write_text(
        (REAL / "pingtan_2019.html").read_text(encoding="utf-8").replace("2020-01-20", "2019-06-30")
    )
    db = tmp_path / "w.duckdb"
    base = "https://www.putian.gov.cn/zfxxgk/bmzfxxgk/ptcgj/ndbg/"
    load(
        db,
        (original, base + "index.htm"),
        (redated, base + "index2.htm"),
        (city, "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202003/t20200306_80576.htm"),
    )
    sql = """SELECT published_on, published_from, deadline, days_late, verdict, rule, reason
             FROM timeliness WHERE report_id = ?"""
    (on_time,) = rows(db, sql, [sha(original)])
    assert on_time[:5] == (dt.date(2023, 1, 13), "page", dt.date(2023, 1, 31), -18, "on_time")
    assert on_time[5].startswith("2019 条例 第四十九条: a department")
    (late,) = rows(db, sql, [sha(redated)])
    assert late[:5] == (dt.date(2023, 2, 20), "page", dt.date(2023, 1, 31), 20, "late")
    (fallback,) = rows(db, sql, [sha(city)])
    assert fallback[:5] == (dt.date(2020, 3, 6), "url", dt.date(2020, 3, 31), -25, "on_time")
    assert "page date 2019-06-30 is before the year ended: not used" in fallback[6]
    assert fallback[5].startswith("2019 条例 第四十九条: a county-level or higher government")


def test_the_publishers_own_errors_are_told_from_reading_doubts(tmp_path):
    db = tmp_path / "w.duckdb"
    load(
        db,
        (REAL / "huaian_hongzequ_2023.pdf", "https://www.hongze.gov.cn/2023.pdf"),
        (REAL / "huaian_shi_2024.pdf", "https://www.huaian.gov.cn/2024.pdf"),
    )
    got = dict(
        (issuer, (errors, verdict))
        for issuer, errors, verdict in rows(
            db, "SELECT issuer, publisher_errors, verdict FROM reporting_quality"
        )
    )
    # 洪泽区 2023 prints appeals totals of 0 under non-zero parts: its own arithmetic
    assert got["洪泽区人民政府"][0] >= 1 and got["洪泽区人民政府"][1] in ("publisher_error", "both")
    assert got["淮安市人民政府"][0] == 0
    blamed = rows(db, "SELECT DISTINCT blame FROM check_result WHERE NOT ok")
    assert blamed == [("publisher",)]
    # the PDFs' own dates: their CreationDate, the only date they carry
    dated = rows(
        db, "SELECT issuer, published_from, published_on, verdict FROM timeliness ORDER BY 1"
    )
    assert ("淮安市人民政府", "pdf_metadata", dt.date(2025, 2, 25), "on_time") in dated
    by_level = rows(
        db,
        "SELECT year, reports, reports_with_publisher_errors FROM reporting_quality_by "
        "WHERE grouped_by = 'year' ORDER BY year",
    )
    assert by_level == [(2023, 1, 1), (2024, 1, 0)]


def _portal(root: Path, issuer: str, years: list[int], extra: dict | None = None) -> None:
    items = [(f"/r/{y}.html", f"{issuer}{y}年政府信息公开工作年度报告") for y in years]
    write(root, "nb/index.html", page("政府信息公开年报", links(items)))
    for y in years:
        write(root, f"r/{y}.html", simple_report(issuer, y))
    for name, text in (extra or {}).items():
        write(root, name, text)


def test_coverage_says_reported_blocked_and_robots(tmp_path):
    web = tmp_path / "web"
    _portal(web / "ok", "甲县人民政府", [2022, 2023])
    _portal(web / "blocked", "乙县人民政府", [2022, 2023],
            {"_server.json": json.dumps({"/nb/index.html": {"status": 412}})})  # fmt: skip
    _portal(web / "robots", "丙县人民政府", [2022, 2023],
            {"robots.txt": "User-agent: *\nDisallow: /nb/\n"})  # fmt: skip
    servers = {k: MirrorServer(web / k).start() for k in ("ok", "blocked", "robots")}
    try:
        registry = tmp_path / "r.csv"
        registry.write_text(
            "source_id,name,level,parent_id,division_code,entry_url,family\n"
            + "".join(
                f"{k},{name},county,,,{servers[k].url}/nb/index.html,\n"
                for k, name in (
                    ("ok", "甲县人民政府"),
                    ("blocked", "乙县人民政府"),
                    ("robots", "丙县人民政府"),
                )
            ),  # fmt: skip
            encoding="utf-8",
        )
        fast = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_BACKOFF_BASE": 0}
        api.ingest(
            crawl=api.CrawlFirst(registry, out=tmp_path / "crawl", overrides=fast),
            db=tmp_path / "w.duckdb",
        )
    finally:
        for s in servers.values():
            s.stop()
    got = rows(
        tmp_path / "w.duckdb", "SELECT source_id, body, year, outcome FROM coverage ORDER BY 1, 3"
    )
    assert got == [
        ("blocked", "乙县人民政府", 2022, "blocked"),
        ("blocked", "乙县人民政府", 2023, "blocked"),
        ("ok", "甲县人民政府", 2022, "reported"),
        ("ok", "甲县人民政府", 2023, "reported"),
        ("robots", "丙县人民政府", 2022, "robots"),
        ("robots", "丙县人民政府", 2023, "robots"),
    ]
    evidence = dict(
        rows(tmp_path / "w.duckdb", "SELECT source_id, evidence FROM coverage WHERE year = 2023")
    )
    assert evidence["ok"].endswith("/r/2023.html") and "412" in evidence["blocked"]
    assert evidence["robots"].startswith("robots_disallowed: robots.txt forbids")


def test_covariates_give_counts_per_10000_people(tmp_path):
    db = tmp_path / "w.duckdb"
    load(db, (REAL / "huaian_hongzequ_2023.pdf", "https://www.hongze.gov.cn/2023.pdf"))
    (code, applications), = rows(
        db, "SELECT jurisdiction_code, applications FROM reports JOIN metrics USING (report_id)"
    )  # fmt: skip
    assert code == "320813"
    csv = tmp_path / "population.csv"
    csv.write_text(
        "division_code,year,population\n320813,2023,320000\n999999,2023,10\n320813,2030,1\n"
    )
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "covariates", str(csv), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "loaded 3 values of population" in r.stdout
    assert "1 codes not in the GB/T 2260 table: 999999" in r.stdout
    assert "320813 2030" in r.stdout and "999999 2023" in r.stdout  # no report for these
    ((per_10k, covariate),) = rows(
        db, "SELECT applications_per_10k, covariate FROM metrics_per_capita"
    )
    assert covariate == "population"
    assert per_10k == pytest.approx(10000 * applications / 320000, abs=1e-4)
    bad = tmp_path / "bad.csv"
    bad.write_text("division_code,year,population\n320813,2023,many\n")
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "covariates", str(bad), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip() == f"ogi: {bad}, line 2: population 'many' is not a number"


def test_a_township_has_no_deadline_unless_a_provincial_rule_gives_one(tmp_path):
    db = tmp_path / "w.duckdb"
    township = SAMPLES / "real" / "020_tongyu_tuanjiexiang_2020.txt"
    load(db, (township, "http://xxgk.tongyu.gov.cn/zsjg/jgsw_98122/ndbg/202101/t20210129_1.html"))
    sql = "SELECT published_on, deadline, verdict, rule, reason FROM timeliness"
    ((published, deadline, verdict, rule, reason),) = rows(db, sql)
    assert (published, deadline, verdict) == (dt.date(2021, 1, 29), None, "unknown")
    assert rule.startswith("2019 条例 第四十九条 sets no date for township governments")
    assert reason == "no deadline for this kind of body"
    con = duckdb.connect(str(db))
    con.execute(
        "INSERT INTO deadline_rule VALUES (NULL, 'township', 2019, NULL, 1, 15, "
        "'a provincial rule: townships by 15 January')"
    )
    con.close()
    ((published, deadline, verdict, rule, reason),) = rows(db, sql)
    assert (deadline, verdict, rule) == (
        dt.date(2021, 1, 15),
        "late",
        "a provincial rule: townships by 15 January",
    )
