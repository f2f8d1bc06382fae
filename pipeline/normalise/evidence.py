"""What shows that a document holds a mandated table, whether or not its cells were read.

A report whose table 三 is printed in a shape no reader knows must not load as a report without
tables: it is ``unread``, with a warning that says what was seen and where. Evidence of a table
is any of: its section heading (二、主动公开政府信息情况 …), five or more of its row labels on
lines of their own (not inside sentences), or its header words (信息内容 … 本年制发件数; 申请人情况;
结果维持 … 尚未审结). All the words come from the catalogue.
"""

from __future__ import annotations

from functools import lru_cache

from .. import catalogue as cat
from ..model import Line

SECTION_OF = {2: "proactive", 3: "applications", 4: "appeals"}
_SENTENCE = ("。", "，", "；", ",", ";")


@lru_cache(maxsize=1)
def _row_needles() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per table, (row key, label words) for the rows whose words name no other table's row."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {"proactive": [], "applications": []}
    seen: set[str] = set()
    for rows in cat.PROACTIVE_ROWS.values():
        for r in rows:
            if r.key not in seen:
                seen.add(r.key)
                out["proactive"].append((r.key, (cat.compact(r.label),)))
    for r in cat.APPLICATION_ROWS:
        if r.needles:
            out["applications"].append((r.key, r.needles[:1]))
    return out


def _header_words(name: str, text: str) -> list[str]:
    if name == "proactive":
        opened = [w for w in ("信息内容",) if w in text]
        cols = [w for w in ("本年制发件数", "本年新制作数量", "本年处理决定数量") if w in text]
        return opened + cols if opened and cols else []
    if name == "applications":
        return [w for w in ("申请人情况", "勾稽关系") if w in text]
    return [w for w in cat.APPEALS_WORDS if w in text] if name == "appeals" else []


def table_evidence(lines: list[Line], heads: list[tuple[int, int, str, int]]) -> dict[str, str]:
    """Per mandated table the document shows, what shows it and where (1-based lines)."""
    out: dict[str, list[str]] = {}
    for no, idx, heading, _ in heads:
        if no in SECTION_OF:
            out.setdefault(SECTION_OF[no], []).append(f"heading {heading!r} (line {idx + 1})")
    short = [
        (i, cat.compact(c))
        for i, line in enumerate(lines)
        for c in line.cells
        if c and len(c) <= 60 and not any(p in c for p in _SENTENCE)
    ]
    for name, rows in _row_needles().items():
        hits: dict[str, int] = {}
        for i, text in short:
            for key, needles in rows:
                if key not in hits and any(n in text for n in needles):
                    hits[key] = i
        if len(hits) >= 5:
            first = min(hits.values())
            out.setdefault(name, []).append(
                f"{len(hits)} of its row labels (from line {first + 1})"
            )
    squashed = cat.squash(" ".join(t for _, t in short))
    for name in cat.MANDATED:
        words = _header_words(name, squashed)
        if len(words) >= (2 if name == "appeals" else 1):
            out.setdefault(name, []).append(f"header words {'/'.join(words)}")
    return {name: ", ".join(seen) for name, seen in out.items()}
