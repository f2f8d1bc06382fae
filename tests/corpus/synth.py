"""Realistic annual-report pages with known numbers, for the bundled corpus, tests and benchmarks.

A :class:`Spec` holds the truth (issuer, year, format, every cell); :func:`render_html` lays it
out as published: the national template's tables (rowspan/colspan as the template prints them,
Word-pasted markup in one family), inside one of three CMS page shells (TRS-style 政府信息公开
detail page, Hanweb-style article page, Guangdong gkmlpt-style page), padded with the navigation,
scripts and footers that make real pages 30–250 KB.

Run ``python -m tests.corpus.synth`` to rebuild data/demo/html and data/demo/generated from the
fixed specs below.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import catalogue as cat

from . import ROOT

APPLICANT = list(cat.APPLICANT_COLS)
SAMPLES_DIR = ROOT / "data" / "demo" / "html"  # the demo corpus's generated pages


@dataclass
class Spec:
    issuer: str
    year: int
    fmt: str = "2021"  # table template actually printed: "2021" or "2019"
    shell: str = "trs"  # trs | hanweb | gkmlpt
    published: str = ""
    site: str = ""
    scope_note: str = ""  # e.g. 本报告涵盖… for a jurisdiction aggregate
    proactive: dict = field(default_factory=dict)
    applications: dict = field(
        default_factory=dict
    )  # row -> [6 applicant values] (total computed unless given)
    totals: dict = field(
        default_factory=dict
    )  # row -> printed total when it must differ from the sum
    appeals: list = field(default_factory=list)  # 15 values
    narrative_apps: int | None = None
    word_markup: bool = False
    split_tables: bool = False
    blanks: dict = field(default_factory=dict)  # (row, col) -> printed text for a blank cell
    padding_kb: int = 40
    # Word-pasted grid whose spans do not line up: 自然人 over two grid columns, an empty cell
    # under it, 商业企业 over two, and data cells with colspan=2 under 商业企业 (issue: phantom column).
    phantom_grid: bool = False
    lost_glyphs: dict = field(
        default_factory=dict
    )  # row -> label as a damaged text layer prints it
    no_heading4: bool = (
        False  # the 四、 heading left out (the appeals table follows table 三 directly)
    )
    highlights: list = field(
        default_factory=list
    )  # sentences of section 一 that differ year to year

    def total(self, row: str):
        if row in self.totals:
            return self.totals[row]
        vals = self.applications[row]
        return sum(v for v in vals if isinstance(v, int))


# ---------------------------------------------------------------- truth generation
def random_spec(rng: random.Random, i: int, fmt: str | None = None) -> Spec:
    """A consistent report (every identity holds) for benchmarks."""
    fmt = fmt or rng.choice(["2021", "2021", "2019"])
    year = rng.choice([2019, 2020]) if fmt == "2019" else rng.randint(2021, 2024)
    county = f"{'东西南北中'[i % 5]}{'山河湖川林'[(i // 5) % 5]}{'县区'[i % 2]}"
    issuer = f"样本{i:05d}{county}人民政府"
    parts = [
        r.key
        for r in cat.APPLICATION_ROWS
        if r.key
        not in ("new_received", "carried_over", "total_processed", "carried_forward", "other")
        and not r.key.endswith("_subtotal")
    ]
    if fmt == "2019":
        parts = [p for p in parts if p not in cat.OTHER_PARTS] + ["other"]
    apps: dict[str, list[int]] = {}
    processed = [0] * 6
    for p in parts:
        vals = [
            rng.choice([0, 0, 0, 1, 2, 5, rng.randint(0, 400)])
            if c == 0
            else rng.choice([0, 0, 0, 1, 3])
            for c in range(6)
        ]
        apps[p] = vals
        processed = [a + b for a, b in zip(processed, vals)]
    carried_forward = [rng.randint(0, 6) for _ in range(6)]
    carried_over = [min(rng.randint(0, 5), p + f) for p, f in zip(processed, carried_forward)]
    new = [p + f - c for p, f, c in zip(processed, carried_forward, carried_over)]
    apps["new_received"] = new
    apps["carried_over"] = carried_over
    apps["total_processed"] = processed
    apps["carried_forward"] = carried_forward
    appeals = []
    for _ in range(3):
        four = [rng.choice([0, 0, 1, 2]) for _ in range(4)]
        appeals += four + [sum(four)]
    return Spec(
        issuer=issuer,
        year=year,
        fmt=fmt,
        shell=rng.choice(["trs", "hanweb", "gkmlpt"]),
        published=f"{year + 1}-01-{rng.randint(10, 31):02d}",
        site=f"www.sample{i}.gov.cn",
        proactive=_random_proactive(rng, fmt),
        applications=apps,
        appeals=appeals,
        narrative_apps=sum(new),
        word_markup=rng.random() < 0.4,
        split_tables=rng.random() < 0.3,
        padding_kb=rng.choice([25, 40, 60, 90, 140, 220]),
    )


def _random_proactive(rng: random.Random, fmt: str) -> dict:
    out = {}
    for r in cat.PROACTIVE_ROWS[fmt]:
        cells = {}
        for c in r.cols:
            if c == "amount":
                cells[c] = (
                    f"{rng.randint(0, 9000)}.{rng.randint(0, 99):02d}"
                    if r.key == "fees"
                    else rng.randint(0, 900)
                )
            elif c == "items_change":
                cells[c] = rng.choice([0, 0, 1, -1, 3])
            else:
                cells[c] = rng.randint(0, 300)
        out[r.key] = cells
    return out


# ---------------------------------------------------------------- rendering
def _td(text, attrs: str = "", word: bool = False) -> str:
    t = html.escape(str(text))
    if word:
        t = (
            f'<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:10.5pt;'
            f'font-family:仿宋_GB2312">{t}<span lang="EN-US"><o:p></o:p></span></span></p>'
        )
    return f'<td{(" " + attrs) if attrs else ""} valign="middle">{t}</td>'


def _cell(spec: Spec, row: str, col: str, value):
    return spec.blanks.get((row, col), value)


# Table 二 as the templates print it: (group title, column headers, rows) per group.
_GROUPS_2021 = [
    (
        "第二十条第（一）项",
        ["本年制发件数", "本年废止件数", "现行有效件数"],
        ["regulations", "normative_documents"],
    ),
    ("第二十条第（五）项", ["本年处理决定数量"], ["licensing"]),
    ("第二十条第（六）项", ["本年处理决定数量"], ["penalty", "coercion"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["fees"]),
]
_GROUPS_2019 = [
    (
        "第二十条第（一）项",
        ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["regulations", "normative_documents"],
    ),
    (
        "第二十条第（五）项",
        ["上一年项目数量", "本年增/减", "处理决定数量"],
        ["licensing", "other_services"],
    ),
    (
        "第二十条第（六）项",
        ["上一年项目数量", "本年增/减", "处理决定数量"],
        ["penalty", "coercion"],
    ),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["fees"]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额（万元）"], ["procurement"]),
]
PROACTIVE_GROUPS = {"2021": _GROUPS_2021, "2019": _GROUPS_2019}


def table_proactive(spec: Spec) -> list[str]:
    w = spec.word_markup
    groups = PROACTIVE_GROUPS[spec.fmt]
    rows_by_key = {r.key: r for r in cat.PROACTIVE_ROWS[spec.fmt]}
    tables: list[list[str]] = [[]]
    for gi, (title, heads, keys) in enumerate(groups):
        if spec.split_tables and gi:
            tables.append([])
        t = tables[-1]
        t.append("<tr>" + _td(title, 'colspan="4" style="background:#dbe5f1"', w) + "</tr>")
        head = [_td("信息内容", "", w)]
        for i, h in enumerate(heads):
            span = 4 - len(heads) if i == len(heads) - 1 else 1
            head.append(_td(h, f'colspan="{span}"' if span > 1 else "", w))
        t.append("<tr>" + "".join(head) + "</tr>")
        for k in keys:
            r = rows_by_key[k]
            label = (
                r.label
                if not (spec.fmt == "2021" and k == "normative_documents")
                else "行政规范性文件"
            )
            cells = [_td(label, "", w)]
            for i, c in enumerate(r.cols):
                span = 4 - len(r.cols) if i == len(r.cols) - 1 else 1
                cells.append(
                    _td(
                        _cell(spec, k, c, spec.proactive[k][c]),
                        f'colspan="{span}"' if span > 1 else "",
                        w,
                    )
                )
            t.append("<tr>" + "".join(cells) + "</tr>")
    return [_table(t) for t in tables]


def _table(rows: list[str]) -> str:
    return (
        '<table border="1" cellspacing="0" cellpadding="0" width="600" style="border-collapse:collapse;'
        'border:none">\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
    )


def table_applications(spec: Spec) -> list[str]:
    w = spec.word_markup
    brk = "商业<br/>企业" if spec.split_tables else "商业企业"
    if spec.phantom_grid:
        t = [
            '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            + _td("申请人情况", 'colspan="8"', w)
            + "</tr>",
            "<tr>"
            + _td("自然人", 'colspan="2"', w)
            + _td("法人或其他组织", 'colspan="5"', w)
            + _td("总计", 'rowspan="2"', w)
            + "</tr>",
            "<tr>"
            + _td("", "", w)
            + _td("商业企业", 'colspan="2"', w)
            + "".join(_td(h, "", w) for h in ("科研机构", "社会公益组织", "法律服务机构", "其他"))
            + "</tr>",
        ]
    else:
        t = [
            '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            + _td("申请人情况", 'colspan="7"', w)
            + "</tr>",
            "<tr>"
            + _td("自然人", 'rowspan="2"', w)
            + _td("法人或其他组织", 'colspan="5"', w)
            + _td("总计", 'rowspan="2"', w)
            + "</tr>",
            "<tr>"
            + f"<td>{brk}</td>"
            + "".join(_td(h, "", w) for h in ("科研机构", "社会公益组织", "法律服务机构", "其他"))
            + "</tr>",
        ]

    def values(row: str) -> str:
        vals = spec.applications[row]
        cells = [_cell(spec, row, c, v) for c, v in zip(APPLICANT, vals)]
        cells.append(_cell(spec, row, "total", spec.total(row)))
        return "".join(
            _td(v, 'colspan="2"' if spec.phantom_grid and i == 1 else "", w)
            for i, v in enumerate(cells)
        )

    def label(row: str, text: str) -> str:
        return spec.lost_glyphs.get(row, text)

    c2, c3 = 'colspan="2"', 'colspan="3"'
    t.append(
        "<tr>" + _td("一、本年新收政府信息公开申请数量", c3, w) + values("new_received") + "</tr>"
    )
    t.append(
        "<tr>" + _td("二、上年结转政府信息公开申请数量", c3, w) + values("carried_over") + "</tr>"
    )
    other_rows = (
        ["other_no_correction", "other_no_fee", "other_other"] if spec.fmt == "2021" else ["other"]
    )
    n_outcome = 2 + 8 + 3 + 5 + len(other_rows) + 1
    t.append(
        f'<tr><td rowspan="{n_outcome}">三、本年度办理结果</td>'
        + _td("（一）予以公开", c2, w)
        + values("granted")
        + "</tr>"
    )
    t.append(
        "<tr>"
        + _td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", c2, w)
        + values("partially_granted")
        + "</tr>"
    )
    for group, head in (
        ("denied", "（三）不予公开"),
        ("unavailable", "（四）无法提供"),
        ("not_processed", "（五）不予处理"),
    ):
        keys = cat.outcome_rows(group)
        for i, k in enumerate(keys):
            text = cat.APPLICATION_ROWS[[r.key for r in cat.APPLICATION_ROWS].index(k)].label.split(
                " "
            )[-1]
            text = text.replace(
                "“三安全一稳定”", "\u201c三安全一稳定\u201d" if i % 2 else '"三安全一稳定"'
            )
            lead = _td(head, f'rowspan="{len(keys)}"', w) if i == 0 else ""
            t.append(f"<tr>{lead}{_td(label(k, text), '', w)}{values(k)}</tr>")
    if spec.fmt == "2021":
        labels = [
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ]
        for i, (k, text) in enumerate(zip(other_rows, labels)):
            lead = _td("（六）其他处理", 'rowspan="3"', w) if i == 0 else ""
            t.append(f"<tr>{lead}{_td(label(k, text), '', w)}{values(k)}</tr>")
    else:
        t.append("<tr>" + _td("（六）其他处理", c2, w) + values("other") + "</tr>")
    t.append("<tr>" + _td("（七）总计", c2, w) + values("total_processed") + "</tr>")
    t.append("<tr>" + _td("四、结转下年度继续办理", c3, w) + values("carried_forward") + "</tr>")
    return [_table(t)]


def table_appeals(spec: Spec) -> list[str]:
    w = spec.word_markup
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t = [
        "<tr>" + _td("行政复议", 'colspan="5"', w) + _td("行政诉讼", 'colspan="10"', w) + "</tr>",
        "<tr>"
        + "".join(_td(h, 'rowspan="2"', w) for h in heads)
        + _td("未经复议直接起诉", 'colspan="5"', w)
        + _td("复议后起诉", 'colspan="5"', w)
        + "</tr>",
        "<tr>" + "".join(_td(h, "", w) for h in heads * 2) + "</tr>",
        "<tr>" + "".join(_td(v, "", w) for v in spec.appeals) + "</tr>",
    ]
    return [_table(t)]


def _p(text: str, word: bool) -> str:
    if word:
        return (
            f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><span style="font-size:16.0pt;'
            f'font-family:仿宋_GB2312">{html.escape(text)}</span></p>'
        )
    return f'<p style="text-indent:2em;">{html.escape(text)}</p>'


def report_body(spec: Spec) -> str:
    w = spec.word_markup
    place = spec.issuer.replace("人民政府办公室", "").replace("人民政府", "")
    apps = spec.narrative_apps
    out = [
        _p(
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{spec.year}年度{spec.issuer}政府信息公开工作年度报告。"
            f"本报告所列数据的统计期限为{spec.year}年1月1日至{spec.year}年12月31日。{spec.scope_note}",
            w,
        ),
        "<p><strong>一、总体情况</strong></p>",
        _p(
            f"{spec.year}年，{place}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
            f"围绕中心工作推进决策、执行、管理、服务、结果公开，不断提升政务公开质量。",
            w,
        ),
        *(_p(h, w) for h in spec.highlights),
        _p(
            "（一）主动公开。在政府门户网站及时发布政策文件、财政预决算、重大建设项目等信息，做好政策解读和回应关切。",
            w,
        ),
    ]
    if apps is not None:
        out.append(
            _p(
                f"（二）依申请公开。严格依法办理政府信息公开申请，全年共受理政府信息公开申请{apps}件，均在法定期限内答复。",
                w,
            )
        )
    out += [
        _p("（三）政府信息管理。规范公文公开属性认定，动态更新政府信息公开指南和主动公开目录。", w),
        _p(
            "（四）平台建设。加强政府网站和政务新媒体管理，优化栏目设置，提升检索和无障碍服务功能。",
            w,
        ),
        _p("（五）监督保障。将政务公开纳入绩效考核，组织业务培训，强化监督检查。", w),
        "<p><strong>二、主动公开政府信息情况</strong></p>",
        *table_proactive(spec),
        "<p><strong>三、收到和处理政府信息公开申请情况</strong></p>",
        *table_applications(spec),
        *(
            []
            if spec.no_heading4
            else ["<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>"]
        ),
        *table_appeals(spec),
        "<p><strong>五、存在的主要问题及改进情况</strong></p>",
        _p(
            "一是政策解读形式较为单一；二是基层政务公开标准化规范化水平有待提高。下一步将丰富解读形式，加强业务培训。",
            w,
        ),
        "<p><strong>六、其他需要报告的事项</strong></p>",
        _p(f"本机关{spec.year}年度未收取信息处理费。", w),
    ]
    return "\n".join(out)


def _padding(kb: int, rng: random.Random) -> tuple[str, str]:
    """Navigation menus and inline scripts of the size real shells carry."""
    items = []
    size = 0
    n = 0
    while size < kb * 1024 * 0.6:
        text = f"{rng.choice(['政务公开', '政策文件', '政策解读', '新闻动态', '部门动态', '乡镇动态', '通知公告', '人事信息', '财政资金', '重点领域', '互动交流', '办事服务'])}{n}"
        item = f'<li class="nav-item"><a href="/col/col{n}/index.html" target="_blank" title="{text}">{text}</a></li>'
        items.append(item)
        size += len(item.encode())
        n += 1
    script = (
        "var _hmt=_hmt||[];(function(){var hm=document.createElement('script');hm.src='/js/stat.js';"
        "var s=document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm,s);})();\n"
    ) * max(1, kb * 4)
    return "\n".join(items), script


def render_html(spec: Spec, seed: int = 0) -> str:
    rng = random.Random(seed)
    title = f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"
    nav, script = _padding(spec.padding_kb, rng)
    body = report_body(spec)
    charset = "gb2312" if spec.site.endswith("#gbk") else "utf-8"
    pub = spec.published or f"{spec.year + 1}-01-20"
    if spec.shell == "trs":
        main = f"""
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<table class="xxgk_table" width="100%">
<tr><td class="t1">索 引 号：</td><td>11{rng.randint(1000, 9999)}00MB1{rng.randint(10000, 99999)}/{pub[:4]}-{rng.randint(10, 999):05d}</td><td class="t1">主题分类：</td><td>政务公开</td></tr>
<tr><td class="t1">发布机构：</td><td>{spec.issuer}</td><td class="t1">成文日期：</td><td>{pub}</td></tr>
<tr><td class="t1">名　　称：</td><td colspan="3">{title}</td></tr>
<tr><td class="t1">文　　号：</td><td></td><td class="t1">发布日期：</td><td>{pub}</td></tr>
</table>
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="TRS_Editor"><div class="Custom_UnionStyle">
{body}
</div></div>
</div>"""
        head_meta = ""
    elif spec.shell == "hanweb":
        main = f"""
