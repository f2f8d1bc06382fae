"""The crawl frontier in Redis: any number of crawl workers, on any machine, one source each.

    ogi crawl --sources FILE.csv --redis redis://HOST:6379/0        # queue the registry's sources
    ogi crawl-worker --redis redis://HOST:6379/0 --out /shared/crawl  # as many as you like

Keys (all under ``ogi:``):

* ``sources``           list of queued registry rows (JSON)
* ``active``            hash source_id → row: sources being crawled
* ``lease:SOURCE``      the worker crawling the source; expires unless that worker renews it
  (every third of the lease), so when a worker dies another one takes the source over
* ``done``              set of sources finished
* ``owner``             hash source_id → the worker that took it: who died, when a lease expires
* ``reports:SOURCE:progress`` — the walk's budgets spent and the column found (JSON), written as
  the walk goes: a worker taking the source over spends the same budget and records the same
  column, instead of starting the budget again
* ``reports:SOURCE:requests`` / ``:dupefilter`` — the source's request queue and request
  fingerprints, kept by scrapy-redis's scheduler, so a killed worker's queued requests survive

Politeness stays per site: a source is crawled by one worker at a time. Taking over a dead
worker's source, a worker keeps its queued requests and clears its fingerprints (requests that
were in flight when the worker died were fingerprinted but never answered; the walk from the
entry page finds them again), and it does not fetch again what the shared store holds: every
worker's manifest is read (crawlers/store.py), and documents are content-addressed.

scrapy-redis 0.9.1 works with Scrapy 2.19 reactorless (a few deprecation warnings): its
scheduler is used as it is; only leasing sources is ours.

The frontier is locked (pipeline/locked.py): the password comes from OGI_REDIS_PASSWORD or a
file, reaches redis-py and scrapy-redis as a parameter (REDIS_PARAMS), never a URL that a log or
``ps`` could show, and a Redis off this machine without one is refused unless --insecure.
``rediss://`` URLs speak TLS (redis-py's ``ssl_ca_certs=…`` query parameters apply).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .registry import Body

log = logging.getLogger("ogi.frontier")
# scrapy-redis 0.9.1 still passes `spider=` to the stats collector; Scrapy 2.19 warns on every request.
warnings.filterwarnings(
    "ignore", message=".*'spider' argument to StatsCollector", module="scrapy_redis"
)
P = "ogi:"
SOURCES, ACTIVE, DONE, OWNER = P + "sources", P + "active", P + "done", P + "owner"
LEASE_S = 30.0

# Pop a queued source, mark it active and lease it to the worker — at once, so a worker that
# dies between the steps cannot lose a source.
_CLAIM = """
local raw = redis.call('LPOP', KEYS[1])
if not raw then return nil end
local row = cjson.decode(raw)
redis.call('HSET', KEYS[2], row['source_id'], raw)
redis.call('HSET', KEYS[3], row['source_id'], ARGV[1])
redis.call('SET', ARGV[3] .. row['source_id'], ARGV[1], 'PX', ARGV[2])
return raw
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError


@dataclass(frozen=True)
class RedisAddress:
    """Where the frontier is: the URL without its password, and the credentials apart."""

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(cls, url: str, password_file: str | Path | None = None) -> RedisAddress:
        """The URL's user, and the password from the URL, else the file, else OGI_REDIS_PASSWORD."""
        from pipeline.locked import secret_from

        parts = urlsplit(url)
        username = parts.username or os.environ.get("OGI_REDIS_USER") or None
        password = parts.password or secret_from("OGI_REDIS_PASSWORD", password_file)
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + (
            f"[{host}]" if ":" in host else host
        )
        if parts.port:
            netloc += f":{parts.port}"
        return cls(urlunsplit(parts._replace(netloc=netloc)), username, password)

    @property
    def host(self) -> str | None:
        return urlsplit(self.url).hostname

    @property
    def authenticated(self) -> bool:
        return bool(self.password)

    def __str__(self) -> str:  # never the password
        return self.url

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, username=self.username, password=self.password)

    def scrapy_params(self) -> dict:
        """REDIS_PARAMS for scrapy-redis: the credentials beside REDIS_URL, not inside it."""
        return {k: v for k, v in (("username", self.username), ("password", self.password)) if v}


def address(url: str | RedisAddress) -> RedisAddress:
    return url if isinstance(url, RedisAddress) else RedisAddress.resolve(url)


def require_locked(where: RedisAddress, insecure: bool = False) -> None:
    """UsageError for a Redis on another machine without a password (unless `insecure`)."""
    from pipeline.locked import refuse_open

    refuse_open(
        "the Redis frontier",
        str(where),
        where.host,
        where.authenticated,
        insecure,
        "no password was given: anyone who reaches it can rewrite the crawl; set "
        "OGI_REDIS_PASSWORD or --redis-password-file FILE (redis-server --requirepass, or an "
        "ACL user: redis://USER@HOST:6379/0)",
    )


def connect(url: str | RedisAddress):
    r = address(url).client()
    r.ping()  # fail here, clearly, rather than half-way through
    return r


def queue_sources(url: str | RedisAddress, rows: list[Body]) -> int:
    """Queue every registry row (a source already queued or being crawled is not queued twice)."""
    r = connect(url)
    queued = {json.loads(x)["source_id"] for x in r.lrange(SOURCES, 0, -1)} | {
        k.decode() for k in r.hkeys(ACTIVE)
    }
    new = [json.dumps(s.as_row(), ensure_ascii=False) for s in rows if s.source_id not in queued]
    if new:
        r.srem(DONE, *[json.loads(x)["source_id"] for x in new])
        r.rpush(SOURCES, *new)
    return len(new)


