"""Scanned pages and images to lines of cells (RapidOCR; its Chinese models ship in the wheel).

Structure first. Text is found once, at low resolution (DET_FAST_SIDE); the page's skew is
estimated from the lines of text and undone. Ruled tables are rebuilt from their rulings
(:mod:`.lattice`), and each cell — a merged region is one — is cut from the grid, its lines of
ink found by their profile and recognised directly: no detection inside tables, no blank cell
recognised, rulings painted out first; blank and merged cells keep their places as in an HTML
grid. Text outside ruled tables (and tables printed without rulings) is recognised box by box and
grouped into rows by the boxes' centres, left to right; there blank cells are lost, as in
space-separated text, and the identities decide. Every cell keeps the recogniser's confidence.
Narrow boxes are read padded narrow, and what the recogniser is unsure of is read again wide;
every line gets a margin of paper above and below first (LINE_PAD), which makes it cheaper to
read. The pages of a document are laid out side by side, one per core, and their lines are then
dealt out in chunks to whichever core is free (ocr_pages).
On the accuracy corpus's 14 scans this reads 99.89 % of cells exactly (99.71 % before, with
detection at 1600 px and every box recognised) in under a third of the time (0.85 s a page with the
models loaded, against 2.76; `make bench`).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import math
import re
import statistics
import threading
from collections.abc import Iterable

from ..model import LOW_CONFIDENCE, Extracted, ExtractionError, Line
from ..settings import MAX_IMAGE_PIXELS
from .text import split_line

_GLUED = re.compile(r"^(.*[\u4e00-\u9fff)）])(\d[\d,]*(?:\.\d+)?)$")
# Detection on the page shrunk to this many pixels on its long side (a 200-dpi A4 page is ~2350):
# its cost falls with the square of it, and it only finds text outside tables and the skew —
# recognition reads crops of the full-resolution page. (Detecting boxes inside tables too, at
# 1600 px, misread a cell at 1280 and cost three times as much.)
DET_FAST_SIDE = 960
REC_BATCH = 3  # recognition batches pad to their widest line: small batches pad less
# RapidOCR pads every line it recognises to at least 320 x 48 pixels (PaddleOCR's training
# shape), but most boxes of a table are one or two digits, 45 pixels wide: 7/8 of the work was
# padding. Lines are read padded to REC_NARROW first; any reading below LOW_CONFIDENCE is read
# again as RapidOCR reads it and that reading is kept. Recognition costs 0.62 of what it did
# (1,001 lines of three scans: 29 s against 47 s, 18 lines read twice); narrower pads make the
# digits unsure (0 read as o at 96) and more lines are read twice.
REC_NARROW = 128
# Boxes no wider than this at the recogniser's height (a number of one to three digits) are read
# padded to it, not to REC_NARROW: half the work again, and what it is unsure of is read wide.
REC_NARROWEST = 64
# Paper added above and below every line before it is read, a quarter of its height on each
# side. The recogniser scales a line to 48 pixels high and its cost grows with the width that
# gives: a cell's line cut tight to its ink (ink filling 3/4 of the crop, where RapidOCR's own
# boxes leave more margin) is scaled up and made wide. On the 14 scans: 48 s against 40 s for the
# same cells read (99.821 %), the same years and issuers; the prose of six of them differed in one
# column heading, misread both ways. (Half the height: 36 s, the same cells; kept to a quarter,
# nearer the margins the recogniser was trained on.)
LINE_PAD = 0.25
TIER_BATCH = 16  # boxes of a tier are read this many at a time (they pad to one width)
_idle: dict[int, list] = {}  # onnxruntime threads -> engines not lent now
_idle_lock = threading.Lock()
_made: dict[int, object] = {}  # onnxruntime threads -> the first engine, whose models others share
_load_lock = threading.Lock()


# onnxruntime's execution providers RapidOCR can use, in the order they are preferred; the CPU
# stays the default and the tested path (no machine here has a GPU).
ACCELERATORS = (("CUDAExecutionProvider", "use_cuda"), ("DmlExecutionProvider", "use_dml"))


def accelerator() -> dict:
    """RapidOCR's switch for the first GPU provider onnxruntime reports (OGI_OCR_CPU=1: none)."""
    import os

    if os.environ.get("OGI_OCR_CPU"):
        return {}
    try:
        import onnxruntime

        available = set(onnxruntime.get_available_providers())
    except Exception:  # noqa: BLE001 - no onnxruntime, no accelerator
        return {}
    for provider, switch in ACCELERATORS:
        if provider in available:
            return {f"EngineConfig.onnxruntime.{switch}": True}
    return {}


