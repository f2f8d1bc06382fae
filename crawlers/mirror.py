"""A local web server for offline mirrors of portals and for crawler test sites.

Serves a directory on 127.0.0.1 the way government sites answer:

* ``a/b.jsp?x=1&y=2`` is served from the file ``a/b.jsp@x=1&y=2`` (query sorted), so
  Hanweb ``dataproxy.jsp`` and gkmlpt ``/gkmlpt/api/...`` answers can be mirrored as files;
* ETag / Last-Modified with 304 answers to conditional requests;
* an optional ``_server.json`` in the root scripts behaviour per path (prefix match):
  ``{"/slow/": {"sleep": 3}, "/old.html": {"redirect": "/new.html"}, "/x": {"status": 412,
  "body": "…"}, "/gbk.html": {"headers": {"Content-Type": "text/html; charset=utf-8"}}}``;
  ``"times": N`` beside ``"status"`` answers that status only to the first N requests (a server
  that fails twice, then serves).

* **archived documents at their own URLs**: a ``urls.json`` in the root maps URLs (any host,
  http or https) to files, with the Content-Type to send and, for a copy taken from an archive,
  the archive's address as ``Link: <…>; rel="memento"`` (RFC 7089). The bundled mirror serves
  the real reports of ``data/samples`` this way, from the one copy of their bytes;

* **virtual hosts**: asked as an HTTP proxy (``GET http://xxgk.qingshan.test/a.html``), it serves
  the folder named after the host (``ROOT/xxgk.qingshan.test/a.html``), or for ``NAME.mirror.test``
  the folder ``ROOT/NAME``; an unknown host answers 502. So a mirror of a portal and its 信息公开
  subdomain keeps real-looking, stable URLs (no random port in them), whatever port serves it.

``make ingest`` starts one on a free port for the bundled mirror and stops it afterwards; tests
start their own.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import mimetypes
import threading
import time
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit


def query_file(path: str, query: str) -> str:
    return path + (
        "@" + urlencode(sorted(parse_qsl(query, keep_blank_values=True))) if query else ""
    )


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    root: Path
    rules: dict
    urls: dict
    hits: list
    counts: dict
    holds: dict

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        root, rules = self.root, self.rules
        mapped = self.urls.get(url_key(self.path)) if parts.scheme in ("http", "https") else None
        if mapped is not None:  # an archived document at its own URL
            self.hits.append(
                f"//{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            )
            headers = (
                {"Link": f'<{mapped["archive"]}>; rel="memento"'} if mapped.get("archive") else {}
            )
            self._send_file(self.root / mapped["file"], mapped.get("type"), headers)
            return
        if parts.scheme in ("http", "https") and parts.hostname:  # asked as a proxy: a virtual host
            root = self._host_root(parts.hostname)
            if root is None:
                self.hits.append(self.path)
                self.send_error(502, f"unknown host {parts.hostname}")
                return
            rules = _rules(root)
            self.hits.append(
                f"//{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            )
        else:
            self.hits.append(self.path)
        path = unquote(parts.path)
        for prefix, release in self.holds.items():  # tests: answer only once the test says so
            if path.startswith(prefix):
                self.hits.append("held:" + path)
                release.wait(timeout=300)
        rule = next(
            (v for k, v in sorted(rules.items(), key=lambda kv: -len(kv[0])) if path.startswith(k)),
            {},
        )
        if rule.get("sleep"):
            time.sleep(rule["sleep"])
        if "redirect" in rule:
            self.send_response(rule.get("status", 302))
            self.send_header("Location", rule["redirect"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "times" in rule:
            key = (str(root), path)
            self.counts[key] = self.counts.get(key, 0) + 1
            if self.counts[key] > rule["times"]:
                rule = {k: v for k, v in rule.items() if k not in ("status", "body")}
        if "status" in rule:
            body = rule.get("body", "").encode("utf-8")
            self.send_response(rule["status"])
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        file = self._file(root, path, parts.query)
        if file is None:
            self.send_error(404)
            return
        headers = rule.get("headers", {})
        self._send_file(
            file,
            headers.get("Content-Type"),
            {k: v for k, v in headers.items() if k != "Content-Type"},
            validators=rule.get("validators", True),
        )

    def _send_file(
        self, file: Path, content_type: str | None, headers: dict, validators: bool = True
    ) -> None:
        """The file's bytes, with validators (ETag, Last-Modified) and 304 to a conditional GET
        — unless the rule says the server sends none (a dynamic CMS page)."""
        data = file.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        mtime = file.stat().st_mtime
        if validators and (
            self.headers.get("If-None-Match") == etag or self._not_modified_since(mtime)
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type or _type(file, data))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        if validators:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(data)

    def _not_modified_since(self, mtime: float) -> bool:
        ims = self.headers.get("If-Modified-Since")
        if not ims or self.headers.get("If-None-Match"):
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False

    def _host_root(self, host: str) -> Path | None:
        host = host.lower()
        for name in (host, host[: -len(MIRROR_SUFFIX)] if host.endswith(MIRROR_SUFFIX) else None):
            if name and "/" not in name and (self.root / name).is_dir():
                return self.root / name
        return None

    @staticmethod
    def _file(root: Path, path: str, query: str) -> Path | None:
        rel = path.lstrip("/")
        candidates = [query_file(rel, query)] if query else []
        candidates += [rel, (rel.rstrip("/") + "/index.html").lstrip("/")]
        for c in candidates:
            f = (root / c).resolve()
            if f.is_file() and root.resolve() in f.parents:
                return f
        return None


def _type(file: Path, data: bytes) -> str:
    head = data[:100].lstrip()
    if head.startswith(b"{") or head.startswith(b"["):
        return "application/json; charset=utf-8"
    if head.startswith((b"<?xml", b"<datastore")):
        return "text/xml; charset=utf-8"
    name = file.name.split("@", 1)[0]
    guessed = mimetypes.guess_type(name)[0]
    if guessed in (None, "text/html") or name.endswith((".jsp", ".shtml")):
        return "text/html"  # no charset: pages declare theirs in <meta>, as many portals do
    return guessed


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hangs up mid-answer (a download cancelled at its size cap) is no error of
    the mirror's: no traceback on stderr."""

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


