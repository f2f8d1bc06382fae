"""The two kinds of failure a user is told about, apart from a document that yields no report
(:class:`pipeline.model.ExtractionError`, recorded and the batch goes on).

A :class:`UsageError` is the user's to mend — a path that does not exist, a registry that cannot
be read, a warehouse another process holds: one line, exit 2, before anything is written.
Anything else that escapes is a bug: one line saying so (the traceback with ``-v``), exit 1.
"""


class UsageError(ValueError):
    """A user's mistake, said plainly in one line."""


class WarehouseUnavailable(UsageError):
    """The warehouse cannot be opened: missing, locked by another process, unwritable, or of a
    schema this version does not write."""


class ClusterUnavailable(UsageError):
    """The Dask scheduler named cannot be reached, or turned this client away (TLS)."""
