"""The test suite (a package, so tests and bench import the corpus generators by name)."""
