"""Real services the tests start on free loopback ports and stop themselves: redis-server (the
Debian package the Makefile installs) and a Dask LocalCluster."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server(workdir: Path):
    """A throwaway redis-server on 127.0.0.1 (no persistence); yields its URL."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(exe).exists():
        raise RuntimeError(
            "redis-server is not installed; `make setup` installs it (Debian package redis-server)"
        )
    import redis

    port = free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(200):  # until it answers (not a timing assumption: we wait for the answer)
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {proc.returncode}")
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not answer within 10 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
