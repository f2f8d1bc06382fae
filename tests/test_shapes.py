"""Shapes of text no reader was built for: never silently wrong, never silently empty.

The rules (a whole number is never cut; cells are placed only where an identity forces them;
a table the document shows but that yields no cell is ``unread``), each on a small document,
then the layout-mutation generator (tests/corpus/shapes.py) over a few known reports in every
shape. `make accuracy` runs the generator over every known report.
"""

from __future__ import annotations

import pytest

from pipeline.api import extract_bytes, ingest
from pipeline.normalise.digits import readings
from tests.corpus import shapes as sh
from tests.corpus.forms import pointed_at, score

TITLE = "白沙县人民政府2023年政府信息公开工作年度报告\n"
TABLE2_HEAD = "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n"


def read(text: str):
    return extract_bytes(text.encode(), "t.txt")


# ---------------------------------------------------------------- a whole number is never cut
def test_a_number_printed_whole_is_never_cut_to_fill_cells():
    # one value a line, the blank 本年制发件数 dropped: "4" and "16" are two whole numbers for
    # three cells; table 二 has no identity to say which cell is blank — not 4 | 1 | 6.
    more = "第二十条第（五）项\n信息内容\n本年处理决定数量\n行政许可\n12\n"
    r = read(TITLE + TABLE2_HEAD + "规章\n0\n0\n0\n行政规范性文件\n4\n16\n" + more)
    assert "normative_documents" not in r.tables["proactive"]
    assert r.value("proactive", "licensing", "decisions") == 12
    assert r.value("proactive", "regulations", "in_force") == 0
    assert any("proactive.normative_documents" in w and "not read" in w for w in r.warnings), (
        r.warnings
    )


def test_digits_run_together_in_table_two_are_read_only_when_one_reading_is_left():
    # 行政规范性文件416: 4|1|6, or 4|16 or 41|6 with a blank cell — not forced
    r = read(TITLE + TABLE2_HEAD + "规章000\n行政规范性文件416\n第二十条第（五）项\n")
    assert [r.value("proactive", "regulations", c) for c in ("issued", "repealed", "in_force")] == [
        0,
        0,
        0,
    ]  # 000: no other reading (no number starts with 0)
    assert "normative_documents" not in r.tables["proactive"]
    assert any("proactive.normative_documents" in w and "not read" in w for w in r.warnings)


def test_07_is_never_read_as_7():
    assert readings(["07"], 1) == []
    assert readings(["07"], 2) == [(0, 7)]  # a 0 run into a 7 may be divided where forced
    assert readings(["16"], 2, splittable=[False]) == []  # printed whole: never 1 | 6
    r = read(TITLE + TABLE2_HEAD + "规章\t0\t0\t0\n行政规范性文件\t1\t07\t3\n")
    assert r.tables["proactive"]["normative_documents"]["repealed"].value is None
    assert r.value("proactive", "normative_documents", "in_force") == 3
    assert any("'07' starts with 0" in w for w in r.warnings)


APPS = """三、收到和处理政府信息公开申请情况
申请人情况
自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计
一、本年新收政府信息公开申请数量\t{new}
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果 （一）予以公开\t{granted}
（二）部分公开\t0\t0\t0\t0\t0\t0\t0
（三）不予公开 1.属于国家秘密\t{secret}
2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0
3.危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
4.保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0
5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0
6.属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0
7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0
8.属于行政查询事项\t0\t0\t0\t0\t0\t0\t0
（四）无法提供 1.本机关不掌握相关政府信息\t{held}
2.没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
3.补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
（五）不予处理 1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
2.重复申请\t0\t0\t0\t0\t0\t0\t0
3.要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0
4.无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0
5.要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0
（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
3.其他\t0\t0\t0\t0\t0\t0\t0
（七）总计\t{total}
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
"""


def apps(**rows) -> str:
    full = {"new": "5 1 0 0 0 0 6", "granted": "4 1 0 0 0 0 5", "secret": "0 0 0 0 0 0 0"}
    full |= {"held": "1 0 0 0 0 0 1", "total": "5 1 0 0 0 0 6"}
    full |= rows
    return TITLE + APPS.format(**{k: v.replace(" ", "\t") for k, v in full.items()})


