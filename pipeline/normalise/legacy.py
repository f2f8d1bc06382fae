"""2008–2018: the numbers of a report without the mandated tables, as the `legacy` table.

Two sources, both read only where the reading is forced:

1. **The 政府信息公开情况统计表** (2014–2018 mostly): indicator rows with 单位 and one value
   column, or two (本年度 | 历年累计). From a grid (HTML, DOCX, PDF, tab-separated text) each row
   is a label, a unit and its numbers. Crawled text often flattens the table into one run —
   ``主动公开文件数条206912106其中：1.政府网站公开数条2069121062.政府…`` — where a row's two
   numbers and the next row's item number run together. Such a run is read as every split that
   makes sense (no leading zeros, 历年累计 ≥ the year's figure, the next item number peeled off),
   and the table's own structure decides: the parts of a 其中 never exceed their whole, the
   channels of application add up to 收到申请数, and a number the prose states for the year pins
   its row. Where more than one reading survives, the row is left empty with a warning.
2. **Prose**: sentences that name the indicator — "全年共主动公开政府信息2026条",
   "共收到…申请21件，其中当面申请18件", "已答复21件，其中同意公开17件" — read by patterns over
   those sentence structures, Chinese numerals included (二十一件). "未发生/没有/未收到…" sentences
   (and "没有/无…行政复议、行政诉讼的情况发生/案件") give an explicit 0 for what they name;
   nothing else is ever a 0, and a report that says nothing about litigation has no litigation
   number. A sentence broken at its numbers (a CMS's <span>s) is joined again first. A clause about a part of the body
   (各乡镇…, 县直各单位…) is not the body's figure; 累计 figures go to KEY_cumulative; 260余条 is
   read as 260 with the qualifier kept in the raw text and a warning.

Where both sources give a figure and they differ, the 统计表's stands and a warning says so.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .. import catalogue as cat
from ..cells import parse_cell
from ..model import Cell, Line, Number
from .digits import Equation, solve

CUM = cat.LEGACY_CUMULATIVE
UNITS = ("人次", "万元", "条", "件", "个", "次", "人", "篇", "项", "元", "份", "起", "宗", "期")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
QUAL = r"\s*(余|多)?\s*"
COUNT = r"(?:件|条|个|宗|份|起|次|项|篇)"


def cn_number(text: str) -> int | None:
    """二十一 → 21, 一百零五 → 105, 两千三百 → 2300, 3万 → 30000; None when it is no number."""
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _number(text: str) -> Number | None:
    if re.fullmatch(r"\d+\.\d+", text):
        return Decimal(text)
    return cn_number(text)


# ---------------------------------------------------------------- labels
def indicator(label: str, head: str | None) -> cat.Indicator | None:
    """The indicator a 统计表 row label names (the longest needle wins); `head` is the group the
    row is in (行政复议 / 行政诉讼), for labels both groups share."""
    c = cat.strip_numbering(cat.compact(label).replace("其中:", "").replace("其中", ""))
    best, best_len = None, 0
    for ind in cat.LEGACY_INDICATORS:
        if ind.under and ind.under != head:
            continue
        for needle in ind.needles:
            if needle in c and len(needle) > best_len:
                best, best_len = ind, len(needle)
    return best


# ---------------------------------------------------------------- the 统计表
_HEADER = re.compile(r"(?:统计)?指标(?:名称)?(?:计量)?单位")
_HEADER_COLUMN = re.compile(r"\d{4}年度?|本年度?|当年|年度|统计数|数量|数值|数据|历年累计|累计")
_PAREN = re.compile(r"[(（][^()（）]{0,40}[)）]")
_ROW = re.compile(rf"(?P<label>[^\d]{{2,60}}?)(?P<unit>{'|'.join(UNITS)})(?P<num>\d+(?:\.\d+)?)")


class Row:
    """One 统计表 row: its indicator, its numbers as printed, and the readings they allow."""

    def __init__(
        self, ind: cat.Indicator, raw: str, candidates: list[tuple], page: int | None = None
    ):
        self.ind, self.raw, self.candidates, self.page = ind, raw, candidates, page


def statistics_table(
    lines: list[Line], warnings: list[str]
) -> tuple[list[Row], list[str], tuple[int, int] | None]:
    """The 统计表's rows, its columns ('year' / 'cumulative'), and the span of lines it took."""
    for i, line in enumerate(lines):
        cells = [c for c in line.cells if c and c.strip()]
        compact_cells = [cat.compact(c) for c in cells]
        if (
            len(cells) >= 2
            and any("指标" in c for c in compact_cells[:2])
            and any("单位" in c for c in compact_cells)
            and not any(cat.is_sentence(c) for c in cells[:2])  # prose naming 指标 and 单位
            and not any(parse_cell(c)[0] for c in cells)  # a header row holds no figure
        ):
            unit_at = next(k for k, c in enumerate(compact_cells) if "单位" in c)
            columns = [
                ("cumulative" if "累计" in c else "year") for c in compact_cells[unit_at + 1 :]
            ] or ["year"]
            rows, end = _grid_rows(lines[i + 1 :], columns, warnings)
            return rows, columns, (i, i + 1 + end)
        text = cat.compact(line.text)
        m = _HEADER.search(text)
        if m and (
            "统计表" in text[max(0, m.start() - 80) : m.start() + 1]
            or len(_ROW.findall(text, m.end())) >= 3
        ):
            columns, pos = [], m.end()
            while True:
                h = _HEADER_COLUMN.match(text, pos)
                if not h:
                    break
                word = h.group(0)
                if "累计" in word:
                    columns.append("cumulative")
                elif word != "年度" or not columns:
                    columns.append("year")
                pos = h.end()
            columns = columns or ["year"]
            return _flat_rows(text[pos:], columns, line.page, warnings), columns, (i, i + 1)
    return [], [], None