def _new_engine(threads: int):
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    from rapidocr import RapidOCR

    made = RapidOCR(
        params={
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_FAST_SIDE,  # (_detect shrinks the page to it first)
            "Rec.rec_batch_num": REC_BATCH,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            **accelerator(),
        }
    )
    for name in list(logging.root.manager.loggerDict):
        if name.lower().startswith("rapidocr"):
            logging.getLogger(name).setLevel(logging.WARNING)
    made.text_rec = NarrowFirst(made._load_rec_model())
    return made


def _twin(model):
    """Another engine over the same onnxruntime sessions (their run() is thread-safe): what a
    page thread needs of its own is the Python objects around them, not a second copy of the
    models (≈0.8 s to load)."""
    twin = copy.copy(model)
    twin.text_det = copy.copy(model._load_det_model())
    twin.text_rec = NarrowFirst(copy.copy(model.text_rec.wide))
    return twin


class NarrowFirst:
    """RapidOCR's recogniser, reading each batch of lines padded to REC_NARROW pixels first and
    the lines it is unsure of again at RapidOCR's own width (see REC_NARROW). Everything else
    (the session, the shapes digit_alternatives reads) is the recogniser's own."""

    def __init__(self, rec):
        self.wide = rec
        self.narrow = copy.copy(rec)  # shares the onnxruntime session
        self.narrow.rec_image_shape = [*rec.rec_image_shape[:2], REC_NARROW]
        self.narrowest = copy.copy(rec)
        self.narrowest.rec_image_shape = [*rec.rec_image_shape[:2], REC_NARROWEST]
        # Boxes that fit a tier are all padded to its width, so a larger batch pads nothing
        # (816 boxes: 4.6 s in batches of 3, 4.1 s in 16, the same readings); longer lines pad
        # to the widest of their batch, and stay in small ones.
        self.narrowest.rec_batch_num = TIER_BATCH
        self.fitting = copy.copy(self.narrow)
        self.fitting.rec_batch_num = TIER_BATCH

    def __getattr__(self, name):
        return getattr(self.wide, name)

    def tier(self, im):
        """Which recogniser reads a box: padded to REC_NARROWEST or REC_NARROW when it fits,
        else to its own width, at least REC_NARROW."""
        w = im.shape[1] * self.wide.rec_image_shape[1]
        if w <= REC_NARROWEST * im.shape[0]:
            return self.narrowest
        return self.fitting if w <= REC_NARROW * im.shape[0] else self.narrow

    def _tiered(self, imgs: list) -> list[tuple[object, list[int]]]:
        """(recogniser, indexes of the boxes it reads), tiers in the order they first appear."""
        groups: dict[int, tuple[object, list[int]]] = {}
        for i, im in enumerate(imgs):
            rec = self.tier(im)
            groups.setdefault(id(rec), (rec, []))[1].append(i)
        return list(groups.values())

    def chunks(self, imgs: list, batches: int = 2) -> list[list[int]]:
        """The boxes (their indexes) in chunks of `batches` batches, to be read apart: in the
        order the recogniser sorts them (by width over height, within each tier) and cut where
        its batches end, so every batch pads as it would in one call and reads the same. The
        costliest chunks (the widest lines) come first, so the cores end together."""
        tiers = {id(rec): idx for rec, idx in self._tiered(imgs)}
        out = []
        for rec in (self.narrow, self.fitting, self.narrowest):
            idx = sorted(tiers.get(id(rec), []), key=lambda i: imgs[i].shape[1] / imgs[i].shape[0])
            size = batches * rec.rec_batch_num
            cut = [idx[j : j + size] for j in range(0, len(idx), size)]
            out += cut[::-1] if rec is self.narrow else cut
        return out

    def __call__(self, args):
        imgs = [args.img] if not isinstance(args.img, (list, tuple)) else list(args.img)
        groups = self._tiered(imgs)
        if len(groups) == 1 and groups[0][0] is self.narrow:
            return self._read(args, self.narrow)
        txts, scores, words = [None] * len(imgs), [0.0] * len(imgs), [None] * len(imgs)
        first = None
        for rec, idx in groups:
            out = self._read(dataclasses.replace(args, img=[imgs[i] for i in idx]), rec)
            if first is None:
                first = out
            for k, i in enumerate(idx):
                txts[i], scores[i], words[i] = out.txts[k], out.scores[k], out.word_results[k]
        return dataclasses.replace(
            first, imgs=imgs, txts=tuple(txts), scores=scores, word_results=tuple(words)
        )

    def _read(self, args, rec):
        out = rec(args)
        unsure = [i for i, score in enumerate(out.scores) if score < LOW_CONFIDENCE]
        if not unsure:
            return out
        imgs = [args.img] if not isinstance(args.img, (list, tuple)) else args.img
        again = self.wide(dataclasses.replace(args, img=[imgs[i] for i in unsure]))
        txts, scores, words = list(out.txts), list(out.scores), list(out.word_results)
        for k, i in enumerate(unsure):
            txts[i], scores[i], words[i] = again.txts[k], again.scores[k], again.word_results[k]
        return dataclasses.replace(out, txts=tuple(txts), scores=scores, word_results=tuple(words))