def test_a_row_printed_as_one_merged_0_is_zeros_only_where_the_totals_force_it():
    r = read(apps(secret="0"))
    assert [
        r.value("applications", "denied_state_secret", c) for c in ("natural_person", "total")
    ] == [
        0,
        0,
    ]
    assert any("printed as one 0" in w for w in r.warnings)
    # the totals do not balance without it: nothing forces the row, it stays empty
    r = read(apps(secret="0", total="6 1 0 0 0 0 7"))
    assert "denied_state_secret" not in r.tables["applications"]
    assert any("applications.denied_state_secret" in w for w in r.warnings)


def test_dropped_blank_cells_are_placed_only_where_the_totals_put_them():
    # 予以公开 printed "4 1 5" (the blank zero cells dropped): the column totals put 4 under
    # 自然人 and 1 under 商业企业, and the zeros may be blanks — left null, never a guess
    r = read(apps(granted="4 1 5"))
    g = r.tables["applications"]["granted"]
    assert (g["natural_person"].value, g["commercial"].value, g["total"].value) == (4, 1, 5)
    assert g["research"].value is None  # 0 or blank: the text does not say
    assert any(
        "applications.granted" in w and "laid where the column totals" in w for w in r.warnings
    )


# ---------------------------------------------------------------- tables found as they come
def test_a_label_that_wraps_below_its_numbers_is_joined_by_the_template_order():
    text = (
        apps()
        .replace(
            "（二）部分公开\t0\t0\t0\t0\t0\t0\t0\n",
            "（二）部分公\t0\t0\t0\t0\t0\t0\t0\n开（区分处理的）\n",
        )
        .replace(
            "1.本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t1\n",
            "1.本机关不掌\t1\t0\t0\t0\t0\t0\t1\n握相关政府信息\n",
        )
    )
    r = read(text)
    assert r.value("applications", "partially_granted", "total") == 0
    assert r.value("applications", "unavailable_not_held", "natural_person") == 1
    assert r.status == "partial" or r.status == "ok"
    assert all(c.ok for c in r.checks)


def test_a_page_break_inside_a_table_is_skipped():
    text = apps().replace(
        "（四）无法提供",
        "- 3 -\n白沙县人民政府2023年政府信息公开工作年度报告\n第 4 页 共 9 页\n"
        "申请人情况\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n（四）无法提供",
    )
    r = read(text)
    assert r.value("applications", "unavailable_not_held", "total") == 1
    assert r.value("applications", "total_processed", "total") == 6
    assert not any("printed twice" in w for w in r.warnings)


def test_a_markdown_rule_is_no_row():
    text = TITLE + (
        "三、收到和处理政府信息公开申请情况\n| 申请人情况 |\n|---|:---:|\n"
        "| 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
        "| 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n"
    )
    r = read(text)
    assert r.value("applications", "new_received", "total") == 6
    assert not any("unrecognised row" in w for w in r.warnings)


def test_a_report_in_traditional_characters_is_read_and_keeps_its_name():
    import opencc

    text = opencc.OpenCC("s2t").convert(apps())
    assert "數量" in text
    r = read(text)
    assert r.value("applications", "new_received", "total") == 6
    assert r.issuer == "白沙縣人民政府"  # as printed; its key is the simplified name
    assert r.issuer_key == "白沙县"


# ---------------------------------------------------------------- unread is loud
def test_a_table_shown_but_not_read_makes_the_report_unread():
    # table 三 with its header and labels, its numbers written in words: nothing can be read
    text = apps().replace("\t", " ")
    for d, word in zip("0123456", "〇一二三四五六"):
        text = text.replace(f" {d}", f" {word}")
    text = text.replace("\n（二）", "\n（二）")  # (labels untouched)
    r = read(text)
    assert r.tables["applications"] == {}
    assert r.status == "unread"
    seen = [w for w in r.warnings if w.startswith("unread: table applications")]
    assert seen and "heading" in seen[0] and "row labels" in seen[0] and "line" in seen[0]


def test_ogi_check_lists_unread_reports(tmp_path):
    from pipeline.api import quality_summary

    p = tmp_path / "u.txt"
    text = apps().replace("\t", " ")
    for d, word in zip("0123456", "〇一二三四五六"):
        text = text.replace(f" {d}", f" {word}")
    p.write_text(text)
    db = tmp_path / "ogi.duckdb"
    ingest([p], db=db)
    q = quality_summary(db)
    assert list(q["unread"].issuer) == ["白沙县人民政府"]
    assert "table applications" in q["unread"].seen.iloc[0]


