"""The crawl frontier in a real redis-server: two `ogi crawl-worker` processes share the bundled
mirror's three portals and 21 fixture sources; the worker holding one source is killed (SIGKILL)
in the middle of it, and the other takes it over and finishes it."""

import collections
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

from crawlers import frontier
from crawlers.mirror import MirrorServer, mirror_url
from crawlers.store import DocumentStore
from tests.corpus.sites import _column, build_gkmlpt, build_hanweb, build_trs
from tests.services import redis_server

ROOT = Path(__file__).resolve().parents[1]
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "DOWNLOAD_TIMEOUT": 60,
    "LOG_LEVEL": "ERROR",
}
HEADER = "source_id,name,level,parent_id,division_code,entry_url,family,verified,params\n"


def ogi(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def wait_for(what, condition, timeout=180):
    """Poll until `condition()` is true: waits for an event, never assumes how fast it comes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def mirror_expected(tmp: Path) -> set[str]:
    built = {
        "baiyunwan": build_trs(tmp / "b", with_attachments=False),
        "hanweb": build_hanweb(tmp / "h", total=12),
        "lvshui": build_gkmlpt(tmp / "l", total=4, size=3),
    }
    return {mirror_url(name) + path for name, site in built.items() for path in site["expected"]}


def test_two_workers_one_killed_mid_source_every_report_stored_once(tmp_path):
    site = tmp_path / "site"
    fixtures = {
        f"fx{i:02d}": _column(
            site, "", f"fx{i:02d}/nb/", issuer=f"第{i}号测试县人民政府", years=(2022, 2023)
        )
        for i in range(20)
    }
    slow = _column(site, "", "slow/nb/", issuer="慢速县人民政府", years=range(2016, 2024))
    held_path = (
        "/slow/nb/t20200120_2019.html"  # answered only after the worker holding `slow` is killed
    )
    release = threading.Event()
    srv = MirrorServer(site, holds={held_path: release}).start()
    try:
        base = srv.url
        rows = ["slow,慢速县人民政府,county,,,{}/slow/nb/index.html,,test,".format(base)]
        rows += [
            f"{sid},第{i}号测试县人民政府,county,,,{base}/{sid}/nb/index.html,,test,"
            for i, sid in enumerate(fixtures)
        ]
        registry = tmp_path / "registry.csv"
        mirror_rows = (
            (ROOT / "crawlers/sources/demo.csv").read_text(encoding="utf-8").splitlines()[1:]
        )
        registry.write_text(HEADER + "\n".join(rows + mirror_rows) + "\n", encoding="utf-8")
        expected = {
            u.replace("http:///", base + "/") for urls in [*fixtures.values(), slow] for u in urls
        }
        expected |= mirror_expected(tmp_path / "expected")

        with redis_server(tmp_path) as url:
            queued = ogi("crawl", "--sources", str(registry), "--redis", url)
            assert queued.returncode == 0, queued.stderr
            assert "queued 24 sources" in queued.stdout
            again = ogi("crawl", "--sources", str(registry), "--redis", url)  # not queued twice
            assert "queued 0 sources (24 already queued" in again.stdout

            out = tmp_path / "crawl"
            settings = [a for k, v in FAST.items() for a in ("-s", f"{k}={json.dumps(v)}")]
            workers = {
                wid: subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "pipeline.cli",
                        "crawl-worker",
                        "--redis",
                        url,
                        "--out",
                        str(out),
                        "--mirror",
                        str(ROOT / "data/demo/mirror"),
                        "--lease",
                        "6",
                        "--worker-id",
                        wid,
                        *settings,
                    ],
                    cwd=ROOT,
                    stdout=open(tmp_path / f"{wid}.log", "w"),
                    stderr=subprocess.STDOUT,
                )
                for wid in ("w1", "w2")
            }
            try:
                wait_for("the held request", lambda: f"held:{held_path}" in srv.hits)
                r = redis.Redis.from_url(url)
                holder = r.get("ogi:lease:slow").decode()
                survivor = ({"w1", "w2"} - {holder}).pop()
                mine = out / f"manifest.{holder}.jsonl"
                wait_for(
                    "the holder to store part of the slow source",
                    lambda: (
                        mine.exists()
                        and sum(
                            json.loads(line)["source_id"] == "slow"
                            for line in mine.read_text().splitlines()
                        )
                        >= 3
                    ),
                )
                workers[holder].send_signal(signal.SIGKILL)
                workers[holder].wait(timeout=60)
                release.set()
                assert workers[survivor].wait(timeout=600) == 0, (
                    tmp_path / f"{survivor}.log"
                ).read_text()
            finally:
                release.set()
                for p in workers.values():
                    if p.poll() is None:
                        p.kill()
                        p.wait()
            assert frontier.status(url) == {"queued": 0, "active": 0, "done": 24}

    finally:
        srv.stop()

    store = DocumentStore(out)
    manifest = store.manifest()
    counts = collections.Counter(row.url for row in manifest)
    assert {u for u, n in counts.items() if n > 1} == set()  # every report stored exactly once
    assert set(counts) == expected
    for row in manifest:
        assert (store.raw / row.path).exists()

    by_worker = {
        w: {
            json.loads(line)["url"]
            for line in (out / f"manifest.{w}.jsonl").read_text().splitlines()
            if json.loads(line)["source_id"] == "slow"
        }
        for w in ("w1", "w2")
    }
    killed_stored = by_worker[holder]
    assert len(killed_stored) >= 3
    assert base + held_path in by_worker[survivor]  # the survivor finished the source
    # … without fetching again what the killed worker had stored
    hits = collections.Counter(h for h in srv.hits if not h.startswith("held:"))
    assert all(hits[u[len(base) :]] == 1 for u in killed_stored), hits
    finished = [o for o in store.outcomes() if o["source_id"] == "slow"]
    # the source's history: the dead worker named, then the survivor's outcome
    assert [o["outcome"] for o in finished] == ["interrupted", "ok"]
    assert finished[0]["detail"].startswith(f"worker {holder} stopped holding this source")
    assert {o["source_id"] for o in store.outcomes()} == {
        "slow",
        *fixtures,
        "mirror-baiyunwan",
        "mirror-hanweb",
        "mirror-lvshui",
    }


def test_queueing_without_a_redis_says_so_in_one_line(tmp_path):
    dead = "redis://127.0.0.1:1/0"
    r = ogi("crawl", "--sources", "crawlers/sources/demo.csv", "--redis", dead)
    assert r.returncode == 2
    assert r.stderr.startswith(f"ogi: Redis at {dead}:") and r.stderr.count("\n") == 1
    w = ogi("crawl-worker", "--redis", dead, "--out", str(tmp_path / "c"))
    assert w.returncode == 2 and "Traceback" not in w.stderr
    bad = ogi("crawl-worker", "--redis", dead, "-s", "DOWNLOAD_DELAY")
    assert bad.returncode == 2 and "expected NAME=VALUE" in bad.stderr


def test_a_source_taken_over_keeps_its_budget_its_column_and_names_the_dead_worker(tmp_path):
    """A worker died holding a source after spending 8 of 12 listing pages: the worker taking it
    over fetches at most the 4 left, records the column the dead one found, and the source's
    history names the dead worker."""
    from tests.test_portals import _listing_site

    entry = _listing_site(tmp_path / "web", 300, new_each_page=True)
    column = "http://www.endless.test/nb/index.html"  # where the dead worker had found it
    srv = MirrorServer(tmp_path / "web").start()
    try:
        with redis_server(tmp_path) as url:
            r = redis.Redis.from_url(url)
            row = {
                "source_id": "endless", "name": "青杉市人民政府", "level": "city",
                "parent_id": "", "division_code": "", "entry_url": entry, "family": "",
            }  # fmt: skip
            r.hset(frontier.ACTIVE, "endless", json.dumps(row, ensure_ascii=False))
            r.hset(frontier.OWNER, "endless", "w-dead")  # its lease has expired: no lease key
            r.set(
                "ogi:reports:endless:progress",
                json.dumps({"listing_pages": 8, "nav_pages": 0, "column": [column, []]}),
            )
            outcomes = frontier.work(
                url,
                tmp_path / "out",
                overrides={**FAST, "MIRROR_PROXY": srv.url, "LISTING_PAGE_BUDGET": 12},
                lease_s=6,
                worker_id="w2",
            )
            assert r.exists("ogi:reports:endless:progress") == 0  # done: nothing left behind
            assert frontier.status(url) == {"queued": 0, "active": 0, "done": 1}
    finally:
        srv.stop()
    listing_hits = [h for h in srv.hits if "list.php" in h]
    assert 1 <= len(listing_hits) <= 4, listing_hits  # 116 against 100 was the bug
    (o,) = outcomes
    assert o["outcome"] == "truncated" and o["column_url"] == column
    assert "the listing budget of 12 pages was reached" in o["detail"]
    history = [
        (x["outcome"], x["detail"])
        for x in DocumentStore(tmp_path / "out").outcomes()
        if x["source_id"] == "endless"
    ]
    assert [h[0] for h in history] == ["interrupted", "truncated"]
    assert history[0][1].startswith("worker w-dead stopped holding this source")
    assert "taken over by w2" in history[0][1]
