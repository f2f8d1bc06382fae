"""Extraction stand-ins for the pool's time cap tests (importable by the pool's workers)."""

import time


def sleeps(data: bytes, source: str):
    time.sleep(60)  # interruptible: the alarm ends it


def spins(data: bytes, source: str):
    """A parser that swallows every exception, the alarm's included: only the grace kill ends it."""
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            while time.monotonic() < end:
                pass
        except BaseException:
            pass


def quick(data: bytes, source: str):
    # (the extractor alone: pipeline.api brings pandas, a second's import in a cold worker)
    from pipeline.run.document import extract_bytes

    if source.startswith("slow"):
        return sleeps(data, source)
    return extract_bytes(data, source)


def quick_by_name(data: bytes, source: str):
    """As `quick`, for sources named by a path: a file called slow-… takes forever."""
    import os

    return quick(data, os.path.basename(source))


def nothing(data: bytes, source: str):
    """An extraction that does nothing (bench/scale.py: what is left is the pipeline's own cost)."""
    import hashlib

    from pipeline.model import Report

    return Report(source=source, sha256=hashlib.sha256(data).hexdigest())
