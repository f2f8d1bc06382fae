"""Numbers whose cell boundaries were lost, read back with the table's identities.

Text dumps and PDF text layers lose cell boundaries in two ways:

* **run together** — ``640020470`` for 64|0|0|2|0|4|70 (pdfplumber's ``extract_text`` on close
  cells, a whole table pasted on one line);
* **split** — ``2`` and ``45`` on two lines for 245 (one text node per line in crawled dumps,
  Word markup that breaks a number into two spans).

A row printed with fewer tokens than cells is read by splitting tokens (never across a printed
boundary); a row with more tokens than cells by joining neighbours (never inside a token). A
number never starts with 0 unless it is 0. Of the readings, only those that satisfy the table's
identities count, and a reading is accepted only when it is the *only* one: first per row (row
total, org subtotal), then over the whole table at once (per column: new + carried over =
processed + carried forward, processed = the outcome rows), so rows confirm each other. Anything
the identities do not force stays null, and the caller warns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

MAX_READINGS = 4096  # readings kept per row; beyond this a row is not read
MAX_NODES = 200_000  # search steps for one table; beyond this only row-forced readings stand


def digit_tokens(raws: Iterable[str]) -> list[str] | None:
    """The tokens as ASCII digit strings, or None when any is not a plain run of digits."""
    out = []
    for raw in raws:
        t = unicodedata.normalize("NFKC", raw).strip()
        if not t.isascii() or not t.isdigit():
            return None
        out.append(t)
    return out


def leading_zero(raw: str) -> bool:
    """A whole number printed with a leading 0 ("07", "007"): no count is printed so."""
    t = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip().lstrip("+-")
    return len(t) > 1 and t[0] == "0" and t[1].isdigit()


def readings(
    tokens: list[str],
    n: int,
    accept: Callable[[tuple[int, ...]], bool] | None = None,
    group: int | None = None,
    total_last: bool = False,
    limit: int = MAX_READINGS,
    splittable: list[bool] | None = None,
) -> list[tuple[int, ...]] | None:
    """Every reading of the digit tokens as n cells that `accept` allows (all when None).
    `group` checks `accept` on each complete group of that many cells (the appeals table: three
    rows of five) so impossible prefixes are cut early; `total_last` says the last cell is the
    sum of the others, so it is at least as long as any of them. None when there are more than
    `limit` readings (too many to say anything).

    `splittable` says which tokens may hold several numbers (cut from a run-together cell);
    None: every token. A token printed whole is never cut — except one that starts with 0 and
    is longer than one digit, which no whole number does ("07" is never read as 7)."""
    k = len(tokens)
    if k == n:
        if any(len(t) > 1 and t[0] == "0" for t in tokens):
            return []  # "07" is no number of its own, and no boundary may be moved here
        vals = tuple(int(t) for t in tokens)
        return [vals] if accept is None or _accept_groups(vals, accept, group) else []
    text = "".join(tokens)
    bounds, pos = [], 0
    for t in tokens:
        pos += len(t)
        bounds.append(pos)
    if k < n:  # split inside tokens; every printed boundary is a real one
        forced, optional = set(bounds), set()
        begin = 0
        for i, (t, end) in enumerate(zip(tokens, bounds)):
            if splittable is None or splittable[i] or (len(t) > 1 and t[0] == "0"):
                optional.update(range(begin + 1, end))
            begin = end
    else:  # join neighbours; a number may continue on the next token, never split inside one
        forced, optional = {len(text)}, set(bounds[:-1])
    forced_sorted = sorted(forced)
    out: list[tuple[int, ...]] = []
    cells: list[int] = []
    widths: list[int] = []
    overflow = False

    def emit() -> None:
        nonlocal overflow
        vals = tuple(cells)
        if accept is None or (_accept_groups(vals, accept, group) if group else accept(vals)):
            out.append(vals)
            overflow = len(out) > limit

    def rec(start: int) -> None:
        remaining = n - len(cells)
        nxt_forced = next(f for f in forced_sorted if f > start)
        if remaining == 1:
            piece = text[start:]
            if (
                nxt_forced == len(text)
                and (len(piece) == 1 or piece[0] != "0")
                and (not total_last or len(piece) >= max(widths, default=0))
            ):
                cells.append(int(piece))
                emit()
                cells.pop()
            return
        # leave at least one character for each later cell (and, with total_last, room for a
        # total as long as the longest part)
        last_end = len(text) - (remaining - 1)
        for end in range(start + 1, min(nxt_forced, last_end) + 1):
            if overflow:
                return
            if end != nxt_forced and end not in optional:
                continue
            piece = text[start:end]
            if len(piece) > 1 and piece[0] == "0":
                break  # every longer piece from here starts with 0 too
            if total_last and len(text) - end - (remaining - 2) < len(piece):
                break  # the total would be shorter than this part
            cells.append(int(piece))
            widths.append(len(piece))
            if not (
                group and accept and len(cells) % group == 0 and not accept(tuple(cells[-group:]))
            ):
                rec(end)
            cells.pop()
            widths.pop()

    rec(0)
    return None if overflow else out


def _accept_groups(vals: tuple[int, ...], accept, group: int | None) -> bool:
    if not group:
        return accept(vals)
    return all(accept(vals[i : i + group]) for i in range(0, len(vals), group))


def sum_is_last(vals: tuple[int, ...]) -> bool:
    return sum(vals[:-1]) == vals[-1]


# ---------------------------------------------------------------- whole-table search
@dataclass
class Equation:
    """Per column: the rows in `plus` sum to the rows in `minus` (all values non-negative) — or,
    with `at_most`, to no more than them (parts of a whole that need not all be printed)."""

    plus: tuple[str, ...]
    minus: tuple[str, ...]
    at_most: bool = False

    @property
    def rows(self) -> tuple[str, ...]:
        return self.plus + self.minus


@dataclass
class Solution:
    chosen: dict[str, tuple[int, ...]]  # rows the identities force to one reading
    undecided: dict[str, int]  # rows left unread -> how many readings remained possible
    complete: bool  # the search ran to the end (else only row-forced readings stand)
    found: int  # table readings that satisfy every identity (capped)


def solve(
    candidates: dict[str, list[tuple[int, ...]]],
    fixed: dict[str, tuple[int | None, ...]],
    equations: list[Equation],
    max_solutions: int = 64,
    max_nodes: int = MAX_NODES,
) -> Solution:
    """Choose one reading per row of `candidates` so that every equation holds in every column,
    given the `fixed` rows. A row is chosen when all table readings agree on it."""
    single = {k: v[0] for k, v in candidates.items() if len(v) == 1}
    open_rows = sorted(
        (k for k, v in candidates.items() if len(v) > 1), key=lambda k: len(candidates[k])
    )
    present = set(candidates) | set(fixed)
    eqs = [e for e in equations if all(r in present for r in e.rows)]
    if not open_rows:
        return Solution(single, {}, True, 1)
    # Search the rows that take part in an equation, the most constrained first.
    in_eq = [k for k in open_rows if any(k in e.rows for e in eqs)]
    free = [k for k in open_rows if k not in in_eq]
    order = sorted(in_eq, key=lambda k: (len(candidates[k]), k))
    width = len(next(iter(candidates.values()))[0])
    assigned: dict[str, tuple] = {**fixed, **single}
    seen: dict[str, set] = {k: set() for k in order}
    solutions = 0
    nodes = 0
    aborted = False

    def consistent() -> bool:
        for e in eqs:
            plus_done = all(r in assigned for r in e.plus)
            minus_done = all(r in assigned for r in e.minus)
            for c in range(width):
                p = [assigned[r][c] for r in e.plus if r in assigned]
                m = [assigned[r][c] for r in e.minus if r in assigned]
                if None in p or None in m:
                    continue
                sp, sm = sum(p), sum(m)
                if e.at_most:
                    if minus_done and sp > sm:  # the parts only grow as more are assigned
                        return False
                    continue
                if plus_done and minus_done:
                    if sp != sm:
                        return False
                elif plus_done and sm > sp:
                    return False
                elif minus_done and sp > sm:
                    return False
        return True

    def rec(i: int):
        nonlocal solutions, nodes, aborted
        if aborted or solutions >= max_solutions:
            return
        if i == len(order):
            solutions += 1
            for k in order:
                seen[k].add(assigned[k])
            return
        key = order[i]
        for vals in candidates[key]:
            nodes += 1
            if nodes > max_nodes:
                aborted = True
                return
            assigned[key] = vals
            if consistent():
                rec(i + 1)
            del assigned[key]

    if not consistent():  # the fixed rows alone break an identity: nothing can be confirmed
        return Solution(single, {k: len(candidates[k]) for k in open_rows}, True, 0)
    rec(0)
    complete = not aborted and solutions < max_solutions
    chosen = dict(single)
    undecided = {k: len(candidates[k]) for k in free}
    for k in order:
        if complete and solutions and len(seen[k]) == 1:
            chosen[k] = next(iter(seen[k]))
        else:
            undecided[k] = len(seen[k]) if complete else len(candidates[k])
    return Solution(chosen, undecided, complete, solutions)
