"""The benchmarks' own plumbing runs (a stale name in bench/ once broke `make bench` unseen):
small inputs, no timing asserted."""

from bench.run import bench_load, corpus


def test_the_load_benchmark_times_the_warehouse_load():
    pages = [p for _, p in corpus(3)]
    row = bench_load(pages)
    assert row["reports"] == 3 and row["facts"] > 100
    assert row["duckdb_facts_per_s"] > 0 and row["end_to_end_facts_per_s"] > 0


RESULTS = {  # what bench/run.py hands bench/scale.py, in its shape
    "html": {"ours_pages_per_s": 100.0},
    "formats": {
        **{k: {"docs_per_s": 10.0} for k in ("docx", "doc", "xls")},
        "pdf": {"pages_per_s": 50.0},
        "scan": {"ocr_seconds_per_page": 0.9, "ocr_one_core_seconds_per_page": 1.5},
    },
}


def test_the_national_projection_costs_a_scanned_page_on_one_core():
    """In a national run each of a machine's two workers gives a document one core: the
    projection takes a scanned page's one-core seconds when bench/run.py measured them."""
    import copy

    from bench.scale import PAGES, per_document_seconds

    results = copy.deepcopy(RESULTS)
    per = per_document_seconds(results)
    assert per["scan"] == PAGES["scan"] * 1.5 and per["pdf"] == PAGES["pdf"] / 50.0
    del results["formats"]["scan"]["ocr_one_core_seconds_per_page"]  # an older results.json
    assert per_document_seconds(results)["scan"] == PAGES["scan"] * 0.9


def test_the_scale_benchmark_runs_through_to_the_projection():
    """bench/scale.py on a handful of documents: Dask 1 vs 2 workers, the overhead, the shard
    load and the projection from bench/run.py's figures (its page reading once used a name
    the wiring change had turned into a string)."""
    from bench import scale

    out = scale.run(RESULTS, n_html=4, n_pdf=2)
    assert {k: out["workers"][k]["documents"] for k in ("html", "pdf")} == {"html": 4, "pdf": 2}
    assert out["shard_load"]["reports"] > 0 and out["shard_load"]["facts"] > 100
    projection = out["projection"]
    assert projection["documents"] == 600_000
    assert projection["1_machines_hours"] >= projection["10_machines_hours"] > 0
