"""`make accuracy`: cell-level exact match per format on a generated corpus with known truth.

    python bench/accuracy.py [--random N] [--scans N] [--out bench/out]

The reports are the bundled samples' specs plus N random ones (tests/synth.py), published as
PDF (LibreOffice, embedded fonts), a non-embedded CID-font PDF, a PDF with a rotated page, DOCX,
DOC, WPS, XLS and scans (150–200 dpi, skew, blur, JPEG noise; tests/formats.py). For scans it also
counts wrong cells that sit in a report no check fails and no low-confidence warning flags —
the "silently wrong" reports, which must be zero.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from formats import KINDS, build, score  # noqa: E402
from pipeline.api import extract_file  # noqa: E402
from synth import random_spec, sample_specs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--random", type=int, default=5, help="random reports besides the 5 bundled ones")
    ap.add_argument("--scans", type=int, default=4, help="how many reports to scan (OCR is ~3 s a page)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()
    specs = {k.replace(".html", ""): v for k, v in sample_specs().items()}
    rng = random.Random(7)
    for i in range(args.random):
        specs[f"random-{i}"] = random_spec(rng, 9000 + i)
    scanned = dict(list(specs.items())[:args.scans])
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    silent: list[str] = []
    seconds: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory() as d:
        items = build(specs, Path(d) / "all", kinds=[k for k in KINDS if k != "scan"])
        items += build(scanned, Path(d) / "scans", kinds=["scan"])
        for path, name, kind in items:
            t0 = time.perf_counter()
            report = extract_file(path)
            seconds[kind] += time.perf_counter() - t0
            ok, n, wrong = score(report, specs[name])
            totals[kind][0] += ok
            totals[kind][1] += n
            flagged = any(not c.ok for c in report.checks) or any(
                "confidence" in w and "(0 text boxes" not in w for w in report.warnings)
            # A cell left null is not read (and warned about); a wrong *number* must be flagged.
            wrong_numbers = [w for w in wrong if not w.endswith("got None")]
            if wrong_numbers and not flagged:
                silent.append(f"{kind} {name}: {wrong_numbers[:3]}")
            if wrong:
                print(f"  {kind:8s} {name}: {len(wrong)} wrong, e.g. {wrong[:2]}", flush=True)
    results: dict = {kind: {"cells": n, "exact": ok, "percent": round(100 * ok / n, 3) if n else None,
                      "seconds": round(seconds[kind], 1)} for kind, (ok, n) in totals.items()}
    results["silently_wrong_reports"] = silent
    print(f"{'format':10s} {'cells':>7s} {'exact %':>9s} {'seconds':>8s}")
    for kind in [k for k in KINDS if k in totals]:
        r = results[kind]
        print(f"{kind:10s} {r['cells']:7d} {r['percent']:9.3f} {r['seconds']:8.1f}")
    print(f"silently wrong reports: {len(silent)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
