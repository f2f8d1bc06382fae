"""`make bench`: extraction throughput against same-work floors, warehouse load rate, memory,
and (bench/scale.py, bench/national.py) Dask, shard loads and warehouses of 10 k / 100 k reports.

    python -m bench.run [--pages 1000] [--text 1000] [--out bench/out] [--no-scale]

HTML: a generated corpus of real-size report pages (Word-pasted tables in CMS shells, tests/corpus/synth.py).
The floor is the extractor's own parser parsing each page and reading every cell's text; floor
and extraction are timed page by page, interleaved, over five passes (min and median), so machine
noise hits both alike. Text: the same
reports as tab-separated PDF-style text. Load: facts/s into DuckDB in 200-report transactions.
Memory: peak RSS (VmHWM; ru_maxrss survives fork+exec) of extracting N and 4N pages in fresh
processes (flat = no growth with N). Crawl: a local TRS-style fixture site of >= 2,000 pages served
on 127.0.0.1, politeness delays off: pages/s and peak memory of the crawling process.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from pipeline import store
from pipeline.api import extract_bytes
from pipeline.extract.html import _PARSER, text_of
from pipeline.model import Provenance
from pipeline.store import Warehouse
from tests.corpus import ROOT
from tests.corpus.synth import random_spec, real_size_pages

corpus = real_size_pages  # (spec, page) pairs


def as_text(page: bytes) -> bytes:
    """The same report as a PDF text dump: table rows tab-separated, paragraphs one per line."""
    from pipeline.extract import extract

    x = extract(page, "p.html")
    return "\n".join("\t".join(l.cells) if l.exact else l.text for l in x.lines).encode()


def floor(page: bytes) -> int:
    """The same kind of work with the parser the extractor uses (its etree.HTMLParser on UTF-8
    bytes, and its way of reading a cell's text): parse the page, read every table cell."""
    return sum(len(text_of(td)) for td in etree.fromstring(page, _PARSER).iter("td", "th"))


def bench_html(pages: list[bytes], repeat: int = 5) -> dict:
    """Floor and full path on the same pages, interleaved page by page (alternating which goes
    first), `repeat` passes; min and median of the passes."""
    bad = 0
    for p in pages[:20]:  # warm caches and imports
        floor(p), extract_bytes(p, "w.html")
    floors, ours = [], []
    for k in range(repeat):
        t_floor = t_ours = 0.0
        for i, p in enumerate(pages):
            order = (0, 1) if (i + k) % 2 == 0 else (1, 0)
            for which in order:
                t0 = time.perf_counter()
                if which == 0:
                    floor(p)
                    t_floor += time.perf_counter() - t0
                else:
                    r = extract_bytes(p, "p.html")
                    t_ours += time.perf_counter() - t0
                    if k == 0:
                        bad += bool(r.error) or any(not c.ok for c in r.checks)
        floors.append(t_floor)
        ours.append(t_ours)
    ratios = [o / f for o, f in zip(ours, floors)]
    n = len(pages)
    return {
        "pages": n,
        "avg_kb": round(sum(map(len, pages)) / n / 1024, 1),
        "min_kb": round(min(map(len, pages)) / 1024),
        "max_kb": round(max(map(len, pages)) / 1024),
        "repeats": repeat,
        "floor": "etree.HTMLParser + text of every td/th (the extractor's parser)",
        "floor_pages_per_s": round(n / min(floors), 1),
        "ours_pages_per_s": round(n / min(ours), 1),
        "ours_pages_per_s_median": round(n / statistics.median(ours), 1),
        "ratio_to_floor_min": round(min(ratios), 2),
        "ratio_to_floor_median": round(statistics.median(ratios), 2),
        "ratio_to_floor": round(statistics.median(ratios), 2),
        "reports_with_errors_or_failed_checks": bad,
    }


def bench_text(texts: list[bytes]) -> dict:
    t0 = time.perf_counter()
    bad = sum(
        bool(r.error) or any(not c.ok for c in r.checks)
        for r in (extract_bytes(t, "p.txt") for t in texts)
    )
    dt = time.perf_counter() - t0
    return {
        "documents": len(texts),
        "docs_per_s": round(len(texts) / dt, 1),
        "reports_with_errors_or_failed_checks": bad,
    }


def bench_load(pages: list[bytes]) -> dict:
    reports = [extract_bytes(p, f"p{i}.html") for i, p in enumerate(pages)]
    items = [
        (
            Provenance(r.source, sha256=r.sha256, media_type="text/html", bytes=len(p)),
            r,
        )
        for r, p in zip(reports, pages)
    ]
    facts = sum(len(c) for r in reports for rows in r.tables.values() for c in rows.values())
    batch = 500
    build = 0.0
    real_rows = store.batch_tables  # (the name Warehouse.load calls)

    def timed_rows(*a):
        nonlocal build
        t = time.perf_counter()
        out = real_rows(*a)
        build += time.perf_counter() - t
        return out

    store.batch_tables = timed_rows
    try:
        with tempfile.TemporaryDirectory() as d:
            with Warehouse(Path(d) / "b.duckdb") as wh:
                t0 = time.perf_counter()
                for i in range(0, len(items), batch):
                    assert not wh.load(items[i : i + batch])
                total = time.perf_counter() - t0
                n = wh.con.execute("SELECT count(*) FROM fact").fetchone()[0]
    finally:
        store.batch_tables = real_rows
    assert n == facts
    return {
        "reports": len(items),
        "facts": facts,
        "reports_per_transaction": batch,
        "duckdb_facts_per_s": round(facts / (total - build)),
        "end_to_end_facts_per_s": round(facts / total),
        "note": "duckdb = Arrow batches into the warehouse incl. commit; end_to_end adds building "
        "the batches from Report objects in Python",
    }


def peak_rss_mb(n: int) -> float:
    code = (
        "import random; from tests.corpus.synth import random_spec, render_html;"
        "from pipeline.api import extract_bytes; rng = random.Random(3)\n"
        f"for i in range({n}):\n"
        "    extract_bytes(render_html(random_spec(rng, i), seed=i).encode(), 'p.html')\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return round(float(out.stdout.strip()), 1)


def build_crawl_site(root: Path, listings: int = 100, per_page: int = 20) -> int:
    """A TRS-style column of `listings` pages × `per_page` reports: listings + reports pages."""
    from tests.corpus.sites import page, simple_report, write

    body_cache = simple_report("样本县人民政府", 2023)
    for p in range(listings):
        items = "".join(
            f'<li><a href="./t{p}_{k}.html">样本县{p}-{k}部门2023年政府信息公开工作年度报告</a></li>'
            for k in range(per_page)
        )
        name = "index.html" if p == 0 else f"index_{p}.html"
        write(
            root,
            f"col/{name}",
            page(
                "年报",
                f"<ul>{items}</ul><script>createPageHTML({listings}, {p}, 'index', 'html');</script>",
            ),
        )
        for k in range(per_page):
            write(
                root,
                f"col/t{p}_{k}.html",
                body_cache.replace("样本县人民政府", f"样本县{p}-{k}部门"),
            )
    return listings * (per_page + 1)


def bench_crawl(pages_wanted: int = 2000) -> dict:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "site"
        per_page = 19
        total = build_crawl_site(
            root, listings=max(1, pages_wanted // (per_page + 1)), per_page=per_page
        )
        # The site is served from its own process, as a real server would be.
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import time; from crawlers.mirror import MirrorServer;"
                f"s = MirrorServer({str(root)!r}).start(); print(s.url, flush=True); time.sleep(3600)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        url = server.stdout.readline().strip()
        code = (
            "import time; from crawlers.run import crawl; from crawlers.registry import Body\n"
            "t = time.perf_counter()\n"
            f"r = crawl([Body('bench', 'b', 'county', '', '', {url!r} + '/col/index.html', 'trs')],"
            f" {str(Path(d) / 'out')!r},"
            " overrides={'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False, 'CONCURRENT_REQUESTS': 32,"
            " 'CONCURRENT_REQUESTS_PER_DOMAIN': 32, 'LOG_LEVEL': 'ERROR', 'ROBOTSTXT_OBEY': False})\n"
            "dt = time.perf_counter() - t\n"
            "import resource; u = resource.getrusage(resource.RUSAGE_SELF)\n"
            "print(len(r.stored), dt,"
            " next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024,"
            " u.ru_utime + u.ru_stime)"
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
        finally:
            server.kill()
            server.wait()
        stored, seconds, rss, cpu = out.stdout.split()
    return {
        "pages": total,
        "reports_stored": int(stored),
        "seconds": round(float(seconds), 2),
        "pages_per_s": round(total / float(seconds), 1),
        "peak_rss_mb": round(float(rss), 1),
        "crawler_cpu_seconds": round(float(cpu), 2),
        "note": "the fixture server (its own process) and the crawler share the 2 cores; politeness off",
    }


def bench_discovery(portals: int = 20) -> dict:
    """What the walk from a home page costs: `portals` county portals whose annual-report column is
    three clicks deep (首页 → 政务公开 → 政府信息公开 → 年报, beside nine noise links on every page),
    crawled from their home pages and again from their pinned column URLs. Pages fetched per
    report found, both ways."""
    from crawlers.mirror import serving
    from crawlers.registry import Body
    from crawlers.run import crawl
    from tests.corpus.sites import build_portal

    fast = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "ERROR"}
    out = {}
    with tempfile.TemporaryDirectory() as d:
        rows_home, rows_column = [], []
        for i in range(portals):
            entry = build_portal(Path(d) / "web", "depth3", site=f"q{i}")["entry"]
            rows_home.append(Body(f"q{i}", "x", "county", "", "", entry, ""))
            rows_column.append(
                Body(f"q{i}", "x", "county", "", "", entry + "zwgk/zfxxgk/zfxxgknb/", "")
            )
        for name, rows in (("from_home_page", rows_home), ("from_pinned_column", rows_column)):
            with serving(Path(d) / "web") as srv:
                t = time.perf_counter()
                r = crawl(
                    rows, Path(d) / f"out-{name}", overrides={**fast, "MIRROR_PROXY": srv.url}
                )
                dt = time.perf_counter() - t
                hits = [h for h in srv.hits if not h.endswith("robots.txt")]
            reports = len(r.stored)
            out[name] = {
                "reports": reports,
                "pages_fetched": len(hits),
                "pages_per_report": round(len(hits) / reports, 2) if reports else None,
                "seconds": round(dt, 2),
            }
    out["extra_pages_per_report"] = round(
        out["from_home_page"]["pages_per_report"] - out["from_pinned_column"]["pages_per_report"], 2
    )
    return out


def _pdf_floor(data: bytes) -> None:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            len(page.chars)


def _docx_floor(data: bytes) -> None:
    import io

    import docx

    for table in docx.Document(io.BytesIO(data)).tables:
        for row in table.rows:
            for cell in row.cells:
                cell.text


FLOORS = {
    "pdf": ("pdfplumber opening the file and reading every page's characters", _pdf_floor),
    "cidpdf": ("pdfplumber opening the file and reading every page's characters", _pdf_floor),
    "docx": ("python-docx reading every table cell's text", _docx_floor),
}


def bench_formats(n_specs: int = 10, n_scans: int = 10, repeat: int = 3) -> dict:
    """Per-format extraction speed on `n_specs` generated attachments of each kind (and
    `n_scans` scans), each against a floor doing the same kind of work where there is one
    (FLOORS), interleaved document by document, `repeat` passes (min and median). OCR's models
    are loaded before timing; scans are read on every core, then again on one."""
    import io

    import pdfplumber

    from tests.corpus.forms import build
    from tests.corpus.synth import sample_specs

    rng = random.Random(4)
    specs = {k.replace(".html", ""): v for k, v in sample_specs().items()}
    for i in range(max(0, n_specs - len(specs))):
        specs[f"random-{i}"] = random_spec(rng, 7000 + i)
    specs = dict(list(specs.items())[:n_specs])
    out: dict = {}
    with tempfile.TemporaryDirectory() as d:
        items = build(specs, Path(d) / "f", kinds=("pdf", "docx", "doc", "xls", "cidpdf"))
        items += build(dict(list(specs.items())[:n_scans]), Path(d) / "s", kinds=("scan",))
        for kind in ("pdf", "cidpdf", "docx", "doc", "xls", "scan"):
            files = [p for p, _, k in items if k == kind]
            datas = [p.read_bytes() for p in files]
            extract_bytes(datas[0], str(files[0]))  # imports, OCR models, LibreOffice profile
            pages = 0
            if kind in ("pdf", "cidpdf", "scan"):
                for data in datas:
                    with pdfplumber.open(io.BytesIO(data)) as pdf:
                        pages += len(pdf.pages)
            label, floor_fn = FLOORS.get(kind, (None, None))
            ours, floors = [], []
            for k in range(repeat if kind != "scan" else 1):
                t_ours = t_floor = 0.0
                for i, (data, p) in enumerate(zip(datas, files)):
                    steps = [0, 1] if (i + k) % 2 == 0 else [1, 0]
                    for which in steps:
                        if which == 1 and floor_fn is None:
                            continue
                        t0 = time.perf_counter()
                        extract_bytes(data, str(p)) if which == 0 else floor_fn(data)
                        if which == 0:
                            t_ours += time.perf_counter() - t0
                        else:
                            t_floor += time.perf_counter() - t0
                ours.append(t_ours)
                floors.append(t_floor)
            dt = min(ours)
            row = {
                "documents": len(datas),
                "repeats": len(ours),
                "docs_per_s": round(len(datas) / dt, 2),
                "docs_per_s_median": round(len(datas) / statistics.median(ours), 2),
            }
            if pages:
                row["pages"] = pages
                row["pages_per_s"] = round(pages / dt, 2)
            if kind == "scan":
                row["ocr_seconds_per_page"] = round(dt / pages, 2)
                # What a document gets in a national run (two workers on a 2-core machine, one
                # core each): the projection's cost of a scanned page (bench/scale.py).
                t0 = time.perf_counter()
                for data, p in zip(datas, files):
                    extract_bytes(data, str(p), cores=1)
                row["ocr_one_core_seconds_per_page"] = round((time.perf_counter() - t0) / pages, 2)
            if floor_fn:
                ratios = [o / f for o, f in zip(ours, floors)]
                row["floor"] = label
                row["ratio_to_floor_min"] = round(min(ratios), 2)
                row["ratio_to_floor_median"] = round(statistics.median(ratios), 2)
            out[kind] = row
            print(f"  {kind}: {row}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--text", type=int, default=1000)
    ap.add_argument("--crawl-pages", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument(
        "--no-scale",
        action="store_true",
        help="skip bench/scale.py and bench/national.py (Dask workers, shard loads, 10 k/100 k warehouses)",
    )
    args = ap.parse_args()
    print(f"generating {args.pages} report pages …", flush=True)
    pages = [p for _, p in corpus(args.pages)]
    gc.collect()
    results = {"html": bench_html(pages)}
    print("html ", results["html"], flush=True)
    texts = [as_text(p) for p in pages[: args.text]]
    results["text"] = bench_text(texts)
    print("text ", results["text"], flush=True)
    results["load"] = bench_load(pages)
    print("load ", results["load"], flush=True)
    small, large = max(50, args.pages // 8), max(200, args.pages // 2)
    results["memory"] = {
        f"peak_rss_mb_{small}_pages": peak_rss_mb(small),
        f"peak_rss_mb_{large}_pages": peak_rss_mb(large),
    }
    print("memory", results["memory"], flush=True)
    results["crawl"] = bench_crawl(args.crawl_pages)
    print("crawl", results["crawl"], flush=True)
    results["discovery"] = bench_discovery()
    print("discovery", results["discovery"], flush=True)
    results["formats"] = bench_formats()
    print("formats", results["formats"], flush=True)
    from bench import ocr_vs_rapidocr  # scans against RapidOCR's own pipeline, fresh processes

    results["ocr_vs_rapidocr"] = ocr_vs_rapidocr.compare(4)
    if not args.no_scale:
        from bench import (
            scale,  # Dask workers, scheduling overhead, shard loads, the national projection
        )

        results["scale"] = scale.run(results)
        from bench import (
            national,  # warehouses of 10 k and 100 k reports, ingest and queries on them
        )

        results["national"] = national.run([10_000, 100_000])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
