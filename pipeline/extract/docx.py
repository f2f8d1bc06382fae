"""DOCX to lines of cells (python-docx's parsed XML, walked in body order).

Word tables are read from their XML rather than python-docx's cell API: a horizontal merge
(gridSpan) becomes its text plus empty cells, a vertical merge continuation (vMerge) an empty
cell, so values keep their columns exactly as in an HTML grid. Text outside tables is one line
per paragraph.
"""

from __future__ import annotations

import io

from ..model import Extracted, ExtractionError, Line
from .text import split_line

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(el) -> str:
    return " ".join("".join(t.text or "" for t in el.iter(f"{W}t")).split())


def _table_lines(tbl) -> list[Line]:
    out = []
    for tr in tbl.iter(f"{W}tr"):
        if tr.getparent() is not None and _owner_table(tr) is not tbl:
            continue  # nested table rows belong to their own table
        cells: list[str] = []
        spans: list[int] = []
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:  # the row starts further right in the grid: no cells there
            skip = int(before.get(f"{W}val", "0") or 0)
            cells.extend([""] * skip)
            spans.extend([-1] * skip)
        for tc in tr.findall(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span, cont = 1, False
            if pr is not None:
                gs = pr.find(f"{W}gridSpan")
                if gs is not None:
                    span = int(gs.get(f"{W}val", "1") or 1)
                vm = pr.find(f"{W}vMerge")
                cont = vm is not None and vm.get(f"{W}val") in (None, "continue")
            cells.append("" if cont else _text(tc))
            cells.extend([""] * (span - 1))
            spans.extend([-1] * span if cont else [span] + [0] * (span - 1))
        if any(cells):
            out.append(Line(cells, exact=True, spans=spans))
    return out


def _owner_table(el):
    p = el.getparent()
    while p is not None and p.tag != f"{W}tbl":
        p = p.getparent()
    return p


def extract(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    return Extracted(source, sha, kind.media_type, "docx", docx_lines(data))


def docx_lines(data: bytes) -> list[Line]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"not a readable DOCX: {type(exc).__name__}") from None
    except Exception as exc:  # zipfile.BadZipFile, lxml errors …
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:100]}") from None
    lines: list[Line] = []
    for el in document.element.body.iterchildren():
        if el.tag == f"{W}p":
            text = _text(el)
            glued: set[int] = set()
            cells = split_line(text, glued) if text else None
            if cells:
                lines.append(Line(cells, raw=text, glued=frozenset(glued)))
        elif el.tag == f"{W}tbl":
            lines.extend(_table_lines(el))
    return lines


def table_count(data: bytes) -> int:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").count(b"<w:tbl>")
