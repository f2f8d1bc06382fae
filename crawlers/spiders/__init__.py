"""Spiders: one ReportSpider per registry row, with a pagination family each."""

from .reports import ReportSpider

__all__ = ["ReportSpider"]
