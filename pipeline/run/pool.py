"""Extraction of a batch on a process pool using every core, each document under a time and
memory cap.

A document that exceeds its time (`DocumentTimeout`, raised by SIGALRM inside the worker) or
memory (RLIMIT_AS) gets an error report; a worker that dies is replaced and the batch goes on.
LibreOffice runs in its own subprocess with its own time limit (pipeline/extract/office.py).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterator

from ..extract import cores_available
from ..model import Provenance, Report
from ..settings import GRACE_S, MEMORY_MB, TIMEOUT_S
from .document import error_report, extract_bytes

log = logging.getLogger("ogi.parallel")

PRELOAD = [
    "pipeline.run.document",
    "pipeline.extract.html",
    "pipeline.extract.text",
    "pipeline.normalise",
    "pipeline.validate",
]


class DocumentTimeout(BaseException):
    """BaseException, so no `except Exception` inside a parser can swallow it."""


_timed_out = False


def _on_alarm(signum, frame):
    # A parser may swallow the exception (a bare `except:`): remember that time ran out, and if
    # the document is still being worked on a grace period later, end this worker for good.
    global _timed_out
    if _timed_out:
        os._exit(70)
    _timed_out = True
    signal.alarm(GRACE_S)
    raise DocumentTimeout()


PR_SET_PDEATHSIG = 1


def _started(pid: int) -> str | None:
    """A process's start time (Linux): tells it apart from a later process given the same pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def die_with(owner: int, owner_started: str | None, every: float = 0.5) -> None:
    """End this worker when the process that owns the pool is gone (a `kill -9` of ogi must not
    leave 120 MB workers behind for minutes). A worker's parent is the forkserver, which lives
    as long as any worker does, so watching the parent is not enough: a daemon thread watches
    the owner, and PR_SET_PDEATHSIG covers the forkserver itself."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux

    def watch():
        while True:
            time.sleep(every)
            if _started(owner) != owner_started:
                os._exit(1)

    if owner_started is not None:
        threading.Thread(target=watch, daemon=True, name="owner-watch").start()


_cores = 1  # the cores a worker's document may use (OCR lays out and reads pages on that many)


def _init_worker(
    memory_mb: int, owner: int | None = None, owner_started: str | None = None, cores: int = 1
) -> None:
    global _cores
    _cores = cores
    if owner:
        die_with(owner, owner_started)
    # Ctrl-C reaches the whole process group: the parent decides what stops, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)


def _work(
    data: bytes | Path,
    source: str | Provenance,
    timeout: int,
    work: Callable[[bytes, str], Report] | None = None,
) -> Report:
    global _timed_out
    provenance = source if isinstance(source, Provenance) else None
    source = _url(source)
    _timed_out = False
    signal.alarm(timeout)  # reading the file counts too (a hung network mount)
    try:
        if isinstance(data, Path):
            try:
                data = data.read_bytes()
            except OSError as exc:
                return _error(b"", source, f"cannot read file: {exc.strerror}")
        report = (
            work(data, source)
            if work
            else extract_bytes(data, source, cores=_cores, provenance=provenance)
        )
    except DocumentTimeout:
        report = None
    except MemoryError:
        return _error(data, source, f"extraction needed more than the {MEMORY_MB} MB memory cap")
    finally:
        signal.alarm(0)
    if report is None or _timed_out:  # a parser may have swallowed the alarm; the cap still holds
        return _error(data, source, f"extraction took longer than {timeout} s (time cap)")
    return report


def _url(source: str | Provenance) -> str:
    return source.url if isinstance(source, Provenance) else source


def _error(data: bytes | Path, source: str | Provenance, reason: str) -> Report:
    source = _url(source)
    if isinstance(data, Path):
        try:
            data = data.read_bytes()
        except OSError:
            data = b""
    return error_report(data, source, reason)


def _stamp(fut) -> None:
    fut.ended = time.monotonic()


def _result_or_none(fut):
    try:
        return fut.result(timeout=0) if fut.done() else None
    except BaseException:
        return None


def workers_default() -> int:
    return max(1, os.cpu_count() or 1)


class ExtractPool:
    """`work(data, source) -> Report` is what each worker runs (default: extract_bytes); it must
    be importable by module name (the workers are forked from a server process). Each worker's
    document may use `cores` cores (default: this machine's cores shared among the workers)."""

    def __init__(
        self,
        workers: int | None = None,
        timeout: int = TIMEOUT_S,
        memory_mb: int = MEMORY_MB,
        work: Callable[[bytes, str], Report] | None = None,
        cores: int | None = None,
    ):
        self.workers = workers or workers_default()
        self.cores = cores or max(1, cores_available() // self.workers)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.work = work
        self._pool = None
        # warm() starts the pool from a thread of its own; map() and close() wait for it first
        self._warming: threading.Thread | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the parent may hold DuckDB threads and locks that fork would copy. The
            # server imports the extractor once; each worker forked from it starts warm (0.4 s of
            # imports a worker, again whenever a capped worker is replaced).
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(
                    self.memory_mb,
                    os.getpid(),
                    _started(os.getpid()),
                    self.cores,
                ),
            )
        return self._pool

    def warm(self) -> None:
        """Start the workers now, in the background, instead of at the first document. Starting
        a worker waits for the forkserver's imports (~0.5 s); the caller spends that time
        opening the warehouse and reading the first documents."""

        def start():
            try:
                pool = self._executor()
                for _ in range(self.workers):
                    pool.submit(os.getpid)
            except Exception:  # noqa: BLE001 - the first map() starts the pool again and says why
                log.debug("starting the extraction pool early failed", exc_info=True)

        self._warming = threading.Thread(target=start, daemon=True, name="ogi-pool-warm")
        self._warming.start()

    def _warmed(self) -> None:
        if self._warming is not None:
            self._warming.join()
            self._warming = None

    def map(self, items: list[tuple[bytes | Path, str | Provenance]]) -> Iterator[Report]:
        """Reports in the order of `items`: (the document's bytes, or the path of a file the
        worker reads itself; its source, or its provenance). Every document is submitted now, before the first
        report is asked for: the workers go on while the caller does something else (ingest
        loads the previous chunk meanwhile)."""
        self._warmed()
        futures = []
        for data, source in items:
            fut = self._executor().submit(_work, data, source, self.timeout, self.work)
            fut.add_done_callback(_stamp)
            fut.started = time.monotonic()
            futures.append(fut)
        return self._results(items, futures)

    def _results(self, items: list[tuple[bytes | Path, str]], futures: list) -> Iterator[Report]:
        for i, ((data, source), fut) in enumerate(zip(items, futures)):
            try:
                yield fut.result()
                continue
            except BrokenProcessPool:
                self.close()
            # A worker died: the time cap's last resort (a parser that swallowed the alarm is
            # ended after a grace period), the memory cap, or a crash in a C library. Results
            # finished before the break are kept; this document is tried alone to find the
            # culprit, the rest again.
            if len(items) == 1:
                spent = getattr(fut, "ended", time.monotonic()) - fut.started
                yield _error(
                    data,
                    source,
                    f"extraction took longer than {self.timeout} s (time cap)"
                    if spent >= self.timeout
                    else "the extraction process died (memory cap or a crash in a parser)",
                )
                return
            yield from self.map([(data, source)])
            rest = list(zip(items[i + 1 :], futures[i + 1 :]))
            kept = [_result_or_none(f) for _, f in rest]
            redo = iter(self.map([it for (it, _), k in zip(rest, kept) if k is None]))
            for k in kept:
                yield k if k is not None else next(redo)
            return

    def close(self) -> None:
        self._warmed()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