<div class="bt_title">{title}</div>
<div class="bt_info">发布时间：{pub} 09:30 信息来源：{spec.issuer} 浏览次数：<span id="c">--</span> 【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>
<div id="zoom">
{body}
</div>"""
        head_meta = (
            f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="{pub} 09:30">\n'
            f'<meta name="ContentSource" content="{spec.issuer}">\n<meta name="ColumnName" content="政府信息公开年报">'
        )
    else:
        main = f"""
<div class="classify"><table><tr><td>索引号：</td><td>{rng.randint(100000, 999999)}/{pub[:4]}-{rng.randint(100, 999)}</td><td>分类：</td><td>政务公开</td></tr>
<tr><td>发布机构：</td><td>{spec.issuer}</td><td>成文日期：</td><td>{pub}</td></tr>
<tr><td>名称：</td><td colspan="3">{title}</td></tr><tr><td>发布日期：</td><td>{pub}</td></tr></table></div>
<div class="article-content"><h1>{title}</h1>
{body}
</div>"""
        head_meta = (
            f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="{pub}">'
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="SiteName" content="{spec.issuer}门户网站">
{head_meta}
<meta name="ogi-generated" content="tests/synth.py: a generated example, not a published report">
<title>{title}_政府信息公开年报_{spec.issuer}门户网站</title>
<link rel="stylesheet" href="/css/common.css">
<script src="/js/jquery-1.12.4.min.js"></script>
<script>{script}</script>
</head>
<body>
<div class="top-bar"><a href="/">无障碍</a> | <a href="/">长者模式</a> | <a href="/">English</a></div>
<div class="header"><div class="logo"><img src="/images/logo.png" alt="{spec.issuer}"></div>
<form action="/search"><input type="text" name="q" placeholder="请输入关键词"><button>搜索</button></form></div>
<div class="nav"><ul>
{nav}
</ul></div>
<div class="main"><p class="ogi-generated">【生成的示例数据 · generated example data】本页由 OGI Reports 生成，不是真实发布的报告。</p>{main}
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="footer">
<p>主办单位：{spec.issuer}办公室　承办单位：{spec.issuer}信息中心</p>
<p>网站标识码：{rng.randint(1000000000, 9999999999)}　<a href="https://beian.miit.gov.cn/">ICP备{rng.randint(10000000, 99999999)}号</a>　公网安备 {rng.randint(10**13, 10**14 - 1)}号</p>
<p><a href="http://bszs.conac.cn/"><img src="/images/dzjg.png" alt="党政机关"></a> <a href="/">找错</a></p>
</div>
</body>
</html>
"""


