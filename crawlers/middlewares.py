"""Downloader middlewares: backoff between retries, anti-bot detection, encoding repair."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlparse

from scrapy.exceptions import IgnoreRequest

from pipeline.extract.decode import declared_charset

from .discovery import is_challenge
from .mirror import MIRROR_SUFFIX, MirrorServer


class Blocked(IgnoreRequest):
    """An anti-bot challenge: recorded as `blocked` for the source, never retried or bypassed."""


class MirrorProxyMiddleware:
    """Offline crawls (a bundled mirror, test portals): requests go to a local mirror server,
    which serves each host from its own folder (crawlers/mirror.py). crawl() sets MIRROR_PROXY
    and every request goes there (except to servers on this machine: a registry may mix mirrored
    and local sources); under a plain `scrapy crawl`, a request for a *.mirror.test
    host starts a server of MIRROR_DIR for the crawl, stopped when the spider closes."""

    def __init__(self, crawler, proxy: str | None, mirror_dir: str | None):
        self.proxy, self.mirror_dir, self.server = proxy, mirror_dir, None
        from scrapy import signals

        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler, crawler.settings.get("MIRROR_PROXY"), crawler.settings.get("MIRROR_DIR")
        )

    def process_request(self, request, spider=None):
        if not request.url.startswith(("http://", "https://")):
            return None
        if self.proxy:
            if (urlparse(request.url).hostname or "") not in ("127.0.0.1", "localhost", "::1"):
                request.meta["proxy"] = self.proxy
                request.meta["mirror"] = True  # https too: the mirror answers it in plain HTTP
        elif self.mirror_dir and (urlparse(request.url).hostname or "").endswith(MIRROR_SUFFIX):
            if self.server is None:
                self.server = MirrorServer(self.mirror_dir).start()
            request.meta["proxy"] = self.server.url
            request.meta["mirror"] = True
        return None

    def close(self, spider=None, reason=None):
        if self.server is not None:
            self.server.stop()
            self.server = None


class BackoffMiddleware:
    """Wait base**n seconds (capped) before the n-th retry of a request, and RETRY_FIRST_DELAY
    before a request an earlier run could not fetch (asked for first, slowly)."""

    def __init__(self, crawler, base: float, cap: float, first: float):
        self.crawler, self.base, self.cap, self.first = crawler, base, cap, first

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(
            crawler,
            s.getfloat("RETRY_BACKOFF_BASE", 2.0),
            s.getfloat("RETRY_BACKOFF_MAX", 60.0),
            s.getfloat("RETRY_FIRST_DELAY", 2.0),
        )

    async def process_request(self, request, spider=None):
        n = request.meta.get("retry_times", 0)
        if n and self.base > 0:
            await asyncio.sleep(min(self.base**n, self.cap))
        elif request.meta.get("retry_first") and self.first > 0:
            await asyncio.sleep(self.first)
        return None


class AttemptsMiddleware:
    """Tells the spider of every failed attempt (a retryable status, a network error) as it
    happens, before the retry middleware asks again: a request dropped while it waits for its
    retry (its source closed by a challenge) is recorded with the attempts it really made."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.codes = set(crawler.settings.getlist("RETRY_HTTP_CODES"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _note(self, request, spider) -> None:
        note = getattr(spider or self.crawler.spider, "note_failed_attempt", None)
        if note:
            note(request)

    def process_response(self, request, response, spider=None):
        if response.status in self.codes:
            self._note(request, spider)
        return response

    def process_exception(self, request, exception, spider=None):
        self._note(request, spider)
        return None


class RedirectLoopMiddleware:
    """A redirect back to a URL already on the request's redirect chain is a loop: cancelled
    with the chain (Scrapy would drop the repeated URL as a duplicate, leaving no trace)."""

    def process_response(self, request, response, spider=None):
        if response.status in (301, 302, 303, 307, 308) and b"Location" in response.headers:
            target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                raise IgnoreRequest(f"redirect loop: {' -> '.join(chain + [target])}")
        return response


class ChallengeMiddleware:
    """412/521 and challenge-script pages stop the source's crawl with evidence."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        why = is_challenge(response.status, response.body)
        if why:
            note = getattr(spider, "note_blocked", None)
            if note:
                note(request.url, why)
            raise Blocked(why)
        return response


class EncodingMiddleware:
    """GBK pages behind a wrong HTTP charset: Scrapy trusts the header over <meta>, which gives
    mojibake. When the decoded text has replacement characters, re-decode from the bytes."""

    def process_response(self, request, response, spider=None):
        if not hasattr(response, "text") or not response.body:
            return response
        try:
            text = response.text
        except Exception:
            return response
        if "\ufffd" not in text[:50000]:
            return response
        for enc in filter(None, (declared_charset(response.body), "utf-8", "gb18030", "big5")):
            enc = {"gb2312": "gb18030", "gbk": "gb18030"}.get(enc, enc)
            try:
                response.body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
            return response.replace(encoding=enc)
        return response
