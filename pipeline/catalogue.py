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
from dataclasses import dataclass
from functools import lru_cache


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
        Row(
            "normative_documents",
            "行政规范性文件",
            ("行政规范性文件", "规范性文件"),
            cols=("issued", "repealed", "in_force"),
        ),
        Row("licensing", "行政许可", ("行政许可",), cols=("decisions",)),
        Row("penalty", "行政处罚", ("行政处罚",), cols=("decisions",)),
        Row("coercion", "行政强制", ("行政强制",), cols=("decisions",)),
        Row("fees", "行政事业性收费", ("行政事业性收费",), cols=("amount",)),
    ),
    "2019": (
        Row("regulations", "规章", ("规章",), cols=("made", "published", "total_public")),
        Row(
            "normative_documents",
            "规范性文件",
            ("规范性文件", "行政规范性文件"),
            cols=("made", "published", "total_public"),
        ),
        Row(
            "licensing",
            "行政许可",
            ("行政许可",),
            cols=("items_prev_year", "items_change", "decisions"),
        ),
        Row(
            "other_services",
            "其他对外管理服务事项",
            ("其他对外管理服务事项", "其他对外管理服务"),
            cols=("items_prev_year", "items_change", "decisions"),
        ),
        Row(
            "penalty",
            "行政处罚",
            ("行政处罚",),
            cols=("items_prev_year", "items_change", "decisions"),
        ),
        Row(
            "coercion",
            "行政强制",
            ("行政强制",),
            cols=("items_prev_year", "items_change", "decisions"),
        ),
        Row(
            "fees", "行政事业性收费", ("行政事业性收费",), cols=("items_prev_year", "items_change")
        ),
        Row("procurement", "政府集中采购", ("政府集中采购",), cols=("projects", "amount")),
    ),
}

# Header words that decide the format version of a report (searched in the compact text of
# sections 二 and 三). Detect from headers, never from the year: some 2021-22 reports reuse 2019.
FORMAT_MARKERS = {
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "逾期不补正",
        "未按收费通知",
    ),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购项目数量",
        "其他对外管理服务事项",
        "政府集中采购",
    ),
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
APPLICANT_COLS = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
)
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
    Row(
        "new_received",
        "一、本年新收政府信息公开申请数量",
        # 本年度新收 / 上年度结转: the 2019 trial format's wording
        ("本年新收政府信息公开申请数量", "本年新收", "新收政府信息公开申请", "本年度新收"),
    ),
    Row(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        ("上年结转政府信息公开申请数量", "上年结转", "上年度结转"),
    ),
    Row("granted", "三（一）予以公开", ("予以公开",)),
    Row("partially_granted", "三（二）部分公开", ("部分公开",)),
    Row(
        "denied_state_secret",
        "三（三）不予公开 1.属于国家秘密",
        ("属于国家秘密", "国家秘密"),
        group="denied",
    ),
    Row(
        "denied_prohibited",
        "2.其他法律行政法规禁止公开",
        ("其他法律行政法规禁止公开", "法律行政法规禁止公开", "禁止公开", "法律行政法规禁止"),
        group="denied",
    ),
    Row(
        "denied_security",
        "3.危及“三安全一稳定”",
        ("危及三安全一稳定", "三安全一稳定"),
        group="denied",
    ),
    Row(
        "denied_third_party",
        "4.保护第三方合法权益",
        ("保护第三方合法权益", "第三方合法权益", "第三方"),
        group="denied",
    ),
    Row(
        "denied_internal",
        "5.属于三类内部事务信息",
        ("属于三类内部事务信息", "内部事务信息", "内部事务"),
        group="denied",
    ),
    Row(
        "denied_process",
        "6.属于四类过程性信息",
        ("属于四类过程性信息", "过程性信息", "过程性"),
        group="denied",
    ),
    Row(
        "denied_enforcement_file",
        "7.属于行政执法案卷",
        ("属于行政执法案卷", "行政执法案卷", "执法案卷"),
        group="denied",
    ),
    Row(
        "denied_query",
        "8.属于行政查询事项",
        ("属于行政查询事项", "行政查询事项", "行政查询"),
        group="denied",
    ),
    Row(
        "unavailable_not_held",
        "三（四）无法提供 1.本机关不掌握相关政府信息",
        ("本机关不掌握相关政府信息", "不掌握相关政府信息", "不掌握"),
        group="unavailable",
    ),
    Row(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        ("没有现成信息需要另行制作", "需要另行制作", "另行制作", "没有现成信息"),
        group="unavailable",
    ),
    Row(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        ("补正后申请内容仍不明确", "仍不明确", "补正后申请"),
        group="unavailable",
    ),
    Row(
        "not_processed_petition",
        "三（五）不予处理 1.信访举报投诉类申请",
        ("信访举报投诉类申请", "信访举报投诉", "信访举报"),
        group="not_processed",
    ),
    Row("not_processed_repeat", "2.重复申请", ("重复申请",), group="not_processed"),
    Row(
        "not_processed_publication",
        "3.要求提供公开出版物",
        ("要求提供公开出版物", "公开出版物", "出版物"),
        group="not_processed",
    ),
    Row(
        "not_processed_excessive",
        "4.无正当理由大量反复申请",
        ("无正当理由大量反复申请", "大量反复申请", "大量反复"),
        group="not_processed",
    ),
    Row(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        (
            "要求行政机关确认或重新出具已获取信息",
            "重新出具已获取信息",
            "确认或重新出具",
            "要求行政机关确认",
        ),
        group="not_processed",
    ),
    Row(
        "other_no_correction",
        "三（六）其他处理 1.申请人无正当理由逾期不补正…",
        ("逾期不补正",),
        group="other",
    ),
    Row(
        "other_no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用…",
        ("逾期未按收费通知要求缴纳费用", "未按收费通知", "缴纳费用", "收费通知"),
        group="other",
    ),
    # "3.其他" is matched by its exact compact label inside group 其他处理 (see OTHER_OTHER_LABELS).
    Row("other_other", "3.其他", (), group="other"),
    # 2019: the single row （六）其他处理; 2021: the sum of the three parts (derived).
    Row("other", "三（六）其他处理", ("其他处理",)),
    Row("denied_subtotal", "（三）不予公开 小计", (), group="denied"),
    Row("unavailable_subtotal", "（四）无法提供 小计", (), group="unavailable"),
    Row("not_processed_subtotal", "（五）不予处理 小计", (), group="not_processed"),
    Row("total_processed", "三（七）总计", ("总计", "合计")),
    Row(
        "carried_forward",
        "四、结转下年度继续办理",
        ("结转下年度继续办理", "结转下年度", "结转下年", "结转下一年度"),
    ),
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
    rows += (
        list(OTHER_PARTS)
        if all(k in keys for k in OTHER_PARTS) and not other_printed
        else ["other"]
    )
    return rows