def write_html(spec: Spec, path: Path, seed: int = 0) -> None:
    text = render_html(spec, seed)
    enc = "gb18030" if spec.site.endswith("#gbk") else "utf-8"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(enc))


# ---------------------------------------------------------------- text dumps
def _clean_doc(spec: Spec):
    from lxml import etree

    title = f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"
    page = f"<html><body><p>{title}</p>{report_body(spec)}</body></html>"
    return etree.fromstring(page, etree.HTMLParser()), title


def _cut(text: str, rng: random.Random) -> list[str]:
    """A text broken in two where a <br>, a span boundary or a PDF line break would break it."""
    if len(text) < 4:
        return [text]
    i = rng.randint(2, len(text) - 2)
    return [text[:i], text[i:]]


def text_nodes(
    spec: Spec, seed: int = 0, split_numbers: float = 0.2, split_labels: float = 0.35
) -> str:
    """The report as a crawled archive dumps an HTML page: one text node per line, blank lines
    between them, labels and header words broken (本年新 / 制作数量), the title's year and some
    headings broken (20 / 23年), and numbers split over two lines (2 / 45 for 245)."""
    from pipeline.cells import parse_cell

    rng = random.Random(seed)
    doc, title = _clean_doc(spec)
    out: list[str] = []
    for node in doc.iter():
        for text in (node.text, node.tail) if node.tag not in ("html", "body") else ():
            t = " ".join((text or "").split())
            if not t:
                continue
            if t == title:
                y = t.index(str(spec.year))
                out += [t[: y + 2], t[y + 2 :]]  # 白沙县…20 / 23年…
            elif t.isdigit() and len(t) >= 2 and rng.random() < split_numbers:
                i = rng.randint(1, len(t) - 1)
                out += [t[:i], t[i:]]
            elif not parse_cell(t)[0] and len(t) <= 40 and rng.random() < split_labels:
                out += _cut(t, rng)
            else:
                out.append(t)
    return "\n\n".join(out) + "\n"


