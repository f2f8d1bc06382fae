"""Costs that grow with the warehouse: a national panel of N reports, then what researchers do.

    python -m bench.national --sizes 10000 100000         # part of `make bench`
    python -m bench.national --sizes 600000               # `make bench-national` (not in CI)

First, `ogi ingest` of 1,000 real-size pages into an empty warehouse (ingest_into_empty), and of
five distinct copies of them, 5,000 documents (ingest_5000_into_empty: the start, while the
workers warm, and the last load, while they are idle, are fixed costs that weigh ~10 % of the
1,000-page run and little here). Each is a subprocess: wall time, CPU of the whole process tree
÷ wall = cores busy, peak RSS of the tree.

Then for each size N a warehouse of N current reports is built from real-size extracted pages
(≈N/6 bodies × 6 years, each report a copy of one of 40 extracted pages under its own body,
place, level and year; facts, checks, wide tables, metrics and checks across reports loaded as
`ogi ingest` loads them), and timed:

  add_1000      `ogi ingest DIR` of the 1,000 pages into it (measured as above)
  add_nothing   the same command again (every document known)
  queries       five researcher queries through the views, each against the same answer from
                the base tables (fact ⋈ cell ⋈ report); min and median of 5 runs

Targets (issue 15, this 2-core machine): add_1000 < 60 s and < 2 GB at 600 k; add_nothing < 5 s;
each query < 1 s and within 1.5× of the base-table answer.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline.api import Provenance, extract_bytes
from pipeline.store import Warehouse
from tests.corpus import ROOT
from tests.corpus.synth import real_size_pages

STEADY = 5000  # documents of the steady-state ingest
PROVINCES = ["11", "13", "32", "33", "35", "41", "44", "46", "51", "62"]
LEVELS = ["province", "city", "county", "township", "department"]
YEARS = list(range(2019, 2025))
B = "(SELECT f.report_no, c.row_key, c.col_key, f.value FROM fact f JOIN cell c USING (cell_id))"
QUERIES = {
    "grant_rate_by_province_year": (
        """SELECT r.province, a.year, sum(a.granted_total) / sum(a.total_processed_total) AS grant_rate
           FROM applications_wide a JOIN reports r USING (report_id)
           WHERE a.is_current AND a.scope = 'agency' GROUP BY ALL ORDER BY ALL""",
        f"""SELECT r.province, r.year,
                  sum(f.value) FILTER (WHERE f.row_key = 'granted') / sum(f.value) FILTER (WHERE f.row_key = 'total_processed')
           FROM report r JOIN {B} f USING (report_no)
           WHERE r.is_current AND r.scope = 'agency' AND f.col_key = 'total' AND f.row_key IN ('granted', 'total_processed')
           GROUP BY ALL ORDER BY ALL""",
    ),
    "top20_litigation_per_100": (
        """SELECT issuer, year, litigation_per_100_applications FROM metrics
           WHERE is_current AND applications >= 20 ORDER BY 3 DESC, 1, 2 LIMIT 20""",
        f"""WITH x AS (SELECT r.issuer, r.year,
                  sum(f.value) FILTER (WHERE f.row_key = 'new_received') AS apps,
                  sum(f.value) FILTER (WHERE f.row_key IN ('litigation_direct', 'litigation_after_reconsideration')) AS lit
               FROM report r JOIN {B} f USING (report_no)
               WHERE r.is_current AND f.col_key = 'total'
                 AND f.row_key IN ('new_received', 'litigation_direct', 'litigation_after_reconsideration')
               GROUP BY ALL)
           SELECT issuer, year, 100.0 * lit / apps FROM x WHERE apps >= 20 ORDER BY 3 DESC, 1, 2 LIMIT 20""",
    ),
    "one_body_series": (
        """SELECT year, new_received_total, granted_total FROM applications_wide
           WHERE issuer = 'body-777' ORDER BY year""",
        f"""SELECT r.year, max(f.value) FILTER (WHERE f.row_key = 'new_received'), max(f.value) FILTER (WHERE f.row_key = 'granted')
           FROM report r JOIN {B} f USING (report_no) WHERE r.issuer = 'body-777' AND f.col_key = 'total'
           GROUP BY ALL ORDER BY 1""",
    ),
    "outcome_shares_by_level": (
        """SELECT level, sum(granted_total) / sum(total_processed_total), sum(partially_granted_total) / sum(total_processed_total),
                  sum(unavailable_not_held_total) / sum(total_processed_total)
           FROM applications_wide WHERE is_current GROUP BY level ORDER BY level""",
        f"""SELECT r.level, sum(f.value) FILTER (WHERE f.row_key = 'granted') / sum(f.value) FILTER (WHERE f.row_key = 'total_processed'),
                  sum(f.value) FILTER (WHERE f.row_key = 'partially_granted') / sum(f.value) FILTER (WHERE f.row_key = 'total_processed'),
                  sum(f.value) FILTER (WHERE f.row_key = 'unavailable_not_held') / sum(f.value) FILTER (WHERE f.row_key = 'total_processed')
           FROM report r JOIN {B} f USING (report_no) WHERE r.is_current AND f.col_key = 'total'
           GROUP BY 1 ORDER BY 1""",
    ),
    "reports_with_failed_checks": (
        """SELECT issuer, year, check_id FROM checks WHERE NOT ok ORDER BY 1, 2, 3 LIMIT 1000""",
        """SELECT r.issuer, r.year, k.check_id FROM check_result k JOIN report r USING (report_no) WHERE NOT k.ok
           UNION ALL SELECT r.issuer, r.year, x.check_id FROM cross_check x JOIN report r USING (report_no) WHERE NOT x.ok
           ORDER BY 1, 2, 3 LIMIT 1000""",
    ),
}


def pages(n: int, seed: int) -> list[bytes]:
    """Real-size report pages (Word-pasted tables in CMS shells)."""
    return [page for _, page in real_size_pages(n, seed)]


def synthetic(templates: list, i: int):
    """Report i of the panel: a template's numbers under body i // 6, year 2019 + i % 6."""
    body, year = i // len(YEARS), YEARS[i % len(YEARS)]
    r = copy.copy(templates[i % len(templates)])
    r.sha256 = f"{i:064x}"
    r.source = f"national/{i}.html"
    r.issuer = f"body-{body}"
    r.year = year
    r.scope = "agency"
    prov = PROVINCES[body % len(PROVINCES)]
    r.jurisdiction = {
        **r.jurisdiction,
        "name": f"place-{body}",
        "province": prov,
        "level": LEVELS[body % len(LEVELS)],
        "code": f"{prov}{body % 10000:04d}",
        "id": f"{prov}{body:08d}",
        "current_code": None,
    }
    r.issuer_key = r.issuer
    r.series_key = f"{prov}{body:08d}|{r.issuer}|agency"
    return r


