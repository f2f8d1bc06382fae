"""Who and where, and checks across reports: multi-year series, an aggregate, a renamed county."""

import copy
import random

import duckdb

from pipeline.api import Provenance, coverage, load_sources
from pipeline.normalise.divisions import current_code, resolve
from pipeline.normalise.metadata import jurisdiction
from tests.corpus.synth import random_spec, render_html

COLS = 6


def chain(issuer: str, years: list[int], seed: int = 1, scope_note: str = "", shift=None):
    """Reports of one body whose carried_forward(N) = carried_over(N+1) (unless `shift` breaks it)."""
    rng = random.Random(seed)
    specs, prev = [], None
    for y in years:
        s = random_spec(rng, seed * 100 + y, fmt="2021")
        s.issuer, s.year, s.scope_note, s.published = issuer, y, scope_note, f"{y + 1}-01-20"
        a = s.applications
        if prev is not None:
            a["carried_over"] = list(prev.applications["carried_forward"])
            if shift and shift[0] == y:
                a["carried_over"][0] += shift[1]
            a["new_received"] = [
                p + f - c
                for p, f, c in zip(a["total_processed"], a["carried_forward"], a["carried_over"])
            ]
            if min(a["new_received"]) < 0:
                a["total_processed"] = [t + 10 for t in a["total_processed"]]
                a["granted"] = [g + 10 for g in a["granted"]]
                a["new_received"] = [
                    p + f - c
                    for p, f, c in zip(
                        a["total_processed"], a["carried_forward"], a["carried_over"]
                    )
                ]
        s.narrative_apps = sum(a["new_received"])
        specs.append(s)
        prev = s
    return specs


def load(tmp_path, specs, name="w.duckdb"):
    items = []
    for i, s in enumerate(specs):
        p = tmp_path / f"{i:02d}-{s.year}.html"
        p.write_text(render_html(s, seed=i))
        items.append(Provenance(str(p), path=str(p), source_id=f"src-{s.issuer}"))
    db = tmp_path / name
    summary = load_sources(items, db, workers=1)
    assert summary.errors == []
    return db


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_clean_series_passes_carry_and_stock_checks(tmp_path):
    db = load(tmp_path, chain("白沙县人民政府", [2021, 2022, 2023]))
    rows = q(db, "SELECT check_id, ok FROM cross_checks")
    assert len([r for r in rows if r[0] == "cross_year.carry"]) == 14  # 7 columns x 2 year pairs
    assert all(ok for cid, ok in rows if cid == "cross_year.carry")


def test_carry_break_is_flagged_on_the_later_report(tmp_path):
    db = load(tmp_path, chain("白沙县人民政府", [2021, 2022, 2023], shift=(2023, 3)))
    bad = q(
        db,
        "SELECT year, other_year, expected, actual, detail FROM cross_checks "
        "WHERE NOT ok AND check_id = 'cross_year.carry'",
    )
    assert len(bad) == 2  # natural_person and total
    assert all(b[0] == 2023 and b[1] == 2022 and b[3] - b[2] == 3 for b in bad)
    assert {b[4].split(":")[0] for b in bad} == {"natural_person", "total"}
    # and `checks` carries it too, naming the other report
    assert q(
        db,
        "SELECT count(*) FROM checks WHERE check_id = 'cross_year.carry' AND NOT ok AND detail LIKE '%other report%'",
    ) == [(2,)]


def test_copy_pasted_year(tmp_path):
    a, b = chain("白沙县人民政府", [2022, 2023])
    b.applications = copy.deepcopy(a.applications)
    b.proactive = copy.deepcopy(a.proactive)
    db = load(tmp_path, [a, b])
    rows = q(
        db,
        "SELECT year, detail FROM cross_checks WHERE check_id = 'copy_paste' AND NOT ok ORDER BY detail",
    )
    assert [r[0] for r in rows] == [2023, 2023, 2023]
    assert any("applications is identical to 2022" in r[1] for r in rows)
    assert any("section 一 is" in r[1] for r in rows)  # the generated prose repeats itself too


