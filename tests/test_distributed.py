"""Extraction on a real Dask LocalCluster (2 worker processes, started and stopped here): a
worker killed mid-batch changes nothing in the warehouse, a re-run does no extraction work, and
shards left by a crash load without a cluster."""

import os
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipeline import api
from pipeline.api import IngestSummary
from pipeline.run.cluster import Cluster, ingest_on_dask
from pipeline.run.sources import keyed
from pipeline.store import shards as shard_files
from tests.corpus import ROOT, SAMPLES
from tests.corpus.synth import SAMPLES_DIR, random_spec, write_html

NOWHERE = "tcp://127.0.0.1:1"  # a scheduler that is not there: a run that needs one fails

# What must be equal between two warehouses (report numbers and load times are the loader's own).
SNAPSHOT = {
    "reports": """SELECT report_id, doc_id, issuer, series_key, year, format, status, error, is_current,
                         jurisdiction_code, scope, extractor_version FROM report ORDER BY report_id""",
    "facts": """SELECT r.report_id, c.table_name, c.row_key, c.col_key, f.value, f.raw_text, f.page, f.confidence
                FROM fact f JOIN report r USING (report_no) JOIN cell c USING (cell_id) ORDER BY ALL""",
    "checks": """SELECT r.report_id, k.check_id, k.ok, k.expected, k.actual, k.detail
                 FROM check_result k JOIN report r USING (report_no) ORDER BY ALL""",
    "cross": """SELECT r.report_id, k.check_id, k.ok, k.expected, k.actual, o.report_id AS other
                FROM cross_check k JOIN report r USING (report_no) LEFT JOIN report o ON o.report_no = k.other_report_no
                ORDER BY ALL""",
    "sections": "SELECT r.report_id, s.section_no, s.heading, s.body "
    "FROM section s JOIN report r USING (report_no) ORDER BY ALL",
    "docs": "SELECT doc_id, media_type, bytes, title FROM doc ORDER BY doc_id",
    "urls": "SELECT doc_id, url FROM doc_url ORDER BY ALL",
    "wide": "SELECT * EXCLUDE (report_no) FROM w_applications ORDER BY report_id",
    "metrics": "SELECT * EXCLUDE (report_no) FROM m_metrics ORDER BY report_id",
}


