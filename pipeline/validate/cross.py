"""Checks across reports: what they compare (the warehouse computes them; pipeline.store.cross).

Text similarity is the one part computed in Python: section 一 of a report against the year
before, as the Jaccard similarity of character 4-grams.
"""

from __future__ import annotations


def similarity(a: str, b: str, n: int = 4) -> float | None:
    """Jaccard similarity of character n-grams (None when either text is too short to judge)."""
    a, b = "".join(a.split()), "".join(b.split())
    if len(a) < 80 or len(b) < 80:
        return None
    ga = {a[i : i + n] for i in range(len(a) - n + 1)}
    gb = {b[i : i + n] for i in range(len(b) - n + 1)}
    return len(ga & gb) / len(ga | gb)
