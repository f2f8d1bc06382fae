"""Reports of 2008–2018: the 政府信息公开情况统计表 and the prose's own figures, in the `legacy` table."""

import json
import random
from decimal import Decimal

import pytest

from pipeline.api import extract_bytes, extract_file
from pipeline.normalise.legacy import cn_number
from tests.corpus import SAMPLES
from tests.corpus.forms import legacy_build
from tests.corpus.synth_legacy import (
    LegacySpec,
    random_legacy,
    render_glued,
    render_html,
    score,
    truth,
)

REAL = SAMPLES / "real"
EXPECTED = sorted(
    REAL.glob("*.expected.json")
)  # the bundled copies: every machine tests the same files
LEGACY_SAMPLES = [
    p
    for p in EXPECTED
    if json.loads(p.read_text(encoding="utf-8")).get("legacy_numbers_from_prose")
]


def legacy(report) -> dict:
    return {k: c["value"] for k, c in report.tables["legacy"].items()}


def test_the_samples_with_legacy_numbers_are_all_here():
    assert [p.name.split("_")[0] for p in LEGACY_SAMPLES] == [
        "009",
        "010",
        "011",
        "012",
        "013",
        "014",
        "017",
    ]


@pytest.mark.parametrize("expected", LEGACY_SAMPLES, ids=lambda p: p.name.split(".")[0])
def test_every_legacy_value_of_the_real_samples_and_nothing_invented(expected):
    want = json.loads(expected.read_text(encoding="utf-8"))["legacy_numbers_from_prose"]
    report = extract_file(expected.with_name(expected.name.replace(".expected.json", ".txt")))
    got = legacy(report)
    for key, value in want.items():
        if key.endswith("_qualifier"):
            continue
        if value is None:
            assert key not in got, (
                f"{key}: the report does not state it, yet {got[key].value} was read"
            )
        else:
            assert key in got and got[key].value == value, (
                f"{key}: want {value}, got {got.get(key)}"
            )
            assert got[key].raw and got[key].source in ("table", "text")
    # Beyond the expected figures only the 统计表's 历年累计 column, each printed in its row.
    for key in set(got) - set(want):
        assert key.endswith("_cumulative"), (
            f"{key} = {got[key].value} was read but the report does not state it"
        )
        assert got[key].source == "table" and str(got[key].value) in got[key].raw


def test_a_number_is_read_only_from_the_sentence_that_names_it():
    r = extract_file(REAL / "017_lintao_shangyingxiang_2020.txt")
    got = legacy(r)
    # "260余条" is read as 260 and said to be approximate; litigation is not mentioned: no fact
    assert (
        got["active_disclosure_items"].value == 260
        and got["active_disclosure_items"].source == "text"
    )
    assert "260余条" in got["active_disclosure_items"].raw
    assert any("approximate" in w and "active_disclosure_items" in w for w in r.warnings)
    assert "admin_review_cases" not in got and "admin_litigation_cases" not in got


def test_chinese_numerals():
    assert [
        cn_number(t)
        for t in ("二十一", "十八", "一百零五", "两千三百", "三万", "0", "17", "九十九")
    ] == [21, 18, 105, 2300, 30000, 0, 17, 99]
    assert cn_number("若干") is None


PROSE = """青杉市民政局2011年政府信息公开工作年度报告
本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、复议诉讼情况、收费情况等部分组成。
一、概述
2011年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作稳步推进。
二、主动公开政府信息情况
全年共主动公开政府信息三百四十二条，其中通过网站公开三百零五条。截至2011年底，累计主动公开政府信息一千二百条。
三、依申请公开政府信息情况
共受理政府信息公开申请二十一件，其中当面申请十八件，信函申请三件。已答复二十一件，其中同意公开十七件，同意部分公开二件，不予公开二件。
四、政府信息公开的收费及减免情况
未收取任何费用。
五、因政府信息公开申请提起行政复议的情况
未发生因政府信息公开申请提起行政复议的情况。
六、存在的主要问题和改进措施
公开内容还不够全面，下一步将继续加强培训。
"""


def test_prose_patterns_built_from_scratch():
    r = extract_bytes(PROSE.encode(), "qingshan-minzheng-2011.txt")
    assert r.error is None and r.format == "pre2019" and r.year == 2011
    got = {k: c.value for k, c in legacy(r).items()}
    assert got == {
        "active_disclosure_items": 342,
        "via_website": 305,
        "active_disclosure_items_cumulative": 1200,
        "applications_received": 21,
        "applications_in_person": 18,
        "applications_letter": 3,
        "replies_total": 21,
        "replies_granted": 17,
        "replies_partially_granted": 2,
        "replies_denied": 2,
        "fees_collected_yuan": 0,
        "admin_review_cases": 0,
    }
    # stated 0s come from the sentence that says so; litigation is never mentioned, so it is absent
    assert "未发生因政府信息公开申请提起行政复议" in legacy(r)["admin_review_cases"].raw
    assert "admin_litigation_cases" not in got
    assert all(c.source == "text" for c in legacy(r).values())


