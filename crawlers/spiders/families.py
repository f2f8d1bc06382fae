"""Pagination families: how one kind of CMS spreads its annual-report column over pages.

Each family is a small strategy; a registry row names one in `family`, or the spider detects it
from the first listing page. Adding a family is adding a class here and a name to FAMILIES.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlencode, urljoin, urlparse

from .. import discovery as disc


class Generic:
    """Plain next/下一页 links and ?page=N / index_N.html page links."""

    name = "generic"
    _PAGE_HREF = re.compile(
        r"(?:[?&](?:page|pageNo|pageIndex|currentPage|p)=\d+|index_\d+\.html?$)", re.I
    )

    @staticmethod
    def matches(response) -> bool:
        return True

    def pages(self, spider, response):
        for a in response.css("a"):
            href = a.attrib.get("href")
            if not href or href.startswith(("javascript:", "#")):
                continue
            text = " ".join(a.css("::text").getall())
            if disc.is_next_link(text) or self._PAGE_HREF.search(href):
                yield spider.listing_request(response.urljoin(href))

    def parse(self, spider, response):  # pragma: no cover - generic pages are plain listings
        yield from spider.parse_listing(response)


class Trs(Generic):
    """TRS WCM: createPageHTML(N, cur, "index", "html") / var countPage = N -> index_1.html …"""

    name = "trs"

    @staticmethod
    def matches(response) -> bool:
        return disc.trs_page_count(response.text) is not None

    def pages(self, spider, response):
        count = disc.trs_page_count(response.text)
        if count and not re.search(r"index_\d+\.html?$", response.url):
            for url in disc.trs_page_urls(response.url, count):
                yield spider.listing_request(url)
        yield from super().pages(spider, response)


class Hanweb(Generic):
    """Hanweb jpage: records come from /module/web/jpage/dataproxy.jsp as XML with CDATA rows."""

    name = "hanweb"
    PER_CALL = 45

    @staticmethod
    def matches(response) -> bool:
        return (
            "dataproxy.jsp" in response.text
            or "jpage" in response.text
            and disc.hanweb_params(response.text)
        )

    def _url(self, listing_url: str, params: dict, start: int) -> str:
        q = {"startrecord": start, "endrecord": start + self.PER_CALL - 1, "perpage": 15, **params}
        return urljoin(listing_url, "/module/web/jpage/dataproxy.jsp") + "?" + urlencode(q)

    def pages(self, spider, response):
        params = disc.hanweb_params(response.text)
        if not params:
            yield from super().pages(spider, response)
            return
        yield spider.family_request(
            self._url(response.url, params, 1),
            self.name,
            {"params": params, "listing": response.url, "first": True},
        )

    def parse(self, spider, response, params: dict, listing: str, first: bool = False):
        total, records = disc.hanweb_records(response.text)
        for html in records:
            yield from spider.report_links(response, html=html)
        if first and total:
            for start in range(1 + self.PER_CALL, total + 1, self.PER_CALL):
                yield spider.family_request(
                    self._url(listing, params, start),
                    self.name,
                    {"params": params, "listing": listing},
                )


class Gkmlpt(Generic):
    """Guangdong gkmlpt: the column is a script (``/gkmlpt/index#2641``); its page holds
    ``window._CONFIG = {SID: …, TREE: [...]}`` and the records come as JSON from
    ``/gkmlpt/api/all/<category>?page=N&sid=<SID>``. The report category is the link's fragment
    (kept in the request's meta: no server ever sees a fragment), else the tree's nodes named
    年报 / 年度报告, else the page's catId."""

    name = "gkmlpt"

    @staticmethod
    def matches(response) -> bool:
        return (
            "/gkmlpt/" in response.url
            or disc.gkmlpt_sid(response.text) is not None
            and "gkmlpt" in response.text
        )

    def pages(self, spider, response):
        sid = disc.gkmlpt_sid(response.text)
        fragment = response.meta.get("fragment") or urlparse(response.url).fragment
        cats = [fragment] if fragment.isdigit() else []
        cats += disc.gkmlpt_report_categories(response.text)
        if not cats and disc.gkmlpt_cat(response.url, response.text):
            cats.append(disc.gkmlpt_cat(response.url, response.text))
        if not sid or not cats:
            spider.note_tried(
                f"gkmlpt page {response.url}: "
                + ("no SID in window._CONFIG" if not sid else "no 年报 category in its TREE")
            )
            yield from super().pages(spider, response)
            return
        for cat in dict.fromkeys(cats):
            yield spider.family_request(
                disc.gkmlpt_api(response.url, cat, sid, 1),
                self.name,
                {"cat": cat, "sid": sid, "page_url": response.url, "first": True},
            )

    def parse(self, spider, response, cat: str, sid: str, page_url: str, first: bool = False):
        try:
            data = json.loads(response.text)
        except ValueError:
            spider.note_tried(f"gkmlpt API {response.url}: not JSON")
            return
        articles = data.get("articles") or []
        for art in articles:
            title = art.get("title") or ""
            url = art.get("url") or art.get("post_url") or art.get("link") or ""
            if url and disc.is_report_title(title):
                yield from spider.document_request(
                    response.urljoin(url), title, page_url=response.url
                )
            elif disc.lookalike_kind(title):
                spider.stats["lookalikes"] += 1
        total = int(data.get("total") or 0)
        size = int(data.get("page_size") or data.get("pageSize") or len(articles) or 1)
        if first:
            for page in range(2, math.ceil(total / size) + 1):
                yield spider.family_request(
                    disc.gkmlpt_api(page_url, cat, sid, page),
                    self.name,
                    {"cat": cat, "sid": sid, "page_url": page_url},
                )


FAMILIES = {f.name: f for f in (Generic(), Trs(), Hanweb(), Gkmlpt())}


def get(name: str):
    return FAMILIES[name]


def detect(response):
    """The family of a listing page (the most specific that matches)."""
    if not hasattr(response, "text"):
        return FAMILIES["generic"]
    for name in ("gkmlpt", "hanweb", "trs"):
        if FAMILIES[name].matches(response):
            return FAMILIES[name]
    return FAMILIES["generic"]