def outcome_rows(group: str) -> tuple[str, ...]:
    """The detail rows of one outcome group, in template order (subtotal rows excluded)."""
    return tuple(
        r.key
        for r in APPLICATION_ROWS
        if r.group == group and not r.key.endswith("_subtotal") and r.key not in OTHER_PARTS
    )


def outcome_sum_sql(group: str, prefix: str = "a.") -> str:
    """SQL over applications_wide (alias `prefix`) for an outcome group's total: its detail rows
    summed, or the printed 小计 where a detail is not printed."""
    parts = " + ".join(f"{prefix}{k}_total" for k in outcome_rows(group))
    return f"coalesce({parts}, {prefix}{group}_subtotal_total)"


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


# ---------------------------------------------------------------- 2008–2018: the 统计表 and the prose
# Before 2019 there were no mandated tables. From about 2014 most bodies appended the
# 政府信息公开情况统计表 (a list of indicators with 单位 and 数量, some provinces with a 历年累计
# column); before that, and where the table was not used, the same facts are in prose. One
# indicator is one row of the `legacy` table; its 历年累计 figure is the row KEY_cumulative, kept
# apart from the year's. Keys follow the samples' legacy_numbers_from_prose.
@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # as the State Council's 统计表 prints it
    needles: tuple[str, ...]  # compact label variants that name it (the 统计表's and the prose's)
    unit: str = "count"  # count | yuan | wan_yuan | persons
    part_of: str | None = None  # 其中: a part of that indicator (never more than it)
    under: str | None = None  # a label shared by groups (被依法纠错数): read under this group only
    channel: str | None = None  # a way of applying or publishing, for prose "通过…网站公开"


