"""What an ingest reads: local files and folders, a crawl folder's manifest, a fresh crawl.

Each document comes as a :class:`pipeline.model.Provenance`: where its bytes are and where they
came from. A user's mistake (a path that does not exist, a folder with no documents, a registry
that cannot be read, a folder that is no crawl) is a :class:`UsageError` raised before anything
is written.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import UsageError
from ..formats import DOCUMENT_SUFFIXES
from ..model import Provenance
from ..settings import (
    BUNDLED_MIRROR,
    BUNDLED_SOURCES,
    DEFAULT_CORPUS,
    DEFAULT_CRAWL,
    DEMO_CORPUS,
    DEMO_CRAWL,
    DEMO_SOURCES,
)


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and document files found below directories named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (
                    f.is_file()
                    and f.suffix.lower() in DOCUMENT_SUFFIXES
                    and not f.name.startswith(".")
                ):
                    yield f
        else:
            yield p


def local_sources(paths: Iterable[str | Path]) -> list[Provenance]:
    """The documents under `paths`; a path that does not exist, or a folder without a single
    document, is a UsageError (nothing is created for it)."""
    out = []
    for p in map(Path, paths):
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        found = [Provenance(str(f), path=str(f)) for f in iter_documents([p])]
        if p.is_dir() and not found:
            raise UsageError(
                f"{p}: no documents in this folder (looked for {' '.join(DOCUMENT_SUFFIXES)})"
            )
        out += found
    return out


def crawl_folder_sources(crawl_dir: str | Path) -> Crawled:
    """An existing crawl folder (crawlers.store layout) as documents with their provenance (URLs,
    pages, fetch times) from its manifest, plus its crawl outcomes, errors and registry rows."""
    from crawlers.store import DocumentStore

    d = Path(crawl_dir)
    if not any(d.glob("manifest*.jsonl")):  # one crawl's, or crawl workers' (manifest.WORKER.jsonl)
        raise UsageError(
            f"{d}: not a crawl folder (no manifest.jsonl; `ogi crawl --out {d}` makes one)"
        )
    store = DocumentStore(d)
    try:
        return Crawled(
            crawled_sources(store.manifest(), store.raw),
            store.outcomes(),
            store.errors(),
            registry=store.registry(),
        )
    finally:
        store.close()


def crawled_sources(manifest: list[Provenance], raw_dir: Path) -> list[Provenance]:
    """Every document a crawl stored (the whole manifest, so a resumed crawl's earlier rows
    count), each at its path under `raw_dir`."""
    latest = {row.url: row for row in manifest}  # a URL stored again (changed) keeps its newest row
    return [replace(row, path=str(raw_dir / row.path)) for row in latest.values()]


@dataclass
class CrawlFirst:
    """Crawl a source registry first and ingest what the crawl stored."""

    sources: str | Path  # the registry CSV
    out: str | Path = DEFAULT_CRAWL  # the crawl folder
    mirror: str | Path | None = None  # serve this folder's sites on 127.0.0.1 (the offline mirror)
    overrides: dict | None = None  # Scrapy settings for this crawl
    progress: Callable[[dict], None] | None = None  # called with each source's outcome row


@dataclass
class Crawled:
    documents: list[Provenance]
    outcomes: list[dict]
    errors: list[dict]
    interrupted: bool = False
    registry: list[dict] = field(default_factory=list)  # the registry rows crawled


def run_crawl(plan: CrawlFirst) -> Crawled:
    """Crawl the registry; a registry that cannot be read is a UsageError."""
    from crawlers.registry import RegistryError, load
    from crawlers.run import crawl

    try:
        rows = load(plan.sources)
    except (RegistryError, OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{plan.sources}: {exc.strerror if isinstance(exc, OSError) else exc}"
        ) from None
    try:
        result = crawl(
            rows,
            out_dir=plan.out,
            mirror=plan.mirror,
            overrides=plan.overrides,
            progress=plan.progress,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    documents = crawled_sources(result.store.manifest(), result.store.raw)
    return Crawled(
        documents, result.outcomes, result.errors, result.interrupted, result.store.registry()
    )


def keyed(item: Provenance, sha: str, size: int) -> Provenance:
    """The document's provenance with its key (sha256 of its bytes) and size; its media type as
    served, else as its file name says (extraction reads the bytes and says for good)."""
    name = Path(item.path or item.url).name
    media = item.media_type or mimetypes.guess_type(name)[0] or ""
    return replace(item, sha256=sha, bytes=size, media_type=media)


@dataclass
class Corpus:
    """A bundled corpus: local files, and a registry to crawl from an offline mirror."""

    paths: list[Path]
    crawl: CrawlFirst


def bundled_corpus(crawl_out: str | Path = DEFAULT_CRAWL) -> Corpus:
    """The default: the real reports of data/samples. Those whose source records a URL are
    crawled from the offline mirror at that URL (data/mirror, crawlers/sources/bundled.csv);
    the others are read as local files."""
    import json

    served = json.loads((BUNDLED_MIRROR / "urls.json").read_text(encoding="utf-8"))
    mirrored = {(BUNDLED_MIRROR / e["file"]).resolve() for e in served}
    local = [p for p in iter_documents([DEFAULT_CORPUS]) if p.resolve() not in mirrored]
    return Corpus(local, CrawlFirst(BUNDLED_SOURCES, out=crawl_out, mirror=BUNDLED_MIRROR))


def demo_corpus(crawl_out: str | Path = DEMO_CRAWL) -> Corpus:
    """The demo: generated example pages and a generated panel, and three generated portals
    crawled from their own mirror. Never cite it."""
    return Corpus(
        [DEMO_CORPUS / "html", DEMO_CORPUS / "generated"],
        CrawlFirst(DEMO_SOURCES, out=crawl_out, mirror=DEMO_CORPUS / "mirror"),
    )