def test_aggregate_not_smaller_than_its_agency(tmp_path):
    (agg,) = chain(
        "白沙县",
        [2022],
        seed=3,
        scope_note="本报告涵盖县政府各部门、各乡镇人民政府的政府信息公开工作情况。",
    )
    (own,) = chain("白沙县人民政府", [2022], seed=4)
    # The aggregate reports fewer new applications (1) than its own government alone.
    agg.applications = {k: [0] * 6 for k in agg.applications}
    for row in ("new_received", "granted", "total_processed"):
        agg.applications[row][0] = 1
    agg.narrative_apps = 1
    assert sum(own.applications["new_received"]) > 1
    db = load(tmp_path, [agg, own])
    scopes = dict(q(db, "SELECT issuer, scope FROM reports"))
    assert scopes == {"白沙县": "jurisdiction", "白沙县人民政府": "agency"}
    rows = q(
        db,
        "SELECT issuer, other_issuer, ok FROM cross_checks WHERE check_id = 'aggregate_vs_agency'",
    )
    assert rows == [("白沙县", "白沙县人民政府", False)]


def test_renamed_county_across_chexian_shequ(tmp_path):
    r2018, r2019 = chain("太谷县人民政府", [2018, 2019], seed=5)
    r2019.issuer = "晋中市太谷区人民政府"
    db = load(tmp_path, [r2018, r2019])
    rows = q(
        db,
        "SELECT jurisdiction, jurisdiction_code, current_code, level, parent FROM reports ORDER BY year",
    )
    assert rows == [
        ("太谷县", "140726", "140703", "county", "140700"),
        ("晋中市太谷区", "140703", "140703", "county", "140700"),
    ]
    carry = q(db, "SELECT ok FROM cross_checks WHERE check_id = 'cross_year.carry'")
    assert len(carry) == 7 and all(ok for (ok,) in carry)  # one series across the rename


def test_resolution_is_never_a_confident_guess():
    assert resolve("朝阳区", 2020).flag.startswith(
        "ambiguous"
    )  # Beijing and Changchun both have one
    assert resolve("北京市朝阳区", 2020).code == "110105"
    assert resolve("长春市朝阳区", 2020).code == "220104"
    assert resolve("灤河回族区", 2023).flag is not None and resolve(
        "灤河回族区", 2023
    ).code.startswith("X")
    assert (
        resolve("灤河回族区", 2023).code == resolve("灤河回族区", 2024).code
    )  # a stable project id
    assert current_code("372121") == "370611"  # 福山县 -> 福山区 (1983)
    j = jurisdiction("郑州市中原区审计局", 2015)
    assert (j["code"], j["level"], j["parent"]) == ("410102", "department", "410100")


def test_coverage_lists_missing_years_and_late_reports(tmp_path):
    a, b = chain("白沙县人民政府", [2021, 2022], seed=6)
    b.published = "2023-05-10"  # after 31 March
    db = load(tmp_path, [a, b])
    reg = tmp_path / "reg.csv"
    reg.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        "src-白沙县人民政府,白沙县人民政府,county,,,https://example.gov.cn/,\n"
        "src-other,另一县人民政府,county,,,https://other.gov.cn/,\n"
    )
    cov = coverage(db, reg, "2021-2023")
    found = {(r.source_id, r.year, r.finding) for r in cov.itertuples()}
    assert found == {
        ("src-白沙县人民政府", 2022, "late"),
        ("src-白沙县人民政府", 2023, "missing"),
        ("src-other", 2021, "missing"),
        ("src-other", 2022, "missing"),
        ("src-other", 2023, "missing"),
    }


