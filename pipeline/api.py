"""The Python API behind the ``ogi`` command: what the CLI does, a notebook can import.

from pipeline.api import extract_file, ingest, quality_summary
report = extract_file("data/samples/luanhe-2023.txt")
summary = ingest(["data/samples"], db="data/ogi.duckdb")
"""

from __future__ import annotations

import gc
import hashlib
import logging
import mimetypes
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .defaults import DEFAULT_CORPUS, DEFAULT_DB
from .extract import extract, sniff
from .model import WITHOUT_NUMBERS, ExtractionError, Report
from .normalise import normalise
from .parallel import ExtractPool, workers_default
from .store import LOAD_BATCH, DocumentRecord, Warehouse
from .validate import run_checks
from .validate.ocr import settle_ocr

log = logging.getLogger("ogi")

DOCUMENT_SUFFIXES = (
    ".html",
    ".htm",
    ".shtml",
    ".jhtml",
    ".txt",
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".xls",
    ".xlsx",
    ".et",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
)


class UsageError(ValueError):
    """A user's mistake (a path that does not exist, a folder with no documents, a registry that
    cannot be read): one line, said plainly, before anything is written."""


PIPELINE_CHUNK = 200  # documents handed to the workers at a time while the previous chunk loads


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and document files found below directories named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (
                    f.is_file()
                    and f.suffix.lower() in DOCUMENT_SUFFIXES
                    and not f.name.startswith(".")
                ):
                    yield f
        else:
            yield p


