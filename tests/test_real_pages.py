"""The default corpus: real published reports only, each with its publisher's (or archive's)
URL, every cell checked by hand, every number traceable to where it was printed."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from pipeline.api import bundled_corpus, extract_file, ingest
from pipeline.store.schema import VIEW_NAMES
from tests.corpus import SAMPLES

PAGES = SAMPLES / "real-pages"
EXPECTED = sorted(PAGES.glob("*.expected.json"))


def _document(expected):
    stem = expected.name[: -len(".expected.json")]
    return next(p for p in PAGES.glob(stem + ".*") if p.suffix != ".json")


def test_the_fourteen_real_reports_are_bundled():
    assert len(EXPECTED) == 14
    assert {p.suffix for p in map(_document, EXPECTED)} == {".html", ".pdf"}


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_every_checked_cell_is_read_exactly(expected):
    truth = json.loads(expected.read_text(encoding="utf-8"))
    report = extract_file(_document(expected))
    assert report.error is None and report.year == truth["year"]
    wrong = []
    for table in ("proactive", "applications", "appeals"):
        for row, cols in (truth.get(table) or {}).items():
            for col, want in cols.items():
                if col.endswith("_raw"):  # the printed text beside a value, not a cell
                    continue
                got = report.value(table, row, col)
                want = None if want is None else Decimal(str(want))
                if (None if got is None else Decimal(got)) != want:
                    wrong.append(f"{table}.{row}.{col}: want {want} got {got}")
    assert wrong == []


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """What `make ingest` builds: the bundled corpus, crawled from the offline mirror."""
    d = tmp_path_factory.mktemp("bundled")
    corpus = bundled_corpus(d / "crawl")
    corpus.crawl.overrides = {"LOG_LEVEL": "ERROR"}
    summary = ingest(corpus.paths, db=d / "ogi.duckdb", crawl=corpus.crawl, publish=False)
    assert summary.errors == [] and all(o["outcome"] == "ok" for o in summary.outcomes)
    con = duckdb.connect(str(d / "ogi.duckdb"), read_only=True)
    yield con
    con.close()


def test_the_default_warehouse_holds_real_reports_only(warehouse):
    n, generated = warehouse.sql(
        "SELECT count(*), count(*) FILTER (WHERE generated) FROM reports"
    ).fetchone()
    assert n >= 27 and generated == 0


def test_every_report_with_a_recorded_url_carries_it(warehouse):
    # the publisher's URL where it is known, else the archive's; never a loopback mirror address
    urls = warehouse.sql(
        """SELECT r.report_id, list(u.url) FROM reports r JOIN document_urls u USING (doc_id)
           GROUP BY ALL"""
    ).fetchall()
    without = [
        ids for ids, us in urls if not any(u.startswith(("http://", "https://")) for u in us)
    ]
    assert len(without) == 2  # the founding example and one excerpt record no URL
    assert not any("127.0.0.1" in u or "mirror.test" in u for _, us in urls for u in us)
    pingtan = warehouse.sql(
        """SELECT d.source_url, d.archive_url FROM documents d JOIN reports r USING (doc_id)
           WHERE r.issuer = '平潭综合实验区' AND r.year = 2019"""
    ).fetchone()
    assert (
        pingtan[0] == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202001/t20200120_80576.htm"
    )
    assert pingtan[1].startswith(
        "https://raw.githubusercontent.com/changwu/pingtan-gov-zwgk-archive/"
    )


def test_every_view_with_a_report_id_says_whether_it_is_generated(warehouse):
    for view in VIEW_NAMES:
        cols = [c[0] for c in warehouse.sql(f"DESCRIBE {view}").fetchall()]
        if "report_id" in cols:
            assert "generated" in cols, view


def test_pingtan_is_one_body_over_seven_years_with_its_carry_chain_checked(warehouse):
    rows = warehouse.sql(
        """SELECT year, series_key, scope FROM reports
           WHERE issuer = '平潭综合实验区' AND year BETWEEN 2019 AND 2025 ORDER BY year"""
    ).fetchall()
    assert [r[0] for r in rows] == list(range(2019, 2026))
    assert len({r[1] for r in rows}) == 1 and {r[2] for r in rows} == {"jurisdiction"}
    carry = warehouse.sql(
        """SELECT year, other_year, count(*), bool_and(ok) FROM cross_checks
           WHERE issuer = '平潭综合实验区' AND check_id = 'cross_year.carry' GROUP BY ALL ORDER BY year"""
    ).fetchall()
    # every applicant column, each year against the one before it, all holding
    assert [(y, o) for y, o, _, _ in carry] == [(y, y - 1) for y in range(2020, 2026)]
    assert all(ok and n == 7 for _, _, n, ok in carry)


def test_a_number_is_cited_by_where_it_was_printed(warehouse):
    cite = """SELECT f.value, f.row_label, f.col_label, f.table_index, f.row_index, f.page, f.line
              FROM facts f JOIN reports r USING (report_id)
              WHERE r.issuer = ? AND f.table_name = 'applications'
                AND f.row_key = 'new_received' AND f.col_key = 'total'"""
    luanhe = warehouse.execute(cite, ["灤河回族区人民政府"]).fetchone()
    assert (
        luanhe[0] == 78 and luanhe[1] == "一、本年新收政府信息公开申请数量" and luanhe[2] == "总计"
    )
    assert luanhe[4] == 0 and luanhe[3] == 1 and luanhe[6] > 0 and luanhe[5] is None  # text: a line
    huaian = warehouse.execute(cite, ["淮安市人民政府"]).fetchone()
    assert (
        huaian[0] == 3119
        and huaian[1] == "一、本年新收政府信息公开申请数量"
        and huaian[2] == "总计"
    )
    assert huaian[4] == 0 and huaian[5] == 4  # page 4 of the PDF


def test_a_publisher_error_is_kept_as_printed_and_flagged(warehouse):
    # 洪泽区 2023 printed the appeals totals as 0 under non-zero parts
    failed = warehouse.sql(
        """SELECT c.expected, c.actual, c.detail FROM checks c JOIN reports r USING (report_id)
           WHERE r.issuer = '洪泽区人民政府' AND r.year = 2023 AND NOT c.ok
             AND c.check_id = 'appeals.row_total' ORDER BY c.detail"""
    ).fetchall()
    assert [(int(e), int(a)) for e, a, _ in failed] == [(0, 5), (0, 11)]


def test_the_mirror_and_its_registry_are_what_the_build_script_writes():
    """data/mirror and crawlers/sources/bundled.csv are generated (python data/mirror/build.py)."""
    import importlib.util

    from tests.corpus import ROOT

    spec = importlib.util.spec_from_file_location(
        "mirror_build", ROOT / "data" / "mirror" / "build.py"
    )
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    files = build.render()
    on_disk = {
        p for p in (ROOT / "data" / "mirror").rglob("*") if p.is_file() and p.name != "build.py"
    }
    assert on_disk | {build.REGISTRY} == set(files)
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, path
