"""Bad input: one clear error per document, an error row in the warehouse, the batch goes on."""

import random
import subprocess
import sys

import duckdb
import pytest

from pipeline.api import extract_bytes, ingest
from tests.corpus import SAMPLES
from tests.corpus.synth import SAMPLES_DIR

NO_REPORT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>县政府召开常务会议_新闻动态</title></head>
<body><div class="nav"><a href="/">首页</a><a href="/xxgk/">政府信息公开</a></div>
<div class="article"><h1>县政府召开第十二次常务会议</h1><p>3月5日，县长主持召开县政府第十二次常务会议，研究部署春耕生产等工作。</p>
<p>会议强调，要压实责任，确保各项任务落到实处。</p></div><div class="footer">网站标识码：1234567890</div></body></html>"""

OTHER_KIND = """<html><head><meta charset="utf-8"><title>2023年政府网站工作年度报表</title></head><body>
<h1>白沙县人民政府门户网站2023年政府网站工作年度报表</h1><table><tr><td>网站名称</td><td>白沙县人民政府</td></tr>
<tr><td>首页网址</td><td>www.baisha.gov.cn</td></tr><tr><td>信息发布（条）</td><td>1204</td></tr>
<tr><td>政务公开</td><td>主动公开</td></tr></table></body></html>"""

INDEX_PAGE = (
    "<html><body><ul>"
    + "".join(
        f'<li><a href="/t{y}.html">白沙县人民政府{y}年政府信息公开工作年度报告</a><span>{y + 1}-01-20</span></li>'
        for y in range(2015, 2024)
    )
    + "</ul></body></html>"
)


def bad_documents(tmp_path):
    truncated = (SAMPLES_DIR / "baiyunwan-2023-trs.html").read_text()
    cut = truncated.index("（四）无法提供")
    files = {
        "empty.txt": b"",
        "garbage.html": random.Random(7).randbytes(5000),
        "no-report.html": NO_REPORT.encode(),
        "website-annual-form.html": OTHER_KIND.encode(),
        "index.html": INDEX_PAGE.encode(),
        "undecodable.txt": (b"annual report 2023 " + bytes(range(0x80, 0x100))) * 30,
        "truncated.html": truncated[:cut].encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return files


@pytest.mark.parametrize(
    "name,reason",
    [
        ("empty.txt", "empty document"),
        ("garbage.html", "binary data"),
        ("no-report.html", "no annual report found"),
        ("website-annual-form.html", "政府网站工作年度报表, not a 政府信息公开工作年度报告"),
        ("index.html", "a list of 9 reports"),
        ("undecodable.txt", "cannot decode text"),
    ],
)
def test_each_bad_document_gets_a_clear_reason(tmp_path, name, reason):
    data = bad_documents(tmp_path)[name]
    r = extract_bytes(data, name)
    assert r.error and reason in r.error
    assert "\n" not in r.error


def test_truncated_table_is_loaded_partial_with_a_warning(tmp_path):
    data = bad_documents(tmp_path)["truncated.html"]
    r = extract_bytes(data, "truncated.html")
    assert r.error is None and r.status == "partial"
    assert r.value("applications", "granted", "total") == 68
    assert "unavailable_not_held" not in r.tables["applications"]
    assert any(w.startswith("incomplete") for w in r.warnings)


def test_batch_goes_on_and_records_errors(tmp_path):
    bad_documents(tmp_path)
    good = tmp_path / "luanhe.txt"
    good.write_bytes((SAMPLES / "luanhe-2023.txt").read_bytes())
    db = tmp_path / "w.duckdb"
    seen = []
    summary = ingest([tmp_path], db=db, on_error=lambda s, r: seen.append(s))
    assert summary.exit_code == 1
    assert len(summary.errors) == 6 and len(seen) == 6
    assert summary.reports == 2  # luanhe + the truncated page
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT count(*) FROM extraction_errors").fetchone()[0] == 6
    assert con.sql("SELECT count(*) FROM reports WHERE status = 'error'").fetchone()[0] == 6
    # An error document leaves no facts, checks or sections behind.
    assert (
        con.sql(
            "SELECT count(*) FROM facts JOIN reports USING (report_id) WHERE status = 'error'"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.sql(
            "SELECT new_received_total FROM applications_wide WHERE year = 2023 AND issuer LIKE '灤%'"
        ).fetchone()[0]
        == 78
    )
    assert (
        con.sql("SELECT status FROM reports WHERE title LIKE '白云湾%'").fetchone()[0] == "partial"
    )


def test_cli_exit_code_and_one_error_line_per_document(tmp_path):
    bad_documents(tmp_path)
    (tmp_path / "luanhe.txt").write_bytes((SAMPLES / "luanhe-2023.txt").read_bytes())
    db = tmp_path / "w.duckdb"
    p = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ingest", str(tmp_path), "--db", str(db)],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 1
    errors = [l for l in p.stderr.splitlines() if l.startswith("error: ")]
    assert len(errors) == 6
    assert any("empty.txt: empty document" in l for l in errors)
    assert "reports    2 loaded" in p.stdout


def test_a_zip_bomb_named_docx_is_refused_by_its_unpacked_size(tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "word/document.xml", b"\0" * (600 * 1024 * 1024)
        )  # 600 MB of zeros, ~600 KB packed
    r = extract_bytes(buf.getvalue(), "report.docx")
    assert r.error.startswith("decompressed size over the cap")


def _descendants(pid: int) -> set[int]:
    import os

    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def test_workers_die_with_a_killed_parent(tmp_path):
    """After `kill -9` of the process running the pool, the forkserver and the workers go too."""
    import os
    import signal
    import time
    from pathlib import Path

    code = (
        "from tests import slow; from pipeline.run.pool import ExtractPool\n"
        "pool = ExtractPool(workers=2, work=slow.sleeps)\n"
        "list(pool.map([(b'x', 'a.pdf'), (b'y', 'b.pdf')]))"
    )
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root)
    deadline = time.time() + 60
    kids: set[int] = set()
    while time.time() < deadline and len(kids) < 3:  # the forkserver and two workers
        time.sleep(0.2)
        kids = _descendants(proc.pid)
    assert len(kids) >= 3
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(
        os.path.exists(f"/proc/{k}")
        and open(f"/proc/{k}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
        for k in kids
        if os.path.exists(f"/proc/{k}")
    ):
        time.sleep(0.2)
    alive = [
        k
        for k in kids
        if os.path.exists(f"/proc/{k}")
        and open(f"/proc/{k}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    ]
    assert alive == []