def glued_tables(spec: Spec) -> str:
    """The report with every table on one line and no separator between its cells — the form
    pdfplumber's extract_text gives for close cells and some dumps give for whole tables:
    一、本年新收政府信息公开申请数量640020470二、上年结转…"""
    doc, _ = _clean_doc(spec)
    body = doc.find("body")
    out = []
    for el in body:
        text = "".join(el.itertext())
        out.append("".join(text.split()) if el.tag == "table" else " ".join(text.split()))
    return "\n".join(t for t in out if t) + "\n"


# ---------------------------------------------------------------- the bundled samples
def _apps2021_baiyun() -> dict:
    z = [0] * 6
    a = {k: list(z) for k in [r.key for r in cat.APPLICATION_ROWS]}
    a["new_received"] = [152, 9, 0, 1, 3, 2]
    a["carried_over"] = [6, 1, 0, 0, 0, 0]
    a["granted"] = [61, 4, 0, 1, 1, 1]
    a["partially_granted"] = [12, 1, 0, 0, 0, 0]
    a["denied_third_party"] = [3, 0, 0, 0, 0, 0]
    a["denied_process"] = [2, 1, 0, 0, 0, 0]
    a["unavailable_not_held"] = [41, 2, 0, 0, 1, 0]
    a["unavailable_unclear"] = [4, 0, 0, 0, 0, 0]
    a["not_processed_petition"] = [9, 0, 0, 0, 0, 0]
    a["not_processed_repeat"] = [5, 0, 0, 0, 0, 0]
    a["other_no_correction"] = [7, 1, 0, 0, 0, 0]
    a["other_other"] = [3, 0, 0, 0, 0, 0]
    outcome = [
        k
        for k in a
        if k not in ("new_received", "carried_over", "total_processed", "carried_forward", "other")
        and not k.endswith("_subtotal")
    ]
    a["total_processed"] = [sum(a[k][i] for k in outcome) for i in range(6)]
    a["carried_forward"] = [
        n + c - t for n, c, t in zip(a["new_received"], a["carried_over"], a["total_processed"])
    ]
    for k in ("other", "denied_subtotal", "unavailable_subtotal", "not_processed_subtotal"):
        a.pop(k)
    return a


