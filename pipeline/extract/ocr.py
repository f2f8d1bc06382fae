"""Scanned pages and images to lines of cells (RapidOCR; its Chinese models ship in the wheel).

The page's skew is estimated from the text boxes' top edges and undone. Ruled tables are then
rebuilt from their rulings (:mod:`.lattice`): each text box goes to the cell its centre is in, so
blank cells and merged cells keep their places as in an HTML grid. Text outside ruled tables
(and tables printed without rulings) is grouped into rows by the boxes' centres, left to right;
there blank cells are lost, as in space-separated text, and the identities decide. Every cell
keeps the recogniser's confidence.
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

from ..model import LOW_CONFIDENCE, Extracted, ExtractionError, Line
from ..settings import MAX_IMAGE_PIXELS
from .text import split_line

_GLUED = re.compile(r"^(.*[\u4e00-\u9fff)）])(\d[\d,]*(?:\.\d+)?)$")
# Detection at most this many pixels on the long side (a 200-dpi A4 page is ~2350): the
# detector's cost falls with the square of it, recognition reads crops of the full image anyway.
# 1600 read every cell of the accuracy corpus's scans; 1280 misread one (9 as 6, flagged by a
# check), the full page left one empty.
DET_MAX_SIDE = 1600
REC_BATCH = 3  # recognition batches pad to their widest line: small batches pad less
# RapidOCR pads every line it recognises to at least 320 x 48 pixels (PaddleOCR's training
# shape), but most boxes of a table are one or two digits, 45 pixels wide: 7/8 of the work was
# padding. Lines are read padded to REC_NARROW first; any reading below LOW_CONFIDENCE is read
# again as RapidOCR reads it and that reading is kept. Recognition costs 0.62 of what it did
# (1,001 lines of three scans: 29 s against 47 s, 18 lines read twice); narrower pads make the
# digits unsure (0 read as o at 96) and more lines are read twice.
REC_NARROW = 128
_idle: dict[int, list] = {}  # onnxruntime threads -> engines not lent now
_idle_lock = threading.Lock()


def _new_engine(threads: int):
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    from rapidocr import RapidOCR

    made = RapidOCR(
        params={
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_MAX_SIDE,
            "Rec.rec_batch_num": REC_BATCH,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        }
    )
    for name in list(logging.root.manager.loggerDict):
        if name.lower().startswith("rapidocr"):
            logging.getLogger(name).setLevel(logging.WARNING)
    made.text_rec = NarrowFirst(made._load_rec_model())
    return made


class NarrowFirst:
    """RapidOCR's recogniser, reading each batch of lines padded to REC_NARROW pixels first and
    the lines it is unsure of again at RapidOCR's own width (see REC_NARROW). Everything else
    (the session, the shapes digit_alternatives reads) is the recogniser's own."""

    def __init__(self, rec):
        self.wide = rec
        self.narrow = copy.copy(rec)  # shares the onnxruntime session
        self.narrow.rec_image_shape = [*rec.rec_image_shape[:2], REC_NARROW]

    def __getattr__(self, name):
        return getattr(self.wide, name)

    def __call__(self, args):
        out = self.narrow(args)
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
    """A RapidOCR running on `threads` onnxruntime threads, lent for one page. Engines go back to
    the process's pool and are lent again: loading the models costs ≈1.5 s, more than a third of a
    page, so no page may pay it twice (each document's page threads are new)."""
    with _idle_lock:
        free = _idle.setdefault(threads, [])
        lent = free.pop() if free else None
    if lent is None:
        lent = _new_engine(threads)
    try:
        yield lent
    finally:
        with _idle_lock:
            _idle[threads].append(lent)


def ocr_pages(jobs: list[tuple[object, int]], cores: int = 1) -> list[list[Line]]:
    """Several scanned pages (image, page number) at once: one page per core of the `cores` this
    document may use, each on one onnxruntime thread (two pages side by side beat one page on two threads:
    2.75 vs 3.5 s a page here), lines in the order of `jobs`."""
    from concurrent.futures import ThreadPoolExecutor

    parallel = min(len(jobs), cores)
    if parallel <= 1:
        return [ocr_lines(img, no, threads=cores) for img, no in jobs]
    with ThreadPoolExecutor(parallel, thread_name_prefix="ocr") as pool:
        return list(pool.map(lambda job: ocr_lines(job[0], job[1], threads=1), jobs))


def ocr_lines(image, page: int | None = None, threads: int = 1) -> list[Line]:
    import numpy as np
    from PIL import Image

    from .lattice import find_tables, grid

    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise ExtractionError(
            f"image of {image.width}x{image.height} pixels is too large to be a page"
        )
    rgb = np.asarray(image.convert("RGB"))
    with engine(threads) as ocr:
        result = ocr(rgb)
        if result is None or result.boxes is None or not len(result.boxes):
            return []
        boxes = [
            (b, t, float(s))
            for b, t, s in zip(result.boxes, result.txts, result.scores)
            if t and t.strip()
        ]
        alts = {
            i: digit_alternatives(ocr.text_rec, rgb, b, t)
            for i, (b, t, s) in enumerate(boxes)
            if s < LOW_CONFIDENCE and _NUMERIC.match(t.strip())
        }
    angle = _skew(boxes)
    # Undo the skew about the page centre, for the image (rulings) and the boxes alike.
    cx0, cy0 = image.width / 2, image.height / 2
    cos, sin = math.cos(angle), math.sin(angle)
    placed = []
    for i, (box, text, score) in enumerate(boxes):
        dx = sum(p[0] for p in box) / 4 - cx0
        dy = sum(p[1] for p in box) / 4 - cy0
        x, y = cx0 + dx * cos + dy * sin, cy0 - dx * sin + dy * cos
        h = abs(box[3][1] - box[0][1]) or 1.0
        placed.append((y, x, h, text, score, alts.get(i)))
    upright = image.convert("L").rotate(math.degrees(angle), resample=Image.BICUBIC, fillcolor=255)
    tables = find_tables(np.asarray(upright))
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


def _skew(boxes) -> float:
    """Median angle of the top edges of wide text boxes (radians)."""
    angles = []
    for box, _, _ in boxes:
        (x0, y0), (x1, y1) = box[0], box[1]
        w = math.hypot(x1 - x0, y1 - y0)
        h = math.hypot(box[3][0] - box[0][0], box[3][1] - box[0][1])
        if w > 2 * h and w > 20:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


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
    return ocr_lines(img, page=1, threads=cores)
