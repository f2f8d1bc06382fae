"""Scanned pages and images to lines of cells (RapidOCR; its Chinese models ship in the wheel).

Table structure is recovered from the text boxes themselves: the page's skew is estimated from
the boxes' top edges and undone, boxes are grouped into rows by their centres and ordered left
to right. Blank cells are lost, as in space-separated text; the identities then decide whether
the numbers can be trusted. Every cell keeps the recogniser's confidence.
"""
from __future__ import annotations

import logging
import math
import re
import statistics

from ..model import ExtractionError, Line
from .text import split_line

LOW_CONFIDENCE = 0.90
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff)）])(\d[\d,]*(?:\.\d+)?)$")
MAX_PIXELS = 60_000_000  # ~ an A3 page at 400 dpi; more is a decompression bomb
_engine = None


def engine():
    global _engine
    if _engine is None:
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        from rapidocr import RapidOCR
        _engine = RapidOCR()
        for name in list(logging.root.manager.loggerDict):
            if name.lower().startswith("rapidocr"):
                logging.getLogger(name).setLevel(logging.WARNING)
    return _engine


def ocr_lines(image, page: int | None = None) -> list[Line]:
    import numpy as np
    if image.width * image.height > MAX_PIXELS:
        raise ExtractionError(f"image of {image.width}x{image.height} pixels is too large to be a page")
    result = engine()(np.asarray(image.convert("RGB")))
    if result is None or result.boxes is None or not len(result.boxes):
        return []
    boxes = [(b, t, float(s)) for b, t, s in zip(result.boxes, result.txts, result.scores) if t and t.strip()]
    angle = _skew(boxes)
    cos, sin = math.cos(-angle), math.sin(-angle)
    placed = []
    for box, text, score in boxes:
        cx = sum(p[0] for p in box) / 4
        cy = sum(p[1] for p in box) / 4
        x, y = cx * cos - cy * sin, cx * sin + cy * cos
        h = abs(box[3][1] - box[0][1]) or 1.0
        placed.append((y, x, h, text, score))
    placed.sort()
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
        for _, _, _, text, score in sorted(row, key=lambda q: q[1]):
            # The recogniser sometimes runs a label and the first number of its row together
            # ("…反复申请0"): a number glued to the end of Chinese text is its own cell.
            text = _GLUED.sub(r"\1 \2", text)
            parts = split_line(text) or []
            cells.extend(parts)
            conf.extend([score] * len(parts))
        if cells:
            out.append(Line(cells, page=page, conf=conf, raw=" ".join(t for *_, t, _ in sorted(row, key=lambda q: q[1]))))
    return out


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


def image_lines(data: bytes) -> list[Line]:
    import io

    from PIL import Image, UnidentifiedImageError
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError:
        raise ExtractionError("image is a decompression bomb (too many pixels)") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ExtractionError(f"unreadable image: {exc}") from None
    return ocr_lines(img, page=1)
