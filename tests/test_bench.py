"""The benchmarks' own plumbing runs (a stale name in bench/ once broke `make bench` unseen):
small inputs, no timing asserted."""

from bench.run import bench_load, corpus


def test_the_load_benchmark_times_the_warehouse_load():
    pages = [p for _, p in corpus(3)]
    row = bench_load(pages)
    assert row["reports"] == 3 and row["facts"] > 100
    assert row["duckdb_facts_per_s"] > 0 and row["end_to_end_facts_per_s"] > 0
