"""Publishing a warehouse for readers after an ingest.

DuckDB allows one writer or many readers: a notebook holding the warehouse open would block the
next ingest. So an ingest publishes a read-only copy (the snapshot notebooks, ``ogi report`` and
``ogi export`` open) and, for a warehouse of a usual size, the SQLite copy ``ogi serve`` shows in
datasette.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from ..settings import DEFAULT_DB, SNAPSHOT, SNAPSHOT_COPY_MAX_MB, SQLITE_MAX_MB, env_int
from ..store.schema import VIEWS


def publish_for_readers(db: str | Path, changed: bool = True) -> Path | None:
    """The read-only snapshot notebooks open (and, for a small warehouse, the SQLite copy `ogi
    serve` shows). Nothing is copied when this run changed nothing and the snapshot was written
    by this version (the same views): an ingest that adds nothing costs no copy."""
    from ..analysis.serve import publish_sqlite

    snapshot = Path(db).parent / "snapshot" / Path(db).name
    stamp = snapshot.with_suffix(".version")
    version = hashlib.sha256("\n".join(VIEWS).encode()).hexdigest()[:16]
    if not changed and snapshot.exists() and stamp.exists() and stamp.read_text() == version:
        return snapshot
    published = publish_snapshot(db, snapshot)
    if published is None:
        stamp.unlink(missing_ok=True)
        return None
    stamp.write_text(version)
    if published.stat().st_size <= SQLITE_MAX_MB * 1024 * 1024:
        # what `ogi serve` shows in datasette
        publish_sqlite(published, published.with_suffix(".sqlite"))
    return published


def publish_snapshot(
    db: str | Path = DEFAULT_DB, snapshot: str | Path = SNAPSHOT, copy_max_mb: int | None = None
) -> Path | None:
    """Copy the warehouse for readers: a notebook holding the snapshot open never blocks ingest.

    The copy is a reflink where the filesystem shares blocks (btrfs, XFS, …: no data copied);
    elsewhere a plain copy up to `copy_max_mb` (default SNAPSHOT_COPY_MAX_MB,
    $OGI_SNAPSHOT_COPY_MAX_MB). Past that no copy is made per run: the stale snapshot is
    removed, `pipeline.analysis.connect()` then opens the warehouse itself read-only (possible
    whenever no ingest is writing), and None is returned."""
    snapshot = Path(snapshot)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    tmp = snapshot.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    reflinked = subprocess.run(["cp", "--reflink=always", str(db), str(tmp)], capture_output=True)
    if reflinked.returncode != 0:
        tmp.unlink(missing_ok=True)
        if copy_max_mb is None:
            copy_max_mb = env_int("OGI_SNAPSHOT_COPY_MAX_MB", SNAPSHOT_COPY_MAX_MB)
        if Path(db).stat().st_size > copy_max_mb * 1024 * 1024:
            snapshot.unlink(missing_ok=True)
            return None
        shutil.copyfile(db, tmp)
    tmp.replace(snapshot)
    return snapshot
