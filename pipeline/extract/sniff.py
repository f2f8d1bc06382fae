"""Tell what kind of document some bytes are, from their content first and their name second."""

from __future__ import annotations

import re

_HTML_HINT = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|div|meta|p)\b", re.I)

MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),  # DOCX / XLSX / ET: decided by the attachments issue
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # DOC / WPS / XLS
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)


def sniff(data: bytes, name: str = "") -> str:
    head = data[:2048]
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_HINT.search(stripped[:1024]):
        return "text/html"
    if _looks_binary(head):
        return "application/octet-stream"
    if name.lower().endswith((".html", ".htm", ".shtml", ".jhtml")):
        return "text/html"
    return "text/plain"


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05