@contextlib.contextmanager
def engine(threads: int = 1):
    """A RapidOCR running on `threads` onnxruntime threads, lent for one page or one chunk of a
    page's lines. Engines go back to the process's pool and are lent again: loading the models
    costs ≈0.7 s, most of a page, so no page may pay it twice (each document's threads are new)."""
    with _idle_lock:
        free = _idle.setdefault(threads, [])
        lent = free.pop() if free else None
        model = _made.get(threads)
    if lent is None:
        if model is not None:
            lent = _twin(model)
        else:
            with _load_lock:  # two page threads starting together load the models once
                model = _made.get(threads)
                lent = _twin(model) if model is not None else _new_engine(threads)
                _made.setdefault(threads, lent)
    try:
        yield lent
    finally:
        with _idle_lock:
            _idle[threads].append(lent)


def ocr_pages(jobs: Iterable[tuple[object, int]], cores: int = 1) -> list[list[Line]]:
    """Several scanned pages (image, page number) at once on `cores` cores, lines in the order of
    `jobs`. Each page is laid out (text found, turned upright, tables and cells cut) on one core,
    and what is to be read is then dealt out in chunks to whichever core is free: the cost of a
    page is mostly recognition, and pages differ, so whole pages side by side left a core idle
    at the end of a document and while a lone page was read (a 4-page scan in a fresh process:
    5.6 s with 1.49 cores busy, now 5.0 s with 1.68)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    if cores <= 1:
        return [ocr_lines(img, no) for img, no in jobs]
    layouts: list[_Layout] = []
    reading: list[tuple[int, list[int], object]] = []
    with ThreadPoolExecutor(cores, thread_name_prefix="ocr") as pool:
        laying = {}
        for i, (img, no) in enumerate(jobs):
            laying[pool.submit(_laid_out_with, img, no)] = i
            layouts.append(None)
        for done in as_completed(laying):
            i = laying[done]
            layout, chunks = done.result()
            layouts[i] = layout
            for chunk in chunks:
                reading.append((i, chunk, pool.submit(_read, [layout.crops[k] for k in chunk])))
        texts = [[""] * len(l.crops) for l in layouts]
        scores = [[0.0] * len(l.crops) for l in layouts]
        for i, chunk, future in reading:
            txts, confs = future.result()
            for k, text, score in zip(chunk, txts, confs):
                texts[i][k], scores[i][k] = text, score
    with engine(1) as ocr:
        return [_placed(l, t, s, ocr.text_rec) for l, t, s in zip(layouts, texts, scores)]


@dataclasses.dataclass
class _Layout:
    """A page laid out for reading: its ruled tables and, for each line of ink to be read (in a
    table's cell or outside tables), where it lies on the upright page and its crop."""

    page: int | None
    tables: list
    places: list[tuple[float, float, float]]  # (centre y, centre x, height)
    crops: list


def ocr_lines(image, page: int | None = None, threads: int = 1) -> list[Line]:
    """A page image's lines of cells. Structure first: text is found at low resolution
    (DET_FAST_SIDE) for the skew and for what lies outside tables; ruled tables are rebuilt from
    their rulings, and each cell's lines of ink are cut from the grid and recognised directly —
    no detection inside tables, blank cells never recognised, a lone slanted stroke read as the
    "/" of a cell that does not apply. Text outside tables is recognised from the page turned
    upright, row by row."""
    with engine(threads) as ocr:
        layout = _laid_out(ocr, image, page)
        if not layout.crops:
            return []
        read = ocr.text_rec(_rec_input(layout.crops))
        return _placed(layout, read.txts, read.scores, ocr.text_rec)


def _laid_out_with(image, page: int | None) -> tuple[_Layout, list[list[int]]]:
    """A page laid out on an engine of one thread, and its crops in chunks to read."""
    with engine(1) as ocr:
        layout = _laid_out(ocr, image, page)
        return layout, ocr.text_rec.chunks(layout.crops)


def _read(crops: list) -> tuple[tuple, list]:
    """(texts, confidences) of crops, on an engine of one onnxruntime thread."""
    with engine(1) as ocr:
        read = ocr.text_rec(_rec_input(crops))
    return read.txts, read.scores


def _laid_out(ocr, image, page: int | None) -> _Layout:
    """Text found at low resolution, the page turned upright, its ruled tables rebuilt and the
    lines of ink to read cut out: everything of a page but recognition."""
    import cv2
    import numpy as np

    from .lattice import find_tables

    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise ExtractionError(
            f"image of {image.width}x{image.height} pixels is too large to be a page"
        )
    rgb = np.asarray(image.convert("RGB"))
    quads = _detect(ocr, rgb, DET_FAST_SIDE)
    angle = _skew_of_lines(quads)
    up_rgb = _turned(rgb, angle)
    gray = cv2.cvtColor(up_rgb, cv2.COLOR_RGB2GRAY)
    tables = find_tables(gray)
    turn = _turner(angle, image.width / 2, image.height / 2)
    pieces = []
    if tables:
        ink, clean = _without_rulings(gray, up_rgb)
        pieces = [piece for t in tables for piece in _cell_lines(t, ink, clean)]
    for q in quads:
        cx, cy = turn(sum(p[0] for p in q) / 4, sum(p[1] for p in q) / 4)
        if any(t.bbox[0] <= cx <= t.bbox[2] and t.bbox[1] <= cy <= t.bbox[3] for t in tables):
            continue  # inside a table: its cells are read from the grid
        crop = _upright_crop(q, turn, up_rgb)
        if crop is not None:
            pieces.append((cy, cx, crop.shape[0], crop))
    return _Layout(page, tables, [p[:3] for p in pieces], [_margined(p[3]) for p in pieces])


def _margined(crop):
    """The crop with paper added above and below (LINE_PAD of its height on each side)."""
    import cv2

    pad = round(LINE_PAD * crop.shape[0])
    return cv2.copyMakeBorder(crop, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def _placed(layout: _Layout, txts, scores, rec) -> list[Line]:
    """The page's lines of cells from what its crops read (`rec`, the recogniser, reads again
    the numbers it was unsure of for their alternatives)."""
    placed = []
    for (y, x, h), crop, text, score in zip(layout.places, layout.crops, txts, scores):
        if not text or not text.strip():
            continue
        if text.strip() in ("1", "l", "I", "|") and _slanted(crop):
            text = "/"  # the slash of a cell that does not apply, which reads as a "1"
        alts = None
        if score < LOW_CONFIDENCE and _NUMERIC.match(text.strip()):
            ch, cw = crop.shape[:2]
            alts = digit_alternatives(rec, crop, [(0, 0), (cw, 0), (cw, ch), (0, ch)], text)
        placed.append((y, x, h, text, float(score), alts))
    return _assemble(placed, layout.tables, layout.page)


def _slanted(crop, degrees: float = 10.0) -> bool:
    """Whether the one stroke in a crop leans like a "/" (its top to the right) rather than
    stands like a "1" (whose flag tips its axis 2–8° the other way, measured on the scans)."""
    import cv2
    import numpy as np

    ink = (np.asarray(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)) < INK_LEVEL).astype(np.uint8)
    m = cv2.moments(ink, binaryImage=True)
    if m["m00"] < 8 or m["mu02"] <= 0:
        return False
    # the stroke's axis against the vertical, from its second moments
    lean = 0.5 * math.degrees(math.atan2(2 * m["mu11"], m["mu02"] - m["mu20"]))
    return lean < -degrees


def _rec_input(crops):
    from rapidocr.ch_ppocr_rec import TextRecInput

    return TextRecInput(img=crops)


def _turned(rgb, angle: float):
    """The page turned upright about its centre (as PIL's rotate by the angle in degrees would,
    in a fifth of the time), white where the turn leaves no page."""
    import cv2

    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(angle), 1.0)
    return cv2.warpAffine(
        rgb, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )  # fmt: skip


