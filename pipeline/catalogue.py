"""The catalogue: canonical keys of the three report tables and every Chinese label variant we know.

This module is the single source of truth. Extractors match labels against it, validators take
their row groups from it, the warehouse builds its wide views from it and the README's key table
is generated from it (``python -m pipeline.catalogue``). Adding a label variant is one line here.

Labels are matched on their *compact* form (see :func:`compact`): NFKC (full-width digits and
brackets to ASCII), no white space, one kind of quote, traditional characters left as they are
(the normaliser falls back to opencc when nothing matches).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass

@dataclass(frozen=True)
class Col:
    key: str
    label: str
    unit: str = "count"  # count | amount_wan (万元) | change (may be negative)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    needles: tuple[str, ...] = ()  # compact substrings that identify the row label
    group: str | None = None  # applications: denied | unavailable | not_processed | other
    cols: tuple[str, ...] = ()  # proactive: the columns this row has, in printed order
    derived: bool = False  # computed from other rows, never printed in that format


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    rows: tuple[Row, ...]
    cols: tuple[Col, ...]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def col(self, key: str) -> Col:
        return next(c for c in self.cols if c.key == key)


# ---------------------------------------------------------------- table 二: proactive disclosure
# The 2019 trial format and the 2021 format share row keys but not column keys: a 2019
# 对外公开总数量 (cumulative published) is not a 2021 现行有效件数 (stock in force).
PROACTIVE_COLS = (
    Col("issued", "本年制发件数"),
    Col("repealed", "本年废止件数"),
    Col("in_force", "现行有效件数"),
    Col("decisions", "本年处理决定数量 / 处理决定数量"),
    Col("amount", "本年收费金额 / 采购总金额（万元）", unit="amount_wan"),
    Col("made", "本年新制作数量"),
    Col("published", "本年新公开数量"),
    Col("total_public", "对外公开总数量"),
    Col("items_prev_year", "上一年项目数量"),
    Col("items_change", "本年增/减", unit="change"),
    Col("projects", "采购项目数量"),
)

PROACTIVE_UNITS = {c.key: c.unit for c in PROACTIVE_COLS}

PROACTIVE_ROWS = {
    "2021": (
        Row("regulations", "规章", ("规章",), cols=("issued", "repealed", "in_force")),
        Row("normative_documents", "行政规范性文件", ("行政规范性文件", "规范性文件"),
            cols=("issued", "repealed", "in_force")),
        Row("licensing", "行政许可", ("行政许可",), cols=("decisions",)),
        Row("penalty", "行政处罚", ("行政处罚",), cols=("decisions",)),
        Row("coercion", "行政强制", ("行政强制",), cols=("decisions",)),
        Row("fees", "行政事业性收费", ("行政事业性收费",), cols=("amount",)),
    ),
    "2019": (
        Row("regulations", "规章", ("规章",), cols=("made", "published", "total_public")),
        Row("normative_documents", "规范性文件", ("规范性文件", "行政规范性文件"),
            cols=("made", "published", "total_public")),
        Row("licensing", "行政许可", ("行政许可",), cols=("items_prev_year", "items_change", "decisions")),
        Row("other_services", "其他对外管理服务事项", ("其他对外管理服务事项", "其他对外管理服务"),
            cols=("items_prev_year", "items_change", "decisions")),
        Row("penalty", "行政处罚", ("行政处罚",), cols=("items_prev_year", "items_change", "decisions")),
        Row("coercion", "行政强制", ("行政强制",), cols=("items_prev_year", "items_change", "decisions")),
        Row("fees", "行政事业性收费", ("行政事业性收费",), cols=("items_prev_year", "items_change")),
        Row("procurement", "政府集中采购", ("政府集中采购",), cols=("projects", "amount")),
    ),
}

# Header words that decide the format version of a report (searched in the compact text of
# sections 二 and 三). Detect from headers, never from the year: some 2021-22 reports reuse 2019.
FORMAT_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "未按收费通知"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量",
             "其他对外管理服务事项", "政府集中采购"),
}

# ---------------------------------------------------------------- table 三: applications
APPLICATION_COLS = (
    Col("natural_person", "自然人"),
    Col("commercial", "商业企业"),
    Col("research", "科研机构"),
    Col("public_interest", "社会公益组织"),
    Col("legal_services", "法律服务机构"),
    Col("other_org", "其他"),
    Col("org_subtotal", "法人或其他组织（小计）"),
    Col("total", "总计"),
)
APPLICANT_COLS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org")
ORG_COLS = APPLICANT_COLS[1:]

# Column header needles (compact). "其他" is searched after "法人或其他组织" is removed.
APPLICATION_COL_NEEDLES = {
    "natural_person": ("自然人",),
    "commercial": ("商业企业",),
    "research": ("科研机构",),
    "public_interest": ("社会公益组织", "公益组织"),
    "legal_services": ("法律服务机构",),
    "other_org": ("其他",),
    "org_subtotal": ("小计",),
    "total": ("总计", "合计"),
}
ORG_HEADER = ("法人或其他组织", "法人或者其他组织")

APPLICATION_ROWS = (
    Row("new_received", "一、本年新收政府信息公开申请数量", ("本年新收政府信息公开申请数量", "本年新收", "新收政府信息公开申请")),
    Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转政府信息公开申请数量", "上年结转")),
    Row("granted", "三（一）予以公开", ("予以公开",)),
    Row("partially_granted", "三（二）部分公开", ("部分公开",)),
    Row("denied_state_secret", "三（三）不予公开 1.属于国家秘密", ("属于国家秘密", "国家秘密"), group="denied"),
    Row("denied_prohibited", "2.其他法律行政法规禁止公开", ("其他法律行政法规禁止公开", "法律行政法规禁止公开", "禁止公开", "法律行政法规禁止"), group="denied"),
    Row("denied_security", "3.危及“三安全一稳定”", ("危及三安全一稳定", "三安全一稳定"), group="denied"),
    Row("denied_third_party", "4.保护第三方合法权益", ("保护第三方合法权益", "第三方合法权益", "第三方"), group="denied"),
    Row("denied_internal", "5.属于三类内部事务信息", ("属于三类内部事务信息", "内部事务信息", "内部事务"), group="denied"),
    Row("denied_process", "6.属于四类过程性信息", ("属于四类过程性信息", "过程性信息", "过程性"), group="denied"),
    Row("denied_enforcement_file", "7.属于行政执法案卷", ("属于行政执法案卷", "行政执法案卷", "执法案卷"), group="denied"),
    Row("denied_query", "8.属于行政查询事项", ("属于行政查询事项", "行政查询事项", "行政查询"), group="denied"),
    Row("unavailable_not_held", "三（四）无法提供 1.本机关不掌握相关政府信息", ("本机关不掌握相关政府信息", "不掌握相关政府信息", "不掌握"), group="unavailable"),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", ("没有现成信息需要另行制作", "需要另行制作", "另行制作", "没有现成信息"), group="unavailable"),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", ("补正后申请内容仍不明确", "仍不明确", "补正后申请"), group="unavailable"),
    Row("not_processed_petition", "三（五）不予处理 1.信访举报投诉类申请", ("信访举报投诉类申请", "信访举报投诉", "信访举报"), group="not_processed"),
    Row("not_processed_repeat", "2.重复申请", ("重复申请",), group="not_processed"),
    Row("not_processed_publication", "3.要求提供公开出版物", ("要求提供公开出版物", "公开出版物", "出版物"), group="not_processed"),
    Row("not_processed_excessive", "4.无正当理由大量反复申请", ("无正当理由大量反复申请", "大量反复申请", "大量反复"), group="not_processed"),
    Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", ("要求行政机关确认或重新出具已获取信息", "重新出具已获取信息", "确认或重新出具", "要求行政机关确认"), group="not_processed"),
    Row("other_no_correction", "三（六）其他处理 1.申请人无正当理由逾期不补正…", ("逾期不补正",), group="other"),
    Row("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用…", ("逾期未按收费通知要求缴纳费用", "未按收费通知", "缴纳费用", "收费通知"), group="other"),
    # "3.其他" is matched by its exact compact label inside group 其他处理 (see OTHER_OTHER_LABELS).
    Row("other_other", "3.其他", (), group="other"),
    # 2019: the single row （六）其他处理; 2021: the sum of the three parts (derived).
    Row("other", "三（六）其他处理", ("其他处理",)),
    Row("denied_subtotal", "（三）不予公开 小计", (), group="denied"),
    Row("unavailable_subtotal", "（四）无法提供 小计", (), group="unavailable"),
    Row("not_processed_subtotal", "（五）不予处理 小计", (), group="not_processed"),
    Row("total_processed", "三（七）总计", ("总计", "合计")),
    Row("carried_forward", "四、结转下年度继续办理", ("结转下年度继续办理", "结转下年度", "结转下年")),
)
OTHER_OTHER_LABELS = ("其他", "其他原因", "其他情形", "其它")
SUBTOTAL_LABELS = ("小计",)
# Group headers inside table 三: a label containing one of these opens that group.
APPLICATION_GROUP_MARKERS = {
    "不予公开": "denied",
    "无法提供": "unavailable",
    "不予处理": "not_processed",
    "其他处理": "other",
}
OTHER_PARTS = ("other_no_correction", "other_no_fee", "other_other")


def outcome_terms(keys, other_printed: bool) -> list[str]:
    """The rows whose sum is total_processed, given the rows a table has: each group's detail
    rows, or its subtotal when the details are absent; `other` (printed, 2019) or its three
    parts (2021), never both."""
    rows = ["granted", "partially_granted"]
    for group in ("denied", "unavailable", "not_processed"):
        detail = list(outcome_rows(group))
        if all(k in keys for k in detail) or f"{group}_subtotal" not in keys:
            rows += detail
        else:
            rows.append(f"{group}_subtotal")
    rows += list(OTHER_PARTS) if all(k in keys for k in OTHER_PARTS) and not other_printed else ["other"]
    return rows


def outcome_rows(group: str) -> tuple[str, ...]:
    """The detail rows of one outcome group, in template order (subtotal rows excluded)."""
    return tuple(r.key for r in APPLICATION_ROWS
                 if r.group == group and not r.key.endswith("_subtotal") and r.key not in OTHER_PARTS)


# ---------------------------------------------------------------- table 四: appeals
APPEAL_ROWS = (
    Row("reconsideration", "行政复议"),
    Row("litigation_direct", "行政诉讼·未经复议直接起诉"),
    Row("litigation_after_reconsideration", "行政诉讼·复议后起诉"),
)
APPEAL_COLS = (
    Col("upheld", "结果维持"),
    Col("corrected", "结果纠正"),
    Col("other", "其他结果"),
    Col("pending", "尚未审结"),
    Col("total", "总计"),
)

TABLES = {
    "proactive": Table("proactive", "二、主动公开政府信息情况",
                       tuple({r.key: r for f in ("2021", "2019") for r in PROACTIVE_ROWS[f]}.values()),
                       PROACTIVE_COLS),
    "applications": Table("applications", "三、收到和处理政府信息公开申请情况", APPLICATION_ROWS, APPLICATION_COLS),
    "appeals": Table("appeals", "四、政府信息公开行政复议、行政诉讼情况", APPEAL_ROWS, APPEAL_COLS),
}


def wide_columns(table: str) -> list[tuple[str, str]]:
    """(row_key, col_key) pairs that make up the wide view of a table, in template order."""
    if table == "proactive":
        seen: dict[tuple[str, str], None] = {}
        for fmt in ("2021", "2019"):
            for r in PROACTIVE_ROWS[fmt]:
                for c in r.cols:
                    seen[(r.key, c)] = None
        return list(seen)
    t = TABLES[table]
    return [(r.key, c.key) for r in t.rows for c in t.cols]


# ---------------------------------------------------------------- sections
# (number, numeral, heading as printed in the template, the heading's words as a pattern)
_SECTIONS = (
    (1, "一", "一、总体情况", r"(?:总体情况|概述)"),
    (2, "二", "二、主动公开政府信息情况", r"主动公开政府信息(?:的)?情况"),
    (3, "三", "三、收到和处理政府信息公开申请情况", r"收到和处理政府信息公开申请(?:的)?情况"),
    (4, "四", "四、政府信息公开行政复议、行政诉讼情况",
     r"(?:因)?政府信息公开(?:申请)?(?:引起的)?行政复议[、和及]?(?:提起)?行政诉讼(?:的)?情况"),
    (5, "五", "五、存在的主要问题及改进情况", r"(?:政府信息公开工作)?存在的主要问题(?:及|和|与)改进(?:情况|措施)"),
    (6, "六", "六、其他需要报告的事项", r"其他需要报告的事项"),
)
# A heading on a line of its own, matched on the compact line (numbering optional).
SECTION_HEADINGS = tuple((no, heading, re.compile(rf"^(?:{num}[、.])?{words}$"))
                         for no, num, heading, words in _SECTIONS)
# A numbered heading inside a longer line of running text (a whole report pasted on one line).
SECTION_HEADING_IN_TEXT = re.compile("|".join(rf"{num}[、.．]{words}" for no, num, _, words in _SECTIONS if no > 1))

# Every heading above contains one of these: a cheap filter before the regexes.
SECTION_HEADING_WORDS = ("情况", "概述", "事项", "措施")

# Look-alike documents published in the same columns: they are errors, not reports.
LOOKALIKE_TITLES = (
    ("政府网站工作年度报表", "政府网站工作年度报表"),
    ("政府网站年度工作报表", "政府网站工作年度报表"),
    ("网站工作年度报表", "政府网站工作年度报表"),
    ("住房公积金", "住房公积金年度报告"),
    ("法治政府建设", "法治政府建设年度报告"),
    ("政务公开工作要点", "政务公开工作要点"),
    ("年度报告格式", "年度报告格式通知"),
)

# ---------------------------------------------------------------- cells
# What a cell may say instead of a number when it means "not given".
NULL_MARKERS = frozenset({"", "/", "／", "\\", "-", "--", "---", "—", "——", "－", "–", "―", "—-", "无", "空", "×", "N/A", "n/a"})
COUNT_UNITS = ("件", "个", "条", "项", "次", "人次", "家", "份", "宗")
MONEY_UNITS = {"万元": 1, "元": "0.0001"}

_QUOTES = str.maketrans({c: "" for c in "\"'“”‘’「」『』《》〈〉"})
_WS = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """The form labels are matched on: NFKC, no white space, no quotes. (Cached: the same labels
    recur in every report of a template.)"""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).translate(_QUOTES)


def squash(text: str) -> str:
    """White space removed, nothing else: enough to find header words split across lines, and
    cheap on whole sections (NFKC on tens of kilobytes is not)."""
    return "".join(text.split())


_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]|\d+[、.](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])+")


# Where a row label starts inside a longer compact label (3. / (七) / 四、), not inside a number:
# text before it is the tail of the previous row's label wrapped below its numbers.
ROW_NUMBER = re.compile(r"(?<![\d.])(?:\d{1,2}[、.](?!\d)|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,2}、)")


def strip_numbering(compact_label: str) -> str:
    """Drop 一、 / (三) / 1. / 1、 prefixes from a compact label."""
    return _NUMBERING.sub("", compact_label)


def markdown_key_table() -> str:
    """The canonical keys as Markdown, for the README (docs read the catalogue too)."""
    out = ["| table | row_key | label | columns |", "|---|---|---|---|"]
    for fmt in ("2021", "2019"):
        for r in PROACTIVE_ROWS[fmt]:
            out.append(f"| proactive ({fmt}) | `{r.key}` | {r.label} | {', '.join(r.cols)} |")
    app_cols = ", ".join(c.key for c in APPLICATION_COLS)
    for r in APPLICATION_ROWS:
        out.append(f"| applications | `{r.key}` | {r.label} | {app_cols} |")
    ap_cols = ", ".join(c.key for c in APPEAL_COLS)
    for r in APPEAL_ROWS:
        out.append(f"| appeals | `{r.key}` | {r.label} | {ap_cols} |")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_key_table())
