"""What Scrapy users do by habit: `scrapy list`, `scrapy crawl SOURCE_ID` with Kingfisher's
filters, the generic spider with -a arguments; and ingesting an existing crawl folder."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from pipeline.api import CrawlFirst, ingest

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).parent / "scrapy")
OGI = str(Path(sys.executable).parent / "ogi")


def scrapy(*args):
    return subprocess.run(
        [SCRAPY, *args, "-s", "LOG_LEVEL=ERROR"] if args[0] == "crawl" else [SCRAPY, *args],
        cwd=ROOT / "crawlers",
        capture_output=True,
        text=True,
        timeout=300,
    )


def manifest(out: Path) -> list[dict]:
    return [json.loads(l) for l in (out / "manifest.jsonl").read_text().splitlines() if l.strip()]


def test_scrapy_list_names_one_spider_per_registry_row():
    p = scrapy("list")
    names = p.stdout.split()
    assert p.returncode == 0
    assert {
        "mirror-baiyunwan",
        "mirror-hanweb",
        "mirror-lvshui",
        "pingtan",
        "beijing",
        "sc-mfa",
        "reports",
        "discover",
    } <= set(names)
    assert len(names) == 81 + 15 + 3 + 2  # provinces, the bundled mirror, the demo, the two spiders


def test_scrapy_crawl_a_source_by_its_id_with_a_year_filter(tmp_path):
    p = scrapy("crawl", "mirror-lvshui", "-a", f"out={tmp_path}", "-a", "year=2022")
    assert p.returncode == 0, p.stderr
    rows = manifest(tmp_path)
    assert [r["year_guess"] for r in rows] == [2022]
    assert rows[0]["url"].startswith("http://lvshui.mirror.test/")  # the mirror's stable address


def test_the_generic_spider_with_sources_and_a_sample(tmp_path):
    p = scrapy(
        "crawl",
        "reports",
        "-a",
        "sources=sources/demo.csv",
        "-a",
        "source_id=mirror-hanweb",
        "-a",
        "sample=3",
        "-a",
        f"out={tmp_path}",
    )
    assert p.returncode == 0, p.stderr
    assert len(manifest(tmp_path)) == 3


def test_an_unknown_source_is_refused_with_a_non_zero_exit(tmp_path):
    p = scrapy("crawl", "no-such-source", "-a", f"out={tmp_path}")
    assert p.returncode != 0 and "no-such-source" in (p.stderr + p.stdout)


def test_ingest_an_existing_crawl_folder_keeps_its_urls(tmp_path):
    out = tmp_path / "crawl"
    assert scrapy("crawl", "mirror-baiyunwan", "-a", f"out={out}").returncode == 0
    db = tmp_path / "w.duckdb"
    p = subprocess.run(
        [OGI, "ingest", "--crawl", str(out), "--db", str(db)], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    con = duckdb.connect(str(db), read_only=True)
    rows = con.sql(
        "SELECT source_url, source_id, fetched_at IS NOT NULL FROM documents ORDER BY source_url"
    ).fetchall()
    assert len(rows) == 5 and all(
        u.startswith("http://baiyunwan.mirror.test/zwgk/") and s == "mirror-baiyunwan" and f
        for u, s, f in rows
    )
    assert not (tmp_path / "snapshot").exists()  # no snapshot/ beside a --db the user named


def test_rerunning_the_mirror_ingest_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    kw = dict(
        db=db,
        crawl=CrawlFirst(
            ROOT / "crawlers" / "sources" / "demo.csv",
            out=tmp_path / "crawl",
            mirror=ROOT / "data" / "demo" / "mirror",
            overrides={"LOG_LEVEL": "ERROR"},
        ),
    )
    ingest(**kw)
    con = duckdb.connect(str(db), read_only=True)
    before = con.sql("SELECT count(*) FROM document_urls").fetchone()
    con.close()
    second = ingest(**kw)
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT count(*) FROM document_urls").fetchone() == before
    assert second.reports == 0 and second.unchanged == second.documents