def _detect(ocr, rgb, side: int) -> list:
    """Text boxes (four corners, full-resolution coordinates) found on the page shrunk to
    `side` pixels on its long side."""
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, side / max(h, w))
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    found = ocr._load_det_model()(small)
    if found.boxes is None:
        return []
    return [[(float(x) / scale, float(y) / scale) for x, y in box] for box in found.boxes]


def _turner(angle: float, cx0: float, cy0: float):
    """Where a point of the page lands once the page is turned upright (about its centre)."""
    cos, sin = math.cos(angle), math.sin(angle)

    def turn(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx0, y - cy0
        return cx0 + dx * cos + dy * sin, cy0 - dx * sin + dy * cos

    return turn


def _upright_crop(quad, turn, up_rgb, pad: int = 4):
    pts = [turn(x, y) for x, y in quad]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    h, w = up_rgb.shape[:2]
    x0, x1 = max(0, int(min(xs)) - pad), min(w, int(max(xs)) + pad)
    y0, y1 = max(0, int(min(ys)) - pad), min(h, int(max(ys)) + pad)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    return up_rgb[y0:y1, x0:x1]


CELL_INSET = 4  # pixels kept off a cell's rulings
INK_LEVEL = 160  # a grey darker than this is ink (the scans' paper is ≥ 200 after blur and JPEG)
MIN_LINE = 8  # a band of ink lower than this is a ruling's edge or noise, not text


def _without_rulings(gray, up_rgb):
    """The page's ink with the rulings taken out (long strokes, found as lattice.find_tables
    finds them, a pixel thicker each side), and the page with them painted white: a ruling the
    deskew leaves slightly slanted crosses a cell's edge and would read as a "1". Not thicker:
    two pixels a side took the "1" of an 18 printed against a ruling (read 8; on the 14 scans
    99.821 % with 1 wrong, one pixel 99.893 % with none), none left the ruling's edges to be read
    as 1s (99.391 %, 2 wrong); twice the blur at 150 dpi read the same either way."""
    import cv2
    import numpy as np

    from .lattice import strokes

    dark = (gray < INK_LEVEL).astype(np.uint8)
    horiz, vert, _, _ = strokes(dark)
    lines = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8)).astype(bool)
    clean = up_rgb.copy()
    clean[lines] = 255
    return dark.astype(bool) & ~lines, clean


