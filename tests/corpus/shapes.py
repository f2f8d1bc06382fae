"""Layout mutations: every report with known values rewritten in the shapes real text takes.

Real reports reach us as whatever a crawler, a PDF-to-text tool or a transcriber made of them. A
reader built from the samples we have meets each new *shape* of text unprepared, so the accuracy
harness does not enumerate examples: it takes every report whose values are known — the
generated specs (:mod:`.synth`) and the real reports in ``data/samples/real-pages/`` with their
checked values — lays it out as a neutral document (title, paragraphs, headings, the three
tables as rows of label and cells) and prints that document in many shapes:

layouts (how a table row becomes text)
    spaced        label and numbers on one line, separated by spaces; blank cells vanish
    token_lines   one token a line, blank lines between (a crawler's text dump); blanks vanish
    label_apart   a row's label on one line, its numbers on the next
    pipes         a transcription: ``| label | 0 | 0 |`` rows, a ``|---|`` rule under the header,
                  some labels on a pipe line of their own, table 四 one row of 15 numbers
    glued_rows    each row on one line, label and digits run together, no separators

mutations (applied on top of a layout)
    split_digits  numbers of two or more digits broken over two lines (token_lines)
    split_labels  labels and header words broken over two lines (本年新 / 制作数量)
    drop_blanks   some zero cells printed blank (so they vanish where blanks vanish)
    merged_zero   rows whose cells are all zero printed as one ``0`` (a merged cell)
    prose         long prose before and between the tables: a heading's pieces on lines of
                  their own (（ / 五 / ）监督保障方面。), 一是/二是 paragraphs, place names alone
                  on a line, citations of 第二十条 and of 行政复议/行政诉讼 cases, counts of
                  the tables' own rows (办理行政许可 2629 件); in token_lines each number of
                  the prose on a line of its own, as a CMS's <span>s dump
    repeats       page footers and the running title inside the tables, then the header again
    no_fifth      no 五、 or 六、 heading after table 四: the prose (with its numbers) runs on
    traditional   the whole text in traditional characters
    no_title      no title line: the year and the body only in the first sentence
    chrome        page chrome before the report: 正文, 标题：…, 来源：…, 发布机构：…, 索引号：…

:func:`documents` yields ``(shape, name, text, truth)``; the truth is
:func:`.forms.truth` of the spec after the mutation (a cell printed blank is None).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pipeline import catalogue as cat

from . import SAMPLES
from .synth import APPLICANT, PROACTIVE_GROUPS, Spec, _cut

REAL_PAGES = SAMPLES / "real-pages"
LAYOUTS = ("spaced", "token_lines", "label_apart", "pipes", "glued_rows")
MUTATIONS = (
    "split_digits",
    "split_labels",
    "drop_blanks",
    "merged_zero",
    "prose",
    "repeats",
    "no_fifth",
    "traditional",
    "no_title",
    "chrome",
)


# ---------------------------------------------------------------- the neutral document
@dataclass
class Row:
    label: list[str]  # the label cells, outermost first (（三）不予公开 / 1.属于国家秘密)
    values: list[str]  # the cells as printed; "" is a blank cell


@dataclass
class Table:
    no: int  # 2, 3 or 4
    items: list  # ("head", [cells]) | Row, in printed order


@dataclass
class Doc:
    blocks: list = field(default_factory=list)  # ("title"|"para"|"heading", text) | Table


def _printed(spec: Spec, row: str, col: str, value) -> str:
    if (row, col) in spec.blanks:
        return spec.blanks[(row, col)]
    return "" if value is None else str(value)


def _proactive(spec: Spec) -> Table:
    groups = PROACTIVE_GROUPS[spec.fmt]
    rows = {r.key: r for r in cat.PROACTIVE_ROWS[spec.fmt]}
    items: list = []
    for title, heads, keys in groups:
        items += [("head", [title]), ("head", ["信息内容", *heads])]
        for k in keys:
            if k not in spec.proactive:
                continue
            label = (
                "行政规范性文件"
                if spec.fmt == "2021" and k == "normative_documents"
                else rows[k].label
            )
            items.append(
                Row([label], [_printed(spec, k, c, spec.proactive[k].get(c)) for c in rows[k].cols])
            )
    return Table(2, items)


_GROUP_HEAD = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
}


def _applications(spec: Spec) -> Table:
    items: list = [
        (
            "head",
            ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ),
        ("head", ["自然人", "法人或其他组织", "总计"]),
        ("head", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]),
    ]
    labels = {r.key: r.label.split(" ")[-1] for r in cat.APPLICATION_ROWS}
    labels["other_no_correction"] = (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    )
    labels["other_no_fee"] = (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    labels.update(
        {
            "new_received": "一、本年新收政府信息公开申请数量",
            "carried_over": "二、上年结转政府信息公开申请数量",
        }
    )
    labels.update(
        {
            "granted": "（一）予以公开",
            "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        }
    )
    labels.update(
        {
            "other": "（六）其他处理",
            "total_processed": "（七）总计",
            "carried_forward": "四、结转下年度继续办理",
        }
    )

    def row(key: str, *outer: str) -> Row:
        vals = spec.applications[key]
        cells = [_printed(spec, key, c, v) for c, v in zip(APPLICANT, vals)]
        cells.append(_printed(spec, key, "total", spec.total(key)))
        return Row([*outer, spec.lost_glyphs.get(key, labels[key])], cells)

    items += [
        row("new_received"),
        row("carried_over"),
        row("granted", "三、本年度办理结果"),
        row("partially_granted"),
    ]
    for group, head in _GROUP_HEAD.items():
        for i, k in enumerate(cat.outcome_rows(group)):
            if k in spec.applications:
                items.append(row(k, *([head] if i == 0 else [])))
    if "other" not in spec.applications:
        for i, k in enumerate(["other_no_correction", "other_no_fee", "other_other"]):
            items.append(row(k, *(["（六）其他处理"] if i == 0 else [])))
    else:
        items.append(row("other"))
    items += [row("total_processed"), row("carried_forward")]
    return Table(3, items)


def _appeals(spec: Spec) -> Table:
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return Table(
        4,
        [
            ("head", ["行政复议", "行政诉讼"]),
            ("head", [*heads, "未经复议直接起诉", "复议后起诉"]),
            ("head", heads * 2),
            Row([], [str(v) for v in spec.appeals]),
        ],
    )


def neutral(spec: Spec, prose: list[str] = ()) -> Doc:
    """The report as title, paragraphs, headings and tables (what every shape prints)."""
    place = spec.issuer.replace("人民政府办公室", "").replace("人民政府", "")
    b: list = [
        ("title", f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"),
        (
            "para",
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{spec.year}年度"
            f"{spec.issuer}政府信息公开工作年度报告。本报告所列数据的统计期限为{spec.year}年1月1日至"
            f"{spec.year}年12月31日。{spec.scope_note}",
        ),
        ("heading", "一、总体情况"),
        ("para", f"{spec.year}年，{place}认真贯彻落实《条例》，不断提升政务公开质量。"),
        *(("para", p) for p in prose),
        ("heading", "二、主动公开政府信息情况"),
        _proactive(spec),
        ("heading", "三、收到和处理政府信息公开申请情况"),
        _applications(spec),
        ("heading", "四、政府信息公开行政复议、行政诉讼情况"),
        _appeals(spec),
        ("heading", "五、存在的主要问题及改进情况"),
        ("para", "一是政策解读形式较为单一；二是基层政务公开标准化规范化水平有待提高。"),
        ("heading", "六、其他需要报告的事项"),
        ("para", f"本机关{spec.year}年度未收取信息处理费。"),
    ]
    return Doc(b)


# ---------------------------------------------------------------- mutations of the document
_DERAIL = [
    # a heading's pieces on lines of their own, as a CMS splits <span>s
    ["（", "五", "）监督保障方面。"],
    ["二", "、", "主动公开政府信息情况方面"],
    ["三是", "依申请公开方面，全年共办理政府信息公开申请。"],
]
_CITATIONS = [
    "严格落实《条例》第二十条规定，主动公开规章、行政规范性文件、行政许可、行政处罚、行政强制等信息。",
    "依据《条例》第二十条第（一）项至第（十五）项，及时更新主动公开目录，本年度新增规范性文件、行政处罚决定等信息。",
    "全年因政府信息公开引起的行政复议案件2件、行政诉讼案件1件，均已审结，结果维持。",
    "一是完善依申请公开办理流程，规范受理、登记、办理、答复各环节；二是加强答复文书合法性审查；三是做好行政复议、行政诉讼应诉工作。",
    "本年新收政府信息公开申请数量较上年有所增加，上年结转的申请均已办结，予以公开、部分公开的比例保持稳定。",
]
_PLACES = ["城关镇", "东街社区", "县发展和改革局", "区住房和城乡建设局"]
_COUNTS = [
    "全年主动公开政府信息{a}条，其中行政规范性文件{b}件，行政许可{c}件，行政处罚{d}件。",
    "全年共受理政府信息公开申请{a}件，其中自然人{b}件、商业企业{c}件，予以公开{d}件，不予公开{b}件。",
    "本年度发生政府信息公开行政复议{b}件、行政诉讼{c}件，结果维持{b}件，结果纠正{d}件。",
    "上年结转政府信息公开申请{b}件，结转下年度继续办理{c}件；本机关不掌握相关政府信息{d}件。",
]


@lru_cache(maxsize=1)
def real_prose() -> tuple[str, ...]:
    """Section 一 of the real pages (long 总体情况 prose as published), paragraph by paragraph."""
    from pipeline.api import extract_file

    out: list[str] = []
    for path in sorted(REAL_PAGES.glob("*.html")):
        for s in extract_file(path).sections:
            if s.no == 1:
                out += [p for p in s.body.split("\n") if len(p) > 30]
    return tuple(out)


def _with_prose(doc: Doc, rng: random.Random) -> Doc:
    """Long prose with derailers in section 一 and short notes between the tables."""
    real = list(real_prose())
    out: list = []
    for block in doc.blocks:
        out.append(block)
        if block == ("heading", "一、总体情况"):
            for _ in range(rng.randint(3, 6)):
                r = rng.random()
                if r < 0.3 and real:
                    out.append(("para", rng.choice(real)))
                elif r < 0.5:
                    out += [("para", p) for p in rng.choice(_DERAIL)]
                elif r < 0.6:
                    out.append(("para", rng.choice(_PLACES)))
                elif r < 0.8:
                    nums = {k: rng.choice([1, 2, 7, 16, 38, 245, 2629]) for k in "abcd"}
                    out.append(("para", rng.choice(_COUNTS).format(**nums)))
                else:
                    out.append(("para", rng.choice(_CITATIONS)))
        elif isinstance(block, Table) and block.no in (2, 3):
            out.append(("para", f"注：{rng.choice(_CITATIONS)}"))
    return Doc(out)


def _without_fifth(doc: Doc) -> Doc:
    """No 五、 or 六、 heading: table 四's numbers run on into the prose that follows."""
    return Doc(
        [b for b in doc.blocks if not (isinstance(b, tuple) and b[1].startswith(("五、", "六、")))]
    )


