"""Content-addressed storage of fetched documents and the crawl manifest.

    OUT/raw/ab/abcdef….pdf     one file per distinct content (sha256), whatever its URLs; the
                               extension is read from the bytes, never from a URL or file name
    OUT/manifest.jsonl         one row per (url, content) fetched: provenance of every file
    OUT/outcomes.jsonl         one row per source and crawl: ok / blocked / unreachable / …
    OUT/errors.jsonl           one row per URL that failed for good (view crawl_errors)
    OUT/runs.jsonl             run started / finished markers (an unfinished run is resumed)
    OUT/checked.jsonl          a document fetched again and found unchanged (no manifest row)

Every row is written through to the kernel as it is added (a killed process loses nothing the
kernel has), and fsync'ed at the end of a run: a crawl killed with SIGKILL keeps what it stored
and the next run does not fetch it again.

Many writers can share one folder (crawl workers on a shared filesystem, crawlers/frontier.py):
documents need no lock (a content-addressed file is written to a temporary name and renamed into
place), and each writer appends to its own logs (``manifest.WRITER.jsonl`` …), which readers
merge. A run's own rows are told apart by their ``run_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import os
import threading
import uuid
from dataclasses import replace
from pathlib import Path

from pipeline import formats
from pipeline.extract.office import ole_kind, zip_kind
from pipeline.extract.sniff import sniff
from pipeline.model import ExtractionError, Provenance

# A report or attachment is asked for again in later runs until it has failed in this many.
GIVE_UP_RUNS = 3


class DocumentStore:
    def __init__(self, out_dir: str | Path, writer: str | None = None):
        self.out = Path(out_dir)
        self.raw = self.out / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        suffix = f".{writer}.jsonl" if writer else ".jsonl"
        self.manifest_path = self.out / f"manifest{suffix}"
        self.outcomes_path = self.out / f"outcomes{suffix}"
        self.errors_path = self.out / f"errors{suffix}"
        self.runs_path = self.out / f"runs{suffix}"
        self.checked_path = self.out / f"checked{suffix}"
        self.run_id = uuid.uuid4().hex[:12]
        self._files: dict[Path, object] = {}
        self._lock = threading.Lock()
        self._dirs: set[Path] = set()
        self.resuming = self._last_run_unfinished()
        self.seen = self._seen()
        # URLs whose latest row is an error: a success clears them (resolved)
        self._failed_urls = self._failing()
        # URLs given up (failed in GIVE_UP_RUNS runs): not asked for again
        self.given_up = {
            e["url"] for e in self.errors() if (e.get("error") or "").startswith("given up")
        }
        # url -> when its document was last fetched or found unchanged (revalidation)
        self.checked = {u: p.fetched_at or "" for u, p in self.seen.items()}
        for row in self._merged("checked", "at"):
            self.checked[row["url"]] = max(self.checked.get(row["url"], ""), row["at"])

    # ------------------------------------------------------------ reading the past
    def _rows(self, path: Path):
        if not path.exists():
            return
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by SIGKILL mid-write

    def _merged(self, stem: str, order: str) -> list[dict]:
        """Every writer's rows of one log, in time order."""
        files = sorted(self.out.glob(f"{stem}.jsonl")) + sorted(self.out.glob(f"{stem}.*.jsonl"))
        rows = [row for f in files for row in self._rows(f)]
        return sorted(rows, key=lambda r: r.get(order) or "") if len(files) > 1 else rows

    def manifest(self) -> list[Provenance]:
        """Every document stored, with where it came from (``path`` relative to raw/)."""
        return [Provenance.from_row(row) for row in self._merged("manifest", "fetched_at")]

    def outcomes(self) -> list[dict]:
        return self._merged("outcomes", "crawled_at")

    def errors(self) -> list[dict]:
        return self._merged("errors", "last_tried_at")

    def _seen(self) -> dict[str, Provenance]:
        """url -> the newest manifest row for it (with its validators), from every writer."""
        seen: dict[str, Provenance] = {}
        for row in self.manifest():
            if row.path and (self.raw / row.path).exists():
                seen[row.url] = row
        return seen

    def _failing(self) -> set[str]:
        latest: dict[str, dict] = {}
        for row in self.errors():
            latest[row["url"]] = row
        return {u for u, r in latest.items() if r.get("error") is not None}

    def _last_run_unfinished(self) -> bool:
        state = None
        for row in self._rows(self.runs_path):
            state = row.get("event")
        return state == "started"

    # ------------------------------------------------------------ writing
    def _append(self, path: Path, row: dict, sync: bool = False) -> None:
        line = json.dumps(row, ensure_ascii=False) + "\n"
        with self._lock:  # put() runs in worker threads (crawlers.pipelines)
            f = self._files.get(path)
            if f is None:
                f = self._files[path] = open(path, "a", encoding="utf-8")
            f.write(line)
            f.flush()  # to the kernel: survives SIGKILL of this process
            if sync:
                os.fsync(f.fileno())

    def run_started(self, sources: list[str], registry: list[dict] | None = None) -> None:
        """A run begins: its sources, and their registry rows (name, level, entry URL, where
        `ogi discover` found them) for the warehouse's `coverage`."""
        self._append(
            self.runs_path,
            {
                "event": "started",
                "run_id": self.run_id,
                "resuming": self.resuming,
                "at": _now(),
                "sources": sources,
                **({"registry": registry} if registry else {}),
            },
        )

    def registry(self) -> list[dict]:
        """The registry rows of every run (the latest of each source), with when it was crawled."""
        rows: dict[str, dict] = {}
        for run in self._merged("runs", "at"):
            for row in run.get("registry") or ():
                rows[row["source_id"]] = {**row, "registered_at": run.get("at")}
        return list(rows.values())

    def run_finished(self) -> None:
        for f in self._files.values():
            os.fsync(f.fileno())
        self._append(
            self.runs_path, {"event": "finished", "run_id": self.run_id, "at": _now()}, sync=True
        )

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()

    def put(self, fetched: Provenance, body: bytes) -> Provenance:
        """Store a fetched document; returns its manifest row (the provenance with its key,
        size, path and fetch time)."""
        sha = hashlib.sha256(body).hexdigest()
        media_type = (fetched.media_type or "").split(";")[0].strip().lower()
        ext = extension(body, media_type, fetched.filename)
        rel = f"{sha[:2]}/{sha}{ext}"
        path = self.raw / rel
        if not path.exists():
            if path.parent not in self._dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(path.parent)
            tmp = path.with_suffix(f"{path.suffix}.{uuid.uuid4().hex[:8]}.part")
            tmp.write_bytes(body)
            os.replace(tmp, path)
        old = self.seen.get(fetched.url)
        if old and old.sha256 == sha:
            # the same bytes at the same URL as before: no new row (revalidated, or fetched twice
            # in one run); when it was checked is kept for the revalidation rule
            if old.run_id != self.run_id:
                self._append(self.checked_path, {"url": fetched.url, "sha256": sha, "at": _now()})
                self.checked[fetched.url] = _now()
            return old
        row = replace(
            fetched,
            media_type=media_type,
            bytes=len(body),
            sha256=sha,
            path=rel,
            fetched_at=_now(),
            run_id=self.run_id,
        )
        self._append(self.manifest_path, row.row())
        self.seen[fetched.url] = row
        return row

    def outcome(self, source_id: str, outcome: str, detail: str, **extra) -> None:
        self._append(
            self.outcomes_path,
            {
                "source_id": source_id,
                "crawled_at": _now(),
                "outcome": outcome,
                "detail": detail,
                "run_id": self.run_id,
                **extra,
            },
        )

    def error(
        self,
        source_id: str,
        url: str,
        error: str | None,
        attempts: int,
        role: str | None = None,
        retry: bool = False,
        title: str | None = None,
        page_url: str | None = None,
    ) -> None:
        """A URL that failed for good in this run (after its retries), or was never asked for
        because its source closed. `retry`: the next run asks for it first (a report or an
        attachment), until it has failed in GIVE_UP_RUNS runs. An `error` of None says a URL
        that failed before answered now (the error is cleared)."""
        row = {
            "source_id": source_id,
            "url": url,
            "error": error,
            "attempts": attempts,
            "role": role,
            # (to the microsecond: a URL that fails and then answers within one second still
            # has its answer as the latest row)
            "last_tried_at": dt.datetime.now().isoformat(timespec="microseconds"),
            "run_id": self.run_id,
        }
        if retry:
            row |= {"retry": True, "title": title, "page_url": page_url}
        self._append(self.errors_path, row)
        self._failed_urls.add(url)

    def resolved(self, source_id: str, url: str, role: str | None = None) -> None:
        """A URL that failed in an earlier run (a listing page, a report) answered in this one."""
        if url in self._failed_urls:
            self._failed_urls.discard(url)
            self.error(source_id, url, None, 1, role)
            self._failed_urls.discard(url)

    def retry_first(self, source_id: str) -> list[dict]:
        """This source's reports and attachments to ask for before anything else: those an
        earlier run could not fetch (a 5xx to the end, a source closed by a challenge while they
        waited for a retry), not stored since. One that failed in GIVE_UP_RUNS runs is given up
        — recorded once, and not asked for again."""
        latest: dict[str, dict] = {}
        runs: dict[str, set] = {}
        for row in self.errors():
            if row.get("source_id") != source_id:
                continue
            latest[row["url"]] = row
            if row.get("retry"):
                runs.setdefault(row["url"], set()).add(row.get("run_id"))
        out = []
        for url, row in latest.items():
            if not row.get("retry") or row.get("error") is None or url in self.seen:
                continue
            failed_in = len(runs.get(url, ()))
            if failed_in >= GIVE_UP_RUNS:
                self.given_up.add(url)
                self.error(
                    source_id,
                    url,
                    f"given up: failed in {failed_in} runs (last: {row['error']})",
                    0,
                    row.get("role"),
                )
                continue
            out.append({**row, "runs_failed": failed_in})
        return out


# Extensions a stored file may get: from what its bytes are. A server's file name only chooses
# between look-alike kinds of one container (.wps vs .doc, .et vs .xls), and only among these.
_CONTAINER_HINTS = {
    media: tuple(e for k in formats.kinds_in(name) for e in k.extensions)
    for name, (_, media) in formats.CONTAINERS.items()
}


def extension(body: bytes, media_type: str = "", filename: str | None = None) -> str:
    kind = sniff(body, "x.html" if "html" in media_type else "")
    hint = os.path.splitext(filename or "")[1].lower()
    if kind in _CONTAINER_HINTS and hint in _CONTAINER_HINTS[kind]:
        return hint
    if kind == formats.CONTAINERS["ole"][1]:
        return {"doc": ".doc", "xls": ".xls"}.get(ole_kind(body), ".bin")
    if kind == formats.CONTAINERS["zip"][1]:
        try:
            return {"docx": ".docx", "xlsx": ".xlsx"}.get(zip_kind(body), ".zip")
        except ExtractionError:
            return ".zip"
    if kind == "text/plain" and "html" in media_type:
        kind = "text/html"
    return formats.EXTENSION.get(kind) or mimetypes.guess_extension(kind or "") or ".bin"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
