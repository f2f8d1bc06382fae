"""Scrapy project: spiders, item pipelines, settings and source registries (see the crawler issue)."""
