"""Build the bundled offline mirror of the real reports in data/samples.

    python data/mirror/build.py        # writes data/mirror/ and crawlers/sources/bundled.csv

Every real report of ``data/samples`` whose ``.expected.json`` records where it came from is
served by the mirror (crawlers/mirror.py) at that address: the publisher's URL where the source
names one ("original https://…", or a URL the text was excerpted from), else the archive's
(a public GitHub repository at a commit, as raw.githubusercontent.com serves it). A copy taken
from an archive is served with ``Link: <archive>; rel="memento"`` (RFC 7089), so the crawl
records both. The bytes are served from the one copy in data/samples (``urls.json``); the
mirror's own files are the column pages that list them — one per reporting body, in the
registry ``crawlers/sources/bundled.csv`` — marked as the mirror's (never reports).

Two samples record no URL (the founding example and one excerpt): `make ingest` reads them as
local files. A test fails if this folder or the registry drift from what this script writes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
MIRROR = ROOT / "data" / "mirror"
REGISTRY = ROOT / "crawlers" / "sources" / "bundled.csv"

_ORIGINAL = re.compile(r"original (https?://\S+?)[;,)]?(?:\s|$)")
_LEADING_URL = re.compile(r"^(https?://\S+)")
_GITHUB = re.compile(
    r"(?:GitHub )?(?P<repo>[\w.-]+/[\w.-]+),? (?:path )?(?P<path>\S+?) \(?(?:commit )?(?P<commit>[0-9a-f]{40})"
)
TYPES = {".html": "text/html", ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8"}
LEVELS = {"city": "prefecture", "district": "county"}  # the samples' words -> the registry's
# Bodies whose excerpt names itself only as 我局 / 我乡: the registry names them from their URL
# and the samples' README (what is known; a department not named in the URL stays generic).
NAMES = {
    "tunchang_xianbumen": "屯昌县政府部门",  # tunchang.hainan.gov.cn …/xgbmxxgk/ (县各部门信息公开)
    "hainan_shiyaojianju": "海南省食品药品监督管理局",  # amr.hainan.gov.cn/himpa/
    "shenzhen_longgangqu_bumen": "深圳市龙岗区政府工作部门",  # www.lg.gov.cn …/qzfgzbm/ (区政府工作部门)
    "lintao_shangyingxiang": "临洮县上营乡",  # www.lintao.gov.cn; data/samples/README.md
}
_DATED = re.compile(r"^(?:\d{4,8}|t\d{8}_\d+|\d+_.*|art_\d+_\d+)$")


def where_from(source: str) -> tuple[str | None, str | None]:
    """(the publisher's URL, the archive's URL) a sample's `source` records."""
    publisher = None
    m = _ORIGINAL.search(source) or _LEADING_URL.match(source)
    if m:
        publisher = m.group(1).rstrip(".;,)")
    archive = None
    g = _GITHUB.search(source)
    if g:
        archive = f"https://raw.githubusercontent.com/{g['repo']}/{g['commit']}/{quote(g['path'])}"
    return publisher, archive


def column_of(url: str) -> str:
    """The listing page a body's reports hang from: the URL's folder without the dated or
    per-report folders CMSs put each report in."""
    p = urlsplit(url)
    parts = p.path.split("/")[1:-1]
    while parts and _DATED.match(parts[-1]):
        parts.pop()
    return f"{p.scheme}://{p.netloc}/" + "".join(part + "/" for part in parts)


def body_of(stem: str) -> str:
    """pingtan_2019 -> pingtan; 013_tunchang_xianbumen_2015 -> tunchang_xianbumen."""
    return re.sub(r"_(?:19|20)\d{2}$", "", re.sub(r"^\d{3}_", "", stem))


def documents() -> list[dict]:
    from crawlers.discovery import is_report_title
    from pipeline.api import extract_file

    out = []
    for expected in sorted(SAMPLES.rglob("*.expected.json")):
        meta = json.loads(expected.read_text(encoding="utf-8"))
        stem = expected.name[: -len(".expected.json")]
        doc = next(p for p in expected.parent.glob(stem + ".*") if p.suffix != ".json")
        publisher, archive = where_from(meta.get("source") or "")
        url = publisher or archive
        if url is None:
            continue  # no URL recorded: read as a local file
        report = extract_file(doc)
        title, year = report.title, meta.get("year")
        if not (title and is_report_title(title)):
            name = (meta.get("jurisdiction") or report.issuer or "").split("（")[0]
            title = f"{name}{year}年政府信息公开工作年度报告"
        out.append(
            {
                "url": url,
                "archive": archive if publisher else None,
                "file": "../" + doc.relative_to(MIRROR.parent).as_posix(),  # from data/mirror
                "type": TYPES[doc.suffix],
                "title": title,
                "body": body_of(stem) + ("" if publisher else "-archive"),
                "name": (
                    meta.get("jurisdiction") or report.issuer or NAMES.get(body_of(stem), "")
                ).split("（")[0],
                "level": LEVELS.get(meta.get("level"), meta.get("level") or ""),
            }
        )
    return out


INDEX = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name} 政府信息公开年报</title>
<meta name="ogi-generated" content="data/mirror/build.py: the mirror's own listing page, not the publisher's">
</head>
<body><h1>{name} 政府信息公开年报</h1>
<p>这是 OGI Reports 离线镜像自己的栏目页，列出镜像保存的报告；报告本身按其原始地址提供。
This is the offline mirror's own listing page; the reports it lists are served at their own addresses.</p>
<ul>
{items}
</ul></body></html>
"""


def render() -> dict[Path, str]:
    """Every file the mirror and its registry consist of, by path, with its text."""
    docs = documents()
    files: dict[Path, str] = {}
    entries = [{k: d[k] for k in ("url", "file", "type", "archive") if d[k]} for d in docs]
    files[MIRROR / "urls.json"] = json.dumps(entries, ensure_ascii=False, indent=1) + "\n"
    by_column: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        by_column[column_of(d["url"])].append(d)
    rows = []
    for column, group in sorted(by_column.items()):
        group.sort(key=lambda d: (not d["name"], d["url"]))
        p = urlsplit(column)
        names = list(dict.fromkeys(d["name"] for d in group if d["name"]))
        items = "\n".join(
            f'<li><a href="{html.escape(d["url"])}">{html.escape(d["title"])}</a></li>'
            for d in sorted(group, key=lambda d: d["url"])
        )
        page = MIRROR / p.hostname / p.path.lstrip("/") / "index.html"
        files[page] = INDEX.format(name=html.escape("、".join(names)), items=items)
        archived = "raw.githubusercontent.com" in column
        levels = {d["level"] for d in group}
        rows.append(
            {
                # one registry row per column (a column of an archive may hold several bodies)
                "source_id": group[0]["body"].replace("_", "-"),
                "name": "、".join(names),
                "level": levels.pop() if len(levels) == 1 else "",
                "parent_id": "",
                "division_code": "",
                "entry_url": column,
                "family": "",
                "verified": "bundled mirror at the archive's URLs"
                if archived
                else "bundled mirror at the publisher's URLs",
            }
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files[REGISTRY] = buf.getvalue()
    return files


def build() -> None:
    files = render()
    for child in MIRROR.iterdir() if MIRROR.exists() else []:
        if child.name != "build.py":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"{MIRROR}: {len(json.loads((MIRROR / 'urls.json').read_text()))} documents; {REGISTRY}")
