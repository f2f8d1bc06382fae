"""Generated 2008–2018 reports with known truth: the 政府信息公开情况统计表 and the prose around it.

A `LegacySpec` holds the year's figures (and optionally the 历年累计 column) of the State
Council's 统计表 as bodies printed it 2014–2018, consistent the way real tables are: channels
sum to 收到申请数, reply kinds to 申请答复数, denial reasons to 不同意公开, outcomes to 行政复议 /
行政诉讼, full- and part-time staff to the staff total. It renders as

  html        a report page: prose, then 附件 统计表 as a grid (指标 | 单位 | 统计数 [| 历年累计])
  docx, pdf   the same page through LibreOffice (tests/corpus/forms.py: legacy_build)
  text_glued  the table flattened into one run of text, as crawled dumps print it (cf. samples 009/010)

`truth(spec)` is {canonical key: value} with KEY_cumulative for the 历年累计 column.
"""

from __future__ import annotations

import dataclasses
import html
import random
from decimal import Decimal

# (key, label as printed, unit, depth) in the order of the 统计表; depth 0 rows with key None are
# group headings.
TEMPLATE = [
    (None, "一、主动公开情况", "", 0),
    (
        "active_disclosure_items",
        "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）",
        "条",
        1,
    ),
    ("normative_documents_disclosed", "其中：主动公开规范性文件数", "条", 2),
    ("normative_documents_issued", "制发规范性文件总数", "件", 2),
    (None, "（二）通过不同渠道和方式公开政府信息的情况", "", 1),
    ("via_gazette", "1.政府公报公开政府信息数", "条", 2),
    ("via_website", "2.政府网站公开政府信息数", "条", 2),
    ("via_weibo", "3.政务微博公开政府信息数", "条", 2),
    ("via_wechat", "4.政务微信公开政府信息数", "条", 2),
    ("via_other", "5.其他方式公开政府信息数", "条", 2),
    (None, "二、回应解读情况", "", 0),
    (
        "responses_hot_topics",
        "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）",
        "次",
        1,
    ),
    (None, "（二）通过不同渠道和方式回应解读的情况", "", 1),
    ("press_conferences", "1.参加或举办新闻发布会总次数", "次", 2),
    ("press_conferences_by_heads", "其中：主要负责同志参加新闻发布会次数", "次", 3),
    ("online_interviews", "2.政府网站在线访谈次数", "次", 2),
    ("online_interviews_by_heads", "其中：主要负责同志参加政府网站在线访谈次数", "次", 3),
    ("policy_interpretations", "3.政策解读稿件发布数", "篇", 2),
    ("weibo_wechat_responses", "4.微博微信回应事件数", "次", 2),
    ("other_responses", "5.其他方式回应事件数", "次", 2),
    (None, "三、依申请公开情况", "", 0),
    ("applications_received", "（一）收到申请数", "件", 1),
    ("applications_in_person", "1.当面申请数", "件", 2),
    ("applications_fax", "2.传真申请数", "件", 2),
    ("applications_online", "3.网络申请数", "件", 2),
    ("applications_letter", "4.信函申请数", "件", 2),
    ("applications_closed", "（二）申请办结数", "件", 1),
    ("closed_on_time", "1.按时办结数", "件", 2),
    ("closed_extended", "2.延期办结数", "件", 2),
    ("replies_total", "（三）申请答复数", "件", 1),
    ("replies_already_public", "1.属于已主动公开范围数", "件", 2),
    ("replies_granted", "2.同意公开答复数", "件", 2),
    ("replies_partially_granted", "3.同意部分公开答复数", "件", 2),
    ("replies_denied", "4.不同意公开答复数", "件", 2),
    ("denied_state_secret", "其中：涉及国家秘密", "件", 3),
    ("denied_commercial_secret", "涉及商业秘密", "件", 3),
    ("denied_privacy", "涉及个人隐私", "件", 3),
    ("denied_security", "危及国家安全、公共安全、经济安全和社会稳定", "件", 3),
    ("denied_not_government_information", "不是《条例》所指政府信息", "件", 3),
    ("denied_other_law", "法律法规规定的其他情形", "件", 3),
    ("replies_not_this_agency", "5.不属于本行政机关公开数", "件", 2),
    ("replies_not_held", "6.申请信息不存在数", "件", 2),
    ("replies_amend", "7.告知作出更改补充数", "件", 2),
    ("replies_other_channel", "8.告知通过其他途径办理数", "件", 2),
    ("admin_review_cases", "四、行政复议数量", "件", 0),
    ("review_upheld", "（一）维持具体行政行为数", "件", 1),
    ("review_corrected", "（二）被依法纠错数", "件", 1),
    ("review_other", "（三）其他情形数", "件", 1),
    ("admin_litigation_cases", "五、行政诉讼数量", "件", 0),
    ("litigation_upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件", 1),
    ("litigation_corrected", "（二）被依法纠错数", "件", 1),
    ("litigation_other", "（三）其他情形数", "件", 1),
    ("complaints_appeals", "六、举报投诉数量", "件", 0),
    ("fees_collected_yuan", "七、依申请公开信息收取的费用", "万元", 0),
    (None, "八、机构建设和保障经费情况", "", 0),
    ("disclosure_offices", "（一）政府信息公开工作专门机构数", "个", 1),
    ("reading_points", "（二）设置政府信息公开查阅点数", "个", 1),
    ("staff_total", "（三）从事政府信息公开工作人员数", "人", 1),
    ("staff_full_time", "1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", 2),
    ("staff_part_time", "2.兼职人员数", "人", 2),
    (
        "disclosure_expenditure_10k_yuan",
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        "万元",
        1,
    ),
    (None, "九、政府信息公开会议和培训情况", "", 0),
    ("meetings", "（一）召开政府信息公开工作会议或专题会议数", "次", 1),
    ("trainings", "（二）举办各类培训班数", "次", 1),
    ("trainees", "（三）接受培训人员数", "人次", 1),
]
CUMULATIVE = "_cumulative"


