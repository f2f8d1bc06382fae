"""Download handler: Scrapy's reactorless aiohttp handler, keeping response headers as bytes.

Many Chinese servers send file names in Content-Disposition as raw GBK bytes. aiohttp decodes
header values as UTF-8 with surrogate escapes and Scrapy then fails to encode them back, so the
whole download is lost (UnicodeEncodeError). aiohttp also keeps the headers as received
(``raw_headers``): handing those to Scrapy keeps every byte, and
crawlers.discovery.content_filename decodes the name.
"""

from __future__ import annotations

import logging

from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler
from scrapy.http import Headers


class _DropExperimentalWarning(logging.Filter):
    """Scrapy's reactorless mode warns on every crawl that its aiohttp handler is experimental;
    the warning says nothing about a crawl (the handler is what reactorless mode uses)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is experimental" not in record.getMessage()


logging.getLogger("scrapy.core.downloader.handlers._base_streaming").addFilter(
    _DropExperimentalWarning()
)


class RawHeadersDownloadHandler(AiohttpDownloadHandler):
    @staticmethod
    def _extract_headers(response) -> Headers:
        return Headers(list(response.raw_headers))

    async def download_request(self, request, *args, **kwargs):
        """An https URL asked of the offline mirror (crawlers/mirror.py) is asked in plain HTTP
        — the mirror is a local proxy without TLS, and a CONNECT tunnel would need TLS — and the
        answer keeps the https URL, so what is stored is the URL the publisher serves."""
        if request.meta.get("mirror") and request.url.startswith("https://"):
            plain = request.replace(url="http://" + request.url[len("https://") :])
            response = await super().download_request(plain, *args, **kwargs)
            return response.replace(url=request.url, request=request)
        return await super().download_request(request, *args, **kwargs)