def _cell_lines(t, ink_page, clean):
    """(centre y, centre x, height, crop) of each line of ink in each cell of a ruled table:
    a merged region is one cell; a blank cell gives nothing. `ink_page` and `clean`: the page's
    ink and image without its rulings (_without_rulings)."""
    import numpy as np

    from .lattice import _runs

    out = []
    for reg in np.unique(t.region):
        where = np.argwhere(t.region == reg)
        (r0, c0), (r1, c1) = where.min(axis=0), where.max(axis=0)
        x0, x1 = t.xs[c0] + CELL_INSET, t.xs[c1 + 1] - CELL_INSET
        y0, y1 = t.ys[r0] + CELL_INSET, t.ys[r1 + 1] - CELL_INSET
        if x1 - x0 < 6 or y1 - y0 < 6:
            continue
        ink = ink_page[y0:y1, x0:x1]
        # lines of text: runs of rows holding ink, at least MIN_LINE high
        for _, b0, b1 in _runs(ink.any(axis=1)[np.newaxis, :], MIN_LINE):
            band = ink[b0:b1]
            if band.sum() < 12:
                continue  # specks
            cols_ink = np.nonzero(band.any(axis=0))[0]
            # the line with a margin of paper, inside the cell
            bx0, bx1 = max(0, int(cols_ink[0]) - 4), min(x1 - x0, int(cols_ink[-1]) + 5)
            by0, by1 = max(0, b0 - 4), min(y1 - y0, b1 + 4)
            crop = clean[y0 + by0 : y0 + by1, x0 + bx0 : x0 + bx1]
            out.append(
                (y0 + (by0 + by1) / 2, x0 + (bx0 + bx1) / 2, by1 - by0, np.ascontiguousarray(crop))
            )
    return out


