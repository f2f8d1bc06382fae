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
from pipeline.api import Source, load_sources
from synth import Spec, render_html

PROACTIVE = {"regulations": {"issued": 0, "repealed": 0, "in_force": 0},
             "normative_documents": {"issued": 1, "repealed": 0, "in_force": 3},
             "licensing": {"decisions": 10}, "penalty": {"decisions": 2}, "coercion": {"decisions": 0},
             "fees": {"amount": 0}}


def spec(issuer, year, rows: dict, appeals, scope_note="", blanks=None) -> Spec:
    keys = [r.key for r in cat.APPLICATION_ROWS if r.key != "other" and not r.key.endswith("_subtotal")]
    apps = {k: [0] * 6 for k in keys}
    for k, n in rows.items():
        apps[k] = [n, 0, 0, 0, 0, 0]
    outcome = [k for k in keys if k not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    apps["total_processed"] = [sum(apps[k][0] for k in outcome), 0, 0, 0, 0, 0]
    apps["carried_forward"] = [apps["new_received"][0] + apps["carried_over"][0] - apps["total_processed"][0], 0, 0, 0, 0, 0]
    return Spec(issuer=issuer, year=year, fmt="2021", proactive=PROACTIVE, applications=apps, appeals=appeals,
                scope_note=scope_note, blanks=blanks or {}, narrative_apps=rows["new_received"],
                published=f"{year + 1}-01-15")


SPECS = [
    spec("甲县人民政府", 2022, {"new_received": 10, "granted": 6, "unavailable_not_held": 2, "other_other": 1},
         [0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]),
    spec("甲县人民政府", 2023, {"carried_over": 1, "new_received": 20, "granted": 10, "partially_granted": 4,
                           "denied_third_party": 2, "unavailable_not_held": 3, "other_other": 1},
         [1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    spec("乙县人民政府", 2023, {"new_received": 5, "granted": 5}, [0] * 15),
    spec("丙县人民政府", 2023, {"new_received": 4, "granted": 4}, [0] * 15, blanks={("total_processed", "total"): "/"}),
    spec("甲县", 2023, {"new_received": 100, "granted": 100}, [0] * 15,
         scope_note="本报告涵盖县政府各部门、各乡镇人民政府的政府信息公开工作情况。"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    d = tmp_path_factory.mktemp("wh")
    items = []
    for i, s in enumerate(SPECS):
        p = d / f"{i}.html"
        p.write_text(render_html(s, seed=i))
        items.append(Source(p, str(p)))
    db = d / "ogi.duckdb"
    assert load_sources(items, db, workers=1).errors == []
    c = an.connect(db)
    yield c
    c.close()


def test_scope_is_kept_apart(con):
    r = an.reports(con)
    assert dict(zip(r.issuer + r.year.astype(str), r.scope))["甲县2023"] == "jurisdiction"
    assert len(an.reports(con, scope="agency")) == 4


def test_rates_sum_numerators_and_denominators(con):
    r = an.rates(con, by=["year"]).set_index("year")
    assert r.loc[2022, ["reports", "granted", "handled", "decided"]].tolist() == [1, 6, 9, 6]
    assert r.loc[2022, "grant_rate_handled"] == pytest.approx(6 / 9)
    assert r.loc[2022, "grant_rate_decided"] == pytest.approx(1.0)
    # 2023 agency: 甲 (10 of 20, 4 partial, 2 denied) + 乙 (5 of 5); 丙's blank 总计 leaves it out; the aggregate too.
    assert r.loc[2023, ["reports", "granted", "partially_granted", "denied", "handled", "decided"]].tolist() == [2, 15, 4, 2, 25, 21]
    assert r.loc[2023, "grant_rate_handled"] == pytest.approx(15 / 25)
    assert r.loc[2023, "grant_rate_decided"] == pytest.approx(15 / 21)
    assert r.loc[2023, "disclosure_rate_handled"] == pytest.approx(19 / 25)
    assert r.loc[2023, "not_held_rate_handled"] == pytest.approx(3 / 25)


def test_jurisdiction_scope_is_its_own_population(con):
    r = an.rates(con, by=["year"], scope="jurisdiction")
    assert r[["year", "reports", "granted", "handled"]].values.tolist() == [[2023, 1, 100, 100]]


def test_outcomes_in_template_order_with_shares(con):
    o = an.outcomes(con, by=["year"])
    y23 = o[o.year == 2023]
    assert y23.outcome.tolist() == ["granted", "partially_granted", "denied", "unavailable", "not_processed", "other"]
    assert y23["count"].tolist() == [15, 4, 2, 3, 0, 1]
    assert y23.share.sum() == pytest.approx(1.0)
    assert y23.label_zh.iloc[0] == "予以公开"


def test_appeals_per_100_and_correction_rates(con):
    a = an.appeals(con, by=["year"]).set_index("year")
    # 2023: 甲 20 + 乙 5 + 丙 4 applications; 甲's 2 reconsiderations, 1 corrected, none pending.
    assert a.loc[2023, ["applications", "reconsideration", "reconsideration_corrected", "litigation"]].tolist() == [29, 2, 1, 0]
    assert a.loc[2023, "reconsideration_per_100_applications"] == pytest.approx(200 / 29)
    assert a.loc[2023, "reconsideration_correction_rate"] == pytest.approx(0.5)
    assert pd.isna(a.loc[2023, "litigation_correction_rate"])  # no decided litigation: no rate
    assert a.loc[2022, "litigation_per_100_applications"] == pytest.approx(10.0)


def test_volumes_yoy_and_rankings(con):
    v = an.volumes(con, by=["year"]).set_index("year")
    assert v.loc[2023, "applications"] == 29 and v.loc[2023, "licensing_decisions"] == 30
    y = an.year_over_year(con).dropna(subset=["previous"])
    assert y[["issuer", "year", "applications", "previous", "change"]].values.tolist() == [["甲县人民政府", 2023, 20, 10, 10]]
    rk = an.rankings(con, year=2023)
    assert rk.issuer.tolist() == ["乙县人民政府", "甲县人民政府"] and rk["rank"].tolist() == [1, 2]


def test_charts_carry_the_data(con):
    fig = charts.outcome_bars(an.outcomes(con, by=["year"]))
    granted = next(t for t in fig.data if t.name.startswith("予以公开"))
    assert list(granted.y) == pytest.approx([6 / 9, 15 / 25])
    flows = an.sankey_flows(con, an.reports(con).query("issuer == '甲县人民政府' and year == 2023").report_id.iloc[0])
    assert dict(zip(flows.target, flows.value)) == {"予以公开": 10, "部分公开": 4, "不予公开": 2, "无法提供": 3,
                                                   "其他处理": 1, "结转下年度": 1}
    sk = charts.sankey(flows)
    assert sum(sk.data[0].link.value) == 21
    sc = charts.volume_vs_litigation(an.appeals(con, by=["issuer", "year"]))
    assert "甲县人民政府" in list(sc.data[0].hovertext)


def test_export_reads_back(con, tmp_path):
    from pipeline.analysis.export import export
    db = con.execute("PRAGMA database_list").fetchall()[0][2]
    export(tmp_path / "x", db=db)
    facts = duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path}/x/facts.parquet')").fetchone()[0]
    assert facts == con.sql("SELECT count(*) FROM facts").fetchone()[0]
    wide = pd.read_parquet(tmp_path / "x" / "applications_wide")  # partitioned by year
    assert sorted(wide.year.astype(int).unique()) == [2022, 2023]
    dd = pd.read_csv(tmp_path / "x" / "data_dictionary.csv")
    row = dd[(dd.view == "applications_wide") & (dd.column == "new_received_total")].iloc[0]
    assert "本年新收" in row.label_zh and row.unit == "count"
    export(tmp_path / "c", fmt="csv", db=db)
    assert pd.read_csv(tmp_path / "c" / "reports.csv").shape[0] == 5


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium is installed by `make setup`")
def test_offline_report_renders_in_chromium(con, tmp_path):
    from pipeline.analysis.report import write_report
    db = con.execute("PRAGMA database_list").fetchall()[0][2]
    page = write_report(tmp_path / "r", db=db, png=True)
    text = page.read_text()
    assert text.count("plotly.js v") == 1  # bundled once, not per chart
    assert "<script src=\"http" not in text  # nothing loaded from the network
    assert (tmp_path / "r" / "outcomes_by_year.png").stat().st_size > 5000
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                          "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    # Each chart's div holds a rendered SVG with drawn marks.
    for slug in ("outcomes_by_year", "ranking_grant_rate", "volume_vs_litigation", "data_quality", "sankey_largest"):
        start = dom.index(f'id="{slug}"')
        chunk = dom[start:start + 200000]
        assert 'class="main-svg"' in chunk, slug
        assert "<path" in chunk or "<rect" in chunk, slug
        # drawn at a readable size, not collapsed into a strip
        height = re.search(r'class="main-svg"[^>]*height="([\d.]+)"', chunk)
        assert height and float(height.group(1)) >= 300, slug