def extract_bytes(data: bytes, source: str) -> Report:
    """Extract, normalise and check one document. Never raises for bad input: the reason is in
    ``report.error``."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        report = normalise(extract(data, source, sha))
    except ExtractionError as exc:
        return error_report(data, source, str(exc), sha)
    except Exception as exc:  # a bug on one odd document must not stop a batch of thousands
        log.exception("unexpected failure on %s", source)
        return error_report(data, source, f"internal error: {type(exc).__name__}: {exc}", sha)
    if any(
        c.confidence is not None
        for rows in report.tables.values()
        for cells in rows.values()
        for c in cells.values()
    ):
        settle_ocr(report)  # OCR'd numbers are held against the identities before the checks
    run_checks(report)
    report.fact_columns()  # ready for the warehouse (computed in the worker, not the writer)
    report.check_columns()
    return report


def error_report(data: bytes, source: str, reason: str, sha: str | None = None) -> Report:
    """The report of a document that yielded none: its identity and the one-line reason."""
    return Report(
        source=source,
        sha256=sha or hashlib.sha256(data).hexdigest(),
        media_type=sniff(data, source),
        error=reason,
    )


def extract_file(path: str | Path) -> Report:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return Report(source=str(p), sha256="", error=f"cannot read file: {exc.strerror}")
    return extract_bytes(data, str(p))


@dataclass
class IngestSummary:
    documents: int = 0
    unchanged: int = 0
    reports: int = 0
    partial: int = 0
    without_numbers: int = 0  # reports read, no number in them (status pre2019 or no_tables)
    cells: int = 0
    checks_failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[dict] = field(
        default_factory=list
    )  # crawl outcomes, when a registry was crawled
    crawl_errors: int = 0  # URLs that failed for good in the crawl
    interrupted: bool = False  # a signal stopped the crawl; what was stored is loaded

    def add_report(self, status: str, cells: int, failed_checks: int) -> None:
        """Count a report loaded without error."""
        self.reports += 1
        self.partial += status == "partial"
        self.without_numbers += status in WITHOUT_NUMBERS
        self.cells += cells
        self.checks_failed += failed_checks

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.errors or any(o["outcome"] != "ok" for o in self.outcomes) else 0

    def lines(self) -> list[str]:
        crawl = []
        if self.outcomes:
            counts: dict[str, int] = {}
            for o in self.outcomes:
                counts[o["outcome"]] = counts.get(o["outcome"], 0) + 1
            crawl = [
                "sources    "
                + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                + (
                    f"; {self.crawl_errors} URLs failed (view crawl_errors)"
                    if self.crawl_errors
                    else ""
                )
            ]
        return crawl + [
            f"documents  {self.documents} ({self.unchanged} unchanged since the last run)",
            f"reports    {self.reports} loaded ({self.partial} incomplete, {self.without_numbers} without numbers)",
            f"cells      {self.cells}",
            f"checks     {self.checks_failed} failed",
            f"errors     {len(self.errors)}",
        ]


@dataclass
class Source:
    """A document to ingest: where its bytes are and where they came from."""

    path: Path
    url: str
    source_id: str | None = None
    page_url: str | None = None
    fetched_at: str | None = None
    http_status: int | None = None
    media_type: str | None = None
    title: str | None = None  # the link text it was found under (crawls)
    year_guess: int | None = None


def local_sources(paths: Iterable[str | Path]) -> list[Source]:
    """The documents under `paths`; a path that does not exist, or a folder without a single
    document, is a UsageError (nothing is created for it)."""
    out = []
    for p in map(Path, paths):
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        found = [Source(f, str(f)) for f in iter_documents([p])]
        if p.is_dir() and not found:
            raise UsageError(
                f"{p}: no documents in this folder (looked for {' '.join(DOCUMENT_SUFFIXES)})"
            )
        out += found
    return out


def crawl_folder_sources(crawl_dir: str | Path) -> tuple[list[Source], list[dict], list[dict]]:
    """An existing crawl folder (crawlers.store layout) as documents with their provenance (URLs,
    pages, fetch times) from its manifest, plus its crawl outcomes and errors."""
    from crawlers.store import DocumentStore

    d = Path(crawl_dir)
    if not any(d.glob("manifest*.jsonl")):  # one crawl's, or crawl workers' (manifest.WORKER.jsonl)
        raise UsageError(
            f"{d}: not a crawl folder (no manifest.jsonl; `ogi crawl --out {d}` makes one)"
        )
    store = DocumentStore(d)
    try:
        return crawled_sources(store.manifest(), store.raw), store.outcomes(), store.errors()
    finally:
        store.close()


def crawled_sources(manifest: list[dict], raw_dir: Path) -> list[Source]:
    """Every document a crawl stored (the whole manifest, so a resumed crawl's earlier rows count)."""
    latest = {
        row["url"]: row for row in manifest
    }  # a URL stored again (changed) keeps its newest row
    return [
        Source(
            raw_dir / row["path"],
            row["url"],
            row.get("source_id"),
            row.get("page_url"),
            row.get("fetched_at"),
            row.get("http_status"),
            row.get("media_type"),
            row.get("title"),
            row.get("year_guess"),
        )
        for row in latest.values()
    ]


def ingest(
    paths: Iterable[str | Path] = (),
    db: str | Path = DEFAULT_DB,
    progress: bool = False,
    on_error=None,
    sources: str | Path | None = None,
    mirror: str | Path | None = None,
    crawl_out: str | Path | None = None,
    crawl_overrides: dict | None = None,
    workers: int | None = None,
    publish: bool | None = None,
    crawl_dir: str | Path | None = None,
    crawl_progress=None,
    dask_workers: int | None = None,
    scheduler: str | None = None,
    shards: str | Path | None = None,
    pool: ExtractPool | None = None,
) -> IngestSummary:
    """Crawl (when `sources`, a registry CSV, is given), extract, check and load; idempotent.

    With neither paths nor sources, the bundled corpus (data/samples) is ingested; `crawl_dir`
    adds an existing crawl folder with its manifest's provenance. Afterwards a read-only snapshot
    is published for notebooks (data/snapshot/) — for the default warehouse, or when `publish`
    says so. A document whose bytes were already loaded by this extractor version is skipped. A
    document that fails is recorded (``reports.status = 'error'``, view ``extraction_errors``)
    and the batch goes on; ``on_error(source, reason)`` is called for each failure as it happens.
    A user's mistake (a missing path, an empty folder, an unreadable registry) raises
    :class:`UsageError` before anything is written.

    Extraction runs on a process pool of `workers` (default: every core), or on Dask: a
    LocalCluster of `dask_workers` processes, or the cluster at `scheduler` (tcp://HOST:8786),
    whose workers write Parquet shards to `shards` (default: SHARDS beside the crawl store, or
    beside the warehouse) for this process to load (pipeline/distributed.py). A `pool` started
    by the caller (the CLI starts one before its imports) is used, and closed, by the extraction.
    """
    items: list[Source] = []
    outcomes: list[dict] = []
    errors: list[dict] = []
    result = None
    paths = list(paths)
    local = local_sources(
        paths or ([] if sources or crawl_dir else [DEFAULT_CORPUS])
    )  # mistakes first
    if crawl_dir:
        crawled, outcomes, errors = crawl_folder_sources(crawl_dir)
        items += crawled
    if sources:
        from crawlers.registry import RegistryError, load
        from crawlers.run import DEFAULT_OUT, crawl

        try:
            rows = load(sources)
        except (RegistryError, OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"{sources}: {exc.strerror if isinstance(exc, OSError) else exc}"
            ) from None
        try:
            result = crawl(
                rows,
                out_dir=crawl_out or DEFAULT_OUT,
                mirror=mirror,
                overrides=crawl_overrides,
                progress=crawl_progress,
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        outcomes, errors = outcomes + result.outcomes, errors + result.errors
        items += crawled_sources(result.store.manifest(), result.store.raw)
    items += local
    if dask_workers or scheduler:
        from .distributed import ingest_on_dask

        summary = IngestSummary()
        root = shards or (
            Path(crawl_dir or crawl_out or "data/crawl") / "shards"
            if (crawl_dir or sources)
            else Path(db).with_suffix(".shards")
        )
        bar = _progress(len(items), progress)
        ingest_on_dask(
            items,
            db,
            summary,
            root,
            workers=dask_workers,
            scheduler=scheduler,
            progress=bar.update,
            on_error=on_error,
        )
        bar.close()
    else:
        summary = load_sources(items, db, progress, on_error, workers, pool=pool)
    summary.outcomes = outcomes
    summary.interrupted = bool(result and result.interrupted)
    summary.crawl_errors = len({(e["source_id"], e["url"]) for e in errors})
    if outcomes or errors:
        with Warehouse(db) as wh:
            wh.record_crawl_outcomes(outcomes)
            wh.record_crawl_errors(errors)
    if publish is None:
        publish = (
            Path(db).resolve() == DEFAULT_DB.resolve()
        )  # never a snapshot/ beside a file a user named
    changed = summary.documents > summary.unchanged or bool(outcomes or errors)
    if publish:
        publish_for_readers(db, changed)
    return summary


SQLITE_MAX_MB = 512  # larger warehouses get their datasette copy from `ogi serve`, on demand


def publish_for_readers(db: str | Path, changed: bool = True) -> Path | None:
    """The read-only snapshot notebooks open (and, for a small warehouse, the SQLite copy `ogi
    serve` shows). Nothing is copied when this run changed nothing and the snapshot was written
    by this version (the same views): an ingest that adds nothing costs no copy."""
    from .analysis import publish_snapshot
    from .analysis.serve import publish_sqlite
    from .store.schema import VIEWS

    snapshot = Path(db).parent / "snapshot" / Path(db).name
    stamp = snapshot.with_suffix(".version")
    version = hashlib.sha256("\n".join(VIEWS).encode()).hexdigest()[:16]
    if not changed and snapshot.exists() and stamp.exists() and stamp.read_text() == version:
        return snapshot
    published = publish_snapshot(db, snapshot)
    if published is None:
        stamp.unlink(missing_ok=True)
        return None
    stamp.write_text(version)
    if published.stat().st_size <= SQLITE_MAX_MB * 1024 * 1024:
        publish_sqlite(
            published, published.with_suffix(".sqlite")
        )  # what `ogi serve` shows in datasette
    return published


def load_sources(
    items: list[Source],
    db: str | Path = DEFAULT_DB,
    progress: bool = False,
    on_error=None,
    workers: int | None = None,
    pool: ExtractPool | None = None,
) -> IngestSummary:
    """Extract (on a process pool when there is more than one document) and load `items`. A
    warm `pool` of the caller's is used and closed here."""
    summary = IngestSummary()
    bar = _progress(len(items), progress)
    if pool is None and len(items) > 1 and (workers or workers_default()) > 1:
        pool = ExtractPool(workers)
        pool.warm()

    def extractor(todo: list[tuple[Source, bytes, DocumentRecord]]):
        if pool is None or len(todo) < 2:
            return (extract_bytes(data, item.url) for item, data, _ in todo)
        # The workers read the files themselves. A 300 KB page sent through the pool's pipe goes
        # 64 KB at a time, each waiting for this busy process's feeder thread: both workers sat
        # idle ~3 ms a document (a fifth of their time on real pages).
        return pool.map([(item.path.absolute(), item.url) for item, _, _ in todo])

    def read(chunk: list[Source]) -> list[tuple[Source, bytes, str]]:
        blobs = []
        for item in chunk:
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                _fail(summary, item.url, f"cannot read file: {exc.strerror}", on_error)
                continue
            blobs.append((item, data, hashlib.sha256(data).hexdigest()))
        return blobs

    batch: list[tuple[DocumentRecord, Report]] = []
    links: list[DocumentRecord] = []

    def collect(todo: list, reports, chunk_links: list[DocumentRecord]) -> None:
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
            if report.error:
                _fail(summary, item.url, report.error, on_error)
            else:
                summary.add_report(
                    report.status,
                    sum(len(c) for rows in report.tables.values() for c in rows.values()),
                    sum(not c.ok for c in report.checks),
                )
        links.extend(chunk_links)

    def flush(wh: Warehouse) -> None:
        for doc, reason in wh.load(batch):
            _fail(summary, doc.source_url, reason, on_error)
        wh.link_urls(links)
        batch.clear()
        links.clear()
        if (
            gc.get_count()[0] > GC_GROWTH
        ):  # objects the loaded batches left behind (cycles): see _gc_after_loads
            gc.collect()

    # A pipeline in one thread: chunk k+1 is read, hashed and handed to the workers before chunk
    # k's reports are collected, and loads happen while the workers hold a chunk, so they
    # extract while this process reads, hashes and loads.
    chunks = list(_chunks(items, LOAD_BATCH if pool is None else PIPELINE_CHUNK))
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
                doc = document_record(item, sha, len(data))
                chunk_links.append(doc)
                if sha in known or sha in seen:  # loaded before, or the same bytes twice in one run
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


GC_GROWTH = 200_000  # objects made and not freed since the ingest began that start a collection


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


def document_record(item: Source, sha: str, size: int) -> DocumentRecord:
    """A document's provenance row: its key (sha256 of the bytes) and where it came from."""
    return DocumentRecord(
        doc_id=sha,
        source_url=item.url,
        path=str(item.path),
        bytes=size,
        media_type=item.media_type or mimetypes.guess_type(item.path.name)[0] or "",
        source_id=item.source_id,
        page_url=item.page_url,
        fetched_at=_timestamp(item.fetched_at),
        http_status=item.http_status,
        year_guess=item.year_guess,
        title=item.title,
    )


def _timestamp(value: str | None):
    import datetime as dt

    return dt.datetime.fromisoformat(value) if value else None


def _fail(summary: IngestSummary, source: str, reason: str, on_error) -> None:
    summary.errors.append((source, reason))
    if on_error:
        on_error(source, reason)


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


# ---------------------------------------------------------------- data quality
QUALITY_QUERIES = {
    "reports": "SELECT status, count(*) AS n FROM reports GROUP BY status ORDER BY status",
    "failed_checks": """
        SELECT c.check_id, count(*) AS failures, count(DISTINCT c.report_id) AS reports
        FROM checks c JOIN reports r USING (report_id) WHERE NOT c.ok GROUP BY c.check_id ORDER BY c.check_id""",
    "failed_check_details": """
        SELECT r.issuer, r.year, c.check_id, c.expected, c.actual, c.detail, d.source_url
        FROM checks c JOIN reports r USING (report_id) LEFT JOIN documents d USING (doc_id)
        WHERE NOT c.ok ORDER BY r.issuer, r.year, c.check_id""",
    "missing_tables": """
        WITH present AS (SELECT report_id, list(DISTINCT table_name) AS tables FROM facts GROUP BY report_id),
        gaps AS (
            SELECT r.issuer, r.year, r.format, d.source_url,
                   list_filter(['proactive', 'applications', 'appeals'],
                               t -> NOT list_contains(coalesce(p.tables, []::VARCHAR[]), t)) AS missing
            FROM reports r LEFT JOIN present p USING (report_id) LEFT JOIN documents d USING (doc_id)
            WHERE r.status <> 'error' AND r.format IN ('2019', '2021'))
        SELECT * FROM gaps WHERE len(missing) > 0 ORDER BY issuer, year""",
    "without_numbers": """
        SELECT r.status, r.issuer, r.year, r.format, d.source_url
        FROM reports r LEFT JOIN documents d USING (doc_id)
        WHERE r.status IN ('pre2019', 'no_tables') ORDER BY r.status, r.issuer, r.year""",
    "errors": "SELECT source_url, error FROM extraction_errors ORDER BY source_url",
    "cross_report": """
        SELECT check_id, issuer, year, other_issuer, other_year, expected, actual, detail
        FROM cross_checks WHERE NOT ok ORDER BY check_id, issuer, year""",
    "jurisdictions": """
        SELECT issuer, year, scope, level, jurisdiction, coalesce(jurisdiction_code, jurisdiction_id) AS code,
               parent, jurisdiction_flag AS flag
        FROM reports WHERE status <> 'error' ORDER BY issuer, year""",
}


def quality_summary(db: str | Path = DEFAULT_DB) -> dict:
    """Data-quality tables (pandas DataFrames) of a warehouse: what `ogi check` prints."""
    with Warehouse(db, read_only=True) as wh:
        return {name: wh.query(sql) for name, sql in QUALITY_QUERIES.items()}


def coverage(db: str | Path, sources: str | Path, years: str | None = None):
    """Which registry bodies have no report for a year, and which published after the legal
    deadline (departments 31 January, governments 31 March of the next year) — a DataFrame."""
    import datetime as dt

    import pandas as pd

    from crawlers.registry import load

    rows = load(sources)
    with Warehouse(db, read_only=True) as wh:
        reports = wh.query(
            "SELECT source_id, year, published_on FROM reports "
            "WHERE status <> 'error' AND source_id IS NOT NULL AND year IS NOT NULL"
        )
    if years:
        lo, _, hi = years.partition("-")
        span = range(int(lo), int(hi or lo) + 1)
    else:
        span = (
            range(int(reports.year.min()), int(reports.year.max()) + 1)
            if len(reports)
            else range(0)
        )
    out = []
    for s in rows:
        mine = reports[reports.source_id == s.source_id]
        for year in span:
            got = mine[mine.year == year]
            if got.empty:
                out.append((s.source_id, s.name, year, "missing", None, None))
                continue
            deadline = (
                dt.date(year + 1, 1, 31) if s.level == "department" else dt.date(year + 1, 3, 31)
            )
            published = [p.date() if hasattr(p, "date") else p for p in got.published_on.dropna()]
            if published and min(published) > deadline:
                out.append((s.source_id, s.name, year, "late", min(published), deadline))
    return pd.DataFrame(
        out, columns=["source_id", "name", "year", "finding", "published_on", "deadline"]
    )
