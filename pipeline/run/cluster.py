"""Extraction on Dask distributed: many machines extract, the one DuckDB writer loads.

    ogi ingest --crawl /shared/crawl --workers 2                      # a LocalCluster on this machine
    ogi ingest --crawl /shared/crawl --scheduler tls://HOST:8786      # an existing cluster
    (TLS with the certificates of `make certs`: pipeline/locked.py; plain tcp:// only on
    loopback or with --insecure)

1. The driver (this process) lists the documents and keys each by (sha256 of its bytes,
   extractor version); a file in the crawler's content-addressed store is keyed by its name,
   without reading it.
2. Shards a killed or crashed run left behind are loaded first; documents the warehouse already
   holds for this extractor version are skipped — a re-run does only the missing work.
3. The rest, in chunks of at most ``chunk`` documents and at least four tasks per worker thread
   (sorted by key, so a chunk is the same on every run on the same cluster), are mapped over the
   cluster. A task reads its documents from the shared path, extracts
   each under the per-document time and memory caps (an :class:`ExtractPool` of one process per
   Dask worker: SIGALRM and RLIMIT_AS need a process of their own), and writes one Parquet shard
   (pipeline/store/shards.py). Only the shard's folder name travels back.
4. The driver loads shards as they complete (``Warehouse.load_shards``: ``read_parquet`` in bulk,
   the shards finished while the last load ran in one transaction), then records every URL each
   document came from.

A worker that dies mid-task is replaced (LocalCluster's nanny) and the scheduler runs its tasks
elsewhere; a shard written twice is written once (same key, atomic rename). A chunk that kills
its workers repeatedly is split, and a document that does so alone is recorded as an error.

Workers must reach the documents and the shard folder by the same paths as the driver (a shared
filesystem), and must be allowed to start a child process: start them with
``DASK_DISTRIBUTED__WORKER__DAEMON=False`` (LocalCluster here sets it).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ..errors import ClusterUnavailable, UsageError
from ..extract import cores_available
from ..model import EXTRACTOR_VERSION, Provenance, Report
from ..settings import DASK_CHUNK, DASK_TASKS_PER_THREAD, LOAD_BATCH, MEMORY_MB, TIMEOUT_S
from ..store import Warehouse
from ..store import shards as shard_files
from .document import error_report
from .pool import ExtractPool
from .sources import keyed
from .summary import IngestSummary

log = logging.getLogger("ogi.distributed")
_SHA_NAME = re.compile(r"[0-9a-f]{64}")


# ---------------------------------------------------------------- on a worker
_POOLS: dict[tuple, ExtractPool] = {}


def extract_chunk(
    docs: list[dict],
    shard_root: str,
    timeout: int = TIMEOUT_S,
    memory_mb: int = MEMORY_MB,
    work: Callable[[bytes, str], Report] | None = None,
) -> str:
    """Extract the documents (Provenance fields) and write their shard; returns its folder."""
    if multiprocessing.current_process().daemon:
        raise UsageError(
            "this Dask worker is a daemon process and cannot run the extraction process that holds "
            "the per-document caps: start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    key = (timeout, memory_mb, work)
    pool = _POOLS.get(key)
    if pool is None:
        pool = _POOLS[key] = ExtractPool(
            1, timeout=timeout, memory_mb=memory_mb, work=work, cores=_worker_cores
        )
    records = [Provenance(**d) for d in docs]
    jobs, batch = [], []
    for rec in records:
        try:
            jobs.append((Path(rec.path).read_bytes(), None))
        except OSError as exc:
            jobs.append((None, f"cannot read file on worker: {exc.strerror}"))
    reports = iter(pool.map([(d, rec) for (d, _), rec in zip(jobs, records) if d is not None]))
    for rec, (data, why) in zip(records, jobs):
        report = next(reports) if data is not None else error_report(b"", rec.url, why, rec.doc_id)
        rec.media_type = report.media_type or rec.media_type
        batch.append((rec, report))
    return str(shard_files.write_shard(batch, shard_root))


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - distributed is a dependency
    WorkerPlugin = object


_worker_cores: int | None = None  # a Dask worker's share of its machine's cores (None: all)


class ExtractionPlugin(WorkerPlugin):
    """Worker plugin: tells a worker its share of its machine's cores — the workers on one host
    share them, so OCR (one page per core) does not run more threads than there are cores — and
    ends the worker's extraction process with it (a worker leaving child processes behind is
    killed by its nanny only after a wait). `per_host`: Dask workers on each host, as the
    scheduler listed them when the ingest began."""

    name = "ogi-extraction"

    def __init__(self, per_host: dict[str, int]):
        self.per_host = per_host

    def setup(self, worker):
        global _worker_cores
        host = urlsplit(worker.address).hostname or ""
        _worker_cores = max(1, cores_available() // self.per_host.get(host, 1))

    def teardown(self, worker):
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()


# ---------------------------------------------------------------- the driver
def document_key(path: Path) -> tuple[str, int]:
    """(sha256, bytes) of a file; a file of the content-addressed store is named by its sha256."""
    if _SHA_NAME.fullmatch(path.stem) and path.parent.name == path.stem[:2]:
        return path.stem, path.stat().st_size
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest(), path.stat().st_size


class Cluster:
    """A Dask client: on a scheduler's address, or on a LocalCluster of `workers` processes with
    one thread each (extraction is CPU-bound Python) started here and stopped on exit."""

    def __init__(
        self, workers: int | None = None, scheduler: str | None = None, client=None, security=None
    ):
        self.workers, self.scheduler, self.client, self._own = workers, scheduler, client, []
        self.security = security  # TLS for a tls:// scheduler (pipeline/locked.py)

    def __enter__(self):
        if self.client is not None:
            return self.client
        import dask
        from distributed import Client, LocalCluster

        if not log.isEnabledFor(logging.INFO):  # Dask's own INFO lines only with -v
            logging.getLogger("distributed").setLevel(logging.WARNING)
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="30s", security=self.security)
            except (OSError, TimeoutError) as exc:  # (distributed's CommClosedError is an OSError)
                raise ClusterUnavailable(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc.__class__.__name__}"
                    f"{': ' + str(exc).splitlines()[0] if str(exc) else ''} — is it running, and "
                    "does it speak what the address says (a TLS scheduler wants tls:// and its "
                    "certificates, --tls-dir)?"
                ) from None
        else:
            # Set for good, not for a `with`: the nanny reads it again when it restarts a worker.
            dask.config.set({"distributed.worker.daemon": False})
            cluster = LocalCluster(
                n_workers=self.workers or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.WARNING,
            )
            self._own.append(cluster)
            self.client = Client(cluster)
        self._own.insert(0, self.client)
        self.client.register_plugin(ExtractionPlugin(workers_per_host(self.client)))
        return self.client

    def __exit__(self, *exc):
        for thing in self._own:
            thing.close()


def workers_per_host(client) -> dict[str, int]:
    """How many Dask workers each host runs (they share its cores)."""
    hosts: dict[str, int] = {}
    for address in client.scheduler_info()["workers"]:
        host = urlsplit(address).hostname or ""
        hosts[host] = hosts.get(host, 0) + 1
    return hosts


def ingest_on_dask(
    items: list[Provenance],
    db: str | Path,
    summary: IngestSummary,
    shard_root: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    security=None,
    chunk: int = DASK_CHUNK,
    progress=None,
    on_error=None,
    timeout: int = TIMEOUT_S,
    memory_mb: int = MEMORY_MB,
    work=None,
) -> None:
    """Extract `items` on a Dask cluster and load their shards into `db`, filling `summary` as
    :func:`pipeline.run.ingest.load_sources` does. `progress(n)` is called as documents are done."""
    shard_root = Path(shard_root)
    shard_root.mkdir(parents=True, exist_ok=True)
    shard_files.clear_partial(shard_root)
    docs: list[Provenance] = []
    for item in items:
        try:
            sha, size = document_key(Path(item.path))
        except OSError as exc:
            summary.fail(item.url, f"cannot read file: {exc.strerror}", on_error)
            continue
        docs.append(keyed(item, sha, size))
    summary.documents += len(docs)

    with Warehouse(db) as wh:
        known = wh.known([d.doc_id for d in docs])
        # What a crashed run extracted but did not load (in loads of a few hundred shards).
        left = shard_files.shards(shard_root)
        for i in range(0, len(left), 200):
            _loaded(wh.load_shards(left[i : i + 200]), summary, on_error)
        recovered = wh.known([d.doc_id for d in docs]) - known
        todo: dict[str, Provenance] = {}
        for d in docs:
            if d.doc_id in known:
                summary.unchanged += 1  # loaded before
            elif d.doc_id in todo:
                summary.repeated += 1  # the same bytes twice in this run
            elif d.doc_id not in recovered:
                todo[d.doc_id] = d
        if progress:
            progress(len(docs) - len(todo))
        if todo:
            ordered = [todo[k] for k in sorted(todo)]
            with Cluster(workers, scheduler, client, security) as dask_client:
                size = chunk_size(len(ordered), sum(dask_client.nthreads().values()), chunk)
                chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
                _run(
                    dask_client,
                    chunks,
                    wh,
                    summary,
                    str(shard_root),
                    progress,
                    on_error,
                    dict(timeout=timeout, memory_mb=memory_mb, work=work),
                )
        wh.link_urls(docs)


def chunk_size(documents: int, threads: int, most: int = DASK_CHUNK) -> int:
    """Documents per task: at most `most`, and small enough that every worker thread gets
    DASK_TASKS_PER_THREAD tasks — with fewer, the last tasks run on one worker while the others idle
    (40 PDFs in chunks of 25 on two workers: 25 documents' time instead of 20)."""
    return max(1, min(most, -(-documents // (max(threads, 1) * DASK_TASKS_PER_THREAD))))


def _run(
    client, chunks, wh, summary, shard_root, progress, on_error, caps, load_every: int = LOAD_BATCH
) -> None:
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    def submit(chunk: list[Provenance]):
        key = f"ogi-extract-{EXTRACTOR_VERSION}-{shard_files.shard_key([d.doc_id for d in chunk])}"
        fut = client.submit(
            extract_chunk, [d.row() for d in chunk], shard_root, key=key, pure=False, **caps
        )
        pending[fut.key] = chunk
        return fut

    pending: dict[str, list[Provenance]] = {}
    waiting: list[tuple[str, list[Provenance]]] = []  # shards written, not loaded yet
    queue = as_completed([submit(c) for c in chunks])
    for done in queue.batches():  # all that finished while the last batch was loading: one load
        ready = []
        for fut in done:
            chunk = pending.pop(fut.key)
            try:
                ready.append((fut.result(), chunk))
            except KilledWorker:
                # The chunk took workers down with it, again and again: halves are tried again to
                # find the culprit; a document that does it alone is recorded as an error.
                if len(chunk) > 1:
                    half = len(chunk) // 2
                    for part in (chunk[:half], chunk[half:]):
                        queue.add(submit(part))
                    continue
                reason = "the extraction worker died on this document (memory cap or a crash in a parser)"
                ready.append(
                    (
                        str(
                            shard_files.write_shard(
                                [
                                    (
                                        chunk[0],
                                        error_report(b"", chunk[0].url, reason, chunk[0].doc_id),
                                    )
                                ],
                                shard_root,
                            )
                        ),
                        chunk,
                    )
                )
            except (FutureCancelledError, Exception) as exc:
                # Not the document's fault (a worker that cannot write the shard folder, a
                # misconfigured worker, a lost scheduler): stop, and record nothing about the
                # documents, so the next run does them. What was loaded stays loaded.
                raise UsageError(
                    f"distributed extraction stopped: {type(exc).__name__}: {exc}".splitlines()[0]
                ) from exc
            finally:
                fut.release()
        waiting += ready
        # A load has a fixed cost (~0.3 s: the wide tables, metrics and checks across reports of
        # what it adds), so shards are loaded a few hundred documents at a time, and at the end.
        if waiting and (sum(len(c) for _, c in waiting) >= load_every or queue.is_empty()):
            _loaded(wh.load_shards([shard for shard, _ in waiting]), summary, on_error)
            if progress:
                progress(sum(len(chunk) for _, chunk in waiting))
            waiting = []
    if waiting:  # (the queue ends empty, so this is only a guard)
        _loaded(wh.load_shards([shard for shard, _ in waiting]), summary, on_error)


def _loaded(rows: list[dict], summary, on_error) -> None:
    for r in rows:
        if r["error"]:
            summary.fail(r["source_url"], r["error"], on_error)
            continue
        summary.add_report(r["status"], r["cells"], r["failed_checks"])