def _assemble(placed: list[tuple], tables: list, page: int | None) -> list[Line]:
    """Lines of cells from recognised text placed on the upright page (y, x, height, text,
    confidence, alternatives): inside a ruled table by its grid, elsewhere row by row."""
    from .lattice import grid

    items: list[tuple[float, Line]] = []
    rest = placed
    for t in tables:
        x0, y0, x1, y1 = t.bbox
        inside = [p for p in rest if x0 <= p[1] <= x1 and y0 <= p[0] <= y1]
        rest = [p for p in rest if not (x0 <= p[1] <= x1 and y0 <= p[0] <= y1)]
        cells, spans, confs, others = grid(
            t,
            [
                (x, y, _GLUED.sub(r"\1 \2", text), score, alt)
                for y, x, _, text, score, alt in inside
            ],
        )
        for r, (row, sp, cf, al) in enumerate(zip(cells, spans, confs, others)):
            if any(row):
                items.append(
                    (
                        t.ys[r],
                        Line(
                            row,
                            exact=True,
                            page=page,
                            spans=sp,
                            conf=[c if c is not None else 1.0 for c in cf],
                            alts=al if any(al) else None,
                        ),
                    )
                )
    items += [(row[0][0], line) for row, line in _text_rows(rest, page)]
    items.sort(key=lambda it: it[0])
    return [line for _, line in items]


def _text_rows(placed: list[tuple], page: int | None) -> list[tuple[list[tuple], Line]]:
    """Boxes outside ruled tables, grouped into rows by their centres and read left to right."""
    if not placed:
        return []
    placed = sorted(placed)
    tol = 0.5 * statistics.median(p[2] for p in placed)
    rows: list[list[tuple]] = []
    for p in placed:
        if rows and abs(p[0] - statistics.fmean(q[0] for q in rows[-1])) <= tol:
            rows[-1].append(p)
        else:
            rows.append([p])
    out = []
    for row in rows:
        cells: list[str] = []
        conf: list[float] = []
        glued: set[int] = set()
        for _, _, _, text, score, _ in sorted(row, key=lambda q: q[1]):
            # The recogniser sometimes runs a label and the first number of its row together
            # ("…反复申请0"): a number glued to the end of Chinese text is its own cell.
            text = _GLUED.sub(r"\1 \2", text)
            parts = split_line(text) or []
            # A recognised box is no printed boundary: close cells come out as one box ("10"
            # for 1 | 0), so its digits may hold several numbers (the identities decide).
            glued.update(len(cells) + i for i, p in enumerate(parts) if p[-1:].isdigit())
            cells.extend(parts)
            conf.extend([score] * len(parts))
        if cells:
            out.append(
                (
                    row,
                    Line(
                        cells,
                        page=page,
                        conf=conf,
                        glued=frozenset(glued),
                        raw=" ".join(p[3] for p in sorted(row, key=lambda q: q[1])),
                    ),
                )
            )
    return out


