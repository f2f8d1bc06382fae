"""`ogi ingest`: [crawl →] extract → check → load, idempotent.

What to read (paths, a crawl folder, a fresh crawl: :mod:`.sources`), where the extraction runs
(:class:`ExtractHere`, this machine's process pool, the default; :class:`ExtractOnDask`, a Dask
cluster: :mod:`.cluster`), and the warehouse it loads (:mod:`pipeline.store`). Afterwards a
read-only snapshot is published for notebooks (:mod:`.publish`).
"""

from __future__ import annotations

import gc
import hashlib
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import interrupts, settings
from ..model import Provenance, Report
from ..settings import DEFAULT_CRAWL, DEFAULT_DB, GC_GROWTH, LOAD_BATCH
from ..store import Warehouse
from . import pool as process_pool
from .document import error_report, extract_bytes
from .pool import ExtractPool
from .publish import publish_for_readers
from .sources import (
    CrawlFirst,
    bundled_corpus,
    crawl_folder_sources,
    keyed,
    local_sources,
    run_crawl,
)
from .summary import IngestSummary, OnError


@dataclass
class ExtractHere:
    """Extraction on this machine: a process pool of `workers` (default: every core). A warm
    `pool` started by the caller (the CLI starts one before its imports) is used, and closed."""

    workers: int | None = None
    pool: ExtractPool | None = None


@dataclass
class ExtractOnDask:
    """Extraction on Dask: a LocalCluster of `workers` processes, or the cluster at `scheduler`
    (tcp://HOST:8786), whose workers write Parquet shards to `shards` (default: SHARDS beside
    the crawl folder, or DB.shards beside the warehouse) for this process to load."""

    workers: int | None = None
    scheduler: str | None = None
    shards: str | Path | None = None
    security: object | None = (
        None  # a distributed.Security for a tls:// scheduler (pipeline.locked)
    )


def ingest(
    paths: Iterable[str | Path] = (),
    db: str | Path = DEFAULT_DB,
    *,
    crawl: CrawlFirst | None = None,
    crawl_dir: str | Path | None = None,
    extraction: ExtractHere | ExtractOnDask | None = None,
    publish: bool | None = None,
    progress: bool = False,
    on_error: OnError | None = None,
) -> IngestSummary:
    """Crawl (when `crawl` names a registry), extract, check and load; idempotent.

    With neither paths, a crawl nor a crawl folder, the bundled corpus is ingested: the real
    reports of data/samples, crawled from the offline mirror where their URL is known
    (:func:`.sources.bundled_corpus`); `crawl_dir` adds an existing crawl folder with its manifest's provenance.
    Afterwards a read-only snapshot is published for notebooks (data/snapshot/) — for the
    default warehouse, or when `publish` says so. A document whose bytes were already loaded by
    this extractor version is skipped. A document that fails is recorded (``reports.status =
    'error'``, view ``extraction_errors``) and the batch goes on; ``on_error(source, reason)`` is
    called for each failure as it happens. A user's mistake (a missing path, an empty folder, an
    unreadable registry) raises :class:`pipeline.errors.UsageError` before anything is written.
    """
    extraction = extraction or ExtractHere()
    paths = list(paths)
    if not (paths or crawl or crawl_dir):
        default = bundled_corpus()
        paths, crawl = default.paths, default.crawl
    local = local_sources(paths)  # mistakes first
    items: list[Provenance] = []
    outcomes: list[dict] = []
    errors: list[dict] = []
    registry: list[dict] = []
    interrupted = False
    if crawl_dir:
        folder = crawl_folder_sources(crawl_dir)
        items += folder.documents
        outcomes, errors, registry = folder.outcomes, folder.errors, folder.registry
    if crawl:
        result = run_crawl(crawl)
        outcomes, errors = outcomes + result.outcomes, errors + result.errors
        registry += result.registry
        items += result.documents
        interrupted = result.interrupted
    items += local
    if isinstance(extraction, ExtractOnDask):
        summary = _on_dask(
            items, db, extraction, crawl_dir or (crawl.out if crawl else None), progress, on_error
        )
    else:
        summary = load_sources(items, db, progress, on_error, extraction.workers, extraction.pool)
    summary.outcomes = outcomes
    summary.interrupted = interrupted
    latest = {(e["source_id"], e["url"]): e for e in errors}  # (a later row clears an error)
    summary.crawl_errors = sum(1 for e in latest.values() if e.get("error") is not None)
    if outcomes or errors or registry:
        with Warehouse(db) as wh:
            wh.record_sources(registry)
            wh.record_crawl_outcomes(outcomes)
            wh.record_crawl_errors(errors)
    if publish is None:  # never a snapshot/ beside a file a user named
        publish = Path(db).resolve() == DEFAULT_DB.resolve()
    changed = summary.documents > summary.unchanged + summary.repeated or bool(outcomes or errors)
    if publish:
        publish_for_readers(db, changed)
    return summary


def _on_dask(
    items, db, dask: ExtractOnDask, crawl_folder, progress: bool, on_error
) -> IngestSummary:
    from .cluster import ingest_on_dask

    summary = IngestSummary()
    root = dask.shards or (
        Path(crawl_folder or DEFAULT_CRAWL) / "shards"
        if crawl_folder
        else Path(db).with_suffix(".shards")
    )
    bar = _progress(len(items), progress)
    ingest_on_dask(
        items,
        db,
        summary,
        root,
        workers=dask.workers,
        scheduler=dask.scheduler,
        security=dask.security,
        progress=bar.update,
        on_error=on_error,
    )
    bar.close()
    return summary


