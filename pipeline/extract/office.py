"""Word, Kingsoft WPS and spreadsheets.

DOC and WPS (Kingsoft writer files are DOC-like OLE files) are converted to DOCX by LibreOffice
headless in a subprocess with a time limit and a private profile (two conversions sharing a
profile silently produce nothing), then read as DOCX. XLS/XLSX/ET are read with pandas' calamine
engine, one line per row.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..model import Extracted, ExtractionError, Line
from ..settings import CONVERT_TIMEOUT_S, MAX_UNZIPPED_MB


def ole_kind(data: bytes) -> str:
    """'doc' or 'xls' for an OLE compound file (the directory names its main stream)."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "unknown"


def zip_kind(data: bytes) -> str:
    """'docx' or 'xlsx' for an OOXML container — after its declared unpacked size is checked,
    so a zip bomb named .docx is refused before any parser inflates it."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise ExtractionError("corrupt ZIP container (not a readable DOCX/XLSX)") from None
    if unpacked > MAX_UNZIPPED_MB * 1024 * 1024:
        raise ExtractionError(
            f"decompressed size over the cap: {unpacked / 2**20:,.0f} MB unpacked "
            f"(a report is a few MB; the cap is {MAX_UNZIPPED_MB} MB) — a decompression bomb"
        )
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "unknown"


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise ExtractionError("LibreOffice (soffice) is not installed: cannot read DOC/WPS files")
    return exe


def extract_doc(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    """DOC or WPS: converted to DOCX by LibreOffice, then read as DOCX."""
    from .docx import docx_lines, table_count

    converted = convert_to_docx(data, kind.extensions[0])
    warnings = (
        []
        if table_count(converted)
        else ["converted by LibreOffice: no table survived the conversion"]
    )
    meta = {"converted": "libreoffice"}
    return Extracted(source, sha, kind.media_type, "docx", docx_lines(converted), meta, warnings)


def extract_sheet(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    """XLS, XLSX or ET: one line per row."""
    return Extracted(source, sha, kind.media_type, "xls", sheet_lines(data))


def convert_to_docx(data: bytes, suffix: str = ".doc", timeout: int = CONVERT_TIMEOUT_S) -> bytes:
    with tempfile.TemporaryDirectory(prefix="ogi_lo_") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(
                cmd,
                capture_output=True,
                timeout=timeout,
                check=False,
                env={**os.environ, "HOME": tmp},
            )
        except subprocess.TimeoutExpired:
            raise ExtractionError(
                f"LibreOffice did not convert the document within {timeout} s"
            ) from None
        out = Path(tmp) / "in.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise ExtractionError(
                "LibreOffice could not convert the document (corrupt or not a Word file)"
            )
        return out.read_bytes()


def sheet_lines(data: bytes) -> list[Line]:
    """Rows of every sheet. A horizontally merged range is one cell (its covered columns are
    dropped), a vertically merged one leaves empty cells below: the same grid an HTML table gives."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise ExtractionError(
            f"unreadable spreadsheet: {type(exc).__name__}: {str(exc)[:100]}"
        ) from None
    lines: list[Line] = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise ExtractionError(f"unreadable sheet {name!r}: {type(exc).__name__}") from None
        drop: set[tuple[int, int]] = set()
        blank: set[tuple[int, int]] = set()
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if c > c1:
                        drop.add((r, c))
                    elif r > r1:
                        blank.add((r, c))
        grid = [
            [("" if (r, c) in blank else _cell(v)) for c, v in enumerate(row) if (r, c) not in drop]
            for r, row in enumerate(rows)
        ]
        width = (
            max((max((i for i, c in enumerate(g) if c), default=-1) for g in grid), default=-1) + 1
        )
        for cells in grid:
            filled = [c for c in cells if c]
            if len(filled) == 1:
                lines.append(Line(filled, raw=filled[0]))
            elif filled:
                lines.append(Line(cells[:width], exact=True))
    return lines


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    return " ".join(str(v).split())