_NUMERIC = re.compile(r"^[\d,，.]+$")


def digit_alternatives(rec, rgb, box, text: str, min_ratio: float = 0.02) -> list[str]:
    """Other readings of a number the recogniser was unsure of: the box is recognised again and,
    at each digit, the next likeliest digit of the CTC output gives one alternative (as likely
    as `min_ratio` of the digit read, at least). Likeliest first. The identities later decide
    whether one of them is the reading (pipeline.validate.ocr). `rec`: the engine's recogniser."""
    import numpy as np

    if rec is None:
        return []
    xs = [int(p[0]) for p in box]
    ys = [int(p[1]) for p in box]
    pad = 2
    crop = rgb[max(0, min(ys) - pad) : max(ys) + pad, max(0, min(xs) - pad) : max(xs) + pad]
    if crop.size == 0:
        return []
    h, w = crop.shape[:2]
    _, img_h, img_w = rec.rec_image_shape
    norm = rec.resize_norm_img(crop, max(w / h, img_w / img_h))
    preds = rec.session(norm[np.newaxis].astype(np.float32))[0]
    chars = rec.postprocess_op.character
    best = preds.argmax(axis=1)
    steps, prev = [], -1
    for t, i in enumerate(best):
        if i != prev and i != 0:
            steps.append((t, int(i)))
        prev = i
    read = "".join(chars[i] for _, i in steps)
    if read != text.strip():
        return []  # read differently the second time: no alternative to offer
    out: list[tuple[float, str]] = []
    for k, (t, i) in enumerate(steps):
        if not chars[i].isdigit():
            continue
        row = preds[t]
        for j in row.argsort()[::-1][1:3]:
            c = chars[int(j)]
            if c.isdigit() and row[j] >= min_ratio * row[i]:
                out.append((float(row[j] / row[i]), read[:k] + c + read[k + 1 :]))
    return [alt for _, alt in sorted(out, reverse=True)]


def _skew(boxes, min_ratio: float = 2, min_width: float = 20) -> float:
    """Median angle of the top edges of wide text boxes (radians)."""
    angles = []
    for box, _, _ in boxes:
        (x0, y0), (x1, y1) = box[0], box[1]
        w = math.hypot(x1 - x0, y1 - y0)
        h = math.hypot(box[3][0] - box[0][0], box[3][1] - box[0][1])
        if w > min_ratio * h and w > min_width:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


def _skew_of_lines(quads) -> float:
    """The skew from boxes found at low resolution: a short box's corners snap to the pixel
    grid there (its angle reads 0), so only lines of text count — else any wide box."""
    boxes = [(q, "", 1.0) for q in quads]
    long = [b for b in boxes if _wide(b[0], 4, 100)]
    return _skew(long, 4, 100) if len(long) >= 3 else _skew(boxes)


def _wide(box, ratio: float, width: float) -> bool:
    w = math.hypot(box[1][0] - box[0][0], box[1][1] - box[0][1])
    h = math.hypot(box[3][0] - box[0][0], box[3][1] - box[0][1])
    return w > ratio * h and w > width


def extract(data: bytes, source: str, sha: str, kind, cores: int) -> Extracted:
    """An image of a report page, read by OCR."""
    lines = image_lines(data, cores)
    return Extracted(
        source, sha, kind.media_type, "ocr", lines, {}, [low_confidence_warning(lines)]
    )


def low_confidence_warning(lines: list[Line]) -> str:
    """What every OCR'd document says of its numbers."""
    low = sum(1 for l in lines for c in (l.conf or []) if c < LOW_CONFIDENCE)
    return (
        f"numbers read by OCR from an image ({low} text boxes below confidence {LOW_CONFIDENCE}): "
        "trust them only where the checks pass"
    )


def image_lines(data: bytes, cores: int = 1) -> list[Line]:
    import io

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError:
        raise ExtractionError("image is a decompression bomb (too many pixels)") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ExtractionError(f"unreadable image: {exc}") from None
    (lines,) = ocr_pages([(img, 1)], cores)
    return lines