def build(path: Path, n: int, templates: list, batch: int = 1000) -> dict:
    t0 = time.perf_counter()
    with Warehouse(path) as wh:
        for start in range(0, n, batch):
            items = []
            for i in range(start, min(n, start + batch)):
                r = synthetic(templates, i)
                items.append(
                    (
                        Provenance(r.source, sha256=r.sha256, media_type="text/html", bytes=1),
                        r,
                    )
                )
            assert not wh.load(items)
            print(f"  built {min(n, start + batch)}/{n}", end="\r", flush=True)
        facts = wh.con.execute("SELECT count(*) FROM fact").fetchone()[0]
    print()
    return {
        "reports": n,
        "facts": facts,
        "seconds": round(time.perf_counter() - t0, 1),
        "mb": round(path.stat().st_size / 2**20),
    }


def run_tree(cmd: list[str]) -> dict:
    """Run a command; its wall time, CPU of the whole process tree (every process's CPU time as
    last sampled, every 0.1 s: pool workers under a forkserver are not in the parent's rusage),
    peak RSS of the tree."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[tuple[int, float], float] = {}
    stop = threading.Event()

    def sample():
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            rss = 0
            for p in tree:
                try:
                    with p.oneshot():
                        t = p.cpu_times()
                        cpu[(p.pid, p.create_time())] = t.user + t.system
                        rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{cmd} failed: {err[-500:]}")
    total = max(sum(cpu.values()), usage.ru_utime + usage.ru_stime)
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(total, 1),
        "cores_busy": round(total / wall, 2),
        "peak_tree_rss_mb": round(peak / 2**20),
    }


def ingest(db: Path, docs: Path) -> dict:
    ogi = str(Path(sys.executable).with_name("ogi"))
    return run_tree([ogi, "ingest", str(docs), "--db", str(db)])


def timed_query(db: Path, sql: str, repeat: int = 5) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        times, rows = [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = con.execute(sql).fetchall()
            times.append(time.perf_counter() - t0)
    finally:
        con.close()
    return {
        "min_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
        "rows": len(rows),
    }


def queries(db: Path) -> dict:
    out = {}
    for name, (view_sql, base_sql) in QUERIES.items():
        v, b = timed_query(db, view_sql), timed_query(db, base_sql)
        out[name] = {
            "view": v,
            "base": b,
            "ratio": round(v["median_s"] / max(b["median_s"], 1e-6), 2),
        }
        print(
            f"    {name:30s} view {v['median_s']:7.3f} s   base {b['median_s']:7.3f} s", flush=True
        )
    return out


def run(sizes: list[int], add: int = 1000, work: Path | None = None) -> dict:
    results: dict = {}
    templates = [extract_bytes(p, f"t{i}.html") for i, p in enumerate(pages(40, 5))]
    with tempfile.TemporaryDirectory(dir=work) as d:
        d = Path(d)
        new = d / "new"
        new.mkdir()
        for i, p in enumerate(pages(add, 9)):
            (new / f"add-{i}.html").write_bytes(p)
        empty_db = d / "empty.duckdb"
        results["ingest_into_empty"] = ingest(empty_db, new)
        results["ingest_into_empty"]["documents_per_s"] = round(
            add / results["ingest_into_empty"]["seconds"], 1
        )
        import duckdb

        con = duckdb.connect(str(empty_db), read_only=True)
        facts = con.execute("SELECT count(*) FROM fact").fetchone()[0]
        con.close()
        results["ingest_into_empty"]["facts_per_s"] = round(
            facts / results["ingest_into_empty"]["seconds"]
        )
        print(
            "  ingest of",
            add,
            "pages into an empty warehouse:",
            results["ingest_into_empty"],
            flush=True,
        )
        # The same run five times longer: the start (workers warming) and the last load (the
        # workers idle) are fixed costs that weigh ~10 % of 1,000 pages; this is the steady state.
        more = d / "more"
        more.mkdir()
        copies = STEADY // add
        for k in range(copies):
            for p in new.iterdir():  # copies made distinct documents by one comment
                (more / f"{k}-{p.name}").write_bytes(p.read_bytes() + f"<!-- copy {k} -->".encode())
        steady_db = d / "steady.duckdb"
        r = results["ingest_5000_into_empty"] = ingest(steady_db, more)
        r["documents_per_s"] = round(copies * add / r["seconds"], 1)
        print(f"  ingest of {copies * add} pages into an empty warehouse:", r, flush=True)
        shutil.rmtree(more)
        steady_db.unlink()
        for n in sizes:
            db = d / f"n{n}.duckdb"
            r = {"build": build(db, n, templates)}
            print(f"  {n} reports:", r["build"], flush=True)
            r["add_1000"] = ingest(db, new)
            print("    add", add, r["add_1000"], flush=True)
            r["add_nothing"] = ingest(db, new)
            print("    add nothing", r["add_nothing"], flush=True)
            r["queries"] = queries(db)
            results[str(n)] = r
            db.unlink()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--add", type=int, default=1000, help="documents added to each warehouse")
    ap.add_argument("--results", default=str(ROOT / "bench" / "out" / "results.json"))
    args = ap.parse_args()
    path = Path(args.results)
    results = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("national", {}).update(run(args.sizes, args.add))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