@dataclasses.dataclass
class LegacySpec:
    issuer: str
    year: int
    values: dict  # key -> int | Decimal, the year's column
    cumulative: dict | None = None  # key -> the 历年累计 column
    prose_says: dict = dataclasses.field(default_factory=dict)  # key -> the figure the prose gives


def _parts(rng: random.Random, total: int, n: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def random_legacy(rng: random.Random, i: int, cumulative: bool | None = None) -> LegacySpec:
    v: dict = {}
    big = rng.random() < 0.5
    v["active_disclosure_items"] = rng.randint(200, 20000) if big else rng.randint(5, 400)
    v["normative_documents_disclosed"] = rng.randint(0, min(80, v["active_disclosure_items"]))
    v["normative_documents_issued"] = v["normative_documents_disclosed"] + rng.randint(0, 5)
    for k in ("via_gazette", "via_website", "via_weibo", "via_wechat", "via_other"):
        v[k] = rng.randint(0, v["active_disclosure_items"]) if rng.random() < 0.7 else 0
    v["via_website"] = v[
        "active_disclosure_items"
    ]  # a website carries everything, as most tables print
    v["responses_hot_topics"] = rng.randint(0, 40)
    v["press_conferences"] = rng.randint(0, 20)
    v["press_conferences_by_heads"] = rng.randint(0, v["press_conferences"])
    v["online_interviews"] = rng.randint(0, 12)
    v["online_interviews_by_heads"] = rng.randint(0, v["online_interviews"])
    v["policy_interpretations"] = rng.randint(0, 60)
    v["weibo_wechat_responses"] = rng.randint(0, 30)
    v["other_responses"] = rng.randint(0, 10)
    received = rng.choice([0, rng.randint(1, 9), rng.randint(10, 400)])
    v["applications_received"] = received
    for k, n in zip(
        (
            "applications_in_person",
            "applications_fax",
            "applications_online",
            "applications_letter",
        ),
        _parts(rng, received, 4),
    ):
        v[k] = n
    v["applications_closed"] = received
    v["closed_on_time"], v["closed_extended"] = _parts(rng, received, 2)
    v["replies_total"] = received
    kinds = (
        "replies_already_public",
        "replies_granted",
        "replies_partially_granted",
        "replies_denied",
        "replies_not_this_agency",
        "replies_not_held",
        "replies_amend",
        "replies_other_channel",
    )
    for k, n in zip(kinds, _parts(rng, received, len(kinds))):
        v[k] = n
    reasons = (
        "denied_state_secret",
        "denied_commercial_secret",
        "denied_privacy",
        "denied_security",
        "denied_not_government_information",
        "denied_other_law",
    )
    for k, n in zip(reasons, _parts(rng, v["replies_denied"], len(reasons))):
        v[k] = n
    for whole, parts in (
        ("admin_review_cases", ("review_upheld", "review_corrected", "review_other")),
        (
            "admin_litigation_cases",
            ("litigation_upheld", "litigation_corrected", "litigation_other"),
        ),
    ):
        v[whole] = rng.choice([0, 0, rng.randint(1, 12)])
        for k, n in zip(parts, _parts(rng, v[whole], 3)):
            v[k] = n
    v["complaints_appeals"] = rng.choice([0, rng.randint(1, 5)])
    v["fees_collected_yuan"] = rng.choice([0, 0, 0, 120, 2500])  # printed in 万元 (0.012, 0.25)
    v["disclosure_offices"] = rng.randint(0, 3)
    v["reading_points"] = rng.randint(0, 8)
    v["staff_full_time"], v["staff_part_time"] = rng.randint(0, 4), rng.randint(0, 12)
    v["staff_total"] = v["staff_full_time"] + v["staff_part_time"]
    v["disclosure_expenditure_10k_yuan"] = rng.choice([0, 1, Decimal("2.5"), 12])
    v["meetings"] = rng.randint(0, 10)
    v["trainings"] = rng.randint(0, 10)
    v["trainees"] = rng.randint(0, 300)
    cum = None
    if cumulative if cumulative is not None else rng.random() < 0.4:
        # one factor for the whole column keeps its sums and its parts-within-wholes true
        factor = rng.randint(3, 9)
        cum = {k: x * factor for k, x in v.items()}
    places = ["青杉市", "白沙县", "青峰县", "临江区", "北山县"]
    agencies = ["人民政府", "教育局", "民政局", "财政局", "卫生和计划生育委员会", "环境保护局"]
    issuer = places[i % len(places)] + agencies[(i // len(places)) % len(agencies)]
    return LegacySpec(issuer, rng.choice(range(2014, 2019)), v, cum)


def truth(spec: LegacySpec) -> dict:
    out = dict(spec.values)
    for k, x in (spec.cumulative or {}).items():
        out[k + CUMULATIVE] = x
    return out


def _printed(key: str, value, unit: str) -> str:
    if unit == "万元" and key == "fees_collected_yuan":
        value = Decimal(value) / 10000
    if isinstance(value, Decimal):
        value = value.normalize()
        return format(value, "f")
    return str(value)


def _prose(spec: LegacySpec) -> str:
    v = {**spec.values, **spec.prose_says}
    paras = [
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制，由概述、主动公开政府信息情况、依申请公开政府信息情况、"
        f"政府信息公开的收费及减免情况、因政府信息公开申请提起行政复议和行政诉讼的情况、存在的主要问题及改进措施、"
        f"政府信息公开情况统计表等部分组成。本报告所列数据的统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。",
        "一、概述",
        f"{spec.year}年，{spec.issuer}认真贯彻落实《条例》，健全工作机制，加强队伍建设，政府信息公开工作稳步推进。",
        "二、主动公开政府信息情况",
        f"{spec.year}年，我单位全年共主动公开政府信息{v['active_disclosure_items']}条。",
        "三、依申请公开政府信息情况",
        (
            f"{spec.year}年共收到政府信息公开申请{v['applications_received']}件。"
            if v["applications_received"]
            else f"{spec.year}年未收到政府信息公开申请。"
        ),
        "四、存在的主要问题及改进措施",
        "公开内容的深度和广度还有待提高，下一步将进一步规范依申请公开工作流程。",
    ]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paras)


def _title(spec: LegacySpec) -> str:
    return f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"


def statistics_table_html(spec: LegacySpec) -> str:
    cols = ["统计数"] + (["历年累计"] if spec.cumulative else [])
    rows = ["<tr><td>统计指标</td><td>单位</td>" + "".join(f"<td>{c}</td>" for c in cols) + "</tr>"]
    for key, label, unit, _depth in TEMPLATE:
        if key is None:
            rows.append(
                f"<tr><td>{html.escape(label)}</td><td></td>" + "<td></td>" * len(cols) + "</tr>"
            )
            continue
        cells = [_printed(key, spec.values[key], unit)]
        if spec.cumulative:
            cells.append(
                _printed(key, spec.cumulative[key], unit) if key in spec.cumulative else "—"
            )
        rows.append(
            f"<tr><td>{html.escape(label)}</td><td>{unit}</td>"
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    return '<table border="1" cellspacing="0">' + "".join(rows) + "</table>"


def body_html(spec: LegacySpec) -> str:
    return (
        _prose(spec)
        + f"<p>附件：{html.escape(spec.issuer)}{spec.year}年政府信息公开情况统计表</p>"
        + statistics_table_html(spec)
    )


def render_html(spec: LegacySpec) -> str:
    """The report as a page (its 统计表 a grid)."""
    t = _title(spec)
    return (
        f'<html><head><meta charset="utf-8"><title>{t}</title><style>body {{font-family: "Noto Serif CJK SC";'
        f" font-size: 10.5pt}} td {{font-size: 9pt}}</style></head><body>"
        f'<p style="text-align:center"><b>{t}</b></p>{body_html(spec)}</body></html>'
    )


def render_glued(spec: LegacySpec) -> str:
    """The report as a crawled text dump: prose, then the 统计表 flattened into one run."""
    import re

    prose = re.sub(r"</p><p>", "", _prose(spec)).replace("<p>", "").replace("</p>", "")
    head = "指标名称计量单位" + f"{spec.year}年度" + ("历年累计" if spec.cumulative else "")
    parts = []
    for key, label, unit, _depth in TEMPLATE:
        if key is None:
            parts.append(label)
            continue
        cells = _printed(key, spec.values[key], unit)
        if spec.cumulative:
            cells += _printed(key, spec.cumulative[key], unit) if key in spec.cumulative else ""
        parts.append(f"{label}{unit}{cells}")
    return (
        f"{_title(spec)} {html.unescape(prose)} 附件：{spec.issuer}{spec.year}年政府信息公开情况统计表 "
        + head
        + "".join(parts)
        + "\n"
    )


def score(report, spec: LegacySpec) -> tuple[int, int, list[str]]:
    """(exact cells, cells, misses as 'key: want X got Y') of a report's legacy table against the truth;
    a cell read that the truth does not hold counts as a wrong number too."""
    want = truth(spec)
    got = {k: c["value"].value for k, c in report.tables.get("legacy", {}).items()}
    ok, misses = 0, []
    for k, x in want.items():
        g = got.get(k)
        if g is not None and Decimal(str(g)) == Decimal(str(x)):
            ok += 1
        else:
            misses.append(f"{k}: want {x} got {g}")
    misses += [f"{k}: want None got {g}" for k, g in got.items() if k not in want]
    return ok, len(want), misses


def narrative_report(issuer: str, year: int) -> str:
    """A report that states no figure at all (as some bodies published): prose sections only."""
    return (
        f"{issuer}{year}年政府信息公开工作年度报告\n"
        "本报告由概述、主动公开政府信息情况、依申请公开政府信息情况等部分组成。\n"
        "一、概述\n本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "进一步完善工作机制，加强队伍建设，信息公开工作取得新进展。\n"
        "二、存在的问题和改进措施\n公开内容还不够全面，下一步将继续加强培训。\n"
    )
