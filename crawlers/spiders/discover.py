"""The discovery spider (``ogi discover``): registry rows for the bodies a portal lists.

1. Fetch each portal's home page (robots.txt obeyed, the crawl's polite settings).
2. Read the lists of bodies below it (``crawlers.bodies.listed_bodies``): footer <select> menus,
   link blocks headed 县(市、区)政府 / 市直部门 / 政府网站 …, tab strips whose titles and panels
   are apart, the 信息公开 platform's 机构 lists — and the pages one level down that list bodies
   (机构设置, 部门网站, 区县网站, a list's 更多; same site, at most LIST_PAGE_BUDGET a portal).
3. Each listed body becomes a row: its name as printed, its level, the portal as parent, the
   GB/T 2260 code resolved from the parent's place and its name (departments take their
   government's code), its site as entry_url, and ``discovered_from``.
4. With depth > 1, listed governments' portals are read the same way (province → prefectures →
   counties), each once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import scrapy

from pipeline.normalise import divisions, names

from ..bodies import bodies_on_list_page, list_pages, listed_bodies

# Pages one level down read per portal (机构设置, 部门网站, 区县网站, 更多): a budget, so a portal
# that links every page of its site as 网站群 cannot turn discovery into a crawl.
LIST_PAGE_BUDGET = 8


@dataclass
class Portal:
    url: str
    source_id: str
    name: str | None  # the body's name, when known (a registry row, or the list that named it)
    code: str | None  # its division code, when known
    depth: int


@dataclass
class Found:
    rows: list[dict] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def slug(url: str) -> str:
    """A stable source id from a site's address: http://jyj.fz.gov.cn/ -> jyj-fz-gov-cn."""
    p = urlparse(url)
    host = (p.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    parts = [host.replace(".", "-")] + [s for s in p.path.split("/") if s and "." not in s]
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")[:60]


class DiscoverSpider(scrapy.Spider):
    name = "discover"

    def __init__(self, portals: list[Portal], found: Found, **kwargs):
        super().__init__(**kwargs)
        self.portals = portals
        self.found = found
        self.seen: set[str] = {p.url for p in portals}
        self.listed: set[str] = set()

    async def start(self):
        for p in self.portals:
            yield self._request(p)

    def _request(self, p: Portal) -> scrapy.Request:
        return scrapy.Request(
            p.url, callback=self.parse_portal, errback=self.on_error, cb_kwargs={"portal": p}
        )

    def parse_portal(self, response, portal: Portal):
        if not hasattr(response, "text"):
            return
        own = portal.name or _title_name(response)
        code = portal.code or _resolve(own, None)
        portal = Portal(portal.url, portal.source_id, own, code, portal.depth)
        yield from self._rows(listed_bodies(response.text, response.url, own), response, portal)
        # The pages one level down that list bodies (机构设置, 部门网站, 区县网站, a list's 更多).
        for url, kind in list_pages(response.text, response.url)[:LIST_PAGE_BUDGET]:
            if url not in self.seen:
                self.seen.add(url)
                yield scrapy.Request(
                    url,
                    callback=self.parse_list_page,
                    errback=self.on_error,
                    cb_kwargs={"portal": portal, "kind": kind},
                )

    def parse_list_page(self, response, portal: Portal, kind: str | None):
        if not hasattr(response, "text"):
            return
        heading = _title_name(response) or ""
        found = bodies_on_list_page(response.text, response.url, kind, heading, portal.name)
        yield from self._rows(found, response, portal)

    def _rows(self, bodies, response, portal: Portal):
        own, code = portal.name, portal.code
        for b in bodies:
            if b.url in self.listed:
                continue
            self.listed.add(b.url)
            if b.kind == "government":
                place = names.name_key(b.name)
                full = (
                    place
                    if own is None or place.startswith(names.name_key(own)[:2])
                    else names.name_key(own) + place
                )
                res = divisions.resolve(full, None)
                level = res.level if res.flag is None else names.level_of(b.name) or "county"
                row_code = res.code if res.flag is None else ""
                sid = f"gov-{row_code}" if row_code else slug(b.url)
            else:
                level, row_code, sid, full = "department", code or "", slug(b.url), None
            self.found.rows.append(
                {
                    "source_id": sid,
                    "name": b.name,
                    "level": level,
                    "parent_id": portal.source_id,
                    "division_code": row_code,
                    "entry_url": b.url,
                    "family": "",
                    "discovered_from": response.url,
                    "list": b.heading,
                }
            )
            if b.kind == "government" and portal.depth > 1 and b.url not in self.seen:
                self.seen.add(b.url)
                yield self._request(
                    Portal(b.url, sid, full or b.name, row_code or None, portal.depth - 1)
                )

    def on_error(self, failure):
        self.found.failures.append(
            (failure.request.url, f"{type(failure.value).__name__}: {failure.value}")
        )


def _title_name(response) -> str | None:
    """The body's name from its portal's <title>: 福州市人民政府门户网站 -> 福州市人民政府."""
    title = " ".join(response.css("title::text").getall()).strip()
    title = re.split(r"[-_|—]", title)[0]
    name = re.sub(r"(?:门户网站|政府网站|网站|首页|官方网站|欢迎您)+$", "", title).strip()
    return name or None


def _resolve(name: str | None, year: int | None) -> str | None:
    if not name:
        return None
    res = divisions.resolve(names.name_key(name), year)
    return res.code if res.flag is None else None
