"""HTML pages in CMS shells: both template versions, GBK, blanks, split tables, rowspan/colspan."""

from decimal import Decimal

import pytest

from pipeline.api import extract_bytes, extract_file
from pipeline.extract import extract
from tests.corpus.forms import expected
from tests.corpus.synth import APPLICANT, SAMPLES_DIR, render_html, sample_specs

SPECS = sample_specs()


def _truth(spec, table, row, col, value):
    v = expected(spec, row, col, value)
    return float(v) if isinstance(v, Decimal) else v


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bundled_page_extracts_every_cell(name):
    spec = SPECS[name]
    j = extract_file(SAMPLES_DIR / name).to_json()
    assert j["error"] is None
    assert j["format"] == spec.fmt
    assert j["year"] == spec.year
    assert j["issuer"] == spec.issuer
    for row, cols in spec.proactive.items():
        for col, value in cols.items():
            assert j["proactive"][row][col] == _truth(spec, "proactive", row, col, value), (
                f"{row}.{col}"
            )
    for row, vals in spec.applications.items():
        for col, value in zip(APPLICANT + ["total"], vals + [spec.total(row)]):
            assert j["applications"][row][col] == _truth(spec, "applications", row, col, value), (
                f"{row}.{col}"
            )
    got = [
        j["appeals"][r][c]
        for r in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert got == spec.appeals


def test_bundled_pages_match_their_generator():
    """data/samples/html is what tests/corpus/synth.py writes: the truth above is the truth of those files."""
    for i, (name, spec) in enumerate(SPECS.items()):
        enc = "gb18030" if spec.site.endswith("#gbk") else "utf-8"
        assert (SAMPLES_DIR / name).read_bytes() == render_html(spec, seed=i).encode(enc)


def test_format_comes_from_headers_not_year():
    r = extract_file(SAMPLES_DIR / "qingshan-2022-aggregate-2019template.html")
    assert r.year == 2022 and r.format == "2019"
    assert r.scope == "jurisdiction"
    assert r.value("proactive", "other_services", "items_change") == -21
    assert r.value("proactive", "procurement", "amount") == Decimal("352910.26")
    assert (
        "in_force" not in r.tables["proactive"]["normative_documents"]
    )  # 2019 keys stay 2019 keys


def test_2019_single_other_row_and_signed_change():
    r = extract_file(SAMPLES_DIR / "shiqiao-2020-hanweb-gbk.html")
    assert r.format == "2019"
    assert (
        "other" in r.tables["applications"]
        and "other_no_correction" not in r.tables["applications"]
    )
    assert r.value("proactive", "licensing", "items_change") == 1
    assert r.tables["proactive"]["licensing"]["items_change"].raw == "+1"
    assert all(c.ok for c in r.checks)


def test_null_is_not_zero():
    r = extract_file(SAMPLES_DIR / "shiqiao-2020-hanweb-gbk.html")
    cell = r.tables["proactive"]["coercion"]["decisions"]
    assert cell.value is None and cell.raw == "/"
    assert r.value("proactive", "penalty", "items_change") == 0
    r = extract_file(SAMPLES_DIR / "lvshui-amr-2022-gkmlpt.html")
    assert r.tables["proactive"]["regulations"] == {} or all(
        c.value is None and c.raw == "—" for c in r.tables["proactive"]["regulations"].values()
    )
    assert r.to_json()["proactive"]["regulations"] == {
        "issued": None,
        "repealed": None,
        "in_force": None,
    }


def test_balance_break_is_flagged_not_fixed():
    r = extract_file(SAMPLES_DIR / "hongye-2021-balance-break.html")
    failed = [c for c in r.checks if not c.ok]
    assert {c.id for c in failed} == {"applications.balance"}
    total = next(c for c in failed if c.detail.startswith("total"))
    assert (total.expected, total.actual) == (49, 50)
    assert r.value("applications", "carried_forward", "total") == 6  # as printed


def test_metadata_from_cms_shell():
    r = extract_file(SAMPLES_DIR / "baiyunwan-2023-trs.html")
    assert r.title == "白云湾区人民政府2023年政府信息公开工作年度报告"
    assert r.published_on == "2024-01-26"
    assert r.scope == "agency"
    r = extract_file(SAMPLES_DIR / "lvshui-amr-2022-gkmlpt.html")
    assert r.jurisdiction["level"] == "department" and r.jurisdiction["name"] == "绿水市"


def test_rowspan_colspan_grid():
    page = """<html><body><div>一、总体情况</div><p>二、主动公开政府信息情况</p><table>
    <tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>1</td><td>&nbsp;</td><td>3</td></tr>
    <tr><td>行政<br>规范性 文件</td><td>４</td><td>0件</td><td>1,234</td></tr>
    <tr><td colspan="4">第二十条第（五）项</td></tr>
    <tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
    <tr><td>行政许可</td><td colspan="3">20538</td></tr></table></body></html>"""
    x = extract(page.encode(), "t.html")
    rows = [l.cells for l in x.lines if l.exact]
    assert rows[2] == ["规章", "1", "", "3"]
    assert rows[6] == ["行政许可", "20538", "", ""]
    r = extract_bytes(page.encode(), "t.html")
    assert r.format == "2021"
    assert r.to_json()["proactive"]["regulations"] == {"issued": 1, "repealed": None, "in_force": 3}
    assert r.to_json()["proactive"]["normative_documents"] == {
        "issued": 4,
        "repealed": 0,
        "in_force": 1234,
    }
    assert r.value("proactive", "licensing", "decisions") == 20538


def test_vertical_rowspan_shifts_nothing():
    page = """<html><body><p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td colspan="2">x</td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>
    <tr><td colspan="2">一、本年新收政府信息公开申请数量</td><td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td></tr>
    <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>2</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>
    <tr><td>（二）部分公开</td><td></td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td></td></tr>
    </table></body></html>"""
    r = extract_bytes(page.encode(), "t.html")
    a = r.to_json()["applications"]
    assert a["granted"] == {
        "natural_person": 2,
        "commercial": 1,
        "research": 0,
        "public_interest": 0,
        "legal_services": 0,
        "other_org": 0,
        "total": 3,
    }
    # blank first and last cells of a grid row stay blank in their own columns
    assert (
        a["partially_granted"]["natural_person"] is None and a["partially_granted"]["total"] is None
    )
    assert a["partially_granted"]["commercial"] == 0


@pytest.mark.parametrize("declared", ["", '<meta charset="utf-8">', '<meta charset="gbk">'])
def test_gbk_page_with_or_without_a_true_charset(declared):
    spec = SPECS["baiyunwan-2023-trs.html"]
    text = render_html(spec).replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', declared
    )
    r = extract_bytes(text.encode("gbk", errors="ignore"), "p.html")
    assert r.error is None
    assert r.issuer == "白云湾区人民政府"
    assert r.value("applications", "new_received", "total") == 167


