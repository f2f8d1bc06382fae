"""Stage 1 — document bytes to lines of cells (:class:`pipeline.model.Extracted`).

One entry point, :func:`extract`: the document's kind is read from its bytes
(:func:`.sniff.kind_of`, over the kinds declared in :mod:`pipeline.formats`) and the kind's
extractor turns it into lines of cells — HTML, text, PDF (pdfplumber; scanned pages by OCR),
DOCX, DOC/WPS (LibreOffice → DOCX), XLS/XLSX/ET (calamine) and images (OCR). Every extractor has
the same signature and returns the same lines of cells.
"""

from __future__ import annotations

import hashlib
import importlib

from ..formats import Kind
from ..model import Extracted, ExtractionError
from .decode import decode
from .sniff import kind_of, sniff

__all__ = ["extract", "sniff", "kind_of", "decode", "ExtractionError"]


def extract(
    data: bytes,
    source: str = "<bytes>",
    sha256: str | None = None,
    cores: int | None = None,
    name: str | None = None,
) -> Extracted:
    """Lines of cells of one document. `cores`: how many cores its OCR may use (default: all
    of this process's; a pool of several workers gives each its share). `name`: the file name
    that hints at its kind when the bytes do not tell (default: `source`)."""
    sha = sha256 or hashlib.sha256(data).hexdigest()
    if not data or data.isspace():  # (not data.strip(): that copies the whole page)
        raise ExtractionError("empty document (0 bytes of content)")
    kind = kind_of(data, name or source)
    return extractor(kind)(data, source, sha, kind, cores or cores_available())


def extractor(kind: Kind):
    """The function that reads documents of `kind` (imported on first use)."""
    if kind.extractor is None:
        raise ExtractionError(f"{kind.label}: documents of this kind are stored but not read")
    module, _, function = kind.extractor.partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


def cores_available() -> int:
    """The cores this process may run on."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
