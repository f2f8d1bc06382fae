"""`make accuracy`: cell-level exact match per form on a generated corpus with known truth.

    python -m bench.accuracy [--random N] [--scans N] [--out bench/out]

The reports are the bundled samples' specs plus N random ones (tests/corpus/synth.py). A third of the
random ones carry the patterns real publishers print: a Word-pasted grid with a phantom column,
a row label that lost glyphs in the text layer, the 四、 heading left out. Each report is then
published in every form (tests/corpus/synth.py, tests/corpus/forms.py):

  html        report page in a CMS shell (grid read by header position)
  docx, doc, wps, xls   LibreOffice conversions of the same report
  pdf, cidpdf, rotated  ruled PDF, non-embedded CID font, a rotated page
  pdf_glued   unruled PDF whose cells sit closer than pdfplumber's tolerance (cells run together)
  text_nodes  a crawled dump: one text node per line, labels, headings and numbers split
  text_glued  every table on one line with no separators
  scan        150–200 dpi, skewed, blurred, JPEG (OCR)

and the 2008–2018 reports' 政府信息公开情况统计表 (tests/corpus/synth_legacy.py: the `legacy` table, with and
without the 历年累计 column) as legacy_html, legacy_docx, legacy_pdf and legacy_text_glued (the table
flattened into one run of text, where only the readings the table forces are taken).

For each form: cells, exact matches, cells left null (not read, with a warning) and wrong
numbers; and the "silently wrong" reports: a wrong number that no failed check and no warning
flags. That count must be zero.

Then every known report — these specs and the real pages with checked values — in every shape of
text the layout-mutation generator makes (tests/corpus/shapes.py, bench/shapes.py: one token a
line, labels apart, pipes, glued rows; dropped blanks, merged zeros, prose, page breaks,
traditional characters, no title, page chrome): exact, null, wrong per shape, and the reports
silently wrong or silently empty (a table yielding no cell while the status is not ``unread``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench import shapes
from pipeline.api import extract_bytes, extract_file
from tests.corpus import ROOT, synth_legacy
from tests.corpus.forms import KINDS, build, legacy_build, pointed_at, score
from tests.corpus.synth import glued_tables, random_spec, render_html, sample_specs, text_nodes

TEXT_FORMS = {
    "html": (".html", lambda spec, i: render_html(spec, seed=i).encode()),
    "text_nodes": (".txt", lambda spec, i: text_nodes(spec, seed=i).encode()),
    "text_glued": (".txt", lambda spec, i: glued_tables(spec).encode()),
}
ORDER = [
    "html",
    "docx",
    "doc",
    "wps",
    "xls",
    "pdf",
    "cidpdf",
    "rotated",
    "pdf_glued",
    "text_nodes",
    "text_glued",
    "scan",
    "legacy_html",
    "legacy_docx",
    "legacy_pdf",
    "legacy_text_glued",
]
LOST = {
    "denied_prohibited": "2.其他法律行政止公开",
    "unavailable_needs_creation": "2.没有现成信息需要另制作",
    "not_processed_repeat": "2.重复申",
}


def with_patterns(spec, rng: random.Random):
    """A report as some real publishers print it (see the module docstring)."""
    row = rng.choice(sorted(LOST))
    return dataclasses.replace(
        spec,
        phantom_grid=rng.random() < 0.7,
        no_heading4=rng.random() < 0.5,
        lost_glyphs={row: LOST[row]} if rng.random() < 0.7 else {},
    )


def corpus(n_random: int) -> dict:
    specs = {k.replace(".html", ""): v for k, v in sample_specs().items()}
    rng = random.Random(7)
    for i in range(n_random):
        spec = random_spec(rng, 9000 + i)
        specs[f"random-{i}"] = with_patterns(spec, rng) if i % 3 == 0 else spec
    return specs


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--random", type=int, default=9, help="random reports besides the 5 bundled ones"
    )
    ap.add_argument(
        "--scans",
        type=int,
        default=None,
        help="how many reports to scan (default: all; OCR is ~1 s a page, under a minute for all 14)",
    )
    ap.add_argument(
        "--legacy", type=int, default=12, help="generated 2008–2018 reports with a 统计表"
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()
    specs = corpus(args.random)
    scanned = dict(list(specs.items())[: args.scans]) if args.scans is not None else specs
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # exact, cells, null, wrong
    silent: list[str] = []
    seconds: dict[str, float] = defaultdict(float)

    rng = random.Random(19)
    legacy_specs = {f"legacy-{i}": synth_legacy.random_legacy(rng, i) for i in range(args.legacy)}

    def tally(kind: str, name: str, report, t: float) -> None:
        seconds[kind] += t
        if kind.startswith("legacy"):
            ok, n, wrong = synth_legacy.score(report, legacy_specs[name])
        else:
            ok, n, wrong = score(report, specs[name])
        wrong_numbers = [w for w in wrong if not w.endswith("got None")]
        totals[kind][0] += ok
        totals[kind][1] += n
        totals[kind][2] += len(wrong) - len(wrong_numbers)
        totals[kind][3] += len(wrong_numbers)
        if not pointed_at(report, wrong_numbers):
            silent.append(f"{kind} {name}: {wrong_numbers[:3]}")
        if wrong_numbers:
            print(
                f"  {kind:10s} {name}: {len(wrong_numbers)} wrong (flagged), e.g. {wrong_numbers[:2]}",
                flush=True,
            )

    for kind, (suffix, render) in TEXT_FORMS.items():
        for i, (name, spec) in enumerate(specs.items()):
            data = render(spec, i)
            t0 = time.perf_counter()
            report = extract_bytes(data, name + suffix)
            tally(kind, name, report, time.perf_counter() - t0)
    for kind, (suffix, render) in {
        "legacy_html": (".html", synth_legacy.render_html),
        "legacy_text_glued": (".txt", synth_legacy.render_glued),
    }.items():
        for name, spec in legacy_specs.items():
            data = render(spec).encode()
            t0 = time.perf_counter()
            report = extract_bytes(data, name + suffix)
            tally(kind, name, report, time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as d:
        items = [
            (p, name, "legacy_" + kind)
            for p, name, kind in legacy_build(legacy_specs, Path(d) / "legacy")
        ]
        items += build(specs, Path(d) / "all", kinds=[k for k in KINDS if k != "scan"])
        items += build(scanned, Path(d) / "scans", kinds=["scan"])
        for path, name, kind in items:
            t0 = time.perf_counter()
            report = extract_file(path)
            tally(kind, name, report, time.perf_counter() - t0)
    results: dict = {
        kind: {
            "cells": n,
            "exact": ok,
            "null": null,
            "wrong": bad,
            "percent": round(100 * ok / n, 3) if n else None,
            "seconds": round(seconds[kind], 1),
        }
        for kind, (ok, n, null, bad) in totals.items()
    }
    results["silently_wrong_reports"] = silent
    # Every known report in every shape of text (tests/corpus/shapes.py): layout mutations.
    print("\nshapes of text (python -m bench.shapes; tests/corpus/shapes.py)")
    shaped = shapes.run(n_random=6)
    silent_shapes = shapes.report(shaped, examples=20)
    results["shapes"] = shaped["shapes"]
    print(
        f"\n{'form':17s} {'cells':>6s} {'exact %':>8s} {'null':>5s} {'wrong':>6s} {'seconds':>8s}"
    )
    for kind in [k for k in ORDER if k in totals]:
        r = results[kind]
        print(
            f"{kind:17s} {r['cells']:6d} {r['percent']:8.3f} {r['null']:5d} {r['wrong']:6d} {r['seconds']:8.1f}"
        )
    print(f"silently wrong reports: {len(silent)}")
    for s in silent:
        print("  " + s)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    sys.exit(1 if silent or silent_shapes else 0)


if __name__ == "__main__":
    main()