def _grid_rows(lines: list[Line], columns: list[str], warnings: list[str]) -> tuple[list[Row], int]:
    rows: list[Row] = []
    head = None
    n = 0
    for n, line in enumerate(lines):
        cells = [c.strip() for c in line.cells]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if any("。" in c for c in filled) or (len(filled) == 1 and len(filled[0]) > 60):
            break  # prose again: the table has ended
        unit_at = next((k for k, c in enumerate(cells) if k and cat.compact(c) in UNITS), None)
        first_value = (
            unit_at + 1
            if unit_at is not None
            else next(
                (
                    k
                    for k, c in enumerate(cells)
                    if k and (_cell_number(c) is not None or c in cat.NULL_MARKERS)
                ),
                len(cells),
            )
        )
        label = "".join(cells[: unit_at if unit_at is not None else first_value])
        values = cells[first_value : first_value + len(columns)]
        ind = indicator(label, head)
        if ind and ind.key in ("admin_review_cases", "admin_litigation_cases"):
            head = ind.key
        parsed = [_cell_number(v) for v in values]
        if not values or all(p is None for p in parsed):
            continue  # a group heading (三、依申请公开情况) or an empty row
        if ind is None:
            warnings.append(
                f"legacy: 统计表 row {cat.compact(label)[:30]!r} is not a catalogued indicator; left out"
            )
            continue
        parsed += [None] * (len(columns) - len(parsed))
        if cat.compact(cells[unit_at]) == "万元" if unit_at is not None else False:
            parsed = [_unit(p, "万元", ind) for p in parsed]
        rows.append(Row(ind, " | ".join(filled), [tuple(parsed)], line.page))
    return rows, n + 1


def _cell_number(text: str) -> Number | None:
    ok, value, _ = parse_cell(text)
    return value if ok else None


def _unit(value: Number | None, unit: str, ind: cat.Indicator) -> Number | None:
    """A money figure in the indicator's own unit (fees in 元, expenditure in 万元)."""
    if value is None:
        return None
    if ind.unit == "yuan" and unit == "万元":
        value = Decimal(value) * 10000
    elif ind.unit == "wan_yuan" and unit == "元":
        value = Decimal(value) / 10000
    else:
        return value
    return int(value) if value == value.to_integral_value() else value.normalize()


