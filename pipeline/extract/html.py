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

import lxml.html
from lxml import etree

from ..model import ExtractionError, Line

_BLOCK = frozenset("p div h1 h2 h3 h4 h5 h6 li ul ol section article header footer tr blockquote pre dd dt dl center form".split())
_SKIP = frozenset(("script", "style", "noscript", "template", "select", "option", "button", "iframe", "object", "svg"))
_WS = re.compile(r"[\s\u3000\xa0\u200b]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TABLE_MARKERS = ("信息内容", "自然人", "行政复议", "本年新收", "处理决定")
_SHELL_FIELDS = {
    "published": re.compile(r"(?:发布日期|发布时间|公开日期)\s*[:：]?\s*((?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2})"),
    "publisher": re.compile(r"(?:发布机构|发文机关|信息来源)\s*[:：]\s*([\u4e00-\u9fff（）()]{2,30})"),
    "index_no": re.compile(r"索\s*引\s*号\s*[:：]\s*([0-9A-Za-z\-/]{6,40})"),
}
_META_NAMES = {"articletitle": "title", "contentsource": "publisher", "pubdate": "published",
               "firstimporttime": "published", "description": "description"}


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def parse(text: str):
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise ExtractionError("empty HTML page")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from None


def page_meta(doc) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in doc.iter("meta"):
        key = _META_NAMES.get((m.get("name") or "").lower())
        content = _clean(m.get("content") or "")
        if key and content and key not in meta:
            meta[key] = content
    t = doc.find(".//title")
    if t is not None and t.text_content().strip():
        meta["html_title"] = _clean(t.text_content())
    # The CMS metadata block (索引号 / 发布机构 / 发布日期) sits outside the report's content.
    body = doc.find("body")
    shell_text = _clean(body.text_content()) if body is not None else ""
    for key, rx in _SHELL_FIELDS.items():
        if key not in meta:
            m = rx.search(shell_text)
            if m:
                meta[key] = m.group(1).strip()
    return meta


def _grid_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []
    carry: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in table.iter("tr"):
        if tr.getparent() is not None and _closest_table(tr) is not table:
            continue  # a row of a nested table belongs to that table
        cells: list[str] = []
        col = 0

        def fill_covered():
            nonlocal col
            while carry.get(col, 0) > 0:
                cells.append("")
                carry[col] -= 1
                col += 1

        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            fill_covered()
            cells.append(_clean(td.text_content()))
            cs = _span(td.get("colspan"))
            rs = _span(td.get("rowspan"))
            cells.extend([""] * (cs - 1))
            for c in range(col, col + cs):
                if rs > 1:
                    carry[c] = rs - 1
            col += cs
        fill_covered()
        # Columns covered by rowspans beyond this row's last cell.
        for c in sorted(k for k, v in carry.items() if k >= col and v > 0):
            carry[c] -= 1
        rows.append(cells)
    return rows


def _closest_table(el):
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _span(v: str | None) -> int:
    try:
        n = int((v or "1").strip())
    except ValueError:
        return 1
    return n if 1 <= n <= 50 else 1


def _report_tables(body) -> list:
    found = []
    for t in body.iter("table"):
        txt = t.text_content()
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
    while root is not body and root.getparent() is not None and "总体情况" not in root.text_content():
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
                lines.append(Line([text]))
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
            for cells in _grid_rows(el):
                if any(cells):
                    lines.append(Line(cells, exact=True))
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
