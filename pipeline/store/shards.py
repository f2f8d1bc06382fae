"""Parquet shards: extraction results written by many workers, loaded by the one DuckDB writer.

A distributed extraction (pipeline/distributed.py) does not write to the warehouse: DuckDB has
one writer. Each task writes the base-table rows of its documents (``doc``, ``report``,
``fact``, ``check_result``, ``section``) as one Parquet file per table into a shard folder

    SHARDS/<extractor version>/<key>/{doc,report,fact,check_result,section}.parquet

where the key is a hash of the shard's document ids (sha256 of their bytes). A shard is written
under a temporary name and renamed into place, so a folder that exists is complete: a worker
killed mid-shard leaves only a ``.tmp-…`` folder, which is ignored and cleared later. Facts name
their cell by key (``table|row|col``), not by a warehouse's cell id, so a shard can be loaded
into any warehouse. Report numbers inside a shard start at 1; the loader renumbers them.

The warehouse records the shards it loaded (table ``loaded_shard``); the driver loads the
shards a crashed run left behind before it extracts anything, and skips documents already
loaded by this extractor version — a re-run does only the missing work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from ..model import EXTRACTOR_VERSION, Provenance, Report
from .rows import batch_tables

SHARD_TABLES = ("doc", "report", "fact", "check_result", "section")


def shard_key(doc_ids: list[str], version: str = EXTRACTOR_VERSION) -> str:
    h = hashlib.sha256(version.encode())
    for d in sorted(doc_ids):
        h.update(d.encode())
    return h.hexdigest()[:24]


def version_dir(root: str | Path, version: str = EXTRACTOR_VERSION) -> Path:
    return Path(root) / version


def write_shard(
    batch: list[tuple[Provenance, Report]],
    root: str | Path,
    now: dt.datetime | None = None,
) -> Path:
    """Write one shard atomically; returns its folder (an existing complete shard is kept)."""
    final = version_dir(root) / shard_key([d.doc_id for d, _ in batch])
    if final.is_dir():
        return final  # the same documents done before (a task retried after its worker died)
    tables = batch_tables(batch, 1, None, now or dt.datetime.now())
    tmp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        for name in SHARD_TABLES:
            with open(tmp / f"{name}.parquet", "wb") as f:
                pq.write_table(tables[name], f, compression="zstd")
                f.flush()
                os.fsync(f.fileno())  # on a shared filesystem the rename must not overtake the data
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if final.is_dir():  # another attempt of the same task won the race: same content
            return final
        raise
    return final


def shards(root: str | Path, version: str = EXTRACTOR_VERSION) -> list[Path]:
    """Complete shards of this extractor version, oldest first."""
    d = version_dir(root, version)
    if not d.is_dir():
        return []
    found = []
    for p in d.iterdir():
        try:  # a shard loaded and removed by another process while this one lists them
            if p.is_dir() and not p.name.startswith("."):
                found.append((p.stat().st_mtime, p.name, p))
        except FileNotFoundError:
            continue
    return [p for _, _, p in sorted(found)]


def clear_partial(
    root: str | Path, version: str = EXTRACTOR_VERSION, older_than_s: float = 3600
) -> int:
    """Remove what killed workers left half-written an hour ago or more (a live worker may be
    writing a younger one); returns how many folders."""
    d = version_dir(root, version)
    gone = 0
    for p in d.glob(".tmp-*") if d.is_dir() else []:
        if time.time() - p.stat().st_mtime >= older_than_s:
            shutil.rmtree(p, ignore_errors=True)
            gone += 1
    return gone
