"""``ogi`` — the command line, a thin shell over :mod:`pipeline.api`.

Exit codes: 0 success; 1 some documents failed (the rest loaded, failures recorded); 2 usage error;
130 interrupted. A user's mistake is one line on stderr, never a traceback (``-v`` shows one for
a bug).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from . import formats
from .errors import UsageError
from .locked import dask_security
from .settings import (
    DEFAULT_CRAWL,
    DEFAULT_DB,
    DEFAULT_EXPORT,
    DEFAULT_REPORT,
    DEMO_CRAWL,
    DEMO_DB,
)

EPILOG = """examples:
  ogi --version
  ogi extract data/samples/luanhe-2023.txt --json
  ogi ingest                      # the bundled real reports into data/ogi.duckdb (what `make ingest` runs)
  ogi ingest --demo               # the generated example corpus into data/demo.duckdb (never cite it)
  ogi ingest reports/ --db /tmp/ogi.duckdb
  ogi crawl --sources crawlers/sources/provinces.csv      # the real web (politely)
  ogi ingest --crawl data/crawl --workers 2                 # extraction on a local Dask cluster
  ogi check
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ogi",
        description="Open-government-information annual reports → checked, canonical numbers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    p.add_argument("--version", action="version", version=f"ogi {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    e = sub.add_parser(
        "extract",
        help="parse documents and print canonical JSON; writes nothing",
        description="Parse documents and print one canonical JSON object per document, one per "
        "line (or a short summary). Nothing is written to a database. Formats: "
        f"{formats.help_text()}. The kind is read from the bytes, not the file name.",
    )
    e.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, or directories to search for documents"
    )
    e.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line (the default is a short summary)",
    )

    cr = sub.add_parser(
        "crawl",
        help="crawl the portals of a source registry and store their reports",
        description="Crawl every source in a registry CSV politely (robots.txt, 1-2 requests per "
        "site, delays), store report pages and attachments content-addressed under "
        "OUT/raw with a manifest, and record one outcome per source.",
    )
    cr.add_argument(
        "--sources",
        required=True,
        metavar="FILE.csv",
        help="source registry (see crawlers/sources)",
    )
    cr.add_argument(
        "--out",
        default=str(DEFAULT_CRAWL),
        help=f"where documents and the manifest go (default: {DEFAULT_CRAWL})",
    )
    cr.add_argument(
        "--mirror",
        metavar="DIR",
        help="serve DIR/NAME on 127.0.0.1 for entry URLs starting {mirror:NAME}",
    )
    cr.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="settings",
        help="a Scrapy setting for this crawl, e.g. -s DOWNLOAD_DELAY=3 (repeatable)",
    )
    cr.add_argument(
        "--redis",
        metavar="URL",
        help="do not crawl here: queue the sources in Redis for `ogi crawl-worker`s "
        "(e.g. redis://HOST:6379/0; the password from OGI_REDIS_PASSWORD or --redis-password-file)",
    )
    _locked_redis_options(cr)

    cw = sub.add_parser(
        "crawl-worker",
        help="take sources queued in Redis and crawl them (run any number, anywhere)",
        description="Take one source at a time from the Redis frontier (`ogi crawl --redis`) and "
        "crawl it with the report spider; a source is leased to one worker at a time and "
        "taken over by another when its worker dies. Documents go to the shared OUT "
        "folder (content-addressed), provenance to OUT/manifest.WORKER.jsonl. The worker "
        "stops when no source is queued or being crawled.",
        epilog="example (two machines sharing /shared; redis-server --requirepass on hostA):\n"
        "  $ export OGI_REDIS_PASSWORD=...            # or --redis-password-file FILE\n"
        "  hostA$ ogi crawl --sources registry.csv --redis redis://hostA:6379/0\n"
        "  hostA$ ogi crawl-worker --redis redis://hostA:6379/0 --out /shared/crawl\n"
        "  hostB$ ogi crawl-worker --redis redis://hostA:6379/0 --out /shared/crawl\n"
        "  hostA$ ogi ingest --crawl /shared/crawl\n"
        "A Redis on another machine without a password is refused unless --insecure.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cw.add_argument(
        "--redis", required=True, metavar="URL", help="the frontier (e.g. redis://HOST:6379/0)"
    )
    _locked_redis_options(cw)
    cw.add_argument(
        "--out",
        default=str(DEFAULT_CRAWL),
        help=f"shared document store (default: {DEFAULT_CRAWL})",
    )
    cw.add_argument(
        "--mirror",
        metavar="DIR",
        help="serve DIR's sites on 127.0.0.1 for {mirror:NAME} entry URLs",
    )
    cw.add_argument(
        "--lease",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long a source stays held by a worker that stopped answering (default: 30)",
    )
    cw.add_argument(
        "--worker-id", metavar="NAME", help="this worker's name (default: host-pid-random)"
    )
    cw.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="settings",
        help="a Scrapy setting, e.g. -s DOWNLOAD_DELAY=3 (repeatable)",
    )

    dv = sub.add_parser(
        "discover",
        help="registry rows for the bodies a portal lists (grow the registry)",
        description="Read the lists of subordinate bodies on government portals (footer <select> "
        "menus, blocks headed 县(市、区)政府 / 市直部门 / 政府网站, 信息公开 机构 lists), "
        "politely and obeying robots.txt, and write registry rows for the bodies not yet "
        "in the registry, each marked with the page that listed it (discovered_from).",
        epilog="example:\n  ogi discover https://www.fujian.gov.cn/ --depth 2 "
        "--sources crawlers/sources/provinces.csv --out fujian.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dv.add_argument("urls", nargs="+", metavar="URL", help="portal home pages")
    dv.add_argument(
        "--depth",
        type=int,
        default=1,
        help="1: the bodies these portals list; 2: and the bodies "
        "their listed governments list (province → prefectures → counties)",
    )
    dv.add_argument(
        "--out", required=True, metavar="FILE.csv", help="where to write the new registry rows"
    )
    dv.add_argument(
        "--sources", metavar="FILE.csv", help="a registry whose bodies are not written again"
    )
    dv.add_argument(
        "--mirror",
        metavar="DIR",
        help="serve DIR's host folders on 127.0.0.1 instead of the web (tests, demos)",
    )

    i = sub.add_parser(
        "ingest",
        help="[crawl +] extract + check + load into DuckDB (idempotent)",
        description="Extract, check and load documents into the DuckDB warehouse. Re-running on the "
        "same bytes changes nothing; a failed document is recorded and the batch goes on.",
    )
    i.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories (default: the bundled corpus of real reports: those with a "
        "known URL crawled from the offline mirror data/mirror, the rest from data/samples)",
    )
    i.add_argument("--db", help=f"warehouse file (default: {DEFAULT_DB}; with --demo, {DEMO_DB})")
    i.add_argument(
        "--demo",
        action="store_true",
        help=f"the generated example corpus instead, into its own warehouse ({DEMO_DB}): never cite it",
    )
    i.add_argument(
        "--sources", metavar="FILE.csv", help="crawl this registry first and ingest what it stored"
    )
    i.add_argument("--out", help=f"crawl output folder (default: {DEFAULT_CRAWL})")
    i.add_argument(
        "--crawl",
        metavar="DIR",
        help="ingest an existing crawl folder (its manifest keeps URLs and fetch times)",
    )
    i.add_argument(
        "--mirror",
        metavar="DIR",
        help="serve DIR/NAME on 127.0.0.1 for entry URLs starting {mirror:NAME} (offline mirror)",
    )
    i.add_argument(
        "--snapshot",
        action="store_true",
        help="publish a read-only snapshot for notebooks (data/snapshot/; the default for the default --db)",
    )
    i.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="extract on a Dask LocalCluster of N worker processes on this machine (see --scheduler)",
    )
    i.add_argument(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="extract on an existing Dask cluster; its workers must see the documents and --shards "
        "at the same paths (a shared filesystem)",
    )
    i.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="certificates for a tls:// scheduler: ca.pem, node.pem, node.key (default: "
        "OGI_TLS_DIR, else certs/ from `make certs`)",
    )
    i.add_argument(
        "--insecure",
        action="store_true",
        help="allow a plain tcp:// scheduler on another machine (a network you trust)",
    )
    i.add_argument(
        "--shards",
        metavar="DIR",
        help="where Dask workers write Parquet shards (default: SHARDS beside the "
        "crawl store, or DB.shards beside the warehouse)",
    )
    i.add_argument("--no-progress", action="store_true", help="no progress bar")

    c = sub.add_parser(
        "check",
        help="data-quality summary of a warehouse",
        description="Identities broken, reports missing tables and extraction errors.",
    )
    c.add_argument("--db", default=str(DEFAULT_DB), help=f"warehouse file (default: {DEFAULT_DB})")
    c.add_argument("--details", action="store_true", help="list every failed check")
    c.add_argument(
        "--jurisdictions",
        action="store_true",
        help="list every report's jurisdiction, code and scope",
    )
    c.add_argument(
        "--sources",
        metavar="FILE.csv",
        help="coverage: which registry bodies lack a report, or were late",
    )
    c.add_argument(
        "--years",
        default=None,
        metavar="FROM-TO",
        help="years for coverage (default: those in the warehouse)",
    )
    cv = sub.add_parser(
        "covariates",
        help="load your table of population, caseload, budget … by division code and year",
        description="Load a CSV keyed by GB/T 2260 division code and year into the warehouse "
        "(table covariate) for the view metrics_per_capita: one column per covariate "
        "(division_code,year,population,budget) or the long form division_code,year,name,value. "
        "Codes the GB/T 2260 table does not know and code-years no report has are listed. "
        "No covariate data is bundled.",
        epilog="example:\n  ogi covariates population.csv\n"
        "  ogi serve   # then the view metrics_per_capita: applications_per_10k …",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cv.add_argument("file", metavar="FILE.csv", help="the covariates (UTF-8 CSV)")
    cv.add_argument("--db", default=str(DEFAULT_DB), help=f"warehouse file (default: {DEFAULT_DB})")

    rp = sub.add_parser(
        "report",
        help="write a static, offline HTML report with the comparison charts",
        description="Charts and tables comparing jurisdictions and years, in one HTML page that "
        "works offline (plotly.js bundled once), plus a PNG of each chart.",
    )
    rp.add_argument(
        "--db",
        default=None,
        help="warehouse (default: the published snapshot, else data/ogi.duckdb)",
    )
    rp.add_argument(
        "--out", default=str(DEFAULT_REPORT), help=f"output folder (default: {DEFAULT_REPORT})"
    )
    rp.add_argument("--no-png", action="store_true", help="skip PNG exports")
    rp.add_argument(
        "--include-generated",
        action="store_true",
        help="include the generated example reports of the bundled corpus (marked on every chart)",
    )

    sv = sub.add_parser(
        "serve",
        help="browse the warehouse in datasette (read-only)",
        description="Serve the warehouse's views read-only in datasette: facets by province, level, "
        "year, scope, format and status; canned queries (grant rate by province × year, "
        "litigation per 100 applications, reports with failed checks); every number "
        "linked to its report, raw text, page and source URL; CSV/JSON downloads. "
        "Serves a SQLite copy of the views (rebuilt when the warehouse is newer).",
        epilog="example:\n  ogi serve --port 8001     # then open http://127.0.0.1:8001/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sv.add_argument(
        "--db",
        default=None,
        help="warehouse (default: the published snapshot, else data/ogi.duckdb)",
    )
    sv.add_argument("--port", type=int, default=8001, help="port (default: 8001)")
    sv.add_argument(
        "--host", default="127.0.0.1", help="interface (default: 127.0.0.1, this machine only)"
    )
    sv.add_argument(
        "--rebuild", action="store_true", help="rebuild the SQLite copy even if it is up to date"
    )

    ex = sub.add_parser(
        "export",
        help="export every view as Parquet (partitioned by year) or CSV",
        description="Every warehouse view, with a data dictionary (column, meaning, unit, Chinese label).",
    )
    ex.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    ex.add_argument(
        "--out", default=str(DEFAULT_EXPORT), help=f"output folder (default: {DEFAULT_EXPORT})"
    )
    ex.add_argument(
        "--db",
        default=None,
        help="warehouse (default: the published snapshot, else data/ogi.duckdb)",
    )
    ex.add_argument(
        "--excel",
        action="store_true",
        help="CSV for Excel: UTF-8 with a byte-order mark, so Chinese opens intact by double-click",
    )
    return p


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ogi-reports")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    from . import interrupts

    interrupts.install()
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 2
    # `ogi ingest` on a process pool: its workers start now and import the extractor while this
    # process imports the rest of the pipeline (half a second of one core, otherwise)
    args.pool = _early_pool(args)
    from . import api  # noqa: F401 - the pipeline, imported while the early pool warms up

    handler = {
        "extract": _extract,
        "ingest": _ingest,
        "check": _check,
        "crawl": _crawl,
        "report": _report,
        "export": _export,
        "covariates": _covariates,
        "discover": _discover,
        "serve": _serve,
        "crawl-worker": _crawl_worker,
    }[args.command]
    try:
        code = handler(args)
        if interrupts.interrupted():  # the command stopped gracefully (a crawl loads what it had)
            return _interrupted()
        return code
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:
        if interrupts.interrupted():  # DuckDB's InterruptException, a pipe closed by the stop …
            return _interrupted()
        return _failed(exc, args)
    finally:
        if args.pool is not None:
            args.pool.close()


def _interrupted() -> int:
    from . import interrupts

    print(
        f"ogi: interrupted ({interrupts.signal_name()}); what was loaded stays loaded, "
        "nothing half-written",
        file=sys.stderr,
        flush=True,
    )
    return interrupts.exit_code()


def _failed(exc: Exception, args) -> int:
    """The exit code and one line for an exception a command ended with."""
    if isinstance(exc, UsageError):  # a user's mistake, or a warehouse that cannot open
        print(f"ogi: {exc}", file=sys.stderr)
        return 2
    if isinstance(exc, BrokenPipeError):
        # The reader went away (ogi check | head): not an error. Point stdout at /dev/null so the
        # interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.verbose:  # a bug: one line, the traceback with -v
        raise exc
    print(
        f"ogi: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
        file=sys.stderr,
    )
    return 1


def _early_pool(args):
    """The process pool of an `ogi ingest` that extracts here (not on Dask, not after a crawl:
    a pool would idle through it), warming up; None otherwise."""
    if args.command != "ingest":
        return None
    crawls = args.sources or args.demo or not (args.paths or args.crawl)  # a bundled corpus crawls
    if crawls or args.workers or args.scheduler:
        return None
    from .run.pool import ExtractPool, workers_default

    if workers_default() < 2:
        return None
    pool = ExtractPool()
    pool.warm()
    return pool


def _discover(args) -> int:
    from crawlers.registry import RegistryError
    from crawlers.run import discover, write_registry

    if args.depth < 1:
        print("ogi: --depth must be 1 or more", file=sys.stderr)
        return 2
    try:
        rows, failures = discover(
            args.urls, depth=args.depth, known=args.sources, mirror=args.mirror
        )
        write_registry(rows, args.out)
    except (RegistryError, OSError, ValueError) as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return 2
    for url, why in failures:
        print(f"error: {url}: {why}", file=sys.stderr)
    print(f"wrote {len(rows)} new registry rows to {args.out}")
    return 1 if failures and not rows else 0


def _existing_db(db: str | None) -> str | None:

    if db and not Path(db).exists():
        raise UsageError(f"no warehouse at {db}; run `ogi ingest --db {db}` first")
    return db


def _report(args) -> int:
    from .analysis.report import NothingToReport, write_report

    try:
        path = write_report(
            args.out,
            db=_existing_db(args.db),
            png=not args.no_png,
            include_generated=args.include_generated,
            progress=sys.stderr.isatty(),
        )
    except NothingToReport as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def _serve(args) -> int:
    from .analysis.serve import serve

    return serve(_existing_db(args.db), port=args.port, host=args.host, rebuild=args.rebuild)


def _export(args) -> int:
    from .analysis.export import export

    files = export(args.out, fmt=args.format, db=_existing_db(args.db), excel=args.excel)
    print(f"wrote {len(files)} files under {args.out}")
    return 0


def _crawl_bar(sources: str):
    """A progress bar over the registry's sources for the crawl phase (a terminal only)."""
    from tqdm import tqdm

    from crawlers.registry import load

    try:
        total = len(load(sources))
    except Exception:  # noqa: BLE001 - the crawl itself says what is wrong with the registry
        return None
    bar = tqdm(total=total, unit="source", desc="crawl", leave=False)
    found = {"bodies": 0, "reports": 0}

    def step(outcome: dict) -> None:
        found["bodies"] += bool(outcome.get("reports"))
        found["reports"] += outcome.get("reports") or 0
        bar.update(1)
        bar.set_postfix_str(
            f"{found['bodies']} bodies with reports, {found['reports']} reports; "
            f"{outcome['source_id']}: {outcome['outcome']}"
        )
        if bar.n >= total:
            bar.close()

    return step


def _crawl(args) -> int:
    from crawlers.registry import RegistryError
    from crawlers.run import crawl

    if args.redis:
        return _queue(args)
    try:
        result = crawl(
            args.sources,
            out_dir=args.out,
            mirror=args.mirror,
            overrides=_scrapy_settings(args.settings),
            progress=_crawl_bar(args.sources) if sys.stderr.isatty() else None,
        )
    except (RegistryError, OSError, ValueError) as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return 2
    for o in result.outcomes:
        print(f"{o['source_id']:24s} {o['outcome']:18s} {o['detail']}")
    for o in result.outcomes:
        if o.get("trail"):  # reached through the walk: pin the row to the column next time
            print(
                f"tip: {o['source_id']}: set entry_url to {o['column_url']} (reached via {' > '.join(o['trail'])})"
            )
    if result.errors:
        print(
            f"{len({e['url'] for e in result.errors})} URLs failed for good (listed in {result.store.errors_path})"
        )
    print(f"{len(result.stored)} documents stored this run under {result.store.raw}")
    if result.interrupted:
        return 130  # (main says so, with the signal's own code)
    return 0 if result.ok else 1


def _locked_redis_options(parser) -> None:
    parser.add_argument(
        "--redis-password-file",
        metavar="FILE",
        help="the Redis password, on the first line of FILE (else OGI_REDIS_PASSWORD); "
        "never on the command line",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow a Redis on another machine without a password (a network you trust)",
    )


def _redis(args):
    """The frontier's address, its password from a file or the environment; refused when it is
    on another machine and open (unless --insecure)."""
    from crawlers import frontier

    if urlsplit(args.redis).password:
        print(
            "ogi: warning: a password in the URL shows in `ps` and the shell's history; "
            "prefer OGI_REDIS_PASSWORD or --redis-password-file",
            file=sys.stderr,
        )
    where = frontier.RedisAddress.resolve(args.redis, args.redis_password_file)
    frontier.require_locked(where, args.insecure)
    return where


def _scrapy_settings(pairs: list[str]) -> dict:
    """-s NAME=VALUE pairs (values read as JSON when they are: numbers, true/false, lists)."""
    import json

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s {pair}: expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=3")
        try:
            out[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[name.strip()] = value
    return out


def _queue(args) -> int:
    from crawlers import frontier, registry

    where = _redis(args)
    try:
        rows = registry.load(args.sources)
        n = frontier.queue_sources(where, rows)
        st = frontier.status(where)
    except (registry.RegistryError, OSError, ValueError) as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return 2
    except frontier.RedisError as exc:
        print(f"ogi: Redis at {where}: {exc}", file=sys.stderr)
        return 2
    print(
        f"queued {n} sources ({len(rows) - n} already queued or being crawled) in {where}: "
        f"{st['queued']} queued, {st['active']} being crawled, {st['done']} done"
    )
    print(f"now run `ogi crawl-worker --redis {where} --out DIR` on as many machines as you like")
    return 0


def _crawl_worker(args) -> int:
    from crawlers import frontier

    if args.lease <= 0:
        raise UsageError("--lease must be more than 0 seconds")
    where = _redis(args)

    def line(o: dict) -> None:
        print(f"{o['source_id']:24s} {o['outcome']:18s} {o['detail']}", flush=True)

    try:
        done = frontier.work(
            where,
            args.out,
            mirror=args.mirror,
            lease_s=args.lease,
            worker_id=args.worker_id,
            progress=line,
            overrides=_scrapy_settings(args.settings),
        )
    except frontier.RedisError as exc:
        print(f"ogi: Redis at {where}: {exc}", file=sys.stderr)
        return 2
    interrupted = any(o["outcome"] == "interrupted" for o in done)
    print(f"{len(done)} sources crawled by this worker; {frontier.status(where)}")
    return 130 if interrupted else 0


def _extract(args) -> int:
    from . import api

    failed = 0
    for path in api.iter_documents(args.paths):
        report = api.extract_file(path)
        failed += bool(report.error)
        if args.json:
            print(report.json_line(), flush=True)
        elif report.error:
            print(f"{path}: ERROR {report.error}")
        else:
            bad = sum(not c.ok for c in report.checks)
            cells = sum(len(c) for rows in report.tables.values() for c in rows.values())
            print(
                f"{path}: {report.issuer or '?'} {report.year or '?'} format {report.format}, "
                f"{cells} cells, {len(report.checks) - bad}/{len(report.checks)} checks ok"
                + (f", {len(report.warnings)} warnings" if report.warnings else "")
            )
        if report.error and args.json:
            print(f"error: {path}: {report.error}", file=sys.stderr)
    return 1 if failed else 0


def _ingest(args) -> int:
    from . import api

    def on_error(source: str, reason: str) -> None:
        print(f"error: {source}: {reason}", file=sys.stderr)

    bar = not args.no_progress and sys.stderr.isatty()
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be 1 or more")
    if args.workers and args.scheduler:
        raise UsageError(
            "--workers starts a cluster here, --scheduler uses one elsewhere: give one of them"
        )
    if args.demo and (args.paths or args.sources or args.crawl):
        raise UsageError(
            "--demo ingests the demo corpus: give no paths, --sources or --crawl with it"
        )
    args.db = args.db or str(DEMO_DB if args.demo else DEFAULT_DB)
    paths = list(args.paths)
    crawl = None
    if args.sources:
        crawl = api.CrawlFirst(
            args.sources,
            out=args.out or DEFAULT_CRAWL,
            mirror=args.mirror,
            progress=_crawl_bar(args.sources) if bar else None,
        )
    elif args.demo or not (paths or args.crawl):  # a bundled corpus
        corpus = (
            api.demo_corpus(args.out or DEMO_CRAWL)
            if args.demo
            else api.bundled_corpus(args.out or DEFAULT_CRAWL)
        )
        paths, crawl = corpus.paths, corpus.crawl
        crawl.progress = _crawl_bar(crawl.sources) if bar else None
    if args.workers or args.scheduler:
        extraction = api.ExtractOnDask(
            args.workers,
            args.scheduler,
            args.shards,
            security=dask_security(args.scheduler, args.tls_dir, args.insecure),
        )
    else:
        extraction = api.ExtractHere(pool=args.pool)
    summary = api.ingest(
        paths,
        db=args.db,
        crawl=crawl,
        crawl_dir=args.crawl,
        extraction=extraction,
        publish=True if args.snapshot else None,
        progress=bar,
        on_error=on_error,
    )
    for o in summary.outcomes:
        if o["outcome"] != "ok":
            print(f"crawl: {o['source_id']}: {o['outcome']}: {o['detail']}", file=sys.stderr)
    print(f"ingested into {args.db}")
    for line in summary.lines():
        print("  " + line)
    return summary.exit_code  # (an interrupted crawl: main says so and exits 130/143)


def _covariates(args) -> int:
    from . import api

    _existing_db(args.db)
    loaded = api.load_covariates(args.file, args.db)
    for line in loaded.lines():
        print(line)
    return 0


def _check(args) -> int:
    from . import api

    _existing_db(args.db)
    import pandas as pd

    q = api.quality_summary(args.db)
    with pd.option_context(
        "display.max_rows", 200, "display.width", 200, "display.max_colwidth", 80
    ):
        print("reports by status:")
        print(_indent(q["reports"]))
        print("\nfailed checks:")
        print(_indent(q["failed_checks"]) if len(q["failed_checks"]) else "  none")
        if args.details and len(q["failed_check_details"]):
            print(_indent(q["failed_check_details"]))
        print(
            "\nreports from which no number was read (pre2019: a 2008–2018 report with no 统计表 "
            "and no figure in its text; no_tables: the same, 2019 or later):"
        )
        print(_indent(q["without_numbers"]) if len(q["without_numbers"]) else "  none")
        print(
            "\nreports with a table they show but no cell of it read (unread: a shape of text "
            "no reader knows; see what was seen, and where):"
        )
        print(_indent(q["unread"]) if len(q["unread"]) else "  none")
        print("\nreports (2019/2021 format) missing tables:")
        print(_indent(q["missing_tables"]) if len(q["missing_tables"]) else "  none")
        print(
            "\nchecks across reports (cross_year.carry, proactive.stock_flow, copy_paste, aggregate_vs_agency):"
        )
        print(_indent(q["cross_report"]) if len(q["cross_report"]) else "  none failed")
        print("\nextraction errors:")
        print(_indent(q["errors"]) if len(q["errors"]) else "  none")
        if args.jurisdictions:
            print("\nreports and their jurisdictions:")
            print(_indent(q["jurisdictions"]))
        if args.sources:
            cov = api.coverage(args.db, args.sources, args.years)
            print("\ncoverage of the registry:")
            print(
                _indent(cov) if len(cov) else "  every source has a report for every year, on time"
            )
    return 0


def _indent(df) -> str:
    return "\n".join("  " + line for line in df.to_string(index=False).splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
