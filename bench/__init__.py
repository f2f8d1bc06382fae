"""Benchmarks and the accuracy harness: `make bench`, `make accuracy` (run as modules: python -m bench.run)."""
