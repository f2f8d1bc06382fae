"""Subordinate bodies a portal lists: pure rules over HTML, no network (``ogi discover``).

Government portals list the bodies below them in footer ``<select>`` menus and in link blocks
headed 县(市、区)政府 / 区县政府 / 市直部门 / 省直部门 / 政府网站, and the 政府信息公开 platform lists
its 机构. A link is a new body when the list it sits in says so (its heading, or the select's
first option) and its text names a body; media and app links (人民网, 新华网, 客户端下载) and links up
the hierarchy (中国政府网, the parent province) are not, whatever their host — on the real web a
body's site is under .gov.cn, but a loopback test portal has no such host, so the list decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

from lxml import html as lxml_html

from pipeline.normalise import names

# Headings of lists of governments below this one, and of lists of its departments.
GOVERNMENT_LIST = re.compile(
    r"(?:县[（(]?(?:市|区)|区县|县区|县市|市县|市州|设区市|各(?:县|区|市|乡镇)|地市|乡镇|街道|"
    r"政府网站|地方政府|下级政府|市政府网站|区政府网站)"
)
DEPARTMENT_LIST = re.compile(r"(?:部门|直属|厅局|委办局|[省市区县]直|单位网站|机构)")
NOT_A_LIST = re.compile(r"(?:友情链接|媒体|新闻|合作|客户端|新媒体|相关链接|热点|专题|服务|互动)")
# Link texts that are never a body of this hierarchy.
NOT_A_BODY = re.compile(
    r"(?:人民网|新华网|央视|新华社|光明网|中国网|客户端|下载|APP|app|微博|微信|抖音|头条|"
    r"中国政府网|国务院|首页|更多|网站地图|English|新闻|资讯|留言|信箱|专题|查询|登录|注册|"
    r"无障碍|关怀版|长者|公众号|小程序)"
)
# Links from a home page to the pages that list its bodies (one level down, same site): the
# list they lead to, by the words of the link.
LIST_PAGE = re.compile(
    r"(?:机构设置|组织机构|政府机构|机构职能|部门网站|部门导航|政府部门|[省市区县]直部门|"
    r"区县网站|县市区网站|县区网站|市县网站|区县政府|县区政府|县市区政府|政府网站群|网站群|"
    r"乡镇街道|乡镇网站)"
)
MORE = re.compile(r"^(?:更多|more|MORE|>>|更多>>|更多\+|查看更多)$")
HEADING_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "th",
    "strong",
    "b",
    "span",
    "div",
    "p",
    "li",
    "td",
    "label",
    "legend",
    "option",
}


@dataclass(frozen=True)
class Listed:
    name: str  # as the portal prints it
    url: str
    kind: str  # "government" | "department"
    heading: str  # the list's heading


def listed_bodies(html: str, base: str, own_name: str | None = None) -> list[Listed]:
    """Bodies a page lists below the portal's own body, in page order, each once."""
    doc = _parse(html)
    if doc is None:
        return []
    out: dict[str, Listed] = {}
    for sel in doc.iter("select"):
        options = list(sel.iter("option"))
        heading = " ".join(
            o.text_content().strip() for o in options if not _url_of(o.get("value"), base)
        )
        if not _kind(heading):  # 请选择: the list is named by the label before the menu
            heading = _label_before(sel) or heading
        kind = _kind(heading)
        for o in options:
            url = _url_of(o.get("value"), base)
            if url and kind:
                _add(out, o.text_content(), url, kind, heading, own_name)
    for heading, kind, panel in _tab_panels(doc):
        for a in panel.iter("a"):
            url = _url_of(a.get("href"), base)
            if url:
                _add(out, a.text_content() or a.get("title") or "", url, kind, heading, own_name)
    heading, kind, scope = "", None, None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("select", "option", "script", "style"):
            continue
        if el.tag == "a":
            if kind and scope is not None and _inside(el, scope):
                url = _url_of(el.get("href"), base)
                if url:
                    _add(
                        out,
                        el.text_content() or el.get("title") or "",
                        url,
                        kind,
                        heading,
                        own_name,
                    )
            continue
        text = _own_text(el)
        if el.tag in HEADING_TAGS and text and len(text) <= 24 and el.find(".//a") is None:
            k = _kind(text)
            if (
                k
                or NOT_A_LIST.search(text)
                or el.tag.startswith("h")
                or el.tag in ("dt", "th", "legend")
            ):
                heading, kind, scope = (
                    text,
                    k,
                    _scope(el),
                )  # a new list starts (or one we do not read)
    return list(out.values())


def _tab_panels(doc):
    """(heading, kind, panel) of tab strips whose headings and panels are apart: a row of short
    tab titles (<ul class="tab-hd"><li>县市区网站</li><li>部门网站</li></ul>) and, after it, as
    many panels of links in the same order (<div class="item">…</div> each) — the i-th panel is
    the i-th tab's list."""
    for strip in doc.iter("ul", "ol", "div", "dl", "p"):
        tabs = [c for c in strip if isinstance(c.tag, str)]
        if len(tabs) < 2 or any(
            _url_of(a.get("href"), "http://x/") for t in tabs for a in t.iter("a")
        ):
            continue  # tab titles carry no links (or only javascript:/# ones)
        titles = [re.sub(r"\s+", "", t.text_content()) for t in tabs]
        if any(not t or len(t) > 16 for t in titles) or not any(_kind(t) for t in titles):
            continue
        panels = _panels_after(strip, len(tabs))
        for title, panel in zip(titles, panels):
            kind = _kind(title)
            if kind:
                yield title, kind, panel


