"""Item pipeline: store every fetched document content-addressed, with a manifest row."""

from __future__ import annotations

import asyncio

from .store import DocumentStore


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        store: DocumentStore = spider.store
        # Hashing and writing happen off the event loop, so downloads go on meanwhile.
        stored = await asyncio.to_thread(store.put, item["provenance"], item["body"])
        spider.note_stored(stored)
        return item