LEGACY_INDICATORS = (
    Indicator(
        "active_disclosure_items",
        "主动公开政府信息数",
        (
            "主动公开政府信息数",
            "主动公开信息数",
            "主动公开文件数",
            "主动公开政府信息",
            "主动公开信息",
        ),
    ),
    Indicator(
        "normative_documents_disclosed",
        "其中：主动公开规范性文件数",
        ("主动公开规范性文件数",),
        part_of="active_disclosure_items",
    ),
    Indicator(
        "normative_documents_issued",
        "制发规范性文件总数",
        ("制发规范性文件总数", "制发规范性文件数"),
    ),
    Indicator(
        "via_gazette",
        "政府公报公开政府信息数",
        ("政府公报公开", "公报公开"),
        part_of="active_disclosure_items",
        channel="gazette",
    ),
    Indicator(
        "via_website",
        "政府网站公开政府信息数",
        ("政府网站公开", "政府门户网站公开", "门户网站公开", "网站公开", "网上公开", "互联网公开"),
        part_of="active_disclosure_items",
        channel="website",
    ),
    Indicator(
        "via_weibo",
        "政务微博公开政府信息数",
        ("政务微博公开", "微博公开"),
        part_of="active_disclosure_items",
        channel="weibo",
    ),
    Indicator(
        "via_wechat",
        "政务微信公开政府信息数",
        ("政务微信公开", "微信公开"),
        part_of="active_disclosure_items",
        channel="wechat",
    ),
    Indicator(
        "via_other",
        "其他方式公开政府信息数",
        ("其他方式公开", "其它方式公开"),
        part_of="active_disclosure_items",
    ),
    Indicator(
        "responses_hot_topics",
        "回应公众关注热点或重大舆情数",
        ("回应公众关注热点或重大舆情数", "回应公众关注热点"),
    ),
    Indicator(
        "press_conferences",
        "参加或举办新闻发布会总次数",
        ("参加或举办新闻发布会总次数", "举办新闻发布会"),
    ),
    Indicator(
        "press_conferences_by_heads",
        "其中：主要负责同志参加新闻发布会次数",
        ("主要负责同志参加新闻发布会",),
        part_of="press_conferences",
    ),
    Indicator(
        "online_interviews", "政府网站在线访谈次数", ("政府网站在线访谈次数", "在线访谈次数")
    ),
    Indicator(
        "online_interviews_by_heads",
        "其中：主要负责同志参加政府网站在线访谈次数",
        ("主要负责同志参加政府网站在线访谈", "主要负责同志参加在线访谈"),
        part_of="online_interviews",
    ),
    Indicator(
        "policy_interpretations", "政策解读稿件发布数", ("政策解读稿件发布数", "政策解读稿件")
    ),
    Indicator("weibo_wechat_responses", "微博微信回应事件数", ("微博微信回应事件数",)),
    Indicator(
        "other_responses", "其他方式回应事件数", ("其他方式回应事件数", "其它方式回应事件数")
    ),
    Indicator(
        "applications_received",
        "收到申请数",
        (
            "收到申请数",
            "受理依申请公开信息总数",
            "依申请公开信息总数",
            "受理申请数",
            "收到申请总数",
            "申请总数",
        ),
    ),
    Indicator(
        "applications_in_person",
        "当面申请数",
        ("当面申请",),
        part_of="applications_received",
        channel="in_person",
    ),
    Indicator(
        "applications_fax",
        "传真申请数",
        ("传真申请",),
        part_of="applications_received",
        channel="fax",
    ),
    Indicator(
        "applications_online",
        "网络申请数",
        ("网络申请", "网上申请", "互联网申请"),
        part_of="applications_received",
        channel="online",
    ),
    Indicator(
        "applications_letter",
        "信函申请数",
        ("信函申请",),
        part_of="applications_received",
        channel="letter",
    ),
    Indicator(
        "applications_letter_fax",
        "信函、传真申请数",
        ("信函、传真申请", "信函传真申请", "信函和传真申请"),
        part_of="applications_received",
    ),
    Indicator(
        "applications_email",
        "电子邮件申请数",
        ("电子邮件申请", "电邮申请"),
        part_of="applications_received",
        channel="email",
    ),
    Indicator(
        "applications_other",
        "其他形式申请数",
        ("其他形式申请", "其它形式申请", "其他方式申请", "其它方式申请"),
        part_of="applications_received",
    ),
    Indicator("applications_closed", "申请办结数", ("申请办结数", "办结数")),
    Indicator("closed_on_time", "按时办结数", ("按时办结",), part_of="applications_closed"),
    Indicator("closed_extended", "延期办结数", ("延期办结",), part_of="applications_closed"),
    Indicator(
        "replies_total",
        "申请答复数",
        ("申请答复数", "对申请的答复总数", "对申请的答复数", "答复总数", "答复数"),
    ),
    Indicator(
        "replies_already_public",
        "属于已主动公开范围数",
        ("属于已主动公开范围", "已主动公开范围"),
        part_of="replies_total",
    ),
    Indicator(
        "replies_granted", "同意公开答复数", ("同意公开答复", "同意公开"), part_of="replies_total"
    ),
    Indicator(
        "replies_partially_granted",
        "同意部分公开答复数",
        ("同意部分公开", "部分公开答复"),
        part_of="replies_total",
    ),
    Indicator(
        "replies_denied",
        "不同意公开答复数",
        (
            "不同意公开答复",
            "不同意公开",
            "不予公开答复",
            "不予公开",
            "否决公开",
            "免于公开",
            "免予公开",
        ),
        part_of="replies_total",
    ),
    Indicator("denied_state_secret", "涉及国家秘密", ("涉及国家秘密",), part_of="replies_denied"),
    Indicator(
        "denied_commercial_secret", "涉及商业秘密", ("涉及商业秘密",), part_of="replies_denied"
    ),
    Indicator("denied_privacy", "涉及个人隐私", ("涉及个人隐私",), part_of="replies_denied"),
    Indicator(
        "denied_security",
        "危及国家安全、公共安全、经济安全和社会稳定",
        ("危及国家安全", "危及三安全一稳定"),
        part_of="replies_denied",
    ),
    Indicator(
        "denied_not_government_information",
        "不是《条例》所指政府信息",
        ("不是条例所指政府信息", "不是条例所指"),
        part_of="replies_denied",
    ),
    Indicator(
        "denied_other_law",
        "法律法规规定的其他情形",
        ("法律法规规定的其他情形", "法律法规规定的其它情形"),
        part_of="replies_denied",
    ),
    Indicator(
        "replies_not_this_agency",
        "不属于本行政机关公开数",
        ("不属于本行政机关公开", "非本机关", "不属于本机关"),
        part_of="replies_total",
    ),
    Indicator(
        "replies_not_held",
        "申请信息不存在数",
        ("申请信息不存在", "信息不存在"),
        part_of="replies_total",
    ),
    Indicator("replies_unclear", "申请内容不明确数", ("申请内容不明确",), part_of="replies_total"),
    Indicator(
        "replies_amend",
        "告知作出更改补充数",
        ("告知作出更改补充", "告知更改补充"),
        part_of="replies_total",
    ),
    Indicator(
        "replies_other_channel",
        "告知通过其他途径办理数",
        ("告知通过其他途径办理", "告知通过其它途径办理"),
        part_of="replies_total",
    ),
    Indicator(
        "replies_other",
        "其他类型答复数",
        ("其他类型答复", "其它类型答复", "其他答复", "其它答复"),
        part_of="replies_total",
    ),
    Indicator("admin_review_cases", "行政复议数量", ("行政复议数量", "行政复议数", "行政复议")),
    Indicator(
        "review_upheld",
        "维持具体行政行为数",
        ("维持具体行政行为",),
        part_of="admin_review_cases",
        under="admin_review_cases",
    ),
    Indicator(
        "review_corrected",
        "被依法纠错数",
        ("被依法纠错",),
        part_of="admin_review_cases",
        under="admin_review_cases",
    ),
    Indicator(
        "review_other",
        "其他情形数",
        ("其他情形", "其它情形"),
        part_of="admin_review_cases",
        under="admin_review_cases",
    ),
    Indicator("admin_litigation_cases", "行政诉讼数量", ("行政诉讼数量", "行政诉讼数", "行政诉讼")),
    Indicator(
        "litigation_upheld",
        "维持具体行政行为或者驳回原告诉讼请求数",
        ("维持具体行政行为或者驳回原告诉讼请求", "驳回原告诉讼请求", "维持具体行政行为"),
        part_of="admin_litigation_cases",
        under="admin_litigation_cases",
    ),
    Indicator(
        "litigation_corrected",
        "被依法纠错数",
        ("被依法纠错",),
        part_of="admin_litigation_cases",
        under="admin_litigation_cases",
    ),
    Indicator(
        "litigation_other",
        "其他情形数",
        ("其他情形", "其它情形"),
        part_of="admin_litigation_cases",
        under="admin_litigation_cases",
    ),
    Indicator(
        "litigation_or_reports_received",
        "接受行政诉讼、举报数",
        ("接受行政诉讼、举报", "行政诉讼、举报数"),
    ),
    Indicator(
        "complaints_appeals",
        "举报投诉数量",
        ("举报投诉数量", "举报投诉数", "行政申诉数", "申诉数", "举报投诉"),
    ),
    Indicator(
        "fees_collected_yuan",
        "依申请公开信息收取的费用（元）",
        ("依申请公开信息收取的费用", "收取的费用", "收费金额"),
        unit="yuan",
    ),
    Indicator(
        "disclosure_offices",
        "政府信息公开工作专门机构数",
        ("政府信息公开工作专门机构数", "专门机构数"),
    ),
    Indicator(
        "reading_points", "设置政府信息公开查阅点数", ("设置政府信息公开查阅点数", "查阅点数")
    ),
    Indicator(
        "staff_total", "从事政府信息公开工作人员数", ("从事政府信息公开工作人员数",), unit="persons"
    ),
    Indicator(
        "staff_full_time",
        "专职人员数",
        ("专职人员数", "专职人员", "全职人员"),
        unit="persons",
        part_of="staff_total",
    ),
    Indicator(
        "staff_part_time",
        "兼职人员数",
        ("兼职人员数", "兼职人员"),
        unit="persons",
        part_of="staff_total",
    ),
    Indicator(
        "disclosure_expenditure_10k_yuan",
        "政府信息公开专项经费（万元）",
        ("政府信息公开专项经费", "专项经费"),
        unit="wan_yuan",
    ),
    Indicator(
        "meetings",
        "召开政府信息公开工作会议或专题会议数",
        ("召开政府信息公开工作会议或专题会议数", "工作会议或专题会议数"),
    ),
    Indicator("trainings", "举办各类培训班数", ("举办各类培训班数", "培训班数")),
    Indicator("trainees", "接受培训人员数", ("接受培训人员数", "培训人员数"), unit="persons"),
)
LEGACY = {i.key: i for i in LEGACY_INDICATORS}
# Where every part is printed, the parts make the whole (per column).
LEGACY_SUMS = {
    "applications_received": (
        "applications_in_person",
        "applications_fax",
        "applications_online",
        "applications_letter",
        "applications_letter_fax",
        "applications_email",
        "applications_other",
    ),
    "applications_closed": ("closed_on_time", "closed_extended"),
    "staff_total": ("staff_full_time", "staff_part_time"),
}
# Wholes whose parts are disjoint (the kinds of reply, the reasons of denial, the outcomes of
# cases): the printed parts never add up to more than the whole. (Publishing channels overlap:
# there each part is only at most the whole.)
LEGACY_DISJOINT = (
    "replies_total",
    "replies_denied",
    "admin_review_cases",
    "admin_litigation_cases",
    "applications_closed",
    "staff_total",
    "applications_received",
)
LEGACY_CUMULATIVE = "_cumulative"  # the 历年累计 figure of KEY is the row KEY_cumulative
# The few measures 2008–2018 and 2019+ reports share (view `panel`): (measure, legacy key, the
# 2019+ value as SQL over w_applications a / w_appeals p — NULL unless every part is printed —,
# whether the definitions align). Documented in docs/panel.md.
PANEL_MEASURES = (
    (
        "applications",
        "applications_received",
        "a.new_received_total",
        "same: applications received in the year (2019+: 本年新收政府信息公开申请数量)",
    ),
    (
        "granted",
        "replies_granted",
        "a.granted_total",
        "differs: 2008–2018 counted replies (申请答复数: 同意公开); 2019+ counts outcomes of the requests processed "
        "in the year (办理结果: 予以公开), carried-over requests included",
    ),
    (
        "partially_granted",
        "replies_partially_granted",
        "a.partially_granted_total",
        "differs: replies (同意部分公开) before 2019, outcomes (部分公开) after",
    ),
    (
        "denied",
        "replies_denied",
        outcome_sum_sql("denied"),
        "differs: 不同意公开 replies before 2019; 2019+ sums the 不予公开 reasons of the outcomes",
    ),
    (
        "not_held",
        "replies_not_held",
        "a.unavailable_not_held_total",
        "differs: 申请信息不存在 replies before 2019; 本机关不掌握相关政府信息 outcomes after",
    ),
    (
        "reconsideration",
        "admin_review_cases",
        "p.reconsideration_total",
        "same: administrative reconsideration cases about disclosure in the year",
    ),
    (
        "reconsideration_corrected",
        "review_corrected",
        "p.reconsideration_corrected",
        "same: reconsideration cases in which the decision was corrected (被依法纠错 / 结果纠正)",
    ),
    (
        "litigation",
        "admin_litigation_cases",
        "p.litigation_direct_total + p.litigation_after_reconsideration_total",
        "differs: one count before 2019; 2019+ adds suits brought directly and after reconsideration",
    ),
    (
        "litigation_corrected",
        "litigation_corrected",
        "p.litigation_direct_corrected + p.litigation_after_reconsideration_corrected",
        "same: suits in which the decision was corrected",
    ),
    (
        "fees_yuan",
        "fees_collected_yuan",
        "NULL",
        "not comparable: fees collected (元) before 2019; 2019+ reports no amount "
        "(信息处理费 is counted as an outcome)",
    ),
)