# ---------------------------------------------------------------- every shape
@pytest.mark.parametrize("shape,layout,mutations", sh.shapes(), ids=[s[0] for s in sh.shapes()])
def test_no_shape_is_read_silently_wrong_or_silently_empty(shape, layout, mutations):
    reports = sh.known_reports(n_random=1)
    picked = {
        k: reports[k]
        for k in ("baiyunwan-2023-trs", "shiqiao-2020-hanweb-gbk", "pingtan_2023", "random-0")
    }
    exact = cells = 0
    for i, (name, spec) in enumerate(picked.items()):
        text, truth_spec = sh.mutate(spec, layout, mutations, seed=i)
        r = read(text)
        ok, n, wrong = score(r, truth_spec)
        exact, cells = exact + ok, cells + n
        numbers = [w for w in wrong if not w.endswith("got None")]
        assert not numbers or pointed_at(r, numbers), (name, numbers[:3])
        empty = [t for t in ("proactive", "applications", "appeals") if not r.tables[t]]
        assert not empty or r.status == "unread", (name, empty, r.status)
        assert r.year == truth_spec.year
    floor = 0.8 if "merged_zero" in mutations or "drop_blanks" in mutations else 0.9
    assert exact / cells >= floor, f"{shape}: {exact}/{cells}"


# ---------------------------------------------------------------- who and when, without a title
@pytest.mark.parametrize(
    "chrome",
    [
        "正文\n",
        "标题：\n正文\n",
        "来源：\n发布机构：\n正文\n",
        "【字体：大 中 小】\n正文\n打印本页\n",
    ],
)
def test_page_chrome_is_never_the_issuer_and_the_first_sentence_names_the_body(chrome):
    body = apps().split("\n", 1)[1]  # no title line
    for first, year in (
        ("根据《条例》规定，现公布白沙县人民政府2023年度政府信息公开工作年度报告。\n", 2023),
        ("现将2022年度白沙县人民政府政府信息公开工作年度报告公布如下。\n", 2022),
    ):
        r = read(chrome + first + body)
        assert (r.issuer, r.year) == ("白沙县人民政府", year)


def test_the_2019_trial_wording_of_the_rows_is_read():
    text = (
        apps()
        .replace("一、本年新收", "一、本年度新收")
        .replace("二、上年结转", "二、上年度结转")
        .replace("四、结转下年度继续办理", "四、结转下一年度继续办理")
    )
    r = read(text)
    assert r.value("applications", "new_received", "total") == 6
    assert r.value("applications", "carried_over", "natural_person") == 0
    assert r.value("applications", "carried_forward", "total") == 0


# ---------------------------------------------------------------- 2008–2018 prose
@pytest.mark.parametrize(
    "sentence,stated",
    [
        ("2014年，我局主动公开政府信息件数为123件。", {"active_disclosure_items": 123}),
        ("全年主动公开政府信息的数量共192条。", {"active_disclosure_items": 192}),
        ("全年共受理依申请公开12件，均按时答复。", {"applications_received": 12}),
        (
            "本年度没有公民、法人和其他组织因政府信息公开申请提起行政复议和行政诉讼的情况发生。",
            {"admin_review_cases": 0, "admin_litigation_cases": 0},
        ),
        (
            "全年无因政府信息公开申请行政复议、提起行政诉讼的案件。",
            {"admin_review_cases": 0, "admin_litigation_cases": 0},
        ),
    ],
)
def test_the_wordings_of_2008_2018_prose(sentence, stated):
    from pipeline.normalise.legacy import prose_numbers

    got = {k: [s.value for s in v] for k, v in prose_numbers(sentence).items()}
    assert got == {k: [v] for k, v in stated.items()}


@pytest.mark.parametrize("mutation", sh.LEGACY_MUTATIONS)
def test_real_2008_2018_reports_in_other_shapes_keep_their_stated_figures(mutation):
    # the real reports' prose with its numbers on lines of their own (a CMS's <span>s), in
    # traditional characters, without a title line, inside page chrome, and all at once
    for i, (name, (text, stated, year)) in enumerate(sh.legacy_known().items()):
        r = read(sh.legacy_mutate(text, mutation, i))
        got = {k: c["value"].value for k, c in r.tables["legacy"].items()}
        assert {k: got.get(k) for k in stated} == stated, name
        assert r.year == year, name
