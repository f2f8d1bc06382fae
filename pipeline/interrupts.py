"""SIGINT and SIGTERM for every `ogi` command: one way to stop, one exit code.

The command line installs :func:`install` first. Either signal then raises KeyboardInterrupt
wherever Python is (the crawl's event loop turns it into a graceful stop instead; DuckDB turns it
into its own InterruptException mid-query): the command ends with exit 130 (SIGINT) or 143
(SIGTERM) and one line, whatever exception the interruption surfaced as — and even when the code
it interrupted finished its work instead (a crawl that loaded what it had stored). A second signal
during the clean-up is noted and ignored, so the clean-up is not interrupted half-way.

:func:`pause_point` lets the interrupt tests stop a command at a chosen moment (``OGI_PAUSE_AT``),
so they can signal it there — inside a DuckDB query included — instead of guessing a delay.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

SIGNALLED: list[int] = []  # the first signal received, if any
# DuckDB connections to interrupt: a query running in DuckDB's C++ code does not return to the
# interpreter, so Python's handler would run only once the query is over. The signal's byte on
# the wakeup socket reaches a thread at once, which interrupts them (DuckDB's interrupt() is
# thread-safe); the query then raises InterruptException in the main thread.
_WATCHED: set = set()
_WAKE: list[socket.socket] = []


def note(signum: int) -> None:
    if not SIGNALLED:
        SIGNALLED.append(signum)


_HANDLED = threading.Event()  # the main thread has turned the signal into KeyboardInterrupt


def _raise(signum, frame):
    first = not SIGNALLED or not _HANDLED.is_set()
    note(signum)
    if first:
        _HANDLED.set()
        raise KeyboardInterrupt


def install() -> None:
    """Both signals raise KeyboardInterrupt once; later ones are noted and ignored; running
    DuckDB queries are interrupted."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _raise)
    if not _WAKE:
        reader, writer = socket.socketpair()
        reader.setblocking(True)
        writer.setblocking(False)
        _WAKE[:] = [reader, writer]
        threading.Thread(target=_interrupt_queries, args=(reader,), daemon=True).start()
    reinstall_wakeup()


def reinstall_wakeup() -> None:
    """Point the interpreter's wakeup fd at our socket again (an asyncio loop that handled
    signals leaves it unset when it closes)."""
    if _WAKE and threading.current_thread() is threading.main_thread():
        signal.set_wakeup_fd(_WAKE[1].fileno(), warn_on_full_buffer=False)


def _interrupt_queries(reader: socket.socket) -> None:
    while True:
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data:
            return
        for signum in data:
            if signum in (signal.SIGINT, signal.SIGTERM):
                note(signum)
                # until the main thread is back in Python to handle it: a query that was only
                # about to start when the first interrupt came is interrupted too
                while not _HANDLED.wait(0.05):
                    for con in list(_WATCHED):
                        try:
                            con.interrupt()
                        except Exception:  # noqa: BLE001 - a connection closed meanwhile
                            pass


def watch(con) -> None:
    """Interrupt this DuckDB connection's queries on SIGINT/SIGTERM (until unwatch)."""
    _WATCHED.add(con)


def unwatch(con) -> None:
    _WATCHED.discard(con)


def interrupted() -> bool:
    return bool(SIGNALLED)


def exit_code() -> int:
    """128 + the signal's number: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + (SIGNALLED[0] if SIGNALLED else signal.SIGINT)


def signal_name() -> str:
    return signal.Signals(SIGNALLED[0]).name if SIGNALLED else "SIGINT"


def pause_point(name: str, con=None) -> None:
    """For the interrupt tests: with ``OGI_PAUSE_AT=name`` in the environment, say so on stderr
    and wait here for a signal — inside a long DuckDB query on `con` when one is given."""
    if os.environ.get("OGI_PAUSE_AT") != name:
        return
    print(f"ogi-paused-at:{name}", file=sys.stderr, flush=True)
    end = time.monotonic() + 600  # a test that never signals leaves no process behind for long
    while time.monotonic() < end:
        if con is not None:  # queries of a fraction of a second, one after another
            con.execute("SELECT count(*) FROM range(20000000) t(i) WHERE i % 7 = 3").fetchall()
        else:
            time.sleep(0.05)