def test_series_follow_the_body_not_the_place(tmp_path):
    """Two departments of one city over three years each: each is paired with itself only,
    whatever the load order."""
    water = chain("郑州市水利局", [2021, 2022, 2023], seed=7)
    emergency = chain("郑州市应急管理局", [2021, 2022, 2023], seed=8)
    pairs = []
    for i, order in enumerate((water + emergency, list(reversed(emergency + water)))):
        db = load(tmp_path, order, name=f"w{i}.duckdb")
        pairs.append(
            sorted(
                q(
                    db,
                    """SELECT DISTINCT issuer, year, other_issuer, other_year FROM cross_checks
                                     WHERE check_id = 'cross_year.carry'""",
                )
            )
        )
        assert q(
            db, "SELECT count(*) FROM cross_checks WHERE check_id = 'cross_year.carry' AND NOT ok"
        ) == [(0,)]
        assert q(db, "SELECT count(DISTINCT series_key) FROM reports") == [(2,)]
    assert (
        pairs[0]
        == pairs[1]
        == [
            ("郑州市应急管理局", 2022, "郑州市应急管理局", 2021),
            ("郑州市应急管理局", 2023, "郑州市应急管理局", 2022),
            ("郑州市水利局", 2022, "郑州市水利局", 2021),
            ("郑州市水利局", 2023, "郑州市水利局", 2022),
        ]
    )


def test_a_new_batch_rechecks_only_its_series(tmp_path):
    """Loading a later year of one body adds that body's pairs and leaves the other series'
    checks as they were."""
    water = chain("郑州市水利局", [2021, 2022, 2023], seed=7)
    emergency = chain("郑州市应急管理局", [2021, 2022], seed=8)
    db = load(tmp_path, water + emergency)
    before = q(
        db,
        "SELECT report_id, check_id, detail FROM cross_checks WHERE issuer = '郑州市水利局' ORDER BY ALL",
    )
    extra = chain("郑州市应急管理局", [2021, 2022, 2023], seed=8)[2]
    p = tmp_path / "late.html"
    p.write_text(render_html(extra, seed=99))
    load_sources([Provenance(str(p), path=str(p))], db, workers=1)
    assert (
        q(
            db,
            "SELECT report_id, check_id, detail FROM cross_checks WHERE issuer = '郑州市水利局' ORDER BY ALL",
        )
        == before
    )
    assert q(
        db,
        """SELECT count(*) FROM cross_checks WHERE issuer = '郑州市应急管理局' AND year = 2023
                    AND check_id = 'cross_year.carry'""",
    ) == [(7,)]


def test_versions_whose_titles_name_no_body_group_by_the_site_and_one_is_current(tmp_path):
    from tests.test_shapes import apps

    body = apps().split("\n", 1)[1]  # the tables, no title line
    items = []
    for i, (title, published, name) in enumerate(
        [
            ("2022年度政府信息公开工作年度报告", "2023-01-20", "湖南省交通运输厅"),
            ("2022年度政府信息公开工作年度报告（修订版）", "2023-02-10", "湖南省交通运输厅"),
            ("2022年度政府信息公开工作年度报告", "2023-01-18", None),  # a row with no name
            ("2022年度政府信息公开工作年度报告（修订版）", "2023-03-01", None),
        ]
    ):
        p = tmp_path / f"{i}.txt"
        p.write_text(f"{title}\n发布日期：{published}\n{body}")
        src = "hn-jtt" if name else "hn-unnamed"
        items.append(
            Provenance(f"http://{src}.test/{i}.html", path=str(p), source_id=src, body=name)
        )
    db = tmp_path / "w.duckdb"
    assert load_sources(items, db, workers=1).errors == []
    rows = (
        duckdb.connect(str(db), read_only=True)
        .execute(
            "SELECT source_id, issuer, published_on, is_current FROM reports ORDER BY source_id, published_on"
        )
        .fetchall()
    )
    assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [
        ("hn-jtt", "湖南省交通运输厅", "2023-01-20", False),
        ("hn-jtt", "湖南省交通运输厅", "2023-02-10", True),
        ("hn-unnamed", None, "2023-01-18", False),
        ("hn-unnamed", None, "2023-03-01", True),
    ]


def test_joining_words_are_no_part_of_the_issuer():
    from pipeline.normalise.metadata import find_issuer

    title = "湖南省交通运输厅关于2022年度政府信息公开工作年度报告"
    assert find_issuer(title, {}, "") == "湖南省交通运输厅"