def sample_specs() -> dict[str, Spec]:
    baiyun = Spec(
        issuer="白云湾区人民政府",
        year=2023,
        fmt="2021",
        shell="trs",
        published="2024-01-26",
        site="www.baiyunwan.gov.cn",
        word_markup=True,
        proactive={
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 4, "repealed": 1, "in_force": 23},
            "licensing": {"decisions": 12876},
            "penalty": {"decisions": 1043},
            "coercion": {"decisions": 37},
            "fees": {"amount": "1253.47"},
        },
        applications=_apps2021_baiyun(),
        appeals=[2, 1, 0, 1, 4, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0],
    )
    baiyun.narrative_apps = sum(baiyun.applications["new_received"])
    # 2019 trial format, GBK page of a township government (2020 report).
    z = [0] * 6
    apps19 = {
        k: list(z)
        for k in [
            "new_received",
            "carried_over",
            "granted",
            "partially_granted",
            *cat.outcome_rows("denied"),
            *cat.outcome_rows("unavailable"),
            *cat.outcome_rows("not_processed"),
            "other",
            "total_processed",
            "carried_forward",
        ]
    }
    apps19["new_received"] = [3, 0, 0, 0, 0, 0]
    apps19["granted"] = [2, 0, 0, 0, 0, 0]
    apps19["unavailable_not_held"] = [1, 0, 0, 0, 0, 0]
    apps19["total_processed"] = [3, 0, 0, 0, 0, 0]
    shiqiao = Spec(
        issuer="石桥镇人民政府",
        year=2020,
        fmt="2019",
        shell="hanweb",
        published="2021-01-18",
        site="www.shiqiao.gov.cn#gbk",
        proactive={
            "regulations": {"made": 0, "published": 0, "total_public": 0},
            "normative_documents": {"made": 2, "published": 2, "total_public": 9},
            "licensing": {"items_prev_year": 4, "items_change": "+1", "decisions": 56},
            "other_services": {"items_prev_year": 12, "items_change": -2, "decisions": 310},
            "penalty": {"items_prev_year": 3, "items_change": 0, "decisions": 7},
            "coercion": {"items_prev_year": 0, "items_change": 0, "decisions": 0},
            "fees": {"items_prev_year": 0, "items_change": 0},
            "procurement": {"projects": 3, "amount": "86.5"},
        },
        applications=apps19,
        appeals=[0] * 15,
        narrative_apps=3,
        blanks={("coercion", "decisions"): "/", ("carried_over", "total"): "—"},
    )
    shiqiao.blanks = {("coercion", "decisions"): "/"}
    # A department (2022), gkmlpt-style page, tables split per item group, blanks and br in labels.
    apps_dep = {k: list(z) for k in _apps2021_baiyun()}
    apps_dep["new_received"] = [18, 2, 0, 0, 0, 0]
    apps_dep["granted"] = [9, 1, 0, 0, 0, 0]
    apps_dep["unavailable_not_held"] = [6, 1, 0, 0, 0, 0]
    apps_dep["other_other"] = [1, 0, 0, 0, 0, 0]
    apps_dep["total_processed"] = [16, 2, 0, 0, 0, 0]
    apps_dep["carried_forward"] = [2, 0, 0, 0, 0, 0]
    lvshui = Spec(
        issuer="绿水市市场监督管理局",
        year=2022,
        fmt="2021",
        shell="gkmlpt",
        published="2023-01-30",
        site="amr.lvshui.gov.cn",
        split_tables=True,
        proactive={
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 1, "repealed": 0, "in_force": 6},
            "licensing": {"decisions": 8421},
            "penalty": {"decisions": 652},
            "coercion": {"decisions": 48},
            "fees": {"amount": 0},
        },
        applications=apps_dep,
        appeals=[1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
        narrative_apps=20,
        blanks={
            ("regulations", "issued"): "—",
            ("regulations", "repealed"): "—",
            ("regulations", "in_force"): "—",
        },
    )
    # A 2022 jurisdiction aggregate that still prints the 2019 template (detect from headers, not year).
    apps_agg = {k: list(v) for k, v in apps19.items()}
    apps_agg["new_received"] = [1204, 88, 3, 5, 21, 9]
    apps_agg["carried_over"] = [31, 2, 0, 0, 1, 0]
    apps_agg["granted"] = [512, 40, 2, 3, 9, 4]
    apps_agg["partially_granted"] = [96, 9, 0, 0, 2, 1]
    apps_agg["denied_third_party"] = [11, 2, 0, 0, 0, 0]
    apps_agg["unavailable_not_held"] = [402, 25, 1, 1, 7, 3]
    apps_agg["not_processed_repeat"] = [38, 1, 0, 0, 0, 0]
    apps_agg["other"] = [140, 9, 0, 1, 3, 1]
    apps_agg["total_processed"] = [
        sum(
            apps_agg[k][i]
            for k in apps_agg
            if k not in ("new_received", "carried_over", "total_processed", "carried_forward")
        )
        for i in range(6)
    ]
    apps_agg["carried_forward"] = [
        n + c - t
        for n, c, t in zip(
            apps_agg["new_received"], apps_agg["carried_over"], apps_agg["total_processed"]
        )
    ]
    qingshan = Spec(
        issuer="青杉市",
        year=2022,
        fmt="2019",
        shell="trs",
        published="2023-03-28",
        site="www.qingshan.gov.cn",
        scope_note="本报告涵盖市政府各部门、各区县人民政府的政府信息公开工作情况。",
        proactive={
            "regulations": {"made": 2, "published": 2, "total_public": 41},
            "normative_documents": {"made": 37, "published": 37, "total_public": 612},
            "licensing": {"items_prev_year": 1320, "items_change": 14, "decisions": 402117},
            "other_services": {"items_prev_year": 860, "items_change": -21, "decisions": 1209934},
            "penalty": {"items_prev_year": 5102, "items_change": 33, "decisions": 28770},
            "coercion": {"items_prev_year": 210, "items_change": 0, "decisions": 1311},
            "fees": {"items_prev_year": 96, "items_change": -4},
            "procurement": {"projects": 1877, "amount": "352910.26"},
        },
        applications=apps_agg,
        appeals=[21, 6, 3, 4, 34, 12, 2, 4, 5, 23, 3, 1, 0, 1, 5],
    )
    qingshan.narrative_apps = sum(apps_agg["new_received"])
    # Own numbers break the balance identity: 47 + 2 received vs 44 processed + 6 carried forward.
    apps_bad = {k: list(z) for k in _apps2021_baiyun()}
    apps_bad["new_received"] = [45, 2, 0, 0, 0, 0]
    apps_bad["carried_over"] = [2, 0, 0, 0, 0, 0]
    apps_bad["granted"] = [20, 1, 0, 0, 0, 0]
    apps_bad["unavailable_not_held"] = [21, 1, 0, 0, 0, 0]
    apps_bad["other_no_correction"] = [1, 0, 0, 0, 0, 0]
    apps_bad["total_processed"] = [42, 2, 0, 0, 0, 0]
    apps_bad["carried_forward"] = [6, 0, 0, 0, 0, 0]
    hongye = Spec(
        issuer="红叶县人民政府办公室",
        year=2021,
        fmt="2021",
        shell="hanweb",
        published="2022-01-27",
        site="www.hongye.gov.cn",
        proactive={
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 3, "repealed": 0, "in_force": 18},
            "licensing": {"decisions": 0},
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount": 0},
        },
        applications=apps_bad,
        appeals=[0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        narrative_apps=47,
    )
    return {
        "baiyunwan-2023-trs.html": baiyun,
        "shiqiao-2020-hanweb-gbk.html": shiqiao,
        "lvshui-amr-2022-gkmlpt.html": lvshui,
        "qingshan-2022-aggregate-2019template.html": qingshan,
        "hongye-2021-balance-break.html": hongye,
    }


