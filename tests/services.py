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
def redis_server(workdir: Path, acl_user: tuple[str, str] | None = None):
    """A throwaway redis-server on 127.0.0.1 (no persistence); yields its URL. With `acl_user`
    (name, password), only that ACL user may connect (the default user is off): the URL names
    the user, the password is the caller's to give."""
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
            *(
                [
                    "--user",
                    "default",
                    "off",
                    "--user",
                    acl_user[0],
                    "on",
                    ">" + acl_user[1],
                    "~*",
                    "&*",
                    "+@all",
                ]
                if acl_user
                else []
            ),  # fmt: skip
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://{acl_user[0] + '@' if acl_user else ''}127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, password=acl_user[1] if acl_user else None)
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


@contextmanager
def tls_cluster(certs: Path, workers: int = 1):
    """A Dask LocalCluster speaking only TLS (tls:// on 127.0.0.1) with the certificates of
    `make certs` in `certs`; yields the scheduler's address."""
    import dask
    from distributed import LocalCluster, Security

    ca, cert, key = (str(certs / n) for n in ("ca.pem", "node.pem", "node.key"))
    security = Security(
        tls_ca_file=ca,
        tls_scheduler_cert=cert,
        tls_scheduler_key=key,
        tls_worker_cert=cert,
        tls_worker_key=key,
        tls_client_cert=cert,
        tls_client_key=key,
        require_encryption=True,
    )
    dask.config.set({"distributed.worker.daemon": False})  # workers start the extraction process
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        protocol="tls",
        host="127.0.0.1",
        security=security,
        dashboard_address=":0",
    ) as cluster:
        yield cluster.scheduler_address
