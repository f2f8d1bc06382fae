"""Real published documents against what a correct extraction holds (data/samples/real)."""

import json
from pathlib import Path

import pytest

from pipeline.api import extract_file

REAL = Path(__file__).resolve().parents[1] / "data" / "samples" / "real"
CASES = sorted(p.name.replace(".expected.json", "") for p in REAL.glob("*.expected.json"))
FORMAT = {"nonstandard": "unknown"}  # the spec's enum has no "nonstandard"


@pytest.mark.parametrize("name", CASES)
def test_cells_match_expected(name):
    expected = json.loads((REAL / f"{name}.expected.json").read_text())
    got = extract_file(REAL / f"{name}.txt").to_json()
    assert got["error"] is None
    assert got["year"] == expected["year"]
    assert got["format"] == FORMAT.get(expected["format"], expected["format"])
    for table in ("proactive", "applications", "appeals"):
        for row, cols in expected[table].items():
            for col, value in cols.items():
                assert got[table].get(row, {}).get(col) == value, f"{table}.{row}.{col}"
        # Whatever the sample does not hold (cut off, no unit) must be null, never invented.
        for row, cols in got[table].items():
            for col, value in cols.items():
                if row == "other" and table == "applications":
                    continue  # derived from the three 其他处理 rows
                if col not in expected[table].get(row, {}):
                    assert value is None, f"invented {table}.{row}.{col}={value}"


@pytest.mark.parametrize(
    "name",
    [
        "015_shenzhen_longgangqu_bumen_2024",
        "018_shanghai_canshishi_2022",
        "016_huichang_zhongcunxiang_2020",
        "024_unknown_szfgs_pdf_fragment_2024",
    ],
)
def test_cut_off_documents_warn_and_are_partial(name):
    r = extract_file(REAL / f"{name}.txt")
    assert r.status == "partial"
    assert any(w.startswith("incomplete") for w in r.warnings)


def test_row_cut_mid_way_is_not_read():
    r = extract_file(REAL / "015_shenzhen_longgangqu_bumen_2024.txt")
    assert "denied_enforcement_file" not in r.tables["applications"]
    assert any("denied_enforcement_file has 6 of 7" in w for w in r.warnings)


def test_procurement_amount_without_unit_is_not_a_number():
    r = extract_file(REAL / "016_huichang_zhongcunxiang_2020.txt")
    cell = r.tables["proactive"]["procurement"]["amount"]
    assert cell.value is None and cell.raw == "8040"
    assert any("without a unit" in w for w in r.warnings)


def test_issuer_and_date_metadata():
    r = extract_file(REAL / "018_shanghai_canshishi_2022.txt")
    assert (r.issuer, r.year, r.published_on, r.scope) == (
        "上海市人民政府参事室",
        2022,
        "2023-01-18",
        "agency",
    )
    assert r.jurisdiction["level"] == "department"
    r = extract_file(REAL / "012_zhengzhou_zhongyuanqu_shenjiju_2015.txt")
    assert (r.issuer, r.year, r.published_on, r.format) == (
        "中原区审计局",
        2015,
        "2016-04-08",
        "pre2019",
    )


def test_pre2019_report_keeps_its_text():
    r = extract_file(REAL / "010_pingtanxian_2012.txt")
    assert r.format == "pre2019" and r.error is None
    assert not any(r.tables[name] for name in ("proactive", "applications", "appeals"))
    assert r.value("legacy", "applications_received", "value") == 21
    assert "平潭县人民政府2012年政府信息公开工作年度报告" in "".join(s.body for s in r.sections)


def test_fragment_year_from_file_name_is_flagged():
    r = extract_file(REAL / "024_unknown_szfgs_pdf_fragment_2024.txt")
    assert r.year == 2024
    assert any("taken from the file name" in w for w in r.warnings)