def snapshot(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {k: con.execute(q).fetchall() for k, q in SNAPSHOT.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """≥ 200 documents: generated report pages, the bundled samples, a corrupt PDF, a copy."""
    d = tmp_path_factory.mktemp("corpus")
    rng = random.Random(13)
    for i in range(190):
        write_html(random_spec(rng, i), d / f"gen/{i:03d}.html", seed=i)
    shutil.copytree(SAMPLES_DIR, d / "html")
    shutil.copytree(SAMPLES / "real", d / "real")
    shutil.copy(SAMPLES / "luanhe-2023.txt", d / "luanhe-2023.txt")
    shutil.copy(
        SAMPLES / "luanhe-2023.txt", d / "luanhe-copy.txt"
    )  # the same bytes under two names
    (d / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    items = api.local_sources([d])
    assert len(items) >= 200
    return d, items


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    summary = api.ingest([corpus[0]], db=db, publish=False)
    return db, summary


@pytest.fixture(scope="module")
def cluster():
    with Cluster(workers=2) as client:
        yield client


def test_a_worker_killed_mid_batch_changes_nothing(corpus, reference, cluster, tmp_path):
    _, items = corpus
    ref_db, ref_summary = reference
    db, shards = tmp_path / "dask.duckdb", tmp_path / "shards"
    pids = cluster.run(os.getpid)
    assert len(pids) == 2
    killed = {}

    def kill_one_worker_after_the_first_shard():
        def done():
            return len(shard_files.shards(shards))

        while not done():
            time.sleep(0.01)
        killed["shards_done"] = done()
        os.kill(next(iter(pids.values())), signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker_after_the_first_shard, daemon=True)
    killer.start()
    summary = IngestSummary()
    ingest_on_dask(items, db, summary, shards, client=cluster, chunk=5)
    killer.join(timeout=60)
    total = -(-len({keyed(i, *_key(i)).doc_id for i in items}) // 5)
    assert 1 <= killed["shards_done"] < total  # the kill came in the middle of the batch

    assert snapshot(db) == snapshot(ref_db)
    for field in (
        "documents",
        "unchanged",
        "reports",
        "partial",
        "without_numbers",
        "cells",
        "checks_failed",
    ):
        assert getattr(summary, field) == getattr(ref_summary, field), field
    assert (
        sorted(summary.errors) == sorted(ref_summary.errors) and len(summary.errors) == 1
    )  # the broken PDF
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) = count(DISTINCT report_id) FROM report").fetchone()[0]
    assert (
        con.execute(
            "SELECT count(*) FROM (SELECT report_no, cell_id FROM fact GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        == 0
    )
    con.close()

    # A re-run does no extraction work: every key is present, no cluster is even contacted.
    again = IngestSummary()
    before = len(shard_files.shards(shards))
    ingest_on_dask(items, db, again, shards, scheduler=NOWHERE)
    assert (again.documents, again.unchanged, again.reports) == (
        summary.documents,
        summary.documents,
        0,
    )
    assert len(shard_files.shards(shards)) == before
    assert snapshot(db) == snapshot(ref_db)

    # Shards a crash left unloaded: a new warehouse is built from them alone, again without a cluster.
    fresh = IngestSummary()
    ingest_on_dask(items, tmp_path / "from-shards.duckdb", fresh, shards, scheduler=NOWHERE)
    assert fresh.reports == ref_summary.reports
    assert snapshot(tmp_path / "from-shards.duckdb") == snapshot(ref_db)


def _key(item):
    from pipeline.run.cluster import document_key

    return document_key(Path(item.path))


def test_time_cap_holds_on_dask_workers(cluster, tmp_path):
    from tests import slow

    (tmp_path / "docs").mkdir()
    slow_doc = tmp_path / "docs" / "slow-scan.txt"
    slow_doc.write_text("slow")
    shutil.copy(SAMPLES / "luanhe-2023.txt", tmp_path / "docs" / "luanhe.txt")
    summary = IngestSummary()
    ingest_on_dask(
        api.local_sources([tmp_path / "docs"]),
        tmp_path / "w.duckdb",
        summary,
        tmp_path / "shards",
        client=cluster,
        timeout=5,  # (a cold worker imports the extractor inside the cap: not 1 s)
        work=slow.quick_by_name,
    )
    assert summary.errors == [(str(slow_doc), "extraction took longer than 5 s (time cap)")]
    assert summary.reports == 1


def test_cli_ingest_with_local_workers(tmp_path):
    import subprocess
    import sys

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SAMPLES / "luanhe-2023.txt", docs / "luanhe.txt")

    def run(*a):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "ingest",
                str(docs),
                "--db",
                str(tmp_path / "w.duckdb"),
                *a,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = run("--workers", "2")
    assert first.returncode == 0, first.stderr
    assert "reports    1 loaded" in first.stdout and "INFO" not in first.stderr
    assert list((tmp_path / "w.shards").glob("*/*/fact.parquet"))
    second = run("--workers", "2")
    assert "documents  1 (1 unchanged" in second.stdout
    both = run("--workers", "2", "--scheduler", NOWHERE)
    assert both.returncode == 2 and both.stderr.startswith("ogi: --workers starts a cluster here")


def test_chunks_leave_no_worker_idle_at_the_tail():
    from pipeline.run.cluster import chunk_size
    from pipeline.settings import DASK_CHUNK as CHUNK

    assert chunk_size(40, 2) == 5  # 40 PDFs on two workers: 8 tasks, not 25 + 15
    assert chunk_size(400, 2) == CHUNK == 25  # plenty of work: the chunk cap
    assert chunk_size(3, 2) == 1
    assert chunk_size(100, 0) == 25  # a scheduler with no workers yet: as if one
    assert chunk_size(205, 2, most=5) == 5
