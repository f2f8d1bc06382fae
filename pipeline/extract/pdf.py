"""PDF to lines of cells (pdfplumber).

Per page: ruled tables first (the `lines` strategy is exact on the ruled tables Chinese reports
print; merged cells come back as None and become empty cells), text outside them as text lines
in reading order. A page with no ruled table goes through the spine's text splitter, which reads
space-separated tables. Pages whose text is `(cid:N)` garbage (embedded subset fonts without
ToUnicode) or that have no characters at all are scans: they go to OCR.
"""

from __future__ import annotations

import io
import re
import unicodedata
from bisect import bisect_right

from ..model import Extracted, ExtractionError, Line
from ..settings import MAX_PDF_PAGES
from .text import split_line

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_CID = re.compile(r"\(cid:\d+\)")


def _clean(text: str | None) -> str:
    if not text:
        return ""
    # NFKC repairs Kangxi-radical look-alikes (⼀ → 一) some PDF fonts map to.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def extract(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    """A PDF: ruled tables and the text layer; scanned pages by OCR on `cores` cores."""
    from . import ocr

    lines, method, warnings = pdf_lines(
        data, ocr_pages=lambda jobs: ocr.ocr_pages(jobs, cores), parallel=cores
    )
    if method == "ocr":
        warnings.append(ocr.low_confidence_warning(lines))
    created = pdf_created(data)
    return Extracted(
        source, sha, kind.media_type, method, lines, {"pdf_created": created} if created else {},
        warnings,
    )  # fmt: skip


_PDF_DATE = re.compile(rb"/CreationDate\s*\(D:((?:19|20)\d{2})(\d{2})(\d{2})")


def pdf_created(data: bytes) -> str | None:
    """The PDF's CreationDate (its Info dictionary) as YYYY-MM-DD, when it states a real date.
    Read from the bytes (the Info dictionary sits near the end, uncompressed in every report
    seen; an Info in a compressed object stream is simply not read)."""
    tail = data[-65536:] if len(data) > 65536 else data
    m = _PDF_DATE.search(tail) or (_PDF_DATE.search(data) if tail is not data else None)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def pdf_lines(data: bytes, ocr_pages=None, parallel: int = 1) -> tuple[list[Line], str, list[str]]:
    """(lines, method, warnings). `ocr_pages([(image, page no), …]) -> [lines, …]` reads scanned
    pages, `parallel` of them at a time."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise ExtractionError("encrypted PDF: a password is needed to open it") from None
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types on broken files
        if _encrypted(exc, data):
            raise ExtractionError("encrypted PDF: a password is needed to open it") from None
        raise ExtractionError(f"corrupt PDF: {type(exc).__name__}: {str(exc)[:120]}") from None
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise ExtractionError(f"corrupt PDF: {type(exc).__name__}: {str(exc)[:120]}") from None
        if len(pages) > MAX_PDF_PAGES:
            raise ExtractionError(
                f"PDF has {len(pages)} pages; an annual report has at most {MAX_PDF_PAGES}"
            )
        lines: list[Line] = []
        methods: set[str] = set()
        sideways = [i for i, p in enumerate(pages) if p.rotation % 360 and _mostly_sideways(p)]
        if sideways:
            # A page shown turned by /Rotate whose text then runs sideways: read it unturned.
            upright = pdfplumber.open(io.BytesIO(_unrotate(data, sideways)))
            pages = [upright.pages[i] if i in sideways else p for i, p in enumerate(pages)]
            warnings.append(
                f"page(s) {', '.join(str(i + 1) for i in sideways)} rotated; read unrotated"
            )
        scans = [no for no, page in enumerate(pages, start=1) if _is_scan(page)]
        if scans and ocr_pages is None:
            raise ExtractionError(
                f"page {scans[0]} is a scan (no text layer); OCR is not available"
            )
        read: dict[int, list[Line]] = {}
        # Twice as many pages as cores rendered at a time: memory stays bounded (a page rendered
        # at SCAN_DPI, ≈12 MB, is held until its lines are read), and a page laid out while the
        # others' lines are read keeps the cores busy.
        window = 2 * max(1, parallel)
        for i in range(0, len(scans), window):
            numbers = scans[i : i + window]
            jobs = [(pages[no - 1].to_image(resolution=SCAN_DPI).original, no) for no in numbers]
            read.update(zip(numbers, ocr_pages(jobs)))
        for no, page in enumerate(pages, start=1):
            if no in read:
                lines.extend(read[no])
                methods.add("ocr")
                continue
            try:
                page_lines, method = _page_lines(page, no, warnings)
            except ExtractionError:
                raise
            except Exception as exc:
                warnings.append(f"page {no}: unreadable ({type(exc).__name__}); skipped")
                continue
            lines.extend(page_lines)
            methods.add(method)
        if not any(l.cells for l in lines):
            raise ExtractionError("PDF has no readable text or tables")
    method = "ocr" if "ocr" in methods else "pdf_table" if "pdf_table" in methods else "pdf_text"
    return lines, method, warnings


def _encrypted(exc: BaseException, data: bytes) -> bool:
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    seen = exc
    while seen is not None:
        if isinstance(seen, PDFPasswordIncorrect) or any(
            isinstance(a, PDFPasswordIncorrect) for a in seen.args
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]


def _mostly_sideways(page) -> bool:
    chars = page.chars[:500]
    return bool(chars) and sum(not c.get("upright", True) for c in chars) > len(chars) / 2


def _unrotate(data: bytes, indexes: list[int]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for i, p in enumerate(reader.pages):
        if i in indexes:
            p.rotate(-p.rotation % 360)
        writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SCAN_DPI = 200


def _is_scan(page) -> bool:
    """A page to OCR: images and no text layer, or a text layer of unmapped glyphs ((cid:123));
    a page whose text layer is usable is never OCR'd."""
    chars = page.chars
    if not chars:
        return bool(page.images)
    return len(_CID.findall("".join(c.get("text", "") for c in chars[:400]))) > 5


