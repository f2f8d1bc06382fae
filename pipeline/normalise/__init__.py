"""Stage 2 — lines of cells to a canonical :class:`pipeline.model.Report`.

Finds the six sections, decides the format version from the table headers, reads the three
tables into canonical keys (:mod:`.tables`), and the metadata (:mod:`.metadata`, :mod:`.names`).
Raises :class:`ExtractionError` for documents that are not annual reports.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cached_property

from .. import catalogue as cat
from ..model import Extracted, ExtractionError, Line, Provenance, Report, Section
from . import metadata as md
from . import names
from .evidence import table_evidence
from .legacy import read_legacy
from .tables import detect_format, parse_appeals, parse_applications, parse_proactive

_NARRATIVE_APPS = re.compile(
    r"(?:共|全年|累计)?(?:受理|收到|接收|新收|办理)[^。；;，,、]{0,20}?(?:公开)?申请(?:共)?\s*(\d+)\s*(?:件|项|条|个|宗|份|次)"
)
_NARRATIVE_NONE = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^。；;]{0,16}申请")


def find_sections(lines: list[Line]) -> list[tuple[int, int, str, int]]:
    """(section_no, first line, heading, last line) for the mandated headings, in document
    order. A heading may be broken over up to three short lines (one text node per line)."""
    found: list[tuple[int, int, str, int]] = []
    last = 0
    i = 0
    while i < len(lines):
        hit = None
        for k in range(3):
            if i + k >= len(lines):
                break
            cells = [c for l in lines[i : i + k + 1] for c in l.cells if c]
            if (
                not cells
                or (k == 0 and len(cells) > 2)
                or (k and len(cells) != k + 1)
                or sum(map(len, cells)) > 60
            ):
                break
            joined = "".join(cells)
            if not any(w in joined for w in cat.SECTION_HEADING_WORDS):
                continue
            text = cat.compact(joined)
            if len(text) > 40:
                break
            for no, heading, rx in cat.SECTION_HEADINGS:
                if no > last and rx.match(text):
                    hit = (no, i, cells[0] if len(cells) == 1 else joined, i + k)
                    break
            if hit:
                break
        if hit:
            found.append(hit)
            last = hit[0]
            i = hit[3] + 1
        else:
            i += 1
    return found


def table_openers(lines: list[Line]) -> dict[int, int]:
    """First line of each table found by its own header words (tables 二, 三, 四)."""
    out: dict[int, int] = {}
    after = 0
    for no in (2, 3):
        for i in range(after, len(lines)):
            c = cat.compact(lines[i].text)
            if (no == 2 and len(c) > 80) or not any(w in c for w in cat.TABLE_OPENERS[no]):
                continue
            if any(cat.is_sentence(cell) for cell in lines[i].cells if cell):
                continue  # prose that names the table's words
            out[no] = i
            after = i
            break
    # Table 四: a short 行政复议 cell with 行政诉讼 close by and the result columns below it.
    for i in range(after, len(lines)):
        cells = [cat.compact(c) for c in lines[i].cells if c.strip()]
        if not cells or any(p in cells[0] for p in "，。；,"):
            continue  # a sentence about appeals, not the table's header
        # the cell may be broken over lines (行政 / 复议)
        head = (
            cells[0] if len(cells) > 1 else cat.compact("".join(l.text for l in lines[i : i + 3]))
        )
        if not head.startswith(("行政复议", "四、行政复议")):
            continue
        window = cat.squash(" ".join(l.text for l in lines[i : i + 24]))
        if "行政诉讼" in window and any(w in window for w in cat.APPEALS_WORDS):
            out[4] = i
            break
    return out


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

    @cached_property
    def table_text(self) -> str:
        """Squashed text of the cells that are no sentence: where header words count (prose
        broken at its numbers leaves clauses like 条，政府集中采购项目类信息 on lines of their own)."""
        marks = cat.SENTENCE_MARKS.search
        return cat.squash(
            " ".join(
                c
                for l in self.lines
                for c in l.cells
                if c and (marks(c) is None or not cat.is_sentence(c))
            )
        )


def _regions(lines: list[Line], heads: list[tuple[int, int, str, int]]) -> dict[int, Region]:
    out: dict[int, Region] = {}
    for k, (no, idx, _, end_idx) in enumerate(heads):
        end = heads[k + 1][1] if k + 1 < len(heads) else len(lines)
        out[no] = Region(lines[end_idx + 1 : end], k + 1 == len(heads))
    if not heads:
        out[0] = Region(lines, True)
    elif heads[0][1]:
        out[0] = Region(lines[: heads[0][1]], False)
    return out


def _table_regions(lines: list[Line], heads, regions: dict[int, Region]) -> dict[int, Region]:
    """Where tables 二, 三 and 四 are: from their heading or their own header words, whichever
    comes first, to the next table's or section's start."""
    starts = {no: end + 1 for no, _, _, end in heads if no in (2, 3, 4)}
    for no, i in table_openers(lines).items():
        if no not in starts or i < starts[no]:
            starts[no] = i
    out: dict[int, Region] = {}
    for no, start in starts.items():
        later = [idx for n, idx, _, _ in heads if n > no] + [s for m, s in starts.items() if m > no]
        end = min([b for b in later if b > start], default=len(lines))
        out[no] = Region(lines[start:end], end == len(lines))
    if 2 not in out and 3 in out:
        # A fragment that starts inside table 二: what precedes table 三 (after 一, if present).
        begin = next((end + 1 for n, _, _, end in heads if n == 1), 0)
        if begin < starts[3]:
            out[2] = Region(lines[begin : starts[3]], False)
    if not heads and not out:
        out = {no: regions[0] for no in (2, 3, 4)}
    return out


def _text(lines: list[Line]) -> str:
    return "\n".join(l.text for l in lines)


def normalise(x: Extracted, provenance: Provenance | None = None) -> Report:
    """The report of an extracted document. `provenance` (when it was crawled) names the body
    the registry row is for: the issuer when the document names none itself."""
    lines = x.lines
    for no, line in enumerate(lines, start=1):  # a cell's line in the extracted text, to cite it
        line.no = no
    line_texts = [l.text.replace("\t", " ") for l in lines]
    full_text = "\n".join(line_texts)
    # A report in traditional characters is read in simplified ones (the catalogue's labels and
    # headings); its title and names are kept as printed.
    plain = full_text  # the text the reading rules see (simplified)
    if names.mostly_traditional(full_text):
        lines = [_simplified(line) for line in lines]
        plain = names.t2s(full_text)
    report = Report(
        source=x.source,
        sha256=x.sha256,
        media_type=x.media_type,
        method=x.method,
        generated=bool(x.meta.get("generated")),
    )
    report.warnings.extend(x.warnings)

    report.title = _as_printed(md.find_title(plain.split("\n"), x.meta), plain, full_text)
    heads = find_sections(lines)
    regions = _regions(lines, heads)
    tables = _table_regions(lines, heads, regions)
    # The version is read from the tables' header words, not from prose that mentions them
    # (a 2018 narrative counting 政府集中采购项目).
    fmt = detect_format(" ".join(tables[n].table_text for n in (2, 3) if n in tables))

    w = report.warnings
    if fmt:
        report.format = fmt
        reg = tables.get(2)
        if reg and ("信息内容" in reg.squashed or detect_format(reg.squashed)):
            report.tables["proactive"] = parse_proactive(
                reg.lines, fmt, w, reg.to_end, reg.squashed
            )
    reg = tables.get(3)
    if reg and any(k in reg.squashed for k in ("本年新收", "上年结转", "本年度新收", "予以公开")):
        report.tables["applications"] = parse_applications(reg.lines, w, reg.to_end, fmt or "2021")
        if not fmt:
            report.format = (
                "2021"
                if any(k in report.tables["applications"] for k in cat.OTHER_PARTS)
                else "2019"
            )
    reg = tables.get(4)
    # Table 四 belongs to the mandated format: a 2008–2018 统计表 also counts 行政复议, in rows of
    # its own. Inside a found section the table's own words suffice (OCR may lose a header word).
    if reg and (
        "尚未审结" in reg.squashed
        or (fmt or report.tables["applications"])
        and "行政复议" in reg.squashed
    ):
        report.tables["appeals"] = parse_appeals(reg.lines, w, reg.to_end)

    # Which table of the document each is (0-based, in document order), to cite a cell by it.
    starts = {2: "proactive", 3: "applications", 4: "appeals"}
    found = sorted(
        (tables[no].lines[0].no, name)
        for no, name in starts.items()
        if report.tables[name] and no in tables and tables[no].lines
    )
    for table_index, (_, name) in enumerate(found):
        for cells in report.tables[name].values():
            for cell in cells.values():
                cell.table_index = table_index

    has_tables = any(report.tables.values())
    holds_numbers = any(
        c.value is not None
        for rows in report.tables.values()
        for cells in rows.values()
        for c in cells.values()
    )
    if not holds_numbers:
        # A look-alike is decided by the document's own title, never by what its text cites;
        # a document whose mandated tables hold numbers is a report whatever its title says.
        kind = md.lookalike(report.title, x.meta, plain.split("\n"))
        if kind:
            raise ExtractionError(f"this is a {kind}, not a 政府信息公开工作年度报告")
    # (only where a table is missing: finding the evidence costs a pass over every cell)
    missing = [name for name in cat.MANDATED if not report.tables[name]]
    evidence = table_evidence(lines, heads) if missing else {}
    if has_tables:
        for name in cat.MANDATED:
            if report.tables[name] or name in evidence:
                continue  # read, or shown and unread (below, once the year is known)
            if not any(m.startswith(f"table {name}") for m in w.incomplete):
                w.add_incomplete(f"table {name} not found")
    if not has_tables:
        _require_narrative_report(report.title, plain.split("\n"), plain)
        # No mandated tables (2008–2018, or a body that ignored the format): the 统计表 and the
        # prose's own figures, where they are forced.
        report.tables["legacy"] = read_legacy(lines, w)

    report.year, year_warning = md.find_year(report.title, plain, x.source)
    if year_warning:
        w.append(year_warning)
    if not has_tables:
        # Header words in prose are no evidence of the mandated tables.
        report.format = "pre2019" if report.year and report.year < 2019 else "unknown"
    if has_tables or not (report.year and report.year < 2019):
        # (a 2008–2018 report has sections of the same names and no mandated tables)
        for name in cat.MANDATED:
            if not report.tables[name] and name in evidence:
                w.add_unread(f"table {name}: the document shows {evidence[name]}; no cell read")

    title_plain = (
        names.t2s(report.title) if report.title and plain is not full_text else report.title
    )
    report.issuer = _as_printed(
        md.find_issuer(title_plain, x.meta, plain), plain, full_text
    ) or _registry_body(provenance)
    report.jurisdiction = md.jurisdiction(report.issuer, report.year)
    report.issuer_key = names.name_key(report.issuer) if report.issuer else None
    if report.jurisdiction["name"]:
        aliases, slips = names.aliases_in_text(full_text, report.jurisdiction["name"])
        report.jurisdiction["aliases"] = aliases + slips
        for s in slips:
            w.append(
                f"the text also names the issuer {s!r}, one character from "
                f"{report.jurisdiction['name']!r}: read as a slip for the same body"
            )
    issuer_plain = (
        names.t2s(report.issuer) if report.issuer and plain is not full_text else report.issuer
    )
    report.scope = md.find_scope(title_plain, issuer_plain, plain)
    j = report.jurisdiction
    report.series_key = names.series_key(
        report.issuer, j.get("current_code") or j.get("id"), j.get("level"), report.scope
    )
    if report.series_key is None and provenance is not None and provenance.source_id:
        # No body or place read from the document: the registry row it was crawled for is one
        # body, so its versions of a year still group (and exactly one is current).
        report.series_key = f"source:{provenance.source_id}||{report.scope}"
    report.published_on = md.find_published(x.meta, plain)
    if x.meta.get("pdf_created"):
        report.dates["pdf_metadata"] = x.meta["pdf_created"]

    report.sections = _sections(lines, heads, regions)
    report.narrative = _narrative(regions, plain)
    return report


def _as_printed(found: str | None, plain: str, printed: str) -> str | None:
    """What was found in the simplified text, in the characters the document printed (t2s keeps
    a text's length but for rare phrases; then the simplified form is kept)."""
    if found is None or plain is printed or len(plain) != len(printed):
        return found
    at = plain.find(found)
    return printed[at : at + len(found)] if at >= 0 else found


def _simplified(line: Line) -> Line:
    return dataclasses.replace(
        line,
        cells=[names.t2s(c) if c else c for c in line.cells],
        raw=None if line.raw is None else names.t2s(line.raw),
    )


def _registry_body(provenance: Provenance | None) -> str | None:
    """The body the registry row names, when it names one (a row may list several: 、)."""
    body = provenance.body if provenance else None
    return body if body and "、" not in body else None


_REPORT_PROSE = re.compile(
    r"政府信息公开.{0,16}(?:年度报告|工作报告|情况报告|报告如下|总结如下|年报)"
)


def _require_narrative_report(title: str | None, line_texts: list[str], full_text: str) -> None:
    """A report without the mandated tables must still read as one: a title or the usual
    opening sentence, and some substance. A column page listing many reports is not one."""
    titles = {t for t in line_texts if len(t) <= 80 and cat.REPORT_TITLE_WORDS.search(t)}
    if len(titles) >= 3 and len(full_text) < 400 * len(titles):
        raise ExtractionError(f"a list of {len(titles)} reports (an index page), not a report")
    body = cat.squash(full_text)
    if not (title or _REPORT_PROSE.search(body[:3000])):
        raise ExtractionError(
            "no annual report found: no 政府信息公开年度报告 title and no report tables"
        )
    if len(body) < 150 or not any(k in body for k in ("主动公开", "依申请", "政府信息公开申请")):
        raise ExtractionError("no annual report found: a title but no report text or tables")


def _sections(lines, heads, regions: dict[int, Region]) -> list[Section]:
    out = []
    if 0 in regions and regions[0].lines:
        out.append(Section(0, "", regions[0].text))
    for no, idx, heading, _ in heads:
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