def legacy_rows() -> tuple[Row, ...]:
    """The `legacy` table's rows: each indicator, and its 历年累计 figure."""
    rows = [Row(i.key, i.label, i.needles) for i in LEGACY_INDICATORS]
    rows += [Row(i.key + LEGACY_CUMULATIVE, f"{i.label}（历年累计）") for i in LEGACY_INDICATORS]
    return tuple(rows)


TABLES = {
    "proactive": Table(
        "proactive",
        "二、主动公开政府信息情况",
        tuple({r.key: r for f in ("2021", "2019") for r in PROACTIVE_ROWS[f]}.values()),
        PROACTIVE_COLS,
    ),
    "applications": Table(
        "applications", "三、收到和处理政府信息公开申请情况", APPLICATION_ROWS, APPLICATION_COLS
    ),
    "appeals": Table("appeals", "四、政府信息公开行政复议、行政诉讼情况", APPEAL_ROWS, APPEAL_COLS),
    "legacy": Table(
        "legacy",
        "政府信息公开情况统计表与正文中的数字（2008–2018）",
        legacy_rows(),
        (Col("value", "本年度（或累计）数量"),),
    ),
}
MANDATED = ("proactive", "applications", "appeals")  # the 2019+ tables


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
    (
        4,
        "四",
        "四、政府信息公开行政复议、行政诉讼情况",
        r"(?:因)?政府信息公开(?:申请)?(?:引起的)?行政复议[、和及]?(?:提起)?行政诉讼(?:的)?情况",
    ),
    (
        5,
        "五",
        "五、存在的主要问题及改进情况",
        r"(?:政府信息公开工作)?存在的主要问题(?:及|和|与)改进(?:情况|措施)",
    ),
    (6, "六", "六、其他需要报告的事项", r"其他需要报告的事项"),
)
# A heading on a line of its own, matched on the compact line (numbering optional).
SECTION_HEADINGS = tuple(
    (no, heading, re.compile(rf"^(?:{num}[、.])?{words}$")) for no, num, heading, words in _SECTIONS
)
# A numbered heading inside a longer line of running text (a whole report pasted on one line).
SECTION_HEADING_IN_TEXT = re.compile(
    "|".join(rf"{num}[、.．]{words}" for no, num, _, words in _SECTIONS if no > 1)
)

