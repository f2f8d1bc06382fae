"""Scrapy settings: polite and safe by default.

`scrapy crawl reports -a sources=FILE.csv` from crawlers/ reads these through scrapy.cfg;
`ogi crawl` passes the same dict to its runner (see crawlers/run.py).
"""

BOT_NAME = "ogi-reports"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
# `scrapy list` / `scrapy crawl SOURCE_ID`: a spider per registry row (crawlers/spiderloader.py)
SPIDER_LOADER_CLASS = "crawlers.spiderloader.RegistrySpiderLoader"
# The bundled offline mirror, served on 127.0.0.1 when a crawl asks for a *.mirror.test host
MIRROR_DIR = str(__import__("pipeline.settings").settings.DEMO_CORPUS / "mirror")

USER_AGENT = "OGI-Reports/0.1 (+https://github.com/ogi-reports/ogi-reports; research crawler of public annual reports)"
ROBOTSTXT_OBEY = True

# One or two requests at a time per site, with a delay; AutoThrottle slows down further when
# a server answers slowly.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Sources crawled at once (a province is hundreds of hosts). Sources on one host — a portal's
# departments under its own address — are crawled one after another, so the per-site limits
# above hold per host, not per source.
CONCURRENT_SOURCES = 32

# Scrapy starts CONCURRENT_ITEMS worker tasks for every callback's output; the default (100)
# made task creation the crawler's main cost (measured in bench/). A callback here yields a
# handful of requests and at most one document.
CONCURRENT_ITEMS = 4

# Public pages need no session; cookies only cost time per request.
COOKIES_ENABLED = False

# Budgets per source: the best-first walk from a home page to the annual-report column, and the
# listing pages of the column (an endless 下一页 chain stops here at the latest).
NAV_PAGE_BUDGET = 40
LISTING_PAGE_BUDGET = 100

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # a 64 MB cap: no report attachment is larger; bombs are
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Retries on 5xx and time-outs, with exponential backoff (crawlers.middlewares.BackoffMiddleware).
# 403/412/429/521 are not retried: they are usually anti-bot challenges, recorded as `blocked`.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# A report an earlier run could not fetch is asked for first in the next, this long after the
# source's start (slowly: the site may have been struggling).
RETRY_FIRST_DELAY = 2.0

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.MirrorProxyMiddleware": 50,  # before robots.txt is asked for
    "crawlers.middlewares.BackoffMiddleware": 540,
    "crawlers.middlewares.AttemptsMiddleware": 555,  # sees a failure before RetryMiddleware
    "crawlers.middlewares.RedirectLoopMiddleware": 610,  # sees a 3xx before RedirectMiddleware
    "crawlers.middlewares.ChallengeMiddleware": 560,
    "crawlers.middlewares.EncodingMiddleware": 570,
}
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}

# Reactorless downloads (aiohttp), keeping raw header bytes (GBK file names; crawlers/handlers.py).
DOWNLOAD_HANDLERS = {
    "http": "crawlers.handlers.RawHeadersDownloadHandler",
    "https": "crawlers.handlers.RawHeadersDownloadHandler",
}

# New defaults in Scrapy 2.19 that a batch crawler must not run: a code-running HTTP server and
# the telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Reactorless: one process can run several crawls (tests) inside asyncio.run.
TWISTED_REACTOR_ENABLED = False

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
