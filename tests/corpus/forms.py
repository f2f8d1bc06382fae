"""The same reports as published attachments: PDF, DOCX, DOC, WPS, XLS, scans — with known truth.

From a report Spec (tests/corpus/synth.py) this writes a clean report HTML and converts it with
LibreOffice (Debian package, installed by `make setup`): HTML → DOCX → PDF (embedded fonts) and
DOC; DOC bytes as .wps (Kingsoft writer files are DOC-like); HTML → XLS through Calc. Also a PDF
with a non-embedded CID font (reportlab, STSong-Light), a PDF with a rotated page (pypdf), and
scans: pages rasterised at 150–200 dpi with slight skew, blur and JPEG noise, as an image-only
PDF and as a JPG.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from .synth import APPLICANT, Spec, report_body

KINDS = ("pdf", "docx", "doc", "wps", "xls", "cidpdf", "rotated", "pdf_glued", "scan")


def report_html(spec: Spec, font_pt: float = 10.5) -> str:
    title = f"{spec.issuer}{spec.year}年政府信息公开工作年度报告"
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title><style>body {{font-family: "Noto Serif CJK SC";'
        f" font-size: {font_pt}pt}} td {{font-size: {font_pt - 1.5}pt}}</style></head><body>"
        f'<p style="text-align:center;font-size:{font_pt + 6}pt"><b>{title}</b></p>{report_body(spec)}</body></html>'
    )


def soffice(args: list[str], cwd: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError("LibreOffice is not installed: run `make setup`")
    with tempfile.TemporaryDirectory(prefix="lo_gen_") as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            timeout=600,
        )


def build(
    specs: dict[str, Spec],
    out: Path,
    kinds=KINDS,
    scan_dpi=(150, 200),
    seed: int = 0,
    font_pt: float = 10.5,
) -> list[tuple[Path, str, str]]:
    """Write every report in every kind; returns (path, spec name, kind)."""
    if not specs:
        return []  # LibreOffice given no file waits for one on stdin
    out.mkdir(parents=True, exist_ok=True)
    work = out / "_html"
    work.mkdir(exist_ok=True)
    for name, spec in specs.items():
        (work / f"{name}.html").write_text(report_html(spec, font_pt), encoding="utf-8")
    htmls = sorted(str(p) for p in work.glob("*.html"))
    soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), *htmls], work)
    docx = sorted(str(p) for p in out.glob("*.docx"))
    if {"pdf", "rotated", "scan"} & set(kinds):
        soffice(["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *docx], out)
    if {"doc", "wps"} & set(kinds):
        soffice(["--convert-to", "doc:MS Word 97", "--outdir", str(out), *docx], out)
    if "xls" in kinds:
        soffice(
            ["--infilter=HTML (StarCalc)", "--convert-to", "xls", "--outdir", str(out), *htmls],
            work,
        )
    rng = random.Random(seed)
    result = []
    for name, spec in specs.items():
        stem = out / name
        if "pdf" in kinds:
            result.append((stem.with_suffix(".pdf"), name, "pdf"))
        if "docx" in kinds:
            result.append((stem.with_suffix(".docx"), name, "docx"))
        if "doc" in kinds:
            result.append((stem.with_suffix(".doc"), name, "doc"))
        if "wps" in kinds:
            wps = out / f"{name}.wps"
            shutil.copy(stem.with_suffix(".doc"), wps)
            result.append((wps, name, "wps"))
        if "xls" in kinds:
            result.append((stem.with_suffix(".xls"), name, "xls"))
        if "cidpdf" in kinds:
            p = out / f"{name}.cid.pdf"
            cid_pdf(spec, p)
            result.append((p, name, "cidpdf"))
        if "pdf_glued" in kinds:
            p = out / f"{name}.glued.pdf"
            glued_pdf(spec, p)
            result.append((p, name, "pdf_glued"))
        if "rotated" in kinds:
            p = out / f"{name}.rotated.pdf"
            rotate_page(stem.with_suffix(".pdf"), p, page=1)
            result.append((p, name, "rotated"))
        if "scan" in kinds:
            p = out / f"{name}.scan.pdf"
            scan(stem.with_suffix(".pdf"), p, dpi=rng.randint(*scan_dpi), rng=rng)
            result.append((p, name, "scan"))
    shutil.rmtree(work)
    return result


def cid_pdf(spec: Spec, path: Path) -> None:
    """The report as text lines in a non-embedded CID font (STSong-Light, GB encoding)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import extract

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = extract(report_html(spec).encode(), "r.html").lines
    c = canvas.Canvas(str(path), pagesize=A4)
    y = A4[1] - 50
    for line in lines:
        text = "  ".join(x if x else "" for x in line.cells) if line.exact else line.text
        for chunk in (
            [text[i : i + 44] for i in range(0, len(text), 44)] if not line.exact else [text]
        ):
            if y < 50:
                c.showPage()
                y = A4[1] - 50
            c.setFont("STSong-Light", 9 if line.exact else 10)
            c.drawString(40, y, chunk)
            y -= 15
    c.save()