def _page_lines(page, no: int, warnings: list[str]) -> tuple[list[Line], str]:
    chars = page.chars
    if not chars:
        return [], "pdf_text"  # a blank page
    tables = [t for t in page.find_tables(TABLE_SETTINGS) if len(t.rows) >= 1]
    items: list[tuple[float, list[Line]]] = []
    if tables:
        bboxes = [t.bbox for t in tables]
        for t in tables:
            rows = [Line([_clean(c) for c in row], exact=True, page=no) for row in table_text(t)]
            items.append((t.bbox[1], [r for r in rows if any(r.cells)]))

        def outside(obj) -> bool:
            x = (obj["x0"] + obj["x1"]) / 2
            y = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in bboxes)

        rest = page.filter(outside)
    else:
        rest = page
    for tl in rest.extract_text_lines(return_chars=False):
        glued: set[int] = set()
        cells = split_line(tl["text"], glued)
        if cells:
            line = Line([_clean(c) for c in cells], page=no, raw=_clean(tl["text"]))
            line.glued = frozenset(glued)
            items.append((tl["top"], [line]))
    items.sort(key=lambda it: it[0])
    return [l for _, ls in items for l in ls], "pdf_table" if tables else "pdf_text"


def table_text(table) -> list[list[str | None]]:
    """What pdfplumber's ``Table.extract()`` returns, from one pass over the page's characters.
    extract() tests every character against every row and then every cell of it (a third of a
    ruled PDF's time here). A character belongs to each cell holding its midpoint (half-open
    box, as there): the cell is found by bisecting the table's ruling coordinates."""
    from pdfplumber.utils import extract_text

    rows = [row.cells for row in table.rows]
    boxes = [c for cells in rows for c in cells if c is not None]
    xs = sorted({v for c in boxes for v in (c[0], c[2])})
    ys = sorted({v for c in boxes for v in (c[1], c[3])})
    xi, yi = {v: i for i, v in enumerate(xs)}, {v: j for j, v in enumerate(ys)}
    covering: dict[
        tuple[int, int], list[int]
    ] = {}  # elementary square of the ruling -> cells over it
    for k, (x0, top, x1, bottom) in enumerate(boxes):
        for i in range(xi[x0], xi[x1]):
            for j in range(yi[top], yi[bottom]):
                covering.setdefault((i, j), []).append(k)
    held: list[list] = [[] for _ in boxes]
    for char in table.page.chars:  # page order, as extract() keeps it
        h_mid = (char["x0"] + char["x1"]) / 2
        v_mid = (char["top"] + char["bottom"]) / 2
        for k in covering.get((bisect_right(xs, h_mid) - 1, bisect_right(ys, v_mid) - 1), ()):
            held[k].append(char)
    texts = iter([extract_text(chars) if chars else "" for chars in held])
    return [[None if c is None else next(texts) for c in cells] for cells in rows]
