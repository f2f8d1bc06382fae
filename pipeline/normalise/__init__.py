"""Stage 2 — lines of cells to a canonical :class:`pipeline.model.Report`.

Finds the six sections, decides the format version from the table headers, reads the three
tables into canonical keys (:mod:`.tables`), and the metadata (:mod:`.metadata`, :mod:`.names`).
Raises :class:`ExtractionError` for documents that are not annual reports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .. import catalogue as cat
from ..model import Extracted, ExtractionError, Line, Report, Section
from . import metadata as md
from . import names
from .tables import detect_format, parse_appeals, parse_applications, parse_proactive

_NARRATIVE_APPS = re.compile(
    r"(?:共|全年|累计)?(?:受理|收到|接收|新收|办理)[^。；;，,、]{0,20}?(?:公开)?申请(?:共)?\s*(\d+)\s*(?:件|项|条|个|宗|份|次)")
_NARRATIVE_NONE = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^。；;]{0,16}申请")


def find_sections(lines: list[Line]) -> list[tuple[int, int, str]]:
    """(section_no, line index, heading) for the mandated headings, in document order."""
    found: list[tuple[int, int, str]] = []
    last = 0
    for i, line in enumerate(lines):
        cells = [c for c in line.cells if c]
        if not cells or len(cells) > 2 or sum(map(len, cells)) > 60:
            continue
        joined = "".join(cells)
        if not any(w in joined for w in cat.SECTION_HEADING_WORDS):
            continue
        text = cat.compact(joined)
        if len(text) > 40:
            continue
        for no, heading, rx in cat.SECTION_HEADINGS:
            if no > last and rx.match(text):
                found.append((no, i, cells[0] if len(cells) == 1 else "".join(cells)))
                last = no
                break
    return found


@dataclass
class Region:
    """The lines of one section, and whether it runs to the end of the document (maybe cut off)."""
    lines: list[Line]
    to_end: bool

    @cached_property
    def text(self) -> str:
        return _text(self.lines)

    @cached_property
    def squashed(self) -> str:
        return cat.squash(self.text)


def _regions(lines: list[Line], heads: list[tuple[int, int, str]]) -> dict[int, Region]:
    out: dict[int, Region] = {}
    for k, (no, idx, _) in enumerate(heads):
        end = heads[k + 1][1] if k + 1 < len(heads) else len(lines)
        out[no] = Region(lines[idx + 1:end], k + 1 == len(heads))
    if not heads:
        out[0] = Region(lines, True)
    elif heads[0][1]:
        out[0] = Region(lines[:heads[0][1]], False)
    return out


def _table_region(no: int, regions: dict[int, Region], lines, heads) -> Region | None:
    if no in regions:
        return regions[no]
    if no == 2 and 3 in regions:
        # A fragment that starts inside table 二: what precedes section 三 (after 一, if present).
        start = next((idx + 1 for n, idx, _ in heads if n == 1), 0)
        stop = next(idx for n, idx, _ in heads if n == 3)
        return Region(lines[start:stop], False)
    if not heads:
        return regions[0]
    return None


def _text(lines: list[Line]) -> str:
    return "\n".join(l.text for l in lines)


def normalise(x: Extracted) -> Report:
    lines = x.lines
    line_texts = [l.text.replace("\t", " ") for l in lines]
    full_text = "\n".join(line_texts)
    report = Report(source=x.source, sha256=x.sha256, media_type=x.media_type, method=x.method)
    report.warnings.extend(x.warnings)

    report.title = md.find_title(line_texts, x.meta)
    kind = md.lookalike(report.title, full_text)
    if kind:
        raise ExtractionError(f"this is a {kind}, not a 政府信息公开工作年度报告")

    heads = find_sections(lines)
    regions = _regions(lines, heads)
    fmt = detect_format(" ".join(regions[n].squashed for n in (0, 2, 3) if n in regions))

    w = report.warnings
    if fmt:
        report.format = fmt
        reg = _table_region(2, regions, lines, heads)
        if reg and ("信息内容" in reg.squashed or detect_format(reg.squashed)):
            report.tables["proactive"] = parse_proactive(reg.lines, fmt, w, reg.to_end, reg.squashed)
    reg = _table_region(3, regions, lines, heads)
    if reg and any(k in reg.squashed for k in ("本年新收", "上年结转", "予以公开")):
        report.tables["applications"] = parse_applications(reg.lines, w, reg.to_end, fmt or "2021")
        if not fmt:
            report.format = "2021" if any(k in report.tables["applications"] for k in cat.OTHER_PARTS) else "2019"
    reg = _table_region(4, regions, lines, heads)
    # Inside a found section 四 the table's own words suffice (OCR may lose a header word).
    if reg and ("尚未审结" in reg.squashed or fmt and 4 in regions and "行政复议" in reg.squashed):
        report.tables["appeals"] = parse_appeals(reg.lines, w, reg.to_end)

    has_tables = any(report.tables.values())
    if has_tables:
        for name, rows in report.tables.items():
            if not rows and not any(m.startswith(f"incomplete: table {name}") for m in w):
                w.append(f"incomplete: table {name} not found")
    if not has_tables:
        _require_narrative_report(report.title, line_texts, full_text)

    report.year, year_warning = md.find_year(report.title, full_text, x.source)
    if year_warning:
        w.append(year_warning)
    if not has_tables:
        # Header words in prose are no evidence of the mandated tables.
        report.format = "pre2019" if report.year and report.year < 2019 else "unknown"

    report.issuer = md.find_issuer(report.title, x.meta, full_text)
    report.jurisdiction = md.jurisdiction(report.issuer, report.year)
    report.issuer_key = names.name_key(report.issuer) if report.issuer else None
    if report.jurisdiction["name"]:
        aliases, slips = names.aliases_in_text(full_text, report.jurisdiction["name"])
        report.jurisdiction["aliases"] = aliases + slips
        for s in slips:
            w.append(f"the text also names the issuer {s!r}, one character from "
                     f"{report.jurisdiction['name']!r}: read as a slip for the same body")
    report.scope = md.find_scope(report.title, report.issuer, full_text)
    report.published_on = md.find_published(x.meta, full_text)

    report.sections = _sections(lines, heads, regions)
    report.narrative = _narrative(regions, full_text)
    return report


_REPORT_PROSE = re.compile(r"政府信息公开.{0,16}(?:年度报告|工作报告|情况报告|报告如下|总结如下|年报)")


def _require_narrative_report(title: str | None, line_texts: list[str], full_text: str) -> None:
    """A report without the mandated tables must still read as one: a title or the usual
    opening sentence, and some substance. A column page listing many reports is not one."""
    titles = {t for t in line_texts if len(t) <= 80 and md.TITLE_WORDS.search(t)}
    if len(titles) >= 3 and len(full_text) < 400 * len(titles):
        raise ExtractionError(f"a list of {len(titles)} reports (an index page), not a report")
    body = cat.squash(full_text)
    if not (title or _REPORT_PROSE.search(body[:3000])):
        raise ExtractionError("no annual report found: no 政府信息公开年度报告 title and no report tables")
    if len(body) < 150 or not any(k in body for k in ("主动公开", "依申请", "政府信息公开申请")):
        raise ExtractionError("no annual report found: a title but no report text or tables")


def _sections(lines, heads, regions: dict[int, Region]) -> list[Section]:
    out = []
    if 0 in regions and regions[0].lines:
        out.append(Section(0, "", regions[0].text))
    for no, idx, heading in heads:
        out.append(Section(no, heading, regions[no].text))
    return out


def _narrative(regions, full_text: str) -> dict:
    text = regions[1].text if 1 in regions else full_text[:8000]
    text = text.replace("\t", " ")
    m = _NARRATIVE_APPS.search(text)
    if m:
        return {"applications": int(m.group(1))}
    if _NARRATIVE_NONE.search(text):
        return {"applications": 0}
    return {}
