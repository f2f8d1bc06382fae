"""The `ogi` console script as users run it."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.corpus import ROOT, SAMPLES
from tests.corpus.synth import SAMPLES_DIR
from tests.corpus.synth_legacy import narrative_report

OGI = str(Path(sys.executable).parent / "ogi")
LUANHE = str(SAMPLES / "luanhe-2023.txt")


def run(*args, cwd=None):
    return subprocess.run([OGI, *args], capture_output=True, text=True, cwd=cwd)


def test_extract_json_prints_every_cell_with_all_checks_passing():
    p = run("extract", LUANHE, "--json")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1
    j = json.loads(lines[0])
    assert set(j) >= {
        "source",
        "sha256",
        "title",
        "jurisdiction",
        "issuer",
        "scope",
        "year",
        "published_on",
        "format",
        "proactive",
        "applications",
        "appeals",
        "checks",
        "warnings",
        "error",
    }
    assert j["applications"]["new_received"]["total"] == 78
    assert j["appeals"]["reconsideration"]["corrected"] == 1
    assert (
        sum(len(c) for t in ("proactive", "applications", "appeals") for c in j[t].values())
        == 10 + 26 * 7 + 15
    )
    assert j["checks"] and all(c["ok"] for c in j["checks"])


def test_extract_many_one_line_each_and_exit_1_on_a_failure(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    p = run("extract", LUANHE, str(SAMPLES_DIR), str(tmp_path / "empty.html"), "--json")
    assert p.returncode == 1
    objs = [json.loads(l) for l in p.stdout.splitlines()]
    assert len(objs) == 7
    assert objs[-1]["error"].startswith("empty document") and objs[-1]["applications"] == {}
    assert "error: " in p.stderr


def test_ingest_then_check(tmp_path):
    db = tmp_path / "o.duckdb"
    # the default corpus: the bundled real reports, crawled from the offline mirror
    p = run("ingest", "--db", str(db), "--out", str(tmp_path / "crawl"), cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert (
        "documents  27\n" in p.stdout and "errors     0" in p.stdout
    )  # a first run: no "unchanged"
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql(
        "SELECT count(*), count(*) FILTER (WHERE generated) FROM reports"
    ).fetchone() == (27, 0)
    con.close()
    p = run("check", "--db", str(db))
    assert p.returncode == 0
    # 洪泽区 2023 printed its appeals totals as 0 under non-zero parts: flagged, the issuer in --details
    assert "appeals.row_total" in p.stdout and "洪泽区人民政府" not in p.stdout
    p = run("check", "--db", str(db), "--details")
    assert "洪泽区人民政府" in p.stdout


def test_help_and_usage_errors():
    p = run("--help")
    assert (
        p.returncode == 0
        and "extract" in p.stdout
        and "ingest" in p.stdout
        and "examples" in p.stdout
    )
    assert run().returncode == 2
    assert run("extract").returncode == 2
    assert run("check", "--db", "/nonexistent/x.duckdb").returncode == 2


# ---------------------------------------------------------------- a user's mistakes: one line, no traceback
def no_traceback(p) -> bool:
    return "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_version():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.startswith("ogi ")


def test_ingest_into_a_place_that_cannot_hold_a_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    p = run("ingest", LUANHE, "--db", str(blocker / "x.duckdb"))
    assert p.returncode == 2 and no_traceback(p) and "cannot" in p.stderr


def test_report_and_export_on_a_missing_warehouse():
    for cmd in ("report", "export"):
        p = run(cmd, "--db", "/nonexistent.duckdb")
        assert (
            p.returncode == 2
            and no_traceback(p)
            and "no warehouse at /nonexistent.duckdb" in p.stderr
        )


def test_ingest_with_a_missing_registry():
    p = run("ingest", "--sources", "/none.csv")
    assert p.returncode == 2 and no_traceback(p) and "/none.csv" in p.stderr


def test_ingest_a_missing_path_creates_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    p = run("ingest", "/nonexistent", "--db", str(db))
    assert p.returncode == 2 and no_traceback(p) and "no such file or directory" in p.stderr
    assert not db.exists()


def test_ingest_an_empty_folder_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    p = run("ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "w.duckdb"))
    assert p.returncode == 2 and no_traceback(p) and "no documents" in p.stderr


def test_check_into_a_closed_pipe(tmp_path):
    db = tmp_path / "w.duckdb"
    assert run("ingest", LUANHE, "--db", str(db)).returncode == 0
    p = subprocess.run(
        f"{OGI} check --db {db} | head -1", shell=True, capture_output=True, text=True
    )
    assert p.stdout.startswith("reports by status") and p.stderr == ""


def test_report_on_a_warehouse_with_nothing_to_chart(tmp_path):
    db = tmp_path / "w.duckdb"
    doc = tmp_path / "2012.txt"
    doc.write_text(narrative_report("青杉市人民政府", 2012), encoding="utf-8")
    assert run("ingest", str(doc), "--db", str(db)).returncode == 0
    p = run("report", "--db", str(db), "--out", str(tmp_path / "r"))
    assert p.returncode == 1 and no_traceback(p) and "nothing to chart" in p.stderr
    assert not (tmp_path / "r" / "index.html").exists()


def test_no_snapshot_beside_a_named_warehouse_unless_asked(tmp_path):
    assert run("ingest", LUANHE, "--db", str(tmp_path / "a" / "w.duckdb")).returncode == 0
    assert not (tmp_path / "a" / "snapshot").exists()
    assert (
        run("ingest", LUANHE, "--db", str(tmp_path / "b" / "w.duckdb"), "--snapshot").returncode
        == 0
    )
    assert (tmp_path / "b" / "snapshot" / "w.duckdb").exists()


def test_extract_help_lists_every_format():
    p = run("extract", "--help")
    for fmt in (
        ".html",
        ".txt",
        "PDF",
        ".docx",
        ".doc",
        ".wps",
        ".xls",
        ".xlsx",
        ".et",
        ".png",
        ".jpg",
        "OCR",
    ):
        assert fmt in p.stdout, fmt


def test_export_csv_for_excel_has_a_byte_order_mark(tmp_path):
    db = tmp_path / "w.duckdb"
    assert run("ingest", LUANHE, "--db", str(db)).returncode == 0
    assert (
        run(
            "export", "--db", str(db), "--format", "csv", "--excel", "--out", str(tmp_path / "x")
        ).returncode
        == 0
    )
    raw = (tmp_path / "x" / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "灤河回族区人民政府".encode() in raw
    assert "--excel" in run("export", "--help").stdout


def test_ingest_extracts_on_the_pool_the_command_line_started_early(tmp_path, monkeypatch):
    # `ogi ingest` starts its workers before importing the pipeline; the ingest must use that
    # pool (not start a second one) and close it
    from pipeline import cli
    from pipeline.run import pool as parallel

    started = []
    warm = parallel.ExtractPool.warm
    monkeypatch.setattr(parallel, "workers_default", lambda: 2)
    monkeypatch.setattr(
        parallel.ExtractPool, "warm", lambda self: (started.append(self), warm(self))[1]
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in (SAMPLES / "luanhe-2023.txt", SAMPLES_DIR / "baiyunwan-2023-trs.html"):
        (docs / path.name).write_bytes(path.read_bytes())
    assert cli.main(["ingest", str(docs), "--db", str(tmp_path / "w.duckdb"), "--no-progress"]) == 0
    assert (
        len(started) == 1 and started[0].workers == 2 and started[0]._pool is None
    )  # one pool, closed
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM report WHERE status = 'ok'").fetchone() == (2,)
    con.close()


def test_a_new_warehouse_is_created_while_the_workers_extract_the_first_chunk(
    tmp_path, monkeypatch
):
    # a warehouse that does not exist holds nothing: the workers get the first documents before
    # its schema is created; an existing one is asked what it holds first
    from pipeline import api, store
    from pipeline.run import pool as parallel

    order = []
    monkeypatch.setattr(parallel, "workers_default", lambda: 2)
    pool_map, wh_init = parallel.ExtractPool.map, store.Warehouse.__init__
    monkeypatch.setattr(
        parallel.ExtractPool,
        "map",
        lambda self, jobs: (order.append("extract"), pool_map(self, jobs))[1],
    )
    monkeypatch.setattr(
        store.Warehouse,
        "__init__",
        lambda self, *a, **k: (order.append("warehouse"), wh_init(self, *a, **k))[1],
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in (SAMPLES / "luanhe-2023.txt", SAMPLES_DIR / "baiyunwan-2023-trs.html"):
        (docs / path.name).write_bytes(path.read_bytes())
    db = tmp_path / "w.duckdb"
    first = api.ingest([docs], db=db, publish=False)
    assert order == ["extract", "warehouse"] and (first.documents, first.reports) == (2, 2)
    (docs / "shiqiao.html").write_bytes((SAMPLES_DIR / "shiqiao-2020-hanweb-gbk.html").read_bytes())
    order.clear()
    again = api.ingest([docs], db=db, publish=False)
    assert order[0] == "warehouse" and (again.documents, again.unchanged, again.reports) == (
        3,
        2,
        1,
    )
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM report WHERE status = 'ok'").fetchone() == (3,)
    con.close()


def test_the_workers_read_the_files_themselves_and_a_file_changed_meanwhile_is_not_loaded(
    tmp_path, monkeypatch
):
    # the pool is handed paths, not pages (piping 300 KB pages left the workers waiting); a file
    # that changes or goes between this process hashing it and a worker reading it is an error,
    # never a report filed under the other bytes' key
    import gc

    from pipeline import api, store
    from pipeline.run import pool as parallel

    monkeypatch.setattr(parallel, "workers_default", lambda: 2)
    jobs_seen = []
    pool_map = parallel.ExtractPool.map
    monkeypatch.setattr(
        parallel.ExtractPool,
        "map",
        lambda self, jobs: (jobs_seen.extend(jobs), pool_map(self, jobs))[1],
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "luanhe.txt").write_bytes((SAMPLES / "luanhe-2023.txt").read_bytes())
    db = tmp_path / "w.duckdb"
    api.ingest([docs], db=db, publish=False)  # a warehouse exists: it is asked what it holds first
    for name, sample in (
        ("baiyunwan.html", "baiyunwan-2023-trs.html"),
        ("shiqiao.html", "shiqiao-2020-hanweb-gbk.html"),
        ("gone.html", "baiyunwan-2023-trs.html"),
    ):
        data = (SAMPLES_DIR / sample).read_bytes()
        (docs / name).write_bytes(data + (b"<!-- gone -->" if name == "gone.html" else b""))
    known = store.Warehouse.known

    def known_then_change(self, doc_ids):  # runs after this process hashed the chunk
        (docs / "shiqiao.html").write_bytes((SAMPLES / "luanhe-2023.txt").read_bytes())
        (docs / "gone.html").unlink()
        return known(self, doc_ids)

    monkeypatch.setattr(store.Warehouse, "known", known_then_change)
    summary = api.ingest([docs], db=db, publish=False)
    assert jobs_seen and all(
        isinstance(path, Path) and path.parent == docs for path, _ in jobs_seen
    )
    errors = dict((Path(src).name, reason) for src, reason in summary.errors)
    assert errors == {
        "shiqiao.html": "the file changed while it was being ingested: ingest it again",
        "gone.html": "cannot read file: No such file or directory",
    }
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM report WHERE status = 'ok'").fetchone() == (
        2,
    )  # luanhe, baiyunwan
    con.close()
    # the collector is given back as it was (it is held off during the ingest)
    assert gc.isenabled() and gc.get_freeze_count() == 0