# Every heading above contains one of these: a cheap filter before the regexes.
SECTION_HEADING_WORDS = ("情况", "概述", "事项", "措施")

# Header words that open each table, whichever comes first of them and the section heading (a
# heading may be missing, reworded or merged into the previous table's caption). Table 四 is
# found by a short 行政复议 cell with 行政诉讼 and one of APPEALS_WORDS close below it.
TABLE_OPENERS = {
    2: ("信息内容", "第二十条第(一)项", "本年制发件数", "本年新制作数量"),
    3: (
        "勾稽关系",
        "申请人情况",
        "本年新收政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        "本年度新收政府信息公开申请数量",
        "上年度结转政府信息公开申请数量",
    ),
}
APPEALS_WORDS = ("结果维持", "尚未审结", "未经复议直接起诉", "直接起诉", "复议后起诉")

# What names an annual report: the words of its title, and (a link to one in a listing) the
# year before them. One rule for the crawler's listings and the reader's titles.
_REPORT_TITLE_WORDS = r"(?:政府信息公开|政务公开|信息公开).{0,12}(?:年度报告|年报|工作报告)"
REPORT_TITLE_WORDS = re.compile(_REPORT_TITLE_WORDS)
DATED_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}\s*年?度?.{0,40}?" + _REPORT_TITLE_WORDS)

