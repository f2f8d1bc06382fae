"""The kinds of document OGI Reports reads, each declared once.

A kind names its media type, its file extensions, the bytes a file of it starts with (or the
container it sits in: a ZIP or an OLE compound file, told apart by the container's directory),
the extractor that reads it (``module:function`` inside :mod:`pipeline.extract`, imported on
first use, so a text-only run never loads pdfplumber or the OCR models) and whether the crawler
keeps it as a document. Everything that needs to know the kinds reads this table: telling a
document's kind from its bytes (:mod:`pipeline.extract.sniff`), extraction, the folders
``ogi ingest`` searches, the crawler's file names and its attachment filter, and the CLI help.

A new kind is one entry here and one extractor function (``docs/architecture.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Containers several kinds share: (leading bytes, the media type sniffing reports for them).
CONTAINERS = {
    "zip": (b"PK\x03\x04", "application/zip"),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
}


@dataclass(frozen=True)
class Kind:
    name: str
    media_type: str  # what a document of this kind is recorded as
    extensions: tuple[str, ...]  # file name endings, the usual one first
    label: str  # for people: the CLI help and the docs
    magic: tuple[bytes, ...] = ()  # leading bytes (kinds in a container: the container's)
    container: str | None = None  # "zip" or "ole": the container's directory names the kind
    extractor: str | None = None  # "module:function" in pipeline.extract; None: kept, not read
    crawl: bool = True  # the crawler keeps documents of this kind


KINDS = (
    Kind(
        "html",
        "text/html",
        (".html", ".htm", ".shtml", ".jhtml"),
        "HTML pages in any encoding",
        extractor="html:extract",
    ),
    Kind("text", "text/plain", (".txt",), "text and PDF-text dumps", extractor="text:extract"),
    Kind(
        "pdf",
        "application/pdf",
        (".pdf",),
        "PDF (text layer and ruled tables; scanned pages by OCR)",
        magic=(b"%PDF-",),
        extractor="pdf:extract",
    ),
    Kind("docx", DOCX, (".docx",), "Word", container="zip", extractor="docx:extract"),
    Kind(
        "xlsx", XLSX, (".xlsx",), "spreadsheets", container="zip", extractor="office:extract_sheet"
    ),
    Kind(
        "doc",
        "application/msword",
        (".doc",),
        "Word 97–2003 (via LibreOffice)",
        container="ole",
        extractor="office:extract_doc",
    ),
    Kind(
        "wps",
        "application/vnd.ms-works",
        (".wps",),
        "Kingsoft WPS (via LibreOffice)",
        container="ole",
        extractor="office:extract_doc",
    ),
    Kind(
        "xls",
        "application/vnd.ms-excel",
        (".xls", ".et"),
        "spreadsheets (Excel 97–2003, Kingsoft ET)",
        container="ole",
        extractor="office:extract_sheet",
    ),
    Kind(
        "png",
        "image/png",
        (".png",),
        "images (by OCR)",
        magic=(b"\x89PNG\r\n\x1a\n",),
        extractor="ocr:extract",
    ),
    Kind(
        "jpeg",
        "image/jpeg",
        (".jpg", ".jpeg"),
        "images (by OCR)",
        magic=(b"\xff\xd8\xff",),
        extractor="ocr:extract",
    ),
    Kind(
        "gif", "image/gif", (".gif",), "images (by OCR)", magic=(b"GIF8",), extractor="ocr:extract"
    ),
    # China's fixed-layout standard (GB/T 33190): stored when a portal offers it, not read yet.
    Kind(
        "ofd",
        "application/ofd",
        (".ofd",),
        "OFD (stored by the crawler; not read yet)",
        container="zip",
    ),
)
BY_NAME = {k.name: k for k in KINDS}

# Files `ogi ingest FOLDER` and `ogi extract FOLDER` pick up.
DOCUMENT_SUFFIXES = tuple(e for k in KINDS if k.extractor for e in k.extensions)
# Extensions that mark a link as an attachment the crawler follows (HTML and text are pages).
ATTACHMENT_SUFFIXES = tuple(
    e for k in KINDS if k.crawl and k.name not in ("html", "text") for e in k.extensions
)
IMAGE_SUFFIXES = tuple(e for k in KINDS if k.media_type.startswith("image/") for e in k.extensions)
# The extension a stored file gets for a media type (the usual one of its kind).
EXTENSION = {k.media_type: k.extensions[0] for k in KINDS}


def kinds_in(container: str) -> tuple[Kind, ...]:
    return tuple(k for k in KINDS if k.container == container)


def help_text() -> str:
    """The formats, for `ogi extract --help`."""
    seen: dict[str, list[str]] = {}
    for k in KINDS:
        if k.extractor:
            seen.setdefault(k.label, []).extend(k.extensions)
    return "; ".join(f"{label} ({' '.join(ext)})" for label, ext in seen.items())
