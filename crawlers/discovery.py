"""What to follow on a government portal: pure functions over titles, URLs and HTML, no network.

Kept apart from the spiders so every rule is unit-tested on strings.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlparse

from pipeline.catalogue import LOOKALIKE_TITLES

# Link text and URL fragments of an annual-report column.
COLUMN_TEXT = ("政府信息公开年报", "政府信息公开年度报告", "信息公开年报", "信息公开年度报告", "年度报告", "年报")
COLUMN_URL = ("zfxxgkndbg", "zfxxgknb", "xxgknb", "gknb", "ndbg")

_REPORT_TITLE = re.compile(r"(?:19|20)\d{2}\s*年?度?.{0,40}?(?:政府信息公开|政务公开|信息公开).{0,12}(?:年度报告|年报|工作报告)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".jpg", ".jpeg", ".png", ".gif", ".ofd")
_ONCLICK_URL = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_NEXT_TEXT = ("下一页", "下页", "后页", ">", "›", "»")


def is_report_title(title: str) -> bool:
    t = re.sub(r"\s+", "", title or "")
    if not _REPORT_TITLE.search(t):
        return False
    return lookalike_kind(t) is None


def lookalike_kind(title: str) -> str | None:
    t = re.sub(r"\s+", "", title or "")
    for needle, kind in LOOKALIKE_TITLES:
        if needle in t:
            return kind
    return None


def year_of(title: str) -> int | None:
    m = _YEAR.search(title or "")
    return int(m.group(1)) if m else None


def is_column_link(text: str, url: str) -> bool:
    t = re.sub(r"\s+", "", text or "")
    if any(k in t for k in COLUMN_TEXT) and not re.search(r"(?:19|20)\d{2}", t) and lookalike_kind(t) is None:
        return True
    path = urlparse(url).path.lower()
    return any(f"/{frag}" in path for frag in COLUMN_URL)


def attachment_urls(html: str, base: str) -> list[str]:
    """Attachments of a report page: <a href>, <iframe>/<embed>/<object> sources,
    onclick="window.open(...)" and pdf.js viewer.html?file=… links."""
    found: dict[str, None] = {}
    for m in re.finditer(r"""(?:href|src|data)\s*=\s*["']([^"']+)["']""", html, re.I):
        _add(found, m.group(1), base)
    for m in _ONCLICK_URL.finditer(html):
        _add(found, m.group(1), base)
    return list(found)


def _add(found: dict, raw: str, base: str) -> None:
    raw = raw.strip().replace("&amp;", "&")
    if raw.startswith(("javascript:", "mailto:", "#")):
        return
    url = urljoin(base, raw)
    parsed = urlparse(url)
    if parsed.path.lower().endswith("viewer.html") and "file" in parse_qs(parsed.query):
        url = urljoin(url, parse_qs(parsed.query)["file"][0])
        parsed = urlparse(url)
    if parsed.path.lower().endswith(ATTACHMENT_EXT):
        found[url] = None


def is_next_link(text: str) -> bool:
    t = (text or "").strip()
    return t in _NEXT_TEXT or t.startswith(("下一页", "下页"))


def trs_page_count(html: str) -> int | None:
    """TRS WCM listings: createPageHTML(countPage, currentPage, 'index', 'html') or var countPage = N."""
    m = re.search(r"createPageHTML\(\s*['\"]?(\d+)", html) or re.search(r"countPage\s*=\s*['\"]?(\d+)", html)
    return int(m.group(1)) if m else None


def trs_page_urls(listing_url: str, count: int, name: str = "index", ext: str = "html") -> list[str]:
    return [urljoin(listing_url, f"{name}_{i}.{ext}") for i in range(1, count)]


def hanweb_params(html: str) -> dict[str, str] | None:
    """columnid / unitid / webid of a Hanweb jpage listing."""
    out = {}
    for key in ("columnid", "unitid", "webid"):
        m = re.search(rf"""{key}['"]?\s*[:=]\s*['"]?(\d+)""", html, re.I)
        if m:
            out[key] = m.group(1)
    return out if "columnid" in out else None


def hanweb_records(xml: str) -> tuple[int | None, list[str]]:
    """(totalrecord, [record html…]) of a dataproxy.jsp answer."""
    m = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", xml)
    records = re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", xml, re.S)
    return (int(m.group(1)) if m else None), records


def gkmlpt_sid(html: str) -> str | None:
    m = re.search(r"""SID\s*[:=]\s*['"]([0-9A-Za-z_-]+)['"]""", html)
    return m.group(1) if m else None


def gkmlpt_cat(url: str, html: str) -> str | None:
    m = re.search(r"#(\d+)$", url) or re.search(r"""catId\s*[:=]\s*['"]?(\d+)""", html)
    return m.group(1) if m else None


CHALLENGE_MARKERS = ("$_ts", "__jsl_clearance", "_$", "acw_sc__v2", "验证码", "滑动验证", "captcha", "安全验证",
                     "访问过于频繁", "WZWS", "wzwschallenge")


def is_challenge(status: int, body: bytes) -> str | None:
    """Why a response is an anti-bot challenge (瑞数 412, 加速乐 521, captcha pages), or None."""
    head = body[:20000].decode("utf-8", "ignore")
    if status in (412, 521):
        return f"HTTP {status} challenge"
    if status in (403, 429, 200) and "<script" in head.lower():
        hit = next((m for m in CHALLENGE_MARKERS if m in head), None)
        if hit and (status != 200 or len(body) < 5000):
            return f"HTTP {status} with challenge script ({hit})"
    return None
