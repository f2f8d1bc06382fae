"""Patterns real publishers print that our first samples did not (issue: real documents).

Each test builds its pattern from scratch (tests/corpus/synth.py) and checks every cell against the
truth, or that what cannot be read is null with a warning — never a wrong number unflagged.
"""

import dataclasses
import random

import pytest

from pipeline.api import extract_bytes
from pipeline.extract import extract
from pipeline.extract.text import unglue
from pipeline.normalise import normalise
from pipeline.normalise.digits import readings, sum_is_last
from pipeline.validate import run_checks
from tests.corpus.forms import pointed_at, score, truth
from tests.corpus.synth import (
    glued_tables,
    random_spec,
    render_html,
    report_body,
    sample_specs,
    text_nodes,
)

SPECS = sample_specs()
BAIYUN = SPECS["baiyunwan-2023-trs.html"]
CITATION = (
    "根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国"
    "政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，白云湾区人民政府编制本报告。"
)


def wrong_numbers(report, spec) -> list[str]:
    return [w for w in score(report, spec)[2] if not w.endswith("got None")]


# ---------------------------------------------------------------- 1. look-alikes by title only
def _untitled_report(spec, opening: str) -> str:
    """A report as a PDF/DOCX text layer gives it when there is no separate title paragraph."""
    doc = f"<html><body><p>{opening}</p>{report_body(spec)}</body></html>"
    lines = extract(doc.encode(), "x.html").lines
    return "\n".join("\t".join(l.cells) for l in lines)


def test_report_citing_the_format_notice_is_a_report():
    text = _untitled_report(BAIYUN, CITATION)
    r = extract_bytes(text.encode(), "report.txt")
    assert r.error is None
    assert score(r, BAIYUN)[2] == []


def test_citation_broken_over_lines_is_no_title():
    cut = CITATION.index("政府信息公开工作年度报告格式")
    text = _untitled_report(BAIYUN, CITATION[:cut] + "</p><p>" + CITATION[cut:])
    r = extract_bytes(text.encode(), "report.txt")
    assert r.error is None and "格式" not in (r.title or "")
    assert score(r, BAIYUN)[2] == []


def test_lookalike_words_in_prose_do_not_reject():
    prose = (
        "根据《条例》要求，结合法治政府建设和住房公积金管理等工作，现将本机关2023年度政府信息公开工作情况报告如下。"
        "政府网站工作年度报表另行公布。"
    )
    r = extract_bytes(_untitled_report(BAIYUN, prose).encode(), "report.docx.txt")
    assert r.error is None and score(r, BAIYUN)[2] == []


def test_a_housing_fund_centre_publishes_a_report_too():
    spec = dataclasses.replace(BAIYUN, issuer="白云湾区住房公积金管理中心")
    r = extract_bytes(render_html(spec).encode(), "gjj.html")
    assert r.error is None and r.issuer == "白云湾区住房公积金管理中心"


def test_the_format_notice_itself_is_still_refused():
    blank = dataclasses.replace(
        BAIYUN,
        blanks={
            (row, col): ""
            for row in BAIYUN.applications
            for col in [
                "natural_person",
                "commercial",
                "research",
                "public_interest",
                "legal_services",
                "other_org",
                "total",
            ]
        },
    )
    blank.proactive = {row: {col: "" for col in cols} for row, cols in BAIYUN.proactive.items()}
    blank.appeals = [""] * 15
    title = "国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知"
    doc = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{report_body(blank)}</body></html>"
    r = extract_bytes(doc.encode(), "notice.html")
    assert r.error and "年度报告格式通知" in r.error


def test_website_annual_form_by_title_is_refused():
    r = extract_bytes(
        "2023年政府网站工作年度报表\n网站名称\t白沙县人民政府\n信息发布总数\t1204\n".encode(),
        "f.txt",
    )
    assert r.error and "政府网站工作年度报表" in r.error


# ---------------------------------------------------------------- 2. phantom grid column
def test_phantom_grid_column_maps_by_header_position():
    spec = dataclasses.replace(BAIYUN, phantom_grid=True)
    r = extract_bytes(render_html(spec).encode(), "p.html")
    assert score(r, spec)[2] == []
    assert r.value("applications", "granted", "public_interest") == 1  # not moved to legal_services
    assert "org_subtotal" not in r.tables["applications"]["granted"]


