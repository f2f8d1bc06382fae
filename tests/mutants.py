"""`make mutants`: one-character bugs in central code that the suite must catch.

    python -m tests.mutants [--list]

Each mutant changes one operator or constant in a rule the project stands on; the tests named
beside it are run with the mutant in place and must fail. A mutant that survives means a rule
no test pins: write the test, then keep the mutant here. The file is restored whatever happens.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.corpus import ROOT


@dataclass(frozen=True)
class Mutant:
    path: str
    old: str
    new: str
    why: str
    tests: tuple[str, ...]


MUTANTS = (
    Mutant(
        "pipeline/normalise/digits.py",
        "len(seen[k]) == 1",
        "len(seen[k]) >= 1",
        "a table with several readings that fit would be read by a random pick",
        ("tests/test_real_patterns.py", "tests/test_text_forms.py"),
    ),
    Mutant(
        "pipeline/normalise/digits.py",
        'if len(piece) > 1 and piece[0] == "0"',
        'if len(piece) > 2 and piece[0] == "0"',
        '"07" would be read as 7',
        ("tests/test_real_patterns.py",),
    ),
    Mutant(
        "pipeline/store/schema.py",
        "(a.granted_total + a.partially_granted_total) / {tp}",
        "(a.granted_total - a.partially_granted_total) / {tp}",
        "the disclosure rate would subtract the partly granted",
        ("tests/test_store.py",),
    ),
    Mutant(
        "pipeline/validate/__init__.py",
        "ident.id, sum(a) == sum(b),",
        "ident.id, sum(a) != sum(b),",
        "a broken identity would pass its check",
        ("tests/test_html.py", "tests/test_luanhe.py"),
    ),
    Mutant(
        "pipeline/validate/__init__.py",
        "return sum(a) == sum(b)",
        "return sum(a) != sum(b)",
        "an OCR reading would be confirmed by an identity it breaks",
        ("tests/test_scans.py",),
    ),
    Mutant(
        "pipeline/cells.py",
        "    if t in NULL_MARKERS:\n        return True, None, None",
        "    if t in NULL_MARKERS:\n        return True, 0, None",
        "a blank cell would be read as 0",
        ("tests/test_html.py", "tests/test_cells.py"),
    ),
    Mutant(
        "pipeline/store/__init__.py",
        "ORDER BY (status = 'error'), published_on DESC",
        "ORDER BY (status = 'error'), published_on ASC",
        "the older version of a report would be current",
        ("tests/test_series.py", "tests/test_store.py"),
    ),
)


def run(mutant: Mutant) -> bool:
    """True when the tests fail with the mutant in place (the mutant is killed)."""
    path = ROOT / mutant.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.path}: the text to mutate is not there once: {mutant.old!r}")
    try:
        path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
        _forget_bytecode(path)
        done = subprocess.run(
            [
                sys.executable,
                "-B",
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                *mutant.tests,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    finally:
        path.write_text(original, encoding="utf-8")
        _forget_bytecode(path)
    return done.returncode != 0


def _forget_bytecode(path: Path) -> None:
    """A mutant is the original's size and often written in the same second: Python's cached
    bytecode (checked by size and mtime) would go on running the other version."""
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = ap.parse_args()
    survived = []
    for m in MUTANTS:
        if args.list:
            print(f"{m.path}: {m.old!r} -> {m.new!r} ({m.why})")
            continue
        killed = run(m)
        print(f"{'killed  ' if killed else 'SURVIVED'} {m.path}: {m.why}", flush=True)
        if not killed:
            survived.append(m)
    if survived:
        print(
            f"{len(survived)} mutant(s) survived: the suite does not pin these rules",
            file=sys.stderr,
        )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
