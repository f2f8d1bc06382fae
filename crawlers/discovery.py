"""What to follow on a government portal: pure functions over titles, URLs and HTML, no network.

Kept apart from the spiders so every rule is unit-tested on strings.
"""

from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urljoin, urlparse

from pipeline import formats
from pipeline.catalogue import DATED_REPORT_TITLE, LOOKALIKE_TITLES

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# What the crawler follows as a document (pipeline/formats.py declares the kinds).
ATTACHMENT_EXT = formats.ATTACHMENT_SUFFIXES
_ONCLICK_URL = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_NEXT_TEXT = ("下一页", "下页", "后页", ">", "›", "»")


def is_report_title(title: str) -> bool:
    t = re.sub(r"\s+", "", title or "")
    if not DATED_REPORT_TITLE.search(t):
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


# ---------------------------------------------------------------- navigation to the column
# Link text and URL fragments that lead from a home page towards the annual-report column,
# with their weight in the best-first walk. A link scoring 0 is not followed.
NAV_TEXT = (
    ("政府信息公开年报", 12),
    ("信息公开年报", 12),
    ("年度报告", 10),
    ("年报", 9),
    ("法定主动公开内容", 6),
    ("政府信息公开", 6),
    ("信息公开目录", 5),
    ("信息公开", 4),
    ("政务公开", 4),
    ("公开目录", 3),
    ("网站地图", 2),
)
NAV_URL = (
    ("zfxxgknb", 10),
    ("xxgknb", 10),
    ("gknb", 9),
    ("ndbg", 9),
    ("zfxxgkndbg", 10),
    ("zfxxgk", 5),
    ("gkmlpt", 5),
    ("xxgk", 4),
    ("zwgk", 3),
    ("sitemap", 2),
    ("wzdt", 2),
)
NAV_NOT = ("政府网站", "工作要点", "新闻", "动态", "招聘", "English", "无障碍", "登录", "注册")


def nav_score(text: str, url: str) -> int:
    """How likely a link leads to the annual-report column (0: not a way there)."""
    t = re.sub(r"\s+", "", text or "")
    if re.search(r"(?:19|20)\d{2}", t) or lookalike_kind(t) or any(n in t for n in NAV_NOT):
        return 0
    path = urlparse(url).path.lower()
    host = (urlparse(url).hostname or "").lower()
    score = max((w for k, w in NAV_TEXT if k in t), default=0)
    score += max((w for k, w in NAV_URL if k in path or host.startswith(k + ".")), default=0)
    return score


# ---------------------------------------------------------------- attachments
DOWNLOAD_SCRIPT = re.compile(
    r"(?:download|downfile|down\.|attach|getfile|file\.do|fileid=|fid=|annex)", re.I
)
IMAGE_EXT = formats.IMAGE_SUFFIXES
_NAMES_REPORT = re.compile(r"(?:年报|年度报告|政府信息公开|附件|报告全文|原文|扫描件)")
NOT_DOCUMENT_EXT = (
    ".apk",
    ".exe",
    ".ipa",
    ".dmg",
    ".msi",
    ".js",
    ".css",
    ".mp4",
    ".mp3",
    ".flv",
    ".swf",
)
_DECORATIVE = re.compile(
    r"(?:logo|icon|banner|bg|btn|button|arrow|dzjg|jiucuo|wza|share|qrcode|ewm|weixin|weibo|"
    r"/images?/|/img/|/style/|/css/|/common/|/static/)",
    re.I,
)


