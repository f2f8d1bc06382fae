"""HTML pages to lines of cells.

A report sits inside a CMS page shell (navigation, a metadata table of 索引号/发布机构/发布日期,
footer). We find the report's own tables, take the smallest element holding them and the
section-一 heading as the content root, and walk only that: shells are most of a page's bytes.
Tables become one line per <tr>, laid on a grid so rowspan/colspan never shift a value into
another column (covered positions are empty cells). Text outside tables becomes one line per
block element or <br>.
"""

from __future__ import annotations

import re
from html import unescape as html_unescape

from lxml import etree

from ..model import Extracted, ExtractionError, Line
from .decode import decode

_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer tr blockquote pre dd dt dl center form".split()
)
_SKIP = frozenset(
    (
        "script",
        "style",
        "noscript",
        "template",
        "select",
        "option",
        "button",
        "iframe",
        "object",
        "svg",
    )
)
_TABLE_MARKERS = ("信息内容", "自然人", "行政复议", "本年新收", "处理决定")
# (words that start the field, pattern matched from there). Searching the words with str.find
# first keeps this cheap on long pages.
_SHELL_FIELDS = {
    "published": (
        ("发布日期", "发布时间", "公开日期"),
        re.compile(r"\w{4}\s*[:：]?\s*((?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2})"),
    ),
    "publisher": (
        ("发布机构", "发文机关", "信息来源"),
        re.compile(r"\w{4}\s*[:：]\s*([\u4e00-\u9fff（）()]{2,30})"),
    ),
    "index_no": (
        ("索引号", "索 引 号"),
        re.compile(r"索\s*引\s*号\s*[:：]\s*([0-9A-Za-z\-/]{6,40})"),
    ),
}
_TAG = re.compile(r"<[^>]*>")
_META_NAMES = {
    "articletitle": "title",
    "contentsource": "publisher",
    "pubdate": "published",
    "firstimporttime": "published",
    "description": "description",
    "ogi-generated": "generated",
}  # set by tests/synth.py on the generated example corpus


def _clean(text: str) -> str:
    # str.split() splits on all Unicode white space (\u3000, \xa0 …); zero-width spaces go first.
    return " ".join((text.replace("\u200b", "") if "\u200b" in text else text).split())


# A plain etree parser fed UTF-8 bytes: lxml.html's element classes cost a Python lookup per
# element visited, and a str would be re-encoded by libxml2 anyway.
_PARSER = etree.HTMLParser(encoding="utf-8")


def text_of(el) -> str:
    """All text inside an element (the fastest way lxml offers, measured in bench/)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def extract(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    lines, meta = read(data)
    return Extracted(source, sha, kind.media_type, "html_table", lines, meta)


def read(data: bytes) -> tuple[list[Line], dict[str, str]]:
    """Lines and page metadata of an HTML page, whatever its encoding. Valid UTF-8 is parsed as
    it is (libxml2 reports invalid bytes while parsing, which spares decoding the page in Python);
    anything else is decoded (pipeline.extract.decode) and handed to libxml2 as UTF-8."""
    doc, raw, encoding = None, data, "utf-8"
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        doc = _parse_if_utf8(data)
    if doc is None:
        text, encoding = decode(data)
        raw = data if encoding == "utf-8" else text.encode("utf-8")
        doc = parse(raw)
    meta = page_meta(doc, raw)
    meta["encoding"] = encoding
    return html_lines(doc), meta


def _parse_if_utf8(data: bytes):
    try:
        doc = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if doc is None or any("encoding" in e.message.lower() for e in _PARSER.error_log):
        return None
    return doc


def parse(raw: bytes):
    """Parse a page given as UTF-8 bytes."""
    if not raw.strip():
        raise ExtractionError("empty HTML page")
    try:
        doc = etree.fromstring(raw, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from None
    if doc is None:
        raise ExtractionError("unparseable HTML: no elements")
    return doc


def page_meta(doc, source: bytes = b"") -> dict[str, str]:
    """Title, publisher, date and index number from <meta> tags and the CMS metadata block.
    `source` is the page as UTF-8 bytes: the block is found with bytes.find there, which is far
    cheaper than serialising (or searching) the whole page's text."""
    meta: dict[str, str] = {}
    head = doc.find("head")
    for m in head.iter("meta") if head is not None else ():
        key = _META_NAMES.get((m.get("name") or "").lower())
        content = _clean(m.get("content") or "")
        if key and content and key not in meta:
            meta[key] = content
    t = head.find("title") if head is not None else None
    if t is not None and text_of(t).strip():
        meta["html_title"] = _clean(text_of(t))
    # The CMS metadata block (索引号 / 发布机构 / 发布日期) sits outside the report's content.
    for key, (words, rx) in _SHELL_FIELDS.items():
        if key in meta:
            continue
        for w in words:
            i = source.find(w.encode())
            if i < 0:
                continue
            window = _TAG.sub(" ", source[i : i + 600].decode("utf-8", "ignore"))
            m = rx.match(html_unescape(window))
            if m:
                meta[key] = _clean(m.group(1))
                break
    return meta


