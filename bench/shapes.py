"""Accuracy per shape of text (tests/corpus/shapes.py): every known report in every layout and
mutation, read from text.

    python -m bench.shapes [--random N] [--only SHAPE,…] [--show N]

Per shape: cells, exact, null (left unread), wrong; reports whose wrong cells nothing flags
("silently wrong"); reports with a table that yielded no cell while their status is not
``unread`` ("silently empty"); issuers and years read wrong. The rule is 0 silently wrong and 0
silently empty; recall (exact %) is the score.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from pipeline.api import extract_bytes
from pipeline.normalise.names import t2s
from tests.corpus import ROOT
from tests.corpus.forms import pointed_at, score
from tests.corpus.shapes import LEGACY_MUTATIONS, documents, legacy_known, legacy_mutate

MANDATED = ("proactive", "applications", "appeals")


def run(n_random: int = 6, only: set[str] | None = None, show: int = 0) -> dict:
    totals: dict[str, dict] = defaultdict(
        lambda: {
            "reports": 0,
            "cells": 0,
            "exact": 0,
            "null": 0,
            "wrong": 0,
            "silently_wrong": 0,
            "silently_empty": 0,
            "unread": 0,
            "issuer_wrong": 0,
            "year_wrong": 0,
        }
    )
    examples: list[str] = []
    for shape, name, text, spec in documents(n_random, only):
        report = extract_bytes(text.encode(), f"{name}.txt")
        t = totals[shape]
        t["reports"] += 1
        if report.error:
            ok, n, wrong = 0, len(score(report, spec)[2]), []
            t["cells"] += n
            t["null"] += n
            t["silently_empty"] += 1
            examples.append(f"{shape} {name}: error {report.error}")
            continue
        ok, n, wrong = score(report, spec)
        numbers = [w for w in wrong if not w.endswith("got None")]
        t["cells"] += n
        t["exact"] += ok
        t["null"] += len(wrong) - len(numbers)
        t["wrong"] += len(numbers)
        if numbers and not pointed_at(report, numbers):
            t["silently_wrong"] += 1
            examples.append(f"{shape} {name}: silently wrong {numbers[:3]}")
        empty = [tb for tb in MANDATED if not report.tables.get(tb)]
        if report.status == "unread":
            t["unread"] += 1
        elif empty:
            t["silently_empty"] += 1
            examples.append(f"{shape} {name}: {empty} empty, status {report.status}")
        issuer = t2s(report.issuer) if report.issuer else None  # (as printed: maybe traditional)
        if issuer is None or spec.issuer.replace("江苏省", "") not in issuer:
            if issuer is not None and issuer not in spec.issuer:
                t["issuer_wrong"] += 1
                examples.append(f"{shape} {name}: issuer {report.issuer!r}")
        if report.year != spec.year:
            t["year_wrong"] += 1
            examples.append(f"{shape} {name}: year {report.year}")
        if show and len(numbers) + len(wrong) and len(examples) < 400:
            examples.append(f"{shape} {name}: {len(wrong)} not exact, e.g. {wrong[:show]}")
    for t in totals.values():
        t["percent"] = round(100 * t["exact"] / t["cells"], 2) if t["cells"] else None
    return {"shapes": dict(totals), "examples": examples}


def run_legacy() -> dict:
    """The figures 2008–2018 prose states, per mutation of the real reports' text."""
    totals: dict[str, dict] = {}
    examples: list[str] = []
    for mutation in LEGACY_MUTATIONS:
        t = totals[mutation] = {"stated": 0, "exact": 0, "null": 0, "wrong": 0, "year_wrong": 0}
        for i, (name, (text, stated, year)) in enumerate(legacy_known().items()):
            report = extract_bytes(legacy_mutate(text, mutation, i).encode(), f"{name}.txt")
            got = report.tables.get("legacy", {}) if not report.error else {}
            for key, want in stated.items():
                value = got.get(key, {}).get("value")
                value = None if value is None else value.value
                t["stated"] += 1
                if value == want:
                    t["exact"] += 1
                elif value is None:
                    t["null"] += 1
                    examples.append(f"legacy {mutation} {name}: {key} want {want} got None")
                else:
                    t["wrong"] += 1
                    examples.append(f"legacy {mutation} {name}: {key} want {want} got {value}")
            if report.year != year:
                t["year_wrong"] += 1
                examples.append(f"legacy {mutation} {name}: year {report.year} ({report.error})")
        t["percent"] = round(100 * t["exact"] / t["stated"], 2) if t["stated"] else None
    return {"legacy": totals, "examples": examples}


def report(res: dict, examples: int = 200) -> int:
    """Print the table of `run`'s results; the number of silently wrong or empty reports."""
    columns = {"cells": "cells", "percent": "exact %", "null": "null", "wrong": "wrong"}
    columns |= {"silently_wrong": "silent", "silently_empty": "empty", "unread": "unread"}
    columns |= {"issuer_wrong": "issuer", "year_wrong": "year"}
    print(f"{'shape':34s} " + " ".join(f"{h:>7s}" for h in columns.values()))
    for shape, t in res["shapes"].items():
        cells = [f"{t[c]:7.2f}" if c == "percent" else f"{t[c]:7d}" for c in columns]
        print(f"{shape:34s} " + " ".join(cells))
    silent = sum(t["silently_wrong"] + t["silently_empty"] for t in res["shapes"].values())
    print(f"silently wrong or empty reports: {silent}")
    if "legacy" in res:
        print(f"\n{'2008–2018 prose':34s}  stated exact %    null   wrong    year")
        for mutation, t in res["legacy"].items():
            print(
                f"{mutation:34s} {t['stated']:7d} {t['percent']:7.2f} {t['null']:7d} "
                f"{t['wrong']:7d} {t['year_wrong']:7d}"
            )
    for e in res["examples"][:examples]:
        print("  " + e)
    return silent


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--random", type=int, default=6, help="random reports besides the known ones")
    ap.add_argument("--only", default="", help="comma-separated shape names")
    ap.add_argument(
        "--show", type=int, default=0, help="print up to N cells not read exactly per report"
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = ap.parse_args()
    res = run(args.random, set(filter(None, args.only.split(","))), args.show)
    legacy = run_legacy()
    res["legacy"] = legacy["legacy"]
    res["examples"] += legacy["examples"]
    silent = report(res)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "shapes.json").write_text(json.dumps(res, indent=2, ensure_ascii=False))
    sys.exit(1 if silent else 0)


if __name__ == "__main__":
    main()