def _shiqiao_with(old: str, new: str) -> bytes:
    page = (SAMPLES_DIR / "shiqiao-2020-hanweb-gbk.html").read_bytes().decode("gb18030")
    assert old in page
    return page.replace(old, new).encode("gb18030")


LICENSING = (
    '<td valign="middle">行政许可</td><td valign="middle">4</td>'
    '<td valign="middle">+1</td><td valign="middle">56</td>'
)


@pytest.mark.parametrize(
    "row,want",
    [
        # the first number cell left blank (or a scan's box dropped): the others keep their columns
        (
            "<td>行政许可</td><td></td><td>+1</td><td>56</td>",
            {"items_prev_year": None, "items_change": 1, "decisions": 56},
        ),
        # a mark that is no number between numbers (OCR's ∠7 for 97): that cell alone is unread
        (
            "<td>行政许可</td><td>4</td><td>∠7</td><td>56</td>",
            {"items_prev_year": 4, "items_change": None, "decisions": 56},
        ),
        # a label over two grid columns: two numbers for three columns, which one is missing is not forced
        ('<td colspan="2">行政许可</td><td>+1</td><td>56</td>', {}),
        # blank leading cells of a wider row: no layout is forced either
        ("<td>行政许可</td><td></td><td></td><td>+1</td><td>56</td>", {}),
    ],
)
def test_a_blank_cell_before_a_rows_first_number_keeps_its_column(row, want):
    r = extract_bytes(_shiqiao_with(LICENSING, row), "t.html")
    got = {k: c.value for k, c in r.tables["proactive"].get("licensing", {}).items()}
    assert got == want
    if not want:
        assert any(
            w.startswith("proactive.licensing") and w.endswith("not read") for w in r.warnings
        )
    assert r.value("proactive", "penalty", "decisions") == 7  # the rows around it are untouched