def _panels_after(strip, n: int) -> list:
    """The n panels of links after a tab strip: its next siblings, or the children of the next
    sibling (a .tab-bd holding the panels), or the same one level up."""
    for anchor in (strip, strip.getparent()):
        if anchor is None:
            continue
        after = [e for e in anchor.itersiblings() if isinstance(e.tag, str)]
        linked = [e for e in after if e.find(".//a") is not None]
        if len(linked) >= n and all(e.find(".//a") is not None for e in after[:n]):
            return after[:n]
        if after:
            inner = [c for c in after[0] if isinstance(c.tag, str)]
            if len(inner) >= n and all(c.find(".//a") is not None for c in inner[:n]):
                return inner[:n]
    return []


def list_pages(html: str, base: str) -> list[tuple[str, str | None]]:
    """Pages one level down that list bodies, to be read too: links named 机构设置 / 部门网站 /
    区县网站 …, and the 更多 link of a list of bodies. (url, the kind of list when the link
    says) — same site only; the caller keeps the budget."""
    doc = _parse(html)
    if doc is None:
        return []
    host = urlparse(base).hostname
    out: dict[str, str | None] = {}
    heading_kind: str | None = None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if el.tag != "a":
            text = _own_text(el)
            if el.tag in HEADING_TAGS and text and len(text) <= 24 and el.find(".//a") is None:
                heading_kind = (
                    _kind(text) if (_kind(text) or NOT_A_LIST.search(text)) else heading_kind
                )
            continue
        url = _url_of(el.get("href"), base)
        if not url or urlparse(url).hostname != host or url.rstrip("/") == base.rstrip("/"):
            continue
        text = re.sub(r"\s+", "", el.text_content() or el.get("title") or "")
        if LIST_PAGE.search(text) and len(text) <= 16:
            out.setdefault(url, _kind(text))
        elif MORE.match(text) and heading_kind:
            out.setdefault(url, heading_kind)
    return list(out.items())


def bodies_on_list_page(
    html: str, base: str, kind: str | None, heading: str, own_name: str | None = None
) -> list[Listed]:
    """The bodies a 机构设置 / 部门网站 / 更多 page lists: its own headed lists, and — when it has
    none — every link of its content that names a body, as the kind the link to it said."""
    found = listed_bodies(html, base, own_name)
    if found or not kind:
        return found
    doc = _parse(html)
    if doc is None:
        return []
    out: dict[str, Listed] = {}
    for a in doc.iter("a"):
        url = _url_of(a.get("href"), base)
        if url and url.rstrip("/") != base.rstrip("/"):
            _add(out, a.text_content() or a.get("title") or "", url, kind, heading, own_name)
    return list(out.values())


def _parse(html: str):
    """The page as an lxml tree, or None when it is no HTML lxml can read."""
    try:
        return lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return None


def _scope(heading):
    """The element a heading's list lives in: the heading's parent when the heading opens it
    (<div><div class=title>…</div><ul>…</ul></div>, <dl><dt>…</dt><dd>…</dd></dl>), else the
    element right after the heading (<h3>…</h3><ul>…</ul>)."""
    parent = heading.getparent()
    first = (
        next((c for c in parent if isinstance(c.tag, str)), None) if parent is not None else None
    )
    if first is heading and parent.tag not in ("body", "html"):
        return parent
    nxt = heading.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return nxt


def _inside(el, scope) -> bool:
    while el is not None:
        if el is scope:
            return True
        el = el.getparent()
    return False


def _kind(heading: str) -> str | None:
    h = re.sub(r"\s+", "", heading or "")
    if not h or NOT_A_LIST.search(h):
        return None
    if DEPARTMENT_LIST.search(h):
        return "department"
    if GOVERNMENT_LIST.search(h):
        return "government"
    return None


def _own_text(el) -> str:
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return re.sub(r"\s+", "", "".join(parts))


def _label_before(el) -> str:
    prev = el.getprevious()
    return _own_text(prev) if prev is not None else ""


def _url_of(raw: str | None, base: str) -> str | None:
    raw = (raw or "").strip()
    if not raw or raw.startswith(("javascript:", "#", "mailto:")):
        return None
    url = urljoin(base, raw)
    return url if urlparse(url).scheme in ("http", "https") else None


def _add(out: dict, text: str, url: str, kind: str, heading: str, own_name: str | None) -> None:
    name = re.sub(r"\s+", "", text or "")
    if not name or len(name) > 30 or NOT_A_BODY.search(name) or url in out:
        return
    if own_name and (name == own_name or names.name_key(name) == names.name_key(own_name)):
        return  # the portal's own body
    if own_name and _is_above(name, own_name):
        return  # a link up the hierarchy (the parent province)
    if not _is_body_name(name):
        return  # not a body's name
    out[url] = Listed(name, url, kind, heading)


def _is_body_name(name: str) -> bool:
    from pipeline.normalise import divisions

    return (
        names.level_of(name) is not None
        or name.endswith(("政府", "网站", "门户"))
        or divisions.resolve(names.name_key(name), None).flag is None
    )


def _is_above(name: str, own_name: str) -> bool:
    """True for a government above the portal's own: 福建省人民政府 on the 福州市 portal."""
    from pipeline.normalise import divisions

    if names.level_of(name) == "department":
        return False
    place, own_place = names.name_key(name), names.name_key(own_name)  # 福州市人民政府 -> 福州市
    if own_place.startswith(place) and own_place != place:
        return True
    above, own = divisions.resolve(place, None), divisions.resolve(own_place, None)
    if above.flag or own.flag:
        return False
    code = own.parent_code
    while code:
        if code == above.code:
            return True
        code = divisions.resolve_code(code)
    return False