def glued_pdf(spec: Spec, path: Path) -> None:
    """The report as an unruled PDF whose table cells sit closer than pdfplumber's x tolerance,
    so its text layer runs them together (一、本年新收政府信息公开申请数量640020470)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.extract import extract

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = extract(report_html(spec).encode(), "r.html").lines
    c = canvas.Canvas(str(path), pagesize=A4)
    y = A4[1] - 50
    for line in lines:
        if y < 50:
            c.showPage()
            y = A4[1] - 50
        size = 7 if line.exact else 10
        c.setFont("STSong-Light", size)
        if line.exact:
            x = 30.0
            for cell in (cell for cell in line.cells if cell):
                c.drawString(x, y, cell)
                x += pdfmetrics.stringWidth(cell, "STSong-Light", size) + 1.0  # < x_tolerance
        else:
            for chunk in [line.text[i : i + 44] for i in range(0, len(line.text), 44)]:
                c.drawString(40, y, chunk)
                y -= 15
            continue
        y -= 12
    c.save()


def docx_report(spec: Spec) -> bytes:
    """The report as a DOCX written by python-docx (no LibreOffice: fast enough for crawler
    fixtures): paragraphs, and each table's rows as a plain grid."""
    import io as _io

    import docx

    from pipeline.extract import extract

    lines = extract(report_html(spec).encode(), "r.html").lines
    d = docx.Document()
    table_rows: list[list[str]] = []

    def flush():
        if table_rows:
            width = max(len(r) for r in table_rows)
            t = d.add_table(rows=len(table_rows), cols=width)
            for i, row in enumerate(table_rows):
                for j, text in enumerate(row):
                    t.cell(i, j).text = text
            table_rows.clear()

    for line in lines:
        if line.exact:
            table_rows.append(line.cells)
        else:
            flush()
            d.add_paragraph(line.text)
    flush()
    buf = _io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def rotate_page(src: Path, dst: Path, page: int) -> None:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(src))
    writer = PdfWriter()
    for i, p in enumerate(reader.pages):
        if i == page:
            p.rotate(90)
        writer.add_page(p)
    with open(dst, "wb") as f:
        writer.write(f)


def scan_images(src: Path, dpi: int, rng: random.Random):
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    pdf = pdfium.PdfDocument(str(src))
    for page in pdf:
        img = page.render(scale=dpi / 72).to_pil().convert("L")
        img = img.rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC, expand=True, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(55, 75))
        buf.seek(0)
        yield Image.open(buf).convert("RGB")


def scan(src: Path, dst: Path, dpi: int, rng: random.Random) -> None:
    images = list(scan_images(src, dpi, rng))
    images[0].save(dst, "PDF", save_all=True, append_images=images[1:], resolution=dpi)


def expected(spec: Spec, row: str, col: str, value):
    """What a correct reader holds for a printed cell, worked out here and not by the reader's
    own cell parser: a blank printed as a marker is None, amounts printed as text are exact
    decimals, "+3" is 3."""
    from decimal import Decimal

    if (row, col) in spec.blanks:
        return None
    if isinstance(value, str):
        return Decimal(value) if "." in value else int(value)
    return value


def truth(spec: Spec) -> dict[tuple[str, str, str], object]:
    """Every cell the report prints, as the extractor should read it."""
    out = {}
    for row, cols in spec.proactive.items():
        for col, value in cols.items():
            out[("proactive", row, col)] = expected(spec, row, col, value)
    for row, vals in spec.applications.items():
        for col, value in zip(APPLICANT + ["total"], vals + [spec.total(row)]):
            out[("applications", row, col)] = expected(spec, row, col, value)
    keys = [
        (r, c)
        for r in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    for (r, c), v in zip(keys, spec.appeals):
        out[("appeals", r, c)] = v
    return out


def score(report, spec: Spec) -> tuple[int, int, list[str]]:
    """(cells right, cells in truth, wrong cells)."""
    t = truth(spec)
    wrong = []
    for (table, row, col), want in t.items():
        got = report.value(table, row, col)
        if got != want:
            wrong.append(f"{table}.{row}.{col}: want {want} got {got}")
    return len(t) - len(wrong), len(t), wrong


def pointed_at(report, wrong: list[str]) -> bool:
    """Whether every wrong cell (score()'s "table.row.col: …") is flagged where a reader would
    look: a check on its table fails, or a warning names its row or its table. (A report with
    some unrelated warning does not make a wrong number flagged.)"""
    failed = {c.id.split(".")[0] for c in report.checks if not c.ok}
    for w in wrong:
        key = w.split(":")[0]  # table.row.col, or a legacy indicator
        table, row = key.split(".")[:2] if "." in key else ("legacy", key)
        named = any(f"{table}.{row}" in m or f"table {table}" in m for m in report.warnings)
        if table not in failed and not named:
            return False
    return True


def legacy_build(specs: dict, out: Path, kinds=("docx", "pdf")) -> list[tuple[Path, str, str]]:
    """2008–2018 reports (tests/corpus/synth_legacy.py) as DOCX and PDF: their 统计表 a Word table."""
    from .synth_legacy import render_html

    if not specs:
        return []  # LibreOffice given no file waits for one
    out.mkdir(parents=True, exist_ok=True)
    work = out / "_html"
    work.mkdir(exist_ok=True)
    for name, spec in specs.items():
        (work / f"{name}.html").write_text(render_html(spec), encoding="utf-8")
    soffice(
        [
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            *sorted(str(p) for p in work.glob("*.html")),
        ],
        work,
    )
    if "pdf" in kinds:
        soffice(
            [
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                *sorted(str(p) for p in out.glob("*.docx")),
            ],
            out,
        )
    shutil.rmtree(work)
    return [(out / f"{name}.{kind}", name, kind) for name in specs for kind in kinds]
