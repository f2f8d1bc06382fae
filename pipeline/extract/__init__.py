"""Stage 1 — document bytes to lines of cells (:class:`pipeline.model.Extracted`).

One entry point, :func:`extract`, dispatches on the sniffed media type. Formats other than HTML
and text (PDF, DOCX, DOC/WPS, spreadsheets, images) are recognised here and refused with a clear
reason until their extractors land (see the attachments issue).
"""
from __future__ import annotations

import hashlib

from ..model import Extracted, ExtractionError
from . import html as html_x
from .decode import decode
from .sniff import sniff
from .text import text_to_lines

__all__ = ["extract", "sniff", "decode", "ExtractionError"]

_UNSUPPORTED = {
    "application/pdf": "PDF",
    "application/zip": "DOCX/XLSX",
    "application/x-ole-storage": "DOC/WPS/XLS",
    "image/png": "image", "image/jpeg": "image", "image/gif": "image",
}


def extract(data: bytes, source: str = "<bytes>", sha256: str | None = None) -> Extracted:
    sha = sha256 or hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ExtractionError("empty document (0 bytes of content)")
    media_type = sniff(data, source)
    if media_type == "application/octet-stream":
        raise ExtractionError("binary data of unknown type, not a report document")
    if media_type in _UNSUPPORTED:
        raise ExtractionError(f"{_UNSUPPORTED[media_type]} documents are not supported yet")
    text, encoding = decode(data)
    if media_type == "text/html":
        raw = html_x.utf8(data, encoding, text)
        doc = html_x.parse(raw)
        meta = html_x.page_meta(doc, raw)
        meta["encoding"] = encoding
        return Extracted(source, sha, media_type, "html_table", html_x.html_lines(doc), meta)
    return Extracted(source, sha, media_type, "text", text_to_lines(text), {"encoding": encoding})
