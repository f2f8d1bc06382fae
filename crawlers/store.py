"""Content-addressed storage of fetched documents and the crawl manifest.

    OUT/raw/ab/abcdef….pdf     one file per distinct content (sha256), whatever its URLs; the
                               extension is read from the bytes, never from a URL or file name
    OUT/manifest.jsonl         one row per (url, content) fetched: provenance of every file
    OUT/outcomes.jsonl         one row per source and crawl: ok / blocked / unreachable / …
    OUT/errors.jsonl           one row per URL that failed for good (view crawl_errors)
    OUT/runs.jsonl             run started / finished markers (an unfinished run is resumed)

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
from pathlib import Path

EXT_BY_TYPE = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "text/plain": ".txt",
}


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
        self.run_id = uuid.uuid4().hex[:12]
        self._files: dict[Path, object] = {}
        self._lock = threading.Lock()
        self._dirs: set[Path] = set()
        self.resuming = self._last_run_unfinished()
        self.seen = self._seen()

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

    def manifest(self) -> list[dict]:
        return self._merged("manifest", "fetched_at")

    def outcomes(self) -> list[dict]:
        return self._merged("outcomes", "crawled_at")

    def errors(self) -> list[dict]:
        return self._merged("errors", "last_tried_at")

    def _seen(self) -> dict[str, dict]:
        """url -> the newest manifest row for it (with its validators), from every writer."""
        seen: dict[str, dict] = {}
        for row in self.manifest():
            if (self.raw / row["path"]).exists() if row.get("path") else False:
                seen[row["url"]] = row
        return seen

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

    def run_started(self, sources: list[str]) -> None:
        self._append(
            self.runs_path,
            {
                "event": "started",
                "run_id": self.run_id,
                "resuming": self.resuming,
                "at": _now(),
                "sources": sources,
            },
        )

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

    def put(self, item: dict) -> dict:
        body: bytes = item["body"]
        sha = hashlib.sha256(body).hexdigest()
        media_type = (item.get("media_type") or "").split(";")[0].strip().lower()
        ext = extension(body, media_type, item.get("filename"))
        rel = f"{sha[:2]}/{sha}{ext}"
        path = self.raw / rel
        if not path.exists():
            if path.parent not in self._dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(path.parent)
            tmp = path.with_suffix(f"{path.suffix}.{uuid.uuid4().hex[:8]}.part")
            tmp.write_bytes(body)
            os.replace(tmp, path)
        old = self.seen.get(item["url"])
        if old and old.get("sha256") == sha and old.get("run_id") == self.run_id:
            return old  # the same bytes from the same URL twice in one run: one row
        row = {
            k: item.get(k)
            for k in (
                "source_id",
                "url",
                "page_url",
                "title",
                "year_guess",
                "published_on",
                "http_status",
                "etag",
                "last_modified",
                "kind",
                "filename",
            )
        }
        row.update(
            media_type=media_type,
            bytes=len(body),
            sha256=sha,
            path=rel,
            fetched_at=_now(),
            run_id=self.run_id,
        )
        self._append(self.manifest_path, row)
        self.seen[item["url"]] = row
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
        self, source_id: str, url: str, error: str, attempts: int, role: str | None = None
    ) -> None:
        """A URL that failed for good in this run (after its retries)."""
        self._append(
            self.errors_path,
            {
                "source_id": source_id,
                "url": url,
                "error": error,
                "attempts": attempts,
                "role": role,
                "last_tried_at": _now(),
                "run_id": self.run_id,
            },
        )


# Extensions a stored file may get: from what its bytes are. A server's file name only chooses
# between look-alike containers (.wps vs .doc, .et vs .xls), and only among these.
_CONTAINER_HINTS = {
    "application/x-ole-storage": (".doc", ".wps", ".xls", ".et"),
    "application/zip": (".docx", ".xlsx"),
}


def extension(body: bytes, media_type: str = "", filename: str | None = None) -> str:
    from pipeline.extract.office import ole_kind, zip_kind
    from pipeline.extract.sniff import sniff
    from pipeline.model import ExtractionError

    kind = sniff(body, "x.html" if "html" in media_type else "")
    hint = os.path.splitext(filename or "")[1].lower()
    if kind in _CONTAINER_HINTS and hint in _CONTAINER_HINTS[kind]:
        return hint
    if kind == "application/x-ole-storage":
        return {"doc": ".doc", "xls": ".xls"}.get(ole_kind(body), ".bin")
    if kind == "application/zip":
        try:
            return {"docx": ".docx", "xlsx": ".xlsx"}.get(zip_kind(body), ".zip")
        except ExtractionError:
            return ".zip"
    if kind == "text/plain" and "html" in media_type:
        kind = "text/html"
    return EXT_BY_TYPE.get(kind) or mimetypes.guess_extension(kind or "") or ".bin"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
