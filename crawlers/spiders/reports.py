"""The report spider: one instance per registry row.

1. Start at the row's ``entry_url`` (a portal home page or the annual-report column).
2. If that page lists no reports, follow links that look like the column (link text
   政府信息公开年报 / 年度报告 …, URL fragments xxgknb / zfxxgknb / ndbg …), at most a few.
3. On a listing page, follow links whose title is a report title (a year + 政府信息公开 +
   年度报告/年报) and skip look-alikes (政府网站工作年度报表, 住房公积金年度报告, …).
4. Walk the listing's pagination with the row's family (``crawlers.spiders.families``:
   generic next/?page=N, TRS index_N.html, Hanweb dataproxy.jsp, Guangdong gkmlpt JSON);
   an empty ``family`` is detected from the first listing page.
5. Store each report page, then each of its attachments (PDF, DOC/DOCX/WPS, XLS/ET, images,
   including those behind <iframe>, onclick=window.open and pdf.js viewer links).
6. When the spider closes, record one outcome for the source: ok, blocked, unreachable,
   robots_disallowed or no_reports, with its evidence.

A document already stored is not fetched again while resuming a killed run; in a later run it is
asked for with If-None-Match / If-Modified-Since and only stored again when it changed.
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from .. import discovery as disc
from ..registry import Source
from ..store import DocumentStore
from . import families

MAX_COLUMN_HOPS = 3


class ReportSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, source: Source | None = None, store: DocumentStore | None = None,
                 sources: str | None = None, source_id: str | None = None, out: str = "data/crawl", **kwargs):
        if source is None:
            # `scrapy crawl reports -a sources=FILE.csv -a source_id=ID [-a out=DIR]` from crawlers/
            from ..registry import load
            rows = load(sources) if sources else []
            source = next((r for r in rows if r.source_id == source_id), rows[0] if rows and not source_id else None)
            if source is None:
                raise ValueError("give -a sources=FILE.csv and -a source_id=ID (one registry row per spider)")
            store = DocumentStore(out)
        super().__init__(name=f"reports:{source.source_id}", **kwargs)
        self.source = source
        self.store = store
        host = urlparse(source.entry_url).hostname or ""
        parts = host.split(".")
        # The source's own domains, subdomains allowed (www.x.gov.cn -> x.gov.cn).
        self.allowed_domains = [host if host.replace(".", "").isdigit() or len(parts) <= 2
                                else ".".join(parts[1:] if parts[0] in ("www", "www1", "www2") else parts)]
        self.family = families.get(source.family) if source.family else None
        self.stats = {"listing_pages": 0, "reports": 0, "stored": 0, "unchanged": 0, "skipped_stored": 0,
                      "lookalikes": 0, "errors": 0}
        self.blocked: tuple[str, str] | None = None
        self.entry_failed: str | None = None
        self.robots_forbidden: list[str] = []
        self.report_urls: set[str] = set()

    # ------------------------------------------------------------ 1. entry
    async def start(self):
        yield scrapy.Request(self.source.entry_url, callback=self.parse_entry, errback=self.on_error,
                             meta={"role": "entry"})

    def parse_entry(self, response, hops: int = 0):
        if not hasattr(response, "text"):
            self.entry_failed = f"entry URL is not a page ({response.headers.get('Content-Type', b'').decode()})"
            return
        yield from self.parse_listing(response, entry=True, hops=hops)

    # ------------------------------------------------------------ 2-4. listings
    def parse_listing(self, response, entry: bool = False, hops: int = 0):
        self.stats["listing_pages"] += 1
        family = self.family or families.detect(response)
        reports = list(self.report_links(response))
        yield from reports
        if family.name != "generic" or reports or not entry:
            if self.family is None and (reports or family.name != "generic"):
                self.family = family
            yield from family.pages(self, response)
        if entry and not reports and hops < MAX_COLUMN_HOPS:
            for a in response.css("a"):
                href = a.attrib.get("href")
                text = " ".join(a.css("::text").getall()) + " " + (a.attrib.get("title") or "")
                if href and disc.is_column_link(text, response.urljoin(href)):
                    yield response.follow(href, callback=self.parse_entry, errback=self.on_error,
                                          cb_kwargs={"hops": hops + 1}, meta={"role": "column"})

    def report_links(self, response, html: str | None = None):
        """Requests for the report pages (or direct attachments) a listing links to."""
        sel = scrapy.Selector(text=html) if html is not None else response
        for a in sel.css("a"):
            href = a.attrib.get("href")
            if not href:
                continue
            title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
            if not disc.is_report_title(title):
                if disc.lookalike_kind(title):
                    self.stats["lookalikes"] += 1
                continue
            url = response.urljoin(href)
            yield from self.document_request(url, title, page_url=response.url)

    def listing_request(self, url: str, **kwargs) -> scrapy.Request:
        kwargs.setdefault("callback", self.parse_listing)
        return scrapy.Request(url, errback=self.on_error, meta={"role": "listing"}, **kwargs)

    def family_request(self, url: str, family: str, kwargs: dict) -> scrapy.Request:
        """A request for a family's data endpoint (Hanweb XML, gkmlpt JSON)."""
        return scrapy.Request(url, callback=self.parse_family, errback=self.on_error, meta={"role": "listing"},
                              cb_kwargs={"family": family, "kwargs": kwargs})

    def parse_family(self, response, family: str, kwargs: dict):
        self.stats["listing_pages"] += 1
        yield from families.get(family).parse(self, response, **kwargs)

    # ------------------------------------------------------------ 5. documents
    def document_request(self, url: str, title: str, page_url: str | None, attachment: bool = False):
        if url in self.report_urls:
            return  # the same report linked from two listing pages
        self.report_urls.add(url)
        if not attachment:
            self.stats["reports"] += 1
        meta = {"role": "attachment" if attachment else "report", "title": title, "page_url": page_url}
        headers = {}
        old = self.store.seen.get(url)
        if old:
            if self.store.resuming or not (old.get("etag") or old.get("last_modified")):
                self.stats["skipped_stored"] += 1
                return
            if old.get("etag"):
                headers["If-None-Match"] = old["etag"]
            if old.get("last_modified"):
                headers["If-Modified-Since"] = old["last_modified"]
            meta["handle_httpstatus_list"] = [304]
        yield scrapy.Request(url, callback=self.parse_document, errback=self.on_error, headers=headers, meta=meta)

    def parse_document(self, response):
        meta = response.meta
        if response.status == 304:
            self.stats["unchanged"] += 1
            return
        media_type = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
        is_page = hasattr(response, "text") and (not media_type or "html" in media_type)
        yield {
            "source_id": self.source.source_id, "url": response.url, "page_url": meta.get("page_url"),
            "title": meta.get("title"), "year_guess": disc.year_of(meta.get("title") or ""),
            "published_on": None, "http_status": response.status, "media_type": media_type or "text/html",
            "etag": _header(response, "ETag"), "last_modified": _header(response, "Last-Modified"),
            "kind": meta.get("role"), "body": response.body,
        }
        if is_page and meta.get("role") == "report":
            for url in disc.attachment_urls(response.text, response.url):
                yield from self.document_request(url, meta.get("title"), page_url=response.url, attachment=True)

    # ------------------------------------------------------------ 6. outcome
    def on_error(self, failure):
        request = failure.request
        role = request.meta.get("role")
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.robots_forbidden.append(request.url)
            return
        if failure.check(IgnoreRequest):
            return  # Blocked (recorded by the middleware) or offsite
        self.stats["errors"] += 1
        if failure.check(HttpError):
            why = f"HTTP {failure.value.response.status} at {request.url}"
        else:
            why = f"{type(failure.value).__name__}: {failure.value} at {request.url}".replace("\n", " ")
        self.logger.warning("%s: %s", self.source.source_id, why)
        if role in ("entry",):
            self.entry_failed = why

    def note_blocked(self, url: str, why: str, evidence: bytes) -> None:
        if self.blocked is None:
            self.blocked = (url, why)
            self.logger.warning("%s: blocked at %s (%s); not retried", self.source.source_id, url, why)
            engine = self.crawler.engine
            if engine:
                asyncio.ensure_future(engine.close_spider_async(reason="blocked"))

    def note_stored(self, row: dict) -> None:
        self.stats["stored"] += 1

    def closed(self, reason):
        s = self.stats
        counts = (f"{s['reports']} reports found, {s['stored']} documents stored, {s['unchanged']} unchanged, "
                  f"{s['skipped_stored']} already stored, {s['listing_pages']} listing pages")
        if self.blocked:
            outcome, detail = "blocked", f"{self.blocked[1]} at {self.blocked[0]}; {counts}"
        elif self.entry_failed and not s["reports"]:
            outcome, detail = "unreachable", self.entry_failed
        elif self.robots_forbidden and not s["reports"]:
            outcome, detail = "robots_disallowed", f"robots.txt forbids {self.robots_forbidden[0]}"
        elif not s["reports"]:
            outcome, detail = "no_reports", counts
        else:
            outcome, detail = "ok", counts
        self.store.outcome(self.source.source_id, outcome, detail)
        self.outcome = outcome


def _header(response, name: str) -> str | None:
    v = response.headers.get(name)
    return v.decode("latin-1") if v else None

