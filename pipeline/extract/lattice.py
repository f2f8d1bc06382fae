"""Table grids of scanned pages, rebuilt from their ruling lines.

Reports print their tables ruled. On a deskewed page image the rulings are long runs of dark
pixels; their positions give the lattice of rows and columns, and a ruling missing along a cell's
edge says the cell is merged with its neighbour (a colspan or rowspan). Text boxes are then placed
in the cell their centre falls in, so a blank cell stays a blank cell in its column and a label
that wraps over two lines, or sits in the middle of a tall merged cell, stays in its own row — the
two things row grouping by text position gets wrong.

Only numpy and OpenCV (already there for RapidOCR) are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Table:
    ys: list[int]  # horizontal rulings, top to bottom
    xs: list[int]  # vertical rulings, left to right
    # region id per lattice cell (rows × cols): cells merged across a missing ruling share one
    region: np.ndarray = field(repr=False, default=None)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        r = int(np.searchsorted(self.ys, y, side="right")) - 1
        c = int(np.searchsorted(self.xs, x, side="right")) - 1
        return min(r, len(self.ys) - 2), min(c, len(self.xs) - 2)


def _runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int, int]]:
    """(line index, start, end) of runs of True at least min_len long, along axis 1."""
    out = []
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    diff = np.diff(padded, axis=1)
    for i in np.nonzero((diff != 0).any(axis=1))[0]:
        starts = np.nonzero(diff[i] == 1)[0]
        ends = np.nonzero(diff[i] == -1)[0]
        for s, e in zip(starts, ends):
            if e - s >= min_len:
                out.append((int(i), int(s), int(e)))
    return out


def _cluster(values: list[int], gap: int) -> list[int]:
    """Centres of groups of nearby positions (a ruling is a few pixels thick)."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= gap:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(g) / len(g))) for g in out]


