"""The report spider: one instance per registry row.

1. Start at the row's ``entry_url`` (a portal home page or the annual-report column).
2. A page that lists reports is the annual-report column. A page that lists none is a navigation
   page: its links are scored by text and URL (政务公开, 政府信息公开, 信息公开目录, 法定主动公开内容,
   年报, 年度报告; xxgk, zwgk, zfxxgk, gknb, ndbg — ``crawlers.discovery.nav_score``) and the best
   one not yet seen is fetched next: a best-first walk of at most ``NAV_PAGE_BUDGET`` pages, over
   hosts of the source's own domain (xxgk.example.gov.cn), with the site map (网站地图,
   /sitemap.html) as a fallback. A hop that answers 404 is a dead end, not the end of the walk.
   The links followed to the column are recorded in the outcome, so the registry can be pinned.
3. On a listing page, follow links whose title is a report title (a year + 政府信息公开 +
   年度报告/年报) and skip look-alikes (政府网站工作年度报表, 住房公积金年度报告, …).
4. Walk the listing's pagination with the row's family (``crawlers.spiders.families``:
   generic next/?page=N, TRS index_N.html, Hanweb dataproxy.jsp, Guangdong gkmlpt JSON), at most
   ``LISTING_PAGE_BUDGET`` pages; a generic page that lists nothing new ends the walk (an endless
   下一页 chain stops by itself). An empty ``family`` is detected from the first listing page.
5. Store each report page, then each of its attachments: by URL extension, a file name in the
   query, the link text; links through download scripts (downfile.jsp, /attach/download?id=,
   file.do?fid=) whose text names the report are fetched and kept when Content-Type,
   Content-Disposition or the bytes say they are a document. Images only when a link names the
   report or they are the page's only content (never logos and icons).
6. Every URL that fails for good (after its retries) is recorded (view ``crawl_errors``), and so is
   every request still pending when a source is closed early (an anti-bot challenge, Ctrl-C).
   When the spider closes, one outcome is recorded for the source: ok, truncated (a budget cut
   the walk), blocked, unreachable, robots_disallowed, no_reports or interrupted, with its evidence.

A document already stored is not fetched again while resuming a killed run; in a later run it is
asked for with If-None-Match / If-Modified-Since and only stored again when it changed.
"""

from __future__ import annotations

import asyncio
import heapq
import re
from urllib.parse import urljoin, urlparse

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from pipeline.extract.sniff import sniff
from pipeline.model import Provenance
from pipeline.settings import DEFAULT_CRAWL, PROJECT

from .. import discovery as disc
from ..registry import Body
from ..store import DocumentStore
from . import families

SITEMAP_PATHS = ("/sitemap.html", "/wzdt/index.html", "/sitemap.htm")
# `scrapy crawl` runs in crawlers/ (Scrapy's habit): its default folder is the checkout's.
DEFAULT_OUT = PROJECT / DEFAULT_CRAWL


