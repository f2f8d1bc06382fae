"""Tell what kind of document some bytes are, from their content first and their name second.

:func:`sniff` gives a media type from the leading bytes (a ZIP or OLE container as such);
:func:`kind_of` goes on to the document's kind (:mod:`pipeline.formats`), opening a container's
directory to tell DOCX from XLSX, DOC from XLS.
"""

from __future__ import annotations

import re

from ..formats import BY_NAME, CONTAINERS, KINDS, Kind
from ..model import ExtractionError

_HTML_HINT = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|div|meta|p)\b", re.I)

MAGIC = tuple(
    [(magic, k.media_type) for k in KINDS if not k.container for magic in k.magic]
    + [(magic, media) for magic, media in CONTAINERS.values()]
)
_BY_MEDIA = {k.media_type: k for k in KINDS if not k.container}


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
    if name.lower().endswith(BY_NAME["html"].extensions):
        return "text/html"
    return "text/plain"


def kind_of(data: bytes, name: str = "") -> Kind:
    """The kind of a document, or ExtractionError when it is none we read."""
    media_type = sniff(data, name)
    if media_type == CONTAINERS["zip"][1]:
        from .office import zip_kind

        probed = zip_kind(data)
        if probed in ("docx", "xlsx"):
            return BY_NAME[probed]
        raise ExtractionError("ZIP container that is neither DOCX nor XLSX")
    if media_type == CONTAINERS["ole"][1]:
        from .office import ole_kind

        probed = ole_kind(data)
        if probed == "doc":
            # Kingsoft writer files are DOC-like: only the name tells them apart
            return BY_NAME["wps" if name.lower().endswith(BY_NAME["wps"].extensions) else "doc"]
        if probed == "xls":
            return BY_NAME["xls"]
        raise ExtractionError("OLE file that is neither a Word/WPS document nor a spreadsheet")
    if media_type not in _BY_MEDIA:
        raise ExtractionError("binary data of unknown type, not a report document")
    return _BY_MEDIA[media_type]


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05