def strokes(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The long horizontal and the long vertical strokes of a page's ink mask (uint8 0/1) —
    rulings: text strokes are too short to pass — and the lengths that decided it."""
    import cv2

    h, w = ink.shape
    hk = max(30, w // 14)  # longer than three characters
    vk = max(30, h // 45)  # taller than two lines of text
    horiz = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1))
    )
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    return horiz, vert, hk, vk


def find_tables(gray: np.ndarray) -> list[Table]:
    """Ruled tables of a deskewed grayscale page (uint8, dark ink on light paper). A table is a
    connected set of long horizontal and vertical strokes (:func:`strokes`)."""
    import cv2

    h, w = gray.shape
    # ink against the local background: scanned rulings are thin and light after blur and JPEG
    ink = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 8)
    horiz, vert, hk, vk = strokes(ink)
    # bridge small breaks (JPEG noise, blur) and the corners where rulings meet
    horiz = cv2.dilate(horiz, np.ones((3, 9), np.uint8))
    vert = cv2.dilate(vert, np.ones((9, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (horiz | vert).astype(np.uint8), connectivity=8
    )
    out = []
    for k in range(1, count):
        x, y, bw, bh, _ = stats[k]
        if bw < w * 0.3 or bh < vk * 2:
            continue
        part = labels[y : y + bh, x : x + bw] == k
        t = _table(
            horiz[y : y + bh, x : x + bw].astype(bool) & part,
            vert[y : y + bh, x : x + bw].astype(bool) & part,
            hk,
            vk,
            max(4, h // 400),
        )
        if t is not None:
            t.ys = [v + y for v in t.ys]
            t.xs = [v + x for v in t.xs]
            out.append(t)
    return sorted(out, key=lambda t: t.ys[0])


def _table(horiz: np.ndarray, vert: np.ndarray, hk: int, vk: int, tol: int) -> Table | None:
    hsegs = _runs(horiz, hk)
    vsegs = _runs(vert.T, vk)
    ys = _cluster([y for y, _, _ in hsegs], tol)
    xs = _cluster([x for x, _, _ in vsegs], tol)
    if len(ys) < 3 or len(xs) < 3:
        return None
    hs = {y: [(s, e) for yy, s, e in hsegs if abs(yy - y) <= tol + 2] for y in ys}
    vs = {x: [(s, e) for xx, s, e in vsegs if abs(xx - x) <= tol + 2] for x in xs}
    # rulings that bound no cell (a stray stroke) are dropped
    xs = [x for x in xs if any(_cover(vs[x], a, b) > 0.6 for a, b in zip(ys, ys[1:]))]
    ys = [y for y in ys if any(_cover(hs[y], a, b) > 0.6 for a, b in zip(xs, xs[1:]))]
    if len(ys) < 3 or len(xs) < 3:
        return None
    return _regions(
        Table(ys, xs), lambda x, a, b: _cover(vs[x], a, b), lambda y, a, b: _cover(hs[y], a, b)
    )


def _cover(segments: list[tuple[int, int]], a: int, b: int) -> float:
    if b <= a:
        return 0.0
    covered = sum(max(0, min(e, b) - max(s, a)) for s, e in segments)
    return min(1.0, covered / (b - a))


def _regions(t: Table, vcover, hcover) -> Table:
    """Merge lattice cells across missing rulings (union-find)."""
    rows, cols = len(t.ys) - 1, len(t.xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(rows):
        y0, y1 = t.ys[r], t.ys[r + 1]
        for c in range(cols):
            x0, x1 = t.xs[c], t.xs[c + 1]
            if c + 1 < cols and vcover(t.xs[c + 1], y0 + 2, y1 - 2) < 0.5:
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and hcover(t.ys[r + 1], x0 + 2, x1 - 2) < 0.5:
                union(r * cols + c, (r + 1) * cols + c)
    t.region = np.array([find(i) for i in range(rows * cols)]).reshape(rows, cols)
    return t


def grid(
    t: Table, boxes: list[tuple]
) -> tuple[
    list[list[str]], list[list[int]], list[list[float | None]], list[list[list[str] | None]]
]:
    """Cells, spans, confidences and OCR alternatives of a table's rows (as an HTML grid would
    give them) from text boxes (centre x, centre y, text, score, alternatives): each box goes to
    the merged region its centre is in, and a region's text is read left to right, top to bottom,
    at its top-left cell. Alternatives stay only where a cell is one box."""
    rows, cols = t.region.shape
    texts: dict[int, list[tuple]] = {}
    for x, y, text, score, alts in boxes:
        at = t.cell_at(x, y)
        if at is None:
            continue
        texts.setdefault(int(t.region[at]), []).append((y, x, text, score, alts))
    cells, spans, confs, others = [], [], [], []
    for r in range(rows):
        row_cells, row_spans, row_conf, row_alts = [], [], [], []
        for c in range(cols):
            reg = int(t.region[r, c])
            top_left = reg == r * cols + c
            if top_left:
                width = 1
                while c + width < cols and int(t.region[r, c + width]) == reg:
                    width += 1
                parts = _reading_order(texts.get(reg, []))
                row_cells.append("".join(p[2] for p in parts))
                row_spans.append(width)
                row_conf.append(min((p[3] for p in parts), default=None))
                row_alts.append(parts[0][4] if len(parts) == 1 else None)
            else:
                row_cells.append("")
                row_spans.append(
                    0 if c and int(t.region[r, c - 1]) == reg and reg // cols == r else -1
                )
                row_conf.append(None)
                row_alts.append(None)
        cells.append(row_cells)
        spans.append(row_spans)
        confs.append(row_conf)
        others.append(row_alts)
    return cells, spans, confs, others


def _reading_order(parts: list[tuple]) -> list[tuple]:
    """Lines of a cell top to bottom (a label wrapped over lines), each left to right."""
    parts = sorted(parts, key=lambda p: (p[0], p[1]))
    lines: list[list] = []
    for p in parts:
        if lines and abs(p[0] - lines[-1][0][0]) < 8:
            lines[-1].append(p)
        else:
            lines.append([p])
    return [q for line in lines for q in sorted(line, key=lambda q: q[1])]