def test_partial_subjects_are_not_the_bodys_total():
    text = PROSE.replace(
        "全年共主动公开政府信息三百四十二条，其中通过网站公开三百零五条。",
        "各乡镇主动公开政府信息三百四十二条。",
    )
    got = {k: c.value for k, c in legacy(extract_bytes(text.encode(), "x-2011.txt")).items()}
    assert "active_disclosure_items" not in got and "via_website" not in got


def _specs(n: int, seed: int, **kw) -> dict[str, LegacySpec]:
    rng = random.Random(seed)
    return {f"legacy-{i}": random_legacy(rng, i, **kw) for i in range(n)}


@pytest.mark.parametrize("cumulative", [False, True])
def test_statistics_table_as_a_page(cumulative):
    for name, spec in _specs(4, 11, cumulative=cumulative).items():
        r = extract_bytes(render_html(spec).encode(), name + ".html")
        ok, n, misses = score(r, spec)
        assert misses == [] and n == len(truth(spec)) and n >= 58 * (2 if cumulative else 1)
        assert all(c.source == "table" for c in legacy(r).values() if c.raw and "|" in c.raw)
        assert not [c for c in r.checks if not c.ok]
        assert r.format == "pre2019" and r.status == "ok" and r.issuer == spec.issuer


def test_statistics_table_as_docx_and_pdf(tmp_path):
    specs = _specs(3, 5)
    specs["legacy-0"].cumulative = {k: v * 4 for k, v in specs["legacy-0"].values.items()}
    for path, name, kind in legacy_build(specs, tmp_path):
        r = extract_file(path)
        ok, n, misses = score(r, specs[name])
        assert r.error is None and misses == [], (kind, name, misses[:5])


def test_a_flattened_table_is_read_where_forced_and_left_empty_where_not():
    exact = cells = 0
    for name, spec in _specs(12, 23).items():
        r = extract_bytes(render_glued(spec).encode(), name + ".txt")
        ok, n, misses = score(r, spec)
        wrong = [m for m in misses if not m.endswith("got None")]
        assert wrong == [], (name, wrong)
        for m in misses:  # every cell left empty says why
            key = m.split(":")[0].removesuffix("_cumulative")
            assert any(key in w for w in r.warnings), (name, m)
        exact, cells = exact + ok, cells + n
    assert cells > 600 and exact / cells > 0.9


def test_one_column_flattened_table_runs_into_the_next_item_number():
    spec = _specs(1, 2, cumulative=False)["legacy-0"]
    spec.values.update(
        press_conferences=13, press_conferences_by_heads=1
    )  # "…次1312.政府网站…": 13 | 1 and item 2
    r = extract_bytes(render_glued(spec).encode(), "x.txt")
    assert score(r, spec)[2] == []


def test_prose_and_table_that_disagree_are_flagged_and_the_table_kept():
    spec = _specs(1, 4, cumulative=False)["legacy-0"]
    printed = spec.values["active_disclosure_items"]
    spec.prose_says = {"active_disclosure_items": printed + 7}
    r = extract_bytes(render_html(spec).encode(), "x.html")
    assert legacy(r)["active_disclosure_items"].value == printed
    assert any(
        "active_disclosure_items" in w and "the 统计表's figure is kept" in w for w in r.warnings
    )


def test_checks_on_a_table_that_does_not_add_up():
    spec = _specs(1, 9, cumulative=False)["legacy-0"]
    spec.values["applications_in_person"] += 5  # channels now exceed 收到申请数
    spec.values["replies_denied"] = spec.values["replies_total"] + 1  # a part above its whole
    r = extract_bytes(render_html(spec).encode(), "x.html")
    failed = {c.id for c in r.checks if not c.ok}
    assert {"legacy.applications_received_sum", "legacy.replies_total_parts"} <= failed
    # flagged, never fixed: the printed figures are what is loaded
    assert legacy(r)["applications_in_person"].value == spec.values["applications_in_person"]


def test_money_in_the_unit_of_the_indicator():
    spec = _specs(1, 1, cumulative=False)["legacy-0"]
    spec.values.update(fees_collected_yuan=2500, disclosure_expenditure_10k_yuan=Decimal("2.5"))
    r = extract_bytes(render_html(spec).encode(), "x.html")
    got = legacy(r)
    assert (
        got["fees_collected_yuan"].value == 2500 and "0.25" in got["fees_collected_yuan"].raw
    )  # printed in 万元
    assert got["disclosure_expenditure_10k_yuan"].value == Decimal("2.5")