# The words of a page's chrome around a report (its field labels, buttons, counters): never an
# issuer, a title or a body's name, whatever line they stand on.
PAGE_CHROME_WORDS = (
    "正文", "标题", "来源", "信息来源", "发布机构", "发布单位", "发文机关", "发文单位", "所属机构",
    "索引号", "文号", "发文字号", "主题分类", "公开方式", "公开范围", "公开时限", "发布日期",
    "发布时间", "成文日期", "生成日期", "有效性", "字号", "字体", "打印", "关闭", "分享",
    "浏览次数", "访问量", "阅读次数", "点击数", "责任编辑", "附件", "相关链接",
)  # fmt: skip

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
NULL_MARKERS = frozenset(
    {
        "",
        "/",
        "／",
        "\\",
        "-",
        "--",
        "---",
        "—",
        "——",
        "－",
        "–",
        "―",
        "—-",
        "无",
        "空",
        "×",
        "N/A",
        "n/a",
    }
)
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
    r"^(?:[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]|\d+[、.](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])+"
)


# Where a row label starts inside a longer compact label (3. / (七) / 四、), not inside a number:
# text before it is the tail of the previous row's label wrapped below its numbers.
ROW_NUMBER = re.compile(
    r"(?<![\d.])(?:\d{1,2}[、.](?!\d)|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,2}、)"
)


