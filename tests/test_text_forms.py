"""Text dumps: pipes, one cell per line, spaces, run-together digits, blank 总计 columns."""

from pipeline.api import extract_bytes
from pipeline.normalise.digits import readings
from pipeline.normalise.tables import row_identity


def split_run_together(digits: str, cols: list[str]) -> list[str] | None:
    """'5300109' as len(cols) cells, when exactly one split satisfies the row identity."""
    found = readings([digits], len(cols), row_identity(cols), total_last=cols[-1] == "total")
    return [str(v) for v in found[0]] if found and len(found) == 1 else None


HEAD = "2023年白沙县人民政府政府信息公开工作年度报告\n一、总体情况\n全年共受理政府信息公开申请6件。\n三、收到和处理政府信息公开申请情况\n"
COLS = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
    "total",
]


def test_run_together_split_forced_by_row_total():
    assert split_run_together("5300109", COLS) == ["5", "3", "0", "0", "1", "0", "9"]


def test_run_together_split_not_forced_is_refused():
    # 11 digits into 7 cells: several splits satisfy the total -> no guess.
    assert split_run_together("10000001111", COLS) is None


def test_run_together_row_in_a_report():
    text = HEAD + (
        "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "一、本年新收政府信息公开申请数量 5300109\n"
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    row = r.to_json()["applications"]["new_received"]
    assert row == {
        "natural_person": 5,
        "commercial": 3,
        "research": 0,
        "public_interest": 0,
        "legal_services": 1,
        "other_org": 0,
        "total": 9,
    }
    assert any("run together" in w for w in r.warnings)


def test_one_cell_per_line_like_a_crawled_page():
    cells = [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
        "一、本年新收政府信息公开申请数量",
        "4",
        "1",
        "0",
        "0",
        "0",
        "1",
        "6",
        "二、上年结转政府信息公开申请数量",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    text = HEAD + "\n\n".join(cells) + "\n"
    r = extract_bytes(text.encode(), "t.txt")
    assert r.to_json()["applications"]["new_received"] == {
        "natural_person": 4,
        "commercial": 1,
        "research": 0,
        "public_interest": 0,
        "legal_services": 0,
        "other_org": 1,
        "total": 6,
    }


def test_blank_total_column_is_not_given_not_a_failure():
    text = HEAD + (
        "自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
        "一、本年新收政府信息公开申请数量\t4\t1\t0\t0\t0\t1\t\n"
        "二、上年结转政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t\n"
        "（七）总计\t5\t1\t0\t0\t0\t1\t7\n"
        "四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    a = r.to_json()["applications"]
    assert a["new_received"]["total"] is None and a["new_received"]["other_org"] == 1
    assert a["total_processed"]["total"] == 7
    assert all(c.ok for c in r.checks)
    assert not any(
        c.id == "applications.balance" and c.detail.startswith("total") for c in r.checks
    )


def test_short_row_that_could_hide_a_middle_blank_is_not_read():
    # 6 numbers for 7 columns where the last is the sum of the others: which cell was blank?
    text = HEAD + (
        "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "一、本年新收政府信息公开申请数量 4 1 0 0 1 6\n"
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0\n"
        "（七）总计 1 0 0 0 0 0 1\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    assert "new_received" not in r.tables["applications"]
    assert any("new_received: 6 numbers" in w and "not read" in w for w in r.warnings)


def test_three_column_table_goes_to_org_subtotal():
    text = HEAD + (
        "申请人情况\n自然人\t法人或其他组织\t总计\n"
        "一、本年新收政府信息公开申请数量\t10\t2\t12\n"
        "二、上年结转政府信息公开申请数量\t0\t0\t0\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    assert r.to_json()["applications"]["new_received"] == {
        "natural_person": 10,
        "org_subtotal": 2,
        "total": 12,
    }
    assert all(c.ok for c in r.checks if c.id == "applications.row_total")


def test_labels_broken_across_lines_and_page_markers():
    text = HEAD + (
        "自然人\n法人或其他组织\n总计商 业 企\n业\n科研机\n构\n社会公益\n组织\n法 律 服 务\n机构\n其他\n"
        "一、本年新收政府信息公开申请数量 3 1 0 0 0 0 4\n- 4 -\n"
        "三、\n本\n年\n度\n（一）予以公开 2 1 0 0 0 0 3\n"
        "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形） 1 0 0 0 0 0 1\n"
    )
    a = extract_bytes(text.encode(), "t.txt").to_json()["applications"]
    assert a["granted"]["total"] == 3 and a["partially_granted"]["natural_person"] == 1
    assert a["new_received"]["commercial"] == 1


def test_appeals_as_labelled_lines_of_fifteen_numbers():
    text = HEAD.replace("三、收到和处理政府信息公开申请情况\n", "") + (
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
        "0\t1\t0\t0\t1\t2\t0\t0\t1\t3\t0\t0\t0\t0\t0\n五、存在的主要问题及改进情况\n无。\n"
    )
    r = extract_bytes(text.encode(), "t.txt")
    assert r.to_json()["appeals"]["litigation_direct"] == {
        "upheld": 2,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 3,
    }
