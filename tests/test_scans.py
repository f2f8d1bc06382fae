"""Scanned tables without running OCR: the ruling lattice, box placement, and the identity rules
for OCR'd numbers (alternatives, withholding). The one real OCR run is in test_formats.py."""

import numpy as np
from PIL import Image, ImageDraw

from pipeline.api import extract_bytes
from pipeline.extract.lattice import find_tables, grid
from pipeline.validate import run_checks
from pipeline.validate.ocr import settle_ocr

XS = [100, 400, 500, 600, 700]
YS = [100, 160, 220, 280, 340]


def ruled_page() -> np.ndarray:
    """A 4x4 table: the top-left label spans two rows (no ruling under it), the top right header
    spans two columns (no ruling between them); a paragraph of 'text' strokes above it."""
    img = Image.new("L", (900, 600), 255)
    d = ImageDraw.Draw(img)
    for y in YS:
        d.line([(XS[0], y), (XS[-1], y)], fill=60, width=2)
    d.line([(XS[0], YS[1]), (XS[1], YS[1])], fill=255, width=4)  # rowspan: erase the ruling
    for x in XS:
        d.line([(x, YS[0]), (x, YS[-1])], fill=60, width=2)
    d.line([(XS[3], YS[0]), (XS[3], YS[1])], fill=255, width=4)  # colspan in the top row
    for i in range(12):  # text-like short strokes
        d.line([(100 + i * 25, 40), (115 + i * 25, 40)], fill=40, width=2)
        d.line([(105 + i * 25, 30), (105 + i * 25, 50)], fill=40, width=2)
    return np.asarray(img)


def test_lattice_finds_rows_columns_and_merged_cells():
    tables = find_tables(ruled_page())
    assert len(tables) == 1
    t = tables[0]
    assert [abs(a - b) <= 3 for a, b in zip(t.ys, YS)] == [True] * 5
    assert [abs(a - b) <= 3 for a, b in zip(t.xs, XS)] == [True] * 5
    assert t.region[0, 0] == t.region[1, 0]  # rowspan
    assert t.region[0, 2] == t.region[0, 3]  # colspan
    assert t.region[2, 1] != t.region[2, 2]


def test_boxes_land_in_their_cells_and_blank_cells_stay_blank():
    t = find_tables(ruled_page())[0]
    boxes = [
        (250, 200, "三、本年度办理结果", 0.99, None),  # the middle of the merged label cell
        (450, 130, "自然人", 0.99, None),
        (650, 130, "总计", 0.98, None),
        (450, 250, "7", 0.97, None),
        (650, 250, "9", 0.6, ["8"]),
        (450, 310, "1", 0.99, None),
    ]  # row 4 leaves two cells blank
    cells, spans, confs, alts = grid(t, boxes)
    assert cells[0] == ["三、本年度办理结果", "自然人", "总计", ""]
    assert spans[0] == [1, 1, 2, 0] and spans[1][0] == -1
    assert cells[2] == ["", "7", "", "9"] and alts[2][3] == ["8"] and confs[2][3] == 0.6
    assert cells[3] == ["", "1", "", ""]


HEAD = "2023年白沙县人民政府政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"


def _ocr_report(rows: dict[str, str]):
    text = HEAD + "".join(f"{label}\t{vals}\n" for label, vals in rows.items())
    r = extract_bytes(text.encode(), "scan.txt")
    for cells in r.tables["applications"].values():
        for c in cells.values():
            c.confidence = 0.99
    return r


def test_an_alternative_reading_is_taken_only_when_the_identities_force_it():
    r = _ocr_report(
        {
            "一、本年新收政府信息公开申请数量": "5\t1\t0\t0\t2\t0\t7",
            "二、上年结转政府信息公开申请数量": "0\t0\t0\t0\t0\t0\t0",
        }
    )
    cell = r.tables["applications"]["new_received"]["total"]
    cell.confidence, cell.alternatives = 0.55, ["1", "8"]  # the recogniser's next readings of '7'
    settle_ocr(r)
    run_checks(r)
    assert cell.value == 8 and cell.raw == "8"
    assert any("next reading '8'" in w for w in r.warnings)
    assert all(c.ok for c in r.checks)


def test_two_readings_that_fit_change_nothing_and_the_cell_is_withheld():
    r = _ocr_report({"一、本年新收政府信息公开申请数量": "5\t1\t0\t0\t1\t0\t9"})
    a = r.tables["applications"]["new_received"]["natural_person"]
    b = r.tables["applications"]["new_received"]["commercial"]
    a.confidence, a.alternatives = 0.5, ["6"]
    b.confidence, b.alternatives = 0.5, ["2"]
    settle_ocr(r)
    assert (a.raw, b.raw) == ("5", "1")
    assert a.value is None and b.value is None  # low confidence and no holding identity
    assert sum("no identity confirms it" in w for w in r.warnings) == 2