# ---------------------------------------------------------------- the generated example panel
PANEL_DIR = ROOT / "data" / "demo" / "generated"
# (issuer, scope note, level of activity: applications per year, years it published)
PANEL_BODIES = [
    ("青杉市人民政府", "", (150, 400), range(2019, 2025)),
    ("青杉市自然资源和规划局", "", (80, 250), range(2019, 2025)),
    ("青杉市公安局", "", (40, 120), range(2019, 2025)),
    ("青杉市住房和城乡建设局", "", (40, 150), range(2019, 2025)),
    ("青杉市生态环境局", "", (10, 40), range(2019, 2025)),
    ("青杉市教育局", "", (5, 30), [2019, 2020, 2022, 2023, 2024]),  # no report for 2021: a gap
    ("青杉市市场监督管理局", "", (10, 60), range(2020, 2025)),
    ("白沙县人民政府", "", (20, 80), range(2019, 2025)),
    ("青峰县人民政府", "", (10, 50), range(2019, 2025)),
    (
        "白沙县",
        "本报告由白沙县人民政府办公室汇总编制，涵盖县政府各部门、各乡镇人民政府的政府信息公开工作情况。",
        (60, 200),
        range(2019, 2025),
    ),
]
HIGHLIGHTS = [
    "围绕优化营商环境，集中公开涉企政策{n}项，编印政策汇编并开展“政策进企业”宣讲活动。",
    "聚焦乡村振兴，公开衔接资金项目{n}个，资金分配结果和项目实施情况全部上网公示。",
    "推进重大建设项目信息公开，公开批准、实施、竣工等环节信息{n}条。",
    "完善政策解读机制，以图解、视频、问答等形式解读重要政策文件{n}件，主要负责同志带头解读。",
    "办理人大代表建议和政协委员提案{n}件，办理结果全部依法公开。",
    "组织“政府开放日”活动{n}场，邀请市民代表走进机关、参与政策讨论。",
    "规范政务新媒体管理，关停整合长期不更新账号{n}个，统一审核发布流程。",
    "推进基层政务公开标准化规范化，更新公开事项目录{n}项。",
    "做好财政预决算公开，{n}个部门按时公开部门预算和决算，公开“三公”经费说明。",
    "开展政务公开业务培训{n}次，覆盖各部门、各乡镇信息公开工作人员。",
    "推进公共资源配置领域信息公开，公开招标投标、政府采购等信息{n}条。",
    "回应社会关切，发布权威信息和政策问答{n}条，及时澄清不实信息。",
    "加强政府信息公开保密审查，健全“先审查、后公开”和“一事一审”制度，审查文件{n}件。",
    "完善依申请公开办理流程，建立登记、审核、答复全流程台账，平均答复时间缩短至{n}个工作日。",
]
SHARES = {
    "granted": 0.40,
    "partially_granted": 0.10,
    "denied_third_party": 0.02,
    "denied_process": 0.02,
    "denied_internal": 0.01,
    "unavailable_not_held": 0.22,
    "unavailable_needs_creation": 0.02,
    "unavailable_unclear": 0.02,
    "not_processed_petition": 0.05,
    "not_processed_repeat": 0.03,
}