_converter = None


def t2s(text: str) -> str:
    """Traditional characters to simplified (opencc t2s: phrase-aware, a text keeps its length
    but for rare phrases)."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


@lru_cache(maxsize=1)
def _traditional_chars() -> re.Pattern:
    """The CJK characters that t2s changes: written only in traditional text."""
    chars = "".join(chr(i) for i in range(0x4E00, 0xA000))
    return re.compile("[" + "".join(a for a, b in zip(chars, t2s(chars)) if a != b) + "]")


def mostly_traditional(text: str, at_least: int = 10) -> bool:
    """Whether a text is written in traditional characters (not just a name or two in them:
    the founding example spells its own 灤河 so, and is read as it is)."""
    return len(_traditional_chars().findall(text, 0, 20000)) >= at_least


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]|《[^《》]*》")
SENTENCE_MARKS = re.compile(r"[，。；,;]")


def is_sentence(text: str) -> bool:
    """Running text, not a table cell: a clause mark (，。；) outside brackets. A template's own
    notes are bracketed (（本列数据的勾稽关系为：第一项加第二项之和，等于…）); a sentence that names a
    table's words (本年新收政府信息公开申请数量较上年有所增加，…; 依据《条例》第二十条第（一）项…，及时…)
    never opens or labels a table."""
    return bool(SENTENCE_MARKS.search(text)) and bool(
        SENTENCE_MARKS.search(_BRACKETED.sub("", text))
    )


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
    for i in LEGACY_INDICATORS:
        notes = [f"unit {i.unit}"] if i.unit != "count" else []
        notes += [f"part of `{i.part_of}`"] if i.part_of else []
        others = [n for n in i.needles if n != i.label]
        notes += [f"also read as: {' / '.join(others)}"] if others else []
        out.append(
            f"| legacy | `{i.key}` (and `{i.key}{LEGACY_CUMULATIVE}`) | {i.label} | value; {'; '.join(notes)} |"
        )
    return "\n".join(out)


def markdown_panel_table() -> str:
    """The crosswalk of view `panel` as Markdown (docs/panel.md)."""
    out = [
        "| measure | 2008–2018 (`legacy` key) | 2019+ (SQL over applications_wide a / appeals_wide p) | comparable |",
        "|---|---|---|---|",
    ]
    for measure, key, sql, note in PANEL_MEASURES:
        out.append(f"| `{measure}` | `{key}` — {LEGACY[key].label} | `{sql}` | {note} |")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_key_table())