def test_a_printed_error_read_with_confidence_is_left_as_printed():
    r = _ocr_report({"一、本年新收政府信息公开申请数量": "5\t1\t0\t0\t1\t0\t9"})
    settle_ocr(r)
    run_checks(r)
    assert r.value("applications", "new_received", "total") == 9
    assert any(not c.ok and c.id == "applications.row_total" for c in r.checks)


def test_a_low_confidence_reading_an_identity_confirms_is_kept():
    r = _ocr_report({"一、本年新收政府信息公开申请数量": "5\t1\t0\t0\t1\t0\t7"})
    cell = r.tables["applications"]["new_received"]["natural_person"]
    cell.confidence = 0.6
    settle_ocr(r)
    assert cell.value == 5


def test_lines_read_unsure_when_narrowly_padded_are_read_again_at_full_width():
    """ocr.NarrowFirst: one pass padded narrow — to REC_NARROWEST for boxes that fit it (one to
    three digits), else to REC_NARROW —, a second at RapidOCR's width for the lines under
    LOW_CONFIDENCE only, whose second reading is kept."""
    from rapidocr.ch_ppocr_rec.typings import TextRecInput, TextRecOutput

    from pipeline.extract.ocr import REC_NARROW, REC_NARROWEST, NarrowFirst

    class Recogniser:  # reads each "line" (an array holding one digit) as RapidOCR's would
        rec_image_shape = [3, 48, 320]
        calls: list = []

        def __call__(self, args):
            width = self.rec_image_shape[2]
            Recogniser.calls.append((width, len(args.img)))
            digits = [int(img[0, 0, 0]) for img in args.img]
            # padded narrowly, a 7 is unsure and read as 1
            read = [("1", 0.6) if width < 320 and d == 7 else (str(d), 0.99) for d in digits]
            return TextRecOutput(
                imgs=args.img,
                txts=tuple(t for t, _ in read),
                scores=[s for _, s in read],
                word_results=tuple((None,) for _ in read),
            )

    rec = NarrowFirst(Recogniser())
    lines = [np.full((48, 40, 3), d, np.uint8) for d in (3, 7, 5, 7)]
    out = rec(TextRecInput(img=lines))
    assert out.txts == ("3", "7", "5", "7") and out.scores == [0.99] * 4
    assert Recogniser.calls == [(REC_NARROWEST, 4), (320, 2)]  # only the two unsure lines twice
    # a wider box goes to the next tier, in its place in the output
    Recogniser.calls.clear()
    mixed = [np.full((48, 40, 3), 3, np.uint8), np.full((48, 100, 3), 7, np.uint8)]
    out = rec(TextRecInput(img=mixed))
    assert out.txts == ("3", "7")
    assert Recogniser.calls == [(REC_NARROWEST, 1), (REC_NARROW, 1), (320, 1)]
    assert rec.rec_image_shape == [3, 48, 320]  # what digit_alternatives reads is RapidOCR's own


def test_lines_are_dealt_out_in_chunks_cut_where_the_recognisers_batches_end():
    """NarrowFirst.chunks: each tier's lines in the order the recogniser sorts them (width over
    height) and cut every `batches` of its batches, so a chunk read apart pads as in one call;
    the widest lines' chunks first, widest of all first."""
    from pipeline.extract.ocr import NarrowFirst

    class Recogniser:
        rec_image_shape = [3, 48, 320]
        rec_batch_num = 3

    rec = NarrowFirst(Recogniser())
    widths = [30, 200, 35, 150, 40, 400, 300, 90, 250, 180, 220, 160]  # at height 48
    lines = [np.zeros((48, w, 3), np.uint8) for w in widths]
    chunks = rec.chunks(lines, batches=1)
    assert sorted(i for c in chunks for i in c) == list(range(len(widths)))  # each once
    narrowest = [i for i, w in enumerate(widths) if w <= 64]
    fitting = [i for i, w in enumerate(widths) if 64 < w <= 128]
    wide = sorted((i for i, w in enumerate(widths) if w > 128), key=lambda i: widths[i])
    assert chunks == [wide[6:], wide[3:6], wide[:3], fitting, narrowest]  # batches 3, 16, 16
    assert [len(c) for c in rec.chunks(lines, batches=2)] == [2, 6, 1, 3]


def test_a_gpu_is_used_when_onnxruntime_reports_one(monkeypatch):
    import onnxruntime

    from pipeline.extract import ocr

    monkeypatch.delenv("OGI_OCR_CPU", raising=False)
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert ocr.accelerator() == {}  # the CPU: RapidOCR's defaults
    monkeypatch.setattr(
        onnxruntime,
        "get_available_providers",
        lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"],
    )
    assert ocr.accelerator() == {"EngineConfig.onnxruntime.use_cuda": True}
    monkeypatch.setenv("OGI_OCR_CPU", "1")
    assert ocr.accelerator() == {}