def load_sources(
    items: list[Provenance],
    db: str | Path = DEFAULT_DB,
    progress: bool = False,
    on_error: OnError | None = None,
    workers: int | None = None,
    pool: ExtractPool | None = None,
) -> IngestSummary:
    """Extract (on a process pool when there is more than one document) and load `items`. A
    warm `pool` of the caller's is used and closed here."""
    summary = IngestSummary()
    bar = _progress(len(items), progress)
    if pool is None and len(items) > 1 and (workers or process_pool.workers_default()) > 1:
        pool = ExtractPool(workers)
        pool.warm()

    def extractor(todo: list[tuple[Provenance, bytes, Provenance]]):
        if pool is None or len(todo) < 2:
            return (extract_bytes(data, item.url, provenance=item) for item, data, _ in todo)
        # The workers read the files themselves. A 300 KB page sent through the pool's pipe goes
        # 64 KB at a time, each waiting for this busy process's feeder thread: both workers sat
        # idle ~3 ms a document (a fifth of their time on real pages).
        return pool.map([(Path(item.path).absolute(), item) for item, _, _ in todo])

    def read(chunk: list[Provenance]) -> list[tuple[Provenance, bytes, str]]:
        blobs = []
        for item in chunk:
            try:
                data = Path(item.path).read_bytes()
            except OSError as exc:
                summary.fail(item.url, f"cannot read file: {exc.strerror}", on_error)
                continue
            blobs.append((item, data, hashlib.sha256(data).hexdigest()))
        return blobs

    batch: list[tuple[Provenance, Report]] = []
    links: list[Provenance] = []

    def collect(todo: list, reports, chunk_links: list[Provenance]) -> None:
        """A chunk's reports as the workers finish them (the next chunk is already with them)."""
        for (item, _, doc), report in zip(todo, reports):
            bar.update(1)
            if report.sha256 != doc.doc_id and not report.error:  # the worker read other bytes
                report = error_report(
                    b"",
                    item.url,
                    "the file changed while it was being ingested: ingest it again",
                    doc.doc_id,
                )
            doc.media_type = report.media_type or doc.media_type
            batch.append((doc, report))
            interrupts.pause_point("extract")  # (the interrupt tests stop here)
            if report.error:
                summary.fail(item.url, report.error, on_error)
            else:
                summary.add_report(
                    report.status, report.cell_count, sum(not c.ok for c in report.checks)
                )
        links.extend(chunk_links)

    def flush(wh: Warehouse) -> None:
        for doc, reason in wh.load(batch):
            summary.fail(doc.url, reason, on_error)
        wh.link_urls(links)
        batch.clear()
        links.clear()
        # objects the loaded batches left behind (cycles): see _gc_after_loads
        if gc.get_count()[0] > GC_GROWTH:
            gc.collect()

    # A pipeline in one thread: chunk k+1 is read, hashed and handed to the workers before chunk
    # k's reports are collected, and loads happen while the workers hold a chunk, so they
    # extract while this process reads, hashes and loads.
    chunks = list(_chunks(items, LOAD_BATCH if pool is None else settings.PIPELINE_CHUNK))
    with ExitStack() as stack:
        if pool is not None:
            stack.enter_context(pool)
            stack.enter_context(_gc_after_loads())
        # A warehouse that does not exist yet holds nothing: the first chunk goes to the workers
        # before the warehouse's schema is created (half a second the workers would sit idle).
        wh = None if not Path(db).exists() else stack.enter_context(Warehouse(db))
        seen: set[str] = set()
        pending = None  # (todo, reports, links) of the chunk submitted last
        for n, chunk in enumerate(chunks):
            blobs = read(chunk)
            known = wh.known([sha for _, _, sha in blobs]) if wh is not None else set()
            chunk_links, todo = [], []
            for item, data, sha in blobs:
                summary.documents += 1
                doc = keyed(item, sha, len(data))
                chunk_links.append(doc)
                if sha in known or sha in seen:  # loaded before, or the same bytes twice in one run
                    if sha in seen:  # (loaded by an earlier chunk of this run counts here too)
                        summary.repeated += 1
                    else:
                        summary.unchanged += 1
                    bar.update(1)
                    continue
                seen.add(sha)
                todo.append((item, data, doc))
            submitted = (todo, extractor(todo), chunk_links)
            if wh is None:
                wh = stack.enter_context(Warehouse(db))
            if pending:
                collect(*pending)
                # near the end, load every chunk: the last load, with the workers idle, stays small
                if len(batch) >= LOAD_BATCH or pool is None or n >= len(chunks) - 2:
                    flush(wh)
            pending = submitted
        if pending:
            collect(*pending)
        if pool is not None:
            pool.close()  # nothing left to extract: the workers wind down while the last batch loads
        if wh is None:  # nothing to read at all: the warehouse is still created
            wh = stack.enter_context(Warehouse(db))
        flush(wh)
    bar.close()
    return summary


@contextmanager
def _gc_after_loads():
    """Python's collector, left to itself, makes passes over the reports a batch holds, ~0.1 s
    each with the GIL held: the pool's threads here cannot hand the workers their next document
    meanwhile, and both workers sat idle together (1.5 s of 20 on 2,000 pages). The reports are
    freed by their reference counts when a batch is loaded; during the ingest the collector runs
    only after a load that left GC_GROWTH objects behind, and never over what existed before the
    ingest (frozen out of its sight)."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="ingest", leave=False)
