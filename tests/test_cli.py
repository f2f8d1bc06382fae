"""The `ogi` console script as users run it."""
import json
import subprocess
import sys
from pathlib import Path

import duckdb

from synth import SAMPLES_DIR

OGI = str(Path(sys.executable).parent / "ogi")
LUANHE = str(SAMPLES_DIR.parent / "luanhe-2023.txt")


def run(*args, cwd=None):
    return subprocess.run([OGI, *args], capture_output=True, text=True, cwd=cwd)


def test_extract_json_prints_every_cell_with_all_checks_passing():
    p = run("extract", LUANHE, "--json")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1
    j = json.loads(lines[0])
    assert set(j) >= {"source", "sha256", "title", "jurisdiction", "issuer", "scope", "year", "published_on",
                      "format", "proactive", "applications", "appeals", "checks", "warnings", "error"}
    assert j["applications"]["new_received"]["total"] == 78
    assert j["appeals"]["reconsideration"]["corrected"] == 1
    assert sum(len(c) for t in ("proactive", "applications", "appeals") for c in j[t].values()) == 10 + 26 * 7 + 15
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
    p = run("ingest", "--db", str(db), cwd=SAMPLES_DIR.parents[2])
    assert p.returncode == 0, p.stderr
    assert "documents  76" in p.stdout and "errors     0" in p.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT count(*) FROM reports").fetchone()[0] == 76
    con.close()
    p = run("check", "--db", str(db))
    assert p.returncode == 0
    assert "applications.balance" in p.stdout and "红叶县" not in p.stdout
    p = run("check", "--db", str(db), "--details")
    assert "红叶县人民政府办公室" in p.stdout


def test_help_and_usage_errors():
    p = run("--help")
    assert p.returncode == 0 and "extract" in p.stdout and "ingest" in p.stdout and "examples" in p.stdout
    assert run().returncode == 2
    assert run("extract").returncode == 2
    assert run("check", "--db", "/nonexistent/x.duckdb").returncode == 2
