"""Generators of documents with known truth, shared by the tests and the benchmarks.

    synth          report specs and their HTML pages, text dumps and glued tables (the bundled
                   generated samples are written by it: ``python -m tests.corpus.synth``)
    synth_legacy   2008–2018 reports with a 政府信息公开情况统计表
    forms          the same report as PDF, DOCX, DOC, WPS, XLS and scans (LibreOffice, reportlab)
    sites          fixture portals of each CMS family, served from a folder by the offline mirror

Everything they write is marked generated (``<meta name="ogi-generated">``): never cite it.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
SAMPLES = ROOT / "data" / "samples"