def _flat_rows(text: str, columns: list[str], page: int | None, warnings: list[str]) -> list[Row]:
    """Rows of a 统计表 flattened into one run of text.

    A row's digits run into the next row's item number ("…数条20692.政府公报…"): the number is
    peeled off by the list's count (the item after 1. is 2., or a new list starts at 1.). When the
    count does not force one peel, every peel stays a candidate and the table's sums decide."""
    text = _PAREN.sub("", text)
    rows: list[Row] = []
    head = None
    last_item: int | None = None  # the item number the previous row carried, when known
    prev_end = 0
    for m in _ROW.finditer(text):
        label = m.group("label").lstrip(".、")
        digits = m.group("num")
        # An item number printed before the label, not glued to a row's digits (after a heading).
        before = re.search(r"(?<!\d)(\d{1,2})$", text[prev_end : m.start()])
        if before:
            last_item = int(before.group(1))
        prev_end = m.end()
        options = [(digits, None)]
        if text[m.end() : m.end() + 1] in (".", "、") and "." not in digits:
            expected = [str(last_item + 1)] if last_item else []
            options = [
                (digits[: -len(n)], int(n))
                for n in expected + ["1"]
                if digits.endswith(n) and len(digits) > len(n)
            ]
            if not options:  # the count is lost: one or two digits may be the next item's number
                options = [
                    (digits[:-k], int(digits[-k:]))
                    for k in (1, 2)
                    if len(digits) > k and digits[-k] != "0"
                ]
            else:
                options = options[:1]  # the list's own next number before a new list
        nexts = {n for _, n in options}
        if nexts != {None}:  # a row whose digits end the run keeps the count where it was
            last_item = nexts.pop() if len(nexts) == 1 else None
        ind = indicator(label, head)
        if ind and ind.key in ("admin_review_cases", "admin_litigation_cases"):
            head = ind.key
        shown = options[0][0] if len(options) == 1 else digits
        raw = f"{label}{m.group('unit')}{shown}"
        if ind is None:
            warnings.append(
                f"legacy: 统计表 row {cat.compact(label)[:30]!r} is not a catalogued indicator; left out"
            )
            continue
        cands = []
        for d, _ in options:
            cands += [c for c in splits(d, columns) if c not in cands]
        if m.group("unit") in ("万元", "元"):
            cands = [tuple(_unit(v, m.group("unit"), ind) for v in c) for c in cands]
        rows.append(Row(ind, raw, cands, page))
    return rows