class ReportSpider(scrapy.Spider):
    name = "reports"
    registry_row: Body | None = None  # set on the per-row spiders of crawlers.spiderloader

    def __init__(
        self,
        source: Body | None = None,
        store: DocumentStore | None = None,
        sources: str | None = None,
        source_id: str | None = None,
        out: str | None = None,
        year: str | int | None = None,
        sample: str | int | None = None,
        **kwargs,
    ):
        if source is None:
            # `scrapy crawl SOURCE_ID` or `scrapy crawl reports -a sources=FILE.csv -a source_id=ID`,
            # from crawlers/ [-a out=DIR -a year=2023 -a sample=5]
            from ..registry import load

            source = self.registry_row
            if source is None:
                rows = load(sources) if sources else []
                source = next(
                    (r for r in rows if r.source_id == source_id),
                    rows[0] if rows and not source_id else None,
                )
            if source is None:
                raise ValueError(
                    "give -a sources=FILE.csv and -a source_id=ID (one registry row per spider), "
                    "or crawl a source by its id: `scrapy list` names them"
                )
            store = DocumentStore(out or DEFAULT_OUT)
            self._own_store = True
        if source.mirror_site:  # {mirror:NAME}: the bundled mirror, served for the crawl
            from ..mirror import mirror_url

            source = source.with_base(mirror_url(source.mirror_site))
        super().__init__(name=f"reports:{source.source_id}", **kwargs)
        self.year = int(year) if year else None  # Kingfisher's filters: one year's reports,
        self.sample = int(sample) if sample else None  # or the first N
        self.source = source
        self.store = store
        host = urlparse(source.entry_url).hostname or ""
        parts = host.split(".")
        # The source's own domains, subdomains allowed (www.x.gov.cn -> x.gov.cn).
        self.allowed_domains = [
            host
            if host.replace(".", "").isdigit() or len(parts) <= 2
            else ".".join(parts[1:] if parts[0] in ("www", "www1", "www2") else parts)
        ]
        self.family = families.get(source.family) if source.family else None
        self.stats = {
            "listing_pages": 0,
            "nav_pages": 0,
            "reports": 0,
            "stored": 0,
            "unchanged": 0,
            "skipped_stored": 0,
            "lookalikes": 0,
            "errors": 0,
        }
        self.blocked: tuple[str, str] | None = None
        self.entry_failed: str | None = None
        self.robots_forbidden: list[str] = []
        self.report_urls: set[str] = set()
        self.pending: dict[str, str] = {}  # url -> role, for every request not yet answered
        self.column: tuple[str, list[tuple[str, str]]] | None = None  # (url, [(url, link text) …])
        self._frontier: list = []  # the navigation walk: (-score, order, url, trail)
        self._seen_nav: set[str] = set()
        self._order = 0
        self.nav_tried: list[str] = []
        self.tried: list[str] = []  # data endpoints and script pages that led nowhere
        self.failures: dict[str, int] = {}  # url -> attempts that failed so far (retries pending)
        self.documents: dict[str, tuple] = {}  # url -> (title, page_url) of report/attachment asks
        self.truncated: str | None = None  # the budget that cut the crawl, when one did
        self.distinct: set[str] = set()  # sha256 of the documents stored this run
        self._first_waiting = 0  # retried-first requests not answered yet (the walk waits)
        self._column_page: tuple[str, list] | None = None
        self._families_waiting = (
            0  # family data requests not yet answered (the walk waits for them)
        )
        # Kept outside the process when sources are leased from Redis (crawlers/frontier.py):
        # `keeper(progress)` is called as the walk's budgets are spent and when the column is
        # found, and a worker taking the source over starts from what was kept.
        self.keeper = None
        self.kept_column: tuple[str, list] | None = None  # the column a dead worker had found

    @property
    def nav_budget(self) -> int:
        return self.settings.getint("NAV_PAGE_BUDGET", 40)

    @property
    def listing_budget(self) -> int:
        return self.settings.getint("LISTING_PAGE_BUDGET", 100)

    def _request(self, url: str, role: str, **kwargs) -> scrapy.Request | None:
        """Every request goes through here: none after the source was closed (blocked), and each
        one is tracked until it is answered, so one closed early can be recorded as failed."""
        if self.blocked:
            return None
        self.pending[url] = role
        meta = {"role": role, **kwargs.pop("meta", {})}
        fragment = urlparse(url).fragment
        if fragment:
            # A script column (gkmlpt/index#2641) is told its category by the fragment, which
            # no server sees and the duplicate filter ignores: it travels in the meta, and
            # the same page with another fragment is another request.
            meta["fragment"] = fragment
            kwargs.setdefault("dont_filter", True)
        return scrapy.Request(url, errback=self.on_error, meta=meta, **kwargs)

    def note_tried(self, what: str) -> None:
        """Something tried on the way to the reports that did not lead to them (a data endpoint
        that did not answer, a script page without its configuration): said in the outcome."""
        self.tried.append(what)

    def _answered(self, response_or_request) -> None:
        self.pending.pop(response_or_request.url, None)
        request = getattr(response_or_request, "request", None) or response_or_request
        self.pending.pop(request.url, None)
        for url in request.meta.get("redirect_urls", ()):  # asked under its first address
            self.pending.pop(url, None)

    # ------------------------------------------------------------ 1-2. entry and navigation
    async def start(self):
        # What earlier runs could not fetch is asked for first, slowly (RETRY_FIRST_DELAY), and
        # the listings are walked only once it is answered: a challenge met on the walk cannot
        # drop it again.
        for row in self.store.retry_first(self.source.source_id):
            for req in self.document_request(
                row["url"],
                row.get("title") or "",
                row.get("page_url"),
                attachment=row.get("role") == "attachment",
                first=True,
            ):
                self._first_waiting += 1
                yield req
        if not self._first_waiting:
            for req in self._entry():
                yield req

    def _entry(self):
        self._seen_nav.add(self.source.entry_url)
        req = self._request(
            self.source.entry_url, "entry", callback=self.parse_entry, meta={"trail": []}
        )
        if req:
            yield req

    def _first_answered(self, request):
        """One of the retried-first requests was answered: the walk starts after the last."""
        if request.meta.get("retry_first") and self._first_waiting:
            self._first_waiting -= 1
            if not self._first_waiting:
                yield from self._entry()

    def parse_entry(self, response):
        self._answered(response)
        if not hasattr(response, "text"):
            self.entry_failed = (
                f"entry URL is not a page ({response.headers.get('Content-Type', b'').decode()})"
            )
            return
        yield from self.parse_nav(response, entry=True)

    def parse_nav(self, response, entry: bool = False):
        self._answered(response)
        self.store.resolved(self.source.source_id, response.url, response.meta.get("role"))
        if not entry:
            self.stats["nav_pages"] += 1
            self._progressed()
        if not hasattr(response, "text"):
            yield from self._next_nav()
            return
        trail = response.meta.get("trail", [])
        reports = list(self.report_links(response))
        family = self.family or families.detect(response)
        if reports and self.column is None:
            self.column = (response.url, trail)
            self._progressed()
        if reports or family.name != "generic":
            yield from self._listing(response, reports, first=True, trail=trail)
        if not self._settled():
            self._push_links(response, trail)
            if entry:
                for path in SITEMAP_PATHS:  # the fallback: tried after every scored link
                    self._push(
                        urljoin(response.url, path),
                        1,
                        trail + [(urljoin(response.url, path), "网站地图")],
                    )
            if family.name != "generic" and not reports and self._families_waiting:
                return  # a CMS column whose data is on its way: the walk waits for it
            yield from self._next_nav()

    def progress(self) -> dict:
        """What a worker taking this source over needs: the budgets spent and the column."""
        column = self.kept_column or self.column
        return {
            "listing_pages": self.stats["listing_pages"],
            "nav_pages": self.stats["nav_pages"],
            "column": [column[0], [list(t) for t in column[1]]] if column else None,
        }

    def restore_progress(self, kept: dict) -> None:
        """Start from a dead worker's progress: its pages count against the budgets, and its
        column stays the recorded one (the walk itself starts again: its queue is kept)."""
        self.stats["listing_pages"] = int(kept.get("listing_pages") or 0)
        self.stats["nav_pages"] = int(kept.get("nav_pages") or 0)
        if kept.get("column"):
            url, trail = kept["column"]
            self.kept_column = (url, [tuple(t) for t in trail])

    def _progressed(self) -> None:
        if self.keeper is not None:
            self.keeper(self.progress())

    def _settled(self) -> bool:
        """The column is found: a page listing a few reports (one or two may be a home page's
        latest-news box, so the walk goes on), or a CMS column whose listing is paged."""
        return self.column is not None and (
            self.stats["reports"] >= 3 or self.family is not None and self.family.name != "generic"
        )

    def _push_links(self, response, trail: list) -> None:
        for a in response.css("a"):
            href = a.attrib.get("href")
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = response.urljoin(href)
            text = " ".join(a.css("::text").getall()).strip() or (a.attrib.get("title") or "")
            score = disc.nav_score(text, url)
            if score and self._own(url):
                self._push(url, score, trail + [(url, text)])

    def _push(self, url: str, score: int, trail: list) -> None:
        if url in self._seen_nav:
            return
        self._seen_nav.add(url)
        self._order += 1
        # deeper is a little worse at equal score: a shallow column is the usual one
        heapq.heappush(self._frontier, (-score + 0.1 * len(trail), self._order, url, trail))

    def _next_nav(self):
        """The best link not yet followed, while the column is not found and budget remains."""
        if self._settled() or self.blocked:
            return
        while self._frontier and len(self.nav_tried) < self.nav_budget:
            _, _, url, trail = heapq.heappop(self._frontier)
            self.nav_tried.append(url)
            req = self._request(url, "nav", callback=self.parse_nav, meta={"trail": trail})
            if req:
                yield req
                return
        if self._frontier and self.column is None:
            self.truncated = (
                f"the navigation budget of {self.nav_budget} pages was reached "
                f"with {len(self._frontier)} links not followed"
            )

    def _own(self, url: str) -> bool:
        host = (urlparse(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    # ------------------------------------------------------------ 3-4. listings
    def _listing(self, response, reports: list, first: bool = False, trail: list | None = None):
        self.stats["listing_pages"] += 1
        self._progressed()
        family = self.family or families.detect(response)
        if self.family is None and (reports or family.name != "generic"):
            self.family = family
        yield from reports
        # a generic page that lists nothing new ends the walk: an endless 下一页 stops by itself
        if family.name != "generic" or reports or first:
            self._column_page = (
                response.url,
                trail if trail is not None else response.meta.get("trail", []),
            )
            yield from (r for r in family.pages(self, response) if r is not None)

    def parse_listing(self, response):
        self._answered(response)
        self.store.resolved(self.source.source_id, response.url, "listing")
        yield from self._listing(response, list(self.report_links(response)))

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

    def listing_request(self, url: str, **kwargs) -> scrapy.Request | None:
        if self._listing_budget_spent(
            self.stats["listing_pages"] + sum(r == "listing" for r in self.pending.values())
        ):
            return None
        if url in self._seen_nav:
            return None
        self._seen_nav.add(url)
        kwargs.setdefault("callback", self.parse_listing)
        return self._request(url, "listing", **kwargs)

    def _listing_budget_spent(self, pages: int) -> bool:
        """Whether `pages` listing pages use up the budget; the outcome will say it cut the walk."""
        if pages < self.listing_budget:
            return False
        self.truncated = f"the listing budget of {self.listing_budget} pages was reached"
        return True

    def family_request(self, url: str, family: str, kwargs: dict) -> scrapy.Request | None:
        """A request for a family's data endpoint (Hanweb XML, gkmlpt JSON); it carries the
        column page it belongs to, which becomes the column when the data lists reports."""
        if self._listing_budget_spent(self.stats["listing_pages"]):
            return None
        self._families_waiting += 1
        return self._request(
            url,
            "family",
            callback=self.parse_family,
            cb_kwargs={"family": family, "kwargs": kwargs},
            meta={"column": getattr(self, "_column_page", None)},
        )

    def parse_family(self, response, family: str, kwargs: dict):
        self._answered(response)
        self.store.resolved(self.source.source_id, response.url, "family")
        self._families_waiting -= 1
        self.stats["listing_pages"] += 1
        self._progressed()
        before = self.stats["reports"]
        yield from (
            r for r in families.get(family).parse(self, response, **kwargs) if r is not None
        )
        if self.stats["reports"] > before and self.column is None and response.meta.get("column"):
            self.column = response.meta["column"]
            self._progressed()
        if not self._families_waiting:
            yield from self._next_nav()  # the data listed no reports: the walk goes on

    # ------------------------------------------------------------ 5. documents
    def document_request(
        self,
        url: str,
        title: str,
        page_url: str | None,
        attachment: bool = False,
        first: bool = False,
    ):
        if url in self.report_urls:
            return  # the same report linked from two listing pages
        if url in self.store.given_up:
            return  # failed in GIVE_UP_RUNS runs: recorded as given up, not asked for again
        if not attachment:
            if self.year and disc.year_of(title or "") != self.year:
                return  # -a year=…: another year's report
            if self.sample and self.stats["reports"] >= self.sample:
                return  # -a sample=N: enough
        self.report_urls.add(url)
        if not attachment:
            self.stats["reports"] += 1
        meta = {"title": title, "page_url": page_url, "retry_first": first}
        headers = {}
        old = self.store.seen.get(url)
        if old:
            if self.store.resuming:
                self.stats["skipped_stored"] += 1  # resuming a killed run: stored is stored
                return
            if old.etag or old.last_modified:
                if old.etag:
                    headers["If-None-Match"] = old.etag
                if old.last_modified:
                    headers["If-Modified-Since"] = old.last_modified
                meta["handle_httpstatus_list"] = [304]
            elif not revalidation_due(title or old.title, self.store.checked.get(url)):
                self.stats["skipped_stored"] += 1
                return
            # else: no validators, and due: fetched again and compared by its hash
        self.documents[url] = (title, page_url)
        req = self._request(
            url,
            "attachment" if attachment else "report",
            callback=self.parse_document,
            headers=headers,
            meta=meta,
            priority=10 if first else 0,
            # (the spider asks for each document once; a redirect to a URL already asked for is
            # followed, not dropped by the duplicate filter without a trace)
            dont_filter=True,
        )
        if req:
            yield req

    def parse_document(self, response):
        self._answered(response)
        self.store.resolved(self.source.source_id, response.url, response.meta.get("role"))
        yield from self._first_answered(response.request)
        meta = response.meta
        if response.status == 304:
            self.stats["unchanged"] += 1
            return
        media_type = (
            response.headers.get("Content-Type", b"")
            .decode("latin-1")
            .split(";")[0]
            .strip()
            .lower()
        )
        filename = disc.content_filename(
            response.headers.get("Content-Disposition")
        ) or _url_filename(response.url)
        is_page = (
            hasattr(response, "text")
            and (not media_type or "html" in media_type)
            and sniff(response.body[:2048], "x.html") == "text/html"
        )
        if meta.get("role") == "attachment" and is_page:
            # a download link that answered with a page: not a document (an error page, a login)
            self.store.error(
                self.source.source_id,
                response.url,
                "download link answered with a web page, not a document",
                1,
                "attachment",
            )
            return
        provenance = Provenance(
            response.url,
            source_id=self.source.source_id,
            body=self.source.name or None,
            page_url=meta.get("page_url"),
            title=meta.get("title"),
            year_guess=disc.year_of(meta.get("title") or ""),
            http_status=response.status,
            media_type=media_type or "text/html",
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            kind=meta.get("role"),
            filename=filename,
            archive_url=_memento(response),
        )
        yield {"provenance": provenance, "body": response.body}
        if is_page and meta.get("role") == "report":
            for url in disc.attachment_urls(response.text, response.url):
                if self._own(url) or urlparse(url).hostname == urlparse(response.url).hostname:
                    yield from self.document_request(
                        url, meta.get("title"), page_url=response.url, attachment=True
                    )

    # ------------------------------------------------------------ 6. failures and outcome
    def on_error(self, failure):
        request = failure.request
        self._answered(request)
        yield from self._first_answered(request)
        role = request.meta.get("role")
        attempts = request.meta.get("retry_times", 0) + 1
        document = role in ("report", "attachment")
        # a redirected request fails under its last address: recorded under the one asked for
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        self.pending.pop(url, None)
        title, page_url = self.documents.get(url, (None, None))

        def record(why: str, tries: int) -> None:
            self.store.error(
                self.source.source_id,
                url,
                why,
                tries,
                role,
                retry=document,
                title=title,
                page_url=page_url,
            )

        dropped = failure.check(IgnoreRequest) and not failure.check(HttpError)
        if dropped and "robots.txt" in str(failure.value):
            self.robots_forbidden.append(request.url)
            self.store.error(self.source.source_id, request.url, "robots.txt forbids it", 0, role)
            if role == "nav":
                yield from self._next_nav()
            return
        if dropped:
            if self.blocked and self.blocked[0] == request.url:
                self.store.error(
                    self.source.source_id,
                    request.url,
                    f"blocked: {self.blocked[1]}",
                    attempts,
                    role,
                )
            elif self.blocked:  # dropped because the source was closed by a challenge
                record(_closed_why("blocked", self.failures.get(request.url, 0)), 0)
            elif "offsite" not in str(failure.value).lower():
                # a size or decompression cap, a redirect loop: cancelled, and said so
                record(f"cancelled: {failure.value}".replace("\n", " "), attempts)
            if role == "nav" and not self.blocked:
                yield from self._next_nav()
            return
        if failure.check(HttpError):
            why = f"HTTP {failure.value.response.status}"
        else:
            why = f"{type(failure.value).__name__}: {failure.value}".replace("\n", " ")
        if role == "nav":  # a dead hop (a menu link whose page does not exist): the walk goes on
            self.logger.debug("%s: %s at %s", self.source.source_id, why, request.url)
            yield from self._next_nav()
            return
        self.stats["errors"] += 1
        self.logger.warning("%s: %s at %s", self.source.source_id, why, request.url)
        if role == "entry":
            self.entry_failed = f"{why} at {request.url}"
        record(why, attempts)
        if role == "family":
            self.note_tried(f"{request.url}: {why}")
            self._families_waiting -= 1
            if not self._families_waiting:
                yield from self._next_nav()

    def note_blocked(self, url: str, why: str) -> None:
        if self.blocked is None:
            self.blocked = (url, why)
            self.logger.warning(
                "%s: blocked at %s (%s); not retried", self.source.source_id, url, why
            )
            engine = self.crawler.engine
            if engine:
                asyncio.ensure_future(engine.close_spider_async(reason="blocked"))

    def note_stored(self, stored: Provenance) -> None:
        if stored.run_id != self.store.run_id:
            self.stats["unchanged"] += 1  # fetched again (no validators): the same bytes
            return
        self.stats["stored"] += 1
        self.distinct.add(stored.sha256)

    def note_failed_attempt(self, request) -> None:
        """An attempt of a request failed (its retry, if any, is to come)."""
        self.failures[request.url] = self.failures.get(request.url, 0) + 1

    def closed(self, reason):
        s = self.stats
        # Requests still waiting (queued, or between retries) when the source closed early, with
        # the attempts they had made; reports and attachments are asked for first next run.
        closed_by = "blocked" if self.blocked else reason
        for url, role in list(self.pending.items()):
            if self.blocked and url == self.blocked[0]:
                continue
            title, page_url = self.documents.get(url, (None, None))
            tries = self.failures.get(url, 0)
            self.store.error(
                self.source.source_id,
                url,
                _closed_why(closed_by, tries),
                tries,
                role,
                retry=role in ("report", "attachment"),
                title=title,
                page_url=page_url,
            )
        self.pending.clear()
        counts = (
            f"{s['reports']} report links, {len(self.distinct)} distinct documents stored, "
            f"{s['unchanged']} unchanged, {s['skipped_stored']} already stored, "
            f"{s['listing_pages']} listing pages, {s['nav_pages']} navigation pages"
        )
        extra = {}
        column = self.kept_column or self.column
        if column:
            url, trail = column
            extra = {"column_url": url, "trail": [t for _, t in trail]}
            if trail:
                counts += f"; column {url} via {' > '.join(t for _, t in trail)}"
        if self.blocked:
            outcome, detail = "blocked", f"{self.blocked[1]} at {self.blocked[0]}; {counts}"
        elif reason == "shutdown":
            outcome, detail = "interrupted", f"stopped by a signal; {counts}"
        elif self.entry_failed and not s["reports"]:
            outcome, detail = "unreachable", self.entry_failed
        elif self.robots_forbidden and not s["reports"]:
            outcome, detail = "robots_disallowed", f"robots.txt forbids {self.robots_forbidden[0]}"
        elif self.truncated:
            outcome, detail = "truncated", f"stopped: {self.truncated}; {counts}"
        elif not s["reports"]:
            tried = self.nav_tried[:8]
            outcome, detail = (
                "no_reports",
                (
                    f"{counts}; tried {len(self.nav_tried)} of a budget of {self.nav_budget} "
                    f"pages: {', '.join(tried)}{' …' if len(self.nav_tried) > 8 else ''}"
                    + (f"; also tried: {'; '.join(self.tried[:5])}" if self.tried else "")
                ),
            )
        else:
            outcome, detail = "ok", counts
        extra["reports"] = s["reports"]
        self.store.outcome(self.source.source_id, outcome, detail, **extra)
        self.outcome = outcome
        if getattr(self, "_own_store", False):
            self.store.close()


def _closed_why(reason: str, tries: int) -> str:
    """Why a request was never answered: the source closed (a challenge, a signal, the end)."""
    why = {
        "blocked": "the source was closed after an anti-bot challenge",
        "shutdown": "the crawl was interrupted",
    }.get(reason, f"the crawl ended ({reason})")
    return f"not fetched yet: {why} after {tries} failed attempts; asked for first next run"


# Revalidation of a stored document whose server sends no ETag or Last-Modified (dynamic CMS
# pages): it is fetched again and compared by its hash — every run while it is one of the last
# REVALIDATE_RECENT_YEARS report years (corrections are published then), else once every
# REVALIDATE_OLD_DAYS days. Unchanged, it costs one request and no row.
REVALIDATE_RECENT_YEARS = 2
REVALIDATE_OLD_DAYS = 90


def revalidation_due(title: str | None, last_checked: str | None, today=None) -> bool:
    import datetime as dt

    today = today or dt.date.today()
    year = disc.year_of(title or "")
    if year is None or year >= today.year - REVALIDATE_RECENT_YEARS:
        return True
    if not last_checked:
        return True
    try:
        checked = dt.datetime.fromisoformat(last_checked).date()
    except ValueError:
        return True
    return (today - checked).days >= REVALIDATE_OLD_DAYS


def _header(response, name: str) -> str | None:
    v = response.headers.get(name)
    return v.decode("latin-1") if v else None


_MEMENTO = re.compile(r'<([^>]+)>\s*;\s*rel="?memento"?')


def _memento(response) -> str | None:
    """The archive's address of a copy served with `Link: <…>; rel="memento"` (RFC 7089): what
    the bundled mirror says of the real reports it serves from archived copies."""
    m = _MEMENTO.search(_header(response, "Link") or "")
    return m.group(1) if m else None


def _url_filename(url: str) -> str | None:
    """The file name a URL itself gives (its path, or a file name in its query): a hint only."""
    named = disc.document_name(url)
    return named.rsplit("/", 1)[-1] if named else None
