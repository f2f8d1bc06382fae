"""Bytes to text: the encodings Chinese government sites really serve.

Order: BOM, UTF-8 (strict), the charset a page declares, GB18030 (a superset of GBK/GB2312),
Big5 ("gate" copies), then charset_normalizer's guess. A declared charset can be wrong (the
tooling notes record HTTP headers that lie), so a declared one is only trusted when it decodes
strictly and yields Chinese text.
"""

from __future__ import annotations

import codecs
import re

from ..model import ExtractionError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "utf8": "utf-8",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return _ALIASES.get(name, name)


def _plausible(text: str) -> bool:
    """Decoded text is plausible when it is mostly printable and, if long, has Chinese in it."""
    if not text:
        return True
    sample = text[:20000]
    if len(_BAD_CHARS.findall(sample)) > len(sample) * 0.01:
        return False
    return len(text) < 200 or bool(_CJK.search(text))


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Raise ExtractionError when no encoding gives plausible text."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, "replace"), enc
    try:
        # Valid UTF-8 is strong evidence on its own: GBK text almost never is.
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    meta = declared or declared_charset(data)
    if meta:
        candidates.append(_ALIASES.get(meta.lower(), meta.lower()))
    candidates += ["gb18030", "big5hkscs"]
    seen = {"utf-8"}
    for enc in candidates:
        if enc in seen:
            continue
        seen.add(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text, enc
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - library failure is just "no guess"
        best = None
    if best is not None:
        text = str(best)
        if _plausible(text) and _CJK.search(text):
            return text, best.encoding
    raise ExtractionError(
        "cannot decode text: not valid UTF-8, GB18030 or Big5 and no plausible guess"
    )