def test_counting_cells_where_one_column_is_blank_everywhere_fails_the_layout_check():
    head = "2023年白沙县人民政府政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n自然人\t法人或其他组织\t总计\n"
    rows = [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（七）总计",
        "四、结转下年度继续办理",
    ]
    # eight columns, no header for an eighth: the sub-column headers were lost, one column is empty
    vals = [
        "5\t1\t\t2\t1\t0\t1\t10",
        "0\t0\t\t0\t0\t0\t0\t0",
        "4\t1\t\t2\t1\t0\t1\t9",
        "4\t1\t\t2\t1\t0\t1\t9",
        "1\t0\t\t0\t0\t0\t0\t1",
    ]
    text = head + "".join(f"{r}\t{v}\n" for r, v in zip(rows, vals))
    r = extract_bytes(text.encode(), "t.txt")
    layout = [c for c in r.checks if c.id == "applications.layout"]
    assert layout and not layout[0].ok and "research" in layout[0].detail


def test_org_subtotal_identity():
    text = (
        "2023年白沙县人民政府政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
        "自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t小计\t总计\n"
        "一、本年新收政府信息公开申请数量\t5\t1\t0\t2\t0\t1\t4\t9\n"
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\t0\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    subs = {c.detail.split(":")[0]: c for c in r.checks if c.id == "applications.org_subtotal"}
    assert subs["new_received"].ok and subs["new_received"].expected == 4
    assert subs["carried_over"].ok


# ---------------------------------------------------------------- 3. tables found by their headers
def test_appeals_found_without_heading_four():
    spec = dataclasses.replace(BAIYUN, no_heading4=True)
    for data in (
        render_html(spec).encode(),
        glued_tables(spec).encode(),
        text_nodes(spec, 3).encode(),
    ):
        r = extract_bytes(data, "x.html" if data.startswith(b"<!") else "x.txt")
        got = [
            r.value("appeals", a, b)
            for a in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
            for b in ("upheld", "corrected", "other", "pending", "total")
        ]
        assert got == spec.appeals
        assert not any("printed twice" in w for w in r.warnings)
        assert r.value("applications", "total_processed", "total") == 160


def test_report_without_any_section_headings_but_its_tables():
    text = glued_tables(BAIYUN)
    for heading in (
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ):
        text = text.replace(heading + "\n", "")
    r = extract_bytes(text.encode(), "x.txt")
    assert r.value("applications", "new_received", "total") == 167
    assert r.tables["appeals"]["reconsideration"]["total"].value == 4
    assert wrong_numbers(r, BAIYUN) == []


# ---------------------------------------------------------------- 4. text dumps
def test_unglue_cuts_label_from_digits_but_not_prose():
    assert unglue("一、本年新收政府信息公开申请数量640020470") == [
        "一、本年新收政府信息公开申请数量",
        "640020470",
    ]
    assert unglue("属于国家秘密00000002.其他法律行政法规禁止公开") == [
        "属于国家秘密",
        "0000000",
        "2.其他法律行政法规禁止公开",
    ]
    assert unglue("其他对外管理服务事项860-21") == ["其他对外管理服务事项", "860", "-21"]
    assert unglue("全年共受理政府信息公开申请21件") == ["全年共受理政府信息公开申请21件"]
    assert unglue("1.属于国家秘密") == ["1.属于国家秘密"]


def test_readings_accept_only_the_forced_split():
    assert readings(["640020470"], 7, sum_is_last, total_last=True) == [(64, 0, 0, 2, 0, 4, 70)]
    assert readings(["64", "0", "0", "2", "0", "4", "7", "0"], 7, sum_is_last) == [
        (64, 0, 0, 2, 0, 4, 70)
    ]
    assert len(readings(["120488352191330"], 7, sum_is_last, total_last=True)) == 2  # 8|83 or 88|3
    assert readings(["000"], 3) == [(0, 0, 0)]
    assert len(readings(["2241"], 3)) == 3


def test_whole_table_on_one_line_uses_the_identities_across_rows():
    spec = SPECS["qingshan-2022-aggregate-2019template.html"]
    r = extract_bytes(glued_tables(spec).encode(), "q.txt")
    apps = truth(spec)
    # 120488352191330: the row total allows 1204|8|83|… and 1204|88|3|…; the balance decides
    assert r.value("applications", "new_received", "commercial") == 88
    assert all(r.value(*k) == v for k, v in apps.items() if k[0] in ("applications", "appeals"))
    assert any("the only reading the table's identities allow" in w for w in r.warnings)
    assert wrong_numbers(r, spec) == []


def test_one_text_node_per_line_with_split_numbers_and_labels():
    for name, spec in SPECS.items():
        r = extract_bytes(text_nodes(spec, seed=5).encode(), name + ".txt")
        assert r.error is None and (r.year, r.format) == (spec.year, spec.fmt), name
        ok, n, wrong = score(r, spec)
        assert wrong_numbers(r, spec) == [], name
        assert all(r.value(*k) == v for k, v in truth(spec).items() if k[0] == "applications"), name
        assert ok >= 0.9 * n, (name, wrong)


def test_proactive_digits_without_totals_are_read_only_when_length_forces_it():
    r = extract_bytes(glued_tables(BAIYUN).encode(), "b.txt")
    assert r.tables["proactive"]["regulations"]["in_force"].value == 0  # "000"
    assert "normative_documents" not in r.tables["proactive"]  # "4123": 3 readings
    assert any("proactive.normative_documents" in w and "not read" in w for w in r.warnings)


@pytest.mark.parametrize("seed", range(8))
def test_text_forms_never_load_a_wrong_number_unflagged(seed):
    spec = random_spec(random.Random(seed), 700 + seed)
    for data in (text_nodes(spec, seed), glued_tables(spec)):
        r = extract_bytes(data.encode(), "r.txt")
        assert pointed_at(r, wrong_numbers(r, spec))
        assert all(r.value(*k) == v for k, v in truth(spec).items() if k[0] == "applications")


# ---------------------------------------------------------------- 6. labels with lost characters
def test_label_with_lost_glyphs_placed_by_template_order():
    spec = dataclasses.replace(BAIYUN, lost_glyphs={"denied_prohibited": "2.其他法律行政止公开"})
    spec.applications = {k: list(v) for k, v in BAIYUN.applications.items()}
    spec.applications["denied_prohibited"] = [1, 0, 0, 0, 0, 0]
    spec.applications["granted"] = [60, 4, 0, 1, 1, 1]
    r = extract_bytes(render_html(spec).encode(), "g.html")
    assert r.value("applications", "denied_prohibited", "natural_person") == 1
    assert any("read as denied_prohibited" in w for w in r.warnings)
    assert all(c.ok for c in r.checks)


def test_a_label_whose_neighbours_disagree_is_not_placed():
    # two rows lost their labels next to each other: neither can be placed by order alone
    spec = dataclasses.replace(
        BAIYUN,
        lost_glyphs={
            "denied_prohibited": "2.其他法律行政止公开",
            "denied_security": "3.危及三安稳",
        },
    )
    r = extract_bytes(render_html(spec).encode(), "g.html")
    assert "denied_prohibited" not in r.tables["applications"]
    assert "denied_security" not in r.tables["applications"]
    assert any("unrecognised row" in w for w in r.warnings)


def test_grid_rows_of_docx_keep_spans():
    x = extract(render_html(dataclasses.replace(BAIYUN, phantom_grid=True)).encode(), "p.html")
    row = next(l for l in x.lines if l.cells and l.cells[0].startswith("一、本年新收"))
    assert row.spans[:5] == [3, 0, 0, 1, 2]
    r = normalise(x)
    run_checks(r)
    assert all(c.ok for c in r.checks)


@pytest.mark.parametrize("seed", range(6))
def test_grid_patterns_never_load_a_wrong_number_unflagged(seed):
    """Random reports with a phantom Word column, a damaged label and no 四、 heading, as pages."""
    rng = random.Random(100 + seed)
    spec = random_spec(rng, 800 + seed)
    row = rng.choice(["denied_prohibited", "unavailable_needs_creation"])
    spec = dataclasses.replace(
        spec,
        phantom_grid=True,
        no_heading4=bool(seed % 2),
        lost_glyphs={
            row: {
                "denied_prohibited": "2.其他法律行政止公开",
                "unavailable_needs_creation": "2.没有现成信息需要另制作",
            }[row]
        },
    )
    r = extract_bytes(render_html(spec, seed=seed).encode(), "p.html")
    assert wrong_numbers(r, spec) == []
    ok, n, wrong = score(r, spec)
    assert ok == n, wrong


@pytest.mark.parametrize(
    "title,opening,scope",
    [
        (
            "青杉市2023年政府信息公开工作年度报告",
            "根据《条例》要求，现将全市政府信息公开工作情况报告如下。",
            "jurisdiction",
        ),
        (
            "青杉市人民政府2023年政府信息公开工作年度报告",
            "本报告由市政府办公室汇总编制。",
            "jurisdiction",
        ),
        (
            "青杉市人民政府2023年政府信息公开工作年度报告",
            "本报告根据各单位报送的材料汇总形成。",
            "jurisdiction",
        ),
        (
            "白沙县教育局2023年政府信息公开工作年度报告",
            "本局按照全县政府信息公开工作部署，汇总各科室材料。",
            "agency",
        ),
        (
            "青杉市人民政府2023年政府信息公开工作年度报告",
            "2023年，市政府认真贯彻《条例》。",
            "agency",
        ),
    ],
)
def test_whole_jurisdiction_reports_are_recognised(title, opening, scope):
    spec = dataclasses.replace(BAIYUN, issuer=title[: title.index("2023")])
    page = render_html(spec).replace(
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定", opening, 1
    )
    page = page.replace(f"{spec.issuer}2023年政府信息公开工作年度报告", title)
    assert extract_bytes(page.encode(), "s.html").scope == scope


def test_a_table_carried_over_to_a_page_ruled_anew_is_read_in_column_order():
    """A scan or PDF rules the rest of table 三 on the next page as a grid of its own, here with
    one column more on the left: the header's grid positions do not reach it, the order does."""
    x = extract(render_html(BAIYUN).encode(), "b.html")
    grid = [i for i, l in enumerate(x.lines) if l.exact and len(l.cells) == 10]
    split = next(i for i in grid if "1.属于国家秘密" in x.lines[i].cells)
    for i in grid:
        line = x.lines[i]
        line.page = 2 if i < split else 3
        if i >= split:
            line.cells.insert(0, "")
            line.spans.insert(0, 1)
    r = normalise(x)
    run_checks(r)
    assert wrong_numbers(r, BAIYUN) == []
    ok, n, wrong = score(r, BAIYUN)
    assert ok == n, wrong
    assert any("in a table of another grid" in w for w in r.warnings)
    assert all(c.ok for c in r.checks)


def test_a_grid_row_short_of_a_cell_is_not_laid_on_the_columns_by_guess():
    """A row of a carried-over grid with one cell fewer than the table has columns: which column
    lost it is not printed, and a blank is no operand of any identity, so a row padded on the left
    would load every number one column off. The row is left unread with a warning (as table 二)."""
    x = extract(render_html(BAIYUN).encode(), "b.html")
    grid = [i for i, l in enumerate(x.lines) if l.exact and len(l.cells) == 10]
    split = next(i for i in grid if "1.属于国家秘密" in x.lines[i].cells)
    for i in grid:
        x.lines[i].page = 2 if i < split else 3
    short = next(i for i in grid if i > split and "2.其他法律行政法规禁止公开" in x.lines[i].cells)
    del x.lines[short].cells[3], x.lines[short].spans[3]  # one organisation column merged away
    r = normalise(x)
    run_checks(r)
    assert "denied_prohibited" not in r.tables["applications"]
    assert any(
        w.startswith("applications.denied_prohibited") and w.endswith("not read")
        for w in r.warnings
    )
    assert wrong_numbers(r, BAIYUN) == []
    # the rows around it are read
    assert r.value("applications", "denied_state_secret", "total") is not None
    assert r.value("applications", "denied_security", "total") is not None


def test_a_number_never_starts_with_a_zero_unless_it_is_zero():
    # "0712" as three cells: 0|7|12 or 0|71|2 — never 07|1|2 (a printed "07" is no 7)
    assert readings(["0712"], 3) == [(0, 7, 12), (0, 71, 2)]
    assert readings(["1070"], 2) == [(10, 70), (107, 0)]


def test_the_table_search_takes_only_a_reading_every_solution_agrees_on():
    from pipeline.normalise.digits import Equation, solve

    both = solve(
        {"a": [(1,), (2,)], "b": [(2,), (1,)]}, {"t": (3,)}, [Equation(("a", "b"), ("t",))]
    )
    # 1 + 2 and 2 + 1 both make 3: neither row is read
    assert both.chosen == {} and both.undecided == {"a": 2, "b": 2} and both.found == 2
    one = solve({"a": [(1,), (5,)], "b": [(2,)]}, {"t": (3,)}, [Equation(("a", "b"), ("t",))])
    assert one.chosen == {"a": (1,), "b": (2,)} and one.undecided == {}
