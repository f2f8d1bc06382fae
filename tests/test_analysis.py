"""pipeline.analysis against hand-computed values; charts' data; the offline report in Chromium;
exports read back."""

import re
import shutil
import subprocess

import duckdb
import pandas as pd
import pytest

from pipeline import analysis as an
from pipeline import catalogue as cat
from pipeline.analysis import charts
from pipeline.api import Provenance, load_sources
from tests.corpus.synth import Spec, render_html

PROACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 1, "repealed": 0, "in_force": 3},
    "licensing": {"decisions": 10},
    "penalty": {"decisions": 2},
    "coercion": {"decisions": 0},
    "fees": {"amount": 0},
}


def spec(issuer, year, rows: dict, appeals, scope_note="", blanks=None) -> Spec:
    keys = [
        r.key for r in cat.APPLICATION_ROWS if r.key != "other" and not r.key.endswith("_subtotal")
    ]
    apps = {k: [0] * 6 for k in keys}
    for k, n in rows.items():
        apps[k] = [n, 0, 0, 0, 0, 0]
    outcome = [
        k
        for k in keys
        if k not in ("new_received", "carried_over", "total_processed", "carried_forward")
    ]
    apps["total_processed"] = [sum(apps[k][0] for k in outcome), 0, 0, 0, 0, 0]
    apps["carried_forward"] = [
        apps["new_received"][0] + apps["carried_over"][0] - apps["total_processed"][0],
        0,
        0,
        0,
        0,
        0,
    ]
    return Spec(
        issuer=issuer,
        year=year,
        fmt="2021",
        proactive=PROACTIVE,
        applications=apps,
        appeals=appeals,
        scope_note=scope_note,
        blanks=blanks or {},
        narrative_apps=rows["new_received"],
        published=f"{year + 1}-01-15",
    )


