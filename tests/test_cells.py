from decimal import Decimal

import pytest

from pipeline.catalogue import compact, strip_numbering
from pipeline.cells import is_value_text, parse_cell


@pytest.mark.parametrize(
    "raw,value",
    [
        ("0", 0),
        ("17", 17),
        ("１７", 17),
        ("1,234", 1234),
        ("0件", 0),
        ("12 件", 12),
        ("+3", 3),
        ("-2", -2),
        ("621.952", Decimal("621.952")),
        ("96171.6", Decimal("96171.6")),
        (" 5 ", 5),
    ],
)
def test_numbers(raw, value):
    ok, v, _ = parse_cell(raw)
    assert ok and v == value and type(v) is type(value)


@pytest.mark.parametrize("raw", ["", "/", "／", "-", "--", "—", "——", "无", " "])
def test_blank_markers_are_null_not_zero(raw):
    assert parse_cell(raw) == (True, None, None)


@pytest.mark.parametrize("raw", ["规章", "1.", "2、", "2023年", "(一)", "三安全一稳定", "1,23,4"])
def test_labels_are_not_values(raw):
    assert parse_cell(raw)[0] is False


def test_units_inside_cells():
    assert parse_cell("251000元") == (True, 251000, "元")
    assert parse_cell("25.1万元") == (True, Decimal("25.1"), "万元")


def test_wu_is_label_text_in_running_text():
    assert not is_value_text("无")  # （四）无 / 法提供 split across lines
    assert is_value_text("—")


def test_compact_and_numbering():
    assert compact("商业 企业") == "商业企业"
    assert compact("危及“三安全一稳定”") == compact('危及"三安全一稳定"') == "危及三安全一稳定"
    assert compact("（三）不予公开") == "(三)不予公开"
    assert strip_numbering(compact("（二）部分公开")) == "部分公开"
    assert strip_numbering("1、重复申请") == strip_numbering("1.重复申请") == "重复申请"
    assert strip_numbering("(1)重复申请") == "重复申请"


def test_docs_key_table_is_the_catalogue():
    """docs/keys.md is generated from the catalogue (python -m pipeline.catalogue > docs/keys.md)."""
    from pathlib import Path

    from pipeline.catalogue import markdown_key_table

    doc = (Path(__file__).resolve().parents[1] / "docs" / "keys.md").read_text()
    assert doc.strip() == markdown_key_table().strip()


def test_docs_panel_crosswalk_is_the_catalogue():
    from pathlib import Path

    from pipeline.catalogue import markdown_panel_table

    doc = (Path(__file__).resolve().parents[1] / "docs" / "panel.md").read_text()
    assert markdown_panel_table().strip() in doc


def test_settings_doc_is_generated_from_the_settings():
    """docs/settings.md is generated (python -m pipeline.settings > docs/settings.md)."""
    from pipeline.settings import PROJECT, markdown_table

    doc = (PROJECT / "docs" / "settings.md").read_text()
    assert doc == markdown_table()