_A_TAG = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_SRC_TAG = re.compile(r"<(iframe|embed|object|img)\b([^>]*)>", re.I)
_P_TAG = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)
_ANY_TAG = re.compile(r"<[^>]*>")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ATTRS = {
    name: re.compile(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
    for name in ("href", "src", "data", "title", "onclick")
}


def _attr(attrs: str, name: str) -> str:
    m = _ATTRS[name].search(attrs)
    return html_unescape(next(g for g in m.groups() if g is not None)) if m else ""


def attachment_urls(html: str, base: str) -> list[str]:
    """Attachments of a report page. A link is one when its URL path ends in a document
    extension, its query names such a file (downfile.jsp?filename=年报.docx), its text ends in one
    (年度报告.pdf), or it goes through a download script and its text names the report or an
    attachment (the response then says what it is). <iframe>/<embed>/<object> sources,
    onclick="window.open(...)" and pdf.js viewer.html?file=… count too. Images only when the link
    names the report, or when they are the page's only content (a report published as scans).
    A scan of tags, not a DOM: this runs on every report page of a crawl."""
    found: dict[str, None] = {}
    for m in _A_TAG.finditer(html):
        attrs = m.group(1)
        text = " ".join(_ANY_TAG.sub(" ", m.group(2)).split()) + " " + _attr(attrs, "title")
        for raw in filter(
            None, (_attr(attrs, "href"), *_ONCLICK_URL.findall(_attr(attrs, "onclick")))
        ):
            url = _resolve(raw, base)
            if url and _is_attachment(url, text):
                found[url] = None
    images = []
    for m in _SRC_TAG.finditer(html):
        tag, attrs = m.group(1).lower(), m.group(2)
        raw = _attr(attrs, "data" if tag == "object" else "src")
        url = _resolve(raw, base) if raw else None
        if not url:
            continue
        if tag == "img":
            if not _DECORATIVE.search(raw):
                images.append(url)
        elif document_name(url) and not document_name(url).endswith(IMAGE_EXT):
            found[url] = None
    if images:
        prose = sum(len(_CJK.findall(_ANY_TAG.sub("", p))) for p in _P_TAG.findall(html))
        if prose < 200:  # the page's content is its images: a report published as scans
            for url in images:
                found[url] = None
    return list(found)


def _resolve(raw: str, base: str) -> str | None:
    raw = raw.strip().replace("&amp;", "&")
    if not raw or raw.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    url = urljoin(base, raw)
    parsed = urlparse(url)
    if parsed.path.lower().endswith("viewer.html") and "file" in parse_qs(parsed.query):
        url = urljoin(url, parse_qs(parsed.query)["file"][0])
    return url


def document_name(url: str) -> str | None:
    """The document extension a URL names: in its path, or as a file name in its query."""
    parsed = urlparse(url)
    path = unquote(parsed.path).lower()
    if path.endswith(ATTACHMENT_EXT):
        return path
    for values in parse_qs(parsed.query).values():
        for v in values:
            if unquote(v).lower().endswith(ATTACHMENT_EXT):
                return unquote(v).lower()
    return None


def _is_attachment(url: str, text: str) -> bool:
    if urlparse(url).path.lower().endswith(NOT_DOCUMENT_EXT):
        return False
    named = document_name(url)
    t = (text or "").strip().lower()
    if named:
        if named.endswith(IMAGE_EXT):
            return bool(_NAMES_REPORT.search(t)) and not _DECORATIVE.search(url)
        return True
    if t.endswith(tuple(e for e in ATTACHMENT_EXT if e not in IMAGE_EXT)):
        return True
    return bool(DOWNLOAD_SCRIPT.search(url)) and bool(_NAMES_REPORT.search(t))


def content_filename(header: bytes | str | None) -> str | None:
    """The file name a Content-Disposition header gives: RFC 6266 filename*=UTF-8''…, a plain
    filename="…" (percent-encoded, UTF-8 or GBK bytes as many Chinese servers send them)."""
    if not header:
        return None
    raw = header if isinstance(header, bytes) else header.encode("latin-1", "replace")
    m = re.search(rb"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", raw, re.I)
    if m:
        charset = m.group(1).decode("ascii", "ignore") or "utf-8"
        try:
            return unquote_to_bytes(m.group(2).strip().strip(b'"')).decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    m = re.search(rb'filename\s*=\s*"?([^";]+)"?', raw, re.I)
    if not m:
        return None
    value = unquote_to_bytes(m.group(1).strip())
    for enc in ("utf-8", "gb18030"):
        try:
            return value.decode(enc)
        except UnicodeDecodeError:
            continue
    return value.decode("latin-1")


def is_next_link(text: str) -> bool:
    t = (text or "").strip()
    return t in _NEXT_TEXT or t.startswith(("下一页", "下页"))


def trs_page_count(html: str) -> int | None:
    """TRS WCM listings: createPageHTML(countPage, currentPage, 'index', 'html') or var countPage = N."""
    m = re.search(r"createPageHTML\(\s*['\"]?(\d+)", html) or re.search(
        r"countPage\s*=\s*['\"]?(\d+)", html
    )
    return int(m.group(1)) if m else None


def trs_page_urls(
    listing_url: str, count: int, name: str = "index", ext: str = "html"
) -> list[str]:
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
    m = re.search(r"""\bSID['"]?\s*[:=]\s*['"]?([0-9A-Za-z_-]+)""", html)
    return m.group(1) if m else None


def gkmlpt_cat(url: str, html: str) -> str | None:
    m = re.search(r"#(\d+)$", url) or re.search(r"""catId\s*[:=]\s*['"]?(\d+)""", html)
    return m.group(1) if m else None


_REPORT_CATEGORY = re.compile(r"年报|年度报告")


def gkmlpt_tree(html: str) -> list[tuple[str, str]]:
    """(category id, name) of every node of a gkmlpt page's ``window._CONFIG.TREE`` (a JS
    literal, nested ``children`` or flat ``parent`` ids: read node by node, not as JSON)."""
    m = re.search(r"""\bTREE['"]?\s*[:=]\s*\[""", html)
    if not m:
        return []
    depth, i, quote = 0, m.end() - 1, ""
    for i in range(m.end() - 1, len(html)):  # the array's extent, brackets inside strings aside
        ch = html[i]
        if quote:
            quote = "" if ch == quote and html[i - 1] != "\\" else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
    text = html[m.end() - 1 : i + 1]
    out = []
    for node in re.finditer(r"\{([^{}]*)", text):  # each object up to its first nested one
        body = node.group(1)
        id_ = re.search(r"""\b(?:id|catId|cat_id)['"]?\s*:\s*['"]?(\d+)""", body)
        name = re.search(r"""\bname['"]?\s*:\s*(?:'([^']*)'|"([^"]*)")""", body)
        if id_ and name:
            out.append((id_.group(1), name.group(1) or name.group(2) or ""))
    return out


def gkmlpt_report_categories(html: str) -> list[str]:
    """The categories of a gkmlpt site's tree that hold its annual reports (年报, 年度报告)."""
    return [cid for cid, name in gkmlpt_tree(html) if _REPORT_CATEGORY.search(name)]


def gkmlpt_api(page_url: str, cat: str, sid: str, page: int) -> str:
    """The JSON API of a gkmlpt column: <site>/gkmlpt/api/all/<cat>?page=N&sid=<SID>, the site
    being whatever precedes /gkmlpt/ in the page's address (a 区 department's platform lives
    under /lhqkjhgyxxhj/gkmlpt/)."""
    path = urlparse(page_url).path
    base = path[: path.index("/gkmlpt/") + 1] if "/gkmlpt/" in path else "/"
    return urljoin(page_url, f"{base}gkmlpt/api/all/{cat}") + f"?page={page}&sid={sid}"


CHALLENGE_MARKERS = (
    "$_ts",
    "__jsl_clearance",
    "_$",
    "acw_sc__v2",
    "验证码",
    "滑动验证",
    "captcha",
    "安全验证",
    "访问过于频繁",
    "WZWS",
    "wzwschallenge",
)


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