def _repeats(doc: Doc, spec: Spec, rng: random.Random) -> Doc:
    """A page break inside tables 二 and 三: footer, running title, page number, the header again."""
    title = f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"
    out: list = []
    for block in doc.blocks:
        if isinstance(block, Table) and block.no in (2, 3):
            rows = [i for i, it in enumerate(block.items) if isinstance(it, Row)]
            cut = rows[len(rows) // 2] if rows else 0
            heads = [it for it in block.items[:cut] if not isinstance(it, Row)]
            page = rng.randint(2, 5)
            chrome = [
                ("foot", f"- {page} -"),
                ("foot", title),
                ("foot", f"第 {page + 1} 页 共 9 页"),
            ]
            repeat = heads[-2:] if block.no == 2 else heads  # the header of the part cut
            items = block.items[:cut] + chrome + repeat + block.items[cut:]
            out.append(Table(block.no, items))
        else:
            out.append(block)
    return Doc(out)


def _drop_blanks(spec: Spec, rng: random.Random) -> Spec:
    """Some zero cells printed blank (their truth then is None)."""
    blanks = dict(spec.blanks)
    zeros = [
        (row, col)
        for row, vals in spec.applications.items()
        for col, v in zip(APPLICANT, vals)
        if v == 0 and (row, col) not in blanks
    ]
    for cell in rng.sample(zeros, min(len(zeros), rng.randint(1, 4))):
        blanks[cell] = ""
    return dataclasses.replace(spec, blanks=blanks)


def _merged_zero(doc: Doc) -> Doc:
    """Rows whose cells are all zero printed as one 0, as a merged cell prints."""
    out: list = []
    for block in doc.blocks:
        if isinstance(block, Table) and block.no == 3:
            items = [
                Row(it.label, ["0"]) if isinstance(it, Row) and set(it.values) == {"0"} else it
                for it in block.items
            ]
            out.append(Table(3, items))
        else:
            out.append(block)
    return Doc(out)


def _chrome(doc: Doc, spec: Spec) -> Doc:
    title = doc.blocks[0][1]
    chrome = [
        ("para", "正文"),
        ("para", f"索引号：11{spec.year}0000/{spec.year + 1}-00012"),
        ("para", f"标题：{title}"),
        ("para", f"发布机构：{spec.issuer}"),
        ("para", "来源：本网"),
        ("para", "字号：大 中 小"),
    ]
    return Doc(chrome + doc.blocks)


# ---------------------------------------------------------------- layouts: a document as text
def _row_cells(item) -> tuple[list[str], list[str]]:
    if isinstance(item, Row):
        return item.label, item.values
    return item[1], []


def _split(token: str, rng: random.Random, p: float) -> list[str]:
    if token.isdigit() and len(token) >= 2 and rng.random() < p:
        i = rng.randint(1, len(token) - 1)
        return [token[:i], token[i:]]
    return [token]


def _numbers_apart(text: str, rng: random.Random) -> list[str]:
    """A paragraph as a CMS dump prints it when its numbers are <span>s: each on a line."""
    if rng.random() < 0.3:
        return [text]
    return [p for p in re.split(r"(\d+)", text) if p]


def render(
    doc: Doc, layout: str, rng: random.Random, split_digits: float = 0.0, split_labels: float = 0.0
) -> str:
    lines: list[str] = []
    sep = "\n\n" if layout == "token_lines" else "\n"
    for block in doc.blocks:
        if not isinstance(block, Table):
            if layout == "token_lines" and block[0] == "para":
                lines += _numbers_apart(block[1], rng)
            else:
                lines.append(block[1])
            continue
        for k, item in enumerate(block.items):
            if isinstance(item, tuple) and item[0] == "foot":
                lines.append(item[1])
                continue
            label, values = _row_cells(item)
            if layout == "token_lines":
                for t in label:
                    lines += _cut(t, rng) if rng.random() < split_labels else [t]
                for t in values:
                    if t.strip():
                        lines += _split(t, rng, split_digits)
            elif layout == "spaced":
                lines.append(" ".join([*label, *(v for v in values if v.strip())]))
            elif layout == "label_apart":
                if label:
                    lines.append(" ".join(label))
                if values:
                    lines.append(" ".join(v for v in values if v.strip()))
            elif layout == "pipes":
                text = " ".join(label)
                tail = ""
                if isinstance(item, Row) and len(text) > 12 and rng.random() < 0.3:
                    cut = rng.randint(6, len(text) - 4)
                    text, tail = text[:cut], text[cut:]  # the label wraps: its tail on a row below
                if isinstance(item, Row) and label and not tail and rng.random() < 0.4:
                    lines.append("| " + text + " |")  # the label on a line apart
                    lines.append("| | " + " | ".join(values) + " |")
                else:
                    cells = ([text] if label else []) + values if values else label
                    lines.append("| " + " | ".join(cells) + " |")
                if tail:
                    lines.append("| " + tail + " |" + " |" * len(values))
                if k == 0 and not isinstance(item, Row):
                    lines.append("|" + "---|" * max(2, len(label)))
            elif layout == "glued_rows":
                lines.append("".join(label) + "".join(v for v in values if v.strip()))
            else:
                raise ValueError(layout)
    return sep.join(lines) + "\n"


# ---------------------------------------------------------------- the corpus
def spec_from_expected(path: Path) -> Spec | None:
    """A real page's checked values as a Spec (None when a table is incomplete or missing)."""
    e = json.loads(path.read_text())
    if e.get("format") not in ("2019", "2021") or not all(e.get(t) for t in cat.MANDATED):
        return None
    blanks: dict = {}
    proactive = {}
    fmt_rows = {r.key: r.cols for r in cat.PROACTIVE_ROWS[e["format"]]}
    for row, cols in e["proactive"].items():
        proactive[row] = {}
        for col, v in cols.items():
            if col not in fmt_rows.get(row, ()):
                continue  # amount_raw: the 元 a page printed (the spec prints 万元)
            if v is None:
                blanks[(row, col)] = ""
            proactive[row][col] = str(v) if isinstance(v, float) else v
    apps, totals = {}, {}
    for row, cols in e["applications"].items():
        if row.endswith("_subtotal"):
            continue
        vals = [cols.get(c) for c in APPLICANT]
        for c, v in zip(APPLICANT, vals):
            if v is None:
                blanks[(row, c)] = ""
        apps[row] = vals
        if cols.get("total") is None:
            blanks[(row, "total")] = ""
        elif cols["total"] != sum(v for v in vals if v is not None):
            totals[row] = cols["total"]
    appeals = [
        e["appeals"].get(r, {}).get(c)
        for r in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    if None in appeals:
        return None
    issuer = re.sub(r"[（(][^）)]*[)）]", "", e.get("jurisdiction") or path.stem)
    return Spec(
        issuer=issuer,
        year=e["year"],
        fmt=e["format"],
        proactive=proactive,
        applications=apps,
        totals=totals,
        appeals=appeals,
        blanks=blanks,
    )


def known_reports(n_random: int = 6, seed: int = 11) -> dict[str, Spec]:
    """The generated samples, the real pages with complete tables, and `n_random` random specs."""
    from .synth import random_spec, sample_specs

    out = {k.replace(".html", ""): v for k, v in sample_specs().items()}
    for p in sorted(REAL_PAGES.glob("*.expected.json")):
        spec = spec_from_expected(p)
        if spec is not None:
            out[p.name.replace(".expected.json", "")] = spec
    rng = random.Random(seed)
    for i in range(n_random):
        out[f"random-{i}"] = random_spec(rng, 7000 + i)
    return out


def shapes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(shape name, layout, mutations): each layout alone, each mutation on the layouts where it
    means something, and mixes of several."""
    out = [(layout, layout, ()) for layout in LAYOUTS]
    out.append(("token_lines+split_digits", "token_lines", ("split_digits",)))
    out.append(("token_lines+split_labels", "token_lines", ("split_labels",)))
    for m in MUTATIONS[2:]:
        for layout in ("token_lines", "pipes", "spaced"):
            out.append((f"{layout}+{m}", layout, (m,)))
    out.append(("glued_rows+prose", "glued_rows", ("prose",)))
    out.append(
        (
            "mixed_tokens",
            "token_lines",
            ("split_digits", "split_labels", "prose", "repeats", "chrome", "no_title"),
        )
    )
    out.append(("mixed_pipes", "pipes", ("prose", "repeats", "no_fifth", "chrome")))
    out.append(("mixed_traditional", "label_apart", ("traditional", "prose", "no_title")))
    return out


def mutate(spec: Spec, layout: str, mutations: tuple[str, ...], seed: int) -> tuple[str, Spec]:
    """The report `spec` printed in one shape, and the spec its truth is read from."""
    rng = random.Random(seed)
    if "drop_blanks" in mutations:
        spec = _drop_blanks(spec, rng)
    prose = ["本年度政务公开工作稳步推进。"]
    doc = neutral(spec, prose)
    if "prose" in mutations:
        doc = _with_prose(doc, rng)
    if "merged_zero" in mutations:
        doc = _merged_zero(doc)
    if "repeats" in mutations:
        doc = _repeats(doc, spec, rng)
    if "no_fifth" in mutations:
        doc = _without_fifth(doc)
    if "no_title" in mutations:
        doc = Doc(doc.blocks[1:])
    if "chrome" in mutations:
        doc = _chrome(doc, spec)
    text = render(
        doc,
        layout,
        rng,
        split_digits=0.3 if "split_digits" in mutations else 0.0,
        split_labels=0.3 if "split_labels" in mutations else 0.0,
    )
    if "traditional" in mutations:
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    return text, spec


def documents(n_random: int = 6, only: set[str] | None = None):
    """(shape, report name, text, spec) for every known report in every shape."""
    reports = known_reports(n_random)
    for s, (shape, layout, muts) in enumerate(shapes()):
        if only and shape not in only:
            continue
        for i, (name, spec) in enumerate(reports.items()):
            text, truth_spec = mutate(spec, layout, muts, seed=1000 * s + i)
            yield shape, name, text, truth_spec


def expected_amount(v) -> Decimal | int:
    return Decimal(v) if isinstance(v, str) and "." in v else v


# ---------------------------------------------------------------- 2008–2018 prose
REAL = SAMPLES / "real"
LEGACY_MUTATIONS = ("as_is", "numbers_apart", "traditional", "no_title", "chrome", "mixed")
# a title line, or a title run into the first sentence after a space
_TITLE_LINE = re.compile(
    r"^(?:标题[:：]\s*)?[^，。,、《》]{0,60}?信息公开(?:工作)?年度?报告(?:\s+|$)"
)


def legacy_known() -> dict[str, tuple[str, dict, int]]:
    """The real 2008–2018 (and format-less) reports with the figures their prose states:
    name -> (text, {legacy key: value}, year)."""
    out = {}
    for p in sorted(REAL.glob("*.expected.json")):
        e = json.loads(p.read_text())
        stated = {
            k: v
            for k, v in (e.get("legacy_numbers_from_prose") or {}).items()
            if v is not None and not k.endswith("_qualifier")
        }
        if stated:
            text = p.with_name(p.name.replace(".expected.json", ".txt")).read_text()
            out[p.name.split(".")[0]] = (text, stated, e["year"])
    return out


def legacy_mutate(text: str, mutation: str, seed: int) -> str:
    """A real 2008–2018 report's text in another shape (see LEGACY_MUTATIONS)."""
    rng = random.Random(seed)
    muts = (
        {"numbers_apart", "traditional", "no_title", "chrome"}
        if mutation == "mixed"
        else {mutation}
    )
    lines = text.split("\n")
    if "no_title" in muts:
        lines = [
            _TITLE_LINE.sub("", line, count=1) if i < 15 else line for i, line in enumerate(lines)
        ]
    if "numbers_apart" in muts:
        # the prose's numbers on lines of their own; a 统计表 flattened into the text stays as it
        # is (its one-cell-a-line form is another shape)
        split = []
        for line in lines:
            at = line.find("指标名称")
            prose, table = (line, "") if at < 0 else (line[:at], line[at:])
            split += _numbers_apart(prose, rng) + ([table] if table else [])
        lines = split
    if "chrome" in muts:
        lines = [
            "正文",
            "来源：",
            "发布机构：",
            "【字体：大 中 小】",
            *lines,
            "打印本页",
            "关闭窗口",
        ]
    out = "\n".join(lines)
    if "traditional" in muts:
        import opencc

        out = opencc.OpenCC("s2t").convert(out)
    return out
