"""Stage 1 — document bytes to lines of cells (:class:`pipeline.model.Extracted`).

One entry point, :func:`extract`, dispatches on the sniffed media type: HTML, text, PDF
(pdfplumber; scanned pages by OCR), DOCX, DOC/WPS (LibreOffice → DOCX), XLS/XLSX/ET (calamine)
and images (OCR). Every extractor returns the same lines of cells.
"""

from __future__ import annotations

import hashlib

from ..model import Extracted, ExtractionError
from . import html as html_x
from .decode import decode
from .sniff import sniff
from .text import text_to_lines

__all__ = ["extract", "sniff", "decode", "ExtractionError"]


def extract(data: bytes, source: str = "<bytes>", sha256: str | None = None) -> Extracted:
    sha = sha256 or hashlib.sha256(data).hexdigest()
    if not data or data.isspace():  # (not data.strip(): that copies the whole page)
        raise ExtractionError("empty document (0 bytes of content)")
    media_type = sniff(data, source)
    if media_type == "application/octet-stream":
        raise ExtractionError("binary data of unknown type, not a report document")
    if media_type == "application/pdf":
        from .ocr import budget, ocr_pages
        from .pdf import pdf_lines

        lines, method, warnings = pdf_lines(data, ocr_pages=ocr_pages, parallel=budget())
        return _paged(source, sha, media_type, method, lines, warnings)
    if media_type == "application/zip":
        from .office import sheet_lines, zip_kind

        kind = zip_kind(data)
        if kind == "docx":
            from .docx import docx_lines

            return Extracted(source, sha, DOCX, "docx", docx_lines(data))
        if kind == "xlsx":
            return Extracted(source, sha, XLSX, "xls", sheet_lines(data))
        raise ExtractionError("ZIP container that is neither DOCX nor XLSX")
    if media_type == "application/x-ole-storage":
        from .office import convert_to_docx, ole_kind, sheet_lines

        kind = ole_kind(data)
        if kind == "doc":
            from .docx import docx_lines, table_count

            wps = source.lower().endswith(".wps")
            converted = convert_to_docx(data, ".wps" if wps else ".doc")
            warnings = (
                []
                if table_count(converted)
                else ["converted by LibreOffice: no table survived the conversion"]
            )
            media = "application/vnd.ms-works" if wps else "application/msword"
            return Extracted(
                source,
                sha,
                media,
                "docx",
                docx_lines(converted),
                {"converted": "libreoffice"},
                warnings,
            )
        if kind == "xls":
            return Extracted(source, sha, "application/vnd.ms-excel", "xls", sheet_lines(data))
        raise ExtractionError("OLE file that is neither a Word/WPS document nor a spreadsheet")
    if media_type.startswith("image/"):
        from .ocr import image_lines

        return _paged(source, sha, media_type, "ocr", image_lines(data), [])
    if media_type == "text/html":
        lines, meta = html_x.read(data)
        return Extracted(source, sha, media_type, "html_table", lines, meta)
    text, encoding = decode(data)
    return Extracted(source, sha, media_type, "text", text_to_lines(text), {"encoding": encoding})


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _paged(source, sha, media_type, method, lines, warnings) -> Extracted:
    if method == "ocr":
        from ..model import LOW_CONFIDENCE

        low = sum(1 for l in lines for c in (l.conf or []) if c < LOW_CONFIDENCE)
        warnings = warnings + [
            f"numbers read by OCR from an image ({low} text boxes below confidence {LOW_CONFIDENCE}): "
            "trust them only where the checks pass"
        ]
    return Extracted(source, sha, media_type, method, lines, {}, warnings)
