"""What an ingest did, counted as it goes: what ``ogi ingest`` prints and its exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..model import WITHOUT_NUMBERS

OnError = Callable[[str, str], None]  # (source, reason) of a document that failed


@dataclass
class IngestSummary:
    documents: int = 0
    unchanged: int = 0  # loaded by an earlier run (the same bytes, this extractor version)
    repeated: int = 0  # the same bytes as another document of this run (loaded once)
    reports: int = 0
    partial: int = 0
    without_numbers: int = 0  # reports read, no number in them (status pre2019 or no_tables)
    cells: int = 0
    checks_failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[dict] = field(
        default_factory=list
    )  # crawl outcomes, when a registry was crawled
    crawl_errors: int = 0  # URLs that failed for good in the crawl
    interrupted: bool = False  # a signal stopped the crawl; what was stored is loaded

    def add_report(self, status: str, cells: int, failed_checks: int) -> None:
        """Count a report loaded without error."""
        self.reports += 1
        self.partial += status == "partial"
        self.without_numbers += status in WITHOUT_NUMBERS
        self.cells += cells
        self.checks_failed += failed_checks

    def fail(self, source: str, reason: str, on_error: OnError | None = None) -> None:
        """Count a document that failed, and tell `on_error` at once."""
        self.errors.append((source, reason))
        if on_error:
            on_error(source, reason)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.errors or any(o["outcome"] != "ok" for o in self.outcomes) else 0

    def _documents_note(self) -> str:
        """(12 unchanged since the last run, 3 the same bytes as another), when there are any."""
        notes = [
            f"{self.unchanged} unchanged since the last run" if self.unchanged else "",
            f"{self.repeated} the same bytes as another" if self.repeated else "",
        ]
        notes = [n for n in notes if n]
        return f" ({', '.join(notes)})" if notes else ""

    def lines(self) -> list[str]:
        crawl = []
        if self.outcomes:
            counts: dict[str, int] = {}
            for o in self.outcomes:
                counts[o["outcome"]] = counts.get(o["outcome"], 0) + 1
            crawl = [
                "sources    "
                + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                + (
                    f"; {self.crawl_errors} URLs failed (view crawl_errors)"
                    if self.crawl_errors
                    else ""
                )
            ]
        return crawl + [
            f"documents  {self.documents}{self._documents_note()}",
            f"reports    {self.reports} loaded ({self.partial} incomplete, "
            f"{self.without_numbers} without numbers)",
            f"cells      {self.cells}",
            f"checks     {self.checks_failed} failed",
            f"errors     {len(self.errors)}",
        ]