_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _grid_rows(table) -> list[tuple[list[str], list[int]]]:
    """Each <tr> as (cells, spans) on the table's grid (see Line.spans)."""
    rows: list[tuple[list[str], list[int]]] = []
    carry: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in _ROWS(table):
        cells: list[str] = []
        spans: list[int] = []
        append = cells.append
        col = 0
        for td in tr.iterchildren("td", "th"):
            if carry:
                while carry.get(col):
                    append("")
                    spans.append(-1)
                    carry[col] -= 1
                    col += 1
            append(_clean(text_of(td)))
            cs = td.get("colspan")
            cs = _span(cs) if cs else 1
            rs = td.get("rowspan")
            if cs == 1:
                spans.append(1)
            else:
                spans.append(cs)
                cells.extend([""] * (cs - 1))
                spans.extend([0] * (cs - 1))
            if rs and rs != "1":
                rs = _span(rs)
                if rs > 1:
                    for c in range(col, col + cs):
                        carry[c] = rs - 1
            col += cs
        # Columns covered by rowspans at and beyond this row's last cell.
        if carry:
            for c in sorted(k for k, v in carry.items() if k >= col and v > 0):
                while len(cells) < c:
                    append("")
                    spans.append(1)
                append("")
                spans.append(-1)
                carry[c] -= 1
        rows.append((cells, spans))
    return rows


def _span(v: str | None) -> int:
    if v is None:
        return 1
    try:
        n = int(v.strip())
    except ValueError:
        return 1
    return n if 1 <= n <= 50 else 1


def _report_tables(body) -> list:
    found = []
    for t in body.iter("table"):
        txt = text_of(t)
        if any(m in txt for m in _TABLE_MARKERS):
            found.append(t)
    # Keep the innermost: layout tables of old CMS shells contain the report tables.
    inner = set(found)
    return [t for t in found if not any(o is not t and _is_ancestor(t, o) for o in inner)]


def _is_ancestor(a, b) -> bool:
    p = b.getparent()
    while p is not None:
        if p is a:
            return True
        p = p.getparent()
    return False


def _content_root(body, tables):
    if not tables:
        return body
    paths = []
    for t in tables:
        chain = []
        p = t
        while p is not None:
            chain.append(p)
            p = p.getparent()
        paths.append(chain[::-1])
    root = body
    for group in zip(*paths):
        if all(g is group[0] for g in group):
            root = group[0]
        else:
            break
    if root.tag == "table":
        root = root.getparent()
    # Climb until the root also holds the report's opening section (or reach <body>).
    while root is not body and root.getparent() is not None and "总体情况" not in text_of(root):
        root = root.getparent()
    return root


def html_lines(doc) -> list[Line]:
    body = doc.find("body")
    if body is None:
        body = doc
    root = _content_root(body, _report_tables(body))
    lines: list[Line] = []
    buf: list[str] = []

    def flush():
        if buf:
            text = _clean("".join(buf))
            if text:
                lines.append(Line([text], raw=text))
            buf.clear()

    def walk(el):
        tag = el.tag
        if not isinstance(tag, str):  # comment / processing instruction
            if el.tail:
                buf.append(el.tail)
            return
        if tag in _SKIP:
            pass
        elif tag == "table":
            flush()
            for cells, spans in _grid_rows(el):
                if any(cells):
                    lines.append(Line(cells, exact=True, spans=spans))
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCK
            if block:
                flush()
            if el.text:
                buf.append(el.text)
            for child in el:
                walk(child)
            if block:
                flush()
        if el.tail:
            buf.append(el.tail)

    walk(root)
    flush()
    return lines