MIRROR_SUFFIX = ".mirror.test"


def mirror_url(name: str) -> str:
    """The stable address of the mirrored site NAME (served by a MirrorServer acting as proxy)."""
    return f"http://{name}{MIRROR_SUFFIX}"


def url_key(url: str) -> str:
    """How urls.json and a request name the same document: host and path, scheme and
    percent-encoding aside."""
    p = urlsplit(url)
    return f"//{(p.hostname or '').lower()}{unquote(p.path)}" + (f"?{p.query}" if p.query else "")


def _urls(root: Path) -> dict:
    urls_file = root / "urls.json"
    if not urls_file.exists():
        return {}
    return {
        url_key(entry["url"]): entry for entry in json.loads(urls_file.read_text(encoding="utf-8"))
    }


def _rules(root: Path) -> dict:
    rules_file = root / "_server.json"
    return json.loads(rules_file.read_text()) if rules_file.exists() else {}


class MirrorServer:
    """Serve ROOT (and its folders as virtual hosts NAME.mirror.test) on 127.0.0.1. `holds` maps
    a path prefix to an Event: such requests are answered only once the event is set (a test's
    way to catch a crawler in the middle of a source)."""

    def __init__(
        self, root: str | Path, port: int = 0, holds: dict[str, threading.Event] | None = None
    ):
        self.root = Path(root).resolve()
        rules = _rules(self.root)
        self.hits: list[str] = []
        handler = type(
            "Handler",
            (_Handler,),
            {
                "root": self.root,
                "rules": rules,
                "urls": _urls(self.root),
                "hits": self.hits,
                "counts": {},
                "holds": holds or {},
            },
        )
        self.httpd = _QuietServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "MirrorServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serving(root: str | Path):
    server = MirrorServer(root).start()
    try:
        yield server
    finally:
        server.stop()