def splits(digits: str, columns: list[str]) -> list[tuple]:
    """Every reading of a run of digits as the row's columns: no number starts with 0 unless it
    is 0, and 历年累计 is at least the year's figure."""
    if len(columns) == 1:
        return (
            [(_number(digits),)]
            if not (len(digits) > 1 and digits[0] == "0" and "." not in digits)
            else []
        )
    if "." in digits or len(columns) != 2:
        return []  # two amounts run together: not read
    if len(digits) == 1:
        return [(int(digits), None)] if columns[0] == "year" else [(None, int(digits))]
    out = []
    for i in range(1, len(digits)):
        a, b = digits[:i], digits[i:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        vals = (int(a), int(b))
        year, cum = vals if columns == ["year", "cumulative"] else vals[::-1]
        if cum >= year:
            out.append(vals)
    return out


def solve_table(
    rows: list[Row], columns: list[str], anchors: dict[str, Number], warnings: list[str]
) -> dict[str, tuple[tuple, Row]]:
    """One reading per row where the table's structure (and the prose's figures) force it."""
    by_key: dict[str, Row] = {}
    for r in rows:
        if r.ind.key in by_key:
            warnings.append(f"legacy: the 统计表 names {r.ind.key} twice; the first row is kept")
            continue
        by_key[r.ind.key] = r
    year_at = columns.index("year") if "year" in columns else None
    candidates: dict[str, list[tuple]] = {}
    for key, r in by_key.items():
        cands = r.candidates
        if key in anchors and year_at is not None and len(cands) > 1:
            pinned = [c for c in cands if c[year_at] == anchors[key]]
            cands = pinned or cands
        if not cands:
            warnings.append(
                f"legacy: {key}: {r.raw!r} cannot be read as {' | '.join(columns)}; left empty"
            )
            continue
        candidates[key] = [tuple(None if v is None else v for v in c) for c in cands]
    equations = []
    for whole, parts in cat.LEGACY_SUMS.items():
        printed = tuple(p for p in parts if p in candidates)
        if whole in candidates and len(printed) >= 2:
            equations.append(Equation(printed, (whole,)))
    wholes: dict[str, list[str]] = {}
    for key in candidates:
        parent = cat.LEGACY[key].part_of
        if parent and parent in candidates:
            wholes.setdefault(parent, []).append(key)
    for parent, parts in wholes.items():
        if parent in cat.LEGACY_DISJOINT:
            equations.append(Equation(tuple(parts), (parent,), at_most=True))
        else:
            equations += [Equation((p,), (parent,), at_most=True) for p in parts]
    fixed = {k: v[0] for k, v in candidates.items() if len(v) == 1}
    open_ = {k: v for k, v in candidates.items() if len(v) > 1}
    if not open_:
        return {k: (v, by_key[k]) for k, v in fixed.items()}
    sol = solve(open_, fixed, equations)
    out = {k: (v, by_key[k]) for k, v in {**fixed, **sol.chosen}.items()}
    for key, n in sol.undecided.items():
        warnings.append(
            f"legacy: {key}: {by_key[key].raw!r} can be read {n or 'no'} way(s) as "
            f"{' | '.join(columns)} within the table's structure; left empty"
        )
    return out


# ---------------------------------------------------------------- prose
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_PARTIAL = re.compile(
    r"各(?:乡|镇|街|单位|部门|县|区|市|股|科|处|所|站|局|委|办|成员)|[县区市]直|直属|下属|所属|基层"
)
_CUMULATIVE_WORDS = re.compile(r"累计|历年|截至|截止|至今|以来")


def _channel_words(whole: str, suffix: str) -> dict[str, str]:
    """Channel word -> key, from the catalogue's needles of the channels of `whole`
    (政府网站公开 -> 政府网站: via_website), longest first so a regex alternation tries it first."""
    words = {
        n.removesuffix(suffix): i.key
        for i in cat.LEGACY_INDICATORS
        if i.part_of == whole and i.channel
        for n in i.needles
        if n.endswith(suffix)
    }
    return dict(sorted(words.items(), key=lambda kv: -len(kv[0])))


_VIA_KEY = _channel_words(
    "active_disclosure_items", "公开"
)  # where the body's information was published
_APP_CHANNEL_KEY = _channel_words("applications_received", "申请")  # how an application came in
# A heading (一、… / （一）… / 1、…): the topic of the sentences after it.
_TOPIC = re.compile(
    r"(?:[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[)）]|(?<![\d.])\d{1,2}[、．.](?!\d))"
    r"([^。；，,：:()（）]{2,30})"
)

_ACTIVE = re.compile(
    rf"主动公开(?:了)?(?:各类|各项|相关)?(?:政府)?信息(?:的)?(?:数|总数|数量|总量|件数|条数|个数)?"
    rf"(?:为|共|达|达到|总计|合计|共计)?\s*{NUM}{QUAL}(?:条|件|项|个)"
)
_VIA = re.compile(
    rf"(?:通过|在|利用)({'|'.join(_VIA_KEY)})(?:上)?"
    rf"(?:主动)?(?:发布|公开)(?:了)?(?:政府信息|信息)?(?:数)?(?:为|共|达)?\s*{NUM}{QUAL}条"
)
_ACTIVE_TOTAL = re.compile(rf"(?:总计|合计|共计|总共)\s*{NUM}{QUAL}条")
_RECEIVED = re.compile(
    rf"(?:收到|受理|接到|接收)(?:了)?(?P<obj>[^。；，,]{{0,24}}?)申请(?:共|总数|数|数量)?(?:为|达|共计)?"
    rf"\s*{NUM}{QUAL}{COUNT}"
)
# 受理依申请公开12件 / 收到依申请公开事项3件: the application named by the procedure
_RECEIVED_PROCEDURE = re.compile(
    rf"(?:收到|受理|接到|接收)(?:了)?(?P<obj>[^。；，,]{{0,12}}?)依申请公开(?:的)?(?:申请|事项|信息)?"
    rf"(?:共|总数|数|数量)?(?:为|达|共计)?\s*{NUM}{QUAL}{COUNT}"
)
# A stated absence of cases: 没有…提起行政复议和行政诉讼的情况发生; 全年无…行政复议、提起行政诉讼的案件.
_NONE_CASES = re.compile(
    r"(?:没有|无|未|不存在)(?P<span>[^。；，,]{0,60}?)(?:的)?(?:情况|情形|案件|事件|现象)(?:发生|出现)?"
)
_RECEIVED_BEFORE = re.compile(
    rf"(?:收到|受理|接到|接收)(?:了)?(?:各类)?\s*{NUM}{QUAL}{COUNT}(?P<obj>[^。；，,]{{0,16}}?)"
    rf"(?:申请|依申请公开)"
)
_NONE = re.compile(
    r"(?:未|没有|无|不曾)(?:发生|收到|接到|受理|接收|出现|有)(?P<span>[^。；，,]{0,40})"
)
_APP_CHANNEL = re.compile(
    rf"({'|'.join(_APP_CHANNEL_KEY)})(?:方式|形式)?(?:申请|提出申请)(?:数|的)?(?:为|有|共)?"
    rf"\s*{NUM}{QUAL}{COUNT}"
)
_REPLIES = re.compile(rf"(?<!公开)答复(?:总数|数|总量|申请)?(?:为|共)?\s*{NUM}{QUAL}{COUNT}")
_REPLIES_NONE = re.compile(r"不存在[^。；，,]{0,12}答复|(?:未|没有|无)[^。；，,]{0,8}答复")
_REPLY_PARTS = (
    (
        "replies_partially_granted",
        re.compile(rf"(?:同意)?部分公开(?:答复)?(?:数)?(?:为)?\s*{NUM}{QUAL}{COUNT}"),
    ),
    (
        "replies_granted",
        re.compile(rf"(?<![不部分])同意公开(?:答复)?(?:数)?(?:为)?\s*{NUM}{QUAL}{COUNT}"),
    ),
    (
        "replies_denied",
        re.compile(
            rf"(?:不同意公开|不予公开|免于公开|免予公开|否决公开)(?:答复)?(?:数)?(?:为)?\s*{NUM}{QUAL}{COUNT}"
        ),
    ),
    (
        "replies_not_held",
        re.compile(rf"(?:申请)?信息不存在(?:答复)?(?:数)?(?:为)?\s*{NUM}{QUAL}{COUNT}"),
    ),
)
_DENIED_NONE = re.compile(r"(?:没有|无|未涉及|不存在|未发生)[^。；，,]{0,6}不予公开")
_CASES = (
    (
        "admin_review_cases",
        re.compile(
            rf"行政复议(?:案件|申请|案)?(?:数|数量)?(?:为|共)?\s*{NUM}{QUAL}(?:件|起|宗|个|次)"
        ),
    ),
    (
        "admin_litigation_cases",
        re.compile(rf"行政诉讼(?:案件|案)?(?:数|数量)?(?:为|共)?\s*{NUM}{QUAL}(?:件|起|宗|个|次)"),
    ),
    (
        "complaints_appeals",
        re.compile(
            rf"(?:申诉|举报投诉)(?:案件|案)?(?:数|数量)?(?:为|共)?\s*{NUM}{QUAL}(?:件|起|宗|个|次)"
        ),
    ),
)
_FEES_NONE = re.compile(
    r"(?:未|没有|无|不)(?:向申请人)?(?:收取|收费)|(?:没有|无|未发生)[^。；，,]{0,14}收费"
)
_FEES = re.compile(rf"收取(?:了)?[^。；，,]{{0,10}}?费(?:用)?(?:共|合计|为)?\s*{NUM}\s*(万元|元)")
_EXPENDITURE = re.compile(
    rf"(?:政府信息公开|信息公开)(?:工作|事务)?(?:专项)?(?:费用|经费|支出)(?:共|为|约|合计)?\s*{NUM}\s*(万元|元)"
)
_STAFF = (
    (
        "staff_full_time",
        re.compile(rf"(?:专职|全职)(?:工作)?人员(?:共|为|有)?\s*{NUM}\s*(?:人|名)"),
    ),
    ("staff_part_time", re.compile(rf"兼职(?:工作)?人员(?:共|为|有)?\s*{NUM}\s*(?:人|名)")),
)
_STAFF_NONE = (
    (
        "staff_full_time",
        re.compile(r"(?:没有|无|未配备|未设)[^。；，,]{0,16}(?:专职|全职)(?:工作)?人员"),
    ),
    ("staff_part_time", re.compile(r"(?:没有|无|未配备|未设)[^。；，,]{0,16}兼职(?:工作)?人员")),
)
_NOT_APPLICATIONS = ("复议", "诉讼", "投诉", "举报", "申诉")


class Stated:
    """A figure the prose states: its value, the sentence, and a qualifier (余/多) if any."""

    def __init__(self, value: Number, raw: str, qualifier: str | None = None):
        self.value, self.raw, self.qualifier = value, raw, qualifier


def prose_numbers(text: str) -> dict[str, list[Stated]]:
    """Every figure the prose states, by legacy key (several when several sentences do)."""
    out: dict[str, list[Stated]] = {}

    def add(key: str, value, raw: str, qual: str | None = None) -> None:
        if value is not None:
            out.setdefault(key, []).append(Stated(value, raw.strip(), qual))

    text = text.translate(str.maketrans("", "", "“”‘’\"'「」"))
    topics = [(m.start(), cat.compact(m.group(1))) for m in _TOPIC.finditer(text)]
    for sm in _SENTENCE.finditer(text):
        s = sm.group(0)
        if not re.search(r"\d|[零一二两三四五六七八九十]|未|没有|无", s):
            continue
        topic = next((t for pos, t in reversed(topics) if pos <= sm.start()), "")
        for m in _ACTIVE.finditer(s):
            clause = _clause(s, m.start(), m.end())
            if _PARTIAL.search(clause):
                continue  # 各乡镇主动公开…: a part of the body, not the body
            key = "active_disclosure_items"
            channels = sorted({key for word, key in _VIA_KEY.items() if word in s[: m.start()]})
            if len(channels) == 1:
                key = channels[0]  # 在互联网上…主动公开信息1795条: that channel's figure
            if _CUMULATIVE_WORDS.search(clause):
                key += CUM
            add(key, _number(m.group(1)), s, m.group(2))
        if "主动公开" in s:  # 其中通过网站公开1795条: a channel of the body's own disclosure
            for m in _VIA.finditer(s):
                clause = _clause(s, m.start(), m.end())
                if not _PARTIAL.search(clause) and not _CUMULATIVE_WORDS.search(clause):
                    add(_VIA_KEY[m.group(1)], _number(m.group(2)), s, m.group(3))
        if "主动公开" in topic:
            for m in _ACTIVE_TOTAL.finditer(s):
                if not _PARTIAL.search(_clause(s, m.start(), m.end())):
                    add("active_disclosure_items", _number(m.group(1)), s, m.group(2))
        for rx in (_RECEIVED, _RECEIVED_BEFORE, _RECEIVED_PROCEDURE):
            for m in rx.finditer(s):
                if any(w in m.group("obj") for w in _NOT_APPLICATIONS) or "咨询" in m.group("obj"):
                    continue
                clause = _clause(s, m.start(), m.end())
                if _PARTIAL.search(clause):
                    continue
                key = "applications_received" + (CUM if _CUMULATIVE_WORDS.search(clause) else "")
                at = 1 if rx is _RECEIVED_BEFORE else 2  # the number's group (obj is one too)
                add(key, _number(m.group(at)), s, m.group(at + 1))
        for m in _APP_CHANNEL.finditer(s):
            add(_APP_CHANNEL_KEY[m.group(1)], _number(m.group(2)), s, m.group(3))
        if any(w in s for w in ("申请", "答复")):
            for m in _REPLIES.finditer(s):
                if not _PARTIAL.search(_clause(s, m.start(), m.end())):
                    add("replies_total", _number(m.group(1)), s, m.group(2))
            for key, rx in _REPLY_PARTS:
                for m in rx.finditer(s):
                    add(key, _number(m.group(1)), s, m.group(2))
        if _REPLIES_NONE.search(s) and "申请" in s:
            add("replies_total", 0, s)
        if _DENIED_NONE.search(s) and "申请" in topic + s and "不予公开" not in topic:
            # 不予公开 also names information withheld from disclosure altogether (an item of its
            # own in the 2008 template, "依申请公开和不予公开政府信息情况"): only where the text is
            # about applications and that item has no heading of its own is it a reply.
            add("replies_denied", 0, s)
        for key, rx in _CASES:
            for m in rx.finditer(s):
                add(key, _number(m.group(1)), s, m.group(2))
        for m in _NONE.finditer(s):
            span = m.group("span")
            if any(w in span for w in ("费用", "支出", "经费")):
                continue
            about_disclosure = (
                any(w in s for w in ("信息公开", "政府信息", "依申请"))
                or "复议" in topic
                or "诉讼" in topic
            )
            if not any(w in span for w in _NOT_APPLICATIONS):
                if any(w in span for w in ("申请", "依申请公开")) and about_disclosure:
                    add("applications_received", 0, s)
                continue
            if not about_disclosure:
                continue
            if "复议" in span:
                add("admin_review_cases", 0, s)
            if "诉讼" in span:
                add("admin_litigation_cases", 0, s)
            if any(w in span for w in ("申诉", "投诉", "举报")):
                add("complaints_appeals", 0, s)
        for m in _NONE_CASES.finditer(s):
            span = m.group("span")
            if "复议" in span:
                add("admin_review_cases", 0, s)
            if "诉讼" in span:
                add("admin_litigation_cases", 0, s)
        if _FEES_NONE.search(s) and (
            any(w in s for w in ("信息", "申请", "查阅", "检索", "复印")) or "收费" in topic
        ):
            add("fees_collected_yuan", 0, s)
        for m in _FEES.finditer(s):
            add(
                "fees_collected_yuan",
                _unit(_number(m.group(1)), m.group(2), cat.LEGACY["fees_collected_yuan"]),
                s,
            )
        for m in _EXPENDITURE.finditer(s):
            if "收取" not in _clause(s, m.start(), m.end()):
                add(
                    "disclosure_expenditure_10k_yuan",
                    _unit(
                        _number(m.group(1)),
                        m.group(2),
                        cat.LEGACY["disclosure_expenditure_10k_yuan"],
                    ),
                    s,
                )
        for key, rx in _STAFF:
            for m in rx.finditer(s):
                add(key, _number(m.group(1)), s)
        for key, rx in _STAFF_NONE:
            if rx.search(s):
                add(key, 0, s)
    return out


def _clause(s: str, start: int, end: int) -> str:
    """The clause around a match: from the last comma or colon before it to its end."""
    begin = max(s.rfind(p, 0, start) for p in "，,：:") + 1
    return s[begin:end]


# ---------------------------------------------------------------- both together
_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_AFTER_NUMBER = re.compile(rf"^\s*(?:{'|'.join(UNITS)}|余|多|年|月|日|%|％|\.\d|[，。、；,;）)])")


def rejoin_spans(lines: list[Line]) -> list[Line]:
    """Sentences a crawler's dump broke at their numbers (each number a <span> of its own:
    全年主动公开政府信息 / 2026 / 条，其中…) joined again: a bare number between text that does
    not end a sentence and text that goes on with its unit (条，) or a clause mark. A number
    between cells of a one-cell-per-line table (条 / 2069 / 12106) is left where it is."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            out
            and i + 1 < len(lines)
            and not line.exact
            and _BARE_NUMBER.match(line.text)
            and not out[-1].exact
            and out[-1].text.strip()
            and not _BARE_NUMBER.match(out[-1].text)
            and out[-1].text.rstrip()[-1:] not in "。；;！!？?：:"
            and _AFTER_NUMBER.match(lines[i + 1].text)
            and not lines[i + 1].exact
        ):
            prev, nxt = out.pop(), lines[i + 1]
            text = prev.text.rstrip() + line.text.strip() + nxt.text.lstrip()
            out.append(Line([text], raw=text, page=prev.page, no=prev.no))
            i += 2
            continue
        if (
            i + 1 < len(lines)
            and not line.exact
            and re.match(r"^\s*\d{1,2}\s*$", line.text)
            and re.match(r"^\s*[、．.]\s*[\u4e00-\u9fff]", lines[i + 1].text)
        ):
            # a heading's number split from its words (2 / 、政府信息依申请公开情况)
            text = line.text.strip() + lines[i + 1].text.strip()
            out.append(Line([text], raw=text, page=line.page, no=line.no))
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def read_legacy(lines: list[Line], warnings: list[str]) -> dict[str, dict[str, Cell]]:
    """The `legacy` table of a report without the mandated tables."""
    lines = rejoin_spans(lines)
    rows, columns, span = statistics_table(lines, warnings)
    prose_lines = lines if span is None else lines[: span[0]] + lines[span[1] :]
    text = "\n".join(l.text.replace("\t", " ") for l in prose_lines)
    if span is not None and span[1] - span[0] == 1:
        # A flattened table at the end of a line of prose: the prose before it still counts.
        line = cat.compact(lines[span[0]].text)
        m = _HEADER.search(line)
        text += "\n" + (line[: m.start()] if m else "")
    stated = prose_numbers(text)
    prose: dict[str, Stated] = {}
    for key, found in stated.items():
        values = {f.value for f in found}
        if len(values) == 1:
            prose[key] = found[0]
        else:
            warnings.append(
                f"legacy: the text gives {key} as {', '.join(str(v) for v in sorted(values))}; "
                "left to the 统计表, or empty"
            )
    anchors = {k: s.value for k, s in prose.items() if not k.endswith(CUM)}
    table = solve_table(rows, columns, anchors, warnings) if rows else {}

    out: dict[str, dict[str, Cell]] = {}
    for key, (vals, row) in table.items():
        for col, v in zip(columns, vals):
            if v is None:
                continue
            name = key if col == "year" else key + CUM
            out[name] = {"value": Cell(v, row.raw, row.page, source="table")}
    for key, s in prose.items():
        if key in out:
            if out[key]["value"].value != s.value:
                warnings.append(
                    f"legacy: {key}: the 统计表 says {out[key]['value'].value}, the text says {s.value} "
                    f"({s.raw[:40]}…); the 统计表's figure is kept"
                )
            continue
        if key in table and key not in out:
            continue
        out[key] = {"value": Cell(s.value, s.raw, source="text")}
        if s.qualifier:
            warnings.append(
                f"legacy: {key} is approximate in the text ({s.value}{s.qualifier}…); read as {s.value}"
            )
    got = out.get("applications_received", {}).get("value")
    if got is not None and got.value == 0 and "replies_total" not in out:
        # No application in the year: no reply either (the sentence that says so is the source).
        out["replies_total"] = {"value": Cell(0, got.raw, source=got.source)}
    return out
