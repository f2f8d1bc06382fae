"""Extraction of a batch on a process pool using every core, each document under a time and
memory cap.

A document that exceeds its time (`DocumentTimeout`, raised by SIGALRM inside the worker) or
memory (RLIMIT_AS) gets an error report; a worker that dies is replaced and the batch goes on.
LibreOffice runs in its own subprocess with its own time limit (pipeline/extract/office.py).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from .model import Report

TIMEOUT_S = 300  # a scanned 40-page report OCRs in about 3 minutes here
GRACE_S = 10
MEMORY_MB = 3072


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


def _init_worker(memory_mb: int) -> None:
    # Ctrl-C reaches the whole process group: the parent decides what stops, not each worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)


def _work(data: bytes, source: str, timeout: int) -> Report:
    global _timed_out
    from .api import extract_bytes
    _timed_out = False
    signal.alarm(timeout)
    try:
        report = extract_bytes(data, source)
    except DocumentTimeout:
        report = None
    except MemoryError:
        return _error(data, source, f"extraction needed more than the {MEMORY_MB} MB memory cap")
    finally:
        signal.alarm(0)
    if report is None or _timed_out:  # a parser may have swallowed the alarm; the cap still holds
        return _error(data, source, f"extraction took longer than {timeout} s (time cap)")
    return report


def _error(data: bytes, source: str, reason: str) -> Report:
    from .api import error_report  # api imports this module
    return error_report(data, source, reason)


def _result_or_none(fut):
    try:
        return fut.result(timeout=0) if fut.done() else None
    except BaseException:
        return None


def workers_default() -> int:
    return max(1, os.cpu_count() or 1)


class ExtractPool:
    def __init__(self, workers: int | None = None, timeout: int = TIMEOUT_S, memory_mb: int = MEMORY_MB):
        self.workers = workers or workers_default()
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the parent may hold DuckDB threads and locks that fork would copy.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("forkserver"),
                                             initializer=_init_worker, initargs=(self.memory_mb,))
        return self._pool

    def map(self, items: list[tuple[bytes, str]]) -> Iterator[Report]:
        """Reports in the order of `items`."""
        futures = [self._executor().submit(_work, data, source, self.timeout) for data, source in items]
        for i, ((data, source), fut) in enumerate(zip(items, futures)):
            try:
                yield fut.result()
                continue
            except BrokenProcessPool:
                self.close()
            # A worker died (the memory cap, a crash in a C library). Results finished before the
            # break are kept; this document is tried alone to find the culprit, the rest again.
            if len(items) == 1:
                yield _error(data, source, "the extraction process died (memory cap or a crash in a parser)")
                return
            yield from self.map([(data, source)])
            rest = list(zip(items[i + 1:], futures[i + 1:]))
            kept = [_result_or_none(f) for _, f in rest]
            redo = iter(self.map([it for (it, _), k in zip(rest, kept) if k is None]))
            for k in kept:
                yield k if k is not None else next(redo)
            return

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