SPECS = [
    spec(
        "甲县人民政府",
        2022,
        {"new_received": 10, "granted": 6, "unavailable_not_held": 2, "other_other": 1},
        [0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    ),
    spec(
        "甲县人民政府",
        2023,
        {
            "carried_over": 1,
            "new_received": 20,
            "granted": 10,
            "partially_granted": 4,
            "denied_third_party": 2,
            "unavailable_not_held": 3,
            "other_other": 1,
        },
        [1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ),
    spec("乙县人民政府", 2023, {"new_received": 25, "granted": 25}, [0] * 15),
    # 丙 leaves total_processed blank and its appeals table out: it counts where it gives numbers only
    spec(
        "丙县人民政府",
        2023,
        {"new_received": 4, "granted": 4},
        [0] * 15,
        blanks={("total_processed", "total"): "/"},
    ),
    spec(
        "甲县",
        2023,
        {"new_received": 100, "granted": 100},
        [0] * 15,
        scope_note="本报告涵盖县政府各部门、各乡镇人民政府的政府信息公开工作情况。",
    ),
    spec(
        "甲县教育局",
        2023,
        {"new_received": 30, "granted": 15, "unavailable_not_held": 15},
        [0] * 15,
    ),
    spec(
        "丁镇人民政府", 2023, {"new_received": 3, "granted": 3}, [0] * 15
    ),  # a township with 3 requests
]
G = {"include_generated": True}  # the fixtures are generated pages (tests/corpus/synth.py)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    d = tmp_path_factory.mktemp("wh")
    items = []
    for i, s in enumerate(SPECS):
        p = d / f"{i}.html"
        p.write_text(render_html(s, seed=i))
        items.append(Provenance(str(p), path=str(p)))
    db = d / "ogi.duckdb"
    assert load_sources(items, db, workers=1).errors == []
    c = an.connect(db)
    yield c
    c.close()


def test_scope_is_kept_apart(con):
    r = an.reports(con, **G)
    assert dict(zip(r.issuer + r.year.astype(str), r.scope))["甲县2023"] == "jurisdiction"
    assert len(an.reports(con, scope="agency", **G)) == 6


def test_generated_reports_are_left_out_unless_asked(con):
    assert an.rates(con, by=["year"]).empty
    assert an.rates(con, by=["year"], **G).generated_reports.sum() == 6
    assert an.reports(con).empty and an.reports(con, **G).generated.all()  # real only, by default


def test_rates_sum_numerators_and_denominators(con):
    r = an.rates(con, by=["year"], **G).set_index("year")
    assert r.loc[
        2022, ["reports", "grant_rate_num", "grant_rate_den", "grant_rate_decided_den"]
    ].tolist() == [1, 6, 9, 6]
    assert r.loc[2022, "grant_rate"] == pytest.approx(6 / 9)
    assert r.loc[2022, "grant_rate_decided"] == pytest.approx(1.0)
    # 2023 agency: 甲 (10 of 20, 4 partial, 2 denied) + 乙 25 + 教育局 15 of 30 + 丁 3;
    # 丙's blank 总计 keeps it out of every rate over total_processed, but it is still a report.
    assert r.loc[
        2023, ["reports", "grant_rate_reports", "grant_rate_num", "grant_rate_den"]
    ].tolist() == [5, 4, 53, 78]
    assert r.loc[2023, "grant_rate"] == pytest.approx(53 / 78)
    # over decided requests 丙 counts: it gives granted / partially granted / denied, if not 总计
    assert r.loc[2023, ["grant_rate_decided_num", "grant_rate_decided_den"]].tolist() == [57, 63]
    assert r.loc[2023, "disclosure_rate"] == pytest.approx(57 / 78)
    assert r.loc[2023, "not_held_rate"] == pytest.approx(18 / 78)
    assert r.loc[2023, "applications"] == 20 + 25 + 4 + 30 + 3


def test_jurisdiction_scope_is_its_own_population(con):
    r = an.rates(con, by=["year"], scope="jurisdiction", **G)
    assert r[["year", "reports", "grant_rate_num", "grant_rate_den"]].values.tolist() == [
        [2023, 1, 100, 100]
    ]
    assert r.scope_label.iloc[0].startswith("地区汇总报告")


def test_outcomes_in_template_order_with_shares(con):
    o = an.outcomes(con, by=["year"], **G)
    y23 = o[o.year == 2023]
    assert y23.outcome.tolist() == [
        "granted",
        "partially_granted",
        "denied",
        "unavailable",
        "not_processed",
        "other",
    ]
    assert y23["count"].tolist() == [53, 4, 2, 18, 0, 1]
    assert y23.share.sum() == pytest.approx(1.0)
    assert y23.reports.iloc[0] == 4 and y23.label_zh.iloc[0] == "予以公开"


def test_appeals_count_a_rate_only_where_numerator_and_denominator_are_given(con):
    a = an.appeals(con, by=["year"], **G).set_index("year")
    # 2023: 甲 20 + 乙 25 + 丙 4 + 教育局 30 + 丁 3 applications; 甲's 2 reconsiderations, 1 corrected.
    row = a.loc[2023]
    assert row[
        ["reconsideration_per_100_applications_num", "reconsideration_per_100_applications_den"]
    ].tolist() == [2, 82]
    assert row.reconsideration_per_100_applications == pytest.approx(200 / 82)
    assert row.reconsideration_correction_rate == pytest.approx(0.5)
    assert pd.isna(row.litigation_correction_rate)  # no decided litigation: no rate
    assert a.loc[2022, "litigation_per_100_applications"] == pytest.approx(10.0)


def test_volumes_count_only_the_reports_that_give_a_number(con):
    v = an.volumes(con, by=["year"], **G).set_index("year")
    assert v.loc[2023, ["reports", "applications", "applications_reports"]].tolist() == [5, 82, 5]
    assert (
        v.loc[2023, "licensing_decisions"] == 50 and v.loc[2023, "licensing_decisions_reports"] == 5
    )


def test_year_over_year_follows_the_body(con):
    y = an.year_over_year(con, **G).dropna(subset=["previous"])
    assert y[["issuer", "year", "applications", "previous", "change"]].values.tolist() == [
        ["甲县人民政府", 2023, 20, 10, 10]
    ]


def test_rankings_compare_like_with_like(con):
    rk = an.rankings(con, year=2023, level="county", **G)
    # the township (3 requests) and the department are in other rankings; 丙 gives no denominator
    assert rk[["rank", "issuer", "n"]].values.tolist() == [
        [1, "乙县人民政府", 25],
        [2, "甲县人民政府", 20],
    ]
    assert rk.ranking.iloc[0] == "grant_rate · 2023 · county · agency · N ≥ 20"
    low = an.rankings(con, year=2023, level="county", min_applications=1, **G)
    assert "丁镇人民政府" not in low.issuer.tolist()  # a township is ranked with townships
    towns = an.rankings(con, year=2023, level="township", min_applications=1, **G)
    assert towns.issuer.tolist() == ["丁镇人民政府"]
    assert an.rankings(con, year=2023, level="township", **G).empty  # 3 requests < N 20


def test_ties_share_a_rank(con):
    rk = an.rankings(
        con, year=2023, level="county", min_applications=1, metric="grant_rate_decided", **G
    )
    # 乙 25/25 and 丙 4/4 (it gives the decided rows, not 总计) tie; 甲 10/16
    assert rk[["rank", "tied", "issuer"]].values.tolist() == [
        [1, True, "丙县人民政府"],
        [1, True, "乙县人民政府"],
        [3, False, "甲县人民政府"],
    ]


def test_areas_use_the_aggregate_or_the_sum_of_agencies_with_coverage(con):
    a = an.areas(con, year=2023, **G).set_index("jurisdiction")
    assert a.loc["甲县", ["source", "applications", "grant_rate_num", "coverage"]].tolist() == [
        "aggregate",
        100,
        100,
        "published aggregate",
    ]
    # 乙县 publishes no aggregate: its government's own report, 1 of 1 body
    assert a.loc["乙县", ["source", "bodies_reported", "bodies_known", "coverage"]].tolist() == [
        "sum_of_agencies",
        1,
        1,
        "1 of 1 bodies reported",
    ]
    rates = an.rates(con, by=["year"], scope="area", **G).set_index("year")
    # area = 甲县's aggregate (its government and 教育局 not added again) + 乙, 丙, 丁's own reports
    assert rates.loc[2023, "applications"] == 100 + 25 + 4 + 3


def test_charts_carry_the_data_with_their_population_and_n(con):
    fig = charts.outcome_bars(an.outcomes(con, by=["year"], **G))
    granted = next(t for t in fig.data if t.name.startswith("予以公开"))
    assert list(granted.y) == pytest.approx([6 / 9, 53 / 78])
    assert "各机关自身报告" in fig.layout.title.text and "N = 5" in fig.layout.title.text
    # generated examples: a watermark across the plot, with how many
    marks = [a.text for a in fig.layout.annotations if a.name == "watermark"]
    # (the outcomes of 5 reports)
    assert marks and "EXAMPLE DATA — do not cite" in marks[0] and "5 份生成的报告" in marks[0]
    assert fig.layout.yaxis.tickformat == ".0%" and list(fig.layout.yaxis.range) == [0, 1]
    rid = an.reports(con, **G).query("issuer == '甲县人民政府' and year == 2023").report_id.iloc[0]
    flows = an.sankey_flows(con, rid)
    assert dict(zip(flows.target, flows.value)) == {
        "予以公开": 10,
        "部分公开": 4,
        "不予公开": 2,
        "无法提供": 3,
        "其他处理": 1,
        "结转下年度": 1,
    }
    sk = charts.sankey(flows, "甲县人民政府", 2023)
    assert sum(sk.data[0].link.value) == 21 and "予以公开 10" in sk.data[0].node.label
    assert sk.layout.title.text.startswith("甲县人民政府 2023年")
    sc = charts.volume_vs_litigation(an.appeals(con, by=["issuer", "year"], **G))
    assert "甲县人民政府" in list(sc.data[0].hovertext)


def test_a_missing_year_is_a_gap_not_a_line(con):
    r = an.rates(con, by=["year", "issuer"], **G)
    jia = r[r.issuer == "甲县人民政府"]
    r = pd.concat([r, jia[jia.year == 2023].assign(year=2025)])  # 2022, 2023, (no 2024), 2025
    fig = charts.by_year(r[r.issuer == "甲县人民政府"], "grant_rate", facet=None, series="issuer")
    trace = fig.data[0]
    assert list(trace.x) == [2022, 2023, 2024, 2025] and pd.isna(trace.y[2])
    assert trace.connectgaps is False
    assert fig.layout.yaxis.rangemode == "tozero" and fig.layout.xaxis.title.text == "年份 / year"


def test_analysis_tables_give_integer_counts_and_one_missing_marker(con):
    v = an.volumes(con, by=["year"], **G)
    assert str(v.year.dtype) == "Int64" and list(v.year) == [2022, 2023]  # 2022, not 2022.0
    assert str(v.applications.dtype) == "Int64" and list(v.applications) == [
        10,
        100 + 20 + 25 + 4 + 30 + 3 - 100,
    ]
    r = an.rates(con, by=["issuer", "year"], **G)
    assert str(r.grant_rate.dtype) == "Float64"
    # 丙 gives no 办理结果总计: its grant rate is missing, marked pd.NA like every other blank
    bing = r[r.issuer == "丙县人民政府"].iloc[0]
    assert bing.grant_rate is pd.NA and bing.grant_rate_den is pd.NA
    for df in (v, r, an.reports(con, **G), an.appeals(con, by=["year"], **G)):
        assert not any(str(t) in ("float64", "float32") for t in df.dtypes), df.dtypes


def test_facet_and_legend_labels_are_bilingual(con):
    fig = charts.by_year(an.rates(con, by=["year", "level"], **G), "grant_rate", facet="level")
    panels = {a.text for a in fig.layout.annotations if a.name != "watermark"}
    assert any("县级 / county" in t for t in panels), panels
    fig = charts.by_year(
        an.rates(con, by=["year", "level"], **G), "grant_rate", facet=None, series="level"
    )
    assert {t.name for t in fig.data} >= {"县级 / county"}


def test_a_cut_report_table_says_so():
    from pipeline.analysis.report import TABLE_ROWS, _table

    html = _table(pd.DataFrame({"issuer": [f"机关{i}" for i in range(TABLE_ROWS + 7)]}))
    assert html.count("<td>") == TABLE_ROWS  # the first 50
    assert f"first {TABLE_ROWS} of {TABLE_ROWS + 7} rows" in html
    assert "rows (" not in _table(pd.DataFrame({"issuer": ["甲"]}))


def test_export_reads_back(con, tmp_path):
    from pipeline.analysis.export import export

    db = con.execute("PRAGMA database_list").fetchall()[0][2]
    export(tmp_path / "x", db=db)
    facts = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/x/facts.parquet')"
    ).fetchone()[0]
    assert facts == con.sql("SELECT count(*) FROM facts").fetchone()[0]
    wide = pd.read_parquet(tmp_path / "x" / "applications_wide")  # one file per year
    assert sorted(wide.year.unique()) == [2022, 2023]
    assert (
        str(wide.year.dtype) == "Int32" and list(wide.columns).index("year") == 5
    )  # an integer, in its place
    assert str(wide.new_received_total.dtype) == "Int64"  # counts: nullable integers, not float64
    assert wide.total_processed_total.isna().sum() == 1  # 丙's blank 总计 stays blank
    dd = pd.read_csv(tmp_path / "x" / "data_dictionary.csv")
    row = dd[(dd.view == "applications_wide") & (dd.column == "new_received_total")].iloc[0]
    assert "本年新收" in row.label_zh and row.unit == "count"
    assert dd.meaning.isna().sum() == 0  # every column of every view described
    rate = dd[(dd.view == "metrics") & (dd.column == "grant_rate_decided")].iloc[0]
    assert rate.meaning == "granted / (granted + partially granted + denied)"
    export(tmp_path / "c", fmt="csv", db=db)
    assert pd.read_csv(tmp_path / "c" / "reports.csv").shape[0] == len(SPECS)


@pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium is installed by `make setup`"
)
def test_offline_report_renders_in_chromium(con, tmp_path):
    from pipeline.analysis.report import write_report

    db = con.execute("PRAGMA database_list").fetchall()[0][2]
    page = write_report(tmp_path / "r", db=db, png=True, include_generated=True)
    text = page.read_text()
    assert text.count("plotly.js v") == 1  # bundled once, not per chart
    assert '<script src="http' not in text  # nothing loaded from the network
    assert (tmp_path / "r" / "outcomes_by_year_agency.png").stat().st_size > 5000
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # citable: when, which version, which warehouse, how to cite; fiction marked on the page
    assert "How to cite" in text and "sha256:" in text and "OGI Reports 0." in text
    assert "EXAMPLE DATA — do not cite: 7 generated reports" in text  # every report of the fixture
    # a chart with too few reports behind it is not drawn, and the page says why
    assert "a ranking needs at least 3" in text or 'id="ranking_grant_rate"' in text
    # Each chart's div holds a rendered SVG with drawn marks.
    for slug in (
        "outcomes_by_year_agency",
        "grant_rate_by_year_level_agency",
        "volume_vs_litigation",
        "data_quality",
        "sankey_largest",
    ):
        start = dom.index(f'id="{slug}"')
        chunk = dom[start : start + 200000]
        assert 'class="main-svg"' in chunk, slug
        assert "<path" in chunk or "<rect" in chunk, slug
        # drawn at a readable size, not collapsed into a strip
        height = re.search(r'class="main-svg"[^>]*height="([\d.]+)"', chunk)
        assert height and float(height.group(1)) >= 300, slug
