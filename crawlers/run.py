"""Run crawls from Python: what `ogi crawl` and `ogi ingest --sources` call.

    from crawlers.run import crawl
    result = crawl("crawlers/sources/provinces.csv", out_dir="data/crawl")
    result.outcomes   # one row per source: ok / blocked / unreachable / robots_disallowed / no_reports

Scrapy runs reactorless inside asyncio.run, one ReportSpider per registry row, all rows
concurrently (politeness is per domain).
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings

from . import registry
from .mirror import serving
from .registry import Source
from .spiders import ReportSpider
from .store import DocumentStore

DEFAULT_OUT = Path("data/crawl")
# Scrapy's reactorless mode downloads with its aiohttp handler and warns that it is experimental
# on every request; the warning says nothing about our crawl.
class _DropExperimentalWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "is experimental" not in record.getMessage()


logging.getLogger("scrapy.core.downloader.handlers._base_streaming").addFilter(_DropExperimentalWarning())
log = logging.getLogger("ogi.crawl")


@dataclass
class CrawlResult:
    store: DocumentStore
    outcomes: list[dict] = field(default_factory=list)
    stored: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o["outcome"] == "ok" for o in self.outcomes)


def settings(overrides: dict | None = None) -> Settings:
    s = Settings()
    s.setmodule("crawlers.settings", priority="project")
    for k, v in (overrides or {}).items():
        s.set(k, v, priority="cmdline")
    return s


def crawl(sources: str | Path | list[Source], out_dir: str | Path = DEFAULT_OUT, mirror: str | Path | None = None,
          overrides: dict | None = None) -> CrawlResult:
    """Crawl every source; documents go to OUT/raw, provenance to OUT/manifest.jsonl."""
    rows = registry.load(sources) if isinstance(sources, (str, Path)) else list(sources)
    store = DocumentStore(out_dir)
    before = len(store.manifest())
    outcomes_before = len(store.outcomes())
    with ExitStack() as stack:
        sites = sorted({s.mirror_site for s in rows if s.mirror_site})
        if sites and not mirror:
            raise ValueError(f"{', '.join(sites)}: entry URLs use {{mirror:…}} but no mirror folder was given")
        servers = {name: stack.enter_context(serving(Path(mirror) / name)) for name in sites}
        rows = [s.with_base(servers[s.mirror_site].url) if s.mirror_site else s for s in rows]
        if sites and len(sites) == len(rows):
            # Only our own local mirror: politeness delays would only slow the offline job down.
            overrides = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, **(overrides or {})}
        store.run_started([s.source_id for s in rows])
        try:
            asyncio.run(_run(rows, store, settings(overrides)))
            store.run_finished()
        finally:
            store.close()
    return CrawlResult(store, store.outcomes()[outcomes_before:], store.manifest()[before:])


async def _run(rows: list[Source], store: DocumentStore, s: Settings) -> None:
    runner = AsyncCrawlerRunner(s)
    tasks = [runner.crawl(ReportSpider, source=row, store=store) for row in rows]
    for row, result in zip(rows, await asyncio.gather(*tasks, return_exceptions=True)):
        if isinstance(result, Exception):
            log.error("%s: crawl failed: %s", row.source_id, result)
            store.outcome(row.source_id, "unreachable", f"crawl failed: {type(result).__name__}: {result}")
