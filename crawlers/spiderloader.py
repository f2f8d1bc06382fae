"""One Scrapy spider per registry row, as Kingfisher Collect has one per publisher.

``cd crawlers && scrapy list`` names every source of the registries in ``OGI_REGISTRIES``
(default: every CSV in crawlers/sources/), and ``scrapy crawl SOURCE_ID [-a year=2023]
[-a sample=5] [-a out=DIR]`` crawls one with the report spider — the bundled mirror's rows too
(the mirror is served on 127.0.0.1 for the crawl). The generic spiders (``reports`` with
``-a sources=FILE -a source_id=ID``, ``discover``) stay listed.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.spiderloader import SpiderLoader

from . import registry
from .spiders.reports import ReportSpider

SOURCES_DIR = Path(__file__).resolve().parent / "sources"


class RegistrySpiderLoader(SpiderLoader):
    def __init__(self, settings):
        super().__init__(settings)
        paths = settings.getlist("OGI_REGISTRIES") or sorted(
            str(p) for p in SOURCES_DIR.glob("*.csv")
        )
        for path in paths:
            for row in registry.load(path):
                if row.source_id in self._spiders:
                    continue
                self._spiders[row.source_id] = type(
                    f"Spider_{row.source_id}",
                    (ReportSpider,),
                    {
                        "name": row.source_id,
                        "registry_row": row,
                        "__doc__": f"{row.name} ({row.entry_url})",
                    },
                )
