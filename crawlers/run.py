"""Run crawls from Python: what `ogi crawl` and `ogi ingest --sources` call.

    from crawlers.run import crawl
    result = crawl("crawlers/sources/provinces.csv", out_dir="data/crawl")
    result.outcomes   # one row per source: ok / truncated / blocked / unreachable / robots_disallowed / no_reports

Scrapy runs reactorless inside asyncio.run, one ReportSpider per registry row, all rows
concurrently (politeness is per domain). With a mirror folder, every request goes to a local
server that serves each host from its folder (crawlers/mirror.py): ``{mirror:NAME}`` entry URLs
become ``http://NAME.mirror.test/…``, stable across runs. SIGINT / SIGTERM stop the crawl
gracefully: what is stored stays stored, unfinished sources are recorded as ``interrupted``.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings

from pipeline import interrupts
from pipeline.model import Provenance
from pipeline.settings import DEFAULT_CRAWL

from . import registry
from .mirror import mirror_url, serving
from .registry import Body
from .spiders import ReportSpider
from .store import DocumentStore

log = logging.getLogger("ogi.crawl")


@dataclass
class CrawlResult:
    store: DocumentStore
    outcomes: list[dict] = field(default_factory=list)
    stored: list[Provenance] = field(default_factory=list)  # documents stored in this run
    errors: list[dict] = field(default_factory=list)  # URLs that failed for good in this run
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return all(o["outcome"] == "ok" for o in self.outcomes)


def settings(overrides: dict | None = None) -> Settings:
    s = Settings()
    s.setmodule("crawlers.settings", priority="project")
    for k, v in (overrides or {}).items():
        s.set(k, v, priority="cmdline")
    return s


def crawl(
    sources: str | Path | list[Body],
    out_dir: str | Path = DEFAULT_CRAWL,
    mirror: str | Path | None = None,
    overrides: dict | None = None,
    progress=None,
    writer: str | None = None,
    resume: bool = False,
) -> CrawlResult:
    """Crawl every source; documents go to OUT/raw, provenance to OUT/manifest.jsonl (or, for one
    of many writers sharing OUT, manifest.WRITER.jsonl). `progress(outcome_row)` is called as
    each source finishes. `resume`: documents already stored are not fetched again (a source taken
    over from a worker that died), as when resuming a killed run."""
    rows = registry.load(sources) if isinstance(sources, (str, Path)) else list(sources)
    store = DocumentStore(out_dir, writer=writer)
    store.resuming = store.resuming or resume
    interrupted = False
    with ExitStack() as stack:
        sites = sorted({s.mirror_site for s in rows if s.mirror_site})
        if sites and not mirror:
            raise ValueError(
                f"{', '.join(sites)}: entry URLs use {{mirror:…}} but no mirror folder was given"
            )
        rows = [s.with_base(mirror_url(s.mirror_site)) if s.mirror_site else s for s in rows]
        if mirror:
            if not Path(mirror).is_dir():
                raise ValueError(f"{mirror}: no such mirror folder")
            server = stack.enter_context(serving(mirror))
            # Offline: every request goes to the local mirror, and politeness delays would only
            # slow the job down.
            overrides = {
                "MIRROR_PROXY": server.url,
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
                **(overrides or {}),
            }
        store.run_started([s.source_id for s in rows], [s.as_row() for s in rows])
        try:
            interrupted = asyncio.run(_run(rows, store, settings(overrides), progress))
            store.run_finished()
        finally:
            store.close()
    run = store.run_id
    return CrawlResult(
        store,
        [o for o in store.outcomes() if o.get("run_id") == run],
        [d for d in store.manifest() if d.run_id == run],
        [e for e in store.errors() if e.get("run_id") == run],
        interrupted,
    )


async def _run(rows: list[Body], store: DocumentStore, s: Settings, progress=None) -> bool:
    """Crawl the rows; True when a signal stopped the crawl."""
    import signal

    runner = AsyncCrawlerRunner(s)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()

    def stop(sig: int) -> None:
        interrupts.note(sig)  # the command exits 130 (SIGINT) or 143 (SIGTERM) once loaded
        if not stopped.is_set():
            stopped.set()
            log.warning("interrupted: stopping the crawl; what is stored stays stored")
            loop.create_task(runner.stop())

    handled = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            before = signal.getsignal(sig)
            loop.add_signal_handler(sig, stop, sig)
            handled[sig] = before
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread: the caller handles signals
    seen = len(store.outcomes())

    async def one(row: Body):
        try:
            await runner.crawl(ReportSpider, source=row, store=store)
        except Exception as exc:  # noqa: BLE001 - one source's failure must not end the others
            log.error("%s: crawl failed: %s", row.source_id, exc)
            store.outcome(
                row.source_id, "unreachable", f"crawl failed: {type(exc).__name__}: {exc}"
            )
        if progress:
            for o in store.outcomes()[seen:]:
                if o["source_id"] == row.source_id:
                    progress(o)

    # Parallel across hosts, one source at a time per host (politeness is per host), at most
    # CONCURRENT_SOURCES hosts at once (each running crawl holds its own engine and downloader).
    by_host: dict[str, list[Body]] = {}
    for row in rows:
        by_host.setdefault((urlparse(row.entry_url).hostname or "").lower(), []).append(row)
    gate = asyncio.Semaphore(max(1, s.getint("CONCURRENT_SOURCES", 32)))

    async def host(group: list[Body]):
        async with gate:
            for row in group:
                if stopped.is_set():
                    store.outcome(row.source_id, "interrupted", "not crawled: interrupted")
                    continue
                await one(row)

    try:
        await asyncio.gather(*(host(g) for g in by_host.values()))
    finally:
        for sig, before in handled.items():
            loop.remove_signal_handler(sig)  # (asyncio puts back the default, not what was there)
            if before is not None:
                signal.signal(sig, before)
        interrupts.reinstall_wakeup()
    return stopped.is_set()


DISCOVERED_COLUMNS = [
    "source_id",
    "name",
    "level",
    "parent_id",
    "division_code",
    "entry_url",
    "family",
    "discovered_from",
]


def discover(
    urls: list[str],
    depth: int = 1,
    known: str | Path | list[Body] | None = None,
    mirror: str | Path | None = None,
    overrides: dict | None = None,
) -> tuple[list[dict], list[tuple[str, str]]]:
    """Registry rows for the bodies the portals at `urls` list (and, with depth 2, the bodies
    their listed governments list), leaving out bodies already in the `known` registry.
    Returns (rows, failures)."""
    from .spiders.discover import DiscoverSpider, Found, Portal, slug

    known_rows = registry.load(known) if isinstance(known, (str, Path)) else list(known or [])
    by_url = {_norm_url(s.entry_url): s for s in known_rows}
    portals = []
    for url in urls:
        row = by_url.get(_norm_url(url))
        portals.append(
            Portal(
                url,
                row.source_id if row else slug(url),
                row.name if row else None,
                row.division_code or None if row else None,
                depth,
            )
        )
    found = Found()
    with ExitStack() as stack:
        if mirror:
            server = stack.enter_context(serving(mirror))
            overrides = {
                "MIRROR_PROXY": server.url,
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
                **(overrides or {}),
            }

        async def go():
            runner = AsyncCrawlerRunner(settings(overrides))
            await runner.crawl(DiscoverSpider, portals=portals, found=found)

        asyncio.run(go())
    known_codes = {
        s.division_code for s in known_rows if s.division_code and s.level != "department"
    }
    known_ids = {s.source_id for s in known_rows}
    out, ids = [], set()
    for row in found.rows:
        if _norm_url(row["entry_url"]) in by_url or (
            row["level"] != "department" and row["division_code"] in known_codes
        ):
            continue  # already in the registry
        sid = row["source_id"]
        n = 2
        while sid in ids or sid in known_ids:
            sid = f"{row['source_id']}-{n}"
            n += 1
        ids.add(sid)
        out.append({**{k: row[k] for k in DISCOVERED_COLUMNS}, "source_id": sid})
    return out, found.failures


def _norm_url(url: str) -> str:
    from urllib.parse import urlsplit

    p = urlsplit(url)
    host = (p.hostname or "").lower()
    return (host[4:] if host.startswith("www.") else host) + (p.path.rstrip("/") or "")


def write_registry(rows: list[dict], path: str | Path) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=DISCOVERED_COLUMNS)
        w.writeheader()
        w.writerows(rows)
