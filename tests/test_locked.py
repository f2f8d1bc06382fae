"""The cluster locked by default (pipeline/locked.py): a Redis frontier with an ACL user and a
password (a real redis-server on loopback), a Dask LocalCluster that speaks only TLS, and open
addresses on other machines refused before anything is sent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers import frontier
from crawlers.mirror import MirrorServer
from pipeline.errors import UsageError
from pipeline.locked import dask_security, is_loopback, make_certs
from tests.corpus import SAMPLES
from tests.corpus.sites import _column
from tests.services import redis_server, tls_cluster
from tests.warehouse import rows

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery-staple-7"
OTHER_MACHINE = "10.255.255.1"  # never contacted: the refusal comes first


def ogi(*args, env=None, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_loopback_is_only_this_machine():
    assert is_loopback("127.0.0.1") and is_loopback("127.8.0.3") and is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("10.0.0.5") and not is_loopback("hosta") and not is_loopback("0.0.0.0")


@pytest.mark.parametrize("command", ["crawl-worker", "crawl"])
def test_an_open_redis_on_another_machine_is_refused(tmp_path, command):
    extra = ["--out", str(tmp_path)] if command == "crawl-worker" else []
    extra += ["--sources", "crawlers/sources/demo.csv"] if command == "crawl" else []
    env = {"OGI_REDIS_PASSWORD": ""}
    r = ogi(command, "--redis", f"redis://{OTHER_MACHINE}:6379/0", *extra, env=env, timeout=30)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(
        f"ogi: refusing the Redis frontier at redis://{OTHER_MACHINE}:6379/0: it is on another "
        "machine and no password was given"
    )
    assert "--insecure" in line


def test_an_open_dask_scheduler_on_another_machine_is_refused(tmp_path):
    r = ogi("ingest", str(SAMPLES / "luanhe-2023.txt"), "--db", str(tmp_path / "w.duckdb"),
            "--scheduler", f"tcp://{OTHER_MACHINE}:8786", timeout=30)  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.startswith(f"ogi: refusing the Dask scheduler at tcp://{OTHER_MACHINE}:8786")
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was written
    # loopback plain TCP and --insecure are allowed; tls:// wants its certificates
    assert dask_security("tcp://127.0.0.1:8786", None, False) is None
    assert dask_security(f"tcp://{OTHER_MACHINE}:8786", None, True) is None
    with pytest.raises(UsageError, match="needs certificates: ca.pem, node.pem, node.key"):
        dask_security("tls://127.0.0.1:8786", tmp_path / "none", False)


def test_the_redis_password_comes_from_a_file_or_the_environment_never_a_log(tmp_path):
    where = frontier.RedisAddress.resolve("redis://ogi:inline-secret@hosta:6379/0")
    assert where.url == "redis://ogi@hosta:6379/0" and where.password == "inline-secret"
    assert "inline-secret" not in repr(where) + str(where)
    secret = tmp_path / "redis.pass"
    secret.write_text(PASSWORD + "\n")
    where = frontier.RedisAddress.resolve("redis://hosta:6379/0", secret)
    assert where.password == PASSWORD and where.authenticated
    assert frontier.redis_settings(where)["REDIS_URL"] == "redis://hosta:6379/0"
    assert frontier.redis_settings(where)["REDIS_PARAMS"] == {"password": PASSWORD}


def test_crawl_workers_through_a_redis_with_an_acl_user(tmp_path):
    site = tmp_path / "site"
    expected = _column(site, "", "a/nb/", issuer="甲县人民政府", years=(2021, 2022, 2023))
    srv = MirrorServer(site).start()
    secret = tmp_path / "redis.pass"
    secret.write_text(PASSWORD + "\n")
    try:
        registry = tmp_path / "r.csv"
        registry.write_text(
            "source_id,name,level,parent_id,division_code,entry_url,family\n"
            f"a,甲县人民政府,county,,,{srv.url}/a/nb/index.html,\n"
        )
        with redis_server(tmp_path, acl_user=("ogi", PASSWORD)) as url:
            assert url.startswith("redis://ogi@127.0.0.1:")
            # without the password: one clear line, exit 2
            denied = ogi("crawl", "--sources", str(registry), "--redis", url,
                         env={"OGI_REDIS_PASSWORD": ""})  # fmt: skip
            assert denied.returncode == 2
            assert denied.stderr.startswith(f"ogi: Redis at {url}: ")
            queued = ogi("crawl", "--sources", str(registry), "--redis", url,
                         env={"OGI_REDIS_PASSWORD": PASSWORD})  # fmt: skip
            assert queued.returncode == 0, queued.stderr
            assert "queued 1 sources" in queued.stdout
            out = tmp_path / "crawl"
            worker = ogi("crawl-worker", "--redis", url, "--out", str(out),
                         "--redis-password-file", str(secret), "-s", "DOWNLOAD_DELAY=0",
                         "-s", "AUTOTHROTTLE_ENABLED=false", env={"OGI_REDIS_PASSWORD": ""})  # fmt: skip
            assert worker.returncode == 0, worker.stderr
            st = frontier.status(frontier.RedisAddress.resolve(url, secret))
            assert st == {"queued": 0, "active": 0, "done": 1}
    finally:
        srv.stop()
    for r in (queued, worker):
        assert PASSWORD not in r.stdout + r.stderr
    stored = {json.loads(line)["url"] for line in (out).glob("manifest.*.jsonl").__next__().open()}
    assert stored == {u.replace("http:///", srv.url + "/") for u in expected}


def test_ingest_on_a_tls_only_dask_cluster(tmp_path):
    from distributed import Client, Security

    certs = make_certs(tmp_path / "certs")
    assert {p.name for p in certs.iterdir()} == {"ca.pem", "ca.key", "node.pem", "node.key"}
    assert oct((certs / "node.key").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(UsageError, match="already holds certificates"):
        make_certs(certs)
    docs = tmp_path / "docs"
    docs.mkdir()
    for p in sorted((SAMPLES / "real").glob("*.txt"))[:4]:
        shutil.copy(p, docs / p.name)
    reference = ogi("ingest", str(docs), "--db", str(tmp_path / "ref.duckdb"), "--no-progress")
    assert reference.returncode in (0, 1), reference.stderr

    with tls_cluster(certs) as address:
        assert address.startswith("tls://127.0.0.1:")
        # a client with certificates of another CA is turned away
        stranger = make_certs(tmp_path / "stranger")
        other = Security(
            tls_ca_file=str(stranger / "ca.pem"),
            tls_client_cert=str(stranger / "node.pem"),
            tls_client_key=str(stranger / "node.key"),
            require_encryption=True,
        )
        with pytest.raises((OSError, TimeoutError)):
            Client(address, security=other, timeout="3s")
        # … and so is plain TCP: one clear line, exit 2
        plain = ogi("ingest", str(docs), "--db", str(tmp_path / "plain.duckdb"), "--scheduler",
                    address.replace("tls://", "tcp://"), "--no-progress")  # fmt: skip
        assert plain.returncode == 2
        assert plain.stderr.startswith("ogi: cannot reach the Dask scheduler at tcp://127.0.0.1:")
        r = ogi("ingest", str(docs), "--db", str(tmp_path / "w.duckdb"), "--scheduler", address,
                "--tls-dir", str(certs), "--shards", str(tmp_path / "shards"), "--no-progress")  # fmt: skip
        assert r.returncode in (0, 1), r.stderr
        assert r.returncode == reference.returncode

    def counts(db):
        sql = "SELECT count(*), (SELECT count(*) FROM facts), (SELECT count(*) FROM checks) FROM reports"
        return rows(db, sql)[0]

    assert counts(tmp_path / "w.duckdb") == counts(tmp_path / "ref.duckdb")
    assert counts(tmp_path / "w.duckdb")[0] == 4