def status(url: str | RedisAddress) -> dict:
    r = connect(url)
    return {"queued": r.llen(SOURCES), "active": r.hlen(ACTIVE), "done": r.scard(DONE)}


def redis_settings(url: str | RedisAddress) -> dict:
    """Scrapy settings that keep each source's request queue and fingerprints in Redis."""
    where = address(url)
    return {
        "REDIS_PARAMS": where.scrapy_params(),
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": where.url,
        "SCHEDULER_QUEUE_KEY": P + "%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": P + "%(spider)s:dupefilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "EXTENSIONS": {"crawlers.frontier.KeptProgress": 500},
    }


class KeptProgress:
    """Scrapy extension: the report spider's progress (budgets spent, column found) kept in
    Redis under ``reports:SOURCE:progress`` as the walk goes, and given back to the spider of a
    worker that takes the source over."""

    def __init__(self, redis):
        self.redis = redis

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy_redis.connection import from_settings

        ext = cls(from_settings(crawler.settings))  # as scrapy-redis connects: the same credentials
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider) -> None:
        if not hasattr(spider, "restore_progress"):
            return
        key = P + spider.name + ":progress"
        kept = self.redis.get(key)
        if kept:
            spider.restore_progress(json.loads(kept))
        spider.keeper = lambda progress: self.redis.set(
            key, json.dumps(progress, ensure_ascii=False)
        )


def work(
    url: str | RedisAddress,
    out_dir: str | Path,
    mirror: str | Path | None = None,
    overrides: dict | None = None,
    lease_s: float = LEASE_S,
    worker_id: str | None = None,
    progress=None,
) -> list[dict]:
    """Take sources one at a time and crawl each with the report spider until no source is
    queued or active; returns the outcomes this worker recorded."""
    from .run import crawl

    url = address(url)
    r = connect(url)
    me = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    claim, renew = r.register_script(_CLAIM), r.register_script(_RENEW)
    ttl = int(lease_s * 1000)
    outcomes: list[dict] = []
    while True:
        taken = _take(r, claim, me, ttl)
        if taken is None:
            if not r.llen(SOURCES) and not r.hlen(ACTIVE):
                return outcomes
            time.sleep(
                max(0.1, lease_s / 3)
            )  # the active ones are held by live workers: wait for a lease
            continue
        row, takeover, dead = taken
        sid = row.source_id
        spider = f"reports:{sid}"
        if takeover:
            log.warning("%s: taking over %s from %s, whose lease expired", me, sid, dead)
            _record_dead_worker(out_dir, me, sid, dead, lease_s)
            r.delete(
                P + spider + ":dupefilter"
            )  # in-flight requests of the dead worker: found again
        stop = threading.Event()
        keeper = threading.Thread(
            target=_keep, args=(renew, P + "lease:" + sid, me, ttl, stop), daemon=True
        )
        keeper.start()
        try:
            result = crawl(
                [row],
                out_dir,
                mirror=mirror,
                overrides={**redis_settings(url), **(overrides or {})},
                writer=me,
                resume=takeover,
            )
        finally:
            stop.set()
            keeper.join()
        outcomes += result.outcomes
        if progress:
            for o in result.outcomes:
                progress(o)
        if result.interrupted:
            r.delete(P + "lease:" + sid)  # another worker may take it over at once
            return outcomes
        pipe = r.pipeline()
        pipe.delete(
            P + spider + ":requests",
            P + spider + ":dupefilter",
            P + spider + ":progress",
            P + "lease:" + sid,
        )
        pipe.hdel(ACTIVE, sid)
        pipe.hdel(OWNER, sid)
        pipe.sadd(DONE, sid)
        pipe.execute()


def _take(r, claim, me: str, ttl: int) -> tuple[Body, bool, str | None] | None:
    """A queued source, else an active one whose worker's lease expired: (row, taken over,
    the worker that held it)."""
    raw = claim(keys=[SOURCES, ACTIVE, OWNER], args=[me, ttl, P + "lease:"])
    if raw:
        return _source(json.loads(raw)), False, None
    for sid, raw in r.hgetall(ACTIVE).items():
        if r.set(P + "lease:" + sid.decode(), me, nx=True, px=ttl):  # its worker is gone
            dead = r.hget(OWNER, sid)
            r.hset(OWNER, sid, me)
            return _source(json.loads(raw)), True, dead.decode() if dead else "a worker"
    return None


def _record_dead_worker(out_dir, me: str, source_id: str, dead: str | None, lease_s: float) -> None:
    """The source's history says which worker died holding it (an `interrupted` outcome)."""
    from .store import DocumentStore

    store = DocumentStore(out_dir, writer=me)
    try:
        store.outcome(
            source_id,
            "interrupted",
            f"worker {dead} stopped holding this source (no lease renewal for {lease_s:g} s: "
            f"it died or lost its connection); taken over by {me}",
        )
    finally:
        store.close()


def _keep(renew, key: str, me: str, ttl: int, stop: threading.Event) -> None:
    while not stop.wait(ttl / 3000):
        renew(keys=[key], args=[me, ttl])


def _source(d: dict) -> Body:
    return Body(**{**d, "extra": d.get("extra") or {}})