def panel_specs(seed: int = 2026) -> dict[str, Spec]:
    """A believable small panel for the default corpus: one city's government, six departments
    and two counties (one with its aggregate) over 2019–2024, applications carried from each
    year to the next, realistic volumes and outcomes. Every page is marked generated."""
    rng = random.Random(seed)
    out = {}
    for b, (issuer, note, (lo, hi), years) in enumerate(PANEL_BODIES):
        carried = [rng.randint(0, 3), 0, 0, 0, 0, 0]
        level = rng.randint(lo, hi)
        in_force = {"regulations": rng.randint(0, 3), "normative_documents": rng.randint(5, 40)}
        for year in years:
            fmt = "2019" if year < 2021 else "2021"
            proactive = _random_proactive(rng, fmt)
            if fmt == "2021":  # stocks that flow: in force = last year's + issued − repealed
                for row in in_force:
                    cells = proactive[row]
                    cells["repealed"] = min(cells["repealed"] % 4, in_force[row])
                    cells["issued"] = cells["issued"] % (6 if row == "regulations" else 15)
                    in_force[row] += cells["issued"] - cells["repealed"]
                    cells["in_force"] = in_force[row]
            highlights = [h.format(n=rng.randint(3, 60)) for h in rng.sample(HIGHLIGHTS, 5)]
            level = max(lo, min(hi, int(level * rng.uniform(0.8, 1.3))))
            people = int(level * rng.uniform(0.75, 0.95))
            new = [people] + [
                rng.choice([0, 0, 1, 2, 3]) if i != 0 else max(0, level - people) for i in range(5)
            ]
            apps = _outcomes(rng, new, carried, fmt)
            appeals = []
            for _ in range(3):
                four = [rng.choice([0, 0, 0, 1]) for _ in range(4)]
                appeals += four + [sum(four)]
            if issuer.endswith("人民政府") and sum(apps["new_received"]) > 100:
                appeals[0] += 2
                appeals[4] += 2
            spec = Spec(
                issuer=issuer,
                year=year,
                fmt=fmt,
                shell=["trs", "hanweb", "gkmlpt"][b % 3],
                published=f"{year + 1}-01-{rng.randint(10, 28):02d}",
                site=f"www.panel{b}.gov.cn",
                scope_note=note,
                proactive=proactive,
                applications=apps,
                appeals=appeals,
                narrative_apps=sum(apps["new_received"]),
                padding_kb=4,
                highlights=highlights,
            )
            out[f"{year}-{issuer}.html"] = spec
            carried = list(apps["carried_forward"])
    return out