# ---------------------------------------------------------------- warehouse: views legacy and panel
@pytest.fixture(scope="module")
def panel_db(tmp_path_factory):
    import shutil

    from pipeline.api import ingest

    corpus = tmp_path_factory.mktemp("corpus")
    for p in LEGACY_SAMPLES:
        shutil.copy(p.with_name(p.name.replace(".expected.json", ".txt")), corpus)
    # a 2023 department's report in the mandated tables (an agency's, as the legacy ones are)
    shutil.copy(SAMPLES / "real-pages" / "putian_chengguanju_2023.html", corpus)
    spec = _specs(1, 31, cumulative=False)["legacy-0"]
    spec.year = 2016
    (corpus / "legacy-2016.html").write_text(render_html(spec), encoding="utf-8")
    db = tmp_path_factory.mktemp("db") / "w.duckdb"
    assert ingest([corpus], db=db).exit_code == 0
    return db, spec


def _q(db, sql, params=None):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_legacy_facts_keep_their_source_text(panel_db):
    db, spec = panel_db
    rows = _q(
        db,
        """SELECT indicator, cumulative, value, raw_text FROM legacy WHERE year = 2012 ORDER BY indicator""",
    )
    got = {k: (float(v), raw) for k, cum, v, raw in rows}
    assert got["applications_received"][0] == 21 and got["replies_granted"][0] == 17
    assert got["applications_received_cumulative"][0] == 21
    assert all(raw for _, raw in got.values())
    # the same facts, in `facts`, under table_name 'legacy'
    assert _q(db, "SELECT count(*) FROM facts WHERE table_name = 'legacy'") == _q(
        db, "SELECT count(*) FROM legacy"
    )
    by_year = dict(_q(db, "SELECT year, count(*) FROM legacy GROUP BY year"))
    assert by_year[2016] == len(truth(spec))


def test_panel_puts_both_eras_on_the_shared_measures(panel_db):
    db, spec = panel_db
    cols = [r[0] for r in _q(db, "SELECT column_name FROM (DESCRIBE panel)")]
    from pipeline import catalogue as cat

    for measure, *_ in cat.PANEL_MEASURES:
        assert measure in cols and f"{measure}_comparable" in cols
    row = _q(
        db,
        """SELECT definitions, applications, granted, partially_granted, denied, not_held, reconsideration,
                           litigation, fees_yuan, granted_comparable
                    FROM panel WHERE year = 2012""",
    )
    notes = {m: note for m, _, _, note in cat.PANEL_MEASURES}
    assert row == [("legacy", 21, 17, 2, 2, None, 0, 0, None, notes["granted"])]
    assert notes["granted"].startswith("differs: 2008–2018 counted replies")
    v = spec.values
    assert _q(
        db,
        "SELECT applications, granted, denied, not_held, reconsideration, litigation, fees_yuan "
        "FROM panel WHERE year = 2016",
    ) == [
        (
            v["applications_received"],
            v["replies_granted"],
            v["replies_denied"],
            v["replies_not_held"],
            v["admin_review_cases"],
            v["admin_litigation_cases"],
            Decimal(v["fees_collected_yuan"]),
        )
    ]
    # a 2019+ report: its table's figures, and the same definitions notes
    new = _q(
        db,
        "SELECT p.definitions, p.applications, a.new_received_total, p.granted, a.granted_total, "
        "p.reconsideration, w.reconsideration_total FROM panel p JOIN applications_wide a USING (report_id) "
        "JOIN appeals_wide w USING (report_id) WHERE p.year = 2023",
    )
    assert len(new) == 1
    d, apps, apps2, gr, gr2, rec, rec2 = new[0]
    assert (
        d == "mandated"
        and apps == apps2 is not None
        and gr == gr2 is not None
        and rec == rec2 is not None
    )


def test_long_series_marks_the_break(panel_db):
    from pipeline import analysis as an
    from pipeline.analysis import charts

    db, spec = panel_db
    con = an.connect(db)
    try:
        long = an.long_panel(con, scope="agency", include_generated=True)
    finally:
        con.close()
    assert set(long.definitions) == {"legacy", "mandated"}
    assert long.year.min() <= 2016 and long.year.max() == 2023
    y2016 = long[long.year == 2016].iloc[0]
    assert y2016.applications == spec.values["applications_received"]
    decided = (
        spec.values["replies_granted"]
        + spec.values["replies_partially_granted"]
        + spec.values["replies_denied"]
    )
    if decided:
        assert abs(y2016.grant_rate_decided - spec.values["replies_granted"] / decided) < 1e-9
    assert long.applications_comparable.iloc[0].startswith("same:")
    fig = charts.long_series(long, "applications")
    assert len(fig.data) == 2  # one line per set of definitions: none drawn across 2019
    for trace in fig.data:
        years = [x for x, y in zip(trace.x, trace.y) if y == y and y is not None]
        assert all(x < 2019 for x in years) or all(x >= 2019 for x in years)
    assert any(s.x0 == 2018.5 for s in fig.layout.shapes)
    assert "2019" in " ".join(a.text for a in fig.layout.annotations)