def _outcomes(
    rng: random.Random, new: list[int], carried: list[int], fmt: str
) -> dict[str, list[int]]:
    """Outcome rows for the applications of one year (per applicant column), carried forward
    what is left; every identity of table 三 holds."""
    keys = [
        r.key
        for r in cat.APPLICATION_ROWS
        if r.key
        not in ("new_received", "carried_over", "total_processed", "carried_forward", "other")
        and not r.key.endswith("_subtotal")
    ]
    if fmt == "2019":
        keys = [k for k in keys if k not in cat.OTHER_PARTS] + ["other"]
    apps = {k: [0] * 6 for k in keys}
    forward = []
    for c in range(6):
        pool = new[c] + carried[c]
        fwd = min(pool, rng.choice([0, 0, 1, 2])) if pool else 0
        left = pool - fwd
        for k, share in SHARES.items():
            n = min(left, int(round(pool * share * rng.uniform(0.7, 1.3))))
            apps[k][c] += n
            left -= n
        apps["other" if fmt == "2019" else "other_other"][c] += left
        forward.append(fwd)
    apps["new_received"] = list(new)
    apps["carried_over"] = list(carried)
    apps["total_processed"] = [sum(apps[k][c] for k in keys) for c in range(6)]
    apps["carried_forward"] = forward
    return apps


def main() -> None:
    out = SAMPLES_DIR
    for i, (name, spec) in enumerate(sample_specs().items()):
        write_html(spec, out / name, seed=i)
        print(out / name)
    for i, (name, spec) in enumerate(panel_specs().items()):
        write_html(spec, PANEL_DIR / name, seed=i)
    print(f"{PANEL_DIR}: {len(panel_specs())} generated reports")


def real_size_pages(n: int, seed: int = 1) -> list[tuple[Spec, bytes]]:
    """Report pages of the size county portals serve them (60–400 KB, tables pasted from Word),
    with their specs: the benchmarks' HTML corpus."""
    import dataclasses

    rng = random.Random(seed)
    out = []
    for i in range(n):
        spec = dataclasses.replace(
            random_spec(rng, i),
            word_markup=True,
            padding_kb=rng.choice([40, 60, 90, 140, 220, 300]),
        )
        out.append((spec, render_html(spec, seed=i).encode("utf-8")))
    return out


if __name__ == "__main__":
    main()
